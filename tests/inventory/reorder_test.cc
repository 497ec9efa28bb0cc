#include "inventory/reorder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "inventory/forecast.h"

namespace orderpilot::inventory {
namespace {

constexpr int64_t kNov20 = 20777;  // 2026-11-20

DemandForecast Flat(double rate, double sigma) {
  DemandForecast f;
  f.method = ForecastMethod::kHolt;
  f.rate = rate;
  f.level = rate;
  f.sigma = sigma;
  return f;
}

ReorderSuggestion Suggest(const DemandForecast& f, const StockPosition& stock,
                          const ReorderPolicy& policy) {
  auto s = SuggestReorder(f, stock, policy);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : ReorderSuggestion{};
}

TEST(InverseNormalCdfTest, MatchesKnownZScores) {
  EXPECT_NEAR(InverseNormalCdf(0.95), 1.6448536269514715, 1e-9);
  EXPECT_NEAR(InverseNormalCdf(0.99), 2.3263478740408408, 1e-9);
  EXPECT_NEAR(InverseNormalCdf(0.5), 0, 1e-15);
  EXPECT_NEAR(InverseNormalCdf(0.025), -1.9599639845400538, 1e-9);
  EXPECT_NEAR(InverseNormalCdf(1e-10), -6.361340902404056, 1e-8);
  EXPECT_NEAR(InverseNormalCdf(0.999999), 4.753424308817089, 1e-8);
  EXPECT_NEAR(InverseNormalCdf(0.3), -InverseNormalCdf(0.7), 1e-12);
}

TEST(InverseNormalCdfTest, HandlesTheEnds) {
  EXPECT_EQ(InverseNormalCdf(0), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(InverseNormalCdf(1), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(InverseNormalCdf(-0.1)));
  EXPECT_TRUE(std::isnan(InverseNormalCdf(1.5)));
  EXPECT_TRUE(std::isnan(InverseNormalCdf(std::numeric_limits<double>::quiet_NaN())));
}

// rate 10/day, sigma 2, lead time 4 days, 95%:
//   safety = ceil(1.6449 · 2 · 2) = ceil(6.58) = 7; reorder point = 40 + 7 = 47;
//   position = 30 − 5 + 10 = 35 <= 47; quantity = ceil(10 · 11) + 7 − 35 = 82.
TEST(ReorderTest, ComputesSafetyStockReorderPointAndQuantity) {
  const ReorderSuggestion s =
      Suggest(Flat(10, 2), {.today = kNov20, .on_hand = 30, .reserved = 5, .incoming_units = 10},
              {.lead_time_days = 4, .service_level = 0.95, .review_period_days = 7});
  EXPECT_EQ(s.safety_stock, 7);
  EXPECT_EQ(s.reorder_point, 47);
  EXPECT_EQ(s.incoming, 10);
  EXPECT_EQ(s.position, 35);
  EXPECT_TRUE(s.needs_reorder);
  EXPECT_EQ(s.quantity, 82);
  ASSERT_TRUE(s.order_by_day.has_value());
  EXPECT_EQ(*s.order_by_day, kNov20);  // already below
  ASSERT_TRUE(s.days_of_cover.has_value());
  EXPECT_NEAR(*s.days_of_cover, 3.5, 1e-9);
}

TEST(ReorderTest, ReasonNamesTheKeyNumbers) {
  const ReorderSuggestion s =
      Suggest(Flat(4.2, 1), {.today = kNov20, .on_hand = 12},
              {.lead_time_days = 7, .service_level = 0.95, .review_period_days = 7});
  // safety = ceil(1.6449 · sqrt(7)) = 5; reorder point = ceil(29.4) + 5 = 35;
  // quantity = ceil(58.8) + 5 − 12 = 52.
  EXPECT_EQ(s.reorder_point, 35);
  EXPECT_EQ(s.quantity, 52);
  EXPECT_EQ(s.reason,
            "sells ~4.2/day; 12 on hand + 0 incoming cover 2.9 days; lead time 7 days → order 52 "
            "by 2026-11-20");
}

TEST(ReorderTest, ReasonShowsReservedUnits) {
  const ReorderSuggestion s =
      Suggest(Flat(2, 0), {.today = kNov20, .on_hand = 15, .reserved = 3}, {.lead_time_days = 5});
  EXPECT_NE(s.reason.find("15 on hand - 3 reserved + 0 incoming cover 6.0 days"), std::string::npos)
      << s.reason;
}

TEST(ReorderTest, RoundsUpToPacksAndMinimumOrder) {
  const StockPosition stock{.today = kNov20, .on_hand = 30, .reserved = 5, .incoming_units = 10};
  ReorderPolicy policy{.lead_time_days = 4, .service_level = 0.95, .pack_size = 12};
  EXPECT_EQ(Suggest(Flat(10, 2), stock, policy).quantity, 84);  // 82 → 7 packs
  policy.min_order_quantity = 100;
  EXPECT_EQ(Suggest(Flat(10, 2), stock, policy).quantity, 108);  // 100 → 9 packs
  policy.pack_size = 0;
  EXPECT_EQ(Suggest(Flat(10, 2), stock, policy).quantity, 100);
}

TEST(ReorderTest, NoReorderWhenPositionIsHigh) {
  const ReorderSuggestion s =
      Suggest(Flat(10, 2), {.today = kNov20, .on_hand = 200},
              {.lead_time_days = 4, .service_level = 0.95, .pack_size = 12});
  EXPECT_EQ(s.reorder_point, 47);
  EXPECT_FALSE(s.needs_reorder);
  EXPECT_EQ(s.quantity, 0);
  // 200 − 10·h <= 47 first for h = 16.
  ASSERT_TRUE(s.order_by_day.has_value());
  EXPECT_EQ(*s.order_by_day, kNov20 + 16);
  EXPECT_NEAR(*s.days_of_cover, 20, 1e-9);
  EXPECT_NE(s.reason.find("no order needed before 2026-12-06 (reorder point 47)"),
            std::string::npos)
      << s.reason;
}

TEST(ReorderTest, PositionExactlyAtReorderPointReorders) {
  const ReorderSuggestion s =
      Suggest(Flat(10, 0), {.today = kNov20, .on_hand = 40}, {.lead_time_days = 4});
  EXPECT_EQ(s.reorder_point, 40);
  EXPECT_TRUE(s.needs_reorder);
  EXPECT_EQ(s.quantity, 70);  // ceil(10 · 11) − 40
  EXPECT_EQ(*s.order_by_day, kNov20);
}

TEST(ReorderTest, OrderByFollowsTheTrend) {
  DemandForecast f;
  f.method = ForecastMethod::kHolt;
  f.level = 10;
  f.trend = 1;  // day h sells 10 + h
  f.rate = 11;
  // Lead time 2: reorder point = 11 + 12 = 23. Position 100 after h days: 100 − Σ(10 + i).
  // h = 5: 100 − 65 = 35; h = 6: 100 − 81 = 19 <= 23.
  const ReorderSuggestion s = Suggest(f, {.today = kNov20, .on_hand = 100}, {.lead_time_days = 2});
  EXPECT_EQ(s.reorder_point, 23);
  EXPECT_FALSE(s.needs_reorder);
  EXPECT_EQ(*s.order_by_day, kNov20 + 6);
  // Used up during day 7 (81 + 17 = 98, 2 more of day 8's 18).
  EXPECT_NEAR(*s.days_of_cover, 7 + 2.0 / 18, 1e-9);
}

TEST(ReorderTest, CountsOnlyReceiptsWithinTheLeadTime) {
  const StockPosition stock{
      .today = kNov20,
      .on_hand = 10,
      .incoming_units = 5,
      .incoming = {{.day = kNov20 - 2, .units = 3},  // late, still coming
                   {.day = kNov20 + 4, .units = 20},
                   {.day = kNov20 + 5, .units = 100}}};  // after the lead time
  const ReorderSuggestion s = Suggest(Flat(1, 0), stock, {.lead_time_days = 4});
  EXPECT_EQ(s.incoming, 28);
  EXPECT_EQ(s.position, 38);
}

TEST(ReorderTest, NoDemandMeansNoOrder) {
  const ReorderSuggestion s = Suggest(DemandForecast{}, {.today = kNov20}, {.lead_time_days = 7});
  EXPECT_EQ(s.reorder_point, 0);
  EXPECT_FALSE(s.needs_reorder);
  EXPECT_EQ(s.quantity, 0);
  EXPECT_FALSE(s.days_of_cover.has_value() && *s.days_of_cover > 0);
  EXPECT_EQ(s.reason,
            "no sales forecast; 0 on hand + 0 incoming; lead time 7 days → no order needed");
}

TEST(ReorderTest, SlowMoverCoversBeyondTheHorizon) {
  const ReorderSuggestion s =
      Suggest(Flat(0.01, 0.1), {.today = kNov20, .on_hand = 50}, {.lead_time_days = 7});
  EXPECT_FALSE(s.needs_reorder);
  EXPECT_FALSE(s.days_of_cover.has_value());
  EXPECT_FALSE(s.order_by_day.has_value());
  EXPECT_NE(s.reason.find("sells ~0.01/day"), std::string::npos) << s.reason;
  EXPECT_NE(s.reason.find("cover over 730 days"), std::string::npos) << s.reason;
}

TEST(ReorderTest, LowServiceLevelNeverGivesNegativeSafetyStock) {
  const ReorderSuggestion s =
      Suggest(Flat(10, 5), {.today = kNov20}, {.lead_time_days = 4, .service_level = 0.2});
  EXPECT_EQ(s.safety_stock, 0);
  EXPECT_EQ(s.reorder_point, 40);
}

TEST(ReorderTest, FlatForecastFromHistoryHasNoRoundingNoise) {
  auto f = ForecastDemand(std::vector<double>(60, 10.0));
  ASSERT_TRUE(f.ok());
  const ReorderSuggestion s =
      Suggest(*f, {.today = kNov20, .on_hand = 100}, {.lead_time_days = 7, .service_level = 0.99});
  EXPECT_EQ(s.safety_stock, 0);
  EXPECT_EQ(s.reorder_point, 70);
  EXPECT_EQ(*s.order_by_day, kNov20 + 3);
}

TEST(ReorderTest, RefusesBadInput) {
  const DemandForecast f = Flat(1, 1);
  struct Case {
    StockPosition stock;
    ReorderPolicy policy;
    const char* field;
  };
  const std::vector<Case> cases = {
      {{}, {.service_level = 1.0}, "service_level"},
      {{}, {.service_level = 95}, "service_level"},
      {{}, {.service_level = 0}, "service_level"},
      {{}, {.lead_time_days = -1}, "lead_time_days"},
      {{}, {.review_period_days = -1}, "review_period_days"},
      {{}, {.min_order_quantity = -1}, "min_order_quantity"},
      {{}, {.pack_size = -6}, "pack_size"},
      {{.on_hand = -1}, {}, "on_hand"},
      {{.reserved = -1}, {}, "reserved"},
      {{.incoming_units = -1}, {}, "incoming_units"},
      {{.incoming = {{.day = 1, .units = 2}, {.day = 1, .units = -2}}}, {}, "incoming[1].units"},
  };
  for (const Case& c : cases) {
    auto s = SuggestReorder(f, c.stock, c.policy);
    ASSERT_FALSE(s.ok()) << c.field;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.status().field(), c.field);
  }
  DemandForecast nan_sigma = f;
  nan_sigma.sigma = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(SuggestReorder(nan_sigma, {}, {}).ok());
}

}  // namespace
}  // namespace orderpilot::inventory
