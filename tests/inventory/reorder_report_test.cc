// The reorder report over a real SQLite store: demand read back from the event log, forecasts,
// reorder points shared out over locations, and the order-by advice.
#include "inventory/reorder_report.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "core/order_json.h"
#include "store/sqlite_store.h"

namespace orderpilot::inventory {
namespace {

constexpr int64_t kDay = 86'400'000'000;

class ReorderReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/op-reorder-XXXXXX";
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
  // An order allocated today with `units` of `sku`, as the pipeline records it.
  void Sell(const std::string& sku, int64_t units) {
    Order o;
    o.channel = "api";
    o.shop = "s";
    o.channel_order_id = std::to_string(++orders_);
    o.currency = *Currency::Parse("USD");
    store::Delivery d;
    d.channel = "api";
    d.shop = "s";
    d.received_at = clock_.Now();
    d.kind = store::DeliveryKind::kOrderCreate;
    d.event_type = "order.received";
    d.channel_order_id = o.channel_order_id;
    d.payload_json = EncodeOrder(o);
    d.order = o;
    d.actor = "test";
    auto in = store_->Ingest(d);
    ASSERT_TRUE(in.ok());
    store::OrderTransition t;
    t.order_id = in->order_id;
    t.expected_version = 1;
    t.new_state = store::OrderState::kAccepted;
    t.events.push_back(
        {"order.allocated",
         R"({"lines":[{"sku":")" + sku + R"(","quantity":)" + std::to_string(units) + "}]}",
         "pipeline"});
    ASSERT_TRUE(store_->Transition(t).ok());
  }
  void Set(const std::string& sku, const std::string& loc, int64_t units) {
    store::StockAdjustment a;
    a.sku = sku;
    a.location = loc;
    a.mode = store::AdjustmentMode::kSet;
    a.quantity = units;
    a.reason = "count";
    a.idempotency_key = sku + loc + std::to_string(++orders_);
    a.actor = "test";
    ASSERT_TRUE(store_->AdjustStock(a).ok());
  }

  std::string dir_;
  ManualClock clock_{Timestamp{20'000 * kDay + 12 * 3'600'000'000LL}};
  std::unique_ptr<store::SqliteStore> store_;
  int orders_ = 0;
};

TEST_F(ReorderReportTest, ForecastsFromTheEventLogAndSaysWhatToOrderByWhen) {
  // 60 days of 4 mugs a day; 20 caps every 5th day.
  for (int day = 0; day < 60; ++day) {
    Sell("MUG", 4);
    if (day % 5 == 0) Sell("CAP", 20);
    clock_.Advance(kDay);
  }
  Set("MUG", "reno", 15);
  Set("MUG", "newark", 5);
  Set("CAP", "reno", 500);
  auto catalog = Catalog::ParseCsv("sku,title,lead_time_days\nMUG,Mug,7\nCAP,Cap,10\n", "c.csv");
  ASSERT_TRUE(catalog.ok());
  ReorderReportOptions o;
  o.history_days = 60;
  auto lines = BuildReorderReport(*store_, *catalog, o, clock_.Now());
  ASSERT_TRUE(lines.ok()) << lines.status().ToString();
  ASSERT_EQ(lines->size(), 2u);

  const ReorderLine& mug = (*lines)[0];  // the one to reorder comes first
  EXPECT_EQ(mug.sku, "MUG");
  EXPECT_EQ(mug.forecast.method, ForecastMethod::kHolt);
  EXPECT_NEAR(mug.forecast.rate, 4.0, 0.01);
  EXPECT_EQ(mug.lead_time_days, 7);
  EXPECT_EQ(mug.suggestion.reorder_point, 28);     // 7 days × 4, no variance: no safety stock
  EXPECT_TRUE(mug.suggestion.needs_reorder);       // 20 on hand last 5 days; the lead time is 7
  EXPECT_EQ(mug.suggestion.order_by_day, 20'060);  // today
  EXPECT_GE(mug.suggestion.quantity, 4 * (7 + 7) - 20);

  const ReorderLine& cap = (*lines)[1];
  EXPECT_EQ(cap.forecast.method, ForecastMethod::kCroston);
  EXPECT_FALSE(cap.suggestion.needs_reorder);

  // Reorder points are shared over the locations by their on-hand units (15 : 5).
  auto levels = store_->GetStock({"MUG"});
  ASSERT_TRUE(levels.ok());
  ASSERT_EQ(levels->size(), 2u);
  for (const auto& l : *levels) {
    EXPECT_EQ(l.reorder_point, l.location == "reno" ? 21 : 7) << l.location;
  }
  std::string json = ReorderReportJson(*lines, clock_.Now(), o);
  EXPECT_NE(json.find(R"("sku":"MUG")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("method":"Holt linear trend")"), std::string::npos) << json;
}

}  // namespace
}  // namespace orderpilot::inventory
