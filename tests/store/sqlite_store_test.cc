#include "store/sqlite_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"
#include "store_test_util.h"

namespace orderpilot::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::OrderDelivery;
using testing::QueryInt;
using testing::TempDir;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    path_ = dir_.path() + "/data/orderpilot.db";
    Open();
  }

  void Open() {
    SqliteOptions o;
    o.path = path_;
    o.clock = &clock_;
    auto s = SqliteStore::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  void Reopen() {
    store_.reset();
    Open();
  }

  DeliveryOutcome IngestOk(const Delivery& d) {
    auto out = store_->Ingest(d);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? *out : DeliveryOutcome();
  }
  OrderId CreateOrder(const std::string& channel_order_id) {
    DeliveryOutcome out = IngestOk(OrderDelivery(DeliveryKind::kOrderCreate, channel_order_id));
    EXPECT_TRUE(out.order_created);
    return out.order_id;
  }
  std::vector<std::string> EventTypes(OrderId id) {
    std::vector<std::string> types;
    auto events = store_->ReadStream(OrderStream(id));
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    if (events.ok()) {
      for (const Event& e : *events) types.push_back(e.type);
    }
    return types;
  }
  OrderRecord Get(OrderId id) {
    auto r = store_->GetOrder(id);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : OrderRecord();
  }
  // Moves a fresh order to held with an open review; returns the review id.
  ReviewId HoldForReview(OrderId id) {
    OrderTransition t;
    t.order_id = id;
    t.expected_version = Get(id).version;
    t.events.push_back({"order.held", R"({"decision":"hold"})", "pipeline"});
    t.new_state = OrderState::kHeld;
    t.review =
        OrderTransition::ReviewRequest{"order_hold", "totals do not add up", R"({"confidence":1})"};
    Status s = store_->Transition(t);
    EXPECT_TRUE(s.ok()) << s.ToString();
    auto page = store_->ListReviews(ReviewStatus::kOpen, 1, std::nullopt);
    EXPECT_TRUE(page.ok() && !page->items.empty());
    return page.ok() && !page->items.empty() ? page->items[0].id : ReviewId();
  }
  int64_t Count(const std::string& table) {
    return QueryInt(path_, "SELECT COUNT(*) FROM " + table);
  }

  TempDir dir_;
  std::string path_;
  ManualClock clock_{Timestamp{1750000000000000}};
  std::unique_ptr<SqliteStore> store_;
};

// --- opening ----------------------------------------------------------------------------------

TEST_F(SqliteStoreTest, OpenCreatesMissingDirectoryAndUsesWal) {
  EXPECT_TRUE(std::filesystem::exists(path_));
  EXPECT_EQ(QueryInt(path_, "SELECT COUNT(*) FROM pragma_journal_mode WHERE journal_mode='wal'"),
            1);
}

TEST_F(SqliteStoreTest, OpenRefusesMissingClock) {
  SqliteOptions o;
  o.path = dir_.path() + "/other.db";
  auto s = SqliteStore::Open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SqliteStoreTest, ReopenKeepsEverything) {
  OrderId id = CreateOrder("1001");
  ReviewId review = HoldForReview(id);
  Reopen();
  OrderRecord r = Get(id);
  EXPECT_EQ(r.state, OrderState::kHeld);
  EXPECT_EQ(r.version, 3);
  EXPECT_THAT(EventTypes(id), ElementsAre("order.received", "order.held", "review.opened"));
  auto rv = store_->GetReview(review);
  ASSERT_TRUE(rv.ok()) << rv.status().ToString();
  EXPECT_EQ(rv->status, ReviewStatus::kOpen);
  // The next order continues the id sequence rather than reusing it.
  EXPECT_EQ(CreateOrder("1002").value(), id.value() + 1);
}

// --- ingest: orders ---------------------------------------------------------------------------

TEST_F(SqliteStoreTest, CreateStoresOrderAndReceivedEvent) {
  Delivery d = OrderDelivery(DeliveryKind::kOrderCreate, "1001", "wh-1", "ev-1", 4599);
  DeliveryOutcome out = IngestOk(d);
  EXPECT_FALSE(out.duplicate);
  EXPECT_TRUE(out.order_created);
  ASSERT_TRUE(out.order_id.valid());

  OrderRecord r = Get(out.order_id);
  EXPECT_EQ(r.channel, "shopify");
  EXPECT_EQ(r.shop, "example.myshopify.com");
  EXPECT_EQ(r.channel_order_id, "1001");
  EXPECT_EQ(r.number, "#1001");
  EXPECT_EQ(r.state, OrderState::kReceived);
  EXPECT_EQ(r.version, 1);
  EXPECT_EQ(r.order_json, d.payload_json);
  EXPECT_EQ(r.currency, "USD");
  EXPECT_EQ(r.total_minor, 4599);
  EXPECT_EQ(r.financial_status, "paid");
  EXPECT_EQ(r.created_at, d.received_at);
  EXPECT_EQ(r.updated_at, clock_.Now());

  auto events = store_->ReadStream(OrderStream(out.order_id));
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  const Event& e = (*events)[0];
  EXPECT_EQ(e.stream, "order-" + out.order_id.ToString());
  EXPECT_EQ(e.version, 1);
  EXPECT_EQ(e.type, "order.received");
  EXPECT_EQ(e.payload, d.payload_json);
  EXPECT_EQ(e.actor, "shopify");
  EXPECT_EQ(e.at, clock_.Now());
  EXPECT_EQ(Count("webhooks"), 1);
}

TEST_F(SqliteStoreTest, DuplicateCreateChangesNothing) {
  OrderId id = CreateOrder("1001");
  DeliveryOutcome again = IngestOk(OrderDelivery(DeliveryKind::kOrderCreate, "1001"));
  EXPECT_TRUE(again.duplicate);
  EXPECT_FALSE(again.order_created);
  EXPECT_EQ(again.order_id, id);
  EXPECT_EQ(Get(id).version, 1);
  EXPECT_EQ(Count("orders"), 1);
  EXPECT_EQ(Count("events"), 1);
  EXPECT_EQ(Count("webhooks"), 0);  // API-style deliveries leave no webhook row
}

TEST_F(SqliteStoreTest, DuplicateCreateByNewWebhookRecordsTheWebhook) {
  DeliveryOutcome first = IngestOk(OrderDelivery(DeliveryKind::kOrderCreate, "1001", "wh-1"));
  DeliveryOutcome second = IngestOk(OrderDelivery(DeliveryKind::kOrderCreate, "1001", "wh-2"));
  EXPECT_TRUE(second.duplicate);
  EXPECT_EQ(second.order_id, first.order_id);
  EXPECT_EQ(Count("webhooks"), 2);
  // The replay of the second webhook is a webhook duplicate.
  DeliveryOutcome replay = IngestOk(OrderDelivery(DeliveryKind::kOrderCreate, "1001", "wh-2"));
  EXPECT_TRUE(replay.duplicate);
  EXPECT_EQ(replay.order_id, first.order_id);
  EXPECT_EQ(Count("webhooks"), 2);
  EXPECT_EQ(Count("events"), 1);
}

TEST_F(SqliteStoreTest, UpdateAppendsEventAndRefreshesProjection) {
  OrderId id = CreateOrder("1001");
  clock_.Advance(1000);
  Delivery d = OrderDelivery(DeliveryKind::kOrderUpdate, "1001", "", "", 9900);
  d.order->financial_status = FinancialStatus::kPartiallyRefunded;
  DeliveryOutcome out = IngestOk(d);
  EXPECT_FALSE(out.duplicate);
  EXPECT_FALSE(out.order_created);
  EXPECT_EQ(out.order_id, id);
  OrderRecord r = Get(id);
  EXPECT_EQ(r.version, 2);
  EXPECT_EQ(r.state, OrderState::kReceived);
  EXPECT_EQ(r.total_minor, 9900);
  EXPECT_EQ(r.financial_status, "partially_refunded");
  EXPECT_EQ(r.order_json, d.payload_json);
  EXPECT_EQ(r.updated_at, clock_.Now());
  EXPECT_THAT(EventTypes(id), ElementsAre("order.received", "order.updated"));
}

TEST_F(SqliteStoreTest, UpdateBeforeCreateCreatesTheOrder) {
  DeliveryOutcome out = IngestOk(OrderDelivery(DeliveryKind::kOrderUpdate, "1001", "wh-u"));
  EXPECT_TRUE(out.order_created);
  EXPECT_FALSE(out.duplicate);
  EXPECT_THAT(EventTypes(out.order_id), ElementsAre("order.received"));
  EXPECT_EQ(Get(out.order_id).state, OrderState::kReceived);
  // The late orders/create is then a duplicate.
  DeliveryOutcome late = IngestOk(OrderDelivery(DeliveryKind::kOrderCreate, "1001", "wh-c"));
  EXPECT_TRUE(late.duplicate);
  EXPECT_EQ(late.order_id, out.order_id);
  EXPECT_EQ(Get(out.order_id).version, 1);
}

TEST_F(SqliteStoreTest, CancelMovesOrderToCancelled) {
  OrderId id = CreateOrder("1001");
  DeliveryOutcome out = IngestOk(OrderDelivery(DeliveryKind::kOrderCancel, "1001"));
  EXPECT_EQ(out.order_id, id);
  OrderRecord r = Get(id);
  EXPECT_EQ(r.state, OrderState::kCancelled);
  EXPECT_EQ(r.version, 2);
  EXPECT_THAT(EventTypes(id), ElementsAre("order.received", "order.cancelled"));
}

TEST_F(SqliteStoreTest, CancelBeforeCreateRecordsReceivedThenCancelled) {
  DeliveryOutcome out = IngestOk(OrderDelivery(DeliveryKind::kOrderCancel, "1001"));
  EXPECT_TRUE(out.order_created);
  OrderRecord r = Get(out.order_id);
  EXPECT_EQ(r.state, OrderState::kCancelled);
  EXPECT_EQ(r.version, 2);
  EXPECT_THAT(EventTypes(out.order_id), ElementsAre("order.received", "order.cancelled"));
}

TEST_F(SqliteStoreTest, OrderDeliveryWithoutChannelOrderIdIsInvalid) {
  Delivery d = OrderDelivery(DeliveryKind::kOrderCreate, "");
  auto out = store_->Ingest(d);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Count("orders"), 0);
}

// --- ingest: refunds, privacy, other ----------------------------------------------------------

TEST_F(SqliteStoreTest, RefundForKnownOrderIsAppended) {
  OrderId id = CreateOrder("1001");
  DeliveryOutcome out = IngestOk(OrderDelivery(DeliveryKind::kRefund, "1001", "wh-r"));
  EXPECT_EQ(out.order_id, id);
  EXPECT_EQ(Get(id).version, 2);
  EXPECT_THAT(EventTypes(id), ElementsAre("order.received", "order.refunded"));
  EXPECT_EQ(Count("parked_events"), 0);
}

TEST_F(SqliteStoreTest, RefundBeforeOrderIsParkedThenAttached) {
  Delivery refund = OrderDelivery(DeliveryKind::kRefund, "1001", "wh-r");
  DeliveryOutcome parked = IngestOk(refund);
  EXPECT_FALSE(parked.order_id.valid());
  EXPECT_EQ(Count("parked_events"), 1);
  EXPECT_EQ(Count("orders"), 0);
  const Timestamp parked_at = clock_.Now();

  clock_.Advance(5000);
  OrderId id = CreateOrder("1001");
  EXPECT_EQ(Count("parked_events"), 0);
  EXPECT_EQ(Get(id).version, 2);
  auto events = store_->ReadStream(OrderStream(id));
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].type, "order.received");
  EXPECT_EQ((*events)[1].type, "order.refunded");
  EXPECT_EQ((*events)[1].version, 2);
  EXPECT_EQ((*events)[1].payload, refund.payload_json);
  EXPECT_EQ((*events)[1].at, parked_at);
}

TEST_F(SqliteStoreTest, ParkedRefundIsNotAttachedToAnotherShopsOrder) {
  IngestOk(OrderDelivery(DeliveryKind::kRefund, "1001"));
  Delivery other = OrderDelivery(DeliveryKind::kOrderCreate, "1001");
  other.shop = "other.myshopify.com";
  DeliveryOutcome out = IngestOk(other);
  EXPECT_THAT(EventTypes(out.order_id), ElementsAre("order.received"));
  EXPECT_EQ(Count("parked_events"), 1);
}

TEST_F(SqliteStoreTest, PrivacyRequestIsStored) {
  Delivery d = OrderDelivery(DeliveryKind::kPrivacyRequest, "", "wh-p");
  d.payload_json = R"({"customer":{"id":42}})";
  DeliveryOutcome out = IngestOk(d);
  EXPECT_FALSE(out.duplicate);
  EXPECT_EQ(Count("privacy_requests"), 1);
  EXPECT_EQ(QueryInt(path_,
                     "SELECT COUNT(*) FROM privacy_requests WHERE topic = "
                     "'customers/data_request' AND status = 'pending' AND body = "
                     "'{\"customer\":{\"id\":42}}'"),
            1);
  EXPECT_EQ(Count("orders"), 0);
}

TEST_F(SqliteStoreTest, OtherDeliveryStoresOnlyTheWebhook) {
  DeliveryOutcome out = IngestOk(OrderDelivery(DeliveryKind::kOther, "", "wh-o"));
  EXPECT_FALSE(out.duplicate);
  EXPECT_EQ(Count("webhooks"), 1);
  EXPECT_EQ(Count("events"), 0);
  EXPECT_EQ(Count("orders"), 0);
}

// --- webhook dedupe ---------------------------------------------------------------------------

TEST_F(SqliteStoreTest, ReplayWithSameWebhookIdIsDuplicate) {
  IngestOk(OrderDelivery(DeliveryKind::kOrderUpdate, "1001", "wh-1"));
  DeliveryOutcome replay = IngestOk(OrderDelivery(DeliveryKind::kOrderUpdate, "1001", "wh-1"));
  EXPECT_TRUE(replay.duplicate);
  EXPECT_TRUE(replay.order_id.valid());
  EXPECT_EQ(Count("events"), 1);
  EXPECT_EQ(Count("webhooks"), 1);
}

TEST_F(SqliteStoreTest, ReplayWithSameEventIdIsDuplicate) {
  IngestOk(OrderDelivery(DeliveryKind::kOrderUpdate, "1001", "wh-1", "ev-1"));
  DeliveryOutcome replay =
      IngestOk(OrderDelivery(DeliveryKind::kOrderUpdate, "1001", "wh-2", "ev-1"));
  EXPECT_TRUE(replay.duplicate);
  EXPECT_EQ(Count("events"), 1);
  EXPECT_EQ(Count("webhooks"), 1);
}

TEST_F(SqliteStoreTest, SameEventIdOnAnotherTopicIsNotDuplicate) {
  IngestOk(OrderDelivery(DeliveryKind::kOrderUpdate, "1001", "", "ev-1"));
  DeliveryOutcome cancel = IngestOk(OrderDelivery(DeliveryKind::kOrderCancel, "1001", "", "ev-1"));
  EXPECT_FALSE(cancel.duplicate);
  EXPECT_EQ(Count("webhooks"), 2);
  EXPECT_EQ(Get(cancel.order_id).state, OrderState::kCancelled);
}

TEST_F(SqliteStoreTest, ConcurrentReplaysCreateExactlyOneOrder) {
  constexpr int kThreads = 16;
  constexpr int kRepeats = 50;
  const Delivery d = OrderDelivery(DeliveryKind::kOrderCreate, "1001", "wh-1", "ev-1");
  std::atomic<int> fresh{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRepeats; ++i) {
        auto out = store_->Ingest(d);
        if (!out.ok()) {
          ++errors;
        } else if (!out->duplicate) {
          ++fresh;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(fresh.load(), 1);
  EXPECT_EQ(Count("orders"), 1);
  EXPECT_EQ(Count("events"), 1);
  EXPECT_EQ(Count("webhooks"), 1);
}

// --- group commit through the store ------------------------------------------------------------

TEST_F(SqliteStoreTest, ConcurrentDeliveriesAreAllStoredInSharedBatches) {
  constexpr int kThreads = 64;
  constexpr int kPerThread = 100;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string id = std::to_string(t) + "-" + std::to_string(i);
        auto out = store_->Ingest(OrderDelivery(DeliveryKind::kOrderCreate, id, "wh-" + id));
        if (!out.ok() || out->duplicate || !out->order_created) ++errors;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(Count("orders"), kThreads * kPerThread);
  EXPECT_EQ(Count("events"), kThreads * kPerThread);
  EXPECT_EQ(Count("webhooks"), kThreads * kPerThread);

  CommitStats cs = store_->GetCommitStats();
  EXPECT_EQ(cs.writes, kThreads * kPerThread);
  EXPECT_LT(cs.batches, cs.writes);
  EXPECT_EQ(cs.queue_depth, 0);
  ASSERT_EQ(cs.batch_size_histogram.size(), 11u);
  int64_t batches = 0;
  for (int64_t n : cs.batch_size_histogram) batches += n;
  EXPECT_EQ(batches, cs.batches);
}

TEST_F(SqliteStoreTest, ConcurrentTransitionsAtSameVersionHaveOneWinner) {
  OrderId id = CreateOrder("1001");
  constexpr int kThreads = 8;
  std::atomic<int> ok{0};
  std::atomic<int> aborted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      OrderTransition tr;
      tr.order_id = id;
      tr.expected_version = 1;
      tr.events.push_back({"order.validated", "{}", "worker-" + std::to_string(t)});
      tr.new_state = OrderState::kValidated;
      Status s = store_->Transition(tr);
      if (s.ok()) ++ok;
      if (s.code() == StatusCode::kAborted) ++aborted;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(aborted.load(), kThreads - 1);
  EXPECT_EQ(Get(id).version, 2);
  EXPECT_THAT(EventTypes(id), ElementsAre("order.received", "order.validated"));
}

// --- transitions ------------------------------------------------------------------------------

TEST_F(SqliteStoreTest, TransitionAppendsEventsAndMovesState) {
  OrderId id = CreateOrder("1001");
  clock_.Advance(7);
  OrderTransition t;
  t.order_id = id;
  t.expected_version = 1;
  t.events.push_back({"order.validated", R"({"valid":true})", "pipeline"});
  t.events.push_back({"order.accepted", R"({"decision":"accept"})", "pipeline"});
  t.new_state = OrderState::kAccepted;
  ASSERT_TRUE(store_->Transition(t).ok());
  OrderRecord r = Get(id);
  EXPECT_EQ(r.state, OrderState::kAccepted);
  EXPECT_EQ(r.version, 3);
  EXPECT_EQ(r.updated_at, clock_.Now());
  auto events = store_->ReadStream(OrderStream(id));
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[1].type, "order.validated");
  EXPECT_EQ((*events)[1].payload, R"({"valid":true})");
  EXPECT_EQ((*events)[1].actor, "pipeline");
  EXPECT_EQ((*events)[2].version, 3);
  EXPECT_LT((*events)[1].seq, (*events)[2].seq);
}

TEST_F(SqliteStoreTest, TransitionAtStaleVersionIsAbortedAndWritesNothing) {
  OrderId id = CreateOrder("1001");
  IngestOk(OrderDelivery(DeliveryKind::kOrderUpdate, "1001"));  // version 2 now
  OrderTransition t;
  t.order_id = id;
  t.expected_version = 1;
  t.events.push_back({"order.validated", "{}", "pipeline"});
  t.new_state = OrderState::kValidated;
  t.review = OrderTransition::ReviewRequest{"order_hold", "x", "{}"};
  Status s = store_->Transition(t);
  EXPECT_EQ(s.code(), StatusCode::kAborted) << s.ToString();
  OrderRecord r = Get(id);
  EXPECT_EQ(r.state, OrderState::kReceived);
  EXPECT_EQ(r.version, 2);
  EXPECT_EQ(Count("events"), 2);
  EXPECT_EQ(Count("reviews"), 0);
}

TEST_F(SqliteStoreTest, TransitionOfUnknownOrderIsNotFound) {
  OrderTransition t;
  t.order_id = OrderId(999);
  t.events.push_back({"order.validated", "{}", "pipeline"});
  EXPECT_EQ(store_->Transition(t).code(), StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, TransitionWithoutEventsIsInvalid) {
  OrderId id = CreateOrder("1001");
  OrderTransition t;
  t.order_id = id;
  t.expected_version = 1;
  t.new_state = OrderState::kAccepted;
  EXPECT_EQ(store_->Transition(t).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Get(id).state, OrderState::kReceived);
}

TEST_F(SqliteStoreTest, TransitionAllIsolatesTheFailingTransition) {
  OrderId a = CreateOrder("1");
  OrderId b = CreateOrder("2");
  OrderId c = CreateOrder("3");
  auto make = [](OrderId id, int64_t expected) {
    OrderTransition t;
    t.order_id = id;
    t.expected_version = expected;
    t.events.push_back({"order.validated", "{}", "pipeline"});
    t.new_state = OrderState::kValidated;
    return t;
  };
  std::vector<Status> results =
      store_->TransitionAll({make(a, 1), make(b, 7), make(c, 1), make(OrderId(999), 1)});
  ASSERT_EQ(results.size(), 4u);
  EXPECT_TRUE(results[0].ok()) << results[0].ToString();
  EXPECT_EQ(results[1].code(), StatusCode::kAborted);
  EXPECT_TRUE(results[2].ok()) << results[2].ToString();
  EXPECT_EQ(results[3].code(), StatusCode::kNotFound);
  EXPECT_EQ(Get(a).state, OrderState::kValidated);
  EXPECT_EQ(Get(b).state, OrderState::kReceived);
  EXPECT_EQ(Get(b).version, 1);
  EXPECT_EQ(Get(c).state, OrderState::kValidated);
  EXPECT_EQ(Count("events"), 5);
  EXPECT_EQ(store_->GetCommitStats().writes, 4);  // 3 creates + 1 request for all transitions
}

// --- reviews ----------------------------------------------------------------------------------

TEST_F(SqliteStoreTest, TransitionOpensReviewAndRecordsIt) {
  OrderId id = CreateOrder("1001");
  ReviewId review = HoldForReview(id);
  ASSERT_TRUE(review.valid());
  auto r = store_->GetReview(review);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->order_id, id);
  EXPECT_EQ(r->kind, "order_hold");
  EXPECT_EQ(r->reason, "totals do not add up");
  EXPECT_EQ(r->detail_json, R"({"confidence":1})");
  EXPECT_EQ(r->status, ReviewStatus::kOpen);
  EXPECT_EQ(r->created_at, clock_.Now());
  EXPECT_FALSE(r->decided_at.has_value());

  auto events = store_->ReadStream(OrderStream(id));
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[2].type, "review.opened");
  EXPECT_THAT((*events)[2].payload, HasSubstr("\"review_id\":" + review.ToString()));
  EXPECT_EQ(Get(id).version, 3);
}

TEST_F(SqliteStoreTest, ApprovingReviewAcceptsOrder) {
  OrderId id = CreateOrder("1001");
  ReviewId review = HoldForReview(id);
  clock_.Advance(60'000'000);
  auto decided = store_->Decide({review, true, "alice", "customer confirmed by phone"});
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(decided->status, ReviewStatus::kApproved);
  EXPECT_EQ(decided->decided_by, "alice");
  EXPECT_EQ(decided->comment, "customer confirmed by phone");
  ASSERT_TRUE(decided->decided_at.has_value());
  EXPECT_EQ(*decided->decided_at, clock_.Now());

  OrderRecord r = Get(id);
  EXPECT_EQ(r.state, OrderState::kAccepted);
  EXPECT_EQ(r.version, 5);
  auto events = store_->ReadStream(OrderStream(id));
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 5u);
  EXPECT_EQ((*events)[3].type, "review.approved");
  EXPECT_EQ((*events)[3].actor, "alice");
  EXPECT_THAT((*events)[3].payload, HasSubstr("\"who\":\"alice\""));
  EXPECT_THAT((*events)[3].payload, HasSubstr("\"comment\":\"customer confirmed by phone\""));
  EXPECT_EQ((*events)[4].type, "order.accepted");
  EXPECT_EQ((*events)[4].payload, "{\"review_id\":" + review.ToString() + "}");
}

TEST_F(SqliteStoreTest, RejectingReviewRejectsOrder) {
  OrderId id = CreateOrder("1001");
  ReviewId review = HoldForReview(id);
  auto decided = store_->Decide({review, false, "bob", "fraud"});
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(decided->status, ReviewStatus::kRejected);
  EXPECT_EQ(Get(id).state, OrderState::kRejected);
  EXPECT_THAT(EventTypes(id), ElementsAre("order.received", "order.held", "review.opened",
                                          "review.rejected", "order.rejected"));
}

TEST_F(SqliteStoreTest, DecidingTwiceIsFailedPrecondition) {
  OrderId id = CreateOrder("1001");
  ReviewId review = HoldForReview(id);
  ASSERT_TRUE(store_->Decide({review, true, "alice", ""}).ok());
  auto again = store_->Decide({review, false, "bob", ""});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(again.status().message(), "review " + review.ToString() + " is already approved");
  EXPECT_EQ(Get(id).state, OrderState::kAccepted);
  EXPECT_EQ(Get(id).version, 5);
}

TEST_F(SqliteStoreTest, StaleReviewCannotResurrectACancelledOrder) {
  OrderId id = CreateOrder("1001");
  ReviewId review = HoldForReview(id);
  IngestOk(OrderDelivery(DeliveryKind::kOrderCancel, "1001"));
  ASSERT_EQ(Get(id).state, OrderState::kCancelled);
  const int64_t version = Get(id).version;
  auto r = store_->Decide({review, true, "alice", "too late"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Get(id).state, OrderState::kCancelled);
  EXPECT_EQ(Get(id).version, version);
}

TEST_F(SqliteStoreTest, DecidingUnknownReviewIsNotFound) {
  auto r = store_->Decide({ReviewId(42), true, "alice", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

// --- reads ------------------------------------------------------------------------------------

TEST_F(SqliteStoreTest, GetUnknownOrderIsNotFound) {
  auto r = store_->GetOrder(OrderId(5));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, ListOrdersWalksAllPagesNewestFirst) {
  constexpr int kOrders = 23;
  for (int i = 0; i < kOrders; ++i) CreateOrder(std::to_string(1000 + i));
  std::vector<int64_t> seen;
  std::optional<int64_t> cursor;
  int pages = 0;
  do {
    auto page = store_->ListOrders(std::nullopt, 5, cursor);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    ASSERT_FALSE(page->items.empty());
    for (const OrderRecord& r : page->items) seen.push_back(r.id.value());
    cursor = page->next_cursor;
    ++pages;
  } while (cursor && pages < 100);
  EXPECT_EQ(pages, 5);
  ASSERT_EQ(seen.size(), static_cast<size_t>(kOrders));
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_EQ(seen[i], seen[i - 1] - 1);
  EXPECT_EQ(seen.back(), 1);
}

TEST_F(SqliteStoreTest, ListOrdersEndsWithoutCursorOnExactMultiple) {
  for (int i = 0; i < 10; ++i) CreateOrder(std::to_string(i));
  auto first = store_->ListOrders(std::nullopt, 5, std::nullopt);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->next_cursor.has_value());
  auto second = store_->ListOrders(std::nullopt, 5, first->next_cursor);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->items.size(), 5u);
  EXPECT_FALSE(second->next_cursor.has_value());
}

TEST_F(SqliteStoreTest, ListOrdersFiltersByStateAndClampsLimit) {
  for (int i = 0; i < 4; ++i) CreateOrder(std::to_string(i));
  IngestOk(OrderDelivery(DeliveryKind::kOrderCancel, "1"));
  IngestOk(OrderDelivery(DeliveryKind::kOrderCancel, "3"));
  auto cancelled = store_->ListOrders(OrderState::kCancelled, 100, std::nullopt);
  ASSERT_TRUE(cancelled.ok());
  ASSERT_EQ(cancelled->items.size(), 2u);
  EXPECT_EQ(cancelled->items[0].channel_order_id, "3");
  EXPECT_EQ(cancelled->items[1].channel_order_id, "1");
  EXPECT_FALSE(cancelled->next_cursor.has_value());

  auto one = store_->ListOrders(std::nullopt, 0, std::nullopt);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->items.size(), 1u);
  EXPECT_TRUE(one->next_cursor.has_value());
}

TEST_F(SqliteStoreTest, ListReviewsWalksAllPagesAndFiltersByStatus) {
  std::vector<ReviewId> reviews;
  for (int i = 0; i < 7; ++i) reviews.push_back(HoldForReview(CreateOrder(std::to_string(i))));
  ASSERT_TRUE(store_->Decide({reviews[2], true, "alice", ""}).ok());

  std::set<int64_t> seen;
  std::optional<int64_t> cursor;
  int pages = 0;
  do {
    auto page = store_->ListReviews(std::nullopt, 3, cursor);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const ReviewRecord& r : page->items) EXPECT_TRUE(seen.insert(r.id.value()).second);
    cursor = page->next_cursor;
    ++pages;
  } while (cursor && pages < 100);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 7u);

  auto open = store_->ListReviews(ReviewStatus::kOpen, 100, std::nullopt);
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->items.size(), 6u);
  auto approved = store_->ListReviews(ReviewStatus::kApproved, 100, std::nullopt);
  ASSERT_TRUE(approved.ok());
  ASSERT_EQ(approved->items.size(), 1u);
  EXPECT_EQ(approved->items[0].id, reviews[2]);
}

TEST_F(SqliteStoreTest, OrdersInStatesIsOldestFirstAfterTheGivenId) {
  std::vector<OrderId> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(CreateOrder(std::to_string(i)));
  IngestOk(OrderDelivery(DeliveryKind::kOrderCancel, "2"));
  OrderTransition t;
  t.order_id = ids[4];
  t.expected_version = 1;
  t.events.push_back({"order.validated", "{}", "pipeline"});
  t.new_state = OrderState::kValidated;
  ASSERT_TRUE(store_->Transition(t).ok());

  auto work = store_->OrdersInStates({OrderState::kReceived, OrderState::kValidated}, ids[0], 3);
  ASSERT_TRUE(work.ok()) << work.status().ToString();
  ASSERT_EQ(work->size(), 3u);
  EXPECT_EQ((*work)[0].id, ids[1]);
  EXPECT_EQ((*work)[1].id, ids[3]);
  EXPECT_EQ((*work)[2].id, ids[4]);
  EXPECT_EQ((*work)[2].state, OrderState::kValidated);

  auto none = store_->OrdersInStates({}, OrderId(), 10);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(SqliteStoreTest, StatsCountsOrdersReviewsEventsAndWebhooks) {
  IngestOk(OrderDelivery(DeliveryKind::kOrderCreate, "1", "wh-1"));
  IngestOk(OrderDelivery(DeliveryKind::kOrderCreate, "2", "wh-2"));
  IngestOk(OrderDelivery(DeliveryKind::kOrderCancel, "2", "wh-3"));
  HoldForReview(Get(OrderId(1)).id);
  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->orders_by_state["held"], 1);
  EXPECT_EQ(stats->orders_by_state["cancelled"], 1);
  EXPECT_EQ(stats->orders_by_state["accepted"], 0);
  EXPECT_EQ(stats->orders_by_state.size(), 9u);  // every state, zero or not
  EXPECT_EQ(stats->orders_by_state["allocated"], 0);
  EXPECT_EQ(stats->open_reviews, 1);
  EXPECT_EQ(stats->events, 5);
  EXPECT_EQ(stats->webhooks, 3);
}

// --- names ------------------------------------------------------------------------------------

TEST(StoreNamesTest, OrderStateNamesRoundTrip) {
  for (OrderState s : {OrderState::kReceived, OrderState::kValidated, OrderState::kAccepted,
                       OrderState::kHeld, OrderState::kRejected, OrderState::kCancelled,
                       OrderState::kAllocated, OrderState::kBackordered, OrderState::kShipped}) {
    EXPECT_EQ(ParseOrderState(OrderStateName(s)), s);
  }
  EXPECT_EQ(OrderStateName(OrderState::kBackordered), "backordered");
  EXPECT_EQ(OrderStateName(OrderState::kHeld), "held");
  EXPECT_FALSE(ParseOrderState("Held").has_value());
}

TEST(StoreNamesTest, ReviewStatusNamesRoundTrip) {
  for (ReviewStatus s : {ReviewStatus::kOpen, ReviewStatus::kApproved, ReviewStatus::kRejected}) {
    EXPECT_EQ(ParseReviewStatus(ReviewStatusName(s)), s);
  }
  EXPECT_FALSE(ParseReviewStatus("closed").has_value());
  EXPECT_EQ(OrderStream(OrderId(17)), "order-17");
}

}  // namespace
}  // namespace orderpilot::store
