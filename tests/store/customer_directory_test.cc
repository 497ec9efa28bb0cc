// The customer directory of SqliteStore: a stored webhook carries its customer, key and blind
// indexes, an order its customer, other deliveries append to customer_log; drains file what is
// past the marks (and the log) into customer_keys / customer_index / customer_orders /
// customer_webhooks, and every directory read sees every committed delivery.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/sqlite_store.h"
#include "store/store.h"
#include "store_test_util.h"

namespace orderpilot::store {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::OrderDelivery;
using testing::QueryInt;
using testing::TempDir;

class CustomerDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    path_ = dir_.path() + "/orderpilot.db";
    Open();
  }
  void Open() {
    SqliteOptions o;
    o.path = path_;
    o.clock = &clock_;
    o.customer_log_batch = 64;
    auto s = SqliteStore::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }

  // An order delivery about `ref` under `key`, found by `blinds`.
  static Delivery About(const std::string& order, const std::string& ref, const std::string& key,
                        std::vector<std::string> blinds, const std::string& webhook_id = "") {
    Delivery d = OrderDelivery(DeliveryKind::kOrderCreate, order, webhook_id);
    d.customer_ref = ref;
    d.key_id = key;
    d.customer_index = std::move(blinds);
    return d;
  }
  int64_t Count(const std::string& table) {
    return QueryInt(path_, "SELECT COUNT(*) FROM " + table);
  }
  int64_t Mark(const std::string& source) {
    return QueryInt(path_,
                    "SELECT last_id FROM customer_directory_marks WHERE source = '" + source + "'");
  }
  // Deliveries about a customer not filed yet: log rows and webhooks past the mark.
  int64_t Pending() {
    return Count("customer_log") +
           QueryInt(path_, "SELECT COUNT(*) FROM webhooks WHERE customer_ref != '' AND id > " +
                               std::to_string(Mark("webhooks")));
  }

  TempDir dir_;
  std::string path_;
  ManualClock clock_{Timestamp{1'700'000'000'000'000}};
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(CustomerDirectoryTest, ReadsSeeWebhooksNotFiledYet) {
  auto out = store_->Ingest(About("1001", "cus_a", "k1", {"e_a", "p_a"}, "wh-1"));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  // Filed lazily: the webhook row carries the customer until something reads the directory; no
  // log row is written for it.
  EXPECT_EQ(Pending(), 1);
  EXPECT_EQ(Count("customer_log"), 0);
  EXPECT_EQ(Count("customer_keys"), 0);

  auto refs = store_->FindCustomers({"p_a", "unknown"});
  ASSERT_TRUE(refs.ok()) << refs.status().ToString();
  EXPECT_THAT(*refs, ElementsAre("cus_a"));
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(Mark("webhooks"), 1);
  EXPECT_EQ(Mark("orders"), out->order_id.value());

  auto keys = store_->GetCustomerKeys("cus_a");
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].key_id, "k1");
  EXPECT_EQ((*keys)[0].shop, "example.myshopify.com");

  auto orders = store_->OrdersOfCustomer("cus_a");
  ASSERT_TRUE(orders.ok());
  ASSERT_EQ(orders->size(), 1u);
  EXPECT_EQ((*orders)[0].id, out->order_id);

  auto bodies = store_->WebhookBodiesOfCustomer("cus_a");
  ASSERT_TRUE(bodies.ok());
  EXPECT_EQ(bodies->size(), 1u);
}

TEST_F(CustomerDirectoryTest, EachReadDrainsFirst) {
  ASSERT_TRUE(store_->Ingest(About("1", "cus_a", "k1", {"e_a"})).ok());
  auto shop = store_->CustomersOfShop("example.myshopify.com", "", 10);
  ASSERT_TRUE(shop.ok());
  EXPECT_THAT(*shop, ElementsAre("cus_a"));

  ASSERT_TRUE(store_->Ingest(About("2", "cus_b", "k2", {"e_b"})).ok());
  clock_.Advance(int64_t{40} * 86'400'000'000);
  auto inactive = store_->CustomersInactiveSince(clock_.Now(), 10);
  ASSERT_TRUE(inactive.ok());
  EXPECT_THAT(*inactive, ElementsAre("cus_a", "cus_b"));

  ASSERT_TRUE(store_->Ingest(About("3", "cus_c", "k3", {"e_c"})).ok());
  auto erased = store_->MarkCustomersErased({"cus_c"}, {"privacy.erased", "{}", "test"});
  ASSERT_TRUE(erased.ok()) << erased.status().ToString();
  EXPECT_THAT(*erased, ElementsAre("k3"));
}

TEST_F(CustomerDirectoryTest, RepeatDeliveriesMoveLastSeenAndKeepCreatedAt) {
  ASSERT_TRUE(store_->Ingest(About("1", "cus_a", "k1", {"e_a"})).ok());
  const Timestamp first = clock_.Now();
  clock_.Advance(int64_t{5} * 3'600'000'000);
  Delivery update = About("1", "cus_a", "k1", {"e_a", "p_a"});
  update.kind = DeliveryKind::kOrderUpdate;
  ASSERT_TRUE(store_->Ingest(update).ok());
  ASSERT_TRUE(store_->Ingest(About("2", "cus_a", "k2", {"e_a"})).ok());

  auto keys = store_->GetCustomerKeys("cus_a");
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  for (const CustomerKeyRecord& k : *keys) {
    if (k.key_id == "k1") {
      EXPECT_EQ(k.created_at, first);
      EXPECT_EQ(k.last_seen_at, clock_.Now());
    }
  }
  // The update names the phone too; it finds the same customer. The order is filed once (by the
  // delivery that created it).
  EXPECT_THAT(*store_->FindCustomers({"p_a"}), ElementsAre("cus_a"));
  EXPECT_EQ(store_->OrdersOfCustomer("cus_a")->size(), 2u);
  EXPECT_EQ(Count("customer_orders"), 2);
  EXPECT_EQ(Count("customer_index"), 2);
}

TEST_F(CustomerDirectoryTest, TheBacklogSurvivesAReopenAndIsFiledThen) {
  ASSERT_TRUE(store_->Ingest(About("1", "cus_a", "k1", {"e_a"})).ok());  // through the log
  ASSERT_TRUE(store_->Ingest(About("2", "cus_b", "k2", {"e_b"}, "wh-2")).ok());
  store_.reset();  // as after a crash: the deliveries are committed, the directory not yet filled
  EXPECT_EQ(Count("customer_log"), 1);
  EXPECT_EQ(Pending(), 2);
  Open();
  EXPECT_THAT(*store_->FindCustomers({"e_a", "e_b"}), ElementsAre("cus_a", "cus_b"));
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(store_->OrdersOfCustomer("cus_a")->size(), 1u);
  EXPECT_EQ(store_->OrdersOfCustomer("cus_b")->size(), 1u);
  EXPECT_EQ(store_->WebhookBodiesOfCustomer("cus_b")->size(), 1u);
}

TEST_F(CustomerDirectoryTest, WebhooksAreFiledPastTheBatchSizeWithoutALogRow) {
  for (int i = 0; i < 63; ++i) {
    const std::string n = std::to_string(i);
    ASSERT_TRUE(store_->Ingest(About("o" + n, "cus_" + n, "k" + n, {"e_" + n}, "wh-" + n)).ok());
  }
  EXPECT_EQ(Pending(), 63);
  EXPECT_EQ(Count("customer_log"), 0);
  ASSERT_TRUE(store_->Ingest(About("o63", "cus_63", "k63", {"e_63"}, "wh-63")).ok());
  EXPECT_EQ(Pending(), 0);
  EXPECT_EQ(Count("customer_keys"), 64);
  EXPECT_EQ(Count("customer_index"), 64);
  EXPECT_EQ(Count("customer_orders"), 64);
  EXPECT_EQ(Count("customer_webhooks"), 64);
}

TEST_F(CustomerDirectoryTest, TheMarksPassRowsStoredInClear) {
  // Stored without encryption: nothing to file, but the marks move past them.
  ASSERT_TRUE(store_->Ingest(OrderDelivery(DeliveryKind::kOrderCreate, "1", "wh-1")).ok());
  ASSERT_TRUE(store_->Ingest(OrderDelivery(DeliveryKind::kOrderCreate, "2", "wh-2")).ok());
  auto out = store_->Ingest(About("3", "cus_c", "k3", {"e_c"}, "wh-3"));
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(store_->Ingest(OrderDelivery(DeliveryKind::kOrderCreate, "4", "wh-4")).ok());
  EXPECT_THAT(*store_->FindCustomers({"e_c"}), ElementsAre("cus_c"));
  EXPECT_EQ(Mark("webhooks"), 4);
  EXPECT_EQ(Mark("orders"), QueryInt(path_, "SELECT MAX(id) FROM orders"));
  ASSERT_EQ(store_->OrdersOfCustomer("cus_c")->size(), 1u);
  EXPECT_EQ((*store_->OrdersOfCustomer("cus_c"))[0].id, out->order_id);
  EXPECT_EQ(Count("customer_webhooks"), 1);
}

TEST_F(CustomerDirectoryTest, IngestDrainsPastTheBatchSize) {
  // The fixture's customer_log_batch is 64: the delivery that reaches it files the log.
  for (int i = 0; i < 63; ++i) {
    const std::string n = std::to_string(i);
    auto out = store_->Ingest(About("o" + n, "cus_" + n, "k" + n, {"e_" + n}));
    ASSERT_TRUE(out.ok()) << out.status().ToString();
  }
  EXPECT_EQ(Count("customer_log"), 63);
  ASSERT_TRUE(store_->Ingest(About("o63", "cus_63", "k63", {"e_63"})).ok());
  EXPECT_EQ(Count("customer_log"), 0);
  EXPECT_EQ(Count("customer_keys"), 64);
  EXPECT_EQ(Count("customer_orders"), 64);
}

TEST_F(CustomerDirectoryTest, AReadFilesABacklogLargerThanOneBatch) {
  // Each process counts only its own appends: two runs of 63 leave 126 rows (two batches) behind.
  for (int run = 0; run < 2; ++run) {
    for (int i = 0; i < 63; ++i) {
      const std::string n = std::to_string(run * 100 + i);
      ASSERT_TRUE(store_->Ingest(About("o" + n, "cus_" + n, "k" + n, {"e_" + n})).ok());
    }
    store_.reset();
    Open();
  }
  EXPECT_EQ(Count("customer_log"), 126);
  EXPECT_THAT(*store_->FindCustomers({"e_0", "e_162"}), ElementsAre("cus_0", "cus_162"));
  EXPECT_EQ(Count("customer_log"), 0);
  EXPECT_EQ(Count("customer_keys"), 126);
}

TEST_F(CustomerDirectoryTest, DeliveriesWithoutACustomerAreNotLogged) {
  ASSERT_TRUE(store_->Ingest(OrderDelivery(DeliveryKind::kOrderCreate, "1", "wh-1")).ok());
  EXPECT_EQ(Count("customer_log"), 0);
  EXPECT_THAT(*store_->CustomersOfShop("", "", 10), IsEmpty());
}

TEST_F(CustomerDirectoryTest, ABlindIndexWithASpaceIsRefusedAndNothingIsWritten) {
  auto out = store_->Ingest(About("1", "cus_a", "k1", {"bad blind"}));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Count("orders"), 0);
  EXPECT_EQ(Count("customer_log"), 0);
  auto hooked = store_->Ingest(About("2", "cus_b", "k2", {"bad blind"}, "wh-2"));
  ASSERT_FALSE(hooked.ok());
  EXPECT_EQ(Count("webhooks"), 0);
}

TEST_F(CustomerDirectoryTest, ADuplicateWebhookIsNotFiledTwice) {
  ASSERT_TRUE(store_->Ingest(About("1", "cus_a", "k1", {"e_a"}, "wh-1")).ok());
  auto again = store_->Ingest(About("1", "cus_a", "k1", {"e_a"}, "wh-1"));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(Pending(), 1);
  EXPECT_EQ(Count("webhooks"), 1);
}

}  // namespace
}  // namespace orderpilot::store
