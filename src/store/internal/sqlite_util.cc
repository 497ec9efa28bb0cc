#include "store/internal/sqlite_util.h"

#include <algorithm>
#include <string>
#include <utility>

namespace orderpilot::store::internal {

Status SqliteError(sqlite3* db, std::string_view what) {
  std::string msg = "sqlite: ";
  msg.append(what);
  msg += ": ";
  if (db == nullptr) {
    msg += "out of memory";
    return InternalError(std::move(msg));
  }
  msg += sqlite3_errmsg(db);
  msg += " (" + std::to_string(sqlite3_extended_errcode(db)) + ")";
  return InternalError(std::move(msg));
}

Stmt::~Stmt() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Stmt& Stmt::Bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Stmt& Stmt::Bind(int index, std::string_view text) {
  // A non-null pointer even for empty text: a null pointer would bind SQL NULL.
  const char* data = text.empty() ? "" : text.data();
  int rc = sqlite3_bind_text64(stmt_, index, data, text.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Stmt& Stmt::BindDouble(int index, double value) {
  int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Stmt& Stmt::BindNull(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Result<bool> Stmt::Step() {
  if (bind_error_ != SQLITE_OK) {
    return InternalError(std::string("sqlite: bind: ") + sqlite3_errstr(bind_error_) + " in " +
                         sqlite3_sql(stmt_));
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, sqlite3_sql(stmt_));
}

Status Stmt::Exec() {
  while (true) {
    OP_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

std::string_view Stmt::TextView(int column) const {
  const unsigned char* p = sqlite3_column_text(stmt_, column);
  if (p == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(p),
                          static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

StatementCache::~StatementCache() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
}

Result<Stmt> StatementCache::Get(const char* sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return Stmt(db_, it->second);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return SqliteError(db_, std::string("prepare ") + sql);
  }
  statements_.emplace(sql, stmt);
  return Stmt(db_, stmt);
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, bool create,
                                                     int busy_timeout_ms) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = SqliteError(db, "open " + path);
    sqlite3_close_v2(db);
    return s;
  }
  sqlite3_extended_result_codes(db, 1);
  if (sqlite3_busy_timeout(db, busy_timeout_ms) != SQLITE_OK) {
    Status s = SqliteError(db, "busy_timeout");
    sqlite3_close_v2(db);
    return s;
  }
  return std::unique_ptr<Connection>(new Connection(db));
}

Connection::~Connection() {
  cache_.reset();  // finalize statements before closing
  sqlite3_close_v2(db_);
}

Status Connection::ExecScript(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = "sqlite: ";
    msg += err != nullptr ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    msg += " in: ";
    msg.append(sql, std::min<size_t>(std::char_traits<char>::length(sql), 80));
    return InternalError(std::move(msg));
  }
  return Status::Ok();
}

}  // namespace orderpilot::store::internal
