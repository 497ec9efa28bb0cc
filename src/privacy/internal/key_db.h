// privacy/internal/key_db.h — the little RAII over the SQLite C API that the key file needs: a
// connection, prepared statements that reset themselves after each use, and a write transaction.
// (The privacy module does not depend on store/, whose wrappers are for the order database.)
//
// Invariants: every SQLite failure becomes a Status carrying SQLite's message — Unavailable when
// the database stayed locked past the busy timeout, Internal otherwise; a statement is reset and
// its bindings cleared when its Use ends, so no read transaction is left open by a forgotten
// statement (an open one would block WAL checkpoints).
//
// Thread-safety: a KeyDb and its statements are used by one thread at a time; callers serialise.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace orderpilot::privacy::internal {

// Unavailable for SQLITE_BUSY / SQLITE_LOCKED, else Internal: "keys.db: <what>: <errmsg>".
Status KeyDbError(sqlite3* db, int rc, std::string_view what);

// A prepared statement owned for the life of its connection.
class Statement {
 public:
  // One execution: bind, step, read columns. Resets the statement when it goes out of scope.
  // Text and blobs are bound without copying. REQUIRES: they outlive the Use.
  class Use {
   public:
    explicit Use(Statement& s) : s_(&s) {}
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
    ~Use();

    Use& Bind(int index, int64_t value);
    Use& Bind(int index, std::string_view text);
    Use& BindBlob(int index, std::span<const unsigned char> bytes);

    // True when a row is available, false when the statement is done.
    Result<bool> Step();
    // Steps to completion, discarding rows.
    Status Run();

    int64_t Int(int column) const;
    std::string_view Text(int column) const;
    std::span<const unsigned char> Blob(int column) const;
    // Rows changed by the last Run.
    int64_t Changes() const;

   private:
    Statement* s_;
    int bind_error_ = SQLITE_OK;
  };

  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Status Prepare(sqlite3* db, const char* sql);
  Use Start() { return Use(*this); }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// One connection to the key file.
class KeyDb {
 public:
  // Opens (creating when absent) the database at `path` with SQLite's own mutex off (callers
  // serialise) and the busy timeout set. Pragmas are the caller's.
  static Result<std::unique_ptr<KeyDb>> Open(const std::string& path, int busy_timeout_ms);
  KeyDb(const KeyDb&) = delete;
  KeyDb& operator=(const KeyDb&) = delete;
  ~KeyDb();

  sqlite3* db() const { return db_; }
  // Runs statements without results.
  Status Exec(const char* sql);
  // Copies the WAL into the database file and truncates the WAL to zero bytes. Unavailable
  // when another connection's read kept it from completing within the busy timeout.
  Status CheckpointTruncate();

 private:
  explicit KeyDb(sqlite3* db) : db_(db) {}

  sqlite3* db_;
};

// A write transaction: Begin() is BEGIN IMMEDIATE (the write lock up front, waiting out the busy
// timeout); rolled back when it goes out of scope begun and uncommitted.
class WriteTransaction {
 public:
  explicit WriteTransaction(KeyDb& db) : db_(&db) {}
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  ~WriteTransaction();

  Status Begin();
  Status Commit();

 private:
  KeyDb* db_;
  bool open_ = false;
};

}  // namespace orderpilot::privacy::internal
