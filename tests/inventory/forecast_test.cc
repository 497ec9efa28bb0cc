#include "inventory/forecast.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace orderpilot::inventory {
namespace {

DemandForecast Forecast(const std::vector<double>& series) {
  auto f = ForecastDemand(series);
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return f.ok() ? *f : DemandForecast{};
}

void ExpectFinite(const DemandForecast& f) {
  for (double v : {f.rate, f.level, f.trend, f.alpha, f.beta, f.sigma, f.demand_size,
                   f.demand_interval, f.demand_class.adi, f.demand_class.cv2, f.UnitsOver(30)}) {
    EXPECT_TRUE(std::isfinite(v)) << v;
  }
  EXPECT_GE(f.rate, 0);
}

TEST(ForecastTest, ConstantSeriesGivesFlatHolt) {
  const DemandForecast f = Forecast(std::vector<double>(60, 10.0));
  EXPECT_EQ(f.method, ForecastMethod::kHolt);
  EXPECT_EQ(f.method_name(), "Holt linear trend");
  EXPECT_NEAR(f.rate, 10, 0.01);
  EXPECT_NEAR(f.trend, 0, 1e-9);
  EXPECT_NEAR(f.sigma, 0, 1e-9);
  EXPECT_NEAR(f.UnitsOver(7), 70, 1e-6);
  EXPECT_EQ(f.history_days, 60);
  EXPECT_EQ(f.demand_class.pattern, DemandPattern::kSmooth);
  EXPECT_DOUBLE_EQ(f.demand_class.adi, 1);
}

TEST(ForecastTest, ExactLinearSeriesIsExtrapolated) {
  const int n = 60;
  std::vector<double> series;
  for (int t = 0; t < n; ++t) series.push_back(5 + 0.5 * t);
  const DemandForecast f = Forecast(series);
  EXPECT_EQ(f.method, ForecastMethod::kHolt);
  EXPECT_NEAR(f.rate, 5 + 0.5 * n, 1e-6);
  EXPECT_NEAR(f.trend, 0.5, 1e-9);
  EXPECT_NEAR(f.sigma, 0, 1e-9);
  // Σ_{h=1..7} (5 + 0.5·(n − 1 + h)) = 7·(5 + 0.5·(n − 1)) + 0.5·28.
  EXPECT_NEAR(f.UnitsOver(7), 7 * (5 + 0.5 * (n - 1)) + 0.5 * 28, 1e-6);
}

TEST(ForecastTest, NoisyLinearSeriesRecoversTheSlope) {
  std::mt19937 rng(42);
  std::normal_distribution<double> noise(0, 2);
  const int n = 200;
  std::vector<double> series;
  for (int t = 0; t < n; ++t) series.push_back(std::max(0.0, 20 + 0.3 * t + noise(rng)));
  const DemandForecast f = Forecast(series);
  EXPECT_EQ(f.method, ForecastMethod::kHolt);
  EXPECT_NEAR(f.trend, 0.3, 0.1);
  EXPECT_NEAR(f.rate, 20 + 0.3 * n, 3);
  EXPECT_NEAR(f.sigma, 2, 0.6);  // one-step errors are about the noise
}

TEST(ForecastTest, IntermittentSeriesUsesCrostonSba) {
  std::vector<double> series(60, 0.0);
  for (size_t t = 0; t < series.size(); t += 4) series[t] = 8;
  const DemandForecast f = Forecast(series);
  EXPECT_EQ(f.method, ForecastMethod::kCroston);
  EXPECT_EQ(f.method_name(), "Croston (SBA)");
  EXPECT_DOUBLE_EQ(f.demand_class.adi, 4);
  EXPECT_DOUBLE_EQ(f.demand_class.cv2, 0);
  EXPECT_EQ(f.demand_class.pattern, DemandPattern::kIntermittent);
  EXPECT_NEAR(f.demand_size, 8, 1e-9);
  EXPECT_NEAR(f.demand_interval, 4, 1e-9);
  EXPECT_GE(f.alpha, 0.05);
  EXPECT_LE(f.alpha, 0.5);
  EXPECT_NEAR(f.rate, 2 * (1 - f.alpha / 2), 1e-9);
  // A smaller alpha has less SBA bias, so on a perfectly regular series it is the best fit.
  EXPECT_NEAR(f.alpha, 0.05, 1e-12);
  EXPECT_NEAR(f.UnitsOver(10), 10 * f.rate, 1e-9);
  EXPECT_EQ(f.trend, 0);
  ExpectFinite(f);
}

TEST(ForecastTest, StepChangeIsFollowedWithAHighAlpha) {
  std::vector<double> series(30, 10.0);
  series.insert(series.end(), 30, 20.0);
  const DemandForecast f = Forecast(series);
  EXPECT_EQ(f.method, ForecastMethod::kHolt);
  EXPECT_NEAR(f.rate, 20, 0.5);
  EXPECT_GE(f.alpha, 0.5);
}

TEST(ForecastTest, EmptyHistoryFallsBackToZero) {
  const DemandForecast f = Forecast({});
  EXPECT_EQ(f.method, ForecastMethod::kNone);
  EXPECT_EQ(f.method_name(), "too little history");
  EXPECT_EQ(f.rate, 0);
  EXPECT_EQ(f.sigma, 0);
  EXPECT_EQ(f.UnitsOver(7), 0);
  EXPECT_EQ(f.demand_class.pattern, DemandPattern::kNoDemand);
  ExpectFinite(f);
}

TEST(ForecastTest, AllZeroHistoryFallsBackToZero) {
  const DemandForecast f = Forecast(std::vector<double>(90, 0.0));
  EXPECT_EQ(f.method, ForecastMethod::kNone);
  EXPECT_EQ(f.rate, 0);
  EXPECT_EQ(f.sigma, 0);
  EXPECT_EQ(f.history_days, 90);
  ExpectFinite(f);
}

TEST(ForecastTest, ShortHistoryFallsBackToTheMean) {
  const DemandForecast f = Forecast({3, 4, 5});
  EXPECT_EQ(f.method, ForecastMethod::kNone);
  EXPECT_DOUBLE_EQ(f.rate, 4);
  EXPECT_NEAR(f.sigma, std::sqrt(2.0 / 3), 1e-12);
  EXPECT_DOUBLE_EQ(f.UnitsOver(5), 20);
  ExpectFinite(f);
}

TEST(ForecastTest, SingleSaleFallsBackToTheMean) {
  std::vector<double> series(30, 0.0);
  series[10] = 6;
  const DemandForecast f = Forecast(series);
  EXPECT_EQ(f.method, ForecastMethod::kNone);
  EXPECT_DOUBLE_EQ(f.rate, 0.2);
  ExpectFinite(f);
}

TEST(ForecastTest, TwoSalesAreEnoughForCroston) {
  std::vector<double> series(30, 0.0);
  series[28] = 3;
  series[29] = 5;
  const DemandForecast f = Forecast(series);
  EXPECT_EQ(f.method, ForecastMethod::kCroston);
  ExpectFinite(f);
}

TEST(ForecastTest, RefusesNegativeAndNonFiniteValues) {
  for (double bad : {-1.0, std::numeric_limits<double>::quiet_NaN(),
                     std::numeric_limits<double>::infinity(), 1e13}) {
    std::vector<double> series(10, 1.0);
    series[3] = bad;
    auto f = ForecastDemand(series);
    ASSERT_FALSE(f.ok()) << bad;
    EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(f.status().field(), "daily_units[3]");
  }
}

TEST(ForecastTest, IntegerHistoryMatchesDoubleHistory) {
  std::vector<int64_t> units;
  std::vector<double> doubles;
  for (int t = 0; t < 40; ++t) {
    units.push_back(3 + t % 5);
    doubles.push_back(3 + t % 5);
  }
  auto a = ForecastDemand(units);
  auto b = ForecastDemand(doubles);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->method, b->method);
  EXPECT_EQ(a->rate, b->rate);
  EXPECT_EQ(a->sigma, b->sigma);

  std::vector<int64_t> negative = {1, 2, -3};
  EXPECT_FALSE(ForecastDemand(negative).ok());
}

TEST(ForecastTest, ClassifiesErraticAndLumpyDemand) {
  std::vector<double> erratic;
  for (int t = 0; t < 40; ++t) erratic.push_back(t % 4 == 0 ? 40 : 2);
  EXPECT_EQ(ClassifyDemand(erratic).pattern, DemandPattern::kErratic);

  std::vector<double> lumpy(40, 0.0);
  for (int t = 0; t < 40; t += 5) lumpy[t] = t % 10 == 0 ? 50 : 1;
  const DemandClass c = ClassifyDemand(lumpy);
  EXPECT_EQ(c.pattern, DemandPattern::kLumpy);
  EXPECT_DOUBLE_EQ(c.adi, 5);
  EXPECT_EQ(c.nonzero_days, 8);
  EXPECT_EQ(DemandPatternName(c.pattern), "lumpy");
}

TEST(ForecastTest, UnitsOverNeverCountsNegativeDays) {
  DemandForecast f;
  f.method = ForecastMethod::kHolt;
  f.level = 10;
  f.trend = -3;
  EXPECT_DOUBLE_EQ(f.UnitsOver(5), 7 + 4 + 1);
  EXPECT_EQ(f.UnitsOver(0), 0);
  EXPECT_EQ(f.UnitsOver(-4), 0);
}

TEST(ForecastTest, DecliningSeriesNeverForecastsNegativeDemand) {
  std::vector<double> series;
  for (int t = 0; t < 30; ++t) series.push_back(std::max(0.0, 30.0 - 1.0 * t));
  series.push_back(0);
  const DemandForecast f = Forecast(series);
  EXPECT_GE(f.rate, 0);
  EXPECT_GE(f.UnitsOver(14), 0);
  ExpectFinite(f);
}

TEST(ForecastTest, IsDeterministic) {
  std::mt19937 rng(7);
  std::poisson_distribution<int> sales(3);
  std::vector<double> series;
  for (int t = 0; t < 365; ++t) series.push_back(sales(rng));
  const DemandForecast a = Forecast(series);
  const DemandForecast b = Forecast(series);
  EXPECT_EQ(a.rate, b.rate);
  EXPECT_EQ(a.alpha, b.alpha);
  EXPECT_EQ(a.beta, b.beta);
  EXPECT_EQ(a.sigma, b.sigma);
  EXPECT_NEAR(a.rate, 3, 1.5);
}

}  // namespace
}  // namespace orderpilot::inventory
