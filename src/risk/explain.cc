#include "risk/explain.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <cstdio>

namespace orderpilot::risk {
namespace {

// 1234567 → "1,234,567".
std::string WithThousands(int64_t n) {
  const bool negative = n < 0;
  std::string digits = std::to_string(negative ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return negative ? "-" + out : out;
}

std::string Count(double value, std::string_view one, std::string_view many) {
  const auto n = static_cast<int64_t>(std::llround(value));
  return WithThousands(n) + " " + std::string(n == 1 ? one : many);
}

// "6.2×", "12×".
std::string Ratio(double r) {
  char buf[32];
  if (r >= 9.95) {
    return WithThousands(static_cast<int64_t>(std::llround(r))) + "×";
  }
  std::snprintf(buf, sizeof(buf), "%.1f×", r);
  return buf;
}

// "8,400 km", "730 km", "45 km".
std::string Distance(double km) {
  double rounded = std::round(km);
  if (km >= 1000) {
    rounded = std::round(km / 100) * 100;
  } else if (km >= 100) {
    rounded = std::round(km / 10) * 10;
  }
  return WithThousands(static_cast<int64_t>(rounded)) + " km";
}

// "1,234.50", "80".
std::string Amount(double v) {
  const auto cents = static_cast<int64_t>(std::llround(v * 100));
  std::string out = WithThousands(cents / 100);
  if (cents % 100 != 0) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), ".%02d", static_cast<int>(std::llabs(cents % 100)));
    out += buf;
  }
  return out;
}

std::string_view WindowPhrase(Window w) {
  switch (w) {
    case Window::k10m:
      return "in the last 10 min";
    case Window::k1h:
      return "in the last hour";
    case Window::k24h:
      return "in the last 24 h";
  }
  return "";
}

std::string_view KeyPhrase(KeyKind k) {
  switch (k) {
    case KeyKind::kEmail:
      return "with this email address";
    case KeyKind::kDevice:
      return "from this device";
    case KeyKind::kIp:
      return "from this IP address";
    case KeyKind::kBin:
      return "with this card BIN";
    case KeyKind::kAddress:
      return "to this shipping address";
  }
  return "";
}

}  // namespace

std::string HumaneDuration(double seconds) {
  seconds = std::max(seconds, 0.0);
  if (seconds < 59.5) return std::to_string(std::llround(seconds)) + " s";
  const int64_t minutes = std::llround(seconds / 60);
  if (minutes < 60) return std::to_string(minutes) + " min";
  const int64_t hours = std::llround(seconds / 3600);
  if (hours < 48) return std::to_string(hours) + " h";
  return WithThousands(std::llround(seconds / 86400)) + " days";
}

std::string ReasonText(Signal signal, float value) {
  if (std::isnan(value)) return std::string(SignalName(signal)) + " is unknown";
  const double v = value;
  const bool yes = v >= 0.5;
  if (auto velocity = VelocityOf(signal)) {
    return Count(v, "order", "orders") + " " + std::string(KeyPhrase(velocity->first)) + " " +
           std::string(WindowPhrase(velocity->second));
  }
  switch (signal) {
    case Signal::kOrderValue:
      return "order value is " + Amount(v);
    case Signal::kValueVsCustomer:
      return "order value is " + Ratio(v) + " the customer's average";
    case Signal::kValueVsShop:
      return "order value is " + Ratio(v) + " the shop's average";
    case Signal::kAccountAgeS:
      return "ordered " + HumaneDuration(v) + " after the account was created";
    case Signal::kFirstOrder:
      return yes ? "first order from this customer" : "returning customer";
    case Signal::kCustomerOrders:
      return std::llround(v) == 0
                 ? "no earlier orders from this customer"
                 : Count(v, "earlier order", "earlier orders") + " from this customer";
    case Signal::kBillingShippingCountryMismatch:
      return yes ? "billing country differs from shipping country"
                 : "billing and shipping country match";
    case Signal::kBillingShippingPostcodeMismatch:
      return yes ? "billing postcode differs from shipping postcode"
                 : "billing and shipping postcode match";
    case Signal::kBillingShippingNameMismatch:
      return yes ? "billing name differs from shipping name" : "billing and shipping name match";
    case Signal::kIpCountryMismatch:
      return yes ? "IP address is in another country than the shipping address"
                 : "IP address is in the shipping country";
    case Signal::kIpDistanceKm:
      return v > 0
                 ? "IP address is in another country, " + Distance(v) + " from the shipping address"
                 : "IP address is in the shipping country";
    case Signal::kEmailDisposable:
      return yes ? "email domain is a disposable mail service"
                 : "email domain is not a known disposable mail service";
    case Signal::kEmailRandomness:
      return yes ? "email address looks randomly generated" : "email address looks ordinary";
    case Signal::kPhoneFormatBad:
      return yes ? "phone number does not fit the country's format"
                 : "phone number fits the country's format";
    case Signal::kPostcodeFormatBad:
      return yes ? "postcode does not fit the country's format"
                 : "postcode fits the country's format";
    case Signal::kAvsMismatch:
      if (v >= 0.75) return "billing address did not match the card (AVS)";
      if (v >= 0.25) return "billing address only partly matched the card (AVS)";
      return "billing address matched the card (AVS)";
    case Signal::kCvvMismatch:
      return yes ? "card security code (CVV) did not match" : "card security code (CVV) matched";
    case Signal::kMaxUnitsOneSku:
      return Count(v, "unit", "units") + " of one SKU";
    case Signal::kHighRiskSkuUnits:
      return std::llround(v) == 1 ? "1 unit of a high-risk SKU"
                                  : Count(v, "unit", "units") + " of high-risk SKUs";
    case Signal::kExpressToForwarder:
      return yes ? "express shipping to a freight forwarder"
                 : "no express shipping to a freight forwarder";
    case Signal::kExpressMismatch:
      return yes ? "express shipping to an address that differs from the billing address"
                 : "no express shipping to a differing address";
    case Signal::kFailedPayments:
      return std::llround(v) == 0
                 ? "no failed payments before this one"
                 : Count(v, "failed payment", "failed payments") + " before this one";
    default:
      return std::string(SignalName(signal));
  }
}

std::vector<Reason> TopReasons(const SignalVector& signals, std::span<const double> contributions,
                               int n) {
  assert(contributions.size() >= kSignalCount);
  std::vector<Reason> candidates;
  // Index into candidates of each velocity key's reason, -1 when none yet.
  std::array<int, kKeyKindCount> key_reason;
  key_reason.fill(-1);
  std::array<double, kKeyKindCount> key_best{};
  for (size_t i = 0; i < kSignalCount; ++i) {
    const float value = signals[i];
    const double c = contributions[i];
    if (std::isnan(value) || !std::isfinite(c) || c <= 0) continue;
    const auto signal = static_cast<Signal>(i);
    if (auto velocity = VelocityOf(signal)) {
      const int k = static_cast<int>(velocity->first);
      if (key_reason[k] >= 0) {
        Reason& r = candidates[static_cast<size_t>(key_reason[k])];
        r.contribution += c;
        if (c > key_best[k]) {
          key_best[k] = c;
          r.signal = signal;
          r.value = value;
        }
        continue;
      }
      key_reason[k] = static_cast<int>(candidates.size());
      key_best[k] = c;
    }
    candidates.push_back(Reason{signal, value, c, {}});
  }
  std::stable_sort(candidates.begin(), candidates.end(), [](const Reason& a, const Reason& b) {
    return a.contribution > b.contribution;
  });
  if (n < 0) n = 0;
  if (candidates.size() > static_cast<size_t>(n)) candidates.resize(static_cast<size_t>(n));
  for (Reason& r : candidates) r.text = ReasonText(r.signal, r.value);
  return candidates;
}

}  // namespace orderpilot::risk
