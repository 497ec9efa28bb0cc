#include "risk/ip_country.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace orderpilot::risk {
namespace {

using ::testing::HasSubstr;

class IpCountryCsvTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("ipc_" + std::to_string(::getpid()) + "_" + name))
                                 .string();
    std::ofstream(path) << text;
    paths_.push_back(path);
    return path;
  }
  void TearDown() override {
    for (const std::string& p : paths_) std::filesystem::remove(p);
  }
  std::vector<std::string> paths_;
};

TEST_F(IpCountryCsvTest, LooksUpDottedIntegerAndIpv6RangesGivenInAnyOrder) {
  const std::string path = Write("ranges.csv",
                                 "# tor-style comment\n"
                                 "first,last,country\n"
                                 "\"8.8.8.0\",\"8.8.8.255\",\"us\"\n"
                                 "16777216,16777471,AU\n"  // 1.0.0.0 – 1.0.0.255 as integers
                                 "2a00:1450::,2a00:1450:ffff:ffff:ffff:ffff:ffff:ffff,IE\n"
                                 "\n"
                                 "5.0.0.0,5.0.0.127,DE\n"
                                 "5.0.0.128,5.0.0.255,ZZ\n");
  auto table = IpCountryTable::Open(path);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  const IpCountryTable& t = **table;
  EXPECT_EQ(t.Lookup("8.8.8.8"), "US");
  EXPECT_EQ(t.Lookup("8.8.8.0"), "US");    // first address of a range
  EXPECT_EQ(t.Lookup("8.8.8.255"), "US");  // last address
  EXPECT_EQ(t.Lookup("8.8.9.0"), "");
  EXPECT_EQ(t.Lookup("1.0.0.77"), "AU");
  EXPECT_EQ(t.Lookup("2a00:1450:4001::1"), "IE");
  EXPECT_EQ(t.Lookup("::ffff:5.0.0.1"), "DE");  // IPv4-mapped IPv6
  EXPECT_EQ(t.Lookup("5.0.0.200"), "");         // ZZ: no country
  EXPECT_EQ(t.Lookup("not an ip"), "");
  EXPECT_EQ(t.Lookup("16777300"), "");  // integers only in the file, never in lookups
  EXPECT_EQ(t.Lookup(""), "");
  EXPECT_EQ(t.RangeCount(), 4u);
}

TEST_F(IpCountryCsvTest, RefusesOverlappingRangesNamingBothLines) {
  auto table = IpCountryTable::Open(Write("overlap.csv",
                                          "1.0.0.0,1.0.0.255,AU\n"
                                          "1.0.0.128,1.0.1.0,NZ\n"));
  ASSERT_FALSE(table.ok());
  EXPECT_THAT(table.status().message(), HasSubstr("overlap.csv:2: range overlaps"));
  EXPECT_THAT(table.status().message(), HasSubstr("line 1"));
}

TEST_F(IpCountryCsvTest, RefusesBadRowsWithTheirLine) {
  auto bad_ip = IpCountryTable::Open(Write("bad_ip.csv",
                                           "1.0.0.0,1.0.0.255,AU\n"
                                           "1.0.1.0,1.0.1.999,AU\n"));
  ASSERT_FALSE(bad_ip.ok());
  EXPECT_EQ(bad_ip.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_ip.status().message(), HasSubstr("bad_ip.csv:2: '1.0.1.999'"));
  auto bad_code = IpCountryTable::Open(Write("bad_code.csv", "1.0.0.0,1.0.0.255,Australia\n"));
  ASSERT_FALSE(bad_code.ok());
  EXPECT_THAT(bad_code.status().message(), HasSubstr("not a two-letter country code"));
  auto reversed = IpCountryTable::Open(Write("reversed.csv", "1.0.0.9,1.0.0.1,AU\n"));
  ASSERT_FALSE(reversed.ok());
  EXPECT_THAT(reversed.status().message(), HasSubstr("last_ip is before first_ip"));
}

TEST(IpCountryTableTest, MissingFileIsNotFound) {
  auto table = IpCountryTable::Open("/nonexistent/geo.csv");
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), StatusCode::kNotFound);
}

constexpr const char* kDebianGeoIp = "/usr/share/GeoIP/GeoIP.dat";

TEST(IpCountryTableTest, DebianGeoIpDatabaseFindsGooglesDnsInTheUs) {
  if (!std::filesystem::exists(kDebianGeoIp)) {
    GTEST_SKIP() << kDebianGeoIp << " is absent (install Debian's geoip-database)";
  }
  auto table = IpCountryTable::Open(kDebianGeoIp);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ((*table)->Lookup("8.8.8.8"), "US");
  EXPECT_EQ((*table)->Lookup("127.0.0.1"), "");
  EXPECT_EQ((*table)->Lookup("garbage"), "");
}

TEST(IpCountryTableTest, DebianGeoIpv6DatabaseBesideItAnswersIpv6) {
  if (!std::filesystem::exists(kDebianGeoIp) ||
      !std::filesystem::exists("/usr/share/GeoIP/GeoIPv6.dat")) {
    GTEST_SKIP() << "Debian's GeoIP.dat and GeoIPv6.dat are absent";
  }
  auto table = IpCountryTable::Open(kDebianGeoIp);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ((*table)->Lookup("2001:4860:4860::8888"), "US");  // Google's IPv6 DNS
}

TEST(IpCountryTableTest, GeoIpLookupsFromManyThreads) {
  if (!std::filesystem::exists(kDebianGeoIp)) GTEST_SKIP() << kDebianGeoIp << " is absent";
  auto table = IpCountryTable::Open(kDebianGeoIp);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        if ((*table)->Lookup("8.8.8.8") != "US") ++wrong;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace orderpilot::risk
