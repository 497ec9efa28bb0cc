// The pipeline resumes after a restart: orders stored while it was paused (or before a crash)
// are taken to accepted/held when the server comes back.
#include <gtest/gtest.h>

#include <thread>

#include "app/simulator.h"
#include "json_view.h"
#include "server_process.h"

namespace orderpilot::testing {
namespace {

int64_t CountInState(uint16_t port, const std::string& state) {
  api::HttpClient c("127.0.0.1", port);
  auto r = c.Send("GET", "/v1/orders?limit=500&state=" + state, "", ApiHeaders());
  if (!r.ok()) return -1;
  JsonView j(r->body);
  return static_cast<int64_t>(j.Size("/items"));
}

TEST(RestartTest, PipelineResumesUnfinishedOrdersAfterRestart) {
  TempDir dir;
  app::OrderSimulator sim(99, kShop);
  int expected_holds = 0;
  {
    // Validation holds are counted exactly: the fraud screen stays out of it.
    ServerProcess paused(dir.path(), {"--workers", "0", "--config", NoRiskConfig(dir.path())});
    ASSERT_TRUE(paused.Start());
    api::HttpClient c("127.0.0.1", paused.port());
    for (int i = 0; i < 60; ++i) {
      auto w = sim.NextOrderCreate();
      expected_holds += w.expected_hold ? 1 : 0;
      auto r = c.Send("POST", "/webhooks/shopify", w.body,
                      ShopifyHeaders(w.body, w.topic, w.webhook_id, w.event_id));
      ASSERT_TRUE(r.ok() && r->status == 200);
    }
    EXPECT_EQ(CountInState(paused.port(), "received"), 60);
    paused.Kill9();  // not even a clean stop
  }
  ServerProcess server(dir.path(), {"--config", NoRiskConfig(dir.path())});
  ASSERT_TRUE(server.Start());
  for (int i = 0; i < 300 && CountInState(server.port(), "received") != 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(CountInState(server.port(), "received"), 0);
  EXPECT_EQ(CountInState(server.port(), "held"), expected_holds);
  EXPECT_EQ(CountInState(server.port(), "accepted"), 60 - expected_holds);
}

}  // namespace
}  // namespace orderpilot::testing
