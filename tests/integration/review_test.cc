// The review queue over real HTTP against the real binary: risky orders held with fraud
// proposals, two reviewers claiming the same item at once, decisions by the claimer only,
// modify-and-approve, bulk decisions, the earned-autonomy stats and the CLI report.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <thread>

#include "json_view.h"
#include "server_process.h"

namespace orderpilot::testing {
namespace {

// An order with many fraud tells: an account created 4 s before, a random address at a
// disposable domain, billing in another country, AVS and CVV failed, 3 failed payments.
std::string RiskyOrder(const std::string& id) {
  return R"({"channel_order_id": ")" + id + R"(", "currency": "USD",
    "created_at": "2026-11-23T10:00:05Z", "email": "xk7qz9v2pl@mailinator.com",
    "customer": {"id": "9)" +
         id + R"(", "email": "xk7qz9v2pl@mailinator.com",
                 "created_at": "2026-11-23T10:00:01Z", "orders_count": 1},
    "billing_address": {"first_name": "Ion", "last_name": "Popescu", "address1": "Str. 1",
                        "city": "Bucharest", "country_code": "RO", "zip": "010011"},
    "shipping_address": {"first_name": "Ada", "last_name": "Lovelace", "address1": "2 Navy Way",
                         "city": "Arlington", "province_code": "VA", "country_code": "US",
                         "zip": "22202"},
    "payment": {"avs_result_code": "N", "cvv_result_code": "N", "failed_attempts": 3},
    "line_items": [{"sku": "TEE", "title": "Tee", "quantity": 1, "unit_price": "28.00"}],
    "shipping_lines": [{"title": "Standard", "code": "std", "price": "5.00"}],
    "totals": {"line_items": "28.00", "discounts": "0.00", "shipping": "5.00",
               "tax": "0.00", "total": "33.00"}})";
}

class ReviewIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = dir_.path() + "/orderpilot.yaml";
    std::ofstream(config_) << R"(
shops:
  - domain: it-shop.myshopify.com
    webhook_secret: integration-webhook-secret
risk:
  hold_above: 0.5
  cancel_above: 0.9
review:
  kinds:
    fraud_cancel: {level: suggest, sla: 1h}
)";
    server_ = std::make_unique<ServerProcess>(dir_.path() + "/data",
                                              std::vector<std::string>{"--config", config_});
    ASSERT_TRUE(server_->Start());
    client_ = std::make_unique<api::HttpClient>("127.0.0.1", server_->port());
  }
  Result<api::HttpResponse> Call(const std::string& method, const std::string& target,
                                 const std::string& body = "") {
    return client_->Send(method, target, body, ApiHeaders());
  }
  // Posts `n` risky orders and returns the ids of their open review items.
  std::vector<std::string> HeldItems(int n) {
    for (int i = 0; i < n; ++i) {
      auto r = Call("POST", "/v1/orders", RiskyOrder("r" + std::to_string(i)));
      EXPECT_TRUE(r.ok() && r->status == 201) << (r.ok() ? r->body : "");
    }
    for (int attempt = 0; attempt < 200; ++attempt) {
      auto r = Call("GET", "/v1/reviews?status=open&kind=fraud_cancel");
      JsonView v(r.ok() ? r->body : "{}");
      if (v.Size("/items") == static_cast<size_t>(n)) {
        std::vector<std::string> ids;
        for (size_t i = 0; i < v.Size("/items"); ++i) {
          ids.push_back(std::to_string(v.Int(("/items/" + std::to_string(i) + "/id").c_str())));
        }
        return ids;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "risky orders were not held for review";
    return {};
  }

  TempDir dir_;
  std::string config_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<api::HttpClient> client_;
};

TEST_F(ReviewIntegrationTest, RiskyOrderIsHeldWithItsReasonsAndContext) {
  auto ids = HeldItems(1);
  ASSERT_EQ(ids.size(), 1u);
  auto r = Call("GET", "/v1/reviews/" + ids[0]);
  ASSERT_TRUE(r.ok() && r->status == 200);
  JsonView v(r->body);
  EXPECT_EQ(v.Str("/kind"), "fraud_cancel");
  EXPECT_EQ(v.Str("/proposal"), "cancel the order as fraud");
  EXPECT_EQ(v.Str("/money_at_stake/amount"), "33.00");
  EXPECT_NE(v.Str("/sla_due_at").find("T"), std::string::npos);
  EXPECT_EQ(v.Str("/order/state"), "held");
  EXPECT_NE(r->body.find("after the account was created"), std::string::npos) << r->body;
}

TEST_F(ReviewIntegrationTest, TwoReviewersClaimingAtOnceGetOneClaim) {
  auto ids = HeldItems(1);
  ASSERT_EQ(ids.size(), 1u);
  std::atomic<int> won{0}, conflict{0};
  std::vector<std::thread> threads;
  for (const char* who : {"alice", "bob", "alice", "bob", "carol", "dave"}) {
    threads.emplace_back([&, who] {
      api::HttpClient c("127.0.0.1", server_->port());
      auto r = c.Send("POST", "/v1/reviews/" + ids[0] + "/claim",
                      std::string(R"({"reviewer": ")") + who + R"("})", ApiHeaders());
      if (r.ok() && r->status == 200) ++won;
      if (r.ok() && r->status == 409) ++conflict;
    });
  }
  for (auto& t : threads) t.join();
  auto r = Call("GET", "/v1/reviews/" + ids[0]);
  const std::string holder = JsonView(r->body).Str("/claimed_by");
  // The holder may have claimed twice (a refresh); everybody else was refused.
  EXPECT_GE(won.load(), 1);
  EXPECT_EQ(won.load() + conflict.load(), 6);
  const std::string other = holder == "bob" ? "carol" : "bob";
  auto refused =
      Call("POST", "/v1/reviews/" + ids[0] + "/approve", R"({"reviewer": ")" + other + R"("})");
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, 409) << refused->body;
  auto ok = Call("POST", "/v1/reviews/" + ids[0] + "/approve",
                 R"({"reviewer": ")" + holder + R"(", "comment": "confirmed fraud"})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(JsonView(ok->body).Str("/status"), "approved");
}

TEST_F(ReviewIntegrationTest, BulkDecisionModifyAndStats) {
  auto ids = HeldItems(4);
  ASSERT_EQ(ids.size(), 4u);
  // Modify-and-approve: a corrected postcode rides along with the approval.
  auto modified = Call("POST", "/v1/reviews/" + ids[0] + "/reject",
                       R"({"changes": {"shipping_address": {"zip": "22203"}}})");
  ASSERT_TRUE(modified.ok());
  EXPECT_EQ(modified->status, 400) << modified->body;  // changes only with an approval
  auto approved = Call("POST", "/v1/reviews/" + ids[0] + "/approve",
                       R"({"changes": {"shipping_address": {"zip": "22203"}}})");
  ASSERT_TRUE(approved.ok());
  EXPECT_EQ(approved->status, 200) << approved->body;
  EXPECT_TRUE(approved->body.find("\"modified\":true") != std::string::npos) << approved->body;
  // Bulk: the rest are released; one id that is already decided reports its own error.
  auto bulk = Call("POST", "/v1/reviews/decide",
                   R"({"ids": [)" + ids[0] + "," + ids[1] + "," + ids[2] + "," + ids[3] +
                       R"(], "decision": "reject", "comment": "known customers"})");
  ASSERT_TRUE(bulk.ok());
  ASSERT_EQ(bulk->status, 200) << bulk->body;
  JsonView b(bulk->body);
  EXPECT_EQ(b.Int("/decided"), 3);
  EXPECT_EQ(b.Int("/failed"), 1);
  EXPECT_EQ(b.Str("/results/0/error/code"), "failed_precondition");
  auto stats = Call("GET", "/v1/reviews/stats?days=7");
  ASSERT_TRUE(stats.ok() && stats->status == 200);
  JsonView s(stats->body);
  EXPECT_EQ(s.Str("/kinds/0/kind"), "fraud_cancel");
  EXPECT_EQ(s.Int("/kinds/0/human_decisions"), 4);
  EXPECT_EQ(s.Int("/kinds/0/approved_modified"), 1);
  EXPECT_EQ(s.Int("/kinds/0/rejected"), 3);
  EXPECT_NE(s.Str("/kinds/0/suggestion/why").find("200 needed"), std::string::npos);
  // The same record from the command line, on the data directory.
  server_->Stop();
  auto [code, out] = RunCli("review stats --data " + dir_.path() + "/data --config " + config_);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("fraud_cancel (suggest)"), std::string::npos) << out;
}

}  // namespace
}  // namespace orderpilot::testing
