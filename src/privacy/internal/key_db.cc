#include "privacy/internal/key_db.h"

#include <string>
#include <utility>

namespace orderpilot::privacy::internal {

Status KeyDbError(sqlite3* db, int rc, std::string_view what) {
  std::string msg = "keys.db: ";
  msg.append(what);
  msg += ": ";
  msg += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const int primary = rc & 0xFF;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return UnavailableError(std::move(msg));
  return InternalError(std::move(msg));
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Status Statement::Prepare(sqlite3* db, const char* sql) {
  db_ = db;
  sqlite3_finalize(stmt_);
  stmt_ = nullptr;
  const int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) return KeyDbError(db, rc, sql);
  return Status::Ok();
}

Statement::Use::~Use() {
  sqlite3_reset(s_->stmt_);
  sqlite3_clear_bindings(s_->stmt_);
}

Statement::Use& Statement::Use::Bind(int index, int64_t value) {
  const int rc = sqlite3_bind_int64(s_->stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement::Use& Statement::Use::Bind(int index, std::string_view text) {
  // A non-null pointer even for empty text: a null pointer would bind SQL NULL.
  const char* data = text.empty() ? "" : text.data();
  const int rc =
      sqlite3_bind_text64(s_->stmt_, index, data, text.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement::Use& Statement::Use::BindBlob(int index, std::span<const unsigned char> bytes) {
  static const unsigned char kEmpty = 0;
  const unsigned char* data = bytes.empty() ? &kEmpty : bytes.data();
  const int rc = sqlite3_bind_blob64(s_->stmt_, index, data, bytes.size(), SQLITE_STATIC);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Result<bool> Statement::Use::Step() {
  if (bind_error_ != SQLITE_OK) return KeyDbError(nullptr, bind_error_, sqlite3_sql(s_->stmt_));
  const int rc = sqlite3_step(s_->stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return KeyDbError(s_->db_, rc, sqlite3_sql(s_->stmt_));
}

Status Statement::Use::Run() {
  while (true) {
    OP_ASSIGN_OR_RETURN(const bool row, Step());
    if (!row) return Status::Ok();
  }
}

int64_t Statement::Use::Int(int column) const { return sqlite3_column_int64(s_->stmt_, column); }

std::string_view Statement::Use::Text(int column) const {
  const unsigned char* p = sqlite3_column_text(s_->stmt_, column);
  if (p == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(p),
                          static_cast<size_t>(sqlite3_column_bytes(s_->stmt_, column)));
}

std::span<const unsigned char> Statement::Use::Blob(int column) const {
  const void* p = sqlite3_column_blob(s_->stmt_, column);
  if (p == nullptr) return {};
  return {static_cast<const unsigned char*>(p),
          static_cast<size_t>(sqlite3_column_bytes(s_->stmt_, column))};
}

int64_t Statement::Use::Changes() const { return sqlite3_changes64(s_->db_); }

Result<std::unique_ptr<KeyDb>> KeyDb::Open(const std::string& path, int busy_timeout_ms) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status s = KeyDbError(db, rc, "open " + path);
    sqlite3_close_v2(db);
    return s;
  }
  std::unique_ptr<KeyDb> key_db(new KeyDb(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  return key_db;
}

KeyDb::~KeyDb() { sqlite3_close_v2(db_); }

Status KeyDb::Exec(const char* sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return KeyDbError(db_, rc, sql);
  return Status::Ok();
}

Status KeyDb::CheckpointTruncate() {
  int wal_frames = 0;
  int checkpointed = 0;
  const int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, &wal_frames,
                                           &checkpointed);
  if (rc != SQLITE_OK) return KeyDbError(db_, rc, "WAL checkpoint");
  return Status::Ok();
}

WriteTransaction::~WriteTransaction() {
  if (open_) sqlite3_exec(db_->db(), "ROLLBACK", nullptr, nullptr, nullptr);
}

Status WriteTransaction::Begin() {
  OP_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
  open_ = true;
  return Status::Ok();
}

Status WriteTransaction::Commit() {
  OP_RETURN_IF_ERROR(db_->Exec("COMMIT"));
  open_ = false;
  return Status::Ok();
}

}  // namespace orderpilot::privacy::internal
