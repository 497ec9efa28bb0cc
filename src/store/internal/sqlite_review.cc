#include "store/internal/sqlite_review.h"

#include <sqlite3.h>

#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "core/json_writer.h"
#include "store/internal/sqlite_log.h"
#include "store/internal/sqlite_stock.h"

namespace orderpilot::store::internal {
namespace {

using ReviewRequest = OrderTransition::ReviewRequest;

constexpr int64_t kMicrosPerSecond = 1000 * 1000;

// Columns of every review SELECT, in the order RowToReview reads them.
#define OP_REVIEW_COLUMNS                                                                   \
  "id, order_id, kind, reason, detail_json, status, decided_by, comment, created_at, "      \
  "decided_at, proposal, confidence, money_minor, currency, sla_due_at, rule, claimed_by, " \
  "claimed_at, escalated_at, modified, fallback, reversed_at, reversed_by"

std::optional<Timestamp> OptionalTime(const Stmt& s, int column) {
  if (s.IsNull(column)) return std::nullopt;
  return Timestamp{s.Int(column)};
}

Result<ReviewRecord> RowToReview(const Stmt& s) {
  ReviewRecord r;
  r.id = ReviewId(s.Int(0));
  r.order_id = OrderId(s.Int(1));
  r.kind = s.Text(2);
  r.reason = s.Text(3);
  r.detail_json = s.Text(4);
  std::optional<ReviewStatus> status = ParseReviewStatus(s.TextView(5));
  if (!status) {
    return InternalError("review " + r.id.ToString() + " has an unknown status '" + s.Text(5) +
                         "' in the database");
  }
  r.status = *status;
  r.decided_by = s.Text(6);
  r.comment = s.Text(7);
  r.created_at = Timestamp{s.Int(8)};
  r.decided_at = OptionalTime(s, 9);
  r.proposal = s.Text(10);
  r.confidence = s.Double(11);
  r.money_minor = s.Int(12);
  r.currency = s.Text(13);
  r.sla_due_at = OptionalTime(s, 14);
  r.rule = s.Text(15);
  r.claimed_by = s.Text(16);
  r.claimed_at = OptionalTime(s, 17);
  r.escalated_at = OptionalTime(s, 18);
  r.modified = s.Int(19) != 0;
  r.fallback = s.Int(20) != 0;
  r.reversed_at = OptionalTime(s, 21);
  r.reversed_by = s.Text(22);
  return r;
}

// A ttl in microseconds, saturated (a ttl of centuries must not overflow).
int64_t TtlMicros(std::chrono::seconds ttl) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max() / kMicrosPerSecond;
  return ttl.count() >= kMax ? std::numeric_limits<int64_t>::max() : ttl.count() * kMicrosPerSecond;
}

// Whether somebody other than `who` holds a claim on `r` that has not lapsed at `now`: a claim
// holds from claimed_at until claimed_at + ttl (exclusive).
bool ClaimedByOther(const ReviewRecord& r, std::string_view who, int64_t now, int64_t ttl_micros) {
  if (r.claimed_by.empty() || r.claimed_by == who || !r.claimed_at) return false;
  return now - r.claimed_at->micros < ttl_micros;
}

std::string ClaimedMessage(const ReviewRecord& r) {
  std::string msg = "review " + r.id.ToString() + " is claimed by " + r.claimed_by;
  if (r.claimed_at) msg += " since " + FormatTimestamp(*r.claimed_at);
  return msg;
}

Status RequireOpen(const ReviewRecord& r) {
  if (r.status == ReviewStatus::kOpen) return Status::Ok();
  return FailedPreconditionError("review " + r.id.ToString() + " is already " +
                                 std::string(ReviewStatusName(r.status)));
}

Status ValidateRequest(const ReviewRequest& r) {
  if (!std::isfinite(r.confidence) || r.confidence < 0.0 || r.confidence > 1.0) {
    return InvalidArgumentError(
        "a review's confidence must be within 0..1, not " + std::to_string(r.confidence),
        "review.confidence");
  }
  return Status::Ok();
}

// The review's order as the queue needs it.
struct ReviewOrder {
  int64_t version = 0;
  std::string state;  // as stored (OrderStateName)
  std::string financial_status;
};

Result<ReviewOrder> ReadReviewOrder(Connection& c, const ReviewRecord& review) {
  OP_ASSIGN_OR_RETURN(
      Stmt s, c.Prepare("SELECT version, state, financial_status FROM orders WHERE id = ?1"));
  s.Bind(1, review.order_id.value());
  OP_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) {
    return InternalError("review " + review.id.ToString() + " names a missing order " +
                         review.order_id.ToString());
  }
  return ReviewOrder{s.Int(0), s.Text(1), s.Text(2)};
}

// Moves the order's projection to `version`, and to `state` when set.
Status UpdateOrder(Connection& c, OrderId order, std::optional<OrderState> state, int64_t version,
                   int64_t now) {
  OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE orders SET state = COALESCE(?2, state), "
                                        "version = ?3, updated_at = ?4 WHERE id = ?1"));
  s.Bind(1, order.value());
  if (state) {
    s.Bind(2, OrderStateName(*state));
  } else {
    s.BindNull(2);
  }
  s.Bind(3, version).Bind(4, now);
  return s.Exec();
}

// Inserts a review row; returns its id. `decided_at` and `prior_order_json` may be unset.
Result<int64_t> InsertReviewRow(Connection& c, OrderId order, const ReviewRequest& r,
                                ReviewStatus status, std::string_view decided_by,
                                std::optional<int64_t> decided_at,
                                const std::optional<std::string>& prior_order_json, int64_t now) {
  OP_ASSIGN_OR_RETURN(
      Stmt s,
      c.Prepare("INSERT INTO reviews (order_id, kind, reason, detail_json, status, "
                "decided_by, created_at, decided_at, proposal, confidence, money_minor, "
                "currency, sla_due_at, rule, prior_order_json) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"));
  s.Bind(1, order.value()).Bind(2, r.kind).Bind(3, r.reason);
  s.Bind(4, PayloadOrEmptyObject(r.detail_json)).Bind(5, ReviewStatusName(status));
  s.Bind(6, decided_by).Bind(7, now);
  if (decided_at) {
    s.Bind(8, *decided_at);
  } else {
    s.BindNull(8);
  }
  s.Bind(9, r.proposal).BindDouble(10, r.confidence).Bind(11, r.money_minor).Bind(12, r.currency);
  if (r.sla_due_at) {
    s.Bind(13, r.sla_due_at->micros);
  } else {
    s.BindNull(13);
  }
  s.Bind(14, r.rule);
  if (prior_order_json) {
    s.Bind(15, *prior_order_json);
  } else {
    s.BindNull(15);
  }
  OP_RETURN_IF_ERROR(s.Exec());
  return sqlite3_last_insert_rowid(c.db());
}

// The payload of "review.opened".
std::string OpenedPayload(int64_t review_id, const ReviewRequest& r) {
  JsonWriter w;
  w.BeginObject()
      .Field("review_id", review_id)
      .Field("kind", r.kind)
      .Field("reason", r.reason)
      .Field("proposal", r.proposal)
      .Field("confidence", r.confidence)
      .Field("money_minor", r.money_minor)
      .Field("currency", r.currency);
  WriteOptionalTime(w, "sla_due_at", r.sla_due_at);
  w.Field("rule", r.rule).EndObject();
  return w.Take();
}

// The request a record was opened with (for re-opening it after a reversal).
ReviewRequest RequestOf(const ReviewRecord& r) {
  ReviewRequest q;
  q.kind = r.kind;
  q.reason = r.reason;
  q.detail_json = r.detail_json;
  q.proposal = r.proposal;
  q.confidence = r.confidence;
  q.money_minor = r.money_minor;
  q.currency = r.currency;
  q.sla_due_at = r.sla_due_at;
  q.rule = r.rule;
  return q;
}

// The order's state after a decision on a review of `kind` (store.h, ReviewDecision).
OrderState DecidedState(std::string_view kind, bool approve) {
  if (kind == "cancel_order" || kind == "fraud_cancel") {
    return approve ? OrderState::kCancelled : OrderState::kAccepted;
  }
  if (kind == "substitute_sku") return approve ? OrderState::kAccepted : OrderState::kBackordered;
  if (kind == "fraud_hold") return approve ? OrderState::kAccepted : OrderState::kCancelled;
  if (kind == "backorder") return approve ? OrderState::kBackordered : OrderState::kCancelled;
  return approve ? OrderState::kAccepted : OrderState::kRejected;
}

// Kinds whose automatic application cancelled the order: a reversal re-opens it.
bool CancelsOrder(std::string_view kind) {
  return kind == "cancel_order" || kind == "fraud_cancel";
}

// Whether the order's money went back: a refund event on its stream ("order.refunded", or a
// channel's "refund.*" type) or a refunded financial status.
Result<bool> WasRefunded(Connection& c, OrderId order, const ReviewOrder& head) {
  if (head.financial_status == "refunded" || head.financial_status == "partially_refunded") {
    return true;
  }
  OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT EXISTS (SELECT 1 FROM events WHERE stream = ?1 "
                                        "AND (type = 'order.refunded' OR type LIKE 'refund.%'))"));
  const std::string stream = OrderStream(order);
  s.Bind(1, stream);
  OP_ASSIGN_OR_RETURN(bool row, s.Step());
  return row && s.Int(0) != 0;
}

// Whether any unit of the order has shipped (a reservation in state 'shipped').
Result<bool> HasShippedUnits(Connection& c, OrderId order) {
  OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT EXISTS (SELECT 1 FROM reservations "
                                        "WHERE order_id = ?1 AND state = 'shipped')"));
  s.Bind(1, order.value());
  OP_ASSIGN_OR_RETURN(bool row, s.Step());
  return row && s.Int(0) != 0;
}

Status ExpectOneChange(Connection& c, const ReviewRecord& r, std::string_view what) {
  if (sqlite3_changes(c.db()) == 1) return Status::Ok();
  return FailedPreconditionError("review " + r.id.ToString() + " changed while being " +
                                 std::string(what));
}

// Filters of ReadReviewPage, one bit each; the SQL of every combination is built once.
enum FilterBit : unsigned {
  kByStatus = 1,
  kByKind = 2,
  kByClaimer = 4,
  kByOrder = 8,
  kOverdue = 16,
};
constexpr unsigned kFilterCombinations = 32;

// The page query for a combination of filters. ?1 cursor, ?2 limit + 1, ?3 status, ?4 kind,
// ?5 claimed_by, ?6 order id, ?7 now. One static text per combination, so that each gets its own
// cached statement and query plan (the statement cache keys by the text's address).
const char* ReviewPageSql(unsigned filters) {
  static const std::array<std::string, kFilterCombinations> kSql = [] {
    std::array<std::string, kFilterCombinations> sql;
    for (unsigned f = 0; f < kFilterCombinations; ++f) {
      std::string& q = sql[f];
      q = "SELECT " OP_REVIEW_COLUMNS " FROM reviews WHERE id < ?1";
      if (f & kByStatus) q += " AND status = ?3";
      if (f & kByKind) q += " AND kind = ?4";
      // The second term lets SQLite use the partial index of claimed rows.
      if (f & kByClaimer) q += " AND claimed_by = ?5 AND claimed_by != ''";
      if (f & kByOrder) q += " AND order_id = ?6";
      if (f & kOverdue) {
        q += " AND status = 'open' AND sla_due_at IS NOT NULL AND sla_due_at <= ?7";
      }
      q += " ORDER BY id DESC LIMIT ?2";
    }
    return sql;
  }();
  return kSql[filters].c_str();
}

}  // namespace

Result<int64_t> RecordReview(Connection& c, OrderId order, const ReviewRequest& request,
                             std::string_view actor, bool replaces_snapshot, int64_t version,
                             int64_t now) {
  OP_RETURN_IF_ERROR(ValidateRequest(request));
  const std::string stream = OrderStream(order);
  if (!request.applied) {
    OP_ASSIGN_OR_RETURN(int64_t id, InsertReviewRow(c, order, request, ReviewStatus::kOpen, "",
                                                    std::nullopt, std::nullopt, now));
    OP_RETURN_IF_ERROR(AppendEvent(c, stream, ++version, "review.opened",
                                   OpenedPayload(id, request), actor.empty() ? "pipeline" : actor,
                                   now));
    return version;
  }
  std::optional<std::string> prior;
  if (replaces_snapshot) {
    OP_ASSIGN_OR_RETURN(std::string snapshot, ReadSnapshot(c, order));
    if (!snapshot.empty()) prior = std::move(snapshot);
  }
  const std::string_view decided_by = actor.empty() ? std::string_view("engine") : actor;
  OP_ASSIGN_OR_RETURN(int64_t id, InsertReviewRow(c, order, request, ReviewStatus::kAutoApplied,
                                                  decided_by, now, prior, now));
  JsonWriter w;
  w.BeginObject()
      .Field("review_id", id)
      .Field("kind", request.kind)
      .Field("proposal", request.proposal)
      .Field("confidence", request.confidence)
      .Field("money_minor", request.money_minor)
      .Field("currency", request.currency)
      .Field("rule", request.rule)
      .EndObject();
  OP_RETURN_IF_ERROR(
      AppendEvent(c, stream, ++version, "decision.applied", w.str(), decided_by, now));
  return version;
}

Result<ReviewRecord> ReadReview(Connection& c, ReviewId id) {
  OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT " OP_REVIEW_COLUMNS " FROM reviews WHERE id = ?1"));
  s.Bind(1, id.value());
  OP_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFoundError("review " + id.ToString() + " not found");
  return RowToReview(s);
}

Status DecideWork(Connection& c, const ReviewDecision& d, int64_t now,
                  const StockObserver* observer, ReviewRecord& out) {
  OP_ASSIGN_OR_RETURN(ReviewRecord review, ReadReview(c, d.review_id));
  OP_RETURN_IF_ERROR(RequireOpen(review));
  if (!d.fallback && ClaimedByOther(review, d.who, now, TtlMicros(ReviewClaim().ttl))) {
    return FailedPreconditionError(ClaimedMessage(review));
  }
  OP_ASSIGN_OR_RETURN(ReviewOrder order, ReadReviewOrder(c, review));
  // The order may have moved on while the review waited (cancelled by the channel): a stale
  // review must not resurrect it.
  if (order.state != OrderStateName(OrderState::kHeld)) {
    return FailedPreconditionError("order " + review.order_id.ToString() + " is " + order.state +
                                   ", no longer held: review " + d.review_id.ToString() +
                                   " cannot change it");
  }
  const ReviewStatus status = d.approve ? ReviewStatus::kApproved : ReviewStatus::kRejected;
  const bool modified = d.approve && d.modified;
  {
    OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE reviews SET status = ?2, decided_by = ?3, "
                                          "comment = ?4, decided_at = ?5, modified = ?6, "
                                          "fallback = ?7 WHERE id = ?1 AND status = 'open'"));
    s.Bind(1, d.review_id.value()).Bind(2, ReviewStatusName(status)).Bind(3, d.who);
    s.Bind(4, d.comment).Bind(5, now).Bind(6, int64_t{modified}).Bind(7, int64_t{d.fallback});
    OP_RETURN_IF_ERROR(s.Exec());
    OP_RETURN_IF_ERROR(ExpectOneChange(c, review, "decided"));
  }
  int64_t version = order.version;
  const std::string stream = OrderStream(review.order_id);
  JsonWriter decision;
  decision.BeginObject()
      .Field("review_id", d.review_id.value())
      .Field("who", d.who)
      .Field("comment", d.comment)
      .Field("modified", modified)
      .Field("fallback", d.fallback)
      .EndObject();
  OP_RETURN_IF_ERROR(AppendEvent(c, stream, ++version,
                                 d.approve ? "review.approved" : "review.rejected", decision.str(),
                                 d.who, now));
  // What approving means depends on the proposal: a hold is released (accepted) or confirmed
  // (rejected); a proposed cancellation is carried out (cancelled) or declined (accepted); a
  // proposed substitute is taken (accepted, usually with the changed order_json) or declined
  // (backordered: the order waits for its own SKU).
  const OrderState next = DecidedState(review.kind, d.approve);
  JsonWriter result;
  result.BeginObject().Field("review_id", d.review_id.value()).EndObject();
  const std::string next_event = "order." + std::string(OrderStateName(next));
  OP_RETURN_IF_ERROR(AppendEvent(c, stream, ++version, next_event, result.str(), d.who, now));
  OP_RETURN_IF_ERROR(UpdateOrder(c, review.order_id, next, version, now));
  if (d.order_json) OP_RETURN_IF_ERROR(PutSnapshot(c, review.order_id, *d.order_json));
  if (next == OrderState::kCancelled || next == OrderState::kRejected) {
    OP_RETURN_IF_ERROR(ReleaseOrderStock(c, review.order_id, "released", d.who, now, observer));
  }
  OP_ASSIGN_OR_RETURN(out, ReadReview(c, d.review_id));
  return Status::Ok();
}

Status ClaimWork(Connection& c, const ReviewClaim& claim, int64_t now, ReviewRecord& out) {
  if (claim.who.empty()) return InvalidArgumentError("a claim needs a person (who)", "who");
  if (claim.ttl.count() < 0)
    return InvalidArgumentError("a claim's ttl must not be negative", "ttl");
  OP_ASSIGN_OR_RETURN(ReviewRecord review, ReadReview(c, claim.review_id));
  OP_RETURN_IF_ERROR(RequireOpen(review));
  JsonWriter payload;
  payload.BeginObject().Field("review_id", review.id.value()).Field("who", claim.who);
  std::string_view type;
  if (claim.release) {
    if (review.claimed_by.empty()) {  // nothing to drop: no event, no change
      out = std::move(review);
      return Status::Ok();
    }
    if (review.claimed_by != claim.who) return FailedPreconditionError(ClaimedMessage(review));
    OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE reviews SET claimed_by = '', claimed_at = NULL "
                                          "WHERE id = ?1 AND status = 'open' AND claimed_by = ?2"));
    s.Bind(1, review.id.value()).Bind(2, claim.who);
    OP_RETURN_IF_ERROR(s.Exec());
    OP_RETURN_IF_ERROR(ExpectOneChange(c, review, "released"));
    type = "review.released";
  } else {
    const int64_t ttl = TtlMicros(claim.ttl);
    if (ClaimedByOther(review, claim.who, now, ttl)) {
      return FailedPreconditionError(ClaimedMessage(review));
    }
    // The same conditions again in the UPDATE: whatever ran in between, only one claimer wins.
    OP_ASSIGN_OR_RETURN(
        Stmt s, c.Prepare("UPDATE reviews SET claimed_by = ?2, claimed_at = ?3 "
                          "WHERE id = ?1 AND status = 'open' AND (claimed_by = '' OR "
                          "claimed_by = ?2 OR claimed_at IS NULL OR ?3 - claimed_at >= ?4)"));
    s.Bind(1, review.id.value()).Bind(2, claim.who).Bind(3, now).Bind(4, ttl);
    OP_RETURN_IF_ERROR(s.Exec());
    if (sqlite3_changes(c.db()) != 1) return FailedPreconditionError(ClaimedMessage(review));
    if (!review.claimed_by.empty() && review.claimed_by != claim.who) {
      payload.Field("taken_from", review.claimed_by);  // a lapsed claim taken over
    }
    type = "review.claimed";
  }
  payload.EndObject();
  OP_ASSIGN_OR_RETURN(ReviewOrder order, ReadReviewOrder(c, review));
  const int64_t version = order.version + 1;
  OP_RETURN_IF_ERROR(
      AppendEvent(c, OrderStream(review.order_id), version, type, payload.str(), claim.who, now));
  OP_RETURN_IF_ERROR(UpdateOrder(c, review.order_id, std::nullopt, version, now));
  OP_ASSIGN_OR_RETURN(out, ReadReview(c, review.id));
  return Status::Ok();
}

Status ReverseWork(Connection& c, const ReviewReversal& r, int64_t now,
                   const StockObserver* observer, ReviewRecord& out) {
  if (r.who.empty()) return InvalidArgumentError("a reversal needs a person (who)", "who");
  OP_ASSIGN_OR_RETURN(ReviewRecord review, ReadReview(c, r.review_id));
  const std::string id = review.id.ToString();
  if (review.status != ReviewStatus::kAutoApplied) {
    return FailedPreconditionError("review " + id + " is not an automatic application (it is " +
                                   std::string(ReviewStatusName(review.status)) + ")");
  }
  if (review.reversed_at) {
    return FailedPreconditionError("review " + id + " was already reversed by " +
                                   review.reversed_by + " at " +
                                   FormatTimestamp(*review.reversed_at));
  }
  OP_ASSIGN_OR_RETURN(ReviewOrder order, ReadReviewOrder(c, review));
  const std::string order_name = "order " + review.order_id.ToString();
  const std::string cannot =
      ": the automatic " + review.kind + " decision of review " + id + " cannot be reversed";
  OP_ASSIGN_OR_RETURN(bool shipped, HasShippedUnits(c, review.order_id));
  if (shipped || order.state == OrderStateName(OrderState::kShipped)) {
    return FailedPreconditionError(order_name + " has shipped" + cannot);
  }
  const bool reopen = CancelsOrder(review.kind);
  if (reopen) {
    if (order.state != OrderStateName(OrderState::kCancelled)) {
      return FailedPreconditionError(order_name + " is " + order.state + ", not cancelled" +
                                     cannot);
    }
    OP_ASSIGN_OR_RETURN(bool refunded, WasRefunded(c, review.order_id, order));
    if (refunded) return FailedPreconditionError(order_name + " was refunded" + cannot);
  } else if (order.state == OrderStateName(OrderState::kCancelled) ||
             order.state == OrderStateName(OrderState::kRejected)) {
    return FailedPreconditionError(order_name + " is " + order.state + cannot);
  }

  {
    OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE reviews SET reversed_at = ?2, reversed_by = ?3 "
                                          "WHERE id = ?1 AND status = 'auto_applied' AND "
                                          "reversed_at IS NULL"));
    s.Bind(1, review.id.value()).Bind(2, now).Bind(3, r.who);
    OP_RETURN_IF_ERROR(s.Exec());
    OP_RETURN_IF_ERROR(ExpectOneChange(c, review, "reversed"));
  }
  // The item a person now has to decide, with the time its SLA allowed the first time.
  std::optional<int64_t> new_review_id;
  ReviewRequest again;
  if (!reopen) {
    OP_RETURN_IF_ERROR(ReleaseOrderStock(c, review.order_id, "reversed", r.who, now, observer));
    again = RequestOf(review);
    if (review.sla_due_at) {
      again.sla_due_at = Timestamp{now + (review.sla_due_at->micros - review.created_at.micros)};
    }
    OP_ASSIGN_OR_RETURN(new_review_id,
                        InsertReviewRow(c, review.order_id, again, ReviewStatus::kOpen, "",
                                        std::nullopt, std::nullopt, now));
  }
  const std::string stream = OrderStream(review.order_id);
  int64_t version = order.version;
  {
    JsonWriter w;
    w.BeginObject()
        .Field("review_id", review.id.value())
        .Field("who", r.who)
        .Field("comment", r.comment);
    if (new_review_id) w.Field("new_review_id", *new_review_id);
    w.EndObject();
    OP_RETURN_IF_ERROR(AppendEvent(c, stream, ++version, "review.reversed", w.str(), r.who, now));
  }
  if (reopen) {
    JsonWriter w;
    w.BeginObject()
        .Field("review_id", review.id.value())
        .Field("who", r.who)
        .Field("comment", r.comment)
        .EndObject();
    OP_RETURN_IF_ERROR(AppendEvent(c, stream, ++version, "order.reopened", w.str(), r.who, now));
  } else {
    JsonWriter w;
    w.BeginObject()
        .Field("reason", "a person reversed the automatic " + review.kind + " decision")
        .Field("review_id", review.id.value())
        .EndObject();
    OP_RETURN_IF_ERROR(AppendEvent(c, stream, ++version, "order.held", w.str(), r.who, now));
    OP_RETURN_IF_ERROR(AppendEvent(c, stream, ++version, "review.opened",
                                   OpenedPayload(*new_review_id, again), r.who, now));
  }
  {
    OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT prior_order_json FROM reviews WHERE id = ?1 AND "
                                          "prior_order_json IS NOT NULL"));
    s.Bind(1, review.id.value());
    OP_ASSIGN_OR_RETURN(bool row, s.Step());
    if (row) {
      const std::string prior = s.Text(0);
      OP_RETURN_IF_ERROR(PutSnapshot(c, review.order_id, prior));
    }
  }
  OP_RETURN_IF_ERROR(UpdateOrder(c, review.order_id,
                                 reopen ? OrderState::kAccepted : OrderState::kHeld, version, now));
  OP_ASSIGN_OR_RETURN(out, ReadReview(c, review.id));
  return Status::Ok();
}

Status EscalateOverdueWork(Connection& c, Timestamp due, int limit, int64_t now,
                           std::vector<ReviewRecord>& out) {
  out.clear();
  std::vector<int64_t> ids;
  {
    OP_ASSIGN_OR_RETURN(
        Stmt s,
        c.Prepare("SELECT id FROM reviews INDEXED BY reviews_overdue WHERE status = 'open' "
                  "AND escalated_at IS NULL AND sla_due_at IS NOT NULL AND sla_due_at <= ?1 "
                  "ORDER BY sla_due_at, id LIMIT ?2"));
    s.Bind(1, due.micros).Bind(2, int64_t{limit});
    while (true) {
      OP_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      ids.push_back(s.Int(0));
    }
  }
  for (int64_t id : ids) {
    OP_ASSIGN_OR_RETURN(ReviewRecord review, ReadReview(c, ReviewId(id)));
    {
      OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE reviews SET escalated_at = ?2 WHERE id = ?1 "
                                            "AND status = 'open' AND escalated_at IS NULL"));
      s.Bind(1, id).Bind(2, due.micros);
      OP_RETURN_IF_ERROR(s.Exec());
      OP_RETURN_IF_ERROR(ExpectOneChange(c, review, "escalated"));
    }
    const int64_t overdue_s = (due.micros - review.sla_due_at->micros) / kMicrosPerSecond;
    JsonWriter event;
    event.BeginObject().Field("review_id", id).Field("kind", review.kind);
    WriteOptionalTime(event, "sla_due_at", review.sla_due_at);
    event.Field("overdue_s", overdue_s).EndObject();
    OP_ASSIGN_OR_RETURN(ReviewOrder order, ReadReviewOrder(c, review));
    const int64_t version = order.version + 1;
    OP_RETURN_IF_ERROR(AppendEvent(c, OrderStream(review.order_id), version, "review.escalated",
                                   event.str(), "engine", now));
    OP_RETURN_IF_ERROR(UpdateOrder(c, review.order_id, std::nullopt, version, now));
    JsonWriter note;
    note.BeginObject()
        .Field("review_id", id)
        .Field("order_id", review.order_id.value())
        .Field("kind", review.kind)
        .Field("reason", review.reason);
    WriteOptionalTime(note, "sla_due_at", review.sla_due_at);
    note.Field("overdue_s", overdue_s).EndObject();
    OutboxMessage m{"notification", "review_escalated", note.Take(),
                    "review-escalated-" + std::to_string(id)};
    OP_RETURN_IF_ERROR(InsertOutbox(c, m, review.order_id, now));
    review.escalated_at = due;
    out.push_back(std::move(review));
  }
  return Status::Ok();
}

Result<Page<ReviewRecord>> ReadReviewPage(Connection& c, const ReviewFilter& filter, int limit,
                                          std::optional<int64_t> cursor, Timestamp now) {
  unsigned filters = 0;
  if (filter.status) filters |= kByStatus;
  if (!filter.kind.empty()) filters |= kByKind;
  if (!filter.claimed_by.empty()) filters |= kByClaimer;
  if (filter.order_id) filters |= kByOrder;
  if (filter.overdue) filters |= kOverdue;
  OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare(ReviewPageSql(filters)));
  s.Bind(1, cursor.value_or(std::numeric_limits<int64_t>::max())).Bind(2, int64_t{limit} + 1);
  if (filter.status) s.Bind(3, ReviewStatusName(*filter.status));
  if (filters & kByKind) s.Bind(4, filter.kind);
  if (filters & kByClaimer) s.Bind(5, filter.claimed_by);
  if (filter.order_id) s.Bind(6, filter.order_id->value());
  if (filter.overdue) s.Bind(7, now.micros);
  return ReadIdPage<ReviewRecord>(s, limit, [](const Stmt& st) { return RowToReview(st); });
}

Result<std::vector<ReviewKindStats>> ReadReviewStats(Connection& c, Timestamp since) {
  // d: decided since `since`. Each row counts in the columns it meets; the rows that can meet
  // any are found through three indexes (decided_at, status, escalated_at), never a table scan.
  OP_ASSIGN_OR_RETURN(
      Stmt s,
      c.Prepare("SELECT kind, rule, "
                "SUM(d AND status IN ('approved', 'rejected') AND fallback = 0), "
                "SUM(d AND status = 'approved' AND fallback = 0 AND modified = 0), "
                "SUM(d AND status = 'approved' AND fallback = 0 AND modified != 0), "
                "SUM(d AND status = 'rejected' AND fallback = 0), "
                "SUM(d AND status = 'auto_applied'), "
                "SUM(d AND status = 'auto_applied' AND reversed_at IS NOT NULL), "
                "SUM(d AND fallback != 0), "
                "SUM(status = 'open'), "
                "SUM(escalated_at IS NOT NULL AND escalated_at >= ?1) "
                "FROM (SELECT *, (decided_at IS NOT NULL AND decided_at >= ?1) AS d FROM reviews "
                "WHERE id IN (SELECT id FROM reviews WHERE decided_at >= ?1 UNION ALL "
                "SELECT id FROM reviews WHERE status = 'open' UNION ALL "
                "SELECT id FROM reviews WHERE escalated_at >= ?1)) "
                "GROUP BY kind, rule ORDER BY kind, rule"));
  s.Bind(1, since.micros);
  std::vector<ReviewKindStats> stats;
  while (true) {
    OP_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ReviewKindStats k;
    k.kind = s.Text(0);
    k.rule = s.Text(1);
    k.human_decisions = s.Int(2);
    k.approved_unchanged = s.Int(3);
    k.approved_modified = s.Int(4);
    k.rejected = s.Int(5);
    k.automatic = s.Int(6);
    k.reversed = s.Int(7);
    k.fallback = s.Int(8);
    k.open = s.Int(9);
    k.escalated = s.Int(10);
    stats.push_back(std::move(k));
  }
  return stats;
}

#undef OP_REVIEW_COLUMNS

}  // namespace orderpilot::store::internal
