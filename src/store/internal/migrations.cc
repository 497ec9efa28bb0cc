#include "store/internal/migrations.h"

#include <string>

namespace orderpilot::store::internal {
namespace {

// Migration 1: every table of the first release. See docs/event-log.md for what each holds.
constexpr const char kMigration1[] = R"sql(
CREATE TABLE events (
  seq     INTEGER PRIMARY KEY,
  stream  TEXT    NOT NULL,
  version INTEGER NOT NULL,
  type    TEXT    NOT NULL,
  payload TEXT    NOT NULL,
  actor   TEXT    NOT NULL,
  at      INTEGER NOT NULL,
  UNIQUE (stream, version)
);

CREATE TABLE orders (
  id               INTEGER PRIMARY KEY,
  channel          TEXT    NOT NULL,
  shop             TEXT    NOT NULL,
  channel_order_id TEXT    NOT NULL,
  number           TEXT    NOT NULL DEFAULT '',
  state            TEXT    NOT NULL,
  version          INTEGER NOT NULL,
  currency         TEXT    NOT NULL DEFAULT '',
  total_minor      INTEGER NOT NULL DEFAULT 0,
  financial_status TEXT    NOT NULL DEFAULT '',
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  UNIQUE (channel, shop, channel_order_id)
);
CREATE INDEX orders_by_state ON orders (state, id);

-- The latest canonical order, apart from the small, often-updated projection row.
CREATE TABLE order_snapshots (
  order_id   INTEGER PRIMARY KEY REFERENCES orders (id),
  order_json TEXT    NOT NULL
);

CREATE TABLE webhooks (
  id           INTEGER PRIMARY KEY,
  channel      TEXT    NOT NULL,
  shop         TEXT    NOT NULL,
  topic        TEXT    NOT NULL,
  webhook_id   TEXT    NOT NULL,
  event_id     TEXT    NOT NULL,
  api_version  TEXT    NOT NULL,
  triggered_at TEXT    NOT NULL,
  received_at  INTEGER NOT NULL,
  body         TEXT    NOT NULL
);
CREATE UNIQUE INDEX webhooks_by_webhook_id ON webhooks (channel, shop, webhook_id)
  WHERE webhook_id != '';
CREATE UNIQUE INDEX webhooks_by_event_id ON webhooks (channel, shop, topic, event_id)
  WHERE event_id != '';

CREATE TABLE parked_events (
  id               INTEGER PRIMARY KEY,
  channel          TEXT    NOT NULL,
  shop             TEXT    NOT NULL,
  channel_order_id TEXT    NOT NULL,
  type             TEXT    NOT NULL,
  payload          TEXT    NOT NULL,
  actor            TEXT    NOT NULL,
  at               INTEGER NOT NULL
);
CREATE INDEX parked_events_by_order ON parked_events (channel, shop, channel_order_id, id);

CREATE TABLE privacy_requests (
  id          INTEGER PRIMARY KEY,
  channel     TEXT    NOT NULL,
  shop        TEXT    NOT NULL,
  topic       TEXT    NOT NULL,
  received_at INTEGER NOT NULL,
  body        TEXT    NOT NULL,
  status      TEXT    NOT NULL DEFAULT 'pending'
);
CREATE INDEX privacy_requests_by_status ON privacy_requests (status, id);

CREATE TABLE reviews (
  id          INTEGER PRIMARY KEY,
  order_id    INTEGER NOT NULL REFERENCES orders (id),
  kind        TEXT    NOT NULL,
  reason      TEXT    NOT NULL,
  detail_json TEXT    NOT NULL,
  status      TEXT    NOT NULL,
  decided_by  TEXT    NOT NULL DEFAULT '',
  comment     TEXT    NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL,
  decided_at  INTEGER
);
CREATE INDEX reviews_by_status ON reviews (status, id);
CREATE INDEX reviews_by_order ON reviews (order_id);
)sql";

// Automation rules (issue 3): what rules set on an order, how far rules have read its stream,
// and the outbox for side effects (webhooks, notifications) written with the decision.
constexpr const char* kMigration2 = R"sql(
ALTER TABLE orders ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal';
ALTER TABLE orders ADD COLUMN shipping_speed TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN route_location TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN carrier_service TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN rules_version INTEGER NOT NULL DEFAULT 0;
-- Rules meet the events that come after the upgrade, not an order's whole past.
UPDATE orders SET rules_version = version;
-- Orders whose newest events have not met the rules yet (the pipeline's restart scan).
CREATE INDEX orders_behind_rules ON orders (id) WHERE rules_version < version;
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  destination TEXT NOT NULL,
  payload TEXT NOT NULL,
  idempotency_key TEXT NOT NULL UNIQUE,
  order_id INTEGER,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE INDEX outbox_pending ON outbox (status, next_attempt_at);
)sql";

// Stock (issue 5): levels per SKU and location, reservations of orders, the adjustment replay
// record, incoming purchase orders. SKU streams ("sku-<SKU>") need no table of their own: their
// version is MAX(version) of the UNIQUE(stream, version) index, one seek and no extra write.
constexpr const char* kMigration3 = R"sql(
CREATE TABLE stock (
  id            INTEGER PRIMARY KEY,
  sku           TEXT    NOT NULL,
  location      TEXT    NOT NULL,
  on_hand       INTEGER NOT NULL DEFAULT 0,
  reserved      INTEGER NOT NULL DEFAULT 0,
  safety_stock  INTEGER NOT NULL DEFAULT 0,
  reorder_point INTEGER NOT NULL DEFAULT 0,
  updated_at    INTEGER NOT NULL,
  UNIQUE (sku, location),
  CHECK (on_hand >= 0 AND reserved >= 0 AND reserved <= on_hand AND safety_stock >= 0 AND
         reorder_point >= 0)
);
CREATE TABLE reservations (
  id         INTEGER PRIMARY KEY,
  order_id   INTEGER NOT NULL REFERENCES orders (id),
  sku        TEXT    NOT NULL,
  location   TEXT    NOT NULL,
  quantity   INTEGER NOT NULL CHECK (quantity > 0),
  state      TEXT    NOT NULL CHECK (state IN ('reserved', 'shipped', 'released')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX reservations_by_order ON reservations (order_id, state);
-- Open reservations of a level, newest order first: the over-count release.
CREATE INDEX reservations_by_level ON reservations (sku, location, state, order_id);
CREATE TABLE stock_adjustments (
  id              INTEGER PRIMARY KEY,
  idempotency_key TEXT    NOT NULL UNIQUE,
  sku             TEXT    NOT NULL,
  location        TEXT    NOT NULL,
  mode            TEXT    NOT NULL CHECK (mode IN ('set', 'delta', 'channel_available')),
  quantity        INTEGER NOT NULL,
  safety_stock    INTEGER,
  reason          TEXT    NOT NULL,
  actor           TEXT    NOT NULL,
  at              INTEGER NOT NULL,
  on_hand         INTEGER
);
CREATE TABLE incoming (
  id             INTEGER PRIMARY KEY,
  purchase_order TEXT    NOT NULL,
  sku            TEXT    NOT NULL,
  location       TEXT    NOT NULL,
  quantity       INTEGER NOT NULL CHECK (quantity > 0),
  expected_at    INTEGER NOT NULL,
  received       INTEGER NOT NULL DEFAULT 0,
  received_at    INTEGER,
  updated_at     INTEGER NOT NULL,
  UNIQUE (purchase_order, sku, location)
);
CREATE INDEX incoming_by_sku ON incoming (sku, expected_at);
-- Demand for forecasts: the allocation decisions by time, without a scan of the whole log.
CREATE INDEX events_allocations ON events (at)
  WHERE type IN ('order.allocated', 'order.backordered');
)sql";

// The review queue (issue 7): decision context (proposal, confidence, money at stake, SLA, the
// rule), claims, escalation, how it was decided (modified, fallback), automatic applications
// ('auto_applied') and their reversal. Existing rows read as decided by a person, unclaimed,
// without an SLA.
constexpr const char* kMigration4 = R"sql(
ALTER TABLE reviews ADD COLUMN proposal TEXT NOT NULL DEFAULT '';
ALTER TABLE reviews ADD COLUMN confidence REAL NOT NULL DEFAULT 1.0;
ALTER TABLE reviews ADD COLUMN money_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reviews ADD COLUMN currency TEXT NOT NULL DEFAULT '';
ALTER TABLE reviews ADD COLUMN sla_due_at INTEGER;
ALTER TABLE reviews ADD COLUMN rule TEXT NOT NULL DEFAULT '';
ALTER TABLE reviews ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE reviews ADD COLUMN claimed_at INTEGER;
ALTER TABLE reviews ADD COLUMN escalated_at INTEGER;
ALTER TABLE reviews ADD COLUMN modified INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reviews ADD COLUMN fallback INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reviews ADD COLUMN reversed_at INTEGER;
ALTER TABLE reviews ADD COLUMN reversed_by TEXT NOT NULL DEFAULT '';
-- The snapshot an automatic application replaced (NULL: it changed none), for Reverse.
ALTER TABLE reviews ADD COLUMN prior_order_json TEXT;
-- The queue filtered by kind (and status), newest first.
CREATE INDEX reviews_by_kind ON reviews (kind, status, id);
-- A person's claimed items; unclaimed rows ('') stay out of the index.
CREATE INDEX reviews_by_claimer ON reviews (claimed_by, id) WHERE claimed_by != '';
-- The SLA scan: open items not escalated yet, by due time.
CREATE INDEX reviews_overdue ON reviews (sla_due_at)
  WHERE status = 'open' AND escalated_at IS NULL AND sla_due_at IS NOT NULL;
-- Stats: decisions and escalations since a time.
CREATE INDEX reviews_by_decided_at ON reviews (decided_at) WHERE decided_at IS NOT NULL;
CREATE INDEX reviews_by_escalated_at ON reviews (escalated_at) WHERE escalated_at IS NOT NULL;
)sql";

// The audit chain (store/audit_chain.h): each event's SHA-256 over the one before it and its
// own contents, lower-case hex. Events written before this migration keep NULL.
constexpr const char* kMigration5 = R"sql(
ALTER TABLE events ADD COLUMN hash TEXT;
)sql";

// API keys with roles (store/access_keys.h, docs/access.md). Only the SHA-256 of a key is kept
// (lower-case hex); `prefix` is its public part, used to find the row. A revoked key keeps its row
// (and so its name) for the audit trail.
constexpr const char* kMigration6 = R"sql(
CREATE TABLE api_keys (
  id           INTEGER PRIMARY KEY,
  name         TEXT    NOT NULL UNIQUE,
  role         TEXT    NOT NULL,
  hash         TEXT    NOT NULL,
  prefix       TEXT    NOT NULL UNIQUE,
  created_at   INTEGER NOT NULL,
  revoked_at   INTEGER,
  last_used_at INTEGER
);
)sql";

// Personal data at rest (privacy/, docs/privacy.md): which customer each order belongs to and
// under which data key its personal fields are sealed; the data keys each customer has had (the
// keys themselves live in keys.db, never here); blind indexes (keyed BLAKE2b of a normalised
// email, phone or channel customer id) to find a customer without decrypting; and when a privacy
// request was finished.
constexpr const char* kMigration7 = R"sql(
ALTER TABLE orders ADD COLUMN customer_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
CREATE INDEX orders_by_customer ON orders (customer_ref) WHERE customer_ref != '';

CREATE TABLE customer_keys (
  customer_ref TEXT    NOT NULL,
  key_id       TEXT    NOT NULL,
  shop         TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  erased_at    INTEGER,
  PRIMARY KEY (customer_ref, key_id)
) WITHOUT ROWID;
-- No index by shop or by last_seen_at: shop/redact and the retention job scan this small table
-- rarely, while every delivery of a new customer would pay for the extra random index writes.

CREATE TABLE customer_index (
  blind        TEXT NOT NULL,
  customer_ref TEXT NOT NULL,
  PRIMARY KEY (blind, customer_ref)
) WITHOUT ROWID;

ALTER TABLE webhooks ADD COLUMN customer_ref TEXT NOT NULL DEFAULT '';
CREATE INDEX webhooks_by_customer ON webhooks (customer_ref) WHERE customer_ref != '';
CREATE INDEX webhooks_by_received_at ON webhooks (received_at) WHERE body != '';

ALTER TABLE privacy_requests ADD COLUMN finished_at INTEGER;
ALTER TABLE privacy_requests ADD COLUMN result TEXT NOT NULL DEFAULT '';
)sql";

// The customer directory filled in batches (sqlite_store.cc DrainCustomerLog): a delivery about a
// customer appends one row to customer_log (an append at the end of the table); the rows are
// moved into customer_keys, customer_index, customer_orders and customer_webhooks, sorted, many at
// a time — by the ingest path past a threshold and before any read of the directory — so that
// ingest does not pay one random B-tree write per index per delivery. customer_orders and
// customer_webhooks replace the indexes on orders.customer_ref and webhooks.customer_ref (those
// columns stay, unindexed). `blinds` holds the delivery's blind indexes separated by spaces.
constexpr const char* kMigration8 = R"sql(
CREATE TABLE customer_log (
  id           INTEGER PRIMARY KEY,
  customer_ref TEXT    NOT NULL,
  key_id       TEXT    NOT NULL,
  shop         TEXT    NOT NULL,
  at           INTEGER NOT NULL,
  blinds       TEXT    NOT NULL,
  order_id     INTEGER,
  webhook_id   INTEGER
);

CREATE TABLE customer_orders (
  customer_ref TEXT    NOT NULL,
  order_id     INTEGER NOT NULL,
  PRIMARY KEY (customer_ref, order_id)
) WITHOUT ROWID;
INSERT INTO customer_orders (customer_ref, order_id)
  SELECT customer_ref, id FROM orders WHERE customer_ref != '';
DROP INDEX orders_by_customer;

CREATE TABLE customer_webhooks (
  customer_ref TEXT    NOT NULL,
  webhook_id   INTEGER NOT NULL,
  PRIMARY KEY (customer_ref, webhook_id)
) WITHOUT ROWID;
INSERT INTO customer_webhooks (customer_ref, webhook_id)
  SELECT customer_ref, id FROM webhooks WHERE customer_ref != '';
DROP INDEX webhooks_by_customer;
)sql";

// The customer directory filed from the rows ingest writes anyway (sqlite_store.cc
// DrainCustomerLog): a stored webhook about a customer carries the data key it is sealed under,
// its blind indexes (space-separated) and when it was filed (store clock), and an order carries
// its customer_ref; a drain files the webhooks and orders past the marks below, and moves the
// marks. This saves the customer_log row, a B-tree append per commit, for every delivery that is
// a stored webhook; customer_log stays for the others (API deliveries). Rows of webhooks and
// orders are never deleted, so ids are not reused and "past the mark" is exact.
constexpr const char* kMigration9 = R"sql(
ALTER TABLE webhooks ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE webhooks ADD COLUMN blinds TEXT NOT NULL DEFAULT '';
ALTER TABLE webhooks ADD COLUMN seen_at INTEGER NOT NULL DEFAULT 0;

CREATE TABLE customer_directory_marks (
  source  TEXT    PRIMARY KEY,  -- 'webhooks' or 'orders'
  last_id INTEGER NOT NULL      -- rows with a larger id are not filed yet
) WITHOUT ROWID;
-- Everything stored so far was filed through customer_log (or migration 8).
INSERT INTO customer_directory_marks (source, last_id) VALUES
  ('webhooks', COALESCE((SELECT MAX(id) FROM webhooks), 0)),
  ('orders', COALESCE((SELECT MAX(id) FROM orders), 0));
)sql";

constexpr Migration kMigrations[] = {
    {1, kMigration1}, {2, kMigration2}, {3, kMigration3}, {4, kMigration4}, {5, kMigration5},
    {6, kMigration6}, {7, kMigration7}, {8, kMigration8}, {9, kMigration9},
};

Status ApplyOne(Connection& conn, const Clock& clock, const Migration& m, int known) {
  // IMMEDIATE takes the write lock first, so two processes cannot both apply migration N.
  OP_RETURN_IF_ERROR(conn.ExecScript("BEGIN IMMEDIATE"));
  auto fail = [&](Status s) {
    (void)conn.ExecScript("ROLLBACK");
    return s;
  };
  Result<int> current = SchemaVersion(conn);
  if (!current.ok()) return fail(current.status());
  if (*current > known) {
    return fail(FailedPreconditionError("database schema version " + std::to_string(*current) +
                                        " is newer than this build knows (" +
                                        std::to_string(known) +
                                        "); open it with a newer orderpilot"));
  }
  if (*current >= m.version) return fail(Status::Ok());  // applied meanwhile by someone else
  Status s = conn.ExecScript(m.sql);
  if (!s.ok()) {
    return fail(InternalError("migration " + std::to_string(m.version) + ": " + s.message()));
  }
  {
    auto stmt = conn.Prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)");
    if (!stmt.ok()) return fail(stmt.status());
    stmt->Bind(1, int64_t{m.version}).Bind(2, clock.Now().micros);
    s = stmt->Exec();
  }
  if (!s.ok()) return fail(s);
  s = conn.ExecScript("COMMIT");
  if (!s.ok()) return fail(s);
  return Status::Ok();
}

}  // namespace

std::span<const Migration> KnownMigrations() { return kMigrations; }

Result<int> SchemaVersion(Connection& conn) {
  OP_ASSIGN_OR_RETURN(Stmt stmt,
                      conn.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  OP_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? static_cast<int>(stmt.Int(0)) : 0;
}

Status Migrate(Connection& conn, const Clock& clock) {
  return Migrate(conn, clock, KnownMigrations());
}

Status Migrate(Connection& conn, const Clock& clock, std::span<const Migration> migrations) {
  OP_RETURN_IF_ERROR(
      conn.ExecScript("CREATE TABLE IF NOT EXISTS schema_migrations ("
                      "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)"));
  const int known = migrations.empty() ? 0 : migrations.back().version;
  OP_ASSIGN_OR_RETURN(int current, SchemaVersion(conn));
  if (current > known) {
    return FailedPreconditionError("database schema version " + std::to_string(current) +
                                   " is newer than this build knows (" + std::to_string(known) +
                                   "); open it with a newer orderpilot");
  }
  for (const Migration& m : migrations) {
    if (m.version <= current) continue;
    OP_RETURN_IF_ERROR(ApplyOne(conn, clock, m, known));
  }
  return Status::Ok();
}

}  // namespace orderpilot::store::internal
