// The fraud screen inside the pipeline, against a real SQLite store: scores and reasons on the
// timeline, each autonomy level of fraud_hold and fraud_cancel, the review item's context, rules
// reading `risk`, and a person reversing an automatic cancellation.
#include <gtest/gtest.h>

#include "pipeline/pipeline.h"
#include "pipeline_fixture.h"  // NOLINT(build/include_subdir)
#include "review/policy.h"
#include "risk/screen.h"
#include "rules/engine.h"
#include "rules/order_env.h"
#include "rules/rule_set.h"

namespace orderpilot::pipeline {
namespace {

// An order with many tells: an account a few seconds old, a random-looking address at a
// disposable domain, billing in another country, failed AVS and CVV, failed payments first.
Order RiskyOrder(const std::string& id, int64_t total_cents, Timestamp now) {
  Order o = MakeOrder(id, true);
  o.created_at = now;
  o.customer.created_at = Timestamp{now.micros - 4'000'000};
  o.customer.email = o.email = "xk7qz9v2pl@mailinator.com";
  Address billing = *o.shipping_address;
  billing.country_code = "RO";
  billing.zip = "010011";
  billing.last_name = "Popescu";
  o.billing_address = billing;
  o.payment.avs_result_code = "N";
  o.payment.cvv_result_code = "N";
  o.payment.failed_attempts = 3;
  o.line_items[0].unit_price = Usd(total_cents / 2 - 250);
  o.totals = {Usd(total_cents - 500), Usd(0), Usd(500), Usd(0), Usd(total_cents)};
  return o;
}

Order CleanOrder(const std::string& id, Timestamp now) {
  Order o = MakeOrder(id, true);
  o.created_at = now;
  o.customer.created_at = Timestamp{now.micros - 400LL * 86'400'000'000};
  o.customer.orders_count = 6;
  o.customer.email = o.email = "grace.hopper@example.com";
  o.billing_address = o.shipping_address;
  o.payment.avs_result_code = "Y";
  o.payment.cvv_result_code = "M";
  return o;
}

class ScreeningTest : public PipelineTest {
 protected:
  void SetUp() override {
    PipelineTest::SetUp();
    auto screen = risk::RiskScreen::Create(risk::SignalConfig{}, nullptr);
    ASSERT_TRUE(screen.ok()) << screen.status().ToString();
    screen_ = std::move(*screen);
  }
  void Level(std::string_view kind, review::Autonomy level, double min_confidence = 0.95,
             std::string max_money = "0") {
    review::KindPolicy k;
    k.level = level;
    k.min_confidence = min_confidence;
    k.max_money = std::move(max_money);
    ASSERT_TRUE(autonomy_.Set(kind, k).ok());
  }
  void Process(OrderId id, const rules::RuleEngine* rules = nullptr) {
    PipelineOptions o;
    o.autonomy = &autonomy_;
    o.rules = rules;
    o.screen.screen = screen_.get();
    o.screen.hold_above = 0.5;
    o.screen.cancel_above = 0.9;
    Pipeline p(*store_, clock_, o);
    ASSERT_TRUE(p.Start().ok());
    p.Enqueue(id);
    ASSERT_TRUE(p.WaitIdle(std::chrono::seconds(10)));
  }
  store::OrderState State(OrderId id) { return store_->GetOrder(id)->state; }
  std::vector<store::ReviewRecord> Reviews(OrderId id) {
    store::ReviewFilter f;
    f.order_id = id;
    auto page = store_->ListReviews(f, 100, std::nullopt);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->items : std::vector<store::ReviewRecord>{};
  }
  const store::Event* Find(const std::vector<store::Event>& events, std::string_view type) {
    for (const auto& e : events) {
      if (e.type == type) return &e;
    }
    return nullptr;
  }

  std::unique_ptr<risk::RiskScreen> screen_;
  review::AutonomyPolicy autonomy_;
};

TEST_F(ScreeningTest, CleanOrderIsScoredAndAccepted) {
  OrderId id = Ingest(CleanOrder("1", clock_.Now()));
  Process(id);
  EXPECT_EQ(State(id), store::OrderState::kAccepted);
  auto events = *store_->ReadStream(store::OrderStream(id));
  const store::Event* scored = Find(events, "order.risk_scored");
  ASSERT_NE(scored, nullptr);
  EXPECT_NE(scored->payload.find("\"model\":\"weighted\""), std::string::npos) << scored->payload;
  EXPECT_NE(scored->payload.find("no trained model"), std::string::npos);
  EXPECT_NE(scored->payload.find("\"velocity_device_1h\":null"), std::string::npos);
  EXPECT_TRUE(Reviews(id).empty());
}

TEST_F(ScreeningTest, VeryRiskyOrderWaitsForAPersonUnderSuggest) {
  OrderId id = Ingest(RiskyOrder("2", 3000, clock_.Now()));
  Process(id);
  EXPECT_EQ(State(id), store::OrderState::kHeld);
  auto reviews = Reviews(id);
  ASSERT_EQ(reviews.size(), 1u);
  const store::ReviewRecord& r = reviews[0];
  EXPECT_EQ(r.kind, "fraud_cancel");
  EXPECT_EQ(r.proposal, "cancel the order as fraud");
  EXPECT_GE(r.confidence, 0.9);
  EXPECT_EQ(r.money_minor, 3000);
  EXPECT_EQ(r.currency, "USD");
  ASSERT_TRUE(r.sla_due_at.has_value());
  EXPECT_EQ(r.sla_due_at->micros - r.created_at.micros, int64_t{4 * 3600} * 1'000'000);
  // Reasons in words, the policy that asked, and the order's context.
  EXPECT_NE(r.reason.find("after the account was created"), std::string::npos) << r.reason;
  EXPECT_NE(r.detail_json.find("suggest: a person decides every fraud_cancel"), std::string::npos)
      << r.detail_json;
  EXPECT_NE(r.detail_json.find("\"order\":{\"number\":\"#2\""), std::string::npos) << r.detail_json;
}

TEST_F(ScreeningTest, AutoCancelsAndRecordsAnAutomaticDecision) {
  Level("fraud_cancel", review::Autonomy::kAuto);
  OrderId id = Ingest(RiskyOrder("3", 3000, clock_.Now()));
  Process(id);
  EXPECT_EQ(State(id), store::OrderState::kCancelled);
  auto reviews = Reviews(id);
  ASSERT_EQ(reviews.size(), 1u);
  EXPECT_EQ(reviews[0].status, store::ReviewStatus::kAutoApplied);
  EXPECT_EQ(reviews[0].kind, "fraud_cancel");
  auto types = EventTypes(id);
  EXPECT_NE(std::find(types.begin(), types.end(), "decision.applied"), types.end());
}

TEST_F(ScreeningTest, AutoBelowAppliesOnlyWithinItsMoneyLimit) {
  Level("fraud_cancel", review::Autonomy::kAutoBelow, 0.9, "50.00");
  OrderId cheap = Ingest(RiskyOrder("4", 3000, clock_.Now()));
  OrderId dear = Ingest(RiskyOrder("5", 90000, clock_.Now()));
  Process(cheap);
  Process(dear);
  EXPECT_EQ(State(cheap), store::OrderState::kCancelled);
  EXPECT_EQ(State(dear), store::OrderState::kHeld);
  auto reviews = Reviews(dear);
  ASSERT_EQ(reviews.size(), 1u);
  EXPECT_NE(reviews[0].detail_json.find("900.00 USD > 50.00 USD"), std::string::npos)
      << reviews[0].detail_json;
}

TEST_F(ScreeningTest, AutoBelowAsksAPersonWhenNotConfidentEnough) {
  Level("fraud_cancel", review::Autonomy::kAutoBelow, 1.0, "");
  OrderId id = Ingest(RiskyOrder("6", 3000, clock_.Now()));
  Process(id);
  EXPECT_EQ(State(id), store::OrderState::kHeld);
}

TEST_F(ScreeningTest, CancelOffFallsBackToTheHoldBand) {
  Level("fraud_cancel", review::Autonomy::kOff);
  OrderId id = Ingest(RiskyOrder("7", 3000, clock_.Now()));
  Process(id);
  EXPECT_EQ(State(id), store::OrderState::kHeld);
  auto reviews = Reviews(id);
  ASSERT_EQ(reviews.size(), 1u);
  EXPECT_EQ(reviews[0].kind, "fraud_hold");
  EXPECT_EQ(reviews[0].proposal, "release the order after a fraud check");
  EXPECT_LE(reviews[0].confidence, 0.1);  // 1 − score
}

TEST_F(ScreeningTest, HoldOffAndCancelOffLetTheOrderThrough) {
  Level("fraud_cancel", review::Autonomy::kOff);
  Level("fraud_hold", review::Autonomy::kOff);
  OrderId id = Ingest(RiskyOrder("8", 3000, clock_.Now()));
  Process(id);
  EXPECT_EQ(State(id), store::OrderState::kAccepted);
  EXPECT_TRUE(Reviews(id).empty());
}

TEST_F(ScreeningTest, HoldAutoReleasesAndRecordsIt) {
  Level("fraud_cancel", review::Autonomy::kOff);
  Level("fraud_hold", review::Autonomy::kAuto);
  OrderId id = Ingest(RiskyOrder("9", 3000, clock_.Now()));
  Process(id);
  EXPECT_EQ(State(id), store::OrderState::kAccepted);
  auto reviews = Reviews(id);
  ASSERT_EQ(reviews.size(), 1u);
  EXPECT_EQ(reviews[0].status, store::ReviewStatus::kAutoApplied);
  EXPECT_EQ(reviews[0].kind, "fraud_hold");
}

TEST_F(ScreeningTest, RulesReadTheScoreAndSignals) {
  rules::OrderEnv env;
  rules::RuleEngine engine(env);
  auto set = rules::ParseRuleSet(R"(
- name: tag-new-accounts
  on: order.risk_scored
  when: 'risk.model == "weighted" && risk.score > 0.5 && risk.signals.account_age_s < 60.0'
  do:
    - add_tag: fresh-account
- name: no-device
  on: order.risk_scored
  when: '!has(risk.signals.velocity_device_1h)'
  do:
    - add_tag: no-device
)",
                                 "test.yaml", env);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  engine.Swap(*set);
  OrderId id = Ingest(RiskyOrder("10", 3000, clock_.Now()));
  Process(id, &engine);
  auto order = DecodeOrder(store_->GetOrder(id)->order_json);
  ASSERT_TRUE(order.ok());
  EXPECT_NE(std::find(order->tags.begin(), order->tags.end(), "fresh-account"), order->tags.end());
  EXPECT_NE(std::find(order->tags.begin(), order->tags.end(), "no-device"), order->tags.end());
}

TEST_F(ScreeningTest, APersonReversesAnAutomaticCancellation) {
  Level("fraud_cancel", review::Autonomy::kAuto);
  OrderId id = Ingest(RiskyOrder("11", 3000, clock_.Now()));
  Process(id);
  ASSERT_EQ(State(id), store::OrderState::kCancelled);
  auto reviews = Reviews(id);
  ASSERT_EQ(reviews.size(), 1u);
  store::ReviewReversal r;
  r.review_id = reviews[0].id;
  r.who = "alice";
  r.comment = "known customer, called them";
  ASSERT_TRUE(store_->Reverse(r).ok());
  EXPECT_EQ(State(id), store::OrderState::kAccepted);
  auto stats = store_->ReviewStats(Timestamp{0});
  ASSERT_TRUE(stats.ok());
  int64_t reversed = 0;
  for (const auto& s : *stats) {
    if (s.kind == "fraud_cancel") reversed += s.reversed;
  }
  EXPECT_EQ(reversed, 1);
  // The record suggests lowering auto to auto_below.
  auto suggestions = autonomy_.Suggest(*stats);
  bool lowered = false;
  for (const auto& s : suggestions) {
    lowered = lowered || (s.kind == "fraud_cancel" && s.suggested == review::Autonomy::kAutoBelow);
  }
  EXPECT_TRUE(lowered);
}

}  // namespace
}  // namespace orderpilot::pipeline
