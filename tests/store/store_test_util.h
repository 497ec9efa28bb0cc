// tests/store/store_test_util.h — fixtures shared by the store tests: a temporary directory, a
// store opened on a real SQLite file, delivery builders, and raw SQL counts.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "core/money.h"
#include "core/order.h"
#include "core/time.h"
#include "store/sqlite_store.h"

namespace orderpilot::store::testing {

// A fresh directory under /tmp, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/op-store-XXXXXX";
    const char* made = mkdtemp(tmpl);
    path_ = made != nullptr ? made : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline Order MakeOrder(const std::string& channel_order_id, int64_t total_minor = 2500) {
  Order o;
  o.channel = "shopify";
  o.shop = "example.myshopify.com";
  o.channel_order_id = channel_order_id;
  o.number = "#" + channel_order_id;
  o.currency = *Currency::Parse("USD");
  o.totals.total = Money(total_minor, o.currency);
  o.financial_status = FinancialStatus::kPaid;
  return o;
}

// An order delivery as the webhook path builds it. Empty webhook_id and event_id make it an
// API-style delivery (no webhook row).
inline Delivery OrderDelivery(DeliveryKind kind, const std::string& channel_order_id,
                              const std::string& webhook_id = "", const std::string& event_id = "",
                              int64_t total_minor = 2500) {
  Delivery d;
  d.channel = "shopify";
  d.shop = "example.myshopify.com";
  d.webhook_id = webhook_id;
  d.event_id = event_id;
  d.api_version = "2026-04";
  d.triggered_at = "2026-04-01T10:00:00Z";
  d.received_at = Timestamp{1700000000000000};
  d.kind = kind;
  switch (kind) {
    case DeliveryKind::kOrderCreate:
      d.topic = "orders/create";
      d.event_type = "order.received";
      break;
    case DeliveryKind::kOrderUpdate:
      d.topic = "orders/updated";
      d.event_type = "order.updated";
      break;
    case DeliveryKind::kOrderCancel:
      d.topic = "orders/cancelled";
      d.event_type = "order.cancelled";
      break;
    case DeliveryKind::kRefund:
      d.topic = "refunds/create";
      d.event_type = "order.refunded";
      break;
    case DeliveryKind::kPrivacyRequest:
      d.topic = "customers/data_request";
      break;
    case DeliveryKind::kOther:
      d.topic = "products/update";
      break;
  }
  d.channel_order_id = channel_order_id;
  if (kind == DeliveryKind::kOrderCreate || kind == DeliveryKind::kOrderUpdate ||
      kind == DeliveryKind::kOrderCancel) {
    d.order = MakeOrder(channel_order_id, total_minor);
    d.payload_json = R"({"channel_order_id":")" + channel_order_id + R"(","total":)" +
                     std::to_string(total_minor) + "}";
  } else if (kind == DeliveryKind::kRefund) {
    d.payload_json = R"({"refund_for":")" + channel_order_id + R"("})";
  } else {
    d.payload_json = R"({"topic":")" + d.topic + R"("})";
  }
  d.raw_body = d.payload_json;
  d.actor = "shopify";
  return d;
}

// Runs a single-value query on its own connection: the truth on disk, not through the store.
inline int64_t QueryInt(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  int64_t value = -1;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      value = sqlite3_column_int64(stmt, 0);
    } else {
      ADD_FAILURE() << "query failed: " << sql << ": " << sqlite3_errmsg(db);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close_v2(db);
  return value;
}

// As QueryInt, for a text value ("" when NULL).
inline std::string QueryText(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string value;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      if (text != nullptr) value = reinterpret_cast<const char*>(text);
    } else {
      ADD_FAILURE() << "query failed: " << sql << ": " << sqlite3_errmsg(db);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close_v2(db);
  return value;
}

// Executes SQL on its own read-write connection (to plant states a test needs).
inline void ExecSql(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string msg = err != nullptr ? err : "";
  sqlite3_free(err);
  sqlite3_close_v2(db);
  ASSERT_EQ(rc, SQLITE_OK) << msg;
}

}  // namespace orderpilot::store::testing
