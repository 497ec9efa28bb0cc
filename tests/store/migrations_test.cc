#include "store/internal/migrations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/sqlite_store.h"
#include "store_test_util.h"

namespace orderpilot::store::internal {
namespace {

using testing::ExecSql;
using ::testing::HasSubstr;
using testing::QueryInt;
using testing::TempDir;

class MigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    path_ = dir_.path() + "/m.db";
  }
  Result<std::unique_ptr<SqliteStore>> OpenStore() {
    SqliteOptions o;
    o.path = path_;
    o.clock = &clock_;
    return SqliteStore::Open(o);
  }
  std::unique_ptr<Connection> Raw() {
    auto c = Connection::Open(path_, true, 1000);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(*c) : nullptr;
  }
  bool TableExists(const std::string& name) {
    return QueryInt(path_, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '" +
                               name + "'") == 1;
  }

  TempDir dir_;
  std::string path_;
  ManualClock clock_{Timestamp{1750000000000000}};
};

TEST_F(MigrationsTest, FreshDatabaseGetsEveryTable) {
  ASSERT_TRUE(OpenStore().ok());
  for (const char* table :
       {"events", "orders", "webhooks", "parked_events", "privacy_requests", "reviews", "outbox",
        "stock", "reservations", "stock_adjustments", "incoming", "schema_migrations"}) {
    EXPECT_TRUE(TableExists(table)) << table;
  }
  EXPECT_EQ(QueryInt(path_, "SELECT MAX(version) FROM schema_migrations"),
            KnownMigrations().back().version);
  EXPECT_EQ(QueryInt(path_, "SELECT applied_at FROM schema_migrations WHERE version = 1"),
            clock_.Now().micros);
}

TEST_F(MigrationsTest, ReopeningAppliesNothingTwice) {
  ASSERT_TRUE(OpenStore().ok());
  clock_.Advance(1000);
  auto again = OpenStore();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(QueryInt(path_, "SELECT COUNT(*) FROM schema_migrations"),
            static_cast<int64_t>(KnownMigrations().size()));
  EXPECT_EQ(QueryInt(path_, "SELECT MAX(applied_at) FROM schema_migrations"),
            clock_.Now().micros - 1000);
}

// Migration 8 files the customers recorded by migration 7's columns into customer_orders and
// customer_webhooks, which replace the indexes on those columns.
TEST_F(MigrationsTest, CustomerRowsOfSchema7AreFiledByMigration8) {
  {
    auto conn = Raw();
    ASSERT_NE(conn, nullptr);
    const auto known = KnownMigrations();
    ASSERT_GE(known.size(), 8u);
    ASSERT_TRUE(Migrate(*conn, clock_, known.first(7)).ok());
  }
  ExecSql(path_,
          "INSERT INTO orders (id, channel, shop, channel_order_id, number, state, version, "
          "currency, total_minor, financial_status, created_at, updated_at, customer_ref, key_id) "
          "VALUES (7, 'shopify', 's', '1001', '#1001', 'received', 1, 'EUR', 100, 'paid', 0, 0, "
          "'cus_a', 'k1'), (8, 'shopify', 's', '1002', '#1002', 'received', 1, 'EUR', 100, "
          "'paid', 0, 0, '', '')");
  ExecSql(path_,
          "INSERT INTO webhooks (id, channel, shop, topic, webhook_id, event_id, api_version, "
          "triggered_at, received_at, body, customer_ref) VALUES (3, 'shopify', 's', "
          "'orders/create', 'w', '', '', '', 0, '{}', 'cus_a')");
  ASSERT_TRUE(OpenStore().ok());
  EXPECT_EQ(QueryInt(path_, "SELECT order_id FROM customer_orders WHERE customer_ref = 'cus_a'"),
            7);
  EXPECT_EQ(QueryInt(path_, "SELECT COUNT(*) FROM customer_orders"), 1);
  EXPECT_EQ(QueryInt(path_, "SELECT webhook_id FROM customer_webhooks"), 3);
  EXPECT_EQ(QueryInt(path_,
                     "SELECT COUNT(*) FROM sqlite_master WHERE name IN "
                     "('orders_by_customer', 'webhooks_by_customer')"),
            0);
}

// Migration 9 sets the directory's marks past every row stored before it (those were filed
// through customer_log); a log row of schema 8, which names its order and webhook, is still
// filed.
TEST_F(MigrationsTest, Migration9MarksStoredRowsAndKeepsTheLogOfSchema8) {
  {
    auto conn = Raw();
    ASSERT_NE(conn, nullptr);
    const auto known = KnownMigrations();
    ASSERT_GE(known.size(), 9u);
    ASSERT_TRUE(Migrate(*conn, clock_, known.first(8)).ok());
  }
  ExecSql(path_,
          "INSERT INTO orders (id, channel, shop, channel_order_id, number, state, version, "
          "currency, total_minor, financial_status, created_at, updated_at, customer_ref, key_id) "
          "VALUES (7, 'shopify', 's', '1001', '#1001', 'received', 1, 'EUR', 100, 'paid', 0, 0, "
          "'cus_a', 'k1')");
  ExecSql(path_,
          "INSERT INTO webhooks (id, channel, shop, topic, webhook_id, event_id, api_version, "
          "triggered_at, received_at, body, customer_ref) VALUES (3, 'shopify', 's', "
          "'orders/create', 'w', '', '', '', 0, '{}', 'cus_a')");
  ExecSql(path_,
          "INSERT INTO customer_log (customer_ref, key_id, shop, at, blinds, order_id, "
          "webhook_id) VALUES ('cus_a', 'k1', 's', 5, 'e_a', 7, 3)");
  auto store = OpenStore();
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(QueryInt(path_,
                     "SELECT last_id FROM customer_directory_marks WHERE source = "
                     "'webhooks'"),
            3);
  EXPECT_EQ(QueryInt(path_,
                     "SELECT last_id FROM customer_directory_marks WHERE source = "
                     "'orders'"),
            7);
  auto refs = (*store)->FindCustomers({"e_a"});
  ASSERT_TRUE(refs.ok()) << refs.status().ToString();
  ASSERT_EQ(refs->size(), 1u);
  EXPECT_EQ(QueryInt(path_, "SELECT order_id FROM customer_orders WHERE customer_ref = 'cus_a'"),
            7);
  EXPECT_EQ(QueryInt(path_, "SELECT webhook_id FROM customer_webhooks"), 3);
  EXPECT_EQ(QueryInt(path_, "SELECT COUNT(*) FROM customer_log"), 0);
}

TEST_F(MigrationsTest, NewerDatabaseIsRefused) {
  ASSERT_TRUE(OpenStore().ok());
  ExecSql(path_, "INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)");
  auto refused = OpenStore();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("schema version 999 is newer"));
}

TEST_F(MigrationsTest, OnlyMissingMigrationsAreApplied) {
  const Migration v1[] = {{1, "CREATE TABLE a (x)"}};
  const Migration v2[] = {{1, "CREATE TABLE a (x)"}, {2, "CREATE TABLE b (x)"}};
  auto conn = Raw();
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(Migrate(*conn, clock_, v1).ok());
  // Re-running migration 1 would fail: table a exists.
  Status s = Migrate(*conn, clock_, v2);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(TableExists("b"));
  auto version = SchemaVersion(*conn);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, 2);
}

TEST_F(MigrationsTest, FailedMigrationLeavesNothingBehind) {
  const Migration list[] = {{1, "CREATE TABLE a (x)"},
                            {2, "CREATE TABLE c (x); INSERT INTO missing VALUES (1)"}};
  auto conn = Raw();
  ASSERT_NE(conn, nullptr);
  Status s = Migrate(*conn, clock_, list);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_THAT(s.message(), HasSubstr("migration 2"));
  EXPECT_TRUE(TableExists("a"));
  EXPECT_FALSE(TableExists("c"));
  auto version = SchemaVersion(*conn);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, 1);
}

}  // namespace
}  // namespace orderpilot::store::internal

namespace orderpilot::store::internal {
namespace {

// Upgrading a database of schema 1: rules meet the events after the upgrade only, so existing
// orders start with rules_version = version (no retroactive firing on their next change).
TEST(RulesMigrationTest, ExistingOrdersStartWithTheirRulesCursorAtTheirVersion) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/m.db";
  ManualClock clock{Timestamp{1750000000000000}};
  {
    auto conn = Connection::Open(path, true, 1000);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    ASSERT_TRUE(Migrate(**conn, clock, KnownMigrations().subspan(0, 1)).ok());
    ASSERT_TRUE((*conn)
                    ->ExecScript("INSERT INTO orders (channel, shop, channel_order_id, state, "
                                 "version, created_at, updated_at) VALUES "
                                 "('api', 'default', '1', 'accepted', 3, 0, 0)")
                    .ok());
    ASSERT_TRUE(Migrate(**conn, clock, KnownMigrations()).ok());
  }
  EXPECT_EQ(testing::QueryInt(path, "SELECT rules_version FROM orders"), 3);
}

}  // namespace
}  // namespace orderpilot::store::internal

namespace orderpilot::store::internal {
namespace {

// Upgrading a database of schema 2: the stock tables arrive empty, and what was there stays.
TEST(StockMigrationTest, UpgradeAddsStockTablesAndKeepsTheLog) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/m.db";
  ManualClock clock{Timestamp{1750000000000000}};
  auto conn = Connection::Open(path, true, 1000);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  ASSERT_TRUE(Migrate(**conn, clock, KnownMigrations().subspan(0, 2)).ok());
  ASSERT_TRUE((*conn)
                  ->ExecScript("INSERT INTO events (stream, version, type, payload, actor, at) "
                               "VALUES ('order-1', 1, 'order.received', '{}', 'api', 0)")
                  .ok());
  Status s = Migrate(**conn, clock, KnownMigrations());
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(testing::QueryInt(path, "SELECT COUNT(*) FROM events"), 1);
  for (const char* table : {"stock", "reservations", "stock_adjustments", "incoming"}) {
    EXPECT_EQ(testing::QueryInt(path, std::string("SELECT COUNT(*) FROM ") + table), 0) << table;
  }
  EXPECT_EQ(testing::QueryInt(path,
                              "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' "
                              "AND name = 'events_allocations'"),
            1);
}

}  // namespace
}  // namespace orderpilot::store::internal
