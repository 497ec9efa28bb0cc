// The step runner against a real SQLite store.
#include "pipeline/pipeline.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/order_json.h"
#include "pipeline/steps.h"
#include "pipeline_fixture.h"  // NOLINT(build/include_subdir)
#include "store/sqlite_store.h"

namespace orderpilot::pipeline {
namespace {

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
