// tests/pipeline/pipeline_fixture.h — a real SQLite store in a temporary directory, a manual
// clock, and canonical orders to feed the pipeline.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/order_json.h"
#include "store/sqlite_store.h"

namespace orderpilot::pipeline {

inline Money Usd(int64_t cents) { return Money(cents, *Currency::Parse("USD")); }

inline Order MakeOrder(const std::string& id, bool consistent) {
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

}  // namespace orderpilot::pipeline
