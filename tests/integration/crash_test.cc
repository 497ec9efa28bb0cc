// Acknowledged data is never lost: kill -9 the server under load, restart, and check that every
// webhook that got a 2xx is there exactly once and the pipeline finishes all of them.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "app/simulator.h"
#include "json_view.h"
#include "server_process.h"

namespace orderpilot::testing {
namespace {

constexpr int kWebhooks = 5000;
constexpr int kConnections = 32;

// Posts webhooks[i] for every i not yet acknowledged, from kConnections threads, until all are
// acknowledged, a connection fails (the server died), or `stop` is set. Returns the number acked.
int PostAll(uint16_t port, const std::vector<app::SimulatedWebhook>& webhooks,
            std::vector<std::atomic<bool>>& acked, std::atomic<bool>& stop) {
  std::atomic<int> next{0}, count{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kConnections; ++t) {
    threads.emplace_back([&] {
      api::HttpClient client("127.0.0.1", port);
      for (;;) {
        if (stop) return;
        int i = next++;
        if (i >= static_cast<int>(webhooks.size())) return;
        if (acked[static_cast<size_t>(i)]) continue;
        const auto& w = webhooks[static_cast<size_t>(i)];
        auto r = client.Send("POST", "/webhooks/shopify", w.body,
                             ShopifyHeaders(w.body, w.topic, w.webhook_id, w.event_id));
        if (!r.ok()) return;  // the server is gone
        if (r->status >= 200 && r->status < 300) {
          acked[static_cast<size_t>(i)] = true;
          ++count;
        } else {
          ADD_FAILURE() << "webhook " << i << " got " << r->status << ": " << r->body;
          return;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  return count;
}

// channel_order_id → how many orders carry it; and states.
struct Snapshot {
  std::map<std::string, int> by_channel_id;
  std::map<std::string, int> by_state;
  std::vector<int64_t> ids;
};

Snapshot ListAll(uint16_t port) {
  Snapshot s;
  api::HttpClient c("127.0.0.1", port);
  std::string cursor;
  for (;;) {
    auto r = c.Send("GET", "/v1/orders?limit=500" + (cursor.empty() ? "" : "&cursor=" + cursor), "",
                    ApiHeaders());
    EXPECT_TRUE(r.ok() && r->status == 200);
    if (!r.ok()) return s;
    JsonView j(r->body);
    simdjson::dom::array items;
    EXPECT_FALSE(j.root()["items"].get(items));
    for (simdjson::dom::element item : items) {
      std::string_view cid, state;
      int64_t id = 0;
      EXPECT_FALSE(item["channel_order_id"].get(cid));
      EXPECT_FALSE(item["state"].get(state));
      EXPECT_FALSE(item["id"].get(id));
      ++s.by_channel_id[std::string(cid)];
      ++s.by_state[std::string(state)];
      s.ids.push_back(id);
    }
    std::string_view next;
    if (j.root()["next_cursor"].get(next)) break;  // null: last page
    cursor = std::string(next);
  }
  return s;
}

TEST(CrashTest, AcknowledgedWebhooksSurviveKill9AndThePipelineFinishesThem) {
  TempDir dir;
  // Validation holds are counted exactly: the fraud screen stays out of it.
  ServerProcess server(dir.path(), {"--config", NoRiskConfig(dir.path())});
  ASSERT_TRUE(server.Start());

  app::OrderSimulator sim(20261123, kShop);
  std::vector<app::SimulatedWebhook> webhooks;
  int expected_holds = 0;
  for (int i = 0; i < kWebhooks; ++i) {
    webhooks.push_back(sim.NextOrderCreate());
    expected_holds += webhooks.back().expected_hold ? 1 : 0;
  }
  std::vector<std::atomic<bool>> acked(kWebhooks);

  // Kill at a random moment: once a random number of webhooks has been acknowledged.
  std::mt19937 rng(std::random_device{}());
  const int kill_after = std::uniform_int_distribution<int>(300, 4000)(rng);
  std::atomic<bool> stop{false};
  std::thread killer([&] {
    for (;;) {
      int n = 0;
      for (auto& a : acked) n += a ? 1 : 0;
      if (n >= kill_after) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    server.Kill9();
  });
  PostAll(server.port(), webhooks, acked, stop);
  killer.join();
  std::set<std::string> acked_ids;
  for (int i = 0; i < kWebhooks; ++i)
    if (acked[static_cast<size_t>(i)])
      acked_ids.insert(webhooks[static_cast<size_t>(i)].channel_order_id);
  std::printf("killed after %zu acknowledged webhooks (target %d)\n", acked_ids.size(), kill_after);

  // Restart on the same data: every acknowledged webhook is there exactly once.
  ASSERT_TRUE(server.Start());
  Snapshot after_crash = ListAll(server.port());
  for (const std::string& id : acked_ids)
    EXPECT_EQ(after_crash.by_channel_id[id], 1) << "acknowledged order " << id;
  for (const auto& [id, n] : after_crash.by_channel_id) EXPECT_EQ(n, 1) << "order " << id;

  // Shopify retries what was not acknowledged (and we replay the rest too): all 2xx.
  std::vector<std::atomic<bool>> acked2(kWebhooks);
  EXPECT_EQ(PostAll(server.port(), webhooks, acked2, stop), kWebhooks);

  // The pipeline takes every order to accepted or held.
  Snapshot done;
  for (int i = 0; i < 600; ++i) {
    done = ListAll(server.port());
    if (done.by_state["received"] + done.by_state["validated"] == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(done.by_channel_id.size(), static_cast<size_t>(kWebhooks));
  EXPECT_EQ(done.by_state["accepted"] + done.by_state["held"], kWebhooks);
  EXPECT_EQ(done.by_state["held"], expected_holds);

  // Each order's timeline has exactly one order.received.
  api::HttpClient c("127.0.0.1", server.port());
  for (size_t i = 0; i < done.ids.size(); i += 7) {  // every 7th: plenty, and quick
    auto r = c.Send("GET", "/v1/orders/" + std::to_string(done.ids[i]), "", ApiHeaders());
    ASSERT_TRUE(r.ok());
    size_t received = 0, pos = 0;
    while ((pos = r->body.find("\"order.received\"", pos)) != std::string::npos) ++received, ++pos;
    EXPECT_EQ(received, 1u) << "order " << done.ids[i];
  }
  EXPECT_EQ(server.Stop(), 0) << server.Log();
}

}  // namespace
}  // namespace orderpilot::testing
