#include "risk/signals.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "risk/history.h"
#include "risk/ip_country.h"

namespace orderpilot::risk {
namespace {

constexpr int64_t kSecond = 1000000;
constexpr int64_t kT0 = int64_t{1700000000} * kSecond;  // 2023-11-14T22:13:20Z

Currency Usd() { return *Currency::Parse("USD"); }

Address MakeAddress(std::string first, std::string last, std::string country, std::string zip,
                    std::string address1 = "1 Main St") {
  Address a;
  a.first_name = std::move(first);
  a.last_name = std::move(last);
  a.country_code = std::move(country);
  a.zip = std::move(zip);
  a.address1 = std::move(address1);
  return a;
}

// A plain, clean order: a returning US customer, matching addresses, no client details.
Order CleanOrder(int64_t total_minor = 5000) {
  Order o;
  o.shop = "shop";
  o.currency = Usd();
  o.created_at = Timestamp{kT0};
  o.email = "jane.smith@example.com";
  o.customer.channel_customer_id = "42";
  o.customer.orders_count = 4;
  o.customer.created_at = Timestamp{kT0 - 400 * 86400 * kSecond};
  o.billing_address = MakeAddress("Jane", "Smith", "US", "40202");
  o.shipping_address = MakeAddress("Jane", "Smith", "US", "40202");
  LineItem line;
  line.sku = "MUG";
  line.quantity = 1;
  line.unit_price = Money(total_minor, Usd());
  o.line_items.push_back(line);
  o.totals.total = Money(total_minor, Usd());
  return o;
}

float Get(const SignalVector& v, Signal s) { return v[static_cast<size_t>(s)]; }

SignalVector Compute(const Order& o, const SignalConfig& config = {}) {
  return ComputeSignals(o, HistoryView{}, config);
}

TEST(SignalNamesTest, EverySignalHasAUniqueSnakeCaseNameThatParsesBack) {
  std::set<std::string> seen;
  for (size_t i = 0; i < kSignalCount; ++i) {
    const auto s = static_cast<Signal>(i);
    const std::string name(SignalName(s));
    EXPECT_TRUE(seen.insert(name).second) << name;
    for (char c : name) EXPECT_TRUE(std::islower(c) || std::isdigit(c) || c == '_') << name;
    EXPECT_EQ(ParseSignal(name), s);
  }
  EXPECT_EQ(kSignalCount, 37u);
  EXPECT_FALSE(ParseSignal("no_such_signal"));
  EXPECT_EQ(SignalName(Signal::kAccountAgeS), "account_age_s");
  EXPECT_EQ(SignalName(Signal::kVelocityDevice1h), "velocity_device_1h");
}

TEST(SignalNamesTest, VelocitySignalsMapToTheirKeyAndWindow) {
  for (int k = 0; k < kKeyKindCount; ++k) {
    for (int w = 0; w < kWindowCount; ++w) {
      const Signal s = VelocitySignal(static_cast<KeyKind>(k), static_cast<Window>(w));
      EXPECT_EQ(SignalName(s), "velocity_" + std::string(KeyKindName(static_cast<KeyKind>(k))) +
                                   "_" + std::string(WindowName(static_cast<Window>(w))));
      ASSERT_TRUE(VelocityOf(s));
      EXPECT_EQ(static_cast<int>(VelocityOf(s)->first), k);
      EXPECT_EQ(static_cast<int>(VelocityOf(s)->second), w);
    }
  }
  EXPECT_FALSE(VelocityOf(Signal::kOrderValue));
  EXPECT_FALSE(VelocityOf(Signal::kMaxUnitsOneSku));
}

TEST(ValueSignalsTest, OrderValueIsInMajorUnitsOfTheCurrency) {
  Order o = CleanOrder(12345);
  EXPECT_FLOAT_EQ(Get(Compute(o), Signal::kOrderValue), 123.45f);
  o.currency = *Currency::Parse("JPY");
  o.totals.total = Money(5000, o.currency);
  EXPECT_FLOAT_EQ(Get(Compute(o), Signal::kOrderValue), 5000.f);
}

TEST(ValueSignalsTest, ValueAgainstTheCustomersMeanEarlierOrder) {
  RiskHistory history;
  Order first = CleanOrder(1000);
  Order second = CleanOrder(3000);
  second.created_at = Timestamp{kT0 + 60 * kSecond};
  Order third = CleanOrder(6000);
  third.created_at = Timestamp{kT0 + 120 * kSecond};
  const SignalVector v1 = ComputeSignals(first, history.Observe(first, 1), {});
  EXPECT_TRUE(std::isnan(Get(v1, Signal::kValueVsCustomer)));  // no history yet
  history.Observe(second, 2);
  const SignalVector v3 = ComputeSignals(third, history.Observe(third, 3), {});
  EXPECT_FLOAT_EQ(Get(v3, Signal::kValueVsCustomer), 3.0f);  // 60 / mean(10, 30)
}

TEST(ValueSignalsTest, ValueAgainstTheShopNeedsTwentyEarlierOrders) {
  RiskHistory history;
  for (int i = 0; i < 19; ++i) {
    Order o = CleanOrder(1000);
    o.customer.channel_customer_id = "c" + std::to_string(i);
    o.created_at = Timestamp{kT0 + i * kSecond};
    history.Observe(o, static_cast<uint64_t>(i));
  }
  Order twentieth = CleanOrder(1000);
  twentieth.created_at = Timestamp{kT0 + 30 * kSecond};
  EXPECT_TRUE(std::isnan(
      Get(ComputeSignals(twentieth, history.Observe(twentieth, 100), {}), Signal::kValueVsShop)));
  Order big = CleanOrder(6200);
  big.created_at = Timestamp{kT0 + 40 * kSecond};
  EXPECT_FLOAT_EQ(Get(ComputeSignals(big, history.Observe(big, 101), {}), Signal::kValueVsShop),
                  6.2f);
  // Another currency is another shop average.
  Order euros = CleanOrder(6200);
  euros.currency = *Currency::Parse("EUR");
  euros.totals.total = Money(6200, euros.currency);
  EXPECT_TRUE(std::isnan(
      Get(ComputeSignals(euros, history.Observe(euros, 102), {}), Signal::kValueVsShop)));
}

TEST(AccountSignalsTest, AccountAgeIsSecondsFromSignupToOrder) {
  Order o = CleanOrder();
  o.customer.created_at = Timestamp{kT0 - 4 * kSecond};
  EXPECT_FLOAT_EQ(Get(Compute(o), Signal::kAccountAgeS), 4.f);
  o.customer.created_at = Timestamp{kT0 + 10 * kSecond};  // clock skew: never negative
  EXPECT_FLOAT_EQ(Get(Compute(o), Signal::kAccountAgeS), 0.f);
  o.customer.created_at.reset();
  EXPECT_TRUE(std::isnan(Get(Compute(o), Signal::kAccountAgeS)));
}

TEST(AccountSignalsTest, CustomerOrdersTakesTheChannelCountOrTheHistory) {
  Order o = CleanOrder();
  o.customer.orders_count = 5;  // the channel counts this order too
  SignalVector v = Compute(o);
  EXPECT_EQ(Get(v, Signal::kCustomerOrders), 4.f);
  EXPECT_EQ(Get(v, Signal::kFirstOrder), 0.f);

  o.customer.orders_count = 0;
  v = Compute(o);
  EXPECT_EQ(Get(v, Signal::kCustomerOrders), 0.f);
  EXPECT_EQ(Get(v, Signal::kFirstOrder), 1.f);

  HistoryView seen_before;
  seen_before.has_customer = true;
  seen_before.customer_orders = 2;
  seen_before.customer_total_minor = 4000;
  v = ComputeSignals(o, seen_before, {});
  EXPECT_EQ(Get(v, Signal::kCustomerOrders), 2.f);
  EXPECT_EQ(Get(v, Signal::kFirstOrder), 0.f);
}

TEST(AddressSignalsTest, BillingAndShippingMismatchesAndUnknowns) {
  Order o = CleanOrder();
  SignalVector v = Compute(o);
  EXPECT_EQ(Get(v, Signal::kBillingShippingCountryMismatch), 0.f);
  EXPECT_EQ(Get(v, Signal::kBillingShippingPostcodeMismatch), 0.f);
  EXPECT_EQ(Get(v, Signal::kBillingShippingNameMismatch), 0.f);

  o.billing_address = MakeAddress("J.", "smith", "gb", "sw1a 1aa");
  o.shipping_address = MakeAddress("Jane", "Smith", "GB", "SW1A1AA");
  v = Compute(o);
  EXPECT_EQ(Get(v, Signal::kBillingShippingCountryMismatch), 0.f);   // case ignored
  EXPECT_EQ(Get(v, Signal::kBillingShippingPostcodeMismatch), 0.f);  // spaces ignored
  EXPECT_EQ(Get(v, Signal::kBillingShippingNameMismatch), 0.f);      // an initial matches

  o.shipping_address = MakeAddress("Boris", "Ivanov", "RU", "101000");
  v = Compute(o);
  EXPECT_EQ(Get(v, Signal::kBillingShippingCountryMismatch), 1.f);
  EXPECT_EQ(Get(v, Signal::kBillingShippingPostcodeMismatch), 1.f);
  EXPECT_EQ(Get(v, Signal::kBillingShippingNameMismatch), 1.f);

  o.billing_address.reset();
  v = Compute(o);
  EXPECT_TRUE(std::isnan(Get(v, Signal::kBillingShippingCountryMismatch)));
  EXPECT_TRUE(std::isnan(Get(v, Signal::kBillingShippingPostcodeMismatch)));
  EXPECT_TRUE(std::isnan(Get(v, Signal::kBillingShippingNameMismatch)));
}

TEST(AddressSignalsTest, NamesMatchSwappedAndRefuseDifferentPeople) {
  const Address a = MakeAddress("Jane", "Smith", "US", "1");
  EXPECT_EQ(NamesMatch(a, MakeAddress("SMITH", "Jane", "US", "1")), true);
  EXPECT_EQ(NamesMatch(a, MakeAddress("John", "Smith", "US", "1")), false);
  EXPECT_EQ(NamesMatch(a, MakeAddress("", "Smith", "US", "1")), true);
  EXPECT_EQ(NamesMatch(a, MakeAddress("Jane", "", "US", "1")), std::nullopt);
}

class IpSignalsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("signals_ip_" + std::to_string(::getpid()) + ".csv"))
                .string();
    std::ofstream(path_) << "1.0.0.0,1.0.0.255,AU\n5.0.0.0,5.0.0.255,DE\n8.8.8.0,8.8.8.255,US\n";
    auto table = IpCountryTable::Open(path_);
    ASSERT_TRUE(table.ok()) << table.status().ToString();
    table_ = std::move(table).value();
    config_.ip_countries = table_.get();
  }
  void TearDown() override { std::filesystem::remove(path_); }

  std::string path_;
  std::unique_ptr<IpCountryTable> table_;
  SignalConfig config_;
};

TEST_F(IpSignalsTest, IpInTheShippingCountryIsNoMismatchAtZeroKm) {
  Order o = CleanOrder();
  o.client.browser_ip = "8.8.8.8";
  const SignalVector v = Compute(o, config_);
  EXPECT_EQ(Get(v, Signal::kIpCountryMismatch), 0.f);
  EXPECT_EQ(Get(v, Signal::kIpDistanceKm), 0.f);
}

TEST_F(IpSignalsTest, IpInAnotherCountryGivesTheDistanceBetweenCentroids) {
  Order o = CleanOrder();
  o.client.browser_ip = "1.0.0.7";  // AU, shipping to the US
  const SignalVector v = Compute(o, config_);
  EXPECT_EQ(Get(v, Signal::kIpCountryMismatch), 1.f);
  EXPECT_GT(Get(v, Signal::kIpDistanceKm), 12000.f);
  EXPECT_LT(Get(v, Signal::kIpDistanceKm), 16000.f);
  o.shipping_address.reset();  // falls back to the billing country
  EXPECT_EQ(Get(Compute(o, config_), Signal::kIpCountryMismatch), 1.f);
}

TEST_F(IpSignalsTest, UnknownWithoutTableIpOrKnownCountry) {
  Order o = CleanOrder();
  o.client.browser_ip = "8.8.8.8";
  EXPECT_TRUE(std::isnan(Get(Compute(o), Signal::kIpCountryMismatch)));  // no table
  o.client.browser_ip = "9.9.9.9";                                       // not in the table
  EXPECT_TRUE(std::isnan(Get(Compute(o, config_), Signal::kIpCountryMismatch)));
  EXPECT_TRUE(std::isnan(Get(Compute(o, config_), Signal::kIpDistanceKm)));
  o.client.browser_ip = "";
  EXPECT_TRUE(std::isnan(Get(Compute(o, config_), Signal::kIpCountryMismatch)));
}

TEST(EmailSignalsTest, DisposableDomainAndRandomLocalPart) {
  Order o = CleanOrder();
  SignalVector v = Compute(o);
  EXPECT_EQ(Get(v, Signal::kEmailDisposable), 0.f);
  EXPECT_LT(Get(v, Signal::kEmailRandomness), 0.2f);
  o.email = "XK7QZ9V2PL@Mailinator.com";
  v = Compute(o);
  EXPECT_EQ(Get(v, Signal::kEmailDisposable), 1.f);
  EXPECT_GT(Get(v, Signal::kEmailRandomness), 0.7f);
  o.email = "";
  o.customer.email = "someone@yopmail.com";  // the customer's email when the order has none
  EXPECT_EQ(Get(Compute(o), Signal::kEmailDisposable), 1.f);
  o.customer.email = "";
  v = Compute(o);
  EXPECT_TRUE(std::isnan(Get(v, Signal::kEmailDisposable)));
  EXPECT_TRUE(std::isnan(Get(v, Signal::kEmailRandomness)));
}

TEST(FormatSignalsTest, PhoneAndPostcodeFormatsByCountry) {
  Order o = CleanOrder();
  o.phone = "+1 (502) 555-0123";
  SignalVector v = Compute(o);
  EXPECT_EQ(Get(v, Signal::kPhoneFormatBad), 0.f);
  EXPECT_EQ(Get(v, Signal::kPostcodeFormatBad), 0.f);

  o.phone = "555-01";
  o.shipping_address->zip = "4020";
  v = Compute(o);
  EXPECT_EQ(Get(v, Signal::kPhoneFormatBad), 1.f);
  EXPECT_EQ(Get(v, Signal::kPostcodeFormatBad), 1.f);

  o.phone = "";
  o.shipping_address = MakeAddress("Jane", "Smith", "HK", "");  // no postcodes in Hong Kong
  o.billing_address = o.shipping_address;
  v = Compute(o);
  EXPECT_TRUE(std::isnan(Get(v, Signal::kPhoneFormatBad)));     // no phone
  EXPECT_TRUE(std::isnan(Get(v, Signal::kPostcodeFormatBad)));  // no rule
}

TEST(PaymentSignalsTest, AvsAndCvvResultCodes) {
  Order o = CleanOrder();
  auto avs = [&](std::string code) {
    o.payment.avs_result_code = std::move(code);
    return Get(Compute(o), Signal::kAvsMismatch);
  };
  EXPECT_EQ(avs("Y"), 0.f);
  EXPECT_EQ(avs("x"), 0.f);
  EXPECT_EQ(avs("A"), 0.5f);
  EXPECT_EQ(avs("Z"), 0.5f);
  EXPECT_EQ(avs("N"), 1.f);
  EXPECT_TRUE(std::isnan(avs("U")));
  EXPECT_TRUE(std::isnan(avs("R")));
  EXPECT_TRUE(std::isnan(avs("")));
  auto cvv = [&](std::string code) {
    o.payment.cvv_result_code = std::move(code);
    return Get(Compute(o), Signal::kCvvMismatch);
  };
  EXPECT_EQ(cvv("M"), 0.f);
  EXPECT_EQ(cvv("N"), 1.f);
  EXPECT_TRUE(std::isnan(cvv("P")));
  EXPECT_TRUE(std::isnan(cvv("")));
}

TEST(PaymentSignalsTest, FailedPaymentsBeforeSuccess) {
  Order o = CleanOrder();
  EXPECT_EQ(Get(Compute(o), Signal::kFailedPayments), 0.f);
  o.payment.failed_attempts = 3;
  EXPECT_EQ(Get(Compute(o), Signal::kFailedPayments), 3.f);
}

TEST(VelocitySignalsTest, CopiedFromTheHistoryViewAndNanWithoutAKey) {
  RiskHistory history;
  Order o = CleanOrder();
  o.client.session_hash = "dev-1";
  for (int i = 0; i < 6; ++i) {
    Order earlier = o;
    earlier.created_at = Timestamp{kT0 - (50 - i) * 60 * kSecond};  // 50..45 min ago
    history.Observe(earlier, static_cast<uint64_t>(i));
  }
  const SignalVector v = ComputeSignals(o, history.Observe(o, 99), {});
  EXPECT_EQ(Get(v, Signal::kVelocityDevice10m), 1.f);
  EXPECT_EQ(Get(v, Signal::kVelocityDevice1h), 7.f);
  EXPECT_EQ(Get(v, Signal::kVelocityDevice24h), 7.f);
  EXPECT_EQ(Get(v, Signal::kVelocityEmail1h), 7.f);
  EXPECT_EQ(Get(v, Signal::kVelocityAddress1h), 7.f);
  EXPECT_TRUE(std::isnan(Get(v, Signal::kVelocityIp1h)));    // no IP
  EXPECT_TRUE(std::isnan(Get(v, Signal::kVelocityBin10m)));  // no card BIN
}

TEST(ItemSignalsTest, MostUnitsOfOneSkuAndHighRiskUnits) {
  Order o = CleanOrder();
  LineItem a;
  a.sku = "GIFTCARD-100";
  a.quantity = 3;
  LineItem b = a;
  b.quantity = 4;  // the same SKU on two lines adds up
  LineItem c;
  c.sku = "SOCKS";
  c.quantity = 5;
  o.line_items = {a, b, c};
  SignalConfig config;
  config.high_risk_skus = {"GIFTCARD-100", "PHONE-X"};
  const SignalVector v = Compute(o, config);
  EXPECT_EQ(Get(v, Signal::kMaxUnitsOneSku), 7.f);
  EXPECT_EQ(Get(v, Signal::kHighRiskSkuUnits), 7.f);
  EXPECT_EQ(Get(Compute(o), Signal::kHighRiskSkuUnits), 0.f);
}

TEST(ShippingSignalsTest, ExpressShippingIsRecognisedByCodeOrTitle) {
  auto line = [](std::string code, std::string title) {
    ShippingLine l;
    l.code = std::move(code);
    l.title = std::move(title);
    return l;
  };
  EXPECT_TRUE(IsExpressShipping(line("FEDEX_EXPRESS_SAVER", "")));
  EXPECT_TRUE(IsExpressShipping(line("", "Overnight")));
  EXPECT_TRUE(IsExpressShipping(line("ups_next_day_air", "")));
  EXPECT_TRUE(IsExpressShipping(line("", "USPS Priority Mail")));
  EXPECT_TRUE(IsExpressShipping(line("", "2-Day Shipping")));
  EXPECT_TRUE(IsExpressShipping(line("", "UPS 2nd Day Air")));
  EXPECT_FALSE(IsExpressShipping(line("Standard", "Standard Shipping")));
  EXPECT_FALSE(IsExpressShipping(line("ground", "5-7 days")));
}

TEST(ShippingSignalsTest, ForwardersByConfigAndByBuiltInHeuristics) {
  const std::vector<ForwarderAddress> none;
  Address a = MakeAddress("Jane", "Smith", "US", "19720", "4 Larch Dr Ste 12345");
  EXPECT_FALSE(IsForwarderAddress(a, none));
  EXPECT_TRUE(IsForwarderAddress(a, {{"us", "197", "larch dr"}}));
  EXPECT_FALSE(IsForwarderAddress(a, {{"US", "198", ""}}));
  EXPECT_FALSE(IsForwarderAddress(a, {{"", "", ""}}));  // an empty entry matches nothing

  a.company = "MyUS.com";
  EXPECT_TRUE(IsForwarderAddress(a, none));
  a.company = "";
  a.address2 = "c/o Parcel Forward Inc";
  EXPECT_TRUE(IsForwarderAddress(a, none));
  a.address2 = "Reshipper unit 4";
  EXPECT_TRUE(IsForwarderAddress(a, none));
  a.address2 = "Shop & Ship";
  EXPECT_TRUE(IsForwarderAddress(a, none));
  a.address2 = "Flat 3, Forwood Court";  // not a word starting "forward"
  EXPECT_FALSE(IsForwarderAddress(a, none));
}

TEST(ShippingSignalsTest, ExpressToForwarderAndExpressMismatch) {
  Order o = CleanOrder();
  ShippingLine express;
  express.title = "Express";
  SignalVector v = Compute(o);
  EXPECT_EQ(Get(v, Signal::kExpressToForwarder), 0.f);
  EXPECT_EQ(Get(v, Signal::kExpressMismatch), 0.f);

  o.shipping_lines = {express};
  o.shipping_address->company = "Shipito";
  v = Compute(o);
  EXPECT_EQ(Get(v, Signal::kExpressToForwarder), 1.f);
  EXPECT_EQ(Get(v, Signal::kExpressMismatch), 0.f);  // same country and postcode

  o.shipping_address->zip = "19720";
  EXPECT_EQ(Get(Compute(o), Signal::kExpressMismatch), 1.f);
  o.billing_address.reset();
  EXPECT_TRUE(std::isnan(Get(Compute(o), Signal::kExpressMismatch)));  // cannot compare

  o.shipping_lines.clear();  // not express: no express signal, whatever the address
  v = Compute(o);
  EXPECT_EQ(Get(v, Signal::kExpressToForwarder), 0.f);
  EXPECT_EQ(Get(v, Signal::kExpressMismatch), 0.f);
}

}  // namespace
}  // namespace orderpilot::risk
