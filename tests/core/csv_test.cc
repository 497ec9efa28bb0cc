#include "core/csv.h"

#include <gtest/gtest.h>

namespace orderpilot {
namespace {

TEST(CsvTest, ReadsQuotedFieldsCrlfAndSkipsBomAndBlankLines) {
  auto t = CsvTable::Parse("\xEF\xBB\xBFsku, note\r\nA,\"x, \"\"y\"\"\"\r\n\r\nB,\"two\nlines\"\n",
                           "f.csv");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->header().size(), 2u);
  EXPECT_EQ(t->header()[1], "note");
  ASSERT_EQ(t->rows().size(), 2u);
  EXPECT_EQ(t->rows()[0].fields[1], "x, \"y\"");
  EXPECT_EQ(t->rows()[0].line, 2u);
  EXPECT_EQ(t->rows()[1].fields[1], "two\nlines");
  EXPECT_EQ(t->rows()[1].line, 4u);
  EXPECT_EQ(t->Column("note"), 1u);
  EXPECT_FALSE(t->Column("missing"));
}

TEST(CsvTest, RefusesRowsWithTheWrongNumberOfFieldsNamingTheLine) {
  auto t = CsvTable::Parse("a,b\n1,2\n1,2,3\n", "stock.csv");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(), "stock.csv:3: 3 fields, the header has 2");
}

TEST(CsvTest, RefusesUnterminatedQuotesAndTextAfterAQuote) {
  EXPECT_NE(CsvTable::Parse("a\n\"open\n", "f.csv").status().message().find("unterminated"),
            std::string::npos);
  EXPECT_NE(CsvTable::Parse("a\n\"x\"y\n", "f.csv").status().message().find("closing quote"),
            std::string::npos);
}

TEST(CsvTest, RefusesEmptyAndDuplicateHeaders) {
  EXPECT_FALSE(CsvTable::Parse("", "f.csv").ok());
  EXPECT_FALSE(CsvTable::Parse("a,,b\n", "f.csv").ok());
  EXPECT_NE(CsvTable::Parse("a,a\n", "f.csv").status().message().find("twice"), std::string::npos);
}

}  // namespace
}  // namespace orderpilot
