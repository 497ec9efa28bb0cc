// store/store.h — the Store interface: event log, projections, webhook dedupe, review queue.
//
// Invariants:
//  * Every write method returns only after its transaction is committed and fsynced. Writers are
//    batched by a group-commit writer (many concurrent callers share one transaction + fsync), so
//    a caller that got OK may acknowledge the data to the outside world.
//  * The event log is append-only: events(seq, stream, version, type, payload, actor, at). Each
//    order has one stream ("order-<id>"); its version is the number of events in it. Projection
//    rows (orders, reviews) change in the same transaction as the events that change them.
//  * Webhook deliveries are deduplicated by unique constraints (insert, never check-then-insert):
//    a replay of the same webhook id or event id, concurrent or hours later, changes nothing.
//
// Thread-safety: all methods may be called from any thread concurrently.
// Only app/ names a concrete backend (store/sqlite_store.h); everything else takes a Store&.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/order.h"
#include "core/status.h"
#include "core/time.h"
#include "store/stock.h"

namespace orderpilot::store {

// Where an order is in its lifecycle. received → validated → accepted → allocated (stock
// reserved, fulfillment requested) → shipped; accepted → backordered (waits for stock) →
// accepted again when stock arrives; held waits for a person. Terminal: kShipped (until the
// returns module), kRejected, kCancelled.
enum class OrderState {
  kReceived,
  kValidated,
  kAccepted,
  kHeld,
  kRejected,
  kCancelled,
  kAllocated,
  kBackordered,
  kShipped,
};
std::string_view OrderStateName(OrderState s);
std::optional<OrderState> ParseOrderState(std::string_view name);

struct Event {
  EventSeq seq;
  std::string stream;
  int64_t version = 0;  // 1-based position in its stream
  std::string type;     // "order.received", "order.held", "review.approved" …
  std::string payload;  // JSON object
  std::string actor;    // "shopify", "pipeline", "api:<key name>", a reviewer's name
  Timestamp at;
};

// An event to append; seq, version and stream are assigned by the store.
struct NewEvent {
  std::string type;
  std::string payload = "{}";  // JSON object
  std::string actor;
};

struct OrderRecord {
  OrderId id;
  std::string channel;
  std::string shop;
  std::string channel_order_id;
  std::string number;
  OrderState state = OrderState::kReceived;
  int64_t version = 0;     // events in the order's stream
  std::string order_json;  // latest canonical order (core/order_json.h)
  std::string currency;
  int64_t total_minor = 0;  // totals.total in minor units
  std::string financial_status;
  Timestamp created_at;  // when we first received it
  Timestamp updated_at;
  // Set by automation rules (rules/); defaults "normal" and "".
  std::string priority = "normal";
  std::string shipping_speed;
  std::string route_location;
  std::string carrier_service;
  // The stream version up to which rule triggers have been evaluated: events after it (appended
  // by webhooks, people or steps) still have to meet the rules.
  int64_t rules_version = 0;
  // Whose personal data the order holds, and the data key its personal fields are sealed under
  // (privacy/, docs/privacy.md); "" for orders stored without encryption.
  std::string customer_ref;
  std::string key_id;
};

std::string OrderStream(OrderId id);  // "order-<id>"

// What a delivery means for the order projection.
enum class DeliveryKind {
  kOrderCreate,  // create the order; if it already exists, change nothing (duplicate)
  // Create it if absent (channels reorder webhooks), else append + update. An update of a
  // kAllocated order whose shipped lines (SKU → units) differ from the stored snapshot's releases
  // its reservations, appends "order.allocation_released" and moves it to kAccepted (the caller
  // enqueues it for a new allocation).
  kOrderUpdate,
  kOrderCancel,  // as kOrderUpdate, and the order moves to kCancelled (reservations released)
  // Append to the order's stream (parked by channel id until the order exists). For a kAllocated
  // order, refund lines with restock_type "cancel" release that many units of the line's SKU from
  // its open reservations ("order.allocation_reduced"); when none stays open the order moves to
  // kCancelled. Other restock types change no stock.
  kRefund,
  kPrivacyRequest,  // stored in privacy_requests for the privacy module
  kOther,           // stored only (unknown topics)
};

// One accepted inbound message: a verified webhook or an API call, already normalised.
struct Delivery {
  std::string channel;  // "shopify", "api"
  std::string shop;
  // Webhook identity. When both ids are empty the delivery is not a webhook and the webhook
  // table is skipped (API calls dedupe on channel + shop + channel_order_id instead).
  std::string topic;
  std::string webhook_id;
  std::string event_id;
  std::string api_version;
  std::string triggered_at;
  std::string raw_body;  // kept for replay/audit when from a webhook
  Timestamp received_at;

  DeliveryKind kind = DeliveryKind::kOther;
  std::string event_type;        // the order-stream event: "order.received", "order.paid", …
  std::string channel_order_id;  // for order and refund kinds
  std::optional<Order> order;    // for order kinds: used for projection columns
  std::string payload_json;      // canonical order JSON, refund JSON, or privacy request body
  std::string actor;             // recorded on the event
  // Personal data (privacy/sealed_store.h fills these; "" and empty without encryption): the
  // customer the delivery is about, the data key its personal fields are sealed under (recorded
  // for the customer, and on the order when this delivery creates it), and blind indexes that
  // find the customer (each recorded for customer_ref).
  std::string customer_ref;
  std::string key_id;
  std::vector<std::string> customer_index;
};

// A customer whose personal data we hold, as far as the order database knows it: one row per
// data key the customer has had (a customer erased and seen again gets a new key).
struct CustomerKeyRecord {
  std::string customer_ref;
  std::string key_id;
  std::string shop;
  Timestamp created_at;
  Timestamp last_seen_at;  // the latest delivery about the customer under this key
  std::optional<Timestamp> erased_at;
};

// A privacy request webhook (customers/data_request, customers/redact, shop/redact), as stored.
struct PrivacyRequestRecord {
  int64_t id = 0;
  std::string channel;
  std::string shop;
  std::string topic;
  Timestamp received_at;
  std::string body;    // the request (JSON), personal fields opened when read through privacy/
  std::string status;  // "pending", "done", "failed"
  std::optional<Timestamp> finished_at;
  std::string result;  // JSON object: what was exported or erased, or why it failed
};

struct DeliveryOutcome {
  bool duplicate = false;  // the webhook (or API order) was seen before; nothing changed
  OrderId order_id;        // the order it concerns, when known
  bool order_created = false;
};

// A side effect to deliver after the transaction commits (at least once, with the idempotency
// key): a webhook call or a notification. Written in the same transaction as its decision.
struct OutboxMessage {
  std::string kind;         // "webhook", "notification"
  std::string destination;  // URL, or the notification template
  std::string payload;      // JSON object
  std::string idempotency_key;
};

struct OutboxRecord {
  int64_t id = 0;
  OutboxMessage message;
  OrderId order_id;
  std::string status;  // "pending", "delivered", "dead"
  int64_t attempts = 0;
  Timestamp created_at;
};

// The pipeline's write: append `events` to an order and move it to `new_state`, but only if the
// order is still at `expected_version` (else Aborted: somebody else appended; re-read and retry).
struct OrderTransition {
  OrderId order_id;
  int64_t expected_version = 0;
  std::vector<NewEvent> events;
  OrderState new_state = OrderState::kReceived;
  // A decision that needs (or had) a person: written as a review row in the same transaction.
  struct ReviewRequest {
    std::string kind;    // the decision kind: "order_hold", "fraud_cancel", … (docs/review.md)
    std::string reason;  // human summary
    std::string detail_json;  // JSON object: reasons, confidence, order context, …
    // What approving does, in the shop's words ("cancel the order as fraud"). Default: "".
    std::string proposal = {};
    double confidence = 1.0;    // the engine's confidence in the proposal, 0..1
    int64_t money_minor = 0;    // money at stake (usually the order total), minor units
    std::string currency = {};  // of money_minor
    std::optional<Timestamp> sla_due_at = std::nullopt;  // when it escalates if still open
    std::string rule = {};  // the rule that asked for it, "" for the engine's own steps
    // True: the engine applied the proposal itself under its autonomy level (the transition
    // carries the effects); the row is recorded with status kAutoApplied, decided by the actor of
    // the transition's last event ("engine" when it has none) at commit time, appends
    // "decision.applied" instead of "review.opened", and can be reversed by a person
    // (Store::Reverse). When the transition also sets order_json, the snapshot it replaces is
    // kept for the reversal. False: the row is an open item waiting for a person.
    // The transition fails with InvalidArgument for a confidence outside 0..1 (or NaN).
    bool applied = false;
  };
  std::optional<ReviewRequest> review;  // opens (or records) a review item in the same transaction
  // Automatic decisions taken in this transition besides `review` (each recorded as if its
  // `applied` were true): a run can apply one decision and then open an item for another.
  std::vector<ReviewRequest> applied = {};
  // Rule effects, written in the same transaction (unset = unchanged).
  std::optional<std::string> order_json;  // a new canonical snapshot (tags or note changed)
  std::optional<std::string> priority;
  std::optional<std::string> shipping_speed;
  std::optional<std::string> route_location;
  std::optional<std::string> carrier_service;
  std::optional<int64_t> rules_version;  // see OrderRecord::rules_version
  std::vector<OutboxMessage> outbox;     // duplicates by idempotency key are ignored
  // Stock (store/stock.h). Each reservation is taken only if the (sku, location) has that many
  // units available at commit time; otherwise the whole transition is undone and Aborted
  // (re-read stock and plan again; the message starts with "stock: "). Moving to kCancelled or
  // kRejected, or release_reservations, releases every open reservation of the order first.
  // InvalidArgument for a reservation with an empty sku or location or a quantity <= 0.
  std::vector<Reservation> reserve;
  bool release_reservations = false;
};

// open: waits for a person. approved / rejected: decided by a person (or by the SLA fallback,
// see ReviewRecord::fallback). auto_applied: the engine applied the proposal itself.
enum class ReviewStatus { kOpen, kApproved, kRejected, kAutoApplied };
std::string_view ReviewStatusName(ReviewStatus s);
std::optional<ReviewStatus> ParseReviewStatus(std::string_view name);

struct ReviewRecord {
  ReviewId id;
  OrderId order_id;
  std::string kind;
  std::string reason;
  std::string detail_json;
  ReviewStatus status = ReviewStatus::kOpen;
  std::string decided_by;
  std::string comment;
  Timestamp created_at;
  std::optional<Timestamp> decided_at;
  // Decision context (ReviewRequest).
  std::string proposal;
  double confidence = 1.0;
  int64_t money_minor = 0;
  std::string currency;
  std::optional<Timestamp> sla_due_at;
  std::string rule;
  // Claims: who is working on an open item (Store::Claim), and since when.
  std::string claimed_by;
  std::optional<Timestamp> claimed_at;
  std::optional<Timestamp> escalated_at;  // when it passed its SLA (Store::EscalateOverdue)
  bool modified = false;                  // approved with changes (ReviewDecision::modified)
  bool fallback = false;                  // decided by the SLA fallback, not a person
  // A person reversed the engine's automatic application (Store::Reverse).
  std::optional<Timestamp> reversed_at;
  std::string reversed_by;
};

// Which review items ListReviews returns; every field narrows ("" / nullopt / false = any).
struct ReviewFilter {
  std::optional<ReviewStatus> status;
  std::string kind;
  // Items whose recorded claim is this person's, lapsed or not, in any status (a decided item
  // keeps the claim it was decided under): combine with status kOpen for a person's queue.
  std::string claimed_by;
  std::optional<OrderId> order_id;
  bool overdue = false;  // open items whose sla_due_at has passed (at the store's clock)
};

// A claim on an open item, so that two people do not decide the same one. A claim holds from
// claimed_at until claimed_at + ttl. Claiming an item claimed by somebody else fails with
// FailedPrecondition ("review 7 is claimed by alice since <RFC 3339>") unless that claim is
// `ttl` old or older (it is then taken over); claiming again by the same person refreshes it.
// release = true drops the caller's own claim (FailedPrecondition when somebody else's claim is
// recorded, lapsed or not; OK and no change when nobody's is). Appends "review.claimed" (with
// "taken_from" when a lapsed claim was taken over) / "review.released" to the order's stream.
// InvalidArgument for an empty `who` or a negative ttl. Concurrent claims: exactly one wins.
struct ReviewClaim {
  ReviewId review_id;
  std::string who;
  bool release = false;
  std::chrono::seconds ttl{1800};  // Default: 30 min
};

// A person undoing an automatic application (status kAutoApplied, not reversed yet). What it
// does to the order depends on the kind (docs/review.md):
//  * "fraud_cancel", "cancel_order": the order must still be cancelled and neither refunded (an
//    "order.refunded" or "refund.*" event on its stream, or financial status refunded /
//    partially_refunded) nor shipped (any unit); it is re-opened: accepted, "order.reopened"
//    (the caller enqueues it for the pipeline).
//  * anything else: the order must not be shipped (any unit), cancelled or rejected; its open
//    reservations are released and it goes back on hold ("order.held") with a new open item of
//    the same kind and context, whose SLA allows as long as the first one did.
// A snapshot the application replaced is restored. "review.reversed" (with new_review_id)
// comes first. Returns the reversed item (reversed_at / reversed_by set; its status stays
// kAutoApplied). FailedPrecondition when the item is not an automatic application, already
// reversed, or the order has moved past the point of no return; InvalidArgument for an empty
// `who`.
struct ReviewReversal {
  ReviewId review_id;
  std::string who;
  std::string comment;
};

// Decisions per kind and rule since a time (the earned-autonomy numbers).
struct ReviewKindStats {
  std::string kind;
  std::string rule;  // "" for the engine's own decisions
  // approved + rejected by people (fallbacks excluded) = the next three added up.
  int64_t human_decisions = 0;
  int64_t approved_unchanged = 0;
  int64_t approved_modified = 0;
  int64_t rejected = 0;   // by people
  int64_t automatic = 0;  // auto_applied
  int64_t reversed = 0;   // of those automatic, the ones a person has reversed (by now)
  int64_t fallback = 0;   // decided by the SLA fallback
  int64_t open = 0;       // open now (regardless of `since`)
  int64_t escalated = 0;  // escalated since `since`
};

// A person's decision on an open review item. Appends review.<approved|rejected> and the order's
// resulting event ("order.<new state>") in one transaction. The order must still be held
// (else FailedPrecondition). Moving it to cancelled or rejected releases its reservations.
//
// What approving and rejecting mean depends on the review's kind:
//   "order_hold"      approve → accepted,  reject → rejected
//   "cancel_order"    approve → cancelled, reject → accepted
//   "substitute_sku"  approve → accepted (with order_json: the order with the substitute SKU),
//                     reject → backordered
//   "fraud_hold"      approve → accepted (released), reject → cancelled
//   "fraud_cancel"    approve → cancelled, reject → accepted
//   "backorder"       approve → backordered, reject → cancelled
//   anything else     approve → accepted,  reject → rejected
// An item claimed by somebody else (claim younger than ReviewClaim::ttl's default) cannot be
// decided by another person: FailedPrecondition "claimed by …" (fallback decisions ignore it).
struct ReviewDecision {
  ReviewId review_id;
  bool approve = false;
  std::string who;
  std::string comment;
  // A new canonical snapshot written with the decision. The explicit default keeps brace
  // initialisers without it free of -Wmissing-field-initializers.
  std::optional<std::string> order_json = std::nullopt;
  // Approved with changes (counted apart from "approved unchanged"); ignored for a rejection.
  bool modified = false;
  bool fallback = false;  // the SLA fallback decides, not a person (ignores claims)
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::optional<int64_t> next_cursor;  // pass back as `cursor` for the next page
};

struct StoreStats {
  std::map<std::string, int64_t> orders_by_state;
  int64_t open_reviews = 0;
  int64_t events = 0;
  int64_t webhooks = 0;
};

// Group-commit counters, for /metrics.
struct CommitStats {
  int64_t batches = 0;
  int64_t writes = 0;
  int64_t queue_depth = 0;                    // writes waiting right now
  std::vector<int64_t> batch_size_histogram;  // counts for sizes ≤1,≤2,≤4,…,≤512,>512
};

class Store {
 public:
  virtual ~Store() = default;

  // --- writes (durable on return) ---
  // Appends one event to a stream that is not an order's ("access", "privacy", "config", "ai"):
  // key operations, privacy requests, configuration changes and what was sent to an outside
  // model, chained like every event (store/audit_chain.h). Returns the stored event (seq,
  // version, at). InvalidArgument for an empty stream or type, or a stream named "order-…" or
  // "sku-…" (those belong to Transition and the stock writes).
  virtual Result<Event> AppendAudit(std::string_view stream, const NewEvent& e) = 0;
  // Marks every key of these customers erased (their keys must already be shredded in keys.db),
  // with `audit` appended to stream "privacy" in the same transaction. Returns the key ids that
  // were marked. Unknown refs are ignored.
  virtual Result<std::vector<std::string>> MarkCustomersErased(
      const std::vector<std::string>& customer_refs, const NewEvent& audit) = 0;
  // Sets a privacy request's status ("done", "failed"), finished_at and result, with `audit`
  // appended to stream "privacy" in the same transaction. NotFound for an unknown id.
  virtual Status FinishPrivacyRequest(int64_t id, std::string_view status, std::string_view result,
                                      const NewEvent& audit) = 0;
  // Empties the stored raw body of webhooks received before `before` (retention); at most
  // `limit` rows per call. Returns how many were emptied.
  virtual Result<int64_t> DropRawBodies(Timestamp before, int limit) = 0;
  // Applies a delivery as its DeliveryKind says, in one transaction with its stock effects (an
  // edit or a refund of an allocated order, a cancellation). The caller enqueues out.order_id for
  // the pipeline afterwards (an edited order is back in kAccepted).
  virtual Result<DeliveryOutcome> Ingest(const Delivery& d) = 0;
  // Aborted when the order moved past expected_version; NotFound for an unknown order.
  virtual Status Transition(const OrderTransition& t) = 0;
  // Many transitions as one group-commit request (one transaction, each transition in its own
  // savepoint): how a pipeline worker commits a batch of orders with one fsync. Returns one
  // Status per transition, in order.
  virtual std::vector<Status> TransitionAll(const std::vector<OrderTransition>& ts) = 0;
  // FailedPrecondition when the review item is no longer open or its order no longer held;
  // NotFound when unknown.
  virtual Result<ReviewRecord> Decide(const ReviewDecision& d) = 0;
  // NotFound for an unknown item; FailedPrecondition when it is not open or claimed by another.
  virtual Result<ReviewRecord> Claim(const ReviewClaim& c) = 0;
  virtual Result<ReviewRecord> Reverse(const ReviewReversal& r) = 0;
  // Open items whose sla_due_at <= now and that were not escalated yet, oldest due first, at
  // most `limit`: each gets escalated_at = now, "review.escalated" on its order's stream and an
  // outbox notification (kind "notification", destination "review_escalated", idempotency key
  // "review-escalated-<id>") in one transaction. Returns them (the caller applies fallbacks).
  // Items without an SLA are never escalated. `limit` is clamped to 1..500.
  virtual Result<std::vector<ReviewRecord>> EscalateOverdue(Timestamp now, int limit) = 0;

  // --- stock writes (store/stock.h; durable on return) ---
  // InvalidArgument for an empty sku, location or key, a negative set or safety stock, or a
  // delta that would take on_hand below 0. A level that does not exist yet is created (an
  // unknown location is the caller's check: the store has no list of locations).
  virtual Result<AdjustmentOutcome> AdjustStock(const StockAdjustment& a) = 0;
  // All in one transaction (an import): every one applies or none does; InvalidArgument names
  // the index of the first bad one ("adjustment 12: ...").
  virtual Result<std::vector<AdjustmentOutcome>> AdjustStockAll(
      const std::vector<StockAdjustment>& as) = 0;
  // FailedPrecondition when the order is not allocated or has no open reservation (at that
  // location); NotFound for an unknown order.
  virtual Result<ShipmentOutcome> Ship(const ShipmentRequest& r) = 0;
  // Adds or replaces purchase-order lines, keyed by (purchase_order, sku, location), all or none.
  // New lines are open (IncomingStock::received is ignored). InvalidArgument for an empty key
  // field or a quantity <= 0 ("line 3: ..."); FailedPrecondition for replacing a received line.
  virtual Status AddIncoming(const std::vector<IncomingStock>& lines) = 0;
  // Receives every open line of a purchase order: on_hand grows by each line's quantity (an
  // adjustment with reason "received <po>"), the lines are marked received. NotFound for an
  // unknown or already received purchase order. One outcome per line, in line order. The
  // received flag is the replay guard (no stock_adjustments row).
  virtual Result<std::vector<AdjustmentOutcome>> ReceiveIncoming(const std::string& purchase_order,
                                                                 const std::string& actor) = 0;
  // Stores reorder points per (sku, location) from a forecast run (StockLevel::reorder_point;
  // the other fields are ignored), creating missing levels at 0. InvalidArgument for an empty
  // sku or location or a negative reorder point. Appends no event.
  virtual Status SetReorderPoints(const std::vector<StockLevel>& levels) = 0;

  // --- reads ---
  virtual Result<OrderRecord> GetOrder(OrderId id) = 0;
  virtual Result<std::vector<Event>> ReadStream(const std::string& stream) = 0;
  // Events of `stream` with version > after_version, oldest first.
  virtual Result<std::vector<Event>> ReadStreamAfter(const std::string& stream,
                                                     int64_t after_version) = 0;
  // Outbox messages, newest first (for the API and tests).
  virtual Result<std::vector<OutboxRecord>> ListOutbox(int limit) = 0;
  // Pending messages of `kind` due at `now`, oldest first (a dispatcher's work).
  virtual Result<std::vector<OutboxRecord>> DueOutbox(std::string_view kind, Timestamp now,
                                                      int limit) = 0;
  // Records a delivery attempt: delivered, or failed with `error` and retried at `retry_at`, or
  // failed for good ("dead") when retry_at is unset.
  virtual Status RecordOutboxAttempt(int64_t id, bool delivered, std::string_view error,
                                     std::optional<Timestamp> retry_at) = 0;
  // Newest first. `cursor` is the next_cursor of the previous page. Records come without
  // order_json (empty): GetOrder has it.
  virtual Result<Page<OrderRecord>> ListOrders(std::optional<OrderState> state, int limit,
                                               std::optional<int64_t> cursor) = 0;
  // Orders in any of `states` with id > after, oldest first: the pipeline's work on restart.
  // Records come without order_json (empty), as in ListOrders.
  virtual Result<std::vector<OrderRecord>> OrdersInStates(const std::vector<OrderState>& states,
                                                          OrderId after, int limit) = 0;
  // Orders with events the rules have not met (rules_version < version), id > after, oldest
  // first, without order_json: the pipeline's restart scan when rules are configured.
  virtual Result<std::vector<OrderRecord>> OrdersBehindRules(OrderId after, int limit) = 0;
  virtual Result<ReviewRecord> GetReview(ReviewId id) = 0;
  // Newest first; `limit` is clamped to 1..500.
  virtual Result<Page<ReviewRecord>> ListReviews(const ReviewFilter& filter, int limit,
                                                 std::optional<int64_t> cursor) = 0;
  Result<Page<ReviewRecord>> ListReviews(std::optional<ReviewStatus> status, int limit,
                                         std::optional<int64_t> cursor) {
    ReviewFilter f;
    f.status = status;
    return ListReviews(f, limit, cursor);
  }
  // Per (kind, rule): decisions made since `since` (by decided_at), ordered by kind, rule.
  virtual Result<std::vector<ReviewKindStats>> ReviewStats(Timestamp since) = 0;
  // Orders created (received) at or after `since` with id > after, oldest first, with
  // order_json: how risk history is rebuilt at start. `limit` is clamped to 1..10000.
  virtual Result<std::vector<OrderRecord>> OrdersCreatedSince(Timestamp since, OrderId after,
                                                              int limit) = 0;
  virtual Result<StoreStats> Stats() = 0;

  // --- stock reads ---
  // Every location's level of each SKU in `skus` (levels that exist), ordered by sku, location.
  virtual Result<std::vector<StockLevel>> GetStock(const std::vector<std::string>& skus) = 0;
  // Levels filtered by exact sku and/or location ("" = any), ordered by (sku, location); `cursor`
  // is the previous page's next_cursor (InvalidArgument when it names no level). `limit` is
  // clamped to 1..1000.
  virtual Result<Page<StockLevel>> ListStock(const std::string& sku, const std::string& location,
                                             int limit, std::optional<int64_t> cursor) = 0;
  // Every reservation of the order (open, shipped, released), oldest first; empty for an
  // unknown order.
  virtual Result<std::vector<ReservationRecord>> GetReservations(OrderId order) = 0;
  // Purchase-order lines of these SKUs (every SKU when empty), by expected_at.
  virtual Result<std::vector<IncomingStock>> GetIncoming(const std::vector<std::string>& skus,
                                                         bool open_only) = 0;
  // Units ordered per SKU per UTC day in [from, to), from the event log: the lines of each
  // order's first "order.allocated" or "order.backordered" event that has a "lines" array (an
  // order counts once, on the day of that event; if it is before `from`, not at all). Ordered by
  // sku, day.
  virtual Result<std::vector<DailyDemand>> DemandByDay(Timestamp from, Timestamp to) = 0;
  virtual CommitStats GetCommitStats() = 0;

  // --- personal data (privacy/) ---
  // Every key the customer has had, newest first (empty for an unknown customer).
  virtual Result<std::vector<CustomerKeyRecord>> GetCustomerKeys(std::string_view customer_ref) = 0;
  // The customers any of these blind indexes was recorded for (distinct, sorted).
  virtual Result<std::vector<std::string>> FindCustomers(
      const std::vector<std::string>& blind_indexes) = 0;
  // Customers of a shop ("" = every shop) with a key not erased, ordered by ref, after `after`.
  virtual Result<std::vector<std::string>> CustomersOfShop(std::string_view shop,
                                                           std::string_view after, int limit) = 0;
  // Customers with a key not erased whose latest delivery is older than `before`.
  virtual Result<std::vector<std::string>> CustomersInactiveSince(Timestamp before, int limit) = 0;
  // The customer's orders with their snapshots, oldest first.
  virtual Result<std::vector<OrderRecord>> OrdersOfCustomer(std::string_view customer_ref) = 0;
  // The order a channel id names, with its snapshot; nullopt when not stored.
  virtual Result<std::optional<OrderRecord>> FindOrderByChannelId(
      std::string_view channel, std::string_view shop, std::string_view channel_order_id) = 0;
  // Privacy requests with this status ("" = any), oldest first, after id `after`.
  virtual Result<std::vector<PrivacyRequestRecord>> ListPrivacyRequests(std::string_view status,
                                                                        int64_t after,
                                                                        int limit) = 0;
  // The stored raw bodies (not yet dropped by retention) of the webhooks about a customer, with
  // their topics, oldest first.
  virtual Result<std::vector<std::pair<std::string, std::string>>> WebhookBodiesOfCustomer(
      std::string_view customer_ref) = 0;
};

}  // namespace orderpilot::store
