// Autonomy levels per decision kind, SLA deadlines, and the earned-autonomy suggestions.
#include "review/policy.h"

#include <gtest/gtest.h>

namespace orderpilot::review {
namespace {

Money Usd(int64_t cents) { return Money(cents, *Currency::Parse("USD")); }

KindPolicy Level(Autonomy a, double min_confidence = 0.95, std::string max_money = "0") {
  KindPolicy k;
  k.level = a;
  k.min_confidence = min_confidence;
  k.max_money = std::move(max_money);
  return k;
}

TEST(AutonomyPolicyTest, DefaultsAskAPersonExceptForBackorders) {
  AutonomyPolicy p;
  EXPECT_EQ(p.Decide("fraud_cancel", 1.0, Usd(0)).verdict, Verdict::kAskPerson);
  EXPECT_EQ(p.Decide("substitute_sku", 1.0, Usd(0)).verdict, Verdict::kAskPerson);
  EXPECT_EQ(p.Decide("backorder", 0.6, Usd(100000)).verdict, Verdict::kApply);
  EXPECT_EQ(p.Decide("something_new", 1.0, Usd(0)).verdict, Verdict::kAskPerson);
}

TEST(AutonomyPolicyTest, OffNeverTakesTheDecision) {
  AutonomyPolicy p;
  ASSERT_TRUE(p.Set("fraud_cancel", Level(Autonomy::kOff)).ok());
  PolicyOutcome o = p.Decide("fraud_cancel", 1.0, Usd(1));
  EXPECT_EQ(o.verdict, Verdict::kSkip);
  EXPECT_NE(o.why.find("off"), std::string::npos);
}

TEST(AutonomyPolicyTest, AutoAppliesWhateverTheConfidenceAndMoney) {
  AutonomyPolicy p;
  ASSERT_TRUE(p.Set("fraud_cancel", Level(Autonomy::kAuto)).ok());
  EXPECT_EQ(p.Decide("fraud_cancel", 0.01, Usd(99999999)).verdict, Verdict::kApply);
}

TEST(AutonomyPolicyTest, AutoBelowNeedsBothConfidenceAndASmallAmount) {
  AutonomyPolicy p;
  ASSERT_TRUE(p.Set("fraud_cancel", Level(Autonomy::kAutoBelow, 0.9, "100.00")).ok());
  PolicyOutcome yes = p.Decide("fraud_cancel", 0.95, Usd(10000));
  EXPECT_EQ(yes.verdict, Verdict::kApply);
  EXPECT_EQ(yes.why, "auto_below: confidence 0.95 >= 0.90 and 100.00 USD <= 100.00 USD");
  EXPECT_EQ(p.Decide("fraud_cancel", 0.95, Usd(10001)).verdict, Verdict::kAskPerson);
  EXPECT_EQ(p.Decide("fraud_cancel", 0.89, Usd(100)).verdict, Verdict::kAskPerson);
}

TEST(AutonomyPolicyTest, AutoBelowWithoutAMoneyLimitLooksAtConfidenceOnly) {
  AutonomyPolicy p;
  ASSERT_TRUE(p.Set("substitute_sku", Level(Autonomy::kAutoBelow, 0.8, "")).ok());
  EXPECT_EQ(p.Decide("substitute_sku", 0.8, Usd(5'000'000)).verdict, Verdict::kApply);
}

TEST(AutonomyPolicyTest, MoneyLimitIsReadInTheItemsCurrency) {
  AutonomyPolicy p;
  ASSERT_TRUE(p.Set("fraud_cancel", Level(Autonomy::kAutoBelow, 0.5, "100")).ok());
  Money yen(100, *Currency::Parse("JPY"));  // ¥100, JPY has no minor unit
  EXPECT_EQ(p.Decide("fraud_cancel", 0.9, yen).verdict, Verdict::kApply);
  Money more(101, *Currency::Parse("JPY"));
  EXPECT_EQ(p.Decide("fraud_cancel", 0.9, more).verdict, Verdict::kAskPerson);
}

TEST(AutonomyPolicyTest, RefusesBadSettings) {
  AutonomyPolicy p;
  EXPECT_FALSE(p.Set("fraud_cancle", Level(Autonomy::kAuto)).ok());
  EXPECT_FALSE(p.Set("order_hold", Level(Autonomy::kAuto)).ok());  // a person by its nature
  EXPECT_FALSE(p.Set("fraud_cancel", Level(Autonomy::kAutoBelow, 1.5)).ok());
  EXPECT_FALSE(p.Set("fraud_cancel", Level(Autonomy::kAutoBelow, 0.9, "lots")).ok());
  KindPolicy negative;
  negative.sla = std::chrono::seconds(-1);
  EXPECT_FALSE(p.Set("fraud_cancel", negative).ok());
  EXPECT_TRUE(p.Set("order_hold", Level(Autonomy::kSuggest)).ok());
}

TEST(AutonomyPolicyTest, SlaDueFollowsTheKindsSla) {
  AutonomyPolicy p;
  KindPolicy k;
  k.sla = std::chrono::seconds(1800);
  ASSERT_TRUE(p.Set("fraud_hold", k).ok());
  EXPECT_EQ(p.SlaDue("fraud_hold", Timestamp{1'000'000})->micros, 1'000'000 + 1800'000'000LL);
  k.sla = std::chrono::seconds(0);
  ASSERT_TRUE(p.Set("fraud_hold", k).ok());
  EXPECT_FALSE(p.SlaDue("fraud_hold", Timestamp{1}).has_value());
}

store::ReviewKindStats Stats(std::string kind, std::string rule, int64_t people, int64_t unchanged,
                             int64_t automatic = 0, int64_t reversed = 0) {
  store::ReviewKindStats s;
  s.kind = std::move(kind);
  s.rule = std::move(rule);
  s.human_decisions = people;
  s.approved_unchanged = unchanged;
  s.automatic = automatic;
  s.reversed = reversed;
  return s;
}

std::optional<AutonomySuggestion> For(const std::vector<AutonomySuggestion>& all,
                                      std::string_view kind) {
  for (const auto& s : all) {
    if (s.kind == kind) return s;
  }
  return std::nullopt;
}

TEST(AutonomyPolicyTest, SuggestsRaisingAfter200DecisionsApprovedUnchanged) {
  AutonomyPolicy p;
  // Per-rule rows add up: 150 + 60 = 210 decisions, 207 unchanged (98.6%).
  auto s = p.Suggest({Stats("cancel_order", "fraud-rule", 150, 148),
                      Stats("cancel_order", "chargeback-rule", 60, 59)});
  auto c = For(s, "cancel_order");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->suggested, Autonomy::kAutoBelow);
  EXPECT_NE(c->why.find("98.6% of 210"), std::string::npos) << c->why;
}

TEST(AutonomyPolicyTest, KeepsTheLevelBelowTheThresholds) {
  AutonomyPolicy p;
  auto few = For(p.Suggest({Stats("fraud_hold", "", 199, 199)}), "fraud_hold");
  EXPECT_FALSE(few->suggested.has_value());
  EXPECT_NE(few->why.find("200 needed"), std::string::npos);
  auto disputed = For(p.Suggest({Stats("fraud_hold", "", 300, 290)}), "fraud_hold");
  EXPECT_FALSE(disputed->suggested.has_value());
  auto person = For(p.Suggest({Stats("order_hold", "", 1000, 1000)}), "order_hold");
  EXPECT_FALSE(person->suggested.has_value());
}

TEST(AutonomyPolicyTest, SuggestsLoweringWhenAutomaticDecisionsAreReversed) {
  AutonomyPolicy p;
  ASSERT_TRUE(p.Set("fraud_cancel", Level(Autonomy::kAuto)).ok());
  auto s = For(p.Suggest({Stats("fraud_cancel", "", 0, 0, 40, 3)}), "fraud_cancel");
  EXPECT_EQ(s->suggested, Autonomy::kAutoBelow);
  EXPECT_NE(s->why.find("3 of 40"), std::string::npos) << s->why;
  ASSERT_TRUE(p.Set("fraud_cancel", Level(Autonomy::kAutoBelow)).ok());
  s = For(p.Suggest({Stats("fraud_cancel", "", 0, 0, 40, 3)}), "fraud_cancel");
  EXPECT_EQ(s->suggested, Autonomy::kSuggest);
}

}  // namespace
}  // namespace orderpilot::review
