#include "risk/country_data.h"

#include <gtest/gtest.h>

namespace orderpilot::risk {
namespace {

TEST(CountryCentroidTest, KnownCountriesAnyCaseAndUnknownCodes) {
  ASSERT_TRUE(CountryCentroid("us"));
  EXPECT_NEAR(CountryCentroid("US")->lat, 37, 3);
  EXPECT_NEAR(CountryCentroid("US")->lon, -96, 5);
  for (const char* code :
       {"DE", "FR", "GB", "JP", "AU", "BR", "IN", "ZA", "NZ", "XK", "AD", "ZW", "VA", "AQ"}) {
    EXPECT_TRUE(CountryCentroid(code)) << code;
  }
  EXPECT_FALSE(CountryCentroid("QQ"));
  EXPECT_FALSE(CountryCentroid("USA"));
  EXPECT_FALSE(CountryCentroid(""));
}

TEST(CountryCentroidTest, DistancesAreRoughlyRight) {
  EXPECT_EQ(CountryDistanceKm("de", "DE"), 0.0);
  EXPECT_NEAR(*CountryDistanceKm("DE", "FR"), 700, 300);
  EXPECT_NEAR(*CountryDistanceKm("US", "DE"), 7900, 800);
  EXPECT_NEAR(*CountryDistanceKm("GB", "AU"), 15000, 1500);
  EXPECT_FALSE(CountryDistanceKm("US", "QQ"));
  EXPECT_FALSE(CountryDistanceKm("", "US"));
  EXPECT_NEAR(GreatCircleKm({0, 0}, {0, 180}), 20015, 1);  // half the equator
}

TEST(PostcodeTest, MainShippingCountries) {
  EXPECT_EQ(CheckPostcode("US", "40202"), FormatCheck::kOk);
  EXPECT_EQ(CheckPostcode("US", "40202-1234"), FormatCheck::kOk);
  EXPECT_EQ(CheckPostcode("US", "4020"), FormatCheck::kBad);
  EXPECT_EQ(CheckPostcode("CA", "k1a 0b1"), FormatCheck::kOk);
  EXPECT_EQ(CheckPostcode("CA", "K1A0B1"), FormatCheck::kOk);
  EXPECT_EQ(CheckPostcode("CA", "12345"), FormatCheck::kBad);
  EXPECT_EQ(CheckPostcode("GB", "SW1A 1AA"), FormatCheck::kOk);
  EXPECT_EQ(CheckPostcode("GB", "M1 1AE"), FormatCheck::kOk);
  EXPECT_EQ(CheckPostcode("GB", "CR2 6XH"), FormatCheck::kOk);
  EXPECT_EQ(CheckPostcode("GB", "DN55 1PT"), FormatCheck::kOk);
  EXPECT_EQ(CheckPostcode("GB", "12345"), FormatCheck::kBad);
  EXPECT_EQ(CheckPostcode("DE", "10115"), FormatCheck::kOk);
  EXPECT_EQ(CheckPostcode("NL", "1012 AB"), FormatCheck::kOk);
  EXPECT_EQ(CheckPostcode("NL", "1012AB"), FormatCheck::kOk);
  EXPECT_EQ(CheckPostcode("JP", "100-0001"), FormatCheck::kOk);
  EXPECT_EQ(CheckPostcode("JP", "1000001"), FormatCheck::kOk);
  EXPECT_EQ(CheckPostcode("BR", "01310-100"), FormatCheck::kOk);
  EXPECT_EQ(CheckPostcode("PL", "00-950"), FormatCheck::kOk);
  EXPECT_EQ(CheckPostcode("PT", "1000-001"), FormatCheck::kOk);
  EXPECT_EQ(CheckPostcode("IE", "D02 X285"), FormatCheck::kOk);
  EXPECT_EQ(CheckPostcode("IE", "D6W 1234"), FormatCheck::kOk);
  EXPECT_EQ(CheckPostcode("AU", "2000"), FormatCheck::kOk);
  EXPECT_EQ(CheckPostcode("AU", "20000"), FormatCheck::kBad);
  EXPECT_EQ(CheckPostcode("US", ""), FormatCheck::kBad);
  EXPECT_EQ(CheckPostcode("HK", ""), FormatCheck::kNoRule);
  EXPECT_EQ(CheckPostcode("", "12345"), FormatCheck::kNoRule);
}

TEST(PostcodeTest, AtLeastTwentyCountriesHaveRules) {
  int with_rule = 0;
  for (const char* c :
       {"US", "CA", "GB", "DE", "FR", "JP", "AU", "NL", "ES", "IT", "BR", "IN", "MX", "CH",
        "AT", "BE", "SE", "NO", "DK", "FI", "PL", "PT", "IE", "NZ", "SG", "KR", "CN", "RU"}) {
    with_rule += CheckPostcode(c, "x") != FormatCheck::kNoRule;
  }
  EXPECT_EQ(with_rule, 28);
}

TEST(PhoneTest, InternationalNumbersByCallingCode) {
  EXPECT_EQ(CheckPhone("+1 (502) 555-0123", ""), FormatCheck::kOk);
  EXPECT_EQ(CheckPhone("+44 20 7946 0000", "US"), FormatCheck::kOk);  // foreign but well formed
  EXPECT_EQ(CheckPhone("+44 (0)20 7946 0000", ""), FormatCheck::kOk);
  EXPECT_EQ(CheckPhone("0049 30 1234567", ""), FormatCheck::kOk);
  EXPECT_EQ(CheckPhone("+33 1 23 45 67 89", ""), FormatCheck::kOk);
  EXPECT_EQ(CheckPhone("+33 1 23 45", ""), FormatCheck::kBad);  // too short for France
  EXPECT_EQ(CheckPhone("+1 502 555 01234", ""), FormatCheck::kBad);
  EXPECT_EQ(CheckPhone("+999 1234 5678", ""), FormatCheck::kOk);  // unknown code: E.164 only
  EXPECT_EQ(CheckPhone("+1234", ""), FormatCheck::kBad);
  EXPECT_EQ(CheckPhone("+1 502 555 0123 x42", ""), FormatCheck::kOk);  // an extension
}

TEST(PhoneTest, NationalNumbersByTheAddressCountry) {
  EXPECT_EQ(CheckPhone("(502) 555-0123", "US"), FormatCheck::kOk);
  EXPECT_EQ(CheckPhone("1-502-555-0123", "US"), FormatCheck::kOk);
  EXPECT_EQ(CheckPhone("555-0123", "US"), FormatCheck::kBad);
  EXPECT_EQ(CheckPhone("020 7946 0000", "GB"), FormatCheck::kOk);
  EXPECT_EQ(CheckPhone("07700 900123", "gb"), FormatCheck::kOk);
  EXPECT_EQ(CheckPhone("06 12 34 56 78", "FR"), FormatCheck::kOk);
  EXPECT_EQ(CheckPhone("0612", "FR"), FormatCheck::kBad);
  EXPECT_EQ(CheckPhone("4915112345678", "DE"), FormatCheck::kOk);  // calling code without "+"
  EXPECT_EQ(CheckPhone("call me", "US"), FormatCheck::kBad);
  EXPECT_EQ(CheckPhone("12345678", "HK"), FormatCheck::kOk);
  EXPECT_EQ(CheckPhone("1234567", "ZZ"), FormatCheck::kNoRule);
  EXPECT_EQ(CheckPhone("1234567", ""), FormatCheck::kNoRule);
}

}  // namespace
}  // namespace orderpilot::risk
