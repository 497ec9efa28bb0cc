// The Shopify webhook endpoint of the real binary: signatures, dedupe, topics.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "app/simulator.h"
#include "json_view.h"
#include "server_process.h"

namespace orderpilot::testing {
namespace {

class WebhookTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.Start()); }
  api::HttpClient Client() { return api::HttpClient("127.0.0.1", server_.port()); }
  int64_t OrderCount() {
    auto c = Client();
    auto r = c.Send("GET", "/v1/orders?limit=500", "", ApiHeaders());
    EXPECT_TRUE(r.ok());
    JsonView j(r->body);
    return static_cast<int64_t>(j.Size("/items"));
  }

  TempDir dir_;
  ServerProcess server_{dir_.path()};
  app::OrderSimulator sim_{7, kShop};
};

TEST_F(WebhookTest, AcceptsCorrectlySignedOrder) {
  auto w = sim_.NextOrderCreate();
  auto c = Client();
  auto r = c.Send("POST", "/webhooks/shopify", w.body, ShopifyHeaders(w.body, w.topic, "wh-1"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(OrderCount(), 1);
}

TEST_F(WebhookTest, RejectsWebhookWithBadSignature) {
  auto w = sim_.NextOrderCreate();
  auto headers = ShopifyHeaders(w.body + " ", w.topic, "wh-1");  // signed a different body
  auto c = Client();
  auto r = c.Send("POST", "/webhooks/shopify", w.body, headers);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
  JsonView j(r->body);
  EXPECT_EQ(j.Str("/error/code"), "unauthenticated");
  EXPECT_EQ(OrderCount(), 0);
}

TEST_F(WebhookTest, RejectsWebhookWithoutSignature) {
  auto w = sim_.NextOrderCreate();
  auto headers = ShopifyHeaders(w.body, w.topic, "wh-1");
  std::erase_if(headers, [](const auto& h) { return h.first == "X-Shopify-Hmac-Sha256"; });
  auto c = Client();
  auto r = c.Send("POST", "/webhooks/shopify", w.body, headers);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(OrderCount(), 0);
}

TEST_F(WebhookTest, RejectsWebhookSignedWithAnotherShopsSecret) {
  auto w = sim_.NextOrderCreate();
  auto headers = ShopifyHeaders(w.body, w.topic, "wh-1");
  for (auto& h : headers)
    if (h.first == "X-Shopify-Shop-Domain") h.second = "other-shop.myshopify.com";
  auto c = Client();
  auto r = c.Send("POST", "/webhooks/shopify", w.body, headers);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
}

TEST_F(WebhookTest, ConcurrentReplaysOfOneWebhookCreateOneOrder) {
  auto w = sim_.NextOrderCreate();
  auto headers = ShopifyHeaders(w.body, w.topic, "wh-replayed", "ev-replayed");
  std::atomic<int> ok{0}, fresh{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      api::HttpClient c("127.0.0.1", server_.port());
      for (int i = 0; i < 10; ++i) {
        auto r = c.Send("POST", "/webhooks/shopify", w.body, headers);
        if (r.ok() && r->status == 200) {
          ++ok;
          if (r->body.find("\"duplicate\":false") != std::string::npos) ++fresh;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 160);
  EXPECT_EQ(fresh.load(), 1);
  EXPECT_EQ(OrderCount(), 1);
  // And hours later, with a new delivery id but the same event id: still a duplicate.
  auto c = Client();
  auto later = ShopifyHeaders(w.body, w.topic, "wh-retry-later", "ev-replayed");
  auto r = c.Send("POST", "/webhooks/shopify", w.body, later);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("\"duplicate\":true"), std::string::npos) << r->body;
  // The order's timeline has exactly one order.received.
  auto list = c.Send("GET", "/v1/orders", "", ApiHeaders());
  JsonView j(list->body);
  auto order =
      c.Send("GET", "/v1/orders/" + std::to_string(j.Int("/items/0/id")), "", ApiHeaders());
  size_t received = 0, pos = 0;
  while ((pos = order->body.find("\"order.received\"", pos)) != std::string::npos)
    ++received, ++pos;
  EXPECT_EQ(received, 1u);
}

TEST_F(WebhookTest, UnknownTopicIsStoredAndAnswered200) {
  std::string body = R"({"id": 1, "title": "something new"})";
  auto c = Client();
  auto r = c.Send("POST", "/webhooks/shopify", body,
                  ShopifyHeaders(body, "collections/create", "wh-unknown"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(OrderCount(), 0);
}

TEST_F(WebhookTest, InventedTopicsDoNotGrowTheMetrics) {
  auto c = Client();
  for (int i = 0; i < 20; ++i) {
    std::string body = "{}";
    auto headers = ShopifyHeaders(body, "made/up-" + std::to_string(i), "wh-x" + std::to_string(i));
    headers.back().second = "bad-signature";
    ASSERT_TRUE(c.Send("POST", "/webhooks/shopify", body, headers).ok());
  }
  auto metrics = c.Send("GET", "/metrics", "");
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->body.find("made/up"), std::string::npos);
  EXPECT_NE(metrics->body.find("topic=\"other\",result=\"unauthenticated\"} 20"), std::string::npos)
      << metrics->body;
}

TEST_F(WebhookTest, PrivacyRequestIsStoredDurably) {
  std::string body =
      R"({"shop_id": 954889, "shop_domain": "it-shop.myshopify.com", "customer": {"id": 191167, "email": "john@example.com"}, "orders_to_redact": [299938]})";
  auto c = Client();
  auto r = c.Send("POST", "/webhooks/shopify", body,
                  ShopifyHeaders(body, "customers/redact", "wh-privacy"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
}

}  // namespace
}  // namespace orderpilot::testing
