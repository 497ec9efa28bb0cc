#include "routing/rate_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace orderpilot::routing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr std::string_view kFile = "acme.yaml";

// A small carrier: two origins, four destination zones, two services.
constexpr std::string_view kAcme = R"(carrier: Acme Parcel
code: acme
currency: USD
dim_divisor: 5000
origin_zones:
  west: {country: US, postcodes: [89]}
  east: {country: US, postcodes: ["07"]}
destination_zones:
  near-west: {country: US, postcodes: [89, 90-96]}
  la: {country: US, postcodes: [900]}
  rest: {country: US}
  canada: {country: CA, postcodes: [K1A, M]}
zone_chart:
  west:
    "1": [near-west]
    "2": [la, rest]
  east:
    "2": [rest]
    "3": [near-west, la]
    intl: [canada]
services:
  - code: acme-ground
    name: Acme Ground
    service_code: acme_ground
    weights_kg: [1, 2, 5, 10]
    rates:
      "1": {days: 1, prices: [5.00, 6.00, 8.00, 12.00]}
      "2": {days: 3, prices: [7.00, 8.00, 10.00, 15.00]}
      "3": {days: 5, prices: [9.00, 10.00, 13.00, 20.00]}
      intl: {days: 6, prices: [20.00, 25.00]}
  - code: acme-air
    name: Acme Air
    dim_divisor: 6000
    weights_lb: [1, 5, 10.5]
    rates:
      "1": {days: 1, prices: [15.00, 20.00, 30.00]}
)";

RateTables MustParse(std::string_view yaml, std::string_view file = kFile) {
  auto t = RateTables::Parse(yaml, file);
  EXPECT_TRUE(t.ok()) << t.status().message();
  return t.ok() ? std::move(t).value() : RateTables();
}

// The error message of a file that must be refused.
std::string ErrorOf(std::string_view yaml) {
  auto t = RateTables::Parse(yaml, kFile);
  EXPECT_FALSE(t.ok()) << "accepted:\n" << yaml;
  if (t.ok()) return "";
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.status().field(), kFile);
  return t.status().message();
}

// kAcme with the first `from` replaced by `to`.
std::string Acme(std::string_view from, std::string_view to) {
  std::string s(kAcme);
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

// "acme.yaml:line:column" of the first occurrence of `needle` in `yaml`.
std::string At(std::string_view yaml, std::string_view needle) {
  size_t at = yaml.find(needle);
  EXPECT_NE(at, std::string_view::npos) << needle;
  int line = 1, column = 1;
  for (size_t i = 0; i < at; ++i) {
    if (yaml[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::string(kFile) + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::optional<RateTables::Quote> Quote(const RateTables& t, std::string_view service,
                                       std::string_view from, std::string_view to_country,
                                       std::string_view to, int64_t grams, int64_t volume = 0) {
  const Service* s = t.FindService(service);
  EXPECT_NE(s, nullptr) << service;
  if (s == nullptr) return std::nullopt;
  return t.QuoteFor(*s, "US", from, to_country, to, grams, volume);
}

std::string WriteFile(const std::string& name, std::string_view text) {
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) /
                              ::testing::UnitTest::GetInstance()->current_test_info()->name();
  std::filesystem::create_directories(dir);
  std::string path = (dir / name).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// --- Reading -------------------------------------------------------------------------------------

TEST(RateTablesTest, ReadsCarrierAndServices) {
  RateTables t = MustParse(kAcme);
  ASSERT_EQ(t.carriers().size(), 1u);
  EXPECT_EQ(t.carriers()[0].name, "Acme Parcel");
  EXPECT_EQ(t.carriers()[0].code, "acme");
  EXPECT_EQ(t.carriers()[0].dim_divisor, 5000);
  EXPECT_EQ(t.currency().code(), "USD");
  ASSERT_EQ(t.services().size(), 2u);
  const Service& ground = t.services()[0];
  EXPECT_EQ(ground.code, "acme-ground");
  EXPECT_EQ(ground.name, "Acme Ground");
  EXPECT_EQ(ground.carrier, "Acme Parcel");
  EXPECT_EQ(ground.carrier_code, "acme");
  EXPECT_EQ(ground.service_code, "acme_ground");
  EXPECT_EQ(ground.dim_divisor, 5000);
  EXPECT_EQ(ground.index, 0);
  EXPECT_EQ(t.services()[1].service_code, "acme-air");  // defaults to the code
  EXPECT_EQ(t.FindService("acme-air"), &t.services()[1]);
  EXPECT_EQ(t.FindService("nope"), nullptr);
}

TEST(RateTablesTest, ServiceAddressesSurviveMoves) {
  RateTables t = MustParse(kAcme);
  const Service* before = t.FindService("acme-air");
  RateTables moved = std::move(t);
  EXPECT_EQ(moved.FindService("acme-air"), before);
}

TEST(RateTablesTest, LongestPostcodePrefixWins) {
  RateTables t = MustParse(kAcme);
  EXPECT_EQ(t.DestinationZoneName(0, t.DestinationZone(0, "US", "90012")), "la");
  EXPECT_EQ(t.DestinationZoneName(0, t.DestinationZone(0, "US", "91001")), "near-west");
  // From west, la is in price zone 2 and near-west in price zone 1.
  EXPECT_EQ(Quote(t, "acme-ground", "89502", "US", "90012", 500)->price.minor_units(), 700);
  EXPECT_EQ(Quote(t, "acme-ground", "89502", "US", "91001", 500)->price.minor_units(), 500);
}

TEST(RateTablesTest, ZoneWithoutPostcodesCoversTheWholeCountry) {
  RateTables t = MustParse(kAcme);
  EXPECT_EQ(t.DestinationZoneName(0, t.DestinationZone(0, "US", "10001")), "rest");
  EXPECT_EQ(t.DestinationZoneName(0, t.DestinationZone(0, "US", "")), "rest");
  EXPECT_EQ(t.DestinationZone(0, "MX", "01000"), -1);
}

TEST(RateTablesTest, PostcodesIgnoreCaseSpacesAndHyphens) {
  RateTables t = MustParse(kAcme);
  EXPECT_EQ(t.DestinationZoneName(0, t.DestinationZone(0, "ca", "k1a 0b1")), "canada");
  EXPECT_EQ(t.DestinationZoneName(0, t.DestinationZone(0, "US", "89502-1234")), "near-west");
  EXPECT_EQ(t.DestinationZone(0, "CA", "V5K 0A1"), -1);  // neither K1A nor M
  EXPECT_EQ(t.OriginZoneName(0, t.OriginZone(0, "US", "07114")), "east");
}

TEST(RateTablesTest, UnknownPlaceOrUnservedPairHasNoQuote) {
  RateTables t = MustParse(kAcme);
  EXPECT_FALSE(Quote(t, "acme-ground", "60601", "US", "10001", 500));   // no origin zone
  EXPECT_FALSE(Quote(t, "acme-ground", "89502", "CA", "K1A0B1", 500));  // west has no intl
  EXPECT_FALSE(Quote(t, "acme-air", "07114", "US", "10001", 500));      // air has no zone 2 row
  EXPECT_TRUE(Quote(t, "acme-ground", "07114", "CA", "K1A0B1", 500));
}

TEST(RateTablesTest, ParcelTakesFirstBracketAtLeastAsHeavy) {
  RateTables t = MustParse(kAcme);
  auto q1 = Quote(t, "acme-ground", "89502", "US", "10001", 1000);
  auto q2 = Quote(t, "acme-ground", "89502", "US", "10001", 1001);
  auto q3 = Quote(t, "acme-ground", "89502", "US", "10001", 10000);
  ASSERT_TRUE(q1 && q2 && q3);
  EXPECT_EQ(q1->price.ToString(), "7.00");
  EXPECT_EQ(q2->price.ToString(), "8.00");
  EXPECT_EQ(q3->price.ToString(), "15.00");
  EXPECT_EQ(q1->transit_days, 3);
  EXPECT_EQ(q1->billable_grams, 1000);
}

TEST(RateTablesTest, NoQuoteAboveTheLastBracket) {
  RateTables t = MustParse(kAcme);
  EXPECT_FALSE(Quote(t, "acme-ground", "89502", "US", "10001", 10001));
}

TEST(RateTablesTest, RowWithFewerPricesTakesOnlyLighterParcels) {
  RateTables t = MustParse(kAcme);
  EXPECT_EQ(Quote(t, "acme-ground", "07114", "CA", "M5V", 2000)->price.ToString(), "25.00");
  EXPECT_FALSE(Quote(t, "acme-ground", "07114", "CA", "M5V", 2001));
}

TEST(RateTablesTest, DimensionalWeightRaisesBillableWeight) {
  RateTables t = MustParse(kAcme);
  // 20000 cm³ / 5000 cm³ per kg = 4 kg billable for a 500 g parcel.
  auto q = Quote(t, "acme-ground", "89502", "US", "10001", 500, 20000);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->billable_grams, 4000);
  EXPECT_EQ(q->price.ToString(), "10.00");
  // Heavier than its volume: actual weight counts.
  EXPECT_EQ(Quote(t, "acme-ground", "89502", "US", "10001", 4500, 20000)->billable_grams, 4500);
  // Rounded up to the gram.
  EXPECT_EQ(BillableGrams(1, 1, 5000), 1);
  EXPECT_EQ(BillableGrams(0, 6, 5000), 2);
  EXPECT_EQ(BillableGrams(100, 1'000'000, 0), 100);
}

TEST(RateTablesTest, ServiceMayOverrideDimDivisor) {
  RateTables t = MustParse(kAcme);
  EXPECT_EQ(t.FindService("acme-air")->dim_divisor, 6000);
  auto q = Quote(t, "acme-air", "89502", "US", "91001", 100, 12000);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->billable_grams, 2000);
}

TEST(RateTablesTest, PoundBracketsRoundDownToGrams) {
  RateTables t = MustParse(kAcme);
  // 1 lb = 453.59237 g: 453 g fits the 1 lb bracket, 454 g does not.
  EXPECT_EQ(Quote(t, "acme-air", "89502", "US", "91001", 453)->price.ToString(), "15.00");
  EXPECT_EQ(Quote(t, "acme-air", "89502", "US", "91001", 454)->price.ToString(), "20.00");
  // 10.5 lb = 4762.71988 g.
  EXPECT_TRUE(Quote(t, "acme-air", "89502", "US", "91001", 4762));
  EXPECT_FALSE(Quote(t, "acme-air", "89502", "US", "91001", 4763));
}

TEST(RateTablesTest, FindsServicesThatAlwaysBeatARow) {
  auto t = RateTables::Load({std::string(OP_TEST_DATA_DIR) + "/routing/acme.yaml"});
  ASSERT_TRUE(t.ok()) << t.status().message();
  const int west = t->OriginZone(0, "US", "89502");
  const int near = t->DestinationZone(0, "US", "89501");
  auto beaten_by = [&](std::string_view code) {
    return t->Row(*t->FindService(code), west, near)->cheaper_services;
  };
  EXPECT_THAT(beaten_by("acme-ground"), ::testing::IsEmpty());
  EXPECT_THAT(beaten_by("acme-express"), ::testing::ElementsAre(0));
  EXPECT_THAT(beaten_by("acme-overnight"), ::testing::ElementsAre(0, 1));
}

TEST(RateTablesTest, EqualRowsAreBeatenOnlyByTheEarlierService) {
  std::string yaml = Acme("  - code: acme-air", R"(  - code: acme-twin
    name: Acme Twin
    weights_kg: [1, 2, 5, 10]
    rates:
      "1": {days: 1, prices: [5.00, 6.00, 8.00, 12.00]}
  - code: acme-air)");
  RateTables t = MustParse(yaml);
  const int west = t.OriginZone(0, "US", "89502");
  const int near = t.DestinationZone(0, "US", "89501");
  EXPECT_THAT(t.Row(*t.FindService("acme-ground"), west, near)->cheaper_services,
              ::testing::IsEmpty());
  EXPECT_THAT(t.Row(*t.FindService("acme-twin"), west, near)->cheaper_services,
              ::testing::ElementsAre(0));
  // Air bills less dimensional weight (divisor 6000 > 5000): Ground may cost more, never beats it.
  EXPECT_THAT(t.Row(*t.FindService("acme-air"), west, near)->cheaper_services,
              ::testing::IsEmpty());
}

TEST(RateTablesTest, EmptyTablesHaveNoCurrencyAndNoServices) {
  RateTables t;
  EXPECT_FALSE(t.currency().valid());
  EXPECT_TRUE(t.services().empty());
}

// --- Errors --------------------------------------------------------------------------------------

TEST(RateTablesErrorTest, YamlSyntax) {
  std::string e = ErrorOf("carrier: [UPS\ncode: ups\n");
  EXPECT_THAT(e, StartsWith("acme.yaml:"));
  EXPECT_THAT(e, HasSubstr("end of sequence"));
}

TEST(RateTablesErrorTest, RootMustBeAMapping) {
  EXPECT_THAT(ErrorOf("- carrier: UPS\n"),
              StartsWith("acme.yaml:1:1: a rate table is a mapping with carrier"));
}

TEST(RateTablesErrorTest, UnknownKeySuggestsTheClosest) {
  std::string yaml = Acme("dim_divisor: 5000", "dim_divisr: 5000");
  EXPECT_EQ(ErrorOf(yaml), At(yaml, "dim_divisr") +
                               ": unknown key 'dim_divisr' in the rate table (expected carrier, "
                               "code, currency, dim_divisor, origin_zones, destination_zones, "
                               "zone_chart, services); did you mean 'dim_divisor'?");
}

TEST(RateTablesErrorTest, MissingRequiredKey) {
  EXPECT_EQ(ErrorOf(Acme("currency: USD\n", "")),
            "acme.yaml:1:1: the rate table has no 'currency'");
  std::string yaml = Acme("    name: Acme Air\n", "");
  EXPECT_EQ(ErrorOf(yaml), At(yaml, "code: acme-air") + ": service 'acme-air' has no 'name'");
}

TEST(RateTablesErrorTest, DuplicateKey) {
  std::string yaml = Acme("code: acme\n", "code: acme\ncode: acme2\n");
  EXPECT_EQ(ErrorOf(yaml), At(yaml, "code: acme2") + ": duplicate key 'code' in the rate table");
}

TEST(RateTablesErrorTest, UnknownCurrency) {
  std::string yaml = Acme("currency: USD", "currency: usd");
  EXPECT_EQ(ErrorOf(yaml),
            At(yaml, "usd") + ": unknown currency 'usd' (an ISO 4217 code such as USD)");
}

TEST(RateTablesErrorTest, CodesAreLowercase) {
  std::string yaml = Acme("code: acme-air", "code: Acme-Air");
  EXPECT_EQ(ErrorOf(yaml), At(yaml, "Acme-Air") +
                               ": service code 'Acme-Air' may only use lowercase letters, digits, "
                               "'-', '_' and '.'");
}

TEST(RateTablesErrorTest, DimDivisorIsAWholeNumber) {
  std::string yaml = Acme("dim_divisor: 5000", "dim_divisor: 5000.5");
  EXPECT_EQ(ErrorOf(yaml), At(yaml, "5000.5") +
                               ": dim_divisor must be a whole number from 0 to 1000000, got "
                               "'5000.5'");
}

TEST(RateTablesErrorTest, CountryIsTwoCapitalLetters) {
  std::string yaml = Acme("country: CA", "country: Canada");
  EXPECT_EQ(ErrorOf(yaml),
            At(yaml, "Canada") +
                ": country must be an ISO 3166 code of two capital letters, got 'Canada'");
}

TEST(RateTablesErrorTest, PostcodeRangeNeedsEqualLengths) {
  std::string yaml = Acme("90-96", "90-961");
  EXPECT_EQ(ErrorOf(yaml), At(yaml, "90-961") +
                               ": postcode range '90-961' needs two prefixes of the same length, "
                               "the lower first");
  yaml = Acme("90-96", "96-90");
  EXPECT_THAT(ErrorOf(yaml), StartsWith(At(yaml, "96-90") + ": postcode range"));
}

TEST(RateTablesErrorTest, PostcodeInTwoZonesAtOneLength) {
  std::string yaml = Acme("[900]", "[900, 95]");
  EXPECT_EQ(ErrorOf(yaml), At(yaml, "95]") +
                               ": postcode prefix 95 of US is in destination zone 'la' and "
                               "already in 'near-west' (line 9)");
}

TEST(RateTablesErrorTest, TwoWholeCountryZones) {
  std::string yaml = Acme("  canada:", "  us2: {country: US}\n  canada:");
  EXPECT_THAT(ErrorOf(yaml), StartsWith(At(yaml, "us2") + ": country US is in destination zone "
                                                          "'us2' and already in 'rest'"));
}

TEST(RateTablesErrorTest, ChartNamesUnknownOriginZone) {
  std::string yaml = Acme("  east:\n    \"2\"", "  easy:\n    \"2\"");
  EXPECT_EQ(ErrorOf(yaml), At(yaml, "easy") +
                               ": zone_chart names origin zone 'easy', which origin_zones does "
                               "not define; did you mean 'east'?");
}

TEST(RateTablesErrorTest, ChartNamesUnknownDestinationZone) {
  std::string yaml = Acme("[near-west]", "[near-wset]");
  EXPECT_EQ(ErrorOf(yaml), At(yaml, "near-wset") +
                               ": unknown destination zone 'near-wset'; did you mean "
                               "'near-west'?");
}

TEST(RateTablesErrorTest, DestinationInTwoPriceZonesOfOneOrigin) {
  std::string yaml = Acme("[la, rest]", "[la, rest, near-west]");
  EXPECT_EQ(ErrorOf(yaml), std::string("acme.yaml:16:21") +
                               ": destination zone 'near-west' is already in price zone '1' for "
                               "origin 'west' (line 15)");
}

TEST(RateTablesErrorTest, RatesNameUnknownPriceZone) {
  std::string yaml = Acme("      intl:", "      intel:");
  EXPECT_EQ(ErrorOf(yaml), At(yaml, "intel") +
                               ": price zone 'intel' is not used in zone_chart; did you mean "
                               "'intl'?");
}

TEST(RateTablesErrorTest, WeightsMustIncrease) {
  std::string yaml = Acme("[1, 2, 5, 10]", "[1, 2, 2, 10]");
  EXPECT_EQ(ErrorOf(yaml),
            At(yaml, "2, 10]") + ": weights_kg must increase, got 2 after a larger or equal one");
}

TEST(RateTablesErrorTest, WeightsArePositiveDecimals) {
  std::string yaml = Acme("[1, 2, 5, 10]", "[1, 2kg, 5, 10]");
  EXPECT_EQ(ErrorOf(yaml), At(yaml, "2kg") +
                               ": weights_kg must hold positive weights with at most 3 decimals "
                               "(0.25 = 250 g), got '2kg'");
}

TEST(RateTablesErrorTest, OneWeightUnitPerService) {
  std::string yaml = Acme("    weights_lb:", "    weights_kg: [1]\n    weights_lb:");
  EXPECT_EQ(ErrorOf(yaml), At(yaml, "weights_lb") +
                               ": service 'acme-air' has both weights_kg and weights_lb; keep one");
  yaml = Acme("    weights_lb: [1, 5, 10.5]\n", "");
  EXPECT_EQ(ErrorOf(yaml), At(yaml, "code: acme-air") +
                               ": service 'acme-air' has no weight brackets (weights_kg or "
                               "weights_lb)");
}

TEST(RateTablesErrorTest, MorePricesThanBrackets) {
  std::string yaml = Acme("[15.00, 20.00, 30.00]", "[15.00, 20.00, 30.00, 40.00]");
  EXPECT_EQ(ErrorOf(yaml), At(yaml, "[15.00") +
                               ": service 'acme-air' price zone '1' has 4 prices for 3 weight "
                               "brackets");
}

TEST(RateTablesErrorTest, PricesMustNotDecreaseWithWeight) {
  std::string yaml = Acme("[7.00, 8.00, 10.00, 15.00]", "[7.00, 8.00, 7.50, 15.00]");
  EXPECT_EQ(ErrorOf(yaml), At(yaml, "7.50") +
                               ": price 7.50 is lower than the lighter bracket's 8.00: prices "
                               "must not decrease as weight grows");
}

TEST(RateTablesErrorTest, PriceMustFitTheCurrency) {
  std::string yaml = Acme("[15.00, 20.00", "[15.001, 20.00");
  EXPECT_THAT(ErrorOf(yaml), StartsWith(At(yaml, "15.001") + ": price '15.001': "));
  yaml = Acme("[15.00, 20.00", "[-1.00, 20.00");
  EXPECT_EQ(ErrorOf(yaml), At(yaml, "-1.00") + ": price '-1.00' is negative");
}

TEST(RateTablesErrorTest, TransitDaysAreAWholeNumber) {
  std::string yaml = Acme("{days: 6,", "{days: six,");
  EXPECT_EQ(ErrorOf(yaml),
            At(yaml, "six") + ": days must be a whole number from 0 to 60, got 'six'");
}

TEST(RateTablesErrorTest, DuplicateServiceCodeInOneFile) {
  std::string yaml = Acme("code: acme-air", "code: acme-ground");
  EXPECT_EQ(ErrorOf(yaml), At(yaml, "acme-ground\n    name: Acme Air") +
                               ": service code 'acme-ground' is already used at acme.yaml:22");
}

TEST(RateTablesErrorTest, ReportsEveryError) {
  std::string yaml = Acme("currency: USD", "currency: XXX");
  yaml.replace(yaml.find("[1, 2, 5, 10]"), 13, "[1, 2, 2, 10]");
  std::string e = ErrorOf(yaml);
  EXPECT_THAT(e, HasSubstr(At(yaml, "XXX") + ": unknown currency 'XXX'"));
  EXPECT_THAT(e, HasSubstr("\n" + At(yaml, "2, 10]") + ": weights_kg must increase"));
}

// --- Loading files -------------------------------------------------------------------------------

constexpr std::string_view kZip = R"(carrier: Zip
code: zip
currency: USD
origin_zones:
  all: {country: US}
destination_zones:
  all: {country: US}
zone_chart:
  all: {"1": [all]}
services:
  - code: zip-saver
    name: Zip Saver
    weights_kg: [1]
    rates:
      "1": {days: 4, prices: [3.00]}
)";

TEST(RateTablesLoadTest, MergesCarrierFiles) {
  auto t = RateTables::Load({WriteFile("acme.yaml", kAcme), WriteFile("zip.yaml", kZip)});
  ASSERT_TRUE(t.ok()) << t.status().message();
  ASSERT_EQ(t->carriers().size(), 2u);
  ASSERT_EQ(t->services().size(), 3u);
  const Service* zip = t->FindService("zip-saver");
  ASSERT_NE(zip, nullptr);
  EXPECT_EQ(zip->carrier_index, 1);
  EXPECT_EQ(zip->index, 2);
  EXPECT_EQ(zip->dim_divisor, 0);
  auto q = t->QuoteFor(*zip, "US", "60601", "US", "10001", 1000, 1'000'000);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->price.ToString(), "3.00");
  EXPECT_EQ(q->billable_grams, 1000);  // no dim divisor
}

TEST(RateTablesLoadTest, DuplicateServiceCodeAcrossFiles) {
  std::string zip(kZip);
  zip.replace(zip.find("zip-saver"), 9, "acme-air");
  std::string acme_path = WriteFile("acme.yaml", kAcme);
  std::string zip_path = WriteFile("zip.yaml", zip);
  auto t = RateTables::Load({acme_path, zip_path});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(),
            zip_path + ":11:11: service code 'acme-air' is already used at " + acme_path + ":31");
  EXPECT_EQ(t.status().field(), zip_path);
}

TEST(RateTablesLoadTest, AllCarriersShareOneCurrency) {
  std::string zip(kZip);
  zip.replace(zip.find("USD"), 3, "EUR");
  std::string acme_path = WriteFile("acme.yaml", kAcme);
  std::string zip_path = WriteFile("zip.yaml", zip);
  auto t = RateTables::Load({acme_path, zip_path});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(), zip_path + ":3:11: currency EUR differs from USD of " +
                                      acme_path + ": all carriers must price in one currency");
}

TEST(RateTablesLoadTest, DuplicateCarrierCodeAcrossFiles) {
  std::string zip(kZip);
  zip.replace(zip.find("code: zip"), 9, "code: acme");
  auto t = RateTables::Load({WriteFile("acme.yaml", kAcme), WriteFile("zip.yaml", zip)});
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr(":2:7: carrier code 'acme' is already used at "));
}

TEST(RateTablesLoadTest, MissingFileIsNotFound) {
  auto t = RateTables::Load({"/nonexistent/ups.yaml"});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(t.status().message(), HasSubstr("/nonexistent/ups.yaml"));
}

// --- The demo shop's tables -------------------------------------------------------------------

std::string ExampleFile(const std::string& name) {
  return std::string(OP_TEST_DATA_DIR) + "/../../examples/carriers/" + name;
}

TEST(ExampleRateTablesTest, UpsAndUspsLoad) {
  auto t = RateTables::Load({ExampleFile("ups.yaml"), ExampleFile("usps.yaml")});
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->currency().code(), "USD");
  std::vector<std::string> codes;
  for (const Service& s : t->services()) codes.push_back(s.code);
  EXPECT_THAT(codes, ::testing::ElementsAre("ups-ground", "ups-3-day-select", "ups-2nd-day-air",
                                            "ups-next-day-air", "ups-worldwide-expedited",
                                            "ups-worldwide-saver", "usps-ground-advantage",
                                            "usps-priority-mail", "usps-priority-mail-express",
                                            "usps-priority-mail-intl"));
  // Reno → New York is zone 8 for UPS Ground: 1 lb, 5 business days.
  auto q = t->QuoteFor(*t->FindService("ups-ground"), "US", "89502", "US", "10001", 450, 0);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->price.ToString(), "13.90");
  EXPECT_EQ(q->transit_days, 5);
  // Every origin reaches every US region with every domestic service, and every country the
  // demo sells to with an international service of each carrier.
  for (const char* origin : {"89502", "07114", "75261"}) {
    for (const char* dest :
         {"10001", "07030", "33101", "37201", "48201", "60601", "64101", "70112", "78701", "80202",
          "85001", "89501", "94105", "98101", "96813", "99501"}) {
      for (const Service& s : t->services()) {
        if (s.code.find("intl") != std::string::npos ||
            s.code.find("worldwide") != std::string::npos)
          continue;
        EXPECT_TRUE(t->QuoteFor(s, "US", origin, "US", dest, 31'000, 0))
            << s.code << " " << origin << " → " << dest;
      }
    }
    for (auto [country, postcode] :
         {std::pair{"CA", "K1A 0B1"}, std::pair{"GB", "SW1A 1AA"}, std::pair{"DE", "10115"},
          std::pair{"FR", "75001"}, std::pair{"JP", "100-0001"}, std::pair{"AU", "2000"}}) {
      for (const char* service :
           {"usps-priority-mail-intl", "ups-worldwide-expedited", "ups-worldwide-saver"}) {
        EXPECT_TRUE(
            t->QuoteFor(*t->FindService(service), "US", origin, country, postcode, 10'000, 0))
            << service << " " << origin << " → " << country;
      }
    }
  }
}

TEST(ExampleRateTablesTest, DocumentationExampleParses) {
  std::ifstream in(std::string(OP_TEST_DATA_DIR) + "/../../docs/rate-tables.md");
  std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t begin = doc.find("```yaml\n");
  ASSERT_NE(begin, std::string::npos);
  const size_t end = doc.find("```", begin + 8);
  auto t = RateTables::Parse(doc.substr(begin + 8, end - begin - 8), "rate-tables.md");
  ASSERT_TRUE(t.ok()) << t.status().message();
  auto q = t->QuoteFor(*t->FindService("ups-ground"), "US", "07114", "US", "94105", 900,
                       0);  // 2 lb bracket
  ASSERT_TRUE(q);
  EXPECT_EQ(q->price.ToString(), "16.34");
  EXPECT_EQ(q->transit_days, 5);
}

}  // namespace
}  // namespace orderpilot::routing
