// The step runner against a real SQLite store.
#include "pipeline/pipeline.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/order_json.h"
#include "pipeline/steps.h"
#include "store/sqlite_store.h"

namespace orderpilot::pipeline {
namespace {

Money Usd(int64_t cents) { return Money(cents, *Currency::Parse("USD")); }

Order MakeOrder(const std::string& id, bool consistent) {
  Order o;
  o.channel = "api";
  o.shop = "default";
  o.channel_order_id = id;
  o.number = "#" + id;
  o.currency = *Currency::Parse("USD");
  LineItem li;
  li.sku = "MUG";
  li.title = "Mug";
  li.quantity = 2;
  li.unit_price = Usd(1250);
  o.line_items = {li};
  o.totals = {Usd(2500), Usd(0), Usd(500), Usd(0), Usd(consistent ? 3000 : 3100)};
  Address a;
  a.first_name = "Grace";
  a.last_name = "Hopper";
  a.address1 = "2 Navy Way";
  a.city = "Arlington";
  a.country_code = "US";
  a.zip = "22202";
  o.shipping_address = a;
  return o;
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/op-pipeline-XXXXXX";
    dir_ = mkdtemp(tmpl);
    OpenStore();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void OpenStore() {
    store::SqliteOptions o;
    o.path = dir_ + "/db.sqlite";
    o.clock = &clock_;
    auto s = store::SqliteStore::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  OrderId Ingest(const Order& o) {
    store::Delivery d;
    d.channel = o.channel;
    d.shop = o.shop;
    d.received_at = clock_.Now();
    d.kind = store::DeliveryKind::kOrderCreate;
    d.event_type = "order.received";
    d.channel_order_id = o.channel_order_id;
    d.payload_json = EncodeOrder(o);
    d.order = o;
    d.actor = "test";
    auto out = store_->Ingest(d);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? out->order_id : OrderId();
  }
  std::vector<std::string> EventTypes(OrderId id) {
    std::vector<std::string> types;
    auto events = store_->ReadStream(store::OrderStream(id));
    EXPECT_TRUE(events.ok());
    for (const auto& e : *events) types.push_back(e.type);
    return types;
  }

  std::string dir_;
  ManualClock clock_{Timestamp{1700000000000000}};
  std::unique_ptr<store::SqliteStore> store_;
};

TEST_F(PipelineTest, ConsistentOrderIsValidatedAndAccepted) {
  OrderId id = Ingest(MakeOrder("1", true));
  Pipeline p(*store_, clock_, {});
  ASSERT_TRUE(p.Start().ok());
  p.Enqueue(id);
  ASSERT_TRUE(p.WaitIdle(std::chrono::seconds(10)));
  EXPECT_EQ(store_->GetOrder(id)->state, store::OrderState::kAccepted);
  EXPECT_EQ(EventTypes(id),
            (std::vector<std::string>{"order.received", "order.validated", "order.accepted"}));
}

TEST_F(PipelineTest, InconsistentOrderIsHeldWithAReviewItem) {
  OrderId id = Ingest(MakeOrder("2", false));
  Pipeline p(*store_, clock_, {});
  ASSERT_TRUE(p.Start().ok());
  p.Enqueue(id);
  ASSERT_TRUE(p.WaitIdle(std::chrono::seconds(10)));
  EXPECT_EQ(store_->GetOrder(id)->state, store::OrderState::kHeld);
  auto reviews = store_->ListReviews(store::ReviewStatus::kOpen, 10, std::nullopt);
  ASSERT_TRUE(reviews.ok());
  ASSERT_EQ(reviews->items.size(), 1u);
  EXPECT_EQ(reviews->items[0].order_id, id);
  EXPECT_NE(reviews->items[0].reason.find("total is 31.00"), std::string::npos)
      << reviews->items[0].reason;
  auto events = store_->ReadStream(store::OrderStream(id));
  ASSERT_TRUE(events.ok());
  bool held_with_reason = false;
  for (const auto& e : *events)
    if (e.type == "order.held")
      held_with_reason = e.payload.find("total is 31.00") != std::string::npos;
  EXPECT_TRUE(held_with_reason);
}

TEST_F(PipelineTest, RunningTheStepsTwiceAppendsNothingNew) {
  OrderId id = Ingest(MakeOrder("3", true));
  {
    Pipeline p(*store_, clock_, {});
    ASSERT_TRUE(p.Start().ok());
    p.Enqueue(id);
    p.Enqueue(id);
    ASSERT_TRUE(p.WaitIdle(std::chrono::seconds(10)));
    p.Enqueue(id);
    ASSERT_TRUE(p.WaitIdle(std::chrono::seconds(10)));
  }
  Pipeline again(*store_, clock_, {});
  ASSERT_TRUE(again.Start().ok());
  again.Enqueue(id);
  ASSERT_TRUE(again.WaitIdle(std::chrono::seconds(10)));
  EXPECT_EQ(EventTypes(id).size(), 3u);
  auto record = store_->GetOrder(id);
  auto order = DecodeOrder(record->order_json);
  ASSERT_TRUE(order.ok());
  EXPECT_FALSE(PlanTransition(*record, *order, clock_.Now()).has_value());
}

TEST_F(PipelineTest, StaleTransitionIsRefusedAndNothingIsWritten) {
  OrderId id = Ingest(MakeOrder("4", true));
  auto record = store_->GetOrder(id);
  auto order = DecodeOrder(record->order_json);
  auto plan = PlanTransition(*record, *order, clock_.Now());
  ASSERT_TRUE(plan.has_value());
  ASSERT_TRUE(store_->Transition(*plan).ok());
  EXPECT_EQ(store_->Transition(*plan).code(), StatusCode::kAborted);
  EXPECT_EQ(EventTypes(id).size(), 3u);
}

TEST_F(PipelineTest, StartResumesOrdersLeftUnfinished) {
  std::vector<OrderId> ids;
  for (int i = 0; i < 300; ++i)
    ids.push_back(Ingest(MakeOrder("r" + std::to_string(i), i % 10 != 0)));
  store_.reset();  // "restart"
  OpenStore();
  Pipeline p(*store_, clock_, {});
  ASSERT_TRUE(p.Start().ok());  // nobody enqueues: Start must find them
  ASSERT_TRUE(p.WaitIdle(std::chrono::seconds(30)));
  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->orders_by_state["accepted"], 270);
  EXPECT_EQ(stats->orders_by_state["held"], 30);
  EXPECT_EQ(p.Stats().processed, 300);
}

TEST_F(PipelineTest, PausedPipelineLeavesOrdersReceived) {
  OrderId id = Ingest(MakeOrder("5", true));
  PipelineOptions paused;
  paused.workers = 0;
  Pipeline p(*store_, clock_, paused);
  ASSERT_TRUE(p.Start().ok());
  p.Enqueue(id);
  EXPECT_TRUE(p.WaitIdle(std::chrono::milliseconds(100)));
  EXPECT_EQ(store_->GetOrder(id)->state, store::OrderState::kReceived);
}

}  // namespace
}  // namespace orderpilot::pipeline
