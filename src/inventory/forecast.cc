#include "inventory/forecast.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

namespace orderpilot::inventory {
namespace {

// Holt's grid: alpha and beta each in 0.05, 0.10, ..., 0.95.
constexpr int kHoltSteps = 19;
constexpr int kHoltCombos = kHoltSteps * kHoltSteps;
// Lanes evaluated side by side; padded to a multiple of 4 so the inner loop vectorises without a
// remainder. Lanes past kHoltCombos are dummies and never chosen.
constexpr int kHoltLanes = (kHoltCombos + 3) / 4 * 4;
// Croston's grid: alpha in 0.05, 0.10, ..., 0.50.
constexpr int kCrostonSteps = 10;
constexpr double kGridStep = 0.05;
// More units a day than anyone sells; keeps squared errors far from overflow.
constexpr double kMaxDailyUnits = 1e12;

struct HoltLanes {
  std::array<double, kHoltLanes> alpha;
  std::array<double, kHoltLanes> beta;
  std::array<double, kHoltLanes> level;
  std::array<double, kHoltLanes> trend;
  std::array<double, kHoltLanes> sse;
};

DemandForecast FitHolt(std::span<const double> y, const ForecastOptions& options) {
  const size_t n = y.size();  // >= 2
  const size_t k =
      std::clamp<size_t>(static_cast<size_t>(std::max(options.trend_init_days, 1)), 1, n - 1);
  const double level0 = y[0];
  const double trend0 = (y[k] - y[0]) / static_cast<double>(k);

  HoltLanes lanes;
  for (int i = 0; i < kHoltLanes; ++i) {
    const int combo = i < kHoltCombos ? i : 0;
    lanes.alpha[i] = kGridStep * (combo / kHoltSteps + 1);
    lanes.beta[i] = kGridStep * (combo % kHoltSteps + 1);
    lanes.level[i] = level0;
    lanes.trend[i] = trend0;
    lanes.sse[i] = 0;
  }
  // Error-correction form: f = l + b; e = y − f; l' = f + α·e; b' = b + β·(l' − l − b).
  for (size_t t = 1; t < n; ++t) {
    const double yt = y[t];
    for (int i = 0; i < kHoltLanes; ++i) {
      const double f = lanes.level[i] + lanes.trend[i];
      const double e = yt - f;
      lanes.sse[i] += e * e;
      const double next_level = f + lanes.alpha[i] * e;
      lanes.trend[i] += lanes.beta[i] * (next_level - lanes.level[i] - lanes.trend[i]);
      lanes.level[i] = next_level;
    }
  }
  int best = 0;
  for (int i = 1; i < kHoltCombos; ++i) {
    if (lanes.sse[i] < lanes.sse[best]) best = i;
  }

  DemandForecast out;
  out.method = ForecastMethod::kHolt;
  out.level = lanes.level[best];
  out.trend = lanes.trend[best];
  out.rate = std::max(0.0, out.level + out.trend);
  out.alpha = lanes.alpha[best];
  out.beta = lanes.beta[best];
  out.sigma = std::sqrt(lanes.sse[best] / static_cast<double>(n - 1));
  return out;
}

DemandForecast FitCroston(std::span<const double> y) {
  const size_t n = y.size();
  size_t first = 0;
  while (y[first] <= 0) ++first;
  size_t second = first + 1;
  while (y[second] <= 0) ++second;  // exists: at least two non-zero days
  const double size0 = y[first];
  const double interval0 = static_cast<double>(second - first);

  DemandForecast out;
  out.method = ForecastMethod::kCroston;
  double best_sse = 0;
  for (int step = 1; step <= kCrostonSteps; ++step) {
    const double alpha = kGridStep * step;
    const double bias = 1 - alpha / 2;
    double size = size0;
    double interval = interval0;
    size_t last = first;
    double sse = 0;
    // One-step errors from the second sale on: before it there is no interval to forecast with.
    for (size_t t = second; t < n; ++t) {
      const double e = y[t] - bias * size / interval;
      sse += e * e;
      if (y[t] > 0) {
        size += alpha * (y[t] - size);
        interval += alpha * (static_cast<double>(t - last) - interval);
        last = t;
      }
    }
    if (step == 1 || sse < best_sse) {
      best_sse = sse;
      out.alpha = alpha;
      out.demand_size = size;
      out.demand_interval = interval;
      out.rate = bias * size / interval;
      out.sigma = std::sqrt(sse / static_cast<double>(n - second));
    }
  }
  out.level = out.rate;
  return out;
}

DemandForecast Fallback(std::span<const double> y) {
  DemandForecast out;
  out.method = ForecastMethod::kNone;
  if (y.empty()) return out;
  double sum = 0;
  for (double v : y) sum += v;
  const double mean = sum / static_cast<double>(y.size());
  double squares = 0;
  for (double v : y) squares += (v - mean) * (v - mean);
  out.rate = mean;
  out.level = mean;
  out.sigma = std::sqrt(squares / static_cast<double>(y.size()));
  return out;
}

}  // namespace

std::string_view ForecastMethodName(ForecastMethod method) {
  switch (method) {
    case ForecastMethod::kNone:
      return "too little history";
    case ForecastMethod::kHolt:
      return "Holt linear trend";
    case ForecastMethod::kCroston:
      return "Croston (SBA)";
  }
  return "unknown";
}

std::string_view DemandPatternName(DemandPattern pattern) {
  switch (pattern) {
    case DemandPattern::kNoDemand:
      return "no demand";
    case DemandPattern::kSmooth:
      return "smooth";
    case DemandPattern::kErratic:
      return "erratic";
    case DemandPattern::kIntermittent:
      return "intermittent";
    case DemandPattern::kLumpy:
      return "lumpy";
  }
  return "unknown";
}

DemandClass ClassifyDemand(std::span<const double> daily_units) {
  DemandClass out;
  double sum = 0;
  for (double v : daily_units) {
    if (v > 0) {
      ++out.nonzero_days;
      sum += v;
    }
  }
  if (out.nonzero_days == 0) return out;
  const double mean = sum / out.nonzero_days;
  double squares = 0;
  for (double v : daily_units) {
    if (v > 0) squares += (v - mean) * (v - mean);
  }
  out.adi = static_cast<double>(daily_units.size()) / out.nonzero_days;
  out.cv2 = squares / out.nonzero_days / (mean * mean);
  const bool sporadic = out.adi >= 1.32;
  const bool variable = out.cv2 >= 0.49;
  out.pattern = sporadic ? (variable ? DemandPattern::kLumpy : DemandPattern::kIntermittent)
                         : (variable ? DemandPattern::kErratic : DemandPattern::kSmooth);
  return out;
}

double DemandForecast::UnitsOver(int days) const {
  double units = 0;
  for (int h = 1; h <= days; ++h) units += std::max(0.0, level + h * trend);
  return units;
}

Result<DemandForecast> ForecastDemand(std::span<const double> daily_units,
                                      const ForecastOptions& options) {
  for (size_t i = 0; i < daily_units.size(); ++i) {
    if (!(daily_units[i] >= 0 && daily_units[i] <= kMaxDailyUnits)) {  // also refuses NaN
      return InvalidArgumentError("daily demand must be a number in [0, 1e12]",
                                  "daily_units[" + std::to_string(i) + "]");
    }
  }
  const DemandClass demand_class = ClassifyDemand(daily_units);
  DemandForecast out;
  if (static_cast<int64_t>(daily_units.size()) < std::max(options.min_history_days, 2) ||
      demand_class.nonzero_days < std::max(options.min_nonzero_days, 2)) {
    out = Fallback(daily_units);
  } else if (demand_class.adi >= options.intermittent_adi) {
    out = FitCroston(daily_units);
  } else {
    out = FitHolt(daily_units, options);
  }
  out.history_days = static_cast<int>(daily_units.size());
  out.demand_class = demand_class;
  return out;
}

Result<DemandForecast> ForecastDemand(std::span<const int64_t> daily_units,
                                      const ForecastOptions& options) {
  std::vector<double> units(daily_units.begin(), daily_units.end());
  return ForecastDemand(std::span<const double>(units), options);
}

}  // namespace orderpilot::inventory
