#include "core/json_writer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <limits>

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

TEST(JsonWriterTest, WritesFloatsInTheirShortestForm) {
  JsonWriter w;
  w.BeginObject().Field("a", 0.3f).Field("b", 57.0f).Field("c", 0.8479608f);
  w.Key("d").Float(std::numeric_limits<float>::quiet_NaN()).EndObject();
  // Widened to double, 0.3f would print as 0.30000001192092896.
  EXPECT_EQ(w.str(), R"({"a":0.3,"b":57,"c":0.8479608,"d":null})");
}

TEST(JsonWriterTest, RawInsertsPreSerialisedValues) {
  JsonWriter w;
  w.BeginObject().Key("payload").Raw(R"({"x":[1]})").Field("n", int64_t{-3}).EndObject();
  EXPECT_EQ(w.str(), R"({"payload":{"x":[1]},"n":-3})");
}

}  // namespace
}  // namespace orderpilot

namespace orderpilot {
namespace {

// The plain byte-by-byte escaping AppendJsonString must match (it skips clean 8-byte runs).
std::string ReferenceEscape(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out + "\"";
}

TEST(JsonWriterTest, EscapesEveryByteAtEveryPositionOfLongStrings) {
  for (size_t len : {1, 7, 8, 9, 15, 16, 17, 31}) {
    for (size_t pos = 0; pos < len; ++pos) {
      for (int b = 0; b < 256; ++b) {
        std::string s(len, 'a');
        s[pos] = static_cast<char>(b);
        std::string got;
        AppendJsonString(got, s);
        ASSERT_EQ(got, ReferenceEscape(s)) << "len " << len << " pos " << pos << " byte " << b;
      }
    }
  }
}

}  // namespace
}  // namespace orderpilot
