#include "inventory/reorder.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>

#include "core/time.h"

namespace orderpilot::inventory {
namespace {

constexpr int kMaxPolicyDays = 3650;
// How far order_by_day and days_of_cover look ahead.
constexpr int kProjectionDays = 730;
constexpr double kMaxForecastUnits = 1e12;

// ceil() that does not turn 70.00000000001 (floating-point noise) into 71.
int64_t CeilUnits(double x) {
  return static_cast<int64_t>(std::ceil(x - 1e-9 * std::max(1.0, std::fabs(x))));
}

// "2026-11-23" for a day number. (inventory/backorder.h has a public FormatDay; this file keeps
// its own so that it depends on core only.)
std::string DayText(int64_t day) {
  return FormatTimestamp(Timestamp{day * 86400 * 1'000'000}).substr(0, 10);
}

double DailyDemand(const DemandForecast& forecast, int h) {
  return std::max(0.0, forecast.level + h * forecast.trend);
}

std::string FormatRate(double rate) {
  char buf[32];
  if (rate >= 100) {
    std::snprintf(buf, sizeof buf, "%.0f", rate);
  } else if (rate >= 0.95) {
    std::snprintf(buf, sizeof buf, "%.1f", rate);
  } else {
    std::snprintf(buf, sizeof buf, "%.2g", rate);
  }
  return buf;
}

std::string Reason(const DemandForecast& forecast, const StockPosition& stock,
                   const ReorderPolicy& policy, const ReorderSuggestion& s) {
  std::string out;
  const bool has_demand = forecast.UnitsOver(kProjectionDays) > 0;
  out += has_demand ? "sells ~" + FormatRate(forecast.rate) + "/day; " : "no sales forecast; ";
  out += std::to_string(stock.on_hand) + " on hand ";
  if (stock.reserved != 0) out += "- " + std::to_string(stock.reserved) + " reserved ";
  out += "+ " + std::to_string(s.incoming) + " incoming";
  if (has_demand) {
    if (s.days_of_cover) {
      char buf[48];
      std::snprintf(buf, sizeof buf, " cover %.1f days", *s.days_of_cover);
      out += buf;
    } else {
      out += " cover over " + std::to_string(kProjectionDays) + " days";
    }
  }
  out += "; lead time " + std::to_string(policy.lead_time_days) + " days → ";
  if (s.needs_reorder) {
    out += "order " + std::to_string(s.quantity) + " by " + DayText(*s.order_by_day);
  } else if (s.order_by_day && *s.order_by_day > stock.today) {
    out += "no order needed before " + DayText(*s.order_by_day) + " (reorder point " +
           std::to_string(s.reorder_point) + ")";
  } else {
    out += "no order needed";
  }
  return out;
}

}  // namespace

double InverseNormalCdf(double p) {
  if (std::isnan(p) || p < 0 || p > 1) return std::numeric_limits<double>::quiet_NaN();
  if (p == 0) return -std::numeric_limits<double>::infinity();
  if (p == 1) return std::numeric_limits<double>::infinity();

  // Peter J. Acklam's coefficients.
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double kLow = 0.02425;

  double x;
  if (p < kLow || p > 1 - kLow) {
    const double q = std::sqrt(-2 * std::log(p < kLow ? p : 1 - p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    if (p > kLow) x = -x;
  } else {
    const double q = p - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  // One step of Halley's method on Φ(x) − p brings the relative error to about 1e-15.
  const double e = 0.5 * std::erfc(-x / std::numbers::sqrt2) - p;
  const double u = e * std::sqrt(2 * std::numbers::pi) * std::exp(x * x / 2);
  x = x - u / (1 + x * u / 2);
  return x;
}

Result<ReorderSuggestion> SuggestReorder(const DemandForecast& forecast, const StockPosition& stock,
                                         const ReorderPolicy& policy) {
  // The bounds (also refusing NaN) keep every unit count below int64 overflow.
  if (!(std::fabs(forecast.level) <= kMaxForecastUnits &&
        std::fabs(forecast.trend) <= kMaxForecastUnits && forecast.sigma >= 0 &&
        forecast.sigma <= kMaxForecastUnits)) {
    return InvalidArgumentError("forecast must be finite, within 1e12 units, sigma >= 0",
                                "forecast");
  }
  if (!(policy.service_level > 0 && policy.service_level < 1)) {
    return InvalidArgumentError("service level must be in (0, 1)", "service_level");
  }
  if (policy.lead_time_days < 0 || policy.lead_time_days > kMaxPolicyDays) {
    return InvalidArgumentError("lead time must be 0..3650 days", "lead_time_days");
  }
  if (policy.review_period_days < 0 || policy.review_period_days > kMaxPolicyDays) {
    return InvalidArgumentError("review period must be 0..3650 days", "review_period_days");
  }
  if (policy.min_order_quantity < 0) {
    return InvalidArgumentError("minimum order quantity must be >= 0", "min_order_quantity");
  }
  if (policy.pack_size < 0) return InvalidArgumentError("pack size must be >= 0", "pack_size");
  if (stock.on_hand < 0) return InvalidArgumentError("on hand must be >= 0", "on_hand");
  if (stock.reserved < 0) return InvalidArgumentError("reserved must be >= 0", "reserved");
  if (stock.incoming_units < 0) {
    return InvalidArgumentError("incoming units must be >= 0", "incoming_units");
  }

  ReorderSuggestion s;
  s.incoming = stock.incoming_units;
  for (size_t i = 0; i < stock.incoming.size(); ++i) {
    const IncomingReceipt& receipt = stock.incoming[i];
    if (receipt.units < 0) {
      return InvalidArgumentError("incoming units must be >= 0",
                                  "incoming[" + std::to_string(i) + "].units");
    }
    if (receipt.day <= stock.today + policy.lead_time_days) s.incoming += receipt.units;
  }
  s.position = stock.on_hand - stock.reserved + s.incoming;

  const double z = InverseNormalCdf(policy.service_level);
  const double sigma_lead_time =
      forecast.sigma * std::sqrt(static_cast<double>(policy.lead_time_days));
  s.safety_stock = std::max<int64_t>(0, CeilUnits(z * sigma_lead_time));
  s.reorder_point = CeilUnits(forecast.UnitsOver(policy.lead_time_days)) + s.safety_stock;

  const int64_t wanted =
      CeilUnits(forecast.UnitsOver(policy.lead_time_days + policy.review_period_days)) +
      s.safety_stock - s.position;
  s.needs_reorder = s.position <= s.reorder_point && wanted > 0;
  if (s.needs_reorder) {
    const int64_t pack = std::max<int64_t>(policy.pack_size, 1);
    const int64_t quantity = std::max(wanted, policy.min_order_quantity);
    s.quantity = (quantity + pack - 1) / pack * pack;
  }

  // Draw the position down day by day at the forecast.
  double position = static_cast<double>(s.position);
  if (position <= 0) s.days_of_cover = 0;
  if (s.position <= s.reorder_point) s.order_by_day = stock.today;
  for (int h = 1; h <= kProjectionDays && !(s.days_of_cover && s.order_by_day); ++h) {
    const double demand = DailyDemand(forecast, h);
    const double before = position;
    position -= demand;
    if (!s.days_of_cover && position <= 0) s.days_of_cover = (h - 1) + before / demand;
    // The small tolerance keeps floating-point noise (9.999999 vs 10) from moving the day.
    if (!s.order_by_day && position <= static_cast<double>(s.reorder_point) + 1e-9) {
      s.order_by_day = stock.today + h;
    }
  }
  s.reason = Reason(forecast, stock, policy, s);
  return s;
}

}  // namespace orderpilot::inventory
