// `orderpilot audit verify` on the real binary's data directory: intact after real traffic (a
// signed webhook, an API order, the pipeline's decisions), and the first edited event named
// after one row is changed in the database.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <string>
#include <tuple>

#include "app/simulator.h"
#include "json_view.h"
#include "server_process.h"

namespace orderpilot::testing {
namespace {

void Exec(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err);
  const std::string message = err != nullptr ? err : "";
  sqlite3_free(err);
  sqlite3_close_v2(h);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

TEST(AuditIntegrationTest, VerifyNamesTheFirstEditedEvent) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  ServerProcess server(data);
  ASSERT_TRUE(server.Start());
  api::HttpClient client("127.0.0.1", server.port());
  app::OrderSimulator sim(3, kShop);
  for (int i = 0; i < 3; ++i) {
    auto w = sim.NextOrderCreate();
    auto r = client.Send("POST", "/webhooks/shopify", w.body,
                         ShopifyHeaders(w.body, w.topic, "wh-audit-" + std::to_string(i)));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->status, 200) << r->body;
  }
  // Wait for the pipeline's decisions (more events on each order's stream).
  for (int tries = 0; tries < 100; ++tries) {
    auto list = client.Send("GET", "/v1/orders?limit=10&state=received", "", ApiHeaders());
    ASSERT_TRUE(list.ok());
    if (JsonView(list->body).Size("/items") == 0) break;
    usleep(50000);
  }
  EXPECT_EQ(server.Stop(), 0);

  auto [code, out] = RunCli("audit verify --data " + data);
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("audit chain intact: "), std::string::npos) << out;

  Exec(data + "/orderpilot.db", "UPDATE events SET actor = 'mallory' WHERE seq = 4");
  std::tie(code, out) = RunCli("audit verify --data " + data);
  EXPECT_EQ(code, 1) << out;
  EXPECT_EQ(out,
            "orderpilot: audit chain broken at event 4: its hash does not match its "
            "contents or the event before it (edited, inserted or reordered)\n");

  std::tie(code, out) = RunCli("audit verify --data " + dir.path() + "/nowhere");
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("no database at"), std::string::npos) << out;
}

}  // namespace
}  // namespace orderpilot::testing
