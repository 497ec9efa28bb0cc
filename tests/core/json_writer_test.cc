#include "core/json_writer.h"

#include <gtest/gtest.h>

namespace orderpilot {
namespace {

TEST(JsonWriterTest, WritesNestedContainersWithCommas) {
  JsonWriter w;
  w.BeginObject().Field("a", int64_t{1}).Key("b").BeginArray().Int(1).String("x").Null().EndArray();
  w.Field("c", true).Key("d").BeginObject().EndObject().EndObject();
  EXPECT_EQ(w.str(), R"({"a":1,"b":[1,"x",null],"c":true,"d":{}})");
}

TEST(JsonWriterTest, EscapesQuotesBackslashesAndControlCharacters) {
  std::string text = "q\"b\\n\nt\t";
  text += '\x01';
  text += 'z';
  JsonWriter w;
  w.String(text);
  EXPECT_EQ(w.str(), "\"q\\\"b\\\\n\\nt\\t\\u0001z\"");
}

TEST(JsonWriterTest, KeepsUtf8AsIs) {
  JsonWriter w;
  w.String("Zoë • 東京");
  EXPECT_EQ(w.str(), "\"Zoë • 東京\"");
}

TEST(JsonWriterTest, WritesNonFiniteDoublesAsNull) {
  JsonWriter w;
  w.BeginArray().Double(0.05).Double(1.0 / 0.0).EndArray();
  EXPECT_EQ(w.str(), "[0.05,null]");
}

TEST(JsonWriterTest, RawInsertsPreSerialisedValues) {
  JsonWriter w;
  w.BeginObject().Key("payload").Raw(R"({"x":[1]})").Field("n", int64_t{-3}).EndObject();
  EXPECT_EQ(w.str(), R"({"payload":{"x":[1]},"n":-3})");
}

}  // namespace
}  // namespace orderpilot
