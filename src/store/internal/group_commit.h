// store/internal/group_commit.h — the group-commit writer: many concurrent write requests share
// one SQLite transaction and one fsync.
//
// Every write to the database goes through Submit(). The caller's work (a closure that runs SQL on
// the writer connection) is queued; the single writer thread takes everything queued (up to
// max_batch), runs BEGIN IMMEDIATE, runs each request inside its own SAVEPOINT, COMMITs, and only
// then wakes each caller with its own result. While one batch commits, new requests queue up and
// form the next batch — that is what batches under load.
//
// Invariants:
//  * Submit returns OK only after the transaction holding the work has committed (and, with
//    synchronous=FULL, been fsynced).
//  * A request whose work fails is rolled back to its savepoint alone and gets its own error; the
//    rest of the batch commits. If BEGIN or COMMIT fails, or SQLite rolls the whole transaction
//    back, every request of the batch gets that error and none of their writes persist.
//  * Requests run in the order they were submitted.
//
// Thread-safety: Submit may be called from any thread except the writer thread itself (a work
// closure must not Submit). Stats() from any thread.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "core/status.h"
#include "store/internal/function_ref.h"
#include "store/store.h"

namespace orderpilot::store::internal {

class GroupCommitWriter {
 public:
  // Runs on the writer thread inside the batch transaction, within the request's savepoint.
  // A non-OK result rolls the request's savepoint back.
  using Work = FunctionRef<Status()>;

  // Number of histogram buckets: ≤1, ≤2, ≤4, …, ≤512, >512.
  static constexpr int kHistogramBuckets = 11;

  // `db` is the writer connection, used only by the writer thread from now on; it must outlive
  // this object. max_batch ≥ 1 (values below are raised to 1).
  GroupCommitWriter(sqlite3* db, int max_batch);
  // Shutdown(), then releases the control statements.
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Queues `work` and blocks until its batch is committed. Returns the work's own error, the
  // batch's commit error, or Unavailable once shutdown has begun.
  Status Submit(Work work);

  // Stops accepting work (later Submits get Unavailable), drains the queue (every queued request
  // is run and completed), and joins the writer thread. Idempotent; blocks until drained.
  void Shutdown();
  // True once Shutdown has begun.
  bool ShuttingDown() const;

  CommitStats Stats() const;

 private:
  struct Request {
    explicit Request(Work w) : work(w) {}
    Work work;
    Status status;
    Request* next = nullptr;
    // Completion: the writer sets `done` and notifies while holding `mu`, so the waiting caller
    // cannot return (and destroy this stack object) before the writer has let go of it.
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
  };

  void Run();
  void RunBatch(std::vector<Request*>& batch);
  // Executes a cached control statement ("BEGIN IMMEDIATE", "COMMIT", …).
  Status Control(sqlite3_stmt* stmt);
  // Wakes the request's caller; its status is already set. The request may be gone on return.
  static void Complete(Request* r);

  sqlite3* const db_;
  const int max_batch_;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  sqlite3_stmt* rollback_ = nullptr;
  sqlite3_stmt* savepoint_ = nullptr;
  sqlite3_stmt* release_ = nullptr;
  sqlite3_stmt* rollback_to_ = nullptr;
  Status prepare_error_;  // non-OK when a control statement could not be prepared

  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  Request* head_ = nullptr;  // GUARDED_BY(mu_): intrusive FIFO of waiting requests
  Request* tail_ = nullptr;  // GUARDED_BY(mu_)
  bool stopping_ = false;    // GUARDED_BY(mu_)
  CommitStats stats_;        // GUARDED_BY(mu_)

  std::once_flag join_once_;
  std::thread thread_;  // last: starts after everything above is initialised
};

}  // namespace orderpilot::store::internal
