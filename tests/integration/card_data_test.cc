// Card numbers and security codes never reach the disk: the real binary takes a signed Shopify
// webhook, an API order and a review comment whose free text holds a card, and afterwards no file
// in the data directory (database, WAL) holds the card's digits, while the orders say where a
// card was removed and keep their ids and money.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "app/simulator.h"
#include "json_view.h"
#include "server_process.h"

namespace orderpilot::testing {
namespace {

constexpr char kPan[] = "4111111111111111";
constexpr char kGroupedPan[] = "5555 5555 5555 4444";
constexpr char kAmexPan[] = "378282246310005";

class CardDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start());
    client_ = std::make_unique<api::HttpClient>("127.0.0.1", server_.port());
  }

  TempDir dir_;
  ServerProcess server_{dir_.path() + "/data", {"--config", NoRiskConfig(dir_.path())}};
  std::unique_ptr<api::HttpClient> client_;
};

TEST_F(CardDataTest, NoCardDigitsReachTheDataDirectory) {
  // A simulated order whose customer typed a card into the note.
  app::OrderSimulator sim(11, kShop);
  std::string body = sim.NextOrderCreate().body;
  const std::string key = "\"note_attributes\":[";
  const size_t at = body.find(key);
  ASSERT_NE(at, std::string::npos);
  const size_t first = at + key.size();
  body.insert(first, std::string(R"({"name":"pay by","value":"card )") + kPan + R"( cvc 737"})" +
                         (body[first] == ']' ? "" : ","));
  auto r = client_->Send("POST", "/webhooks/shopify", body,
                         ShopifyHeaders(body, "orders/create", "wh-card-1"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->status, 200) << r->body;
  const int64_t webhook_order = JsonView(r->body).Int("/order_id");

  // An API order with a grouped card in its note.
  const std::string api_order = R"({"channel_order_id": "card-1", "currency": "EUR",
    "note": "please charge )" + std::string(kGroupedPan) +
                                R"(",
    "line_items": [{"sku": "MUG-BLUE", "title": "Blue mug", "quantity": 1,
                    "unit_price": "12.50", "requires_shipping": false}]})";
  auto created = client_->Send("POST", "/v1/orders", api_order, ApiHeaders());
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ASSERT_EQ(created->status, 201) << created->body;
  const int64_t api_id = JsonView(created->body).Int("/id");

  auto got = client_->Send("GET", "/v1/orders/" + std::to_string(webhook_order), "", ApiHeaders());
  ASSERT_TRUE(got.ok());
  JsonView order(got->body);
  EXPECT_EQ(order.Str("/order/card_data_removed/0"), "/note_attributes/0/value") << got->body;
  EXPECT_EQ(order.Str("/order/attributes/0/value").rfind("card [card visa 411111", 0), 0u)
      << got->body;
  EXPECT_NE(order.Str("/order/attributes/0/value").find("cvc [cvv removed]"), std::string::npos);

  got = client_->Send("GET", "/v1/orders/" + std::to_string(api_id), "", ApiHeaders());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(JsonView(got->body).Str("/order/card_data_removed/0"), "/note") << got->body;

  // A person approves a held order and pastes a card into the comment.
  const std::string held_order = R"({"channel_order_id": "card-2", "currency": "EUR",
    "line_items": [{"sku": "MUG-BLUE", "title": "Blue mug", "quantity": 1,
                    "unit_price": "12.50", "requires_shipping": false}],
    "totals": {"line_items": "12.50", "discounts": "0.00", "shipping": "0.00", "tax": "0.00",
               "total": "99.00"}})";
  created = client_->Send("POST", "/v1/orders", held_order, ApiHeaders());
  ASSERT_TRUE(created.ok() && created->status == 201) << created->body;
  int64_t review = 0;
  for (int tries = 0; tries < 100 && review == 0; ++tries) {
    auto open = client_->Send("GET", "/v1/reviews?status=open", "", ApiHeaders());
    ASSERT_TRUE(open.ok());
    if (JsonView(open->body).Size("/items") > 0) review = JsonView(open->body).Int("/items/0/id");
    if (review == 0) usleep(50000);
  }
  ASSERT_NE(review, 0) << "the order with wrong totals was not held";
  auto approved = client_->Send(
      "POST", "/v1/reviews/" + std::to_string(review) + "/approve",
      std::string(R"({"comment": "paid by phone with )") + kAmexPan + R"("})", ApiHeaders());
  ASSERT_TRUE(approved.ok());
  ASSERT_EQ(approved->status, 200) << approved->body;
  EXPECT_NE(approved->body.find("[card amex 378282"), std::string::npos) << approved->body;

  // Stop the server so everything it wrote is on disk, then look at every byte it left.
  EXPECT_EQ(server_.Stop(), 0);
  const std::string disk = AllBytes(dir_.path() + "/data");
  ASSERT_FALSE(disk.empty());
  EXPECT_EQ(disk.find(kPan), std::string::npos);
  EXPECT_EQ(disk.find(kGroupedPan), std::string::npos);
  EXPECT_EQ(disk.find("5555555555554444"), std::string::npos);
  EXPECT_EQ(disk.find("cvc 737"), std::string::npos);
  EXPECT_EQ(disk.find(kAmexPan), std::string::npos);
  EXPECT_NE(disk.find("removed]"), std::string::npos);  // the markers are there instead
}

}  // namespace
}  // namespace orderpilot::testing
