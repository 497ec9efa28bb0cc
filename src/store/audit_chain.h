// store/audit_chain.h — the event log as a tamper-evident audit chain.
//
// Every event appended carries `hash` = SHA-256 over the previous event's hash and this event's
// seq, stream, version, type, payload, actor and time (each length-prefixed, so no two different
// events hash the same input). Orders as received, decisions, people's actions on reviews and
// orders (with who and when), rule actions and stock changes are events, so editing, deleting or
// inserting any of them breaks the chain from that event on. Not events, so not covered yet:
// privacy-request and other non-order webhook rows, configuration changes.
//
// Invariants:
//   - The chain is checked from the first event that has a hash. Events written before the
//     chain existed (databases from before migration 5) have none and form an unchained prefix;
//     a missing hash after the first hashed event is a break.
//   - A chain alone cannot tell that its newest events were cut off: VerifyEventChain reports the
//     last seq it saw so an operator can compare it with an earlier report.
//
// Thread-safety: pure functions; VerifyEventChain opens its own read-only connection, so it may
// run while a server writes (it checks the snapshot it reads).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace orderpilot::store {

// Lower-case hex SHA-256 of an event chained to `previous_hash` ("" for the first event, or when
// the event before it has no hash).
std::string EventChainHash(std::string_view previous_hash, int64_t seq, std::string_view stream,
                           int64_t version, std::string_view type, std::string_view payload,
                           std::string_view actor, int64_t at);

struct ChainReport {
  int64_t events = 0;                // rows read
  int64_t unchained = 0;             // leading events without a hash (older than the chain)
  int64_t last_seq = 0;              // the newest event's seq (0: none)
  std::optional<int64_t> broken_at;  // the first event whose hash or place does not check
  std::string problem;               // why, in words, when broken_at is set
};

// Reads every event of the SQLite database at `db_path` in seq order and checks the chain.
// NotFound when there is no database there; FailedPrecondition when it has no event log.
Result<ChainReport> VerifyEventChain(const std::string& db_path);

}  // namespace orderpilot::store
