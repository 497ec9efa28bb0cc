#include "risk/explain.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>

namespace orderpilot::risk {
namespace {

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();

SignalVector AllUnknown() {
  SignalVector v;
  v.fill(kNan);
  return v;
}

void Set(SignalVector& v, std::array<double, kSignalCount>& c, Signal s, float value,
         double contribution) {
  v[static_cast<size_t>(s)] = value;
  c[static_cast<size_t>(s)] = contribution;
}

TEST(ReasonTextTest, TheIssuesExamplesWordForWord) {
  EXPECT_EQ(ReasonText(Signal::kAccountAgeS, 4), "ordered 4 s after the account was created");
  EXPECT_EQ(ReasonText(Signal::kVelocityDevice1h, 7), "7 orders from this device in the last hour");
  EXPECT_EQ(ReasonText(Signal::kBillingShippingCountryMismatch, 1),
            "billing country differs from shipping country");
  EXPECT_EQ(ReasonText(Signal::kValueVsShop, 6.2f), "order value is 6.2× the shop's average");
  EXPECT_EQ(ReasonText(Signal::kCvvMismatch, 1), "card security code (CVV) did not match");
  EXPECT_EQ(ReasonText(Signal::kFailedPayments, 3), "3 failed payments before this one");
  EXPECT_EQ(ReasonText(Signal::kEmailDisposable, 1), "email domain is a disposable mail service");
  EXPECT_EQ(ReasonText(Signal::kIpDistanceKm, 8417),
            "IP address is in another country, 8,400 km from the shipping address");
}

TEST(ReasonTextTest, EverySignalHasAPhraseAndNanSaysUnknown) {
  for (size_t i = 0; i < kSignalCount; ++i) {
    const auto s = static_cast<Signal>(i);
    EXPECT_FALSE(ReasonText(s, 1).empty());
    EXPECT_NE(ReasonText(s, 1), SignalName(s)) << "no phrase for " << SignalName(s);
    EXPECT_EQ(ReasonText(s, kNan), std::string(SignalName(s)) + " is unknown");
  }
}

TEST(ReasonTextTest, CountsAgreeInNumberAndWindowsReadNaturally) {
  EXPECT_EQ(ReasonText(Signal::kFailedPayments, 1), "1 failed payment before this one");
  EXPECT_EQ(ReasonText(Signal::kVelocityEmail10m, 1),
            "1 order with this email address in the last 10 min");
  EXPECT_EQ(ReasonText(Signal::kVelocityIp24h, 1234),
            "1,234 orders from this IP address in the last 24 h");
  EXPECT_EQ(ReasonText(Signal::kVelocityAddress1h, 3),
            "3 orders to this shipping address in the last hour");
  EXPECT_EQ(ReasonText(Signal::kVelocityBin10m, 5),
            "5 orders with this card BIN in the last 10 min");
  EXPECT_EQ(ReasonText(Signal::kMaxUnitsOneSku, 40), "40 units of one SKU");
  EXPECT_EQ(ReasonText(Signal::kHighRiskSkuUnits, 1), "1 unit of a high-risk SKU");
  EXPECT_EQ(ReasonText(Signal::kAvsMismatch, 0.5f),
            "billing address only partly matched the card (AVS)");
  EXPECT_EQ(ReasonText(Signal::kAvsMismatch, 1), "billing address did not match the card (AVS)");
  EXPECT_EQ(ReasonText(Signal::kValueVsCustomer, 12.4f),
            "order value is 12× the customer's average");
  EXPECT_EQ(ReasonText(Signal::kOrderValue, 1234.5f), "order value is 1,234.50");
  EXPECT_EQ(ReasonText(Signal::kExpressToForwarder, 1), "express shipping to a freight forwarder");
}

TEST(ReasonTextTest, HumaneDurations) {
  EXPECT_EQ(HumaneDuration(4), "4 s");
  EXPECT_EQ(HumaneDuration(59.4), "59 s");
  EXPECT_EQ(HumaneDuration(59.6), "1 min");
  EXPECT_EQ(HumaneDuration(12 * 60 + 10), "12 min");
  EXPECT_EQ(HumaneDuration(3 * 3600 + 100), "3 h");
  EXPECT_EQ(HumaneDuration(47 * 3600), "47 h");
  EXPECT_EQ(HumaneDuration(2 * 86400 + 3600), "2 days");
  EXPECT_EQ(HumaneDuration(400 * 86400), "400 days");
  EXPECT_EQ(HumaneDuration(-5), "0 s");
}

TEST(TopReasonsTest, LargestPositiveContributionsFirst) {
  SignalVector v = AllUnknown();
  std::array<double, kSignalCount> c{};
  Set(v, c, Signal::kAccountAgeS, 4, 2.3);
  Set(v, c, Signal::kCvvMismatch, 1, 2.2);
  Set(v, c, Signal::kFailedPayments, 3, 1.2);
  Set(v, c, Signal::kFirstOrder, 1, 0.3);
  Set(v, c, Signal::kCustomerOrders, 0, -0.1);
  const std::vector<Reason> r = TopReasons(v, c);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].signal, Signal::kAccountAgeS);
  EXPECT_EQ(r[0].text, "ordered 4 s after the account was created");
  EXPECT_DOUBLE_EQ(r[0].contribution, 2.3);
  EXPECT_EQ(r[0].value, 4.f);
  EXPECT_EQ(r[1].signal, Signal::kCvvMismatch);
  EXPECT_EQ(r[2].text, "3 failed payments before this one");
}

TEST(TopReasonsTest, SkipsNanSignalsAndNegativeOrZeroContributions) {
  SignalVector v = AllUnknown();
  std::array<double, kSignalCount> c{};
  c[static_cast<size_t>(Signal::kCvvMismatch)] = 5.0;  // value unknown: never a reason
  Set(v, c, Signal::kCustomerOrders, 12, -0.8);
  Set(v, c, Signal::kBillingShippingNameMismatch, 0, 0.0);
  Set(v, c, Signal::kEmailDisposable, 1, 1.8);
  const std::vector<Reason> r = TopReasons(v, c);
  ASSERT_EQ(r.size(), 1u);  // fewer than 3 push the score up
  EXPECT_EQ(r[0].signal, Signal::kEmailDisposable);
  EXPECT_TRUE(TopReasons(AllUnknown(), std::array<double, kSignalCount>{}).empty());
  EXPECT_EQ(TopReasons(v, c, 0).size(), 0u);
}

TEST(TopReasonsTest, OneReasonPerVelocityKeyWithTheStrongestWindow) {
  SignalVector v = AllUnknown();
  std::array<double, kSignalCount> c{};
  Set(v, c, Signal::kVelocityDevice10m, 7, 1.2);
  Set(v, c, Signal::kVelocityDevice1h, 7, 1.0);
  Set(v, c, Signal::kVelocityDevice24h, 9, 0.7);
  Set(v, c, Signal::kBillingShippingCountryMismatch, 1, 2.0);
  Set(v, c, Signal::kVelocityIp1h, 3, 0.4);
  const std::vector<Reason> r = TopReasons(v, c);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].signal, Signal::kVelocityDevice10m);  // 1.2 + 1.0 + 0.7 = 2.9
  EXPECT_NEAR(r[0].contribution, 2.9, 1e-9);
  EXPECT_EQ(r[0].text, "7 orders from this device in the last 10 min");
  EXPECT_EQ(r[1].signal, Signal::kBillingShippingCountryMismatch);
  EXPECT_EQ(r[2].signal, Signal::kVelocityIp1h);
}

TEST(TopReasonsTest, TiesKeepSignalOrder) {
  SignalVector v = AllUnknown();
  std::array<double, kSignalCount> c{};
  Set(v, c, Signal::kFailedPayments, 1, 1.0);
  Set(v, c, Signal::kEmailDisposable, 1, 1.0);
  const std::vector<Reason> r = TopReasons(v, c, 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].signal, Signal::kEmailDisposable);  // earlier in Signal order
}

}  // namespace
}  // namespace orderpilot::risk
