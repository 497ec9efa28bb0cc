// The REST API of the real binary: orders in, the pipeline's decisions, the review queue,
// pagination and metrics.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <thread>

#include "json_view.h"
#include "server_process.h"

namespace orderpilot::testing {
namespace {

std::string CanonicalOrder(const std::string& id, const std::string& total = "") {
  std::string totals = total.empty() ? ""
                                     : R"(, "totals": {"line_items": "37.50", "discounts": "0.00",
                             "shipping": "0.00", "tax": "0.00", "total": ")" +
                                           total + "\"}";
  return R"({"channel_order_id": ")" + id + R"(", "currency": "EUR",
    "email": "ada@example.com",
    "line_items": [{"sku": "MUG-BLUE", "title": "Blue mug", "quantity": 3,
                    "unit_price": "12.50", "requires_shipping": false}])" +
         totals + "}";
}

class ApiFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start());
    client_ = std::make_unique<api::HttpClient>("127.0.0.1", server_.port());
  }

  Result<api::HttpResponse> Call(const std::string& method, const std::string& target,
                                 const std::string& body = "") {
    return client_->Send(method, target, body, ApiHeaders());
  }

  // Polls the order until it leaves received/validated; returns its last body.
  std::string WaitSettled(int64_t id) {
    std::string body;
    for (int i = 0; i < 200; ++i) {
      auto r = Call("GET", "/v1/orders/" + std::to_string(id));
      EXPECT_TRUE(r.ok());
      body = r->body;
      JsonView j(body);
      std::string state = j.Str("/state");
      if (state != "received" && state != "validated") return body;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "order " << id << " never settled: " << body;
    return body;
  }

  TempDir dir_;
  ServerProcess server_{dir_.path()};
  std::unique_ptr<api::HttpClient> client_;
};

TEST_F(ApiFlowTest, CreatedOrderIsAcceptedWithItsTimeline) {
  auto r = Call("POST", "/v1/orders", CanonicalOrder("ext-1"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 201) << r->body;
  JsonView created(r->body);
  int64_t id = created.Int("/id");
  EXPECT_EQ(created.Str("/total"), "37.50");
  EXPECT_EQ(created.Str("/channel"), "api");

  JsonView order(WaitSettled(id));
  EXPECT_EQ(order.Str("/state"), "accepted");
  EXPECT_EQ(order.Str("/order/channel_order_id"), "ext-1");
  ASSERT_EQ(order.Size("/events"), 4u);
  EXPECT_EQ(order.Str("/events/0/type"), "order.received");
  EXPECT_EQ(order.Str("/events/0/actor"), "api:cli");
  EXPECT_EQ(order.Str("/events/1/type"), "order.validated");
  EXPECT_EQ(order.Str("/events/2/type"), "order.risk_scored");
  EXPECT_EQ(order.Str("/events/2/payload/model"), "weighted");
  EXPECT_EQ(order.Str("/events/3/type"), "order.accepted");
  EXPECT_EQ(order.Str("/events/3/payload/reasons/0"), "all validation checks passed");
}

TEST_F(ApiFlowTest, RetriedCreateIsADuplicateNotASecondOrder) {
  auto first = Call("POST", "/v1/orders", CanonicalOrder("ext-2"));
  auto second = Call("POST", "/v1/orders", CanonicalOrder("ext-2"));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->status, 201);
  EXPECT_EQ(second->status, 200);
  JsonView a(first->body), b(second->body);
  EXPECT_EQ(a.Int("/id"), b.Int("/id"));
  EXPECT_NE(second->body.find("\"duplicate\":true"), std::string::npos);
}

TEST_F(ApiFlowTest, ZeroQuantityIsRefusedAtTheDoor) {
  std::string body = CanonicalOrder("ext-3");
  body.replace(body.find("\"quantity\": 3"), 13, "\"quantity\": 0");
  auto r = Call("POST", "/v1/orders", body);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 422) << r->body;
  JsonView j(r->body);
  EXPECT_EQ(j.Str("/error/field"), "line_items[0].quantity");
  auto list = Call("GET", "/v1/orders");
  EXPECT_EQ(JsonView(list->body).Size("/items"), 0u);
}

TEST_F(ApiFlowTest, HeldOrderIsApprovedByAPersonWithAComment) {
  auto r = Call("POST", "/v1/orders", CanonicalOrder("ext-4", "40.00"));
  ASSERT_TRUE(r.ok() && r->status == 201) << r->body;
  int64_t id = JsonView(r->body).Int("/id");
  JsonView held(WaitSettled(id));
  EXPECT_EQ(held.Str("/state"), "held");

  auto reviews = Call("GET", "/v1/reviews?status=open");
  ASSERT_TRUE(reviews.ok());
  JsonView list(reviews->body);
  ASSERT_EQ(list.Size("/items"), 1u) << reviews->body;
  EXPECT_EQ(list.Int("/items/0/order_id"), id);
  EXPECT_NE(list.Str("/items/0/reason").find("total is 40.00"), std::string::npos);
  int64_t review = list.Int("/items/0/id");

  auto approve = Call("POST", "/v1/reviews/" + std::to_string(review) + "/approve",
                      R"({"comment": "customer paid the difference by phone"})");
  ASSERT_TRUE(approve.ok());
  EXPECT_EQ(approve->status, 200) << approve->body;
  JsonView decided(approve->body);
  EXPECT_EQ(decided.Str("/status"), "approved");
  EXPECT_EQ(decided.Str("/decided_by"), "cli");

  auto again = Call("POST", "/v1/reviews/" + std::to_string(review) + "/reject", "{}");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, 409) << again->body;

  auto order = Call("GET", "/v1/orders/" + std::to_string(id));
  JsonView o(order->body);
  EXPECT_EQ(o.Str("/state"), "accepted");
  bool approved_event = false;
  for (size_t i = 0; i < o.Size("/events"); ++i) {
    std::string at = "/events/" + std::to_string(i);
    if (o.Str((at + "/type").c_str()) == "review.approved") {
      approved_event = true;
      EXPECT_EQ(o.Str((at + "/actor").c_str()), "cli");
      EXPECT_EQ(o.Str((at + "/payload/comment").c_str()), "customer paid the difference by phone");
    }
  }
  EXPECT_TRUE(approved_event) << order->body;
}

TEST_F(ApiFlowTest, RejectedReviewRejectsTheOrder) {
  auto r = Call("POST", "/v1/orders", CanonicalOrder("ext-5", "1.00"));
  int64_t id = JsonView(r->body).Int("/id");
  WaitSettled(id);
  auto reviews = Call("GET", "/v1/reviews?status=open");
  int64_t review = JsonView(reviews->body).Int("/items/0/id");
  auto reject = Call("POST", "/v1/reviews/" + std::to_string(review) + "/reject",
                     R"({"comment": "fraud ring"})");
  ASSERT_TRUE(reject.ok());
  EXPECT_EQ(reject->status, 200) << reject->body;
  auto order = Call("GET", "/v1/orders/" + std::to_string(id));
  EXPECT_EQ(JsonView(order->body).Str("/state"), "rejected");
}

TEST_F(ApiFlowTest, PaginationWalksEveryOrderOnce) {
  for (int i = 0; i < 11; ++i)
    ASSERT_EQ(Call("POST", "/v1/orders", CanonicalOrder("page-" + std::to_string(i)))->status, 201);
  std::set<int64_t> seen;
  std::string cursor;
  int pages = 0;
  for (;;) {
    auto r = Call("GET", "/v1/orders?limit=4" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_TRUE(r.ok() && r->status == 200) << r->body;
    JsonView j(r->body);
    ++pages;
    for (size_t i = 0; i < j.Size("/items"); ++i)
      EXPECT_TRUE(seen.insert(j.Int(("/items/" + std::to_string(i) + "/id").c_str())).second);
    std::string_view next;
    if (j.root()["next_cursor"].get(next)) break;
    cursor = std::string(next);
  }
  EXPECT_EQ(seen.size(), 11u);
  EXPECT_EQ(pages, 3);
}

TEST_F(ApiFlowTest, HealthAndMetricsAnswerWithoutAKey) {
  api::HttpClient c("127.0.0.1", server_.port());
  auto health = c.Send("GET", "/healthz", "");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
  ASSERT_EQ(Call("POST", "/v1/orders", CanonicalOrder("m-1"))->status, 201);
  auto metrics = c.Send("GET", "/metrics", "");
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->status, 200);
  for (const char* name :
       {"orderpilot_http_requests_total", "orderpilot_http_request_duration_seconds_bucket",
        "orderpilot_commit_batch_size_bucket", "orderpilot_commit_queue_depth",
        "orderpilot_pipeline_queue_depth", "orderpilot_orders{state=\"received\"}"})
    EXPECT_NE(metrics->body.find(name), std::string::npos) << name;
}

}  // namespace
}  // namespace orderpilot::testing
