// Velocity signals of the real binary: orders sharing an email count up, and the history the
// server rebuilds at start (decrypting recent orders) keys them as live scoring does — the
// server hashes velocity keys with the keyring's blind-index key (risk/history.h KeyHasher), so
// a warm-up keyed differently from live scoring would start the count again.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>

#include "json_view.h"
#include "server_process.h"

namespace orderpilot::testing {
namespace {

std::string OrderFrom(const std::string& id, const std::string& email) {
  return R"({"channel_order_id": ")" + id + R"(", "currency": "EUR",
    "email": ")" +
         email +
         R"(", "client": {"browser_ip": "198.51.100.23"},
    "line_items": [{"sku": "MUG-BLUE", "title": "Blue mug", "quantity": 1,
                    "unit_price": "12.50", "requires_shipping": false}]})";
}

// Creates the order, waits until it is scored and returns the named signal of its
// order.risk_scored event (0 when absent, as the event leaves zeros out; -1 when never scored).
double ScoredSignal(uint16_t port, const std::string& body, const std::string& signal) {
  api::HttpClient c("127.0.0.1", port);
  auto created = c.Send("POST", "/v1/orders", body, ApiHeaders());
  if (!created.ok() || created->status != 201) {
    ADD_FAILURE() << "create failed: " << (created.ok() ? created->body : "no response");
    return -1;
  }
  const int64_t id = JsonView(created->body).Int("/id");
  for (int i = 0; i < 200; ++i) {
    auto r = c.Send("GET", "/v1/orders/" + std::to_string(id), "", ApiHeaders());
    if (!r.ok()) break;
    JsonView j(r->body);
    simdjson::dom::array events;
    if (!j.root().at_pointer("/events").get(events)) {
      for (simdjson::dom::element e : events) {
        std::string_view type;
        if (e["type"].get(type) || type != "order.risk_scored") continue;
        double v = 0;
        if (e.at_pointer("/payload/signals/" + signal).get_double().get(v)) return 0;
        return v;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "order " << id << " was never scored";
  return -1;
}

TEST(RiskVelocityTest, EmailVelocityCountsUpAndSurvivesARestart) {
  TempDir dir;
  {
    ServerProcess server(dir.path());
    ASSERT_TRUE(server.Start());
    EXPECT_EQ(
        ScoredSignal(server.port(), OrderFrom("v-1", "eve@example.com"), "velocity_email_10m"), 1);
    // Case and white space do not make another email.
    EXPECT_EQ(
        ScoredSignal(server.port(), OrderFrom("v-2", " EVE@Example.com"), "velocity_email_10m"), 2);
    EXPECT_EQ(ScoredSignal(server.port(), OrderFrom("v-3", "eve@example.com"), "velocity_ip_1h"),
              3);
    EXPECT_EQ(
        ScoredSignal(server.port(), OrderFrom("v-4", "bob@example.com"), "velocity_email_10m"), 1);
    EXPECT_EQ(server.Stop(), 0);
  }
  // The restarted server rebuilds its history from the stored (sealed) orders with the same
  // keyed hashes: the next order from eve counts the three before it.
  ServerProcess server(dir.path());
  ASSERT_TRUE(server.Start());
  EXPECT_EQ(ScoredSignal(server.port(), OrderFrom("v-5", "eve@example.com"), "velocity_email_10m"),
            4);
  EXPECT_EQ(ScoredSignal(server.port(), OrderFrom("v-6", "bob@example.com"), "velocity_ip_10m"), 6);
}

}  // namespace
}  // namespace orderpilot::testing
