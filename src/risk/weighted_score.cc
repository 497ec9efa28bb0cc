#include "risk/weighted_score.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>

namespace orderpilot::risk {
namespace {

double Positive(double x) { return x > 0 ? x : 0; }
// Above 1.5× the usual only: a slightly bigger basket than average is no reason.
double LogRatio(double r) { return std::log(std::clamp(r / 1.5, 1.0, 50.0)); }
double LogCount(double n) { return std::log(std::max(n, 1.0)); }  // 0 for this order alone

// One term per signal: weight · transform(value). Documented in the header.
double Term(Signal s, double x) {
  if (auto velocity = VelocityOf(s)) {
    static constexpr double kWeights[kKeyKindCount][kWindowCount] = {
        {0.5, 0.4, 0.25},  // email
        {0.6, 0.5, 0.3},   // device
        {0.5, 0.4, 0.2},   // ip
        {0.3, 0.2, 0.05},  // bin
        {0.5, 0.4, 0.25},  // address
    };
    return kWeights[static_cast<int>(velocity->first)][static_cast<int>(velocity->second)] *
           LogCount(x);
  }
  switch (s) {
    case Signal::kOrderValue:
      return 0;
    case Signal::kValueVsCustomer:
      return 0.6 * LogRatio(x);
    case Signal::kValueVsShop:
      return 0.7 * LogRatio(x);
    case Signal::kAccountAgeS:
      return 1.8 * Positive(1 - x / 60) + 0.6 * Positive(1 - x / 3600);
    case Signal::kFirstOrder:
      return 0.3 * x;
    case Signal::kCustomerOrders:
      return -0.3 * std::log1p(std::clamp(x, 0.0, 20.0));
    case Signal::kBillingShippingCountryMismatch:
      return 1.0 * x;
    case Signal::kBillingShippingPostcodeMismatch:
      return 0.5 * x;
    case Signal::kBillingShippingNameMismatch:
      return 0.5 * x;
    case Signal::kIpCountryMismatch:
      return 0.8 * x;
    case Signal::kIpDistanceKm:
      return 0.3 * std::log1p(Positive(x) / 1000);
    case Signal::kEmailDisposable:
      return 1.8 * x;
    case Signal::kEmailRandomness:
      return 1.5 * Positive(x - 0.4) / 0.6;
    case Signal::kPhoneFormatBad:
      return 0.5 * x;
    case Signal::kPostcodeFormatBad:
      return 0.7 * x;
    case Signal::kAvsMismatch:
      return 1.5 * x;
    case Signal::kCvvMismatch:
      return 2.2 * x;
    case Signal::kMaxUnitsOneSku:
      return 0.35 * std::log1p(Positive(x - 3));
    case Signal::kHighRiskSkuUnits:
      return 0.8 * std::log1p(Positive(x));
    case Signal::kExpressToForwarder:
      return 2.0 * x;
    case Signal::kExpressMismatch:
      return 1.0 * x;
    case Signal::kFailedPayments:
      return 0.9 * std::log1p(Positive(x));
    default:
      return 0;
  }
}

}  // namespace

double WeightedScore(const SignalVector& signals, std::span<double> contributions) {
  assert(contributions.size() >= kSignalCount);
  double margin = kWeightedScoreBias;
  for (size_t i = 0; i < kSignalCount; ++i) {
    const double x = signals[i];
    const double term = std::isnan(x) ? 0.0 : Term(static_cast<Signal>(i), x);
    contributions[i] = term;
    margin += term;
  }
  return 1.0 / (1.0 + std::exp(-margin));
}

}  // namespace orderpilot::risk
