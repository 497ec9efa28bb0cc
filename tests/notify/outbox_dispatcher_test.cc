// The outbox dispatcher against a real SQLite store and a fake webhook receiver.
#include "notify/outbox_dispatcher.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "core/order_json.h"
#include "store/sqlite_store.h"

namespace orderpilot::notify {
namespace {

class OutboxDispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/op-outbox-XXXXXX";
    dir_ = mkdtemp(tmpl);
    store::SqliteOptions o;
    o.path = dir_ + "/db.sqlite";
    o.clock = &clock_;
    auto s = store::SqliteStore::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    // One order, and one webhook message written with a transition of it.
    Order order;
    order.channel = "api";
    order.shop = "default";
    order.channel_order_id = "1";
    order.currency = *Currency::Parse("USD");
    store::Delivery d;
    d.channel = "api";
    d.shop = "default";
    d.kind = store::DeliveryKind::kOrderCreate;
    d.event_type = "order.received";
    d.channel_order_id = "1";
    d.payload_json = EncodeOrder(order);
    d.order = order;
    auto out = store_->Ingest(d);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    store::OrderTransition t;
    t.order_id = out->order_id;
    t.expected_version = 1;
    t.events.push_back({"webhook.requested", "{}", "test"});
    t.new_state = store::OrderState::kAccepted;
    t.outbox.push_back({"webhook", "http://hooks.example/x", R"({"a":1})", "key-1"});
    t.outbox.push_back({"webhook", "http://hooks.example/x", R"({"a":1})", "key-1"});  // dup
    ASSERT_TRUE(store_->Transition(t).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  store::OutboxRecord Only() {
    auto all = store_->ListOutbox(10);
    EXPECT_TRUE(all.ok());
    EXPECT_EQ(all->size(), 1u);
    return all->empty() ? store::OutboxRecord{} : all->front();
  }

  std::string dir_;
  ManualClock clock_{Timestamp{1700000000000000}};
  std::unique_ptr<store::SqliteStore> store_;
  std::vector<std::pair<std::string, std::string>> seen_headers_;
  std::string seen_body_;
};

TEST_F(OutboxDispatcherTest, DuplicateIdempotencyKeyIsStoredOnce) { Only(); }

TEST_F(OutboxDispatcherTest, DeliversWithTheIdempotencyKey) {
  OutboxDispatcher d(*store_, clock_,
                     [&](const std::string&, const std::string& body, const auto& headers) {
                       seen_body_ = body;
                       seen_headers_ = headers;
                       return SendOutcome{SendResult::kDelivered, "HTTP 200"};
                     });
  EXPECT_EQ(d.RunOnce(), 1);
  EXPECT_EQ(Only().status, "delivered");
  EXPECT_EQ(seen_body_, R"({"a":1})");
  bool has_key = false;
  for (const auto& [k, v] : seen_headers_) has_key |= k == "Idempotency-Key" && v == "key-1";
  EXPECT_TRUE(has_key);
  EXPECT_EQ(d.RunOnce(), 0);  // nothing due any more
}

TEST_F(OutboxDispatcherTest, RetriesWithBackoffThenGivesUp) {
  int calls = 0;
  DispatcherOptions o;
  o.max_attempts = 3;
  o.first_retry = std::chrono::seconds(10);
  OutboxDispatcher d(
      *store_, clock_,
      [&](const std::string&, const std::string&, const auto&) {
        ++calls;
        return SendOutcome{SendResult::kRetry, "HTTP 503"};
      },
      o);
  EXPECT_EQ(d.RunOnce(), 1);
  EXPECT_EQ(Only().status, "pending");
  EXPECT_EQ(d.RunOnce(), 0);  // not due before the backoff passes
  clock_.Advance(int64_t{10} * 1000000);
  EXPECT_EQ(d.RunOnce(), 1);
  clock_.Advance(int64_t{19} * 1000000);
  EXPECT_EQ(d.RunOnce(), 0);  // the second wait is 20 s
  clock_.Advance(int64_t{1} * 1000000);
  EXPECT_EQ(d.RunOnce(), 1);
  EXPECT_EQ(Only().status, "dead");
  EXPECT_EQ(Only().attempts, 3);
  EXPECT_EQ(calls, 3);
}

TEST_F(OutboxDispatcherTest, RejectedMessageIsDeadAtOnce) {
  OutboxDispatcher d(*store_, clock_, [&](const std::string&, const std::string&, const auto&) {
    return SendOutcome{SendResult::kRejected, "HTTP 404"};
  });
  EXPECT_EQ(d.RunOnce(), 1);
  EXPECT_EQ(Only().status, "dead");
}

}  // namespace
}  // namespace orderpilot::notify
