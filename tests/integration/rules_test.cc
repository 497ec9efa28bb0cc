// Automation rules in the real binary: rules from the config act on orders, a webhook action
// reaches a real HTTP receiver through the outbox, and reloads (API and SIGHUP) swap the rules
// atomically — a bad file is refused whole while the old rules keep running.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

#include "api/http_server.h"
#include "json_view.h"
#include "server_process.h"

namespace orderpilot::testing {
namespace {

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string Order(const std::string& id, const std::string& tag) {
  return R"({"channel_order_id": ")" + id + R"(", "currency": "USD",
    "email": "ada@example.com", "tags": [")" +
         tag + R"("],
    "customer": {"email": "ada@example.com", "tags": ["VIP"]},
    "line_items": [{"sku": "MUG", "title": "Mug", "quantity": 12,
                    "unit_price": "50.00", "requires_shipping": false}]})";
}

// A webhook receiver on loopback that records what it is sent.
class Receiver {
 public:
  Receiver() {
    api::HttpServerOptions o;
    server_ = std::make_unique<api::HttpServer>(o, [this](const api::HttpRequest& r) {
      std::lock_guard<std::mutex> lock(mu_);
      bodies_.push_back(r.body);
      keys_.push_back(std::string(r.Header("idempotency-key")));
      api::HttpResponse resp;
      resp.status = 200;
      resp.body = "{}";
      return resp;
    });
    EXPECT_TRUE(server_->Start().ok());
  }
  ~Receiver() { server_->Stop(); }
  uint16_t port() const { return server_->port(); }
  // Waits for `n` deliveries; returns the bodies.
  std::vector<std::string> Wait(size_t n) {
    for (int i = 0; i < 200; ++i) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (bodies_.size() >= n) return bodies_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }
  std::vector<std::string> keys() {
    std::lock_guard<std::mutex> lock(mu_);
    return keys_;
  }

 private:
  std::unique_ptr<api::HttpServer> server_;
  std::mutex mu_;
  std::vector<std::string> bodies_, keys_;
};

class RulesIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rules_ = dir_.path() + "/rules.yaml";
    WriteFile(rules_, R"(
- name: vip-expedite
  on: order.accepted
  when: 'customer.tags.exists(t, t == "VIP") && order.total > money("500.00", order.currency)'
  do:
    - add_tag: priority
    - set_shipping_speed: express
    - call_webhook: {url: "http://127.0.0.1:)" +
                          std::to_string(receiver_.port()) +
                          R"(/orderpilot"}
)");
    config_ = dir_.path() + "/orderpilot.yaml";
    WriteFile(config_, "rules:\n  - rules.yaml\n");
    server_ = std::make_unique<ServerProcess>(dir_.path() + "/data",
                                              std::vector<std::string>{"--config", config_});
    ASSERT_TRUE(server_->Start());
    client_ = std::make_unique<api::HttpClient>("127.0.0.1", server_->port());
  }

  Result<api::HttpResponse> Call(const std::string& method, const std::string& target,
                                 const std::string& body = "") {
    return client_->Send(method, target, body, ApiHeaders());
  }

  // Creates an order and waits until the pipeline has settled it; returns GET /v1/orders/{id}.
  std::string CreateSettled(const std::string& id) {
    auto r = Call("POST", "/v1/orders", Order(id, "web"));
    EXPECT_TRUE(r.ok() && r->status == 201) << (r.ok() ? r->body : r.status().ToString());
    int64_t order_id = JsonView(r->body).Int("/id");
    std::string body;
    for (int i = 0; i < 200; ++i) {
      auto g = Call("GET", "/v1/orders/" + std::to_string(order_id));
      body = g->body;
      std::string state = JsonView(body).Str("/state");
      if (state != "received" && state != "validated") return body;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "never settled: " << body;
    return body;
  }

  TempDir dir_;
  Receiver receiver_;
  std::string rules_, config_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<api::HttpClient> client_;
};

TEST_F(RulesIntegrationTest, RuleFromTheConfigTagsTheOrderAndCallsTheWebhook) {
  std::string body = CreateSettled("A-1");
  EXPECT_NE(body.find("\"rule.fired\""), std::string::npos) << body;
  EXPECT_NE(body.find("\"shipping_speed\":\"express\""), std::string::npos) << body;
  EXPECT_NE(body.find("\"priority\""), std::string::npos);
  std::vector<std::string> delivered = receiver_.Wait(1);
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_NE(delivered[0].find("\"rule\":\"vip-expedite\""), std::string::npos) << delivered[0];
  EXPECT_FALSE(receiver_.keys()[0].empty());
  auto outbox = Call("GET", "/v1/outbox");
  ASSERT_TRUE(outbox.ok());
  for (int i = 0; i < 100 && JsonView(outbox->body).Str("/items/0/status") != "delivered"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    outbox = Call("GET", "/v1/outbox");
  }
  EXPECT_EQ(JsonView(outbox->body).Str("/items/0/status"), "delivered");
}

TEST_F(RulesIntegrationTest, BadFileIsRefusedWholeAndTheOldRulesKeepRunning) {
  WriteFile(rules_, R"(
- name: typo
  on: order.accepted
  when: 'custmer.tags.size() > 0'
  do: [{add_tag: x}]
)");
  auto r = Call("POST", "/v1/rules/reload");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 422) << r->body;
  EXPECT_NE(r->body.find("rules.yaml:4:"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("custmer"), std::string::npos) << r->body;
  auto list = Call("GET", "/v1/rules");
  EXPECT_EQ(JsonView(list->body).Str("/rules/0/name"), "vip-expedite");
  std::string body = CreateSettled("A-2");
  EXPECT_NE(body.find("vip-expedite"), std::string::npos) << body;
}

TEST_F(RulesIntegrationTest, ApiAndSighupReloadSwapInTheNewRules) {
  WriteFile(rules_, R"(
- name: big-order-note
  on: order.accepted
  when: 'order.item_count >= 10'
  do: [{set_note: "big order: check stock"}]
)");
  auto r = Call("POST", "/v1/rules/reload");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
  std::string body = CreateSettled("B-1");
  EXPECT_NE(body.find("big-order-note"), std::string::npos) << body;
  EXPECT_EQ(body.find("vip-expedite"), std::string::npos) << body;

  WriteFile(rules_, R"(
- name: after-sighup
  on: order.accepted
  do: [{set_priority: urgent}]
)");
  server_->Signal(SIGHUP);
  std::string name;
  for (int i = 0; i < 100 && name != "after-sighup"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    name = JsonView(Call("GET", "/v1/rules")->body).Str("/rules/0/name");
  }
  EXPECT_EQ(name, "after-sighup");
  body = CreateSettled("B-2");
  EXPECT_NE(body.find("\"priority\":\"urgent\""), std::string::npos) << body;
}

}  // namespace
}  // namespace orderpilot::testing
