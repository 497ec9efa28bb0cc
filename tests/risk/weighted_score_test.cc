#include "risk/weighted_score.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>
#include <numeric>

#include "risk/explain.h"

namespace orderpilot::risk {
namespace {

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();

// What ComputeSignals gives a clean order from a returning customer: everything matches, one
// order on each key, a year-old account.
SignalVector CleanSignals() {
  SignalVector v;
  v.fill(kNan);
  auto set = [&](Signal s, float x) { v[static_cast<size_t>(s)] = x; };
  set(Signal::kOrderValue, 80);
  set(Signal::kValueVsCustomer, 1.1f);
  set(Signal::kValueVsShop, 0.9f);
  set(Signal::kAccountAgeS, 365 * 86400.f);
  set(Signal::kFirstOrder, 0);
  set(Signal::kCustomerOrders, 3);
  set(Signal::kBillingShippingCountryMismatch, 0);
  set(Signal::kBillingShippingPostcodeMismatch, 0);
  set(Signal::kBillingShippingNameMismatch, 0);
  set(Signal::kIpCountryMismatch, 0);
  set(Signal::kIpDistanceKm, 0);
  set(Signal::kEmailDisposable, 0);
  set(Signal::kEmailRandomness, 0.05f);
  set(Signal::kPhoneFormatBad, 0);
  set(Signal::kPostcodeFormatBad, 0);
  set(Signal::kAvsMismatch, 0);
  set(Signal::kCvvMismatch, 0);
  for (size_t i = static_cast<size_t>(Signal::kVelocityEmail10m);
       i <= static_cast<size_t>(Signal::kVelocityAddress24h); ++i) {
    v[i] = 1;
  }
  set(Signal::kMaxUnitsOneSku, 1);
  set(Signal::kHighRiskSkuUnits, 0);
  set(Signal::kExpressToForwarder, 0);
  set(Signal::kExpressMismatch, 0);
  set(Signal::kFailedPayments, 0);
  return v;
}

void Set(SignalVector& v, Signal s, float x) { v[static_cast<size_t>(s)] = x; }

double Score(const SignalVector& v) {
  std::array<double, kSignalCount> c{};
  return WeightedScore(v, c);
}

TEST(WeightedScoreTest, CleanOrdersScoreBelowOneTenth) {
  EXPECT_LT(Score(CleanSignals()), 0.05);
  // A new customer who signed up ten minutes before ordering is still clean.
  SignalVector fresh = CleanSignals();
  Set(fresh, Signal::kFirstOrder, 1);
  Set(fresh, Signal::kCustomerOrders, 0);
  Set(fresh, Signal::kAccountAgeS, 600);
  Set(fresh, Signal::kValueVsCustomer, kNan);
  EXPECT_LT(Score(fresh), 0.1);
  // Nothing known at all.
  SignalVector unknown;
  unknown.fill(kNan);
  EXPECT_LT(Score(unknown), 0.1);
}

TEST(WeightedScoreTest, ThreeStrongSignalsScoreAboveEightTenths) {
  SignalVector a = CleanSignals();
  Set(a, Signal::kCvvMismatch, 1);
  Set(a, Signal::kEmailDisposable, 1);
  Set(a, Signal::kFailedPayments, 3);
  EXPECT_GT(Score(a), 0.8);

  SignalVector b = CleanSignals();
  Set(b, Signal::kFirstOrder, 1);
  Set(b, Signal::kCustomerOrders, 0);
  Set(b, Signal::kAccountAgeS, 4);
  Set(b, Signal::kVelocityDevice10m, 7);
  Set(b, Signal::kVelocityDevice1h, 7);
  Set(b, Signal::kVelocityDevice24h, 7);
  Set(b, Signal::kExpressToForwarder, 1);
  EXPECT_GT(Score(b), 0.8);
}

TEST(WeightedScoreTest, ContributionsAreTheTermsOfTheLogOdds) {
  SignalVector v = CleanSignals();
  Set(v, Signal::kCvvMismatch, 1);
  Set(v, Signal::kAccountAgeS, 4);
  Set(v, Signal::kPhoneFormatBad, kNan);
  std::array<double, kSignalCount> c{};
  c.fill(99);  // overwritten, NaN signals included
  const double p = WeightedScore(v, c);
  const double margin = kWeightedScoreBias + std::accumulate(c.begin(), c.end(), 0.0);
  EXPECT_NEAR(p, 1 / (1 + std::exp(-margin)), 1e-12);
  EXPECT_EQ(c[static_cast<size_t>(Signal::kPhoneFormatBad)], 0.0);
  EXPECT_EQ(c[static_cast<size_t>(Signal::kVelocityDevice1h)], 0.0);  // this order alone
  EXPECT_DOUBLE_EQ(c[static_cast<size_t>(Signal::kCvvMismatch)], 2.2);
  EXPECT_LT(c[static_cast<size_t>(Signal::kCustomerOrders)], 0.0);  // history lowers risk
  const std::vector<Reason> reasons = TopReasons(v, c);
  ASSERT_EQ(reasons.size(), 2u);
  EXPECT_EQ(reasons[0].text, "ordered 4 s after the account was created");
  EXPECT_EQ(reasons[1].text, "card security code (CVV) did not match");
}

TEST(WeightedScoreTest, MoreOfAStrongSignalNeverLowersTheScore) {
  double last = 0;
  for (float n : {1.f, 2.f, 5.f, 20.f, 200.f}) {
    SignalVector v = CleanSignals();
    Set(v, Signal::kVelocityEmail1h, n);
    const double s = Score(v);
    EXPECT_GE(s, last);
    last = s;
  }
  double previous = 1;
  for (float age : {0.f, 4.f, 60.f, 600.f, 3600.f, 86400.f}) {
    SignalVector v = CleanSignals();
    Set(v, Signal::kAccountAgeS, age);
    const double s = Score(v);
    EXPECT_LE(s, previous);  // an older account is never riskier
    previous = s;
  }
}

}  // namespace
}  // namespace orderpilot::risk
