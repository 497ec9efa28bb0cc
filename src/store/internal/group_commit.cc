#include "store/internal/group_commit.h"

#include <algorithm>
#include <string>
#include <utility>

#include "store/internal/sqlite_util.h"

namespace orderpilot::store::internal {
namespace {

int HistogramBucket(size_t batch_size) {
  int bucket = 0;
  size_t limit = 1;
  while (bucket < GroupCommitWriter::kHistogramBuckets - 1 && batch_size > limit) {
    ++bucket;
    limit <<= 1;
  }
  return bucket;
}

}  // namespace

GroupCommitWriter::GroupCommitWriter(sqlite3* db, int max_batch)
    : db_(db), max_batch_(std::max(1, max_batch)) {
  stats_.batch_size_histogram.assign(kHistogramBuckets, 0);
  struct {
    const char* sql;
    sqlite3_stmt** stmt;
  } controls[] = {
      {"BEGIN IMMEDIATE", &begin_},   {"COMMIT", &commit_},
      {"ROLLBACK", &rollback_},       {"SAVEPOINT request", &savepoint_},
      {"RELEASE request", &release_}, {"ROLLBACK TO request", &rollback_to_},
  };
  for (auto& c : controls) {
    if (sqlite3_prepare_v3(db_, c.sql, -1, SQLITE_PREPARE_PERSISTENT, c.stmt, nullptr) !=
            SQLITE_OK &&
        prepare_error_.ok()) {
      prepare_error_ = SqliteError(db_, std::string("prepare ") + c.sql);
    }
  }
  thread_ = std::thread([this] { Run(); });
}

GroupCommitWriter::~GroupCommitWriter() {
  Shutdown();
  for (sqlite3_stmt* s : {begin_, commit_, rollback_, savepoint_, release_, rollback_to_})
    sqlite3_finalize(s);
}

void GroupCommitWriter::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  std::call_once(join_once_, [this] { thread_.join(); });
}

bool GroupCommitWriter::ShuttingDown() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopping_;
}

Status GroupCommitWriter::Submit(Work work) {
  Request request(work);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return UnavailableError("store is shutting down");
    if (tail_ == nullptr) {
      head_ = tail_ = &request;
    } else {
      tail_->next = &request;
      tail_ = &request;
    }
    ++stats_.queue_depth;
  }
  work_cv_.notify_one();
  std::unique_lock<std::mutex> lock(request.mu);
  request.cv.wait(lock, [&] { return request.done; });
  return std::move(request.status);
}

CommitStats GroupCommitWriter::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void GroupCommitWriter::Run() {
  std::vector<Request*> batch;
  batch.reserve(static_cast<size_t>(max_batch_));
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [&] { return head_ != nullptr || stopping_; });
      if (head_ == nullptr) return;  // stopping, and the queue is drained
      while (head_ != nullptr && batch.size() < static_cast<size_t>(max_batch_)) {
        batch.push_back(head_);
        head_ = head_->next;
      }
      if (head_ == nullptr) tail_ = nullptr;
      stats_.queue_depth -= static_cast<int64_t>(batch.size());
    }
    RunBatch(batch);
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.batches;
      stats_.writes += static_cast<int64_t>(batch.size());
      ++stats_.batch_size_histogram[static_cast<size_t>(HistogramBucket(batch.size()))];
    }
    for (Request* r : batch) Complete(r);
    batch.clear();
  }
}

void GroupCommitWriter::RunBatch(std::vector<Request*>& batch) {
  Status batch_error = prepare_error_;
  if (batch_error.ok()) batch_error = Control(begin_);
  if (batch_error.ok()) {
    for (Request* r : batch) {
      batch_error = Control(savepoint_);
      if (!batch_error.ok()) break;
      Status s = r->work();
      if (sqlite3_get_autocommit(db_) != 0) {
        // SQLite rolled the whole transaction back (I/O error, disk full, …): the work of every
        // request before this one is gone too.
        batch_error = s.ok() ? InternalError("sqlite: the transaction was rolled back") : s;
        break;
      }
      if (!s.ok()) {
        batch_error = Control(rollback_to_);
        if (!batch_error.ok()) break;
      }
      batch_error = Control(release_);
      if (!batch_error.ok()) break;
      r->status = std::move(s);
    }
  }
  if (batch_error.ok()) batch_error = Control(commit_);
  if (batch_error.ok()) return;
  if (sqlite3_get_autocommit(db_) == 0) (void)Control(rollback_);
  for (Request* r : batch) r->status = batch_error;
}

Status GroupCommitWriter::Control(sqlite3_stmt* stmt) {
  int rc = sqlite3_step(stmt);
  Status s = rc == SQLITE_DONE ? Status::Ok() : SqliteError(db_, sqlite3_sql(stmt));
  sqlite3_reset(stmt);
  return s;
}

void GroupCommitWriter::Complete(Request* r) {
  std::lock_guard<std::mutex> lock(r->mu);
  r->done = true;
  r->cv.notify_one();
}

}  // namespace orderpilot::store::internal
