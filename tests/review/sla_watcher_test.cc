// SLA escalation against a real SQLite store with a controllable clock: nothing before the
// deadline, one escalation (event + notification) after it, the configured fallback decided by
// "sla-fallback", and items decided meanwhile left alone.
#include "review/sla_watcher.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "core/order_json.h"
#include "store/sqlite_store.h"

namespace orderpilot::review {
namespace {

class SlaWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/op-sla-XXXXXX";
    dir_ = mkdtemp(tmpl);
    store::SqliteOptions o;
    o.path = dir_ + "/db.sqlite";
    o.clock = &clock_;
    auto s = store::SqliteStore::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A held order with an open item of `kind`, due as the policy says.
  ReviewId HeldOrder(const std::string& id, const std::string& kind) {
    Order o;
    o.channel = "api";
    o.shop = "default";
    o.channel_order_id = id;
    o.number = "#" + id;
    o.currency = *Currency::Parse("USD");
    o.totals.total = Money(4200, o.currency);
    store::Delivery d;
    d.channel = "api";
    d.shop = "default";
    d.received_at = clock_.Now();
    d.kind = store::DeliveryKind::kOrderCreate;
    d.event_type = "order.received";
    d.channel_order_id = id;
    d.payload_json = EncodeOrder(o);
    d.order = o;
    d.actor = "test";
    auto in = store_->Ingest(d);
    EXPECT_TRUE(in.ok());
    store::OrderTransition t;
    t.order_id = in->order_id;
    t.expected_version = 1;
    t.new_state = store::OrderState::kHeld;
    t.events.push_back({"order.held", "{}", "pipeline"});
    store::OrderTransition::ReviewRequest r{kind, "risky order", "{}"};
    r.sla_due_at = policy_.SlaDue(kind, clock_.Now());
    t.review = r;
    EXPECT_TRUE(store_->Transition(t).ok());
    auto page = store_->ListReviews(store::ReviewStatus::kOpen, 500, std::nullopt);
    return page->items.front().id;
  }

  std::string dir_;
  ManualClock clock_{Timestamp{1'700'000'000'000'000}};
  std::unique_ptr<store::SqliteStore> store_;
  AutonomyPolicy policy_;
};

TEST_F(SlaWatcherTest, EscalatesOnceAfterTheDeadline) {
  KindPolicy k;
  k.sla = std::chrono::seconds(3600);
  ASSERT_TRUE(policy_.Set("fraud_hold", k).ok());
  ReviewId id = HeldOrder("1", "fraud_hold");
  SlaWatcher watcher(*store_, clock_, policy_);

  clock_.Advance(3599'000'000);
  auto before = watcher.RunOnce();
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->escalated.empty());

  clock_.Advance(1'000'000);
  auto due = watcher.RunOnce();
  ASSERT_TRUE(due.ok()) << due.status().ToString();
  ASSERT_EQ(due->escalated.size(), 1u);
  EXPECT_EQ(due->escalated[0].id, id);
  EXPECT_TRUE(due->decided.empty());  // no fallback configured: it stays open
  EXPECT_EQ(store_->GetReview(id)->status, store::ReviewStatus::kOpen);
  auto outbox = store_->ListOutbox(10);
  ASSERT_TRUE(outbox.ok());
  ASSERT_EQ(outbox->size(), 1u);
  EXPECT_EQ((*outbox)[0].message.destination, "review_escalated");

  clock_.Advance(3600'000'000);
  auto again = watcher.RunOnce();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->escalated.empty());
}

TEST_F(SlaWatcherTest, AppliesTheConfiguredFallback) {
  KindPolicy k;
  k.sla = std::chrono::seconds(60);
  k.fallback = SlaFallback::kReject;
  ASSERT_TRUE(policy_.Set("fraud_hold", k).ok());
  ReviewId id = HeldOrder("2", "fraud_hold");
  std::vector<OrderId> told;
  SlaWatcher watcher(*store_, clock_, policy_, nullptr, [&](OrderId o) { told.push_back(o); });
  clock_.Advance(61'000'000);
  auto out = watcher.RunOnce();
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->decided.size(), 1u);
  auto review = store_->GetReview(id);
  EXPECT_EQ(review->status, store::ReviewStatus::kRejected);
  EXPECT_EQ(review->decided_by, "sla-fallback");
  EXPECT_TRUE(review->fallback);
  // fraud_hold rejected = cancelled.
  EXPECT_EQ(store_->GetOrder(review->order_id)->state, store::OrderState::kCancelled);
  ASSERT_EQ(told.size(), 1u);
  // A fallback is not a person's decision.
  auto stats = store_->ReviewStats(Timestamp{0});
  ASSERT_TRUE(stats.ok());
  ASSERT_EQ(stats->size(), 1u);
  EXPECT_EQ((*stats)[0].human_decisions, 0);
  EXPECT_EQ((*stats)[0].fallback, 1);
}

TEST_F(SlaWatcherTest, LeavesItemsAPersonDecidedAlone) {
  KindPolicy k;
  k.sla = std::chrono::seconds(60);
  k.fallback = SlaFallback::kApprove;
  ASSERT_TRUE(policy_.Set("fraud_hold", k).ok());
  ReviewId id = HeldOrder("3", "fraud_hold");
  store::ReviewDecision d;
  d.review_id = id;
  d.approve = false;
  d.who = "alice";
  ASSERT_TRUE(store_->Decide(d).ok());
  SlaWatcher watcher(*store_, clock_, policy_);
  clock_.Advance(120'000'000);
  auto out = watcher.RunOnce();
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->escalated.empty());
  EXPECT_EQ(store_->GetReview(id)->decided_by, "alice");
}

TEST_F(SlaWatcherTest, RunsOnItsOwnThread) {
  KindPolicy k;
  k.sla = std::chrono::seconds(1);
  ASSERT_TRUE(policy_.Set("fraud_hold", k).ok());
  ReviewId id = HeldOrder("4", "fraud_hold");
  clock_.Advance(2'000'000);
  SlaWatcher watcher(*store_, clock_, policy_);
  watcher.Start(std::chrono::milliseconds(10));
  for (int i = 0; i < 500 && !store_->GetReview(id)->escalated_at; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  watcher.Stop();
  EXPECT_TRUE(store_->GetReview(id)->escalated_at.has_value());
}

}  // namespace
}  // namespace orderpilot::review
