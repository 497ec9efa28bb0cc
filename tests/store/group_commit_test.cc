#include "store/internal/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "store/internal/sqlite_util.h"
#include "store_test_util.h"

namespace orderpilot::store::internal {
namespace {

using testing::QueryInt;
using testing::TempDir;

// A writer over a one-table database, and a way to hold the writer thread inside a request so
// that the next requests queue up and are committed together, deterministically.
class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    path_ = dir_.path() + "/gc.db";
    auto conn = Connection::Open(path_, true, 5000);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(*conn);
    ASSERT_TRUE(
        conn_->ExecScript("PRAGMA journal_mode=WAL; CREATE TABLE t (x INTEGER PRIMARY KEY)").ok());
    writer_ = std::make_unique<GroupCommitWriter>(conn_->db(), 512);
  }
  void TearDown() override {
    writer_.reset();
    conn_.reset();
  }

  Status Insert(int64_t x) {
    auto s = conn_->Prepare("INSERT INTO t (x) VALUES (?1)");
    if (!s.ok()) return s.status();
    s->Bind(1, x);
    return s->Exec();
  }

  // Submits, from a new thread, a request that inserts 0 and then waits for `release`.
  std::thread SubmitBlocker(std::shared_future<void> release, Status* result) {
    std::thread t([this, release, result] {
      auto work = [&]() -> Status {
        entered_ = true;
        release.wait();
        return Insert(0);
      };
      *result = writer_->Submit(work);
    });
    while (!entered_) std::this_thread::yield();
    return t;
  }

  void WaitForQueueDepth(int64_t depth) {
    while (writer_->Stats().queue_depth != depth) std::this_thread::yield();
  }

  int64_t Rows(const std::string& where) {
    return QueryInt(path_, "SELECT COUNT(*) FROM t WHERE " + where);
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<Connection> conn_;
  std::unique_ptr<GroupCommitWriter> writer_;
  std::atomic<bool> entered_{false};
};

TEST_F(GroupCommitTest, SubmitReturnsAfterCommit) {
  auto work = [&] { return Insert(7); };
  ASSERT_TRUE(writer_->Submit(work).ok());
  EXPECT_EQ(Rows("x = 7"), 1);  // visible to another connection: committed
  CommitStats cs = writer_->Stats();
  EXPECT_EQ(cs.batches, 1);
  EXPECT_EQ(cs.writes, 1);
  EXPECT_EQ(cs.batch_size_histogram[0], 1);
}

TEST_F(GroupCommitTest, FailingRequestInBatchDoesNotAffectOthers) {
  std::promise<void> release;
  Status blocker;
  std::thread t0 = SubmitBlocker(release.get_future().share(), &blocker);

  Status results[3];
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([this, i, &results] {
      auto work = [&]() -> Status {
        Status s = Insert(i + 1);
        if (!s.ok()) return s;
        // The middle request writes, then fails: its write must be rolled back alone.
        return i == 1 ? AbortedError("stale version") : Status::Ok();
      };
      results[i] = writer_->Submit(work);
    });
    WaitForQueueDepth(i + 1);  // keep submission order deterministic
  }
  release.set_value();
  t0.join();
  for (auto& t : threads) t.join();

  EXPECT_TRUE(blocker.ok());
  EXPECT_TRUE(results[0].ok()) << results[0].ToString();
  EXPECT_EQ(results[1].code(), StatusCode::kAborted);
  EXPECT_TRUE(results[2].ok()) << results[2].ToString();
  EXPECT_EQ(Rows("1"), 3);
  EXPECT_EQ(Rows("x = 2"), 0);

  CommitStats cs = writer_->Stats();
  EXPECT_EQ(cs.batches, 2);  // the blocker alone, then the three queued behind it together
  EXPECT_EQ(cs.writes, 4);
  EXPECT_EQ(cs.batch_size_histogram[0], 1);  // ≤1
  EXPECT_EQ(cs.batch_size_histogram[2], 1);  // ≤4
}

TEST_F(GroupCommitTest, LostTransactionFailsEveryRequestInTheBatch) {
  std::promise<void> release;
  Status blocker;
  std::thread t0 = SubmitBlocker(release.get_future().share(), &blocker);

  Status good;
  Status bad;
  std::thread t1([&] {
    auto work = [&] { return Insert(1); };
    good = writer_->Submit(work);
  });
  WaitForQueueDepth(1);
  std::thread t2([&] {
    // Ends the transaction behind the writer's back, as SQLite does after an I/O error.
    auto work = [&] { return conn_->ExecScript("ROLLBACK"); };
    bad = writer_->Submit(work);
  });
  WaitForQueueDepth(2);
  release.set_value();
  t0.join();
  t1.join();
  t2.join();

  EXPECT_TRUE(blocker.ok());
  EXPECT_EQ(good.code(), StatusCode::kInternal);
  EXPECT_EQ(bad.code(), StatusCode::kInternal);
  EXPECT_EQ(Rows("x = 1"), 0);
  // The writer carries on with the next batch.
  auto work = [&] { return Insert(5); };
  EXPECT_TRUE(writer_->Submit(work).ok());
  EXPECT_EQ(Rows("x = 5"), 1);
}

TEST_F(GroupCommitTest, MaxBatchBoundsTheBatchSize) {
  writer_.reset();
  writer_ = std::make_unique<GroupCommitWriter>(conn_->db(), 2);
  std::promise<void> release;
  Status blocker;
  std::thread t0 = SubmitBlocker(release.get_future().share(), &blocker);
  std::vector<std::thread> threads;
  for (int i = 0; i < 5; ++i) {
    threads.emplace_back([this, i] {
      auto work = [&] { return Insert(i + 1); };
      EXPECT_TRUE(writer_->Submit(work).ok());
    });
  }
  WaitForQueueDepth(5);
  release.set_value();
  t0.join();
  for (auto& t : threads) t.join();
  CommitStats cs = writer_->Stats();
  EXPECT_EQ(cs.writes, 6);
  EXPECT_EQ(cs.batches, 4);  // 1, then 2 + 2 + 1
  EXPECT_EQ(cs.batch_size_histogram[0], 2);
  EXPECT_EQ(cs.batch_size_histogram[1], 2);
  EXPECT_EQ(Rows("1"), 6);
}

TEST_F(GroupCommitTest, ShutdownDrainsQueueAndRefusesNewWrites) {
  std::promise<void> release;
  Status blocker;
  std::thread t0 = SubmitBlocker(release.get_future().share(), &blocker);
  Status queued;
  std::thread t1([&] {
    auto work = [&] { return Insert(1); };
    queued = writer_->Submit(work);
  });
  WaitForQueueDepth(1);
  std::thread stopper([&] { writer_->Shutdown(); });
  while (!writer_->ShuttingDown()) std::this_thread::yield();

  auto late_work = [&] { return Insert(2); };
  Status late = writer_->Submit(late_work);
  EXPECT_EQ(late.code(), StatusCode::kUnavailable);

  release.set_value();
  stopper.join();
  t0.join();
  t1.join();
  EXPECT_TRUE(blocker.ok());
  EXPECT_TRUE(queued.ok()) << queued.ToString();
  EXPECT_EQ(Rows("x = 1"), 1);
  EXPECT_EQ(Rows("x = 2"), 0);
}

}  // namespace
}  // namespace orderpilot::store::internal
