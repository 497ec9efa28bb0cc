// Stock, allocation and shipping in the real binary: the demo's rate tables, a catalog, stock
// set through the API, and many concurrent orders racing for the last units of a SKU.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <thread>

#include "json_view.h"
#include "server_process.h"

namespace orderpilot::testing {
namespace {

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

const std::string kExamples = std::string(OP_TEST_DATA_DIR) + "/../../examples";

// One unit of `sku` per order, to Arlington VA, standard shipping.
std::string Order(const std::string& id, const std::string& sku, int qty = 1) {
  const std::string total = std::to_string(28 * qty + 5) + ".00";
  return R"({"channel_order_id": ")" + id + R"(", "currency": "USD", "email": "ada@example.com",
    "shipping_address": {"first_name": "Ada", "last_name": "Lovelace", "address1": "2 Navy Way",
                         "city": "Arlington", "province_code": "VA", "country_code": "US",
                         "zip": "22202"},
    "line_items": [{"sku": ")" +
         sku + R"(", "title": "Tee", "quantity": )" + std::to_string(qty) +
         R"(, "unit_price": "28.00", "grams": 180}],
    "shipping_lines": [{"title": "Standard", "code": "std", "price": "5.00"}],
    "totals": {"line_items": ")" +
         std::to_string(28 * qty) + R"(.00", "discounts": "0.00", "shipping": "5.00",
               "tax": "0.00", "total": ")" +
         total + R"("}})";
}

class InventoryIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = dir_.path() + "/orderpilot.yaml";
    WriteFile(dir_.path() + "/catalog.csv",
              "sku,title,product_group,attributes,grams,shopify_inventory_item_id\n"
              "TEE-M,Tee,tee,size=M,180,808950810\n"
              "TEE-L,Tee,tee,size=L,190,808950811\n");
    WriteFile(config_, R"(
shops:
  - domain: it-shop.myshopify.com
    webhook_secret: integration-webhook-secret
locations:
  - code: reno
    name: Reno DC
    address: {city: Reno, province_code: NV, country_code: US, zip: "89502"}
    handling_cost: "1.50"
    time_zone: America/Los_Angeles
    shopify_location_id: "905684977"
  - code: newark
    name: Newark DC
    address: {city: Newark, province_code: NJ, country_code: US, zip: "07114"}
    handling_cost: "2.00"
    time_zone: America/New_York
carriers:
  - )" + kExamples + R"(/carriers/ups.yaml
  - )" + kExamples + R"(/carriers/usps.yaml
inventory:
  catalog: catalog.csv
  substitutes: false
  shopify_buffer: 1
pipeline:
  workers: 4
risk:
  enabled: false  # 48 orders from one email in a second would rightly look like fraud
)");
    server_ = std::make_unique<ServerProcess>(dir_.path() + "/data",
                                              std::vector<std::string>{"--config", config_});
    ASSERT_TRUE(server_->Start());
    client_ = std::make_unique<api::HttpClient>("127.0.0.1", server_->port());
  }

  Result<api::HttpResponse> Call(const std::string& method, const std::string& target,
                                 const std::string& body = "") {
    return client_->Send(method, target, body, ApiHeaders());
  }
  void Set(const std::string& sku, const std::string& loc, int64_t units, const std::string& key) {
    auto r = Call("POST", "/v1/inventory/adjustments",
                  R"({"sku": ")" + sku + R"(", "location": ")" + loc + R"(", "set": )" +
                      std::to_string(units) + R"(, "reason": "count", "idempotency_key": ")" + key +
                      R"("})");
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 201) << r->body;
  }
  // Number of orders in `state` (first page of up to 500).
  size_t Count(const std::string& state) {
    auto r = Call("GET", "/v1/orders?limit=500&state=" + state);
    return r.ok() ? JsonView(r->body).Size("/items") : 0;
  }
  // Waits until no order is on its way through the pipeline.
  void WaitSettled() {
    for (int i = 0; i < 400; ++i) {
      if (Count("received") + Count("validated") + Count("accepted") == 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "orders never settled";
  }
  std::string Inventory(const std::string& sku) {
    auto r = Call("GET", "/v1/inventory?sku=" + sku);
    EXPECT_TRUE(r.ok() && r->status == 200);
    return r.ok() ? r->body : "";
  }

  TempDir dir_;
  std::string config_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<api::HttpClient> client_;
};

TEST_F(InventoryIntegrationTest, ConcurrentOrdersForTheLastUnitsGetExactlyThatMany) {
  Set("TEE-M", "reno", 3, "k1");
  Set("TEE-M", "newark", 2, "k2");
  constexpr int kOrders = 48;
  std::atomic<int> created{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      api::HttpClient c("127.0.0.1", server_->port());
      for (int i = t; i < kOrders; i += 8) {
        auto r =
            c.Send("POST", "/v1/orders", Order("race-" + std::to_string(i), "TEE-M"), ApiHeaders());
        if (r.ok() && r->status == 201) ++created;
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(created.load(), kOrders);
  WaitSettled();
  EXPECT_EQ(Count("allocated"), 5u);
  EXPECT_EQ(Count("backordered"), static_cast<size_t>(kOrders - 5));
  JsonView inv(Inventory("TEE-M"));
  for (size_t i = 0; i < inv.Size("/items"); ++i) {
    std::string base = "/items/" + std::to_string(i);
    EXPECT_EQ(inv.Int((base + "/reserved").c_str()), inv.Int((base + "/on_hand").c_str()));
    EXPECT_EQ(inv.Int((base + "/available").c_str()), 0);
  }
}

TEST_F(InventoryIntegrationTest, AdjustmentsAreIdempotentAndBadOnesChangeNothing) {
  Set("TEE-L", "reno", 10, "same-key");
  auto again = Call("POST", "/v1/inventory/adjustments",
                    R"({"sku": "TEE-L", "location": "reno", "set": 99, "reason": "count",
                        "idempotency_key": "same-key"})");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 200) << again->body;
  EXPECT_NE(again->body.find(R"("duplicate":true)"), std::string::npos);

  struct Bad {
    const char* body;
    int status;
    const char* field;
  } bad[] = {
      {R"({"sku": "TEE-L", "location": "reno", "delta": -11, "reason": "x",
           "idempotency_key": "b1"})",
       422, "delta"},
      {R"({"sku": "TEE-L", "location": "paris", "set": 1, "reason": "x",
           "idempotency_key": "b2"})",
       422, "location"},
      {R"({"sku": "TEE-L", "location": "reno", "set": 1, "reason": "x"})", 422, "idempotency_key"},
      {R"({"sku": "TEE-L", "location": "reno", "set": 1, "delta": 2, "reason": "x",
           "idempotency_key": "b3"})",
       422, "delta"},
      {R"({"sku": "TEE-L", "location": "reno", "set": -1, "reason": "x",
           "idempotency_key": "b4"})",
       422, "set"},
      {R"([1, 2])", 400, ""},
  };
  for (const Bad& b : bad) {
    auto r = Call("POST", "/v1/inventory/adjustments", b.body);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, b.status) << b.body << " → " << r->body;
    EXPECT_EQ(JsonView(r->body).Str("/error/field"), b.field) << r->body;
  }
  JsonView inv(Inventory("TEE-L"));
  ASSERT_EQ(inv.Size("/items"), 1u);
  EXPECT_EQ(inv.Int("/items/0/on_hand"), 10);
  EXPECT_EQ(inv.Int("/items/0/channels/shopify"), 9) << "one unit held back from Shopify";
}

TEST_F(InventoryIntegrationTest, ShippingTurnsReservedUnitsIntoShippedOnes) {
  Set("TEE-L", "newark", 4, "s1");
  auto r = Call("POST", "/v1/orders", Order("ship-1", "TEE-L", 3));
  ASSERT_TRUE(r.ok() && r->status == 201) << (r.ok() ? r->body : "");
  int64_t id = JsonView(r->body).Int("/id");
  WaitSettled();
  auto order = Call("GET", "/v1/orders/" + std::to_string(id));
  ASSERT_EQ(JsonView(order->body).Str("/state"), "allocated") << order->body;
  EXPECT_NE(order->body.find("\"order.routed\""), std::string::npos);
  EXPECT_EQ(JsonView(order->body).Str("/reservations/0/location"), "newark");

  auto bad = Call("POST", "/v1/orders/" + std::to_string(id) + "/shipments", R"({"carrier": 7})");
  EXPECT_EQ(bad->status, 422) << bad->body;
  auto ship = Call("POST", "/v1/orders/" + std::to_string(id) + "/shipments",
                   R"({"carrier": "UPS", "service": "ups-ground", "tracking_number": "1Z999"})");
  ASSERT_TRUE(ship.ok());
  EXPECT_EQ(ship->status, 200) << ship->body;
  order = Call("GET", "/v1/orders/" + std::to_string(id));
  EXPECT_EQ(JsonView(order->body).Str("/state"), "shipped");
  JsonView inv(Inventory("TEE-L"));
  EXPECT_EQ(inv.Int("/items/0/on_hand"), 1);
  EXPECT_EQ(inv.Int("/items/0/reserved"), 0);
  auto twice = Call("POST", "/v1/orders/" + std::to_string(id) + "/shipments",
                    R"({"carrier": "UPS", "tracking_number": "1Z999"})");
  EXPECT_EQ(twice->status, 409) << twice->body;
}

TEST_F(InventoryIntegrationTest, ShopifyInventoryWebhookSetsStockAndEchoesAreNoOps) {
  Set("TEE-M", "reno", 5, "w0");
  const std::string body =
      R"({"inventory_item_id": 808950810, "location_id": 905684977, "available": 12,)"
      R"( "updated_at": "2026-11-23T10:00:00-05:00"})";
  auto r = client_->Send("POST", "/webhooks/shopify", body,
                         ShopifyHeaders(body, "inventory_levels/update", "inv-hook-1"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
  // Shopify shows 12 with a buffer of 1 held back: on hand is 13.
  JsonView inv(Inventory("TEE-M"));
  EXPECT_EQ(inv.Int("/items/0/on_hand"), 13);
  EXPECT_EQ(inv.Int("/items/0/channels/shopify"), 12);
  // A replay changes nothing.
  r = client_->Send("POST", "/webhooks/shopify", body,
                    ShopifyHeaders(body, "inventory_levels/update", "inv-hook-1"));
  EXPECT_EQ(JsonView(Inventory("TEE-M")).Int("/items/0/on_hand"), 13);
  // Our own update of Shopify is in the outbox, shaped like inventory_levels/set.
  auto outbox = Call("GET", "/v1/outbox?limit=10");
  ASSERT_TRUE(outbox.ok());
  EXPECT_NE(outbox->body.find("shopify_inventory_set"), std::string::npos) << outbox->body;
  EXPECT_NE(outbox->body.find(R"("inventory_item_id":808950810)"), std::string::npos);
  EXPECT_NE(outbox->body.find(R"("available":12)"), std::string::npos);
}

TEST_F(InventoryIntegrationTest, BackorderIsAllocatedWhenThePurchaseOrderArrives) {
  auto po = Call("POST", "/v1/inventory/purchase_orders",
                 R"({"purchase_order": "PO-9", "lines": [{"sku": "TEE-L", "location": "reno",
                     "quantity": 6, "expected_at": "2030-01-15"}]})");
  ASSERT_TRUE(po.ok());
  ASSERT_EQ(po->status, 201) << po->body;
  auto r = Call("POST", "/v1/orders", Order("bo-1", "TEE-L", 2));
  int64_t id = JsonView(r->body).Int("/id");
  WaitSettled();
  auto order = Call("GET", "/v1/orders/" + std::to_string(id));
  ASSERT_EQ(JsonView(order->body).Str("/state"), "backordered") << order->body;
  EXPECT_NE(order->body.find("PO-9 due 2030-01-15"), std::string::npos) << order->body;

  auto recv = Call("POST", "/v1/inventory/purchase_orders/PO-9/receive");
  ASSERT_EQ(recv->status, 200) << recv->body;
  std::string state;
  for (int i = 0; i < 200 && state != "allocated"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    state = JsonView(Call("GET", "/v1/orders/" + std::to_string(id))->body).Str("/state");
  }
  EXPECT_EQ(state, "allocated");
}

TEST_F(InventoryIntegrationTest, ImportCommandSetsStockAndRefusesABadFileWithOneLine) {
  const std::string data = dir_.path() + "/data";
  WriteFile(dir_.path() + "/stock.csv",
            "sku,location,on_hand,safety_stock\nTEE-M,reno,40,2\nTEE-L,newark,7,0\n");
  const std::string flags = " --config " + config_ + " --data " + data;
  auto [code, out] = RunCli("import stock " + dir_.path() + "/stock.csv" + flags);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("imported 2 stock levels"), std::string::npos) << out;
  // The running server sees what the command wrote.
  JsonView inv(Inventory("TEE-M"));
  EXPECT_EQ(inv.Int("/items/0/on_hand"), 40);
  EXPECT_EQ(inv.Int("/items/0/available"), 38);

  std::tie(code, out) = RunCli("import stock " + dir_.path() + "/stock.csv" + flags);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("already imported"), std::string::npos) << out;

  WriteFile(dir_.path() + "/bad.csv", "sku,location,on_hand\nTEE-M,reno,1\nTEE-L,renoo,3\n");
  std::tie(code, out) = RunCli("import stock " + dir_.path() + "/bad.csv" + flags);
  EXPECT_EQ(code, 2);
  EXPECT_EQ(out, "orderpilot: " + dir_.path() +
                     "/bad.csv:3: unknown location 'renoo' (configured: reno, newark)\n");
  EXPECT_EQ(JsonView(Inventory("TEE-M")).Int("/items/0/on_hand"), 40) << "nothing was written";
}

}  // namespace
}  // namespace orderpilot::testing
