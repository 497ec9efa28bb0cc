// Automation rules inside the pipeline, against a real SQLite store: every action becomes an
// event naming its rule, state changes go through the store, side effects land in the outbox,
// runtime errors and loops are recorded instead of crashing or spinning.
#include <gtest/gtest.h>

#include "pipeline/pipeline.h"
#include "pipeline_fixture.h"  // NOLINT(build/include_subdir)
#include "rules/engine.h"
#include "rules/order_env.h"
#include "rules/rule_set.h"

namespace orderpilot::pipeline {
namespace {

class RulesPipelineTest : public PipelineTest {
 protected:
  void UseRules(std::string_view yaml) {
    auto set = rules::ParseRuleSet(yaml, "test.yaml", env_);
    ASSERT_TRUE(set.ok()) << set.status().ToString();
    engine_.Swap(*set);
  }
  // Runs the pipeline over `id` until idle.
  void Process(OrderId id, bool auto_cancel = false) {
    PipelineOptions o;
    o.rules = &engine_;
    review::AutonomyPolicy autonomy;
    if (auto_cancel) {
      review::KindPolicy k;
      k.level = review::Autonomy::kAuto;
      ASSERT_TRUE(autonomy.Set("cancel_order", k).ok());
    }
    o.autonomy = &autonomy;
    Pipeline p(*store_, clock_, o);
    ASSERT_TRUE(p.Start().ok());
    p.Enqueue(id);
    ASSERT_TRUE(p.WaitIdle(std::chrono::seconds(10)));
  }
  std::vector<store::Event> Events(OrderId id) {
    auto events = store_->ReadStream(store::OrderStream(id));
    EXPECT_TRUE(events.ok());
    return events.ok() ? *events : std::vector<store::Event>{};
  }
  const store::Event* Find(const std::vector<store::Event>& events, std::string_view type) {
    for (const auto& e : events) {
      if (e.type == type) return &e;
    }
    return nullptr;
  }
  // The channel cancels `o` (as an orders/cancelled webhook would).
  void IngestCancel(const Order& o) {
    store::Delivery d;
    d.channel = o.channel;
    d.shop = o.shop;
    d.received_at = clock_.Now();
    d.kind = store::DeliveryKind::kOrderCancel;
    d.event_type = "order.cancelled";
    d.channel_order_id = o.channel_order_id;
    d.payload_json = EncodeOrder(o);
    d.order = o;
    d.actor = "shopify";
    ASSERT_TRUE(store_->Ingest(d).ok());
  }
  int Count(OrderId id, std::string_view type) {
    int n = 0;
    for (const auto& e : Events(id)) n += e.type == type;
    return n;
  }

  rules::OrderEnv env_;
  rules::RuleEngine engine_{env_};
};

TEST_F(RulesPipelineTest, EveryActionIsAnEventNamingItsRule) {
  UseRules(R"(
- name: everything
  on: order.accepted
  when: 'order.total > money("10.00", order.currency)'
  do:
    - add_tag: priority
    - set_priority: high
    - set_shipping_speed: express
    - set_note: "wrap it"
    - route_to: reno
    - choose_service: ups-ground
    - notify: {template: vip-thanks, to: customer}
    - call_webhook: {url: "http://127.0.0.1:9/hook"}
)");
  OrderId id = Ingest(MakeOrder("1", true));
  Process(id);
  auto events = Events(id);
  for (const char* type :
       {"rule.fired", "order.tag_added", "order.priority_set", "order.shipping_speed_set",
        "order.note_set", "order.route_override", "order.carrier_override",
        "notification.requested", "webhook.requested"}) {
    const store::Event* e = Find(events, type);
    ASSERT_NE(e, nullptr) << type;
    EXPECT_EQ(e->actor, "rule:everything") << type;
    EXPECT_NE(e->payload.find("everything"), std::string::npos) << type << " " << e->payload;
  }
  auto record = store_->GetOrder(id);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->state, store::OrderState::kAccepted);
  EXPECT_EQ(record->priority, "high");
  EXPECT_EQ(record->shipping_speed, "express");
  EXPECT_EQ(record->route_location, "reno");
  EXPECT_EQ(record->carrier_service, "ups-ground");
  EXPECT_EQ(record->rules_version, record->version);
  auto order = DecodeOrder(record->order_json);
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(order->tags, std::vector<std::string>{"priority"});
  EXPECT_EQ(order->note, "wrap it");
  auto outbox = store_->ListOutbox(10);
  ASSERT_TRUE(outbox.ok());
  ASSERT_EQ(outbox->size(), 2u);
  EXPECT_EQ((*outbox)[0].message.kind, "webhook");
  EXPECT_EQ((*outbox)[0].message.destination, "http://127.0.0.1:9/hook");
  EXPECT_EQ((*outbox)[1].message.kind, "notification");
  EXPECT_NE((*outbox)[1].message.payload.find("\"to\":\"customer\""), std::string::npos);
}

TEST_F(RulesPipelineTest, ConditionThatDoesNotHoldFiresNothing) {
  UseRules(R"(
- name: big-orders
  on: order.accepted
  when: 'order.total > money("1000.00", order.currency)'
  do: [{add_tag: big}]
)");
  OrderId id = Ingest(MakeOrder("1", true));
  Process(id);
  EXPECT_EQ(Count(id, "rule.fired"), 0);
  EXPECT_EQ(Count(id, "order.tag_added"), 0);
}

TEST_F(RulesPipelineTest, RemoveTagRemovesATagAnEarlierRuleAdded) {
  UseRules(R"(
- name: add
  on: order.validated
  do: [{add_tag: review-me}]
- name: remove
  on: order.accepted
  when: '"review-me" in order.tags'
  do: [{remove_tag: review-me}]
)");
  OrderId id = Ingest(MakeOrder("1", true));
  Process(id);
  EXPECT_EQ(Count(id, "order.tag_added"), 1);
  EXPECT_EQ(Count(id, "order.tag_removed"), 1);
  EXPECT_TRUE(DecodeOrder(store_->GetOrder(id)->order_json)->tags.empty());
}

TEST_F(RulesPipelineTest, HoldOpensAReviewAndApprovalReachesTheAcceptedRules) {
  UseRules(R"(
- name: many-units
  on: order.validated
  when: 'order.line_items.exists(l, l.quantity >= 2)'
  do: [{hold: "2 or more units of one SKU"}]
- name: after-approval
  on: order.accepted
  do: [{add_tag: approved-by-person}]
)");
  OrderId id = Ingest(MakeOrder("1", true));
  Process(id);
  EXPECT_EQ(store_->GetOrder(id)->state, store::OrderState::kHeld);
  auto reviews = store_->ListReviews(store::ReviewStatus::kOpen, 10, std::nullopt);
  ASSERT_TRUE(reviews.ok());
  ASSERT_EQ(reviews->items.size(), 1u);
  EXPECT_EQ(reviews->items[0].kind, "rule_hold");
  EXPECT_NE(reviews->items[0].reason.find("2 or more units"), std::string::npos);
  // The steps accepted the order before the rule held it; the accepted-rule ran then too.
  int tags_before = Count(id, "order.tag_added");

  store::ReviewDecision d{reviews->items[0].id, true, "ops", "fine"};
  ASSERT_TRUE(store_->Decide(d).ok());
  Process(id);  // the review's order.accepted meets the rules
  EXPECT_EQ(store_->GetOrder(id)->state, store::OrderState::kAccepted);
  EXPECT_GE(Count(id, "order.tag_added"), tags_before);
  EXPECT_EQ(store_->GetOrder(id)->rules_version, store_->GetOrder(id)->version);
}

TEST_F(RulesPipelineTest, ReleaseHoldAcceptsAnOrderTheStepsHeld) {
  UseRules(R"(
- name: trusted-shop
  on: order.held
  when: 'order.shop == "default"'
  do: [{release_hold: "trusted shop"}]
)");
  OrderId id = Ingest(MakeOrder("1", false));  // totals do not add up: the steps hold it
  Process(id);
  EXPECT_EQ(store_->GetOrder(id)->state, store::OrderState::kAccepted);
  EXPECT_EQ(Count(id, "order.hold_released"), 1);
  auto reviews = store_->ListReviews(store::ReviewStatus::kOpen, 10, std::nullopt);
  EXPECT_TRUE(reviews->items.empty());
}

TEST_F(RulesPipelineTest, CancelGoesThroughReviewByDefault) {
  UseRules(R"(
- name: no-po-boxes
  on: order.accepted
  when: 'order.shipping_address.address1.lowerAscii().startsWith("2 navy")'
  do: [{cancel: "we do not ship to naval bases"}]
)");
  OrderId id = Ingest(MakeOrder("1", true));
  Process(id);
  EXPECT_EQ(store_->GetOrder(id)->state, store::OrderState::kHeld);
  EXPECT_EQ(Count(id, "order.cancel_proposed"), 1);
  auto reviews = store_->ListReviews(store::ReviewStatus::kOpen, 10, std::nullopt);
  ASSERT_EQ(reviews->items.size(), 1u);
  EXPECT_EQ(reviews->items[0].kind, "cancel_order");
  // Approving a proposed cancellation cancels the order.
  ASSERT_TRUE(store_->Decide({reviews->items[0].id, true, "ops", ""}).ok());
  EXPECT_EQ(store_->GetOrder(id)->state, store::OrderState::kCancelled);
}

TEST_F(RulesPipelineTest, CancelAppliesAtOnceWhenThePolicyAllows) {
  UseRules(R"(
- name: cancel-it
  on: order.accepted
  do: [{cancel: "test"}]
- name: on-cancel
  on: order.cancelled
  do: [{call_webhook: {url: "http://127.0.0.1:9/cancelled"}}]
)");
  OrderId id = Ingest(MakeOrder("1", true));
  Process(id, /*auto_cancel=*/true);
  EXPECT_EQ(store_->GetOrder(id)->state, store::OrderState::kCancelled);
  EXPECT_EQ(Count(id, "order.cancelled"), 1);
  EXPECT_EQ(Count(id, "webhook.requested"), 1);
}

TEST_F(RulesPipelineTest, RuntimeErrorIsRecordedAndTheRuleDoesNotFire) {
  UseRules(R"(
- name: needs-address
  on: order.validated
  when: 'order.shipping_address.country_code == "US"'
  do: [{add_tag: domestic}]
)");
  Order digital = MakeOrder("1", true);
  digital.shipping_address.reset();
  OrderId id = Ingest(digital);
  Process(id);
  auto events = Events(id);
  const store::Event* e = Find(events, "rule.error");
  ASSERT_NE(e, nullptr);
  EXPECT_NE(e->payload.find("no shipping address"), std::string::npos) << e->payload;
  EXPECT_NE(e->payload.find("needs-address"), std::string::npos) << e->payload;
  EXPECT_EQ(Count(id, "order.tag_added"), 0);
}

TEST_F(RulesPipelineTest, RulesThatBounceAnOrderAreStoppedAndRecorded) {
  UseRules(R"(
- name: hold-it
  on: order.accepted
  do: [{hold: "ping"}]
- name: release-it
  on: order.held
  do: [{release_hold: "pong"}]
)");
  OrderId id = Ingest(MakeOrder("1", true));
  Process(id);
  EXPECT_GE(Count(id, "rule.loop_stopped"), 1);
  auto record = store_->GetOrder(id);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->rules_version, record->version);
  // Processing again adds nothing: the loop does not restart.
  size_t n = Events(id).size();
  Process(id);
  EXPECT_EQ(Events(id).size(), n);
}

TEST_F(RulesPipelineTest, ChannelCancellationMeetsTheCancelledRules) {
  UseRules(R"(
- name: tell-the-warehouse
  on: order.cancelled
  do: [{call_webhook: {url: "http://127.0.0.1:9/stop"}}]
)");
  Order o = MakeOrder("1", true);
  OrderId id = Ingest(o);
  Process(id);
  IngestCancel(o);
  Process(id);
  EXPECT_EQ(Count(id, "webhook.requested"), 1);
  EXPECT_EQ(store_->ListOutbox(10)->size(), 1u);
}

TEST_F(RulesPipelineTest, RestartCatchesUpEventsTheRulesHaveNotMet) {
  UseRules(R"(
- name: tell-the-warehouse
  on: order.cancelled
  do: [{call_webhook: {url: "http://127.0.0.1:9/stop"}}]
)");
  Order o = MakeOrder("1", true);
  OrderId id = Ingest(o);
  Process(id);
  // The channel cancels; the process dies before the pipeline hears of it.
  IngestCancel(o);
  // A new process: nobody enqueues the order; Start's scan finds it behind the rules.
  PipelineOptions options;
  options.rules = &engine_;
  Pipeline restarted(*store_, clock_, options);
  ASSERT_TRUE(restarted.Start().ok());
  ASSERT_TRUE(restarted.WaitIdle(std::chrono::seconds(10)));
  EXPECT_EQ(Count(id, "webhook.requested"), 1);
  EXPECT_TRUE(store_->OrdersBehindRules(OrderId(), 10)->empty());
}

}  // namespace
}  // namespace orderpilot::pipeline
