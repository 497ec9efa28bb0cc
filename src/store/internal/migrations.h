// store/internal/migrations.h — the versioned schema of the SQLite store.
//
// Invariants: migration N is applied at most once, in its own transaction together with its
// schema_migrations(version = N) row; migrations are applied in order and never edited once
// released (a schema change is a new migration appended to the list). A database that records a
// version this build does not know is refused rather than written to.
#pragma once

#include <span>

#include "core/status.h"
#include "core/time.h"
#include "store/internal/sqlite_util.h"

namespace orderpilot::store::internal {

struct Migration {
  int version;      // 1, 2, 3, … without gaps
  const char* sql;  // one or more statements
};

// The migrations this build knows, in order.
std::span<const Migration> KnownMigrations();

// Creates schema_migrations if missing and applies every known migration the database lacks,
// stamping applied_at with `clock`. FailedPrecondition when the database is at a newer version
// than this build knows. Safe against another process migrating the same file concurrently.
Status Migrate(Connection& conn, const Clock& clock);

// Same, with an explicit list (tests use it to simulate newer builds).
Status Migrate(Connection& conn, const Clock& clock, std::span<const Migration> migrations);

// The highest applied version, 0 for a fresh database.
Result<int> SchemaVersion(Connection& conn);

}  // namespace orderpilot::store::internal
