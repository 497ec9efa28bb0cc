#include "core/time_zone.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>

namespace orderpilot {
namespace {

constexpr int32_t kHour = 3600;

int64_t UnixSeconds(int64_t y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  return DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

std::string ZoneinfoDir() {
  const char* env = std::getenv("TZDIR");
  return env != nullptr && *env != '\0' ? env : "/usr/share/zoneinfo";
}

#define OP_REQUIRE_ZONEINFO()                                           \
  if (!std::filesystem::exists(ZoneinfoDir() + "/America/Los_Angeles")) \
  GTEST_SKIP() << "no IANA time zone database at " << ZoneinfoDir() << " (install tzdata)"

TimeZone MustLoad(std::string_view name, std::string_view dir = {}) {
  auto tz = TimeZone::Load(name, dir);
  EXPECT_TRUE(tz.ok()) << name << ": " << tz.status().ToString();
  return tz.ok() ? *tz : TimeZone::Utc();
}

// A minimal TZif v2 file: one time type, no transitions, and `footer` as its POSIX TZ string.
class SyntheticZoneinfo : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("op_tz_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Write(const std::string& name, int32_t offset, const std::string& footer) {
    std::string out;
    auto be32 = [&](uint32_t v) {
      for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
    };
    for (int block = 0; block < 2; ++block) {  // the v1 block, then the v2 block
      out.append("TZif2");
      out.append(15, '\0');
      for (uint32_t count : {0, 0, 0, 0, 1, 4}) be32(count);
      be32(static_cast<uint32_t>(offset));
      out.append({'\0', '\0', 'X', 'Y', 'Z', '\0'});
    }
    out += "\n" + footer + "\n";
    std::ofstream(dir_ / name, std::ios::binary) << out;
  }

  std::filesystem::path dir_;
};

TEST(TimeZoneTest, UtcHasZeroOffset) {
  EXPECT_EQ(TimeZone::Utc().OffsetAt(1234567890), 0);
  EXPECT_EQ(TimeZone::Utc().name(), "UTC");
  EXPECT_EQ(MustLoad("UTC").OffsetAt(-1), 0);
  EXPECT_EQ(MustLoad("Z").name(), "UTC");
}

TEST(TimeZoneTest, LoadsFixedOffsets) {
  EXPECT_EQ(MustLoad("+05:30").OffsetAt(0), 5 * kHour + 1800);
  EXPECT_EQ(MustLoad("-08:00").OffsetAt(0), -8 * kHour);
  EXPECT_EQ(MustLoad("+0530").OffsetAt(0), 5 * kHour + 1800);
  EXPECT_EQ(MustLoad("-03").OffsetAt(0), -3 * kHour);
  EXPECT_EQ(MustLoad("+0530").name(), "+05:30");
  EXPECT_EQ(MustLoad("-00:00").name(), "+00:00");
}

TEST(TimeZoneTest, RejectsOutOfRangeAndMalformedOffsets) {
  for (const char* name : {"+25:00", "+24:00", "-08:60", "+5:30", "+05:3", "+", "-08:00x"}) {
    auto tz = TimeZone::Load(name);
    ASSERT_FALSE(tz.ok()) << name;
    EXPECT_EQ(tz.status().code(), StatusCode::kInvalidArgument) << name;
  }
}

TEST(TimeZoneTest, RejectsPathsOutsideZoneinfo) {
  for (const char* name : {"../etc/passwd", "/etc/passwd", "America/../../etc/passwd",
                           "America//Denver", "America/", "", "Europe/Paris\\x"}) {
    auto tz = TimeZone::Load(name);
    ASSERT_FALSE(tz.ok()) << name;
    EXPECT_EQ(tz.status().code(), StatusCode::kInvalidArgument) << name;
  }
}

TEST(TimeZoneTest, UnknownZoneIsNotFound) {
  auto tz = TimeZone::Load("Mars/Olympus");
  ASSERT_FALSE(tz.ok());
  EXPECT_EQ(tz.status().code(), StatusCode::kNotFound);
  EXPECT_NE(tz.status().message().find("Mars/Olympus"), std::string::npos);
}

TEST(TimeZoneTest, LosAngelesSummerAndWinter2009) {
  OP_REQUIRE_ZONEINFO();
  const TimeZone la = MustLoad("America/Los_Angeles");
  EXPECT_EQ(la.name(), "America/Los_Angeles");
  EXPECT_EQ(la.OffsetAt(UnixSeconds(2009, 7, 1)), -7 * kHour);
  EXPECT_EQ(la.OffsetAt(UnixSeconds(2009, 1, 15)), -8 * kHour);
}

TEST(TimeZoneTest, LosAngelesSwitchesAtTwoAmLocal) {
  OP_REQUIRE_ZONEINFO();
  const TimeZone la = MustLoad("America/Los_Angeles");
  const int64_t start = UnixSeconds(2009, 3, 8, 10);  // 02:00 PST
  EXPECT_EQ(la.OffsetAt(start - 1), -8 * kHour);
  EXPECT_EQ(la.OffsetAt(start), -7 * kHour);
}

TEST(TimeZoneTest, LosAngelesAfterLastTransitionUsesFooterRule) {
  OP_REQUIRE_ZONEINFO();
  const TimeZone la = MustLoad("America/Los_Angeles");
  EXPECT_EQ(la.OffsetAt(UnixSeconds(2045, 7, 1)), -7 * kHour);
  EXPECT_EQ(la.OffsetAt(UnixSeconds(2045, 1, 15)), -8 * kHour);
  const int64_t start = UnixSeconds(2045, 3, 12, 10);  // second Sunday of March, 02:00 PST
  EXPECT_EQ(la.OffsetAt(start - 1), -8 * kHour);
  EXPECT_EQ(la.OffsetAt(start), -7 * kHour);
}

TEST(TimeZoneTest, SydneyHasSouthernHemisphereDst) {
  OP_REQUIRE_ZONEINFO();
  const TimeZone sydney = MustLoad("Australia/Sydney");
  EXPECT_EQ(sydney.OffsetAt(UnixSeconds(2024, 1, 15)), 11 * kHour);
  EXPECT_EQ(sydney.OffsetAt(UnixSeconds(2024, 7, 15)), 10 * kHour);
  EXPECT_EQ(sydney.OffsetAt(UnixSeconds(2050, 1, 15)), 11 * kHour);
}

TEST(TimeZoneTest, KathmanduIsFiveFortyFive) {
  OP_REQUIRE_ZONEINFO();
  EXPECT_EQ(MustLoad("Asia/Kathmandu").OffsetAt(UnixSeconds(2024, 1, 1)), 5 * kHour + 45 * 60);
}

TEST(TimeZoneTest, BeforeFirstTransitionUsesLocalMeanTime) {
  OP_REQUIRE_ZONEINFO();
  const TimeZone la = MustLoad("America/Los_Angeles");
  EXPECT_EQ(la.OffsetAt(UnixSeconds(1850, 1, 1)), -(7 * kHour + 52 * 60 + 58));
  EXPECT_EQ(ToCivil(UnixSeconds(1, 1, 1, 12), la).hour, 4);  // 12:00Z - 7:52:58
}

TEST(TimeZoneTest, DirectoryIsNotFoundAndNonTzifFileIsInvalid) {
  OP_REQUIRE_ZONEINFO();
  auto tz = TimeZone::Load("America");
  EXPECT_EQ(tz.status().code(), StatusCode::kNotFound);
  if (std::filesystem::exists(ZoneinfoDir() + "/zone1970.tab")) {
    EXPECT_EQ(TimeZone::Load("zone1970.tab").status().code(), StatusCode::kInvalidArgument);
  }
}

TEST_F(SyntheticZoneinfo, FooterWithQuotedNameAndMinutes) {
  Write("Nepal", 0, "<+0545>-5:45");
  EXPECT_EQ(MustLoad("Nepal", dir_.string()).OffsetAt(UnixSeconds(2040, 6, 1)), 20700);
}

TEST_F(SyntheticZoneinfo, FooterSouthernRuleWithEndTime) {
  Write("Aus", 10 * kHour, "AEST-10AEDT,M10.1.0,M4.1.0/3");
  const TimeZone tz = MustLoad("Aus", dir_.string());
  const int64_t end = UnixSeconds(2040, 3, 31, 16);    // Sun 1 Apr 2040 03:00 AEDT
  const int64_t start = UnixSeconds(2040, 10, 6, 16);  // Sun 7 Oct 2040 02:00 AEST
  EXPECT_EQ(tz.OffsetAt(end - 1), 11 * kHour);
  EXPECT_EQ(tz.OffsetAt(end), 10 * kHour);
  EXPECT_EQ(tz.OffsetAt(start - 1), 10 * kHour);
  EXPECT_EQ(tz.OffsetAt(start), 11 * kHour);
}

TEST_F(SyntheticZoneinfo, FooterJulianDaysAndLastWeek) {
  // DST from day 60 (1 March, also in leap years) to the last Sunday of October, 01:00 UTC.
  Write("Jul", 0, "GMT0BST,J60/1,M10.5.0/2");
  const TimeZone tz = MustLoad("Jul", dir_.string());
  EXPECT_EQ(tz.OffsetAt(UnixSeconds(2040, 3, 1, 0, 59, 59)), 0);
  EXPECT_EQ(tz.OffsetAt(UnixSeconds(2040, 3, 1, 1)), kHour);
  EXPECT_EQ(tz.OffsetAt(UnixSeconds(2040, 10, 28, 0, 59, 59)), kHour);
  EXPECT_EQ(tz.OffsetAt(UnixSeconds(2040, 10, 28, 1)), 0);
}

TEST_F(SyntheticZoneinfo, RejectsBadFooterAndNonTzif) {
  Write("Bad", 0, "PST8PDT,M13.1.0,M11.1.0");
  EXPECT_EQ(TimeZone::Load("Bad", dir_.string()).status().code(), StatusCode::kInvalidArgument);
  std::ofstream(dir_ / "Text") << "not a time zone\n";
  EXPECT_EQ(TimeZone::Load("Text", dir_.string()).status().code(), StatusCode::kInvalidArgument);
}

TEST(ToCivilTest, KnownInstantInUtc) {
  const CivilTime c = ToCivil(1234567890, TimeZone::Utc());  // 2009-02-13T23:31:30Z
  EXPECT_EQ(c.year, 2009);
  EXPECT_EQ(c.month, 2);
  EXPECT_EQ(c.day, 13);
  EXPECT_EQ(c.hour, 23);
  EXPECT_EQ(c.minute, 31);
  EXPECT_EQ(c.second, 30);
  EXPECT_EQ(c.day_of_week, 5);  // Friday
  EXPECT_EQ(c.day_of_year, 43);
}

TEST(ToCivilTest, AppliesZoneOffsetAcrossMidnight) {
  const CivilTime c = ToCivil(1234567890, MustLoad("+05:30"));  // 2009-02-14T05:01:30
  EXPECT_EQ(c.day, 14);
  EXPECT_EQ(c.hour, 5);
  EXPECT_EQ(c.minute, 1);
  EXPECT_EQ(c.day_of_week, 6);
}

TEST(ToCivilTest, NegativeUnixSeconds) {
  const CivilTime c = ToCivil(-1, TimeZone::Utc());
  EXPECT_EQ(c.year, 1969);
  EXPECT_EQ(c.month, 12);
  EXPECT_EQ(c.day, 31);
  EXPECT_EQ(c.second, 59);
  EXPECT_EQ(c.day_of_week, 3);
  EXPECT_EQ(c.day_of_year, 364);
}

TEST(ToCivilTest, YearOneAndYear9999) {
  const CivilTime first = ToCivil(-62135596800, TimeZone::Utc());
  EXPECT_EQ(first.year, 1);
  EXPECT_EQ(first.month, 1);
  EXPECT_EQ(first.day, 1);
  EXPECT_EQ(first.day_of_week, 1);  // Monday
  const CivilTime last = ToCivil(253402300799, TimeZone::Utc());
  EXPECT_EQ(last.year, 9999);
  EXPECT_EQ(last.month, 12);
  EXPECT_EQ(last.day, 31);
  EXPECT_EQ(last.hour, 23);
  EXPECT_EQ(last.day_of_week, 5);  // Friday
  EXPECT_EQ(last.day_of_year, 364);
}

TEST(ToCivilTest, LeapDayAndLastDayOfLeapYear) {
  EXPECT_EQ(ToCivil(UnixSeconds(2024, 2, 29), TimeZone::Utc()).day_of_year, 59);
  EXPECT_EQ(ToCivil(UnixSeconds(2024, 12, 31), TimeZone::Utc()).day_of_year, 365);
  EXPECT_EQ(ToCivil(UnixSeconds(1600, 12, 31), TimeZone::Utc()).day_of_year, 365);
  EXPECT_EQ(ToCivil(UnixSeconds(1900, 12, 31), TimeZone::Utc()).day_of_year, 364);
}

TEST(DaysFromCivilTest, KnownDates) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(1, 1, 1), -719162);
}

}  // namespace
}  // namespace orderpilot
