// inventory/forecast.h — demand forecasts per SKU from daily sales history.
//
// Input is a SKU's demand per UTC day (units sold that day, oldest first, days without sales
// included as 0). The series is classified by Syntetos–Boylan (ADI, CV²) and forecast with:
//  * Holt's linear exponential smoothing (additive trend) when demand is regular
//    (ADI < 1.32);
//  * Croston's method with the Syntetos–Boylan approximation when it is intermittent
//    (ADI >= 1.32): rate = (1 − α/2) · size / interval;
//  * a fallback (mean of the history, "too little history") when there are fewer than 7 days or
//    fewer than 2 days with sales.
// Smoothing parameters are chosen by grid search minimising the one-step-ahead squared error over
// the history; sigma is the root mean square of those one-step errors, per day.
//
// Invariant: a returned forecast never holds NaN or infinity, and rate >= 0.
// Everything here is a pure, deterministic function; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/status.h"

namespace orderpilot::inventory {

enum class ForecastMethod {
  kNone,     // too little history: the mean of what there is
  kHolt,     // Holt's linear exponential smoothing, additive trend
  kCroston,  // Croston's method, Syntetos–Boylan approximation
};

// "too little history", "Holt linear trend", "Croston (SBA)".
std::string_view ForecastMethodName(ForecastMethod method);

// The Syntetos–Boylan demand categories (cut-offs ADI 1.32, CV² 0.49).
enum class DemandPattern {
  kNoDemand,      // no day with sales
  kSmooth,        // ADI < 1.32, CV² < 0.49
  kErratic,       // ADI < 1.32, CV² >= 0.49
  kIntermittent,  // ADI >= 1.32, CV² < 0.49
  kLumpy,         // ADI >= 1.32, CV² >= 0.49
};

std::string_view DemandPatternName(DemandPattern pattern);  // "smooth", "lumpy", ...

struct DemandClass {
  DemandPattern pattern = DemandPattern::kNoDemand;
  // Average demand interval: days of history per day with sales (n / non-zero days); 0 when
  // there is no sale.
  double adi = 0;
  // Squared coefficient of variation of the non-zero daily quantities (population variance /
  // mean²); 0 when there is no sale.
  double cv2 = 0;
  int nonzero_days = 0;
};

// REQUIRES: every value in [0, 1e12] (ForecastDemand checks this; ClassifyDemand does not).
DemandClass ClassifyDemand(std::span<const double> daily_units);

struct ForecastOptions {
  // ADI at or above which Croston is used instead of Holt. Default: 1.32.
  double intermittent_adi = 1.32;
  // Less history than this (days, non-zero days) gives ForecastMethod::kNone. Default: 7, 2.
  int min_history_days = 7;
  int min_nonzero_days = 2;
  // Holt's initial trend is the mean first difference over this many leading days. Default: 7.
  int trend_init_days = 7;
};

struct DemandForecast {
  ForecastMethod method = ForecastMethod::kNone;
  // Expected units on the day after the history, >= 0.
  double rate = 0;
  // Holt: the smoothed level at the last day of history and the trend in units per day per day,
  // so day h after the history expects max(0, level + h·trend). Other methods: level = rate and
  // trend = 0.
  double level = 0;
  double trend = 0;
  // The smoothing parameters chosen (Holt: alpha for the level, beta for the trend; Croston:
  // alpha for both size and interval, beta = 0). 0 for kNone.
  double alpha = 0;
  double beta = 0;
  // Root mean square of the one-step-ahead errors over the history, units per day. For kNone the
  // population standard deviation of the daily values (0 with fewer than two days).
  double sigma = 0;
  // Croston: the smoothed non-zero demand size and interval (days) behind the rate; 0 otherwise.
  double demand_size = 0;
  double demand_interval = 0;
  int history_days = 0;
  DemandClass demand_class = {};

  std::string_view method_name() const { return ForecastMethodName(method); }

  // Expected units over the next `days` days: Σ_{h=1..days} max(0, level + h·trend), which is
  // rate × days for Croston and kNone. 0 for days <= 0. O(days).
  double UnitsOver(int days) const;
};

// Forecasts the next days of demand from a daily history (oldest first, zeros included).
// Returns InvalidArgument (field "daily_units[i]") when a value is negative, NaN or above 1e12.
// An empty or all-zero history is not an error: it gives kNone with rate 0.
// Cost: O(n · 361) for Holt's grid; a year of history takes well under a millisecond.
Result<DemandForecast> ForecastDemand(std::span<const double> daily_units,
                                      const ForecastOptions& options = {});
Result<DemandForecast> ForecastDemand(std::span<const int64_t> daily_units,
                                      const ForecastOptions& options = {});

}  // namespace orderpilot::inventory
