// store/internal/sqlite_review.h — the review queue half of the SQLite store: review rows opened
// (or recorded as automatic applications) by transitions, decisions, claims, reversals, SLA
// escalation, and the queue's reads (store.h), as SQL on one connection.
//
// Invariants:
//  * A review row changes only together with an event on its order's stream, in the same
//    transaction, and the order's version follows the stream.
//  * Only open rows are decided, claimed or escalated (an escalation once); only auto_applied rows
//    are reversed, once. Every check is repeated in the UPDATE's WHERE clause, so a second writer
//    (there is none today: one writer thread) could not make two of them win.
//  * prior_order_json holds the snapshot an automatic application replaced; it is never read back
//    into a ReviewRecord, only restored by a reversal.
//
// Thread-safety: the *Work functions and RecordReview run on the writer thread inside a write
// transaction; the Read* functions on any connection used by one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"
#include "store/internal/sqlite_util.h"
#include "store/stock.h"
#include "store/store.h"

namespace orderpilot::store::internal {

// Records a transition's review request for `order`, whose stream is at `version` (after the
// transition's own events); `actor` is the actor of the transition's last event ("" when it has
// none). An open item appends "review.opened" (actor: `actor`, default "pipeline"); an applied one
// is stored as auto_applied, decided by `actor` (default "engine") at `now`, appends
// "decision.applied", and keeps the order's current snapshot when `replaces_snapshot` (the
// transition writes a new one after this call). Returns the stream's version after its event.
// InvalidArgument for a confidence outside 0..1.
Result<int64_t> RecordReview(Connection& c, OrderId order,
                             const OrderTransition::ReviewRequest& request, std::string_view actor,
                             bool replaces_snapshot, int64_t version, int64_t now);

// Store::Decide. A claim holds against other people for ReviewClaim's default ttl.
Status DecideWork(Connection& c, const ReviewDecision& d, int64_t now,
                  const StockObserver* observer, ReviewRecord& out);
// Store::Claim.
Status ClaimWork(Connection& c, const ReviewClaim& claim, int64_t now, ReviewRecord& out);
// Store::Reverse.
Status ReverseWork(Connection& c, const ReviewReversal& r, int64_t now,
                   const StockObserver* observer, ReviewRecord& out);
// Store::EscalateOverdue: items due at `due` get escalated_at = `due`; events and outbox rows are
// stamped `now` (the store's clock). REQUIRES: 1 <= limit. `out` is replaced.
Status EscalateOverdueWork(Connection& c, Timestamp due, int limit, int64_t now,
                           std::vector<ReviewRecord>& out);

// NotFound for an unknown id.
Result<ReviewRecord> ReadReview(Connection& c, ReviewId id);
// Store::ListReviews; `now` decides what is overdue. REQUIRES: 1 <= limit.
Result<Page<ReviewRecord>> ReadReviewPage(Connection& c, const ReviewFilter& filter, int limit,
                                          std::optional<int64_t> cursor, Timestamp now);
// Store::ReviewStats.
Result<std::vector<ReviewKindStats>> ReadReviewStats(Connection& c, Timestamp since);

}  // namespace orderpilot::store::internal
