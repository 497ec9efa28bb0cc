// Kills a process that is acknowledging writes at a random moment and checks that every write it
// acknowledged is in the database exactly once.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite_store.h"
#include "store_test_util.h"

namespace orderpilot::store {
namespace {

using testing::OrderDelivery;
using testing::QueryInt;
using testing::TempDir;

// The child: ingests distinct orders from a few threads forever and writes "<channel_order_id>\n"
// to `fd` after each acknowledged one. Never returns.
[[noreturn]] void IngestUntilKilled(const std::string& path, int fd) {
  ManualClock clock(Timestamp{1750000000000000});
  SqliteOptions o;
  o.path = path;
  o.clock = &clock;
  auto store = SqliteStore::Open(o);
  if (!store.ok()) _exit(3);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0;; ++i) {
        std::string id = std::to_string(t) + "-" + std::to_string(i);
        auto out = (*store)->Ingest(OrderDelivery(DeliveryKind::kOrderCreate, id, "wh-" + id));
        if (!out.ok()) _exit(4);
        std::string line = id + "\n";  // < PIPE_BUF: one atomic write
        if (write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(5);
      }
    });
  }
  for (auto& t : threads) t.join();
  _exit(0);
}

TEST(DurabilityTest, EveryAcknowledgedWriteSurvivesKill) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string path = dir.path() + "/db.sqlite";
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    IngestUntilKilled(path, fds[1]);
  }
  close(fds[1]);

  // Wait until the child is acknowledging writes (however slow the machine), then kill it at a
  // random moment while it is in full flow.
  std::string acked;
  char buf[4096];
  ssize_t n;
  while (acked.find('\n') == std::string::npos && (n = read(fds[0], buf, sizeof buf)) > 0) {
    acked.append(buf, static_cast<size_t>(n));
  }
  std::random_device rd;
  std::uniform_int_distribution<int> delay_ms(20, 400);
  std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rd)));
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int wstatus = 0;
  ASSERT_EQ(waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exited early with status " << WEXITSTATUS(wstatus);

  // Everything in the pipe was acknowledged before the kill.
  while ((n = read(fds[0], buf, sizeof buf)) > 0) acked.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  std::vector<std::string> ids;
  size_t start = 0;
  for (size_t nl = acked.find('\n'); nl != std::string::npos; nl = acked.find('\n', start)) {
    ids.push_back(acked.substr(start, nl - start));
    start = nl + 1;
  }
  ASSERT_GT(ids.size(), 0u) << "the child acknowledged nothing before it was killed";
  RecordProperty("acknowledged", static_cast<int>(ids.size()));

  ManualClock clock(Timestamp{1760000000000000});
  SqliteOptions o;
  o.path = path;
  o.clock = &clock;
  auto store = SqliteStore::Open(o);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const int64_t stored = QueryInt(path, "SELECT COUNT(*) FROM orders");
  EXPECT_GE(stored, static_cast<int64_t>(ids.size()));
  std::set<std::string> unique(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), ids.size());
  for (const std::string& id : ids) {
    EXPECT_EQ(QueryInt(path, "SELECT COUNT(*) FROM orders WHERE channel_order_id = '" + id + "'"),
              1)
        << id;
    EXPECT_EQ(QueryInt(path, "SELECT COUNT(*) FROM webhooks WHERE webhook_id = 'wh-" + id + "'"), 1)
        << id;
  }
  // Every stored order is whole: its projection version matches its stream.
  EXPECT_EQ(QueryInt(path,
                     "SELECT COUNT(*) FROM orders o WHERE version != (SELECT COUNT(*) FROM "
                     "events e WHERE e.stream = 'order-' || o.id)"),
            0);
}

}  // namespace
}  // namespace orderpilot::store
