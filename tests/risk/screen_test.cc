#include "risk/screen.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace orderpilot::risk {
namespace {

constexpr int64_t kSecond = 1000000;
constexpr int64_t kT0 = int64_t{1700000000} * kSecond;  // 2023-11-14T22:13:20Z

Currency Usd() { return *Currency::Parse("USD"); }

// A first order, 4 s after its account was created, from a device seen before.
Order FreshAccountOrder(const std::string& email, int64_t at) {
  Order o;
  o.shop = "shop";
  o.currency = Usd();
  o.created_at = Timestamp{at};
  o.email = email;
  o.customer.email = email;
  o.customer.created_at = Timestamp{at - 4 * kSecond};
  o.client.session_hash = "device-1";
  Address a;
  a.first_name = "Jane";
  a.last_name = "Smith";
  a.country_code = "US";
  a.zip = "40202";
  a.address1 = "1 Main St";
  o.billing_address = a;
  o.shipping_address = a;
  LineItem line;
  line.sku = "MUG";
  line.quantity = 1;
  line.unit_price = Money(2500, Usd());
  o.line_items.push_back(line);
  o.totals.total = Money(2500, Usd());
  return o;
}

std::unique_ptr<RiskScreen> WeightedScreen() {
  auto screen = RiskScreen::Create(SignalConfig{}, nullptr);
  EXPECT_TRUE(screen.ok()) << screen.status().ToString();
  return std::move(screen).value();
}

TEST(RiskScreenTest, WeightedScreenSaysSoInEveryExplanation) {
  auto screen = WeightedScreen();
  EXPECT_FALSE(screen->has_model());
  EXPECT_EQ(screen->Describe(), "weighted signals (no trained model)");
  RiskAssessment a;
  screen->Assess(FreshAccountOrder("a@example.com", kT0), 1, a);
  EXPECT_FALSE(a.model);
  EXPECT_GT(a.score, 0);
  EXPECT_LT(a.score, 1);
  EXPECT_NE(AssessmentSummary(a).find("(weighted signals, no model)"), std::string::npos)
      << AssessmentSummary(a);
  EXPECT_NE(AssessmentJson(a).find("no trained model is configured"), std::string::npos);
}

TEST(RiskScreenTest, TheEventListsNonZeroSignalsWithNullForUnknownOnes) {
  auto screen = WeightedScreen();
  RiskAssessment a;
  screen->Assess(FreshAccountOrder("b@example.com", kT0), 1, a);
  const std::string json = AssessmentJson(a);
  // 4 s after signup, first order, one order from this device in the window.
  EXPECT_NE(json.find(R"("account_age_s":4)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("first_order":1)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("velocity_device_1h":1)"), std::string::npos) << json;
  // No IP table: unknown, not 0.
  EXPECT_NE(json.find(R"("ip_country_mismatch":null)"), std::string::npos) << json;
  // Signals that are 0 are left out: matching addresses, no failed payments.
  EXPECT_EQ(json.find("billing_shipping_country_mismatch"), std::string::npos) << json;
  EXPECT_EQ(json.find("failed_payments"), std::string::npos) << json;
  // The top reason names the quick signup in words.
  EXPECT_NE(json.find("after the account was created"), std::string::npos) << json;
}

TEST(RiskScreenTest, AssessingTheSameOrderAgainDoesNotCountItTwice) {
  auto screen = WeightedScreen();
  RiskAssessment first, again, other;
  screen->Assess(FreshAccountOrder("c@example.com", kT0), 7, first);
  screen->Assess(FreshAccountOrder("c@example.com", kT0), 7, again);  // a retried step
  EXPECT_EQ(again.signals[static_cast<size_t>(Signal::kVelocityDevice1h)], 1);
  EXPECT_EQ(again.score, first.score);
  // A different order from the same device is counted.
  screen->Assess(FreshAccountOrder("d@example.com", kT0 + 60 * kSecond), 8, other);
  EXPECT_EQ(other.signals[static_cast<size_t>(Signal::kVelocityDevice1h)], 2);
}

TEST(RiskScreenTest, RememberedOrdersCountForLaterOnes) {
  auto screen = WeightedScreen();
  for (int i = 0; i < 5; ++i) {
    screen->Remember(
        FreshAccountOrder("e" + std::to_string(i) + "@example.com", kT0 + i * 60 * kSecond),
        100 + static_cast<uint64_t>(i));
  }
  RiskAssessment a;
  screen->Assess(FreshAccountOrder("f@example.com", kT0 + 6 * 60 * kSecond), 200, a);
  EXPECT_EQ(a.signals[static_cast<size_t>(Signal::kVelocityDevice10m)], 6);
  EXPECT_NE(AssessmentSummary(a).find("from this device"), std::string::npos)
      << AssessmentSummary(a);
}

}  // namespace
}  // namespace orderpilot::risk
