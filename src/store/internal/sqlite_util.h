// store/internal/sqlite_util.h — thin RAII over the SQLite C API: connections, cached prepared
// statements, and SQLite errors as Status.
//
// Invariants: every SQLite failure becomes an InternalError carrying SQLite's own message (never an
// exception, never an abort); a Stmt borrowed from a StatementCache is reset and its bindings
// cleared when the Stmt goes out of scope, so the cached statement is ready for the next user.
//
// Thread-safety: a Connection (and its cache) is used by one thread at a time; callers serialise.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"
#include "store/store.h"

namespace orderpilot::store::internal {

// InternalError("sqlite: <what>: <errmsg> (<extended code>)") for the last error on `db`.
Status SqliteError(sqlite3* db, std::string_view what);

// A cached prepared statement borrowed for one use. Bind, then Step/Exec, then read columns.
// Text is bound without copying (SQLITE_STATIC). REQUIRES: bound text outlives this Stmt.
class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Stmt(Stmt&& other) noexcept : db_(other.db_), stmt_(other.stmt_), bind_error_(other.bind_error_) {
    other.stmt_ = nullptr;
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt();

  // Parameters are 1-based, as in SQLite. A failed bind is reported by the next Step/Exec.
  Stmt& Bind(int index, int64_t value);
  Stmt& Bind(int index, std::string_view text);
  Stmt& BindNull(int index);
  // Named apart from Bind: an int argument would be ambiguous between int64_t and double.
  Stmt& BindDouble(int index, double value);

  // True when a row is available, false when the statement is done.
  Result<bool> Step();
  // Steps to completion, discarding rows.
  Status Exec();

  // Column accessors for the current row; 0-based.
  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  double Double(int column) const { return sqlite3_column_double(stmt_, column); }
  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::string_view TextView(int column) const;
  std::string Text(int column) const { return std::string(TextView(column)); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int bind_error_ = SQLITE_OK;
};

// Prepared statements of one connection, keyed by the address of their SQL text. REQUIRES: the
// SQL passed to Get is a string literal (or otherwise outlives the cache).
class StatementCache {
 public:
  explicit StatementCache(sqlite3* db) : db_(db) {}
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;
  ~StatementCache();

  Result<Stmt> Get(const char* sql);

 private:
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

// One open database connection with its statement cache. Closing finalizes every statement.
class Connection {
 public:
  // Opens (creating when `create`) the database at `path` and sets extended result codes and the
  // busy timeout. Pragmas beyond that are the caller's.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, bool create,
                                                  int busy_timeout_ms);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  sqlite3* db() const { return db_; }
  Result<Stmt> Prepare(const char* sql) { return cache_->Get(sql); }
  // Runs one or more statements without results (sqlite3_exec).
  Status ExecScript(const char* sql);

 private:
  explicit Connection(sqlite3* db) : db_(db), cache_(std::make_unique<StatementCache>(db)) {}

  sqlite3* db_;
  std::unique_ptr<StatementCache> cache_;
};

// Steps `s` (which selects up to limit + 1 rows, newest id first) into a page of `row(s)`
// records; when a row beyond the page exists, next_cursor is the last record's id.
// RowFn: Result<T>(const Stmt&), T with an `id` whose value() is the cursor.
template <typename T, typename RowFn>
Result<Page<T>> ReadIdPage(Stmt& s, int limit, RowFn row) {
  Page<T> page;
  while (true) {
    OP_ASSIGN_OR_RETURN(bool more, s.Step());
    if (!more) break;
    if (static_cast<int>(page.items.size()) == limit) {  // a row beyond the page: more to come
      page.next_cursor = page.items.back().id.value();
      break;
    }
    OP_ASSIGN_OR_RETURN(T r, row(s));
    page.items.push_back(std::move(r));
  }
  return page;
}

}  // namespace orderpilot::store::internal
