// The review queue of the SQLite store: decision context, automatic applications, claims,
// decisions under claims, SLA escalation, reversal, stats, filtered lists, and the risk history
// scan (OrdersCreatedSince).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/internal/migrations.h"
#include "store/internal/sqlite_util.h"
#include "store/sqlite_store.h"
#include "store/store.h"
#include "store_test_util.h"

namespace orderpilot::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::OrderDelivery;
using testing::QueryInt;
using testing::TempDir;

constexpr int64_t kSecond = 1000 * 1000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kStart = 1750000000000000;

using ReviewRequest = OrderTransition::ReviewRequest;

ReviewRequest Request(const std::string& kind, bool applied = false) {
  ReviewRequest r{kind, "risk score 0.93", R"({"score":0.93})"};
  r.proposal = "cancel the order as fraud";
  r.confidence = 0.93;
  r.money_minor = 12900;
  r.currency = "EUR";
  r.rule = "high-risk";
  r.applied = applied;
  return r;
}

class ReviewQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    path_ = dir_.path() + "/orderpilot.db";
    SqliteOptions o;
    o.path = path_;
    o.clock = &clock_;
    auto s = SqliteStore::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }

  OrderId CreateOrder(const std::string& channel_order_id) {
    auto out = store_->Ingest(OrderDelivery(DeliveryKind::kOrderCreate, channel_order_id));
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? out->order_id : OrderId();
  }
  OrderRecord Get(OrderId id) {
    auto r = store_->GetOrder(id);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : OrderRecord();
  }
  ReviewRecord Review(ReviewId id) {
    auto r = store_->GetReview(id);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ReviewRecord();
  }
  std::vector<Event> Events(OrderId id) {
    auto events = store_->ReadStream(OrderStream(id));
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    return events.ok() ? *events : std::vector<Event>();
  }
  std::vector<std::string> EventTypes(OrderId id) {
    std::vector<std::string> types;
    for (const Event& e : Events(id)) types.push_back(e.type);
    return types;
  }
  int64_t Query(const std::string& sql) { return QueryInt(path_, sql); }
  ReviewId LastReview() { return ReviewId(Query("SELECT MAX(id) FROM reviews")); }

  // Commits `t` (at the order's current version) and returns the review it recorded.
  ReviewId Commit(OrderTransition t) {
    t.expected_version = Get(t.order_id).version;
    Status s = store_->Transition(t);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return LastReview();
  }
  // Holds a fresh order with an open item of `r`.
  ReviewId Hold(OrderId id, ReviewRequest r) {
    OrderTransition t;
    t.order_id = id;
    t.events.push_back({"order.held", R"({"decision":"hold"})", "pipeline"});
    t.new_state = OrderState::kHeld;
    t.review = std::move(r);
    return Commit(std::move(t));
  }
  ReviewId Hold(OrderId id) { return Hold(id, Request("order_hold")); }

  // The engine cancels the order itself as fraud (an automatic fraud_cancel).
  ReviewId AutoCancel(OrderId id) {
    OrderTransition t;
    t.order_id = id;
    t.events.push_back({"order.cancelled", R"({"reason":"fraud"})", "pipeline"});
    t.new_state = OrderState::kCancelled;
    t.review = Request("fraud_cancel", /*applied=*/true);
    return Commit(std::move(t));
  }

  Status ClaimStatus(ReviewId id, const std::string& who, bool release = false) {
    ReviewClaim c;
    c.review_id = id;
    c.who = who;
    c.release = release;
    return store_->Claim(c).status();
  }

  void AddStock(const std::string& sku, const std::string& location, int64_t units) {
    StockAdjustment a;
    a.sku = sku;
    a.location = location;
    a.mode = AdjustmentMode::kSet;
    a.quantity = units;
    a.idempotency_key = "set-" + sku + "-" + location;
    a.actor = "test";
    auto out = store_->AdjustStock(a);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
  }

  TempDir dir_;
  std::string path_;
  ManualClock clock_{Timestamp{kStart}};
  std::unique_ptr<SqliteStore> store_;
};

// --- recording --------------------------------------------------------------------------------

TEST_F(ReviewQueueTest, OpenItemRoundTripsEveryDecisionField) {
  OrderId id = CreateOrder("1");
  ReviewRequest r = Request("fraud_hold");
  r.sla_due_at = Timestamp{kStart + 30 * kMinute};
  ReviewId review = Hold(id, r);

  ReviewRecord got = Review(review);
  EXPECT_EQ(got.order_id, id);
  EXPECT_EQ(got.kind, "fraud_hold");
  EXPECT_EQ(got.reason, "risk score 0.93");
  EXPECT_EQ(got.detail_json, R"({"score":0.93})");
  EXPECT_EQ(got.status, ReviewStatus::kOpen);
  EXPECT_EQ(got.proposal, "cancel the order as fraud");
  EXPECT_DOUBLE_EQ(got.confidence, 0.93);
  EXPECT_EQ(got.money_minor, 12900);
  EXPECT_EQ(got.currency, "EUR");
  EXPECT_EQ(got.sla_due_at, Timestamp{kStart + 30 * kMinute});
  EXPECT_EQ(got.rule, "high-risk");
  EXPECT_EQ(got.created_at, Timestamp{kStart});
  EXPECT_FALSE(got.decided_at.has_value());
  EXPECT_EQ(got.claimed_by, "");
  EXPECT_FALSE(got.claimed_at.has_value());
  EXPECT_FALSE(got.escalated_at.has_value());
  EXPECT_FALSE(got.modified);
  EXPECT_FALSE(got.fallback);
  EXPECT_FALSE(got.reversed_at.has_value());
  EXPECT_EQ(got.reversed_by, "");

  std::vector<Event> events = Events(id);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].type, "review.opened");
  EXPECT_EQ(events[2].actor, "pipeline");
  EXPECT_EQ(events[2].payload, R"({"review_id":)" + review.ToString() +
                                   R"(,"kind":"fraud_hold","reason":"risk score 0.93",)"
                                   R"("proposal":"cancel the order as fraud","confidence":0.93,)"
                                   R"("money_minor":12900,"currency":"EUR",)"
                                   R"("sla_due_at":"2025-06-15T15:36:40Z","rule":"high-risk"})");
}

TEST_F(ReviewQueueTest, OpenedPayloadHasNullSlaWhenNoneIsSet) {
  OrderId id = CreateOrder("1");
  ReviewId review = Hold(id);
  EXPECT_FALSE(Review(review).sla_due_at.has_value());
  EXPECT_THAT(Events(id).back().payload, HasSubstr(R"("sla_due_at":null)"));
}

TEST_F(ReviewQueueTest, ConfidenceOutsideZeroToOneIsRefused) {
  OrderId id = CreateOrder("1");
  OrderTransition t;
  t.order_id = id;
  t.expected_version = Get(id).version;
  t.events.push_back({"order.held", "{}", "pipeline"});
  t.new_state = OrderState::kHeld;
  t.review = Request("order_hold");
  t.review->confidence = 1.5;
  Status s = store_->Transition(t);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field(), "review.confidence");
  EXPECT_EQ(Query("SELECT COUNT(*) FROM reviews"), 0);
  EXPECT_EQ(Get(id).state, OrderState::kReceived);
}

TEST_F(ReviewQueueTest, AppliedDecisionIsRecordedAsAutoAppliedWithoutAnOpenItem) {
  OrderId id = CreateOrder("1");
  ReviewId review = AutoCancel(id);

  ReviewRecord got = Review(review);
  EXPECT_EQ(got.status, ReviewStatus::kAutoApplied);
  EXPECT_EQ(got.decided_by, "pipeline");  // the transition's actor
  EXPECT_EQ(got.decided_at, Timestamp{kStart});
  EXPECT_EQ(got.kind, "fraud_cancel");
  EXPECT_EQ(Get(id).state, OrderState::kCancelled);
  EXPECT_THAT(EventTypes(id), ElementsAre("order.received", "order.cancelled", "decision.applied"));
  EXPECT_EQ(Events(id).back().payload,
            R"({"review_id":)" + review.ToString() +
                R"(,"kind":"fraud_cancel","proposal":"cancel the order as fraud",)"
                R"("confidence":0.93,"money_minor":12900,"currency":"EUR","rule":"high-risk"})");
  auto open = store_->ListReviews(ReviewStatus::kOpen, 10, std::nullopt);
  ASSERT_TRUE(open.ok());
  EXPECT_TRUE(open->items.empty());
  auto stats = store_->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->open_reviews, 0);
}

TEST_F(ReviewQueueTest, AppliedDecisionWithoutEventsIsDecidedByTheEngine) {
  OrderId id = CreateOrder("1");
  OrderTransition t;
  t.order_id = id;
  t.new_state = OrderState::kAccepted;
  t.review = Request("fraud_hold", /*applied=*/true);
  ReviewId review = Commit(t);
  EXPECT_EQ(Review(review).decided_by, "engine");
  EXPECT_EQ(Events(id).back().actor, "engine");
}

TEST_F(ReviewQueueTest, AutoAppliedStatusNameRoundTrips) {
  EXPECT_EQ(ReviewStatusName(ReviewStatus::kAutoApplied), "auto_applied");
  EXPECT_EQ(ParseReviewStatus("auto_applied"), ReviewStatus::kAutoApplied);
}

// --- claims -----------------------------------------------------------------------------------

TEST_F(ReviewQueueTest, ClaimRecordsWhoAndWhenAndAppendsAnEvent) {
  OrderId id = CreateOrder("1");
  ReviewId review = Hold(id);
  auto claimed = store_->Claim({review, "alice"});
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  EXPECT_EQ(claimed->claimed_by, "alice");
  EXPECT_EQ(claimed->claimed_at, Timestamp{kStart});
  EXPECT_EQ(claimed->status, ReviewStatus::kOpen);
  std::vector<Event> events = Events(id);
  EXPECT_EQ(events.back().type, "review.claimed");
  EXPECT_EQ(events.back().payload, R"({"review_id":)" + review.ToString() + R"(,"who":"alice"})");
  EXPECT_EQ(events.back().actor, "alice");
  EXPECT_EQ(Get(id).version, static_cast<int64_t>(events.size()));
}

TEST_F(ReviewQueueTest, SecondPersonCannotClaimAHeldItem) {
  ReviewId review = Hold(CreateOrder("1"));
  ASSERT_TRUE(ClaimStatus(review, "alice").ok());
  clock_.Advance(29 * kMinute);
  Status s = ClaimStatus(review, "bob");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "review " + review.ToString() + " is claimed by alice since 2025-06-15T15:06:40Z");
  EXPECT_EQ(Review(review).claimed_by, "alice");
}

TEST_F(ReviewQueueTest, SamePersonClaimingAgainRefreshesTheClaim) {
  ReviewId review = Hold(CreateOrder("1"));
  ASSERT_TRUE(ClaimStatus(review, "alice").ok());
  clock_.Advance(20 * kMinute);
  ASSERT_TRUE(ClaimStatus(review, "alice").ok());
  EXPECT_EQ(Review(review).claimed_at, Timestamp{kStart + 20 * kMinute});
  clock_.Advance(20 * kMinute);  // 40 min after the first claim, 20 after the refresh
  EXPECT_EQ(ClaimStatus(review, "bob").code(), StatusCode::kFailedPrecondition);
}

TEST_F(ReviewQueueTest, LapsedClaimIsTakenOver) {
  OrderId id = CreateOrder("1");
  ReviewId review = Hold(id);
  ASSERT_TRUE(ClaimStatus(review, "alice").ok());
  clock_.Advance(30 * kMinute);
  auto taken = store_->Claim({review, "bob"});
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  EXPECT_EQ(taken->claimed_by, "bob");
  EXPECT_EQ(taken->claimed_at, Timestamp{kStart + 30 * kMinute});
  EXPECT_THAT(Events(id).back().payload, HasSubstr(R"("who":"bob","taken_from":"alice")"));
}

TEST_F(ReviewQueueTest, ShorterTtlLetsAClaimLapseSooner) {
  ReviewId review = Hold(CreateOrder("1"));
  ASSERT_TRUE(ClaimStatus(review, "alice").ok());
  clock_.Advance(5 * kMinute);
  ReviewClaim c{review, "bob"};
  c.ttl = std::chrono::minutes(5);
  EXPECT_TRUE(store_->Claim(c).ok());
}

TEST_F(ReviewQueueTest, ReleaseDropsTheOwnClaim) {
  OrderId id = CreateOrder("1");
  ReviewId review = Hold(id);
  ASSERT_TRUE(ClaimStatus(review, "alice").ok());
  ASSERT_TRUE(ClaimStatus(review, "alice", /*release=*/true).ok());
  ReviewRecord got = Review(review);
  EXPECT_EQ(got.claimed_by, "");
  EXPECT_FALSE(got.claimed_at.has_value());
  EXPECT_EQ(Events(id).back().type, "review.released");
  EXPECT_EQ(Events(id).back().payload,
            R"({"review_id":)" + review.ToString() + R"(,"who":"alice"})");
  EXPECT_TRUE(ClaimStatus(review, "bob").ok());
}

TEST_F(ReviewQueueTest, ReleasingSomebodyElsesClaimFails) {
  ReviewId review = Hold(CreateOrder("1"));
  ASSERT_TRUE(ClaimStatus(review, "alice").ok());
  EXPECT_EQ(ClaimStatus(review, "bob", /*release=*/true).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Review(review).claimed_by, "alice");
}

TEST_F(ReviewQueueTest, ReleasingAnUnclaimedItemChangesNothing) {
  OrderId id = CreateOrder("1");
  ReviewId review = Hold(id);
  const int64_t version = Get(id).version;
  EXPECT_TRUE(ClaimStatus(review, "alice", /*release=*/true).ok());
  EXPECT_EQ(Get(id).version, version);
}

TEST_F(ReviewQueueTest, ClaimOfADecidedItemFails) {
  ReviewId review = Hold(CreateOrder("1"));
  ASSERT_TRUE(store_->Decide({review, true, "alice", ""}).ok());
  Status s = ClaimStatus(review, "alice");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), "review " + review.ToString() + " is already approved");
}

TEST_F(ReviewQueueTest, ClaimOfAnUnknownItemIsNotFound) {
  EXPECT_EQ(ClaimStatus(ReviewId(99), "alice").code(), StatusCode::kNotFound);
}

TEST_F(ReviewQueueTest, ClaimWithoutAPersonIsInvalid) {
  ReviewId review = Hold(CreateOrder("1"));
  EXPECT_EQ(ClaimStatus(review, "").code(), StatusCode::kInvalidArgument);
}

TEST_F(ReviewQueueTest, ConcurrentClaimsGiveEachItemExactlyOneClaimer) {
  constexpr int kItems = 20;
  constexpr int kThreads = 8;
  std::vector<ReviewId> reviews;
  for (int i = 0; i < kItems; ++i) reviews.push_back(Hold(CreateOrder(std::to_string(i))));
  const std::string reviewers[] = {"alice", "bob"};

  std::mutex mu;
  std::map<int64_t, std::set<std::string>> winners;  // review → who got OK
  std::atomic<int> refused{0};
  std::atomic<int> wrong_code{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      const std::string& who = reviewers[t % 2];
      for (ReviewId review : reviews) {
        Status s = ClaimStatus(review, who);
        if (s.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          winners[review.value()].insert(who);
        } else {
          ++refused;
          if (s.code() != StatusCode::kFailedPrecondition) ++wrong_code;
        }
      }
    });
  }
  go = true;
  for (std::thread& t : threads) t.join();

  EXPECT_EQ(wrong_code.load(), 0);
  EXPECT_EQ(refused.load(), kItems * kThreads / 2);  // every call of the losing reviewer
  ASSERT_EQ(winners.size(), static_cast<size_t>(kItems));
  for (ReviewId review : reviews) {
    const std::set<std::string>& who = winners[review.value()];
    ASSERT_EQ(who.size(), 1u) << "review " << review.ToString();
    EXPECT_EQ(Review(review).claimed_by, *who.begin());
  }
}

// --- decisions under claims -------------------------------------------------------------------

TEST_F(ReviewQueueTest, DecideIsRefusedForSomebodyOtherThanTheClaimer) {
  OrderId id = CreateOrder("1");
  ReviewId review = Hold(id);
  ASSERT_TRUE(ClaimStatus(review, "alice").ok());
  auto r = store_->Decide({review, true, "bob", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("is claimed by alice since"));
  EXPECT_EQ(Get(id).state, OrderState::kHeld);
  EXPECT_EQ(Review(review).status, ReviewStatus::kOpen);
}

TEST_F(ReviewQueueTest, DecideIsAllowedForTheClaimer) {
  OrderId id = CreateOrder("1");
  ReviewId review = Hold(id);
  ASSERT_TRUE(ClaimStatus(review, "alice").ok());
  ReviewDecision d{review, true, "alice", "edited the address"};
  d.modified = true;
  auto r = store_->Decide(d);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, ReviewStatus::kApproved);
  EXPECT_TRUE(r->modified);
  EXPECT_FALSE(r->fallback);
  EXPECT_EQ(Get(id).state, OrderState::kAccepted);
  std::vector<Event> events = Events(id);
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[events.size() - 2].type, "review.approved");
  EXPECT_EQ(events[events.size() - 2].payload,
            R"({"review_id":)" + review.ToString() +
                R"(,"who":"alice","comment":"edited the address","modified":true,)"
                R"("fallback":false})");
}

TEST_F(ReviewQueueTest, DecideIsAllowedAfterTheClaimLapsed) {
  ReviewId review = Hold(CreateOrder("1"));
  ASSERT_TRUE(ClaimStatus(review, "alice").ok());
  clock_.Advance(31 * kMinute);
  EXPECT_TRUE(store_->Decide({review, true, "bob", ""}).ok());
}

TEST_F(ReviewQueueTest, FallbackDecisionIgnoresTheClaim) {
  OrderId id = CreateOrder("1");
  ReviewId review = Hold(id, Request("fraud_hold"));
  ASSERT_TRUE(ClaimStatus(review, "alice").ok());
  ReviewDecision d{review, false, "sla", "no decision within the SLA"};
  d.fallback = true;
  auto r = store_->Decide(d);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, ReviewStatus::kRejected);
  EXPECT_TRUE(r->fallback);
  EXPECT_EQ(Get(id).state, OrderState::kCancelled);  // fraud_hold rejected → cancelled
  EXPECT_EQ(EventTypes(id).back(), "order.cancelled");
  EXPECT_THAT(Events(id)[Events(id).size() - 2].payload, HasSubstr(R"("fallback":true})"));
}

TEST_F(ReviewQueueTest, NewKindsMoveTheOrderAsDocumented) {
  struct Case {
    std::string kind;
    bool approve;
    OrderState state;
  };
  const Case cases[] = {
      {"fraud_hold", true, OrderState::kAccepted},
      {"fraud_hold", false, OrderState::kCancelled},
      {"fraud_cancel", true, OrderState::kCancelled},
      {"fraud_cancel", false, OrderState::kAccepted},
      {"backorder", true, OrderState::kBackordered},
      {"backorder", false, OrderState::kCancelled},
  };
  int n = 0;
  for (const Case& c : cases) {
    OrderId id = CreateOrder("k" + std::to_string(n++));
    ReviewId review = Hold(id, Request(c.kind));
    ASSERT_TRUE(store_->Decide({review, c.approve, "alice", ""}).ok());
    EXPECT_EQ(Get(id).state, c.state) << c.kind << (c.approve ? " approved" : " rejected");
  }
}

// --- escalation -------------------------------------------------------------------------------

TEST_F(ReviewQueueTest, NothingIsEscalatedBeforeItIsDue) {
  ReviewRequest r = Request("fraud_hold");
  r.sla_due_at = Timestamp{kStart + 10 * kMinute};
  Hold(CreateOrder("1"), r);
  Hold(CreateOrder("2"));  // no SLA: never escalated
  auto out = store_->EscalateOverdue(Timestamp{kStart + 10 * kMinute - 1}, 100);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_TRUE(out->empty());
  EXPECT_EQ(Query("SELECT COUNT(*) FROM outbox"), 0);
}

TEST_F(ReviewQueueTest, EachDueItemIsEscalatedOnceWithItsNotification) {
  std::vector<ReviewId> reviews;
  std::vector<OrderId> orders;
  for (int i = 0; i < 3; ++i) {
    ReviewRequest r = Request("fraud_hold");
    r.sla_due_at = Timestamp{kStart + (3 - i) * kMinute};  // the last one is due first
    orders.push_back(CreateOrder(std::to_string(i)));
    reviews.push_back(Hold(orders.back(), r));
  }
  const Timestamp now{kStart + 3 * kMinute + 30 * kSecond};
  auto out = store_->EscalateOverdue(now, 100);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->size(), 3u);
  EXPECT_EQ((*out)[0].id, reviews[2]);  // oldest due first
  EXPECT_EQ((*out)[2].id, reviews[0]);
  for (const ReviewRecord& r : *out) EXPECT_EQ(r.escalated_at, now);
  EXPECT_EQ(Review(reviews[0]).escalated_at, now);

  EXPECT_EQ(Events(orders[0]).back().type, "review.escalated");
  EXPECT_EQ(Events(orders[0]).back().payload,
            R"({"review_id":)" + reviews[0].ToString() +
                R"(,"kind":"fraud_hold","sla_due_at":"2025-06-15T15:09:40Z","overdue_s":30})");
  EXPECT_EQ(Get(orders[0]).version, static_cast<int64_t>(Events(orders[0]).size()));

  auto outbox = store_->ListOutbox(10);
  ASSERT_TRUE(outbox.ok());
  ASSERT_EQ(outbox->size(), 3u);
  const OutboxRecord& first = outbox->back();  // newest first
  EXPECT_EQ(first.message.kind, "notification");
  EXPECT_EQ(first.message.destination, "review_escalated");
  EXPECT_EQ(first.message.idempotency_key, "review-escalated-" + reviews[2].ToString());
  EXPECT_EQ(first.order_id, orders[2]);
  EXPECT_EQ(first.message.payload, R"({"review_id":)" + reviews[2].ToString() + R"(,"order_id":)" +
                                       orders[2].ToString() +
                                       R"(,"kind":"fraud_hold","reason":"risk score 0.93",)"
                                       R"("sla_due_at":"2025-06-15T15:07:40Z","overdue_s":150})");
}

TEST_F(ReviewQueueTest, AnItemIsNotEscalatedTwice) {
  ReviewRequest r = Request("fraud_hold");
  r.sla_due_at = Timestamp{kStart + kMinute};
  OrderId id = CreateOrder("1");
  Hold(id, r);
  ASSERT_EQ(store_->EscalateOverdue(Timestamp{kStart + 2 * kMinute}, 10)->size(), 1u);
  const int64_t version = Get(id).version;
  auto again = store_->EscalateOverdue(Timestamp{kStart + 60 * kMinute}, 10);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  EXPECT_EQ(Get(id).version, version);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM outbox"), 1);
}

TEST_F(ReviewQueueTest, EscalationTakesAtMostLimitAndSkipsDecidedItems) {
  std::vector<ReviewId> reviews;
  for (int i = 0; i < 4; ++i) {
    ReviewRequest r = Request("order_hold");
    r.sla_due_at = Timestamp{kStart + (i + 1) * kSecond};
    reviews.push_back(Hold(CreateOrder(std::to_string(i)), r));
  }
  ASSERT_TRUE(store_->Decide({reviews[0], true, "alice", ""}).ok());
  auto out = store_->EscalateOverdue(Timestamp{kStart + kMinute}, 2);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ((*out)[0].id, reviews[1]);
  EXPECT_EQ((*out)[1].id, reviews[2]);
  out = store_->EscalateOverdue(Timestamp{kStart + kMinute}, 2);
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ((*out)[0].id, reviews[3]);
}

// --- reversal ---------------------------------------------------------------------------------

TEST_F(ReviewQueueTest, ReversingAnAutomaticFraudCancelReopensTheOrder) {
  OrderId id = CreateOrder("1");
  ReviewId review = AutoCancel(id);
  clock_.Advance(kMinute);
  auto r = store_->Reverse({review, "alice", "known customer"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, ReviewStatus::kAutoApplied);
  EXPECT_EQ(r->reversed_by, "alice");
  EXPECT_EQ(r->reversed_at, Timestamp{kStart + kMinute});
  EXPECT_EQ(Get(id).state, OrderState::kAccepted);
  EXPECT_THAT(EventTypes(id), ElementsAre("order.received", "order.cancelled", "decision.applied",
                                          "review.reversed", "order.reopened"));
  std::vector<Event> events = Events(id);
  EXPECT_EQ(events[3].payload, R"({"review_id":)" + review.ToString() +
                                   R"(,"who":"alice","comment":"known customer"})");
  EXPECT_EQ(events[4].payload, R"({"review_id":)" + review.ToString() +
                                   R"(,"who":"alice","comment":"known customer"})");
  EXPECT_EQ(events[4].actor, "alice");
  EXPECT_EQ(Get(id).version, 5);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM reviews WHERE status = 'open'"), 0);
}

TEST_F(ReviewQueueTest, ReversingAFraudCancelIsRefusedAfterARefund) {
  OrderId id = CreateOrder("1");
  ReviewId review = AutoCancel(id);
  ASSERT_TRUE(store_->Ingest(OrderDelivery(DeliveryKind::kRefund, "1")).ok());
  const int64_t version = Get(id).version;
  auto r = store_->Reverse({review, "alice", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("was refunded"));
  EXPECT_EQ(Get(id).state, OrderState::kCancelled);
  EXPECT_EQ(Get(id).version, version);
  EXPECT_FALSE(Review(review).reversed_at.has_value());
}

TEST_F(ReviewQueueTest, ReversingAnItemThatWasNotAppliedAutomaticallyIsRefused) {
  ReviewId review = Hold(CreateOrder("1"), Request("fraud_cancel"));
  auto r = store_->Reverse({review, "alice", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(),
            "review " + review.ToString() + " is not an automatic application (it is open)");
}

TEST_F(ReviewQueueTest, ReversingTwiceIsRefused) {
  OrderId id = CreateOrder("1");
  ReviewId review = AutoCancel(id);
  ASSERT_TRUE(store_->Reverse({review, "alice", ""}).ok());
  auto again = store_->Reverse({review, "bob", ""});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.status().message(), HasSubstr("already reversed by alice"));
  EXPECT_EQ(Get(id).state, OrderState::kAccepted);
}

TEST_F(ReviewQueueTest, ReversingAFraudCancelOfAnOrderThatMovedOnIsRefused) {
  OrderId id = CreateOrder("1");
  ReviewId review = AutoCancel(id);
  ASSERT_TRUE(store_->Reverse({review, "alice", ""}).ok());
  // A second automatic cancellation of the re-opened order, then the order is accepted again by
  // other means: its state is no longer the cancellation's.
  ReviewId second = AutoCancel(id);
  testing::ExecSql(path_, "UPDATE orders SET state = 'accepted' WHERE id = " + id.ToString());
  auto r = store_->Reverse({second, "alice", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("is accepted, not cancelled"));
}

TEST_F(ReviewQueueTest, ReversingAnAutomaticFraudHoldHoldsTheOrderWithANewItem) {
  AddStock("SKU-1", "reno", 5);
  OrderId id = CreateOrder("1");
  const std::string before = Get(id).order_json;
  // The engine released the order itself (an automatic fraud_hold), tagged it and allocated it.
  OrderTransition t;
  t.order_id = id;
  t.events.push_back(
      {"order.allocated", R"({"lines":[{"sku":"SKU-1","quantity":2}]})", "pipeline"});
  t.new_state = OrderState::kAllocated;
  t.review = Request("fraud_hold", /*applied=*/true);
  t.review->sla_due_at = Timestamp{kStart + 15 * kMinute};
  t.order_json = R"({"channel_order_id":"1","tags":["risk-cleared"]})";
  t.reserve = {{"SKU-1", "reno", 2}};
  ReviewId review = Commit(t);
  ASSERT_EQ(Get(id).order_json, *t.order_json);

  clock_.Advance(kMinute);
  auto r = store_->Reverse({review, "alice", "looks like the chargeback ring"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  OrderRecord order = Get(id);
  EXPECT_EQ(order.state, OrderState::kHeld);
  EXPECT_EQ(order.order_json, before);  // the snapshot the application replaced
  auto reservations = store_->GetReservations(id);
  ASSERT_TRUE(reservations.ok());
  ASSERT_EQ(reservations->size(), 1u);
  EXPECT_EQ((*reservations)[0].state, ReservationState::kReleased);
  auto level = store_->GetStock({"SKU-1"});
  ASSERT_TRUE(level.ok());
  ASSERT_EQ(level->size(), 1u);
  EXPECT_EQ((*level)[0].reserved, 0);

  ReviewId fresh = LastReview();
  ASSERT_NE(fresh, review);
  ReviewRecord item = Review(fresh);
  EXPECT_EQ(item.status, ReviewStatus::kOpen);
  EXPECT_EQ(item.kind, "fraud_hold");
  EXPECT_EQ(item.reason, "risk score 0.93");
  EXPECT_EQ(item.detail_json, R"({"score":0.93})");
  EXPECT_EQ(item.proposal, "cancel the order as fraud");
  EXPECT_EQ(item.money_minor, 12900);
  EXPECT_EQ(item.rule, "high-risk");
  EXPECT_EQ(item.created_at, Timestamp{kStart + kMinute});
  EXPECT_EQ(item.sla_due_at, Timestamp{kStart + kMinute + 15 * kMinute});  // the same 15 min

  std::vector<Event> events = Events(id);
  ASSERT_EQ(events.size(), 6u);
  EXPECT_THAT(EventTypes(id), ElementsAre("order.received", "order.allocated", "decision.applied",
                                          "review.reversed", "order.held", "review.opened"));
  EXPECT_EQ(events[3].payload,
            R"({"review_id":)" + review.ToString() +
                R"(,"who":"alice","comment":"looks like the chargeback ring","new_review_id":)" +
                fresh.ToString() + "}");
  EXPECT_EQ(events[4].payload,
            R"({"reason":"a person reversed the automatic fraud_hold decision","review_id":)" +
                review.ToString() + "}");
  EXPECT_THAT(events[5].payload, HasSubstr(R"("review_id":)" + fresh.ToString()));
  EXPECT_EQ(order.version, 6);
}

TEST_F(ReviewQueueTest, ReversingAnAutomaticHoldOfAShippedOrderIsRefused) {
  AddStock("SKU-1", "reno", 5);
  OrderId id = CreateOrder("1");
  OrderTransition t;
  t.order_id = id;
  t.events.push_back({"order.allocated", "{}", "pipeline"});
  t.new_state = OrderState::kAllocated;
  t.review = Request("fraud_hold", /*applied=*/true);
  t.reserve = {{"SKU-1", "reno", 1}};
  ReviewId review = Commit(t);
  ShipmentRequest ship;
  ship.order_id = id;
  ship.actor = "warehouse";
  ASSERT_TRUE(store_->Ship(ship).ok());
  auto r = store_->Reverse({review, "alice", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("has shipped"));
  EXPECT_EQ(Get(id).state, OrderState::kShipped);
}

TEST_F(ReviewQueueTest, ReversingAnUnknownItemIsNotFound) {
  EXPECT_EQ(store_->Reverse({ReviewId(7), "alice", ""}).status().code(), StatusCode::kNotFound);
}

// --- stats ------------------------------------------------------------------------------------

TEST_F(ReviewQueueTest, StatsCountDecisionsPerKindAndRule) {
  int n = 0;
  auto hold = [&](const std::string& kind, const std::string& rule) {
    ReviewRequest r = Request(kind);
    r.rule = rule;
    return Hold(CreateOrder(std::to_string(n++)), r);
  };
  auto apply = [&](const std::string& kind, const std::string& rule) {
    OrderTransition t;
    t.order_id = CreateOrder(std::to_string(n++));
    t.events.push_back({"order.accepted", "{}", "pipeline"});
    t.new_state = OrderState::kAccepted;
    t.review = Request(kind, /*applied=*/true);
    t.review->rule = rule;
    return Commit(t);
  };
  // Before `since`: one approval that must not count.
  ASSERT_TRUE(store_->Decide({hold("fraud_hold", "r1"), true, "alice", ""}).ok());
  clock_.Advance(kMinute);
  const Timestamp since = clock_.Now();

  ASSERT_TRUE(store_->Decide({hold("fraud_hold", "r1"), true, "alice", ""}).ok());
  ASSERT_TRUE(store_->Decide({hold("fraud_hold", "r1"), true, "alice", ""}).ok());
  ReviewDecision modified{hold("fraud_hold", "r1"), true, "alice", ""};
  modified.modified = true;
  ASSERT_TRUE(store_->Decide(modified).ok());
  ASSERT_TRUE(store_->Decide({hold("fraud_hold", "r1"), false, "bob", ""}).ok());
  ReviewDecision fallback{hold("fraud_hold", "r1"), false, "sla", ""};
  fallback.fallback = true;
  ASSERT_TRUE(store_->Decide(fallback).ok());
  apply("fraud_hold", "r1");
  ReviewId reversed = apply("fraud_hold", "r1");
  ASSERT_TRUE(store_->Reverse({reversed, "alice", ""}).ok());  // also opens a new item
  ReviewRequest due = Request("fraud_hold");
  due.rule = "r1";
  due.sla_due_at = clock_.Now();
  Hold(CreateOrder(std::to_string(n++)), due);
  ASSERT_EQ(store_->EscalateOverdue(clock_.Now(), 10)->size(), 1u);
  apply("fraud_hold", "r2");
  hold("backorder", "");

  auto stats = store_->ReviewStats(since);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  ASSERT_EQ(stats->size(), 3u);
  const ReviewKindStats& b = (*stats)[0];
  EXPECT_EQ(b.kind, "backorder");
  EXPECT_EQ(b.rule, "");
  EXPECT_EQ(b.open, 1);
  EXPECT_EQ(b.human_decisions, 0);

  const ReviewKindStats& r1 = (*stats)[1];
  EXPECT_EQ(r1.kind, "fraud_hold");
  EXPECT_EQ(r1.rule, "r1");
  EXPECT_EQ(r1.human_decisions, 4);
  EXPECT_EQ(r1.approved_unchanged, 2);
  EXPECT_EQ(r1.approved_modified, 1);
  EXPECT_EQ(r1.rejected, 1);
  EXPECT_EQ(r1.fallback, 1);
  EXPECT_EQ(r1.automatic, 2);
  EXPECT_EQ(r1.reversed, 1);
  EXPECT_EQ(r1.open, 2);  // the reversal's new item and the escalated one
  EXPECT_EQ(r1.escalated, 1);

  const ReviewKindStats& r2 = (*stats)[2];
  EXPECT_EQ(r2.rule, "r2");
  EXPECT_EQ(r2.automatic, 1);
  EXPECT_EQ(r2.reversed, 0);
  EXPECT_EQ(r2.open, 0);
}

// --- lists ------------------------------------------------------------------------------------

TEST_F(ReviewQueueTest, ListReviewsFiltersAndPages) {
  std::vector<OrderId> orders;
  std::vector<ReviewId> fraud;  // fraud_hold items, oldest first
  for (int i = 0; i < 6; ++i) {
    orders.push_back(CreateOrder(std::to_string(i)));
    ReviewRequest r = Request(i % 2 == 0 ? "fraud_hold" : "order_hold");
    if (i < 3) r.sla_due_at = Timestamp{kStart + kMinute};
    ReviewId id = Hold(orders.back(), r);
    if (i % 2 == 0) fraud.push_back(id);
  }
  ASSERT_TRUE(ClaimStatus(fraud[0], "alice").ok());
  ASSERT_TRUE(ClaimStatus(fraud[2], "alice").ok());
  ASSERT_TRUE(store_->Decide({fraud[2], true, "alice", ""}).ok());
  clock_.Advance(2 * kMinute);

  auto ids = [&](const ReviewFilter& f, int limit) {
    std::vector<int64_t> out;
    std::optional<int64_t> cursor;
    int pages = 0;
    do {
      auto page = store_->ListReviews(f, limit, cursor);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok() || ++pages > 20) break;
      for (const ReviewRecord& r : page->items) out.push_back(r.id.value());
      cursor = page->next_cursor;
    } while (cursor);
    return out;
  };
  ReviewFilter kind;
  kind.kind = "fraud_hold";
  EXPECT_THAT(ids(kind, 2), ElementsAre(fraud[2].value(), fraud[1].value(), fraud[0].value()));
  kind.status = ReviewStatus::kOpen;
  EXPECT_THAT(ids(kind, 1), ElementsAre(fraud[1].value(), fraud[0].value()));
  ReviewFilter claimed;
  claimed.claimed_by = "alice";
  EXPECT_THAT(ids(claimed, 1), ElementsAre(fraud[2].value(), fraud[0].value()));
  claimed.status = ReviewStatus::kOpen;
  EXPECT_THAT(ids(claimed, 10), ElementsAre(fraud[0].value()));
  ReviewFilter order;
  order.order_id = orders[1];
  ASSERT_EQ(ids(order, 10).size(), 1u);
  EXPECT_EQ(Review(ReviewId(ids(order, 10)[0])).order_id, orders[1]);
  ReviewFilter overdue;
  overdue.overdue = true;
  // The items of orders 0, 1 and 2 are due and open: fraud[0], an order_hold, fraud[1].
  std::vector<int64_t> late = ids(overdue, 1);
  ASSERT_EQ(late.size(), 3u);
  EXPECT_EQ(late[0], fraud[1].value());
  EXPECT_EQ(late[2], fraud[0].value());
  EXPECT_EQ(ids(ReviewFilter(), 4).size(), 6u);
}

TEST_F(ReviewQueueTest, OverdueUsesTheStoresClock) {
  ReviewRequest r = Request("fraud_hold");
  r.sla_due_at = Timestamp{kStart + 10 * kMinute};
  Hold(CreateOrder("1"), r);
  ReviewFilter f;
  f.overdue = true;
  EXPECT_TRUE(store_->ListReviews(f, 10, std::nullopt)->items.empty());
  clock_.Advance(10 * kMinute);
  EXPECT_EQ(store_->ListReviews(f, 10, std::nullopt)->items.size(), 1u);
}

// --- risk history -----------------------------------------------------------------------------

TEST_F(ReviewQueueTest, OrdersCreatedSinceReturnsRecentOrdersWithSnapshotsOldestFirst) {
  Delivery old = OrderDelivery(DeliveryKind::kOrderCreate, "old");
  old.received_at = Timestamp{kStart - 100 * kMinute};
  ASSERT_TRUE(store_->Ingest(old).ok());
  std::vector<OrderId> recent;
  for (int i = 0; i < 5; ++i) {
    Delivery d = OrderDelivery(DeliveryKind::kOrderCreate, "r" + std::to_string(i));
    d.received_at = Timestamp{kStart + i * kMinute};
    auto out = store_->Ingest(d);
    ASSERT_TRUE(out.ok());
    recent.push_back(out->order_id);
  }
  auto first = store_->OrdersCreatedSince(Timestamp{kStart}, OrderId(), 3);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->size(), 3u);
  EXPECT_EQ((*first)[0].id, recent[0]);
  EXPECT_EQ((*first)[2].id, recent[2]);
  EXPECT_EQ((*first)[0].order_json, R"({"channel_order_id":"r0","total":2500})");
  EXPECT_EQ((*first)[0].created_at, Timestamp{kStart});
  auto rest = store_->OrdersCreatedSince(Timestamp{kStart}, first->back().id, 3);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 2u);
  EXPECT_EQ((*rest)[1].id, recent[4]);
}

// --- migration --------------------------------------------------------------------------------

TEST(ReviewMigrationTest, RowsFromBeforeMigration4ReadWithDefaults) {
  TempDir dir;
  const std::string path = dir.path() + "/old.db";
  ManualClock clock{Timestamp{kStart}};
  {
    auto conn = internal::Connection::Open(path, /*create=*/true, 1000);
    ASSERT_TRUE(conn.ok());
    auto known = internal::KnownMigrations();
    ASSERT_GE(known.size(), 4u);
    ASSERT_TRUE(internal::Migrate(**conn, clock, known.first(3)).ok());
    ASSERT_TRUE(
        (*conn)
            ->ExecScript("INSERT INTO orders (channel, shop, channel_order_id, state, "
                         "version, created_at, updated_at) VALUES "
                         "('api', 'default', '1', 'held', 2, 0, 0);"
                         "INSERT INTO reviews (order_id, kind, reason, detail_json, "
                         "status, created_at) VALUES (1, 'order_hold', 'x', '{}', 'open', 5)")
            .ok());
  }
  SqliteOptions o;
  o.path = path;
  o.clock = &clock;
  auto store = SqliteStore::Open(o);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto r = (*store)->GetReview(ReviewId(1));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, ReviewStatus::kOpen);
  EXPECT_EQ(r->proposal, "");
  EXPECT_DOUBLE_EQ(r->confidence, 1.0);
  EXPECT_FALSE(r->sla_due_at.has_value());
  EXPECT_EQ(r->claimed_by, "");
  EXPECT_FALSE(r->modified);
  EXPECT_FALSE(r->reversed_at.has_value());
}

}  // namespace
}  // namespace orderpilot::store
