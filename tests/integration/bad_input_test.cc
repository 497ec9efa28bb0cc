// Bad input over real HTTP: the right status, the JSON error shape, and nothing written.
#include <gtest/gtest.h>

#include <string>

#include "json_view.h"
#include "server_process.h"

namespace orderpilot::testing {
namespace {

// A small, valid Shopify order; tests break one thing at a time with Replace.
const std::string kOrder = R"({
  "id": 450789469000000001, "name": "#1001", "currency": "USD", "email": "ada@example.com",
  "created_at": "2026-11-20T10:00:00-05:00", "financial_status": "paid", "taxes_included": false,
  "total_line_items_price": "20.00", "total_discounts": "0.00", "total_tax": "1.60",
  "total_price": "26.60", "subtotal_price": "20.00",
  "total_shipping_price_set": {"shop_money": {"amount": "5.00", "currency_code": "USD"}},
  "line_items": [{"id": 1, "sku": "MUG", "title": "Mug", "quantity": 2, "price": "10.00",
                  "grams": 300, "requires_shipping": true, "taxable": true,
                  "total_discount": "0.00", "tax_lines": []}],
  "shipping_lines": [{"code": "std", "title": "Standard", "price": "5.00"}],
  "shipping_address": {"first_name": "Ada", "last_name": "Lovelace", "address1": "1 Main St",
                       "city": "Springfield", "country_code": "US", "zip": "12345"},
  "tags": "", "note": null
})";

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.Start()); }

  // Posts a signed webhook and checks status and error shape; returns the error's field.
  std::string ExpectRejected(const std::string& body, int status, const std::string& code) {
    api::HttpClient c("127.0.0.1", server_.port());
    auto r = c.Send("POST", "/webhooks/shopify", body,
                    ShopifyHeaders(body, "orders/create", "wh-" + std::to_string(++n_)));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return "";
    EXPECT_EQ(r->status, status) << r->body;
    JsonView j(r->body);
    EXPECT_TRUE(j.ok()) << r->body;
    EXPECT_EQ(j.Str("/error/code"), code) << r->body;
    EXPECT_FALSE(j.Str("/error/message").empty());
    return j.Str("/error/field");
  }

  void ExpectNothingWritten() {
    api::HttpClient c("127.0.0.1", server_.port());
    auto r = c.Send("GET", "/v1/orders", "", ApiHeaders());
    ASSERT_TRUE(r.ok());
    JsonView j(r->body);
    EXPECT_EQ(j.Size("/items"), 0u) << r->body;
  }

  TempDir dir_;
  ServerProcess server_{dir_.path()};
  int n_ = 0;
};

TEST_F(BadInputTest, TheBaseOrderIsAccepted) {
  api::HttpClient c("127.0.0.1", server_.port());
  auto r =
      c.Send("POST", "/webhooks/shopify", kOrder, ShopifyHeaders(kOrder, "orders/create", "ok"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(BadInputTest, BodyOverTheLimitIs413) {
  std::string big = "{\"pad\":\"" + std::string(1100000, 'x') + "\"}";
  api::HttpClient c("127.0.0.1", server_.port());
  auto r = c.Send("POST", "/webhooks/shopify", big, ShopifyHeaders(big, "orders/create", "big"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 413);
  ExpectNothingWritten();
}

TEST_F(BadInputTest, InvalidJsonIs400) {
  ExpectRejected(kOrder.substr(0, kOrder.size() / 2), 400, "invalid_argument");
  ExpectNothingWritten();
}

TEST_F(BadInputTest, InvalidUtf8Is400) {
  ExpectRejected(Replace(kOrder, "Lovelace", "Love\xC3\x28lace"), 400, "invalid_argument");
  ExpectNothingWritten();
}

TEST_F(BadInputTest, NestingDeeperThan64Is400) {
  std::string deep =
      Replace(kOrder, "\"note\": null", "\"note\": " + std::string(70, '[') + std::string(70, ']'));
  ExpectRejected(deep, 400, "invalid_argument");
  ExpectNothingWritten();
}

TEST_F(BadInputTest, WrongTypeIs422WithTheField) {
  std::string field = ExpectRejected(Replace(kOrder, "\"quantity\": 2", "\"quantity\": \"two\""),
                                     422, "unprocessable");
  EXPECT_EQ(field, "line_items[0].quantity");
  ExpectNothingWritten();
}

TEST_F(BadInputTest, NegativeQuantityIs422WithTheField) {
  std::string field =
      ExpectRejected(Replace(kOrder, "\"quantity\": 2", "\"quantity\": -2"), 422, "unprocessable");
  EXPECT_EQ(field, "line_items[0].quantity");
  ExpectNothingWritten();
}

TEST_F(BadInputTest, UnknownCurrencyIs422WithTheField) {
  std::string field = ExpectRejected(
      Replace(kOrder, "\"currency\": \"USD\"", "\"currency\": \"XYZ\""), 422, "unprocessable");
  EXPECT_EQ(field, "currency");
  ExpectNothingWritten();
}

TEST_F(BadInputTest, MoneyWithTooManyDecimalsIs422) {
  ExpectRejected(Replace(kOrder, "\"price\": \"10.00\"", "\"price\": \"10.005\""), 422,
                 "unprocessable");
  ExpectNothingWritten();
}

TEST_F(BadInputTest, ApiWithoutKeyIs401) {
  api::HttpClient c("127.0.0.1", server_.port());
  auto r = c.Send("GET", "/v1/orders", "", {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
  auto wrong = c.Send("GET", "/v1/orders", "", {{"Authorization", "Bearer not-the-key-000000"}});
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->status, 401);
}

TEST_F(BadInputTest, BadQueryParametersAre400) {
  api::HttpClient c("127.0.0.1", server_.port());
  for (const char* target : {"/v1/orders?limit=0", "/v1/orders?limit=abc", "/v1/orders?state=lost",
                             "/v1/orders?cursor=-4", "/v1/orders/abc"}) {
    auto r = c.Send("GET", target, "", ApiHeaders());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 400) << target << ": " << r->body;
  }
}

TEST_F(BadInputTest, UnknownOrderIs404) {
  api::HttpClient c("127.0.0.1", server_.port());
  auto r = c.Send("GET", "/v1/orders/999999", "", ApiHeaders());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404) << r->body;
}

TEST_F(BadInputTest, ErrorBodiesCarryNoInternalPaths) {
  api::HttpClient c("127.0.0.1", server_.port());
  auto r = c.Send("POST", "/webhooks/shopify", "{", ShopifyHeaders("{", "orders/create", "x"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body.find("/work"), std::string::npos);
  EXPECT_EQ(r->body.find(".cc"), std::string::npos);
}

}  // namespace
}  // namespace orderpilot::testing
