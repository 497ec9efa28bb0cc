// store/internal/sqlite_log.h — the writes every kind of SQLite write shares: appending an event
// to a stream, inserting an outbox message, and reading or replacing an order's snapshot.
//
// Invariants: every event is chained to the one before it (store/audit_chain.h); an event is
// appended at an explicit version, so UNIQUE(stream, version) turns a concurrent-append bug into
// an error instead of a forked stream; an outbox message is inserted at most once per
// idempotency key (a duplicate is ignored, never an error).
//
// Thread-safety: writer thread only, inside a write transaction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/ids.h"
#include "core/status.h"
#include "store/internal/sqlite_util.h"
#include "store/store.h"

namespace orderpilot::store::internal {

// "{}" for an empty payload: every stored payload is a JSON object.
std::string_view PayloadOrEmptyObject(std::string_view payload);

// Appends one event to `stream` at `version`, at seq = the newest event's + 1, with its audit
// chain hash (store/audit_chain.h); its seq is sqlite3_last_insert_rowid afterwards.
Status AppendEvent(Connection& c, std::string_view stream, int64_t version, std::string_view type,
                   std::string_view payload, std::string_view actor, int64_t at);

// Inserts `m` into the outbox (pending, due now) unless its idempotency key is already there.
// An invalid `order` stores order_id NULL (a message not caused by an order).
Status InsertOutbox(Connection& c, const OutboxMessage& m, OrderId order, int64_t now);

// The stored canonical snapshot of an order ("" when it has none).
Result<std::string> ReadSnapshot(Connection& c, OrderId id);

// Stores `json` as the latest canonical snapshot of an order.
Status PutSnapshot(Connection& c, OrderId id, std::string_view json);

}  // namespace orderpilot::store::internal
