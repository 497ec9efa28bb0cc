#include "core/time.h"

#include <gtest/gtest.h>

namespace orderpilot {
namespace {

constexpr int64_t kSecond = 1000000;

int64_t Micros(const char* text) {
  auto t = ParseTimestamp(text);
  EXPECT_TRUE(t.ok()) << text << ": " << t.status().ToString();
  return t.ok() ? t->micros : -1;
}

void ExpectRefused(const char* text) {
  auto t = ParseTimestamp(text);
  ASSERT_FALSE(t.ok()) << "'" << text << "' parsed";
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
}

TEST(ParseTimestampTest, ParsesUtcWithZ) {
  EXPECT_EQ(Micros("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Micros("2022-01-01T00:00:00Z"), 1640995200 * kSecond);
}

TEST(ParseTimestampTest, AppliesNegativeOffset) {
  EXPECT_EQ(Micros("2021-12-31T19:00:00-05:00"), Micros("2022-01-01T00:00:00Z"));
}

TEST(ParseTimestampTest, AppliesPositiveAndHalfHourOffsets) {
  EXPECT_EQ(Micros("2022-01-01T09:00:00+09:00"), Micros("2022-01-01T00:00:00Z"));
  EXPECT_EQ(Micros("2022-01-01T05:30:00+05:30"), Micros("2022-01-01T00:00:00Z"));
}

TEST(ParseTimestampTest, ParsesFractionsToMicroseconds) {
  int64_t base = Micros("2022-01-01T00:00:00Z");
  EXPECT_EQ(Micros("2022-01-01T00:00:00.123Z"), base + 123000);
  EXPECT_EQ(Micros("2022-01-01T00:00:00.000001Z"), base + 1);
  EXPECT_EQ(Micros("2022-01-01T00:00:00.1234569Z"), base + 123456);  // truncated, not rounded
  EXPECT_EQ(Micros("2021-12-31T19:00:00.5-05:00"), base + 500000);
}

TEST(ParseTimestampTest, AcceptsSpaceSeparatorAsUtc) {
  EXPECT_EQ(Micros("2022-01-01 00:00:00"), Micros("2022-01-01T00:00:00Z"));
}

TEST(ParseTimestampTest, AcceptsDateOnlyAsMidnightUtc) {
  EXPECT_EQ(Micros("2022-01-01"), Micros("2022-01-01T00:00:00Z"));
}

TEST(ParseTimestampTest, AcceptsLeapDayInLeapYears) {
  EXPECT_EQ(Micros("2024-02-29T12:00:00Z") - Micros("2024-02-28T12:00:00Z"), 86400 * kSecond);
  EXPECT_GT(Micros("2000-02-29T00:00:00Z"), 0);
}

TEST(ParseTimestampTest, RefusesLeapDayInOtherYears) {
  ExpectRefused("2023-02-29T00:00:00Z");
  ExpectRefused("1900-02-29T00:00:00Z");
}

TEST(ParseTimestampTest, RefusesInvalidDates) {
  ExpectRefused("2024-13-01T00:00:00Z");
  ExpectRefused("2024-00-10T00:00:00Z");
  ExpectRefused("2024-04-31T00:00:00Z");
  ExpectRefused("2024-01-00T00:00:00Z");
}

TEST(ParseTimestampTest, RefusesInvalidTimes) {
  ExpectRefused("2024-01-01T24:00:00Z");
  ExpectRefused("2024-01-01T12:60:00Z");
  ExpectRefused("2024-01-01T12:00:61Z");
}

TEST(ParseTimestampTest, RefusesMalformedText) {
  for (const char* s : {"", "yesterday", "2024/01/01", "2024-1-1", "2024-01-01T",
                        "2024-01-01T12:00", "2024-01-01T12:00:00+0500", "2024-01-01T12:00:00 Z",
                        "2024-01-01T12:00:00Zjunk", "2024-01-01T12:00:00.Z", "1704110400"})
    ExpectRefused(s);
}

TEST(FormatTimestampTest, FormatsWholeSecondsWithoutFraction) {
  EXPECT_EQ(FormatTimestamp(Timestamp{0}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(Timestamp{1640995200 * kSecond}), "2022-01-01T00:00:00Z");
}

TEST(FormatTimestampTest, FormatsMicroseconds) {
  EXPECT_EQ(FormatTimestamp(Timestamp{1640995200 * kSecond + 123000}),
            "2022-01-01T00:00:00.123000Z");
}

TEST(FormatTimestampTest, FormatsTimesBeforeTheEpoch) {
  EXPECT_EQ(FormatTimestamp(Timestamp{-1}), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatTimestamp(Timestamp{-86400 * kSecond}), "1969-12-31T00:00:00Z");
}

TEST(FormatTimestampTest, RoundTripsThroughParse) {
  for (const char* s : {"2024-02-29T23:59:59Z", "1999-12-31T23:59:59.999999Z",
                        "2038-01-19T03:14:08Z", "1969-07-20T20:17:40Z"}) {
    auto t = ParseTimestamp(s);
    ASSERT_TRUE(t.ok()) << s;
    EXPECT_EQ(FormatTimestamp(*t), s);
  }
}

}  // namespace
}  // namespace orderpilot
