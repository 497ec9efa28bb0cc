#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>
#include <set>
#include <string_view>
#include <system_error>
#include <utility>

#include "core/json_writer.h"
#include "core/order_json.h"
#include "store/internal/group_commit.h"
#include "store/internal/migrations.h"
#include "store/internal/sqlite_log.h"
#include "store/internal/sqlite_review.h"
#include "store/internal/sqlite_stock.h"
#include "store/internal/sqlite_util.h"

namespace orderpilot::store {

using internal::AppendEvent;
using internal::Connection;
using internal::PayloadOrEmptyObject;
using internal::PutSnapshot;
using internal::ReadReview;
using internal::ReadSnapshot;
using internal::ReleaseOrderStock;
using internal::Stmt;
using internal::StockWrite;

namespace {

constexpr int kMaxPageSize = 500;
constexpr int kMaxWorkListSize = 10000;
constexpr int kMaxStockPageSize = 1000;

// Columns of every order SELECT, in the order RowToOrder reads them.
// The snapshot lives in its own table so that state changes rewrite a small row, not ~4 KB.
#define OP_ORDER_COLUMNS                                                                        \
  "id, channel, shop, channel_order_id, number, state, version, order_snapshots.order_json, "   \
  "currency, total_minor, financial_status, created_at, updated_at, priority, shipping_speed, " \
  "route_location, carrier_service, rules_version, customer_ref, key_id"
// CROSS JOIN makes SQLite drive the join from orders (its indexes), never from the snapshots.
#define OP_ORDERS_FROM "orders CROSS JOIN order_snapshots ON order_snapshots.order_id = orders.id"
// The same columns for lists and work scans, without the snapshot ('' in its place): their
// callers use ids and summary fields only, and reading ~4 KB per row would dominate them.
#define OP_ORDER_SUMMARY_COLUMNS                                                      \
  "id, channel, shop, channel_order_id, number, state, version, '', currency, "       \
  "total_minor, financial_status, created_at, updated_at, priority, shipping_speed, " \
  "route_location, carrier_service, rules_version, customer_ref, key_id"

Result<OrderRecord> RowToOrder(const Stmt& s) {
  OrderRecord r;
  r.id = OrderId(s.Int(0));
  r.channel = s.Text(1);
  r.shop = s.Text(2);
  r.channel_order_id = s.Text(3);
  r.number = s.Text(4);
  std::optional<OrderState> state = ParseOrderState(s.TextView(5));
  if (!state) {
    return InternalError("order " + r.id.ToString() + " has an unknown state '" + s.Text(5) +
                         "' in the database");
  }
  r.state = *state;
  r.version = s.Int(6);
  r.order_json = s.Text(7);
  r.currency = s.Text(8);
  r.total_minor = s.Int(9);
  r.financial_status = s.Text(10);
  r.created_at = Timestamp{s.Int(11)};
  r.updated_at = Timestamp{s.Int(12)};
  r.priority = s.Text(13);
  r.shipping_speed = s.Text(14);
  r.route_location = s.Text(15);
  r.carrier_service = s.Text(16);
  r.rules_version = s.Int(17);
  r.customer_ref = s.Text(18);
  r.key_id = s.Text(19);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Writer-side operations. Each runs on the writer thread inside the request's savepoint; a non-OK
// result rolls the request back.

// Whether the delivery is about a customer the directory files (Delivery::customer_ref).
bool NamesCustomer(const Delivery& d) { return !d.customer_ref.empty() && !d.key_id.empty(); }

// The delivery's blind indexes as stored: separated by single spaces.
Result<std::string> JoinBlinds(const Delivery& d) {
  std::string blinds;
  for (const std::string& blind : d.customer_index) {
    if (blind.empty() || blind.find(' ') != std::string::npos) {
      return InvalidArgumentError("a blind index is empty or holds a space", "customer_index");
    }
    if (!blinds.empty()) blinds.push_back(' ');
    blinds += blind;
  }
  return blinds;
}

// Inserts the webhook row, with the delivery's customer, data key and blind indexes for the
// directory (`blinds`: JoinBlinds). Returns its id, or 0 when a row with the same webhook id or
// event id exists (a replay): nothing was written.
Result<int64_t> InsertWebhook(Connection& c, const Delivery& d, std::string_view blinds,
                              int64_t now) {
  OP_ASSIGN_OR_RETURN(
      Stmt s, c.Prepare("INSERT INTO webhooks (channel, shop, topic, webhook_id, event_id, "
                        "api_version, triggered_at, received_at, body, customer_ref, key_id, "
                        "blinds, seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                        "?12, ?13) ON CONFLICT DO NOTHING"));
  s.Bind(1, d.channel).Bind(2, d.shop).Bind(3, d.topic).Bind(4, d.webhook_id);
  s.Bind(5, d.event_id).Bind(6, d.api_version).Bind(7, d.triggered_at);
  s.Bind(8, d.received_at.micros).Bind(9, d.raw_body).Bind(10, d.customer_ref);
  s.Bind(11, d.key_id).Bind(12, blinds).Bind(13, now);
  OP_RETURN_IF_ERROR(s.Exec());
  return sqlite3_changes(c.db()) > 0 ? sqlite3_last_insert_rowid(c.db()) : int64_t{0};
}

struct OrderRef {
  OrderId id;
  int64_t version = 0;
  std::string state;  // as stored (OrderStateName)
};

// The order a channel id names, if stored.
Result<std::optional<OrderRef>> FindOrder(Connection& c, const Delivery& d) {
  OP_ASSIGN_OR_RETURN(Stmt s,
                      c.Prepare("SELECT id, version, state FROM orders "
                                "WHERE channel = ?1 AND shop = ?2 AND channel_order_id = ?3"));
  s.Bind(1, d.channel).Bind(2, d.shop).Bind(3, d.channel_order_id);
  OP_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<OrderRef>();
  return std::optional<OrderRef>(OrderRef{OrderId(s.Int(0)), s.Int(1), s.Text(2)});
}

// SKU → units of an order's shipped lines, as the allocation step plans them
// (pipeline/allocation.cc ShippedLines; keep the two alike): lines that require shipping, are not
// gift cards, have a SKU and a positive quantity, merged by SKU.
std::map<std::string, int64_t> ShippedUnits(const Order& o) {
  std::map<std::string, int64_t> units;
  for (const LineItem& li : o.line_items) {
    if (li.Ships()) units[li.sku] += li.quantity;
  }
  return units;
}

// Whether an update of an allocated order changes what it ships: the shipped lines of the new
// snapshot differ from those of the stored one. Snapshots are compared, not reservations: a
// channel's update after a refund keeps the original quantities and must not count as an edit.
// Returns the new shipped lines when they changed. A snapshot that does not decode (or a delivery
// without a body) is no edit: without both sides there is nothing to compare.
Result<std::optional<std::map<std::string, int64_t>>> EditedShippedUnits(Connection& c,
                                                                         const Delivery& d,
                                                                         OrderId id) {
  using Units = std::optional<std::map<std::string, int64_t>>;
  if (d.payload_json.empty()) return Units();
  std::map<std::string, int64_t> now_units;
  if (d.order) {
    now_units = ShippedUnits(*d.order);
  } else {
    Result<Order> now = DecodeOrder(d.payload_json);
    if (!now.ok()) return Units();
    now_units = ShippedUnits(*now);
  }
  OP_ASSIGN_OR_RETURN(std::string stored, ReadSnapshot(c, id));
  Result<Order> before = DecodeOrder(stored);
  if (!before.ok()) return Units();
  if (ShippedUnits(*before) == now_units) return Units();
  return Units(std::move(now_units));
}

// Inserts the order unless (channel, shop, channel_order_id) exists. The new row starts at
// `version` (the events the caller appends next) and `state`. Returns the new id, or an invalid id
// when the order already existed.
Result<OrderId> InsertOrder(Connection& c, const Delivery& d, OrderState state, int64_t version,
                            int64_t now) {
  OP_ASSIGN_OR_RETURN(
      Stmt s, c.Prepare("INSERT INTO orders (channel, shop, channel_order_id, number, state, "
                        "version, currency, total_minor, financial_status, "
                        "created_at, updated_at, customer_ref, key_id) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
                        "ON CONFLICT DO NOTHING"));
  s.Bind(1, d.channel).Bind(2, d.shop).Bind(3, d.channel_order_id);
  s.Bind(5, OrderStateName(state)).Bind(6, version);
  if (d.order) {
    s.Bind(4, d.order->number).Bind(8, d.order->currency.code());
    s.Bind(9, d.order->totals.total.minor_units());
    s.Bind(10, FinancialStatusName(d.order->financial_status));
  } else {
    s.Bind(4, std::string_view()).Bind(8, std::string_view()).Bind(9, int64_t{0});
    s.Bind(10, std::string_view());
  }
  s.Bind(11, d.received_at.micros != 0 ? d.received_at.micros : now).Bind(12, now);
  s.Bind(13, d.customer_ref).Bind(14, d.key_id);
  OP_RETURN_IF_ERROR(s.Exec());
  if (sqlite3_changes(c.db()) == 0) return OrderId();
  const OrderId id(sqlite3_last_insert_rowid(c.db()));
  OP_RETURN_IF_ERROR(PutSnapshot(c, id, d.payload_json));
  return id;
}

// Moves events parked for this order (refunds that arrived before it) onto its stream, oldest
// first, keeping their original actor and time. Returns the stream's new version.
Result<int64_t> AttachParkedEvents(Connection& c, const Delivery& d, const std::string& stream,
                                   int64_t version) {
  {
    OP_ASSIGN_OR_RETURN(Stmt parked,
                        c.Prepare("SELECT type, payload, actor, at FROM parked_events "
                                  "WHERE channel = ?1 AND shop = ?2 AND channel_order_id = ?3 "
                                  "ORDER BY id"));
    parked.Bind(1, d.channel).Bind(2, d.shop).Bind(3, d.channel_order_id);
    while (true) {
      OP_ASSIGN_OR_RETURN(bool row, parked.Step());
      if (!row) break;
      OP_RETURN_IF_ERROR(AppendEvent(c, stream, ++version, parked.TextView(0), parked.TextView(1),
                                     parked.TextView(2), parked.Int(3)));
    }
  }
  OP_ASSIGN_OR_RETURN(Stmt del, c.Prepare("DELETE FROM parked_events WHERE channel = ?1 AND "
                                          "shop = ?2 AND channel_order_id = ?3"));
  del.Bind(1, d.channel).Bind(2, d.shop).Bind(3, d.channel_order_id);
  OP_RETURN_IF_ERROR(del.Exec());
  return version;
}

Status SetOrderVersion(Connection& c, OrderId id, int64_t version, int64_t now) {
  OP_ASSIGN_OR_RETURN(Stmt s,
                      c.Prepare("UPDATE orders SET version = ?2, updated_at = ?3 WHERE id = ?1"));
  s.Bind(1, id.value()).Bind(2, version).Bind(3, now);
  return s.Exec();
}

// Creates the order from a delivery of an order kind: "order.received" first, then (for a cancel)
// "order.cancelled", then any parked events.
Status CreateOrderFromDelivery(Connection& c, const Delivery& d, int64_t now, DeliveryOutcome& out,
                               bool* created) {
  const bool cancel = d.kind == DeliveryKind::kOrderCancel;
  const int64_t initial_version = cancel ? 2 : 1;
  OP_ASSIGN_OR_RETURN(OrderId id,
                      InsertOrder(c, d, cancel ? OrderState::kCancelled : OrderState::kReceived,
                                  initial_version, now));
  *created = id.valid();
  if (!id.valid()) return Status::Ok();
  out.order_id = id;
  out.order_created = true;
  const std::string stream = OrderStream(id);
  OP_RETURN_IF_ERROR(AppendEvent(c, stream, 1, "order.received", d.payload_json, d.actor, now));
  if (cancel) {
    std::string_view type =
        d.event_type.empty() ? std::string_view("order.cancelled") : std::string_view(d.event_type);
    OP_RETURN_IF_ERROR(AppendEvent(c, stream, 2, type, d.payload_json, d.actor, now));
  }
  OP_ASSIGN_OR_RETURN(int64_t version, AttachParkedEvents(c, d, stream, initial_version));
  if (version != initial_version) OP_RETURN_IF_ERROR(SetOrderVersion(c, id, version, now));
  return Status::Ok();
}

// kOrderUpdate / kOrderCancel on an existing order: append the event and refresh the projection;
// a cancellation gives the order's reserved units back. An update that edits what an allocated
// order ships releases its reservations, appends "order.allocation_released" and moves it back to
// accepted (the caller enqueues it for a new allocation).
Status UpdateOrderFromDelivery(Connection& c, const Delivery& d, const OrderRef& order, int64_t now,
                               const StockObserver* observer) {
  const bool cancel = d.kind == DeliveryKind::kOrderCancel;
  std::optional<std::map<std::string, int64_t>> edited;
  if (!cancel && order.state == OrderStateName(OrderState::kAllocated)) {
    OP_ASSIGN_OR_RETURN(edited, EditedShippedUnits(c, d, order.id));
  }
  std::string_view type = d.event_type;
  if (type.empty()) type = cancel ? "order.cancelled" : "order.updated";
  const std::string stream = OrderStream(order.id);
  int64_t version = order.version + 1;
  OP_RETURN_IF_ERROR(AppendEvent(c, stream, version, type, d.payload_json, d.actor, now));
  if (edited) {
    JsonWriter payload;
    payload.BeginObject().Field("reason", "the order was edited").Key("lines").BeginArray();
    for (const auto& [sku, quantity] : *edited) {
      payload.BeginObject().Field("sku", sku).Field("quantity", quantity).EndObject();
    }
    payload.EndArray().EndObject();
    OP_RETURN_IF_ERROR(AppendEvent(c, stream, ++version, "order.allocation_released", payload.str(),
                                   d.actor, now));
  }
  // NULL parameters keep the stored value (a delivery without a parsed order or body).
  OP_ASSIGN_OR_RETURN(Stmt s,
                      c.Prepare("UPDATE orders SET version = ?2, updated_at = ?3, "
                                "state = COALESCE(?4, state), "
                                "number = COALESCE(?6, number), currency = COALESCE(?7, currency), "
                                "total_minor = COALESCE(?8, total_minor), "
                                "financial_status = COALESCE(?9, financial_status) WHERE id = ?1"));
  s.Bind(1, order.id.value()).Bind(2, version).Bind(3, now);
  if (cancel) {
    s.Bind(4, OrderStateName(OrderState::kCancelled));
  } else if (edited) {
    s.Bind(4, OrderStateName(OrderState::kAccepted));
  } else {
    s.BindNull(4);
  }
  if (d.order) {
    s.Bind(6, d.order->number).Bind(7, d.order->currency.code());
    s.Bind(8, d.order->totals.total.minor_units());
    s.Bind(9, FinancialStatusName(d.order->financial_status));
  } else {
    s.BindNull(6).BindNull(7).BindNull(8).BindNull(9);
  }
  OP_RETURN_IF_ERROR(s.Exec());
  // A delivery without a body keeps the stored snapshot.
  if (!d.payload_json.empty()) OP_RETURN_IF_ERROR(PutSnapshot(c, order.id, d.payload_json));
  if (cancel)
    OP_RETURN_IF_ERROR(ReleaseOrderStock(c, order.id, "cancelled", d.actor, now, observer));
  if (edited)
    OP_RETURN_IF_ERROR(ReleaseOrderStock(c, order.id, "order edited", d.actor, now, observer));
  return Status::Ok();
}

Status IngestOrderKind(Connection& c, const Delivery& d, int64_t now, const StockObserver* observer,
                       DeliveryOutcome& out) {
  if (d.channel_order_id.empty()) {
    return InvalidArgumentError("an order delivery needs a channel_order_id", "channel_order_id");
  }
  // Insert first: the unique (channel, shop, channel_order_id) decides who creates the order.
  bool created = false;
  OP_RETURN_IF_ERROR(CreateOrderFromDelivery(c, d, now, out, &created));
  if (created) return Status::Ok();
  OP_ASSIGN_OR_RETURN(std::optional<OrderRef> existing, FindOrder(c, d));
  if (!existing) return InternalError("order " + d.channel_order_id + " vanished during ingest");
  out.order_id = existing->id;
  if (d.kind == DeliveryKind::kOrderCreate) {
    out.duplicate = true;  // the webhook row (if any) stays, so its replay is a duplicate too
    return Status::Ok();
  }
  return UpdateOrderFromDelivery(c, d, *existing, now, observer);
}

// A refund of an allocated order gives back the units it cancels before they ship: each refund
// line with restock_type "cancel" releases that many units of its SKU (the line's SKU in the
// order's snapshot) from the order's open reservations, newest first, capped at what is open.
// Appends "order.allocation_reduced" when anything was released, and "order.cancelled" (state
// cancelled) when no reservation stays open. "return" and "no_restock" lines, lines the snapshot
// does not know, and a refund or snapshot that does not decode change no stock. Returns the
// stream's version after the events it appended.
Result<int64_t> ReleaseRefundedUnits(Connection& c, const Delivery& d, const OrderRef& order,
                                     int64_t version, int64_t now, const StockObserver* observer) {
  Result<Refund> refund = DecodeRefund(d.payload_json);
  if (!refund.ok()) return version;
  OP_ASSIGN_OR_RETURN(std::string stored, ReadSnapshot(c, order.id));
  Result<Order> snapshot = DecodeOrder(stored);
  if (!snapshot.ok()) return version;
  std::map<std::string_view, std::string_view> sku_of_line;  // channel_line_id → SKU
  for (const LineItem& li : snapshot->line_items) {
    if (!li.requires_shipping || li.gift_card || li.quantity <= 0 || li.sku.empty()) continue;
    if (!li.channel_line_id.empty()) sku_of_line.emplace(li.channel_line_id, li.sku);
  }
  StockWrite w(c, now, observer, d.actor);
  std::vector<Reservation> released;
  for (const RefundLine& line : refund->lines) {
    if (line.restock_type != "cancel" || line.quantity <= 0) continue;
    auto sku = sku_of_line.find(line.channel_line_id);
    if (sku == sku_of_line.end()) continue;
    OP_ASSIGN_OR_RETURN(
        std::vector<Reservation> units,
        internal::ReduceReservations(w, order.id, sku->second, line.quantity, "refund"));
    for (Reservation& r : units) {
      auto same = std::find_if(released.begin(), released.end(), [&](const Reservation& x) {
        return x.sku == r.sku && x.location == r.location;
      });
      if (same != released.end()) {
        same->quantity += r.quantity;
      } else {
        released.push_back(std::move(r));
      }
    }
  }
  if (released.empty()) return version;
  OP_RETURN_IF_ERROR(w.Publish().status());
  const std::string stream = OrderStream(order.id);
  JsonWriter payload;
  payload.BeginObject().Field("refund", refund->channel_refund_id).Key("lines").BeginArray();
  for (const Reservation& r : released) {
    payload.BeginObject()
        .Field("sku", r.sku)
        .Field("location", r.location)
        .Field("quantity", r.quantity)
        .EndObject();
  }
  payload.EndArray().EndObject();
  OP_RETURN_IF_ERROR(
      AppendEvent(c, stream, ++version, "order.allocation_reduced", payload.str(), d.actor, now));
  OP_ASSIGN_OR_RETURN(bool still_open, internal::HasOpenReservations(c, order.id));
  if (still_open) return version;
  OP_RETURN_IF_ERROR(AppendEvent(c, stream, ++version, "order.cancelled",
                                 R"({"reason":"every unit was refunded before shipping"})", d.actor,
                                 now));
  OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE orders SET state = ?2 WHERE id = ?1"));
  s.Bind(1, order.id.value()).Bind(2, OrderStateName(OrderState::kCancelled));
  OP_RETURN_IF_ERROR(s.Exec());
  return version;
}

Status IngestRefund(Connection& c, const Delivery& d, int64_t now, const StockObserver* observer,
                    DeliveryOutcome& out) {
  if (d.channel_order_id.empty()) {
    return InvalidArgumentError("a refund delivery needs a channel_order_id", "channel_order_id");
  }
  std::string_view type =
      d.event_type.empty() ? std::string_view("order.refunded") : std::string_view(d.event_type);
  OP_ASSIGN_OR_RETURN(std::optional<OrderRef> order, FindOrder(c, d));
  if (order) {
    out.order_id = order->id;
    int64_t version = order->version + 1;
    OP_RETURN_IF_ERROR(
        AppendEvent(c, OrderStream(order->id), version, type, d.payload_json, d.actor, now));
    if (order->state == OrderStateName(OrderState::kAllocated)) {
      OP_ASSIGN_OR_RETURN(version, ReleaseRefundedUnits(c, d, *order, version, now, observer));
    }
    return SetOrderVersion(c, order->id, version, now);
  }
  OP_ASSIGN_OR_RETURN(Stmt s,
                      c.Prepare("INSERT INTO parked_events (channel, shop, channel_order_id, type, "
                                "payload, actor, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  s.Bind(1, d.channel).Bind(2, d.shop).Bind(3, d.channel_order_id).Bind(4, type);
  s.Bind(5, PayloadOrEmptyObject(d.payload_json)).Bind(6, d.actor).Bind(7, now);
  return s.Exec();
}

Status IngestPrivacyRequest(Connection& c, const Delivery& d) {
  OP_ASSIGN_OR_RETURN(
      Stmt s, c.Prepare("INSERT INTO privacy_requests (channel, shop, topic, received_at, body, "
                        "status) VALUES (?1, ?2, ?3, ?4, ?5, 'pending')"));
  s.Bind(1, d.channel).Bind(2, d.shop).Bind(3, d.topic).Bind(4, d.received_at.micros);
  s.Bind(5,
         d.payload_json.empty() ? std::string_view(d.raw_body) : std::string_view(d.payload_json));
  return s.Exec();
}

// Appends the delivery's customer, data key and blind indexes to customer_log, for a delivery
// that stores no webhook row (one that does carries them in that row).
Status AppendCustomerLog(Connection& c, const Delivery& d, std::string_view blinds, int64_t now) {
  OP_ASSIGN_OR_RETURN(Stmt s,
                      c.Prepare("INSERT INTO customer_log (customer_ref, key_id, shop, at, blinds) "
                                "VALUES (?1, ?2, ?3, ?4, ?5)"));
  s.Bind(1, d.customer_ref).Bind(2, d.key_id).Bind(3, d.shop).Bind(4, now).Bind(5, blinds);
  return s.Exec();
}

// What one drain files into the customer directory, sorted so that neighbouring rows land on the
// same B-tree pages.
struct DirectoryBatch {
  struct KeySeen {
    std::string shop;
    int64_t first = 0;
    int64_t last = 0;
  };
  std::map<std::pair<std::string, std::string>, KeySeen> keys;  // (ref, key id)
  std::set<std::pair<std::string, std::string>> index;          // (blind, ref)
  std::set<std::pair<std::string, int64_t>> orders, webhooks;   // (ref, id)

  void AddKey(const std::string& ref, std::string key_id, std::string shop, int64_t at) {
    auto [it, fresh] = keys.try_emplace({ref, std::move(key_id)}, KeySeen{std::move(shop), at, at});
    if (!fresh) {
      it->second.first = std::min(it->second.first, at);
      it->second.last = std::max(it->second.last, at);
    }
  }
  void AddBlinds(const std::string& ref, std::string_view blinds) {
    for (size_t pos = 0; pos < blinds.size();) {
      size_t end = blinds.find(' ', pos);
      if (end == std::string_view::npos) end = blinds.size();
      if (end > pos) index.emplace(std::string(blinds.substr(pos, end - pos)), ref);
      pos = end + 1;
    }
  }
};

// Takes up to `limit` of the oldest customer_log rows into `batch` and deletes them. Sets *more
// when rows may be left.
Status TakeCustomerLog(Connection& c, int64_t limit, DirectoryBatch& batch, int64_t* rows,
                       bool* more) {
  int64_t last_id = 0;
  int64_t n = 0;
  {
    OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT id, customer_ref, key_id, shop, at, blinds, "
                                          "order_id, webhook_id FROM customer_log ORDER BY id "
                                          "LIMIT ?1"));
    s.Bind(1, limit);
    while (true) {
      OP_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      last_id = s.Int(0);
      ++n;
      std::string ref = s.Text(1);
      batch.AddKey(ref, s.Text(2), s.Text(3), s.Int(4));
      batch.AddBlinds(ref, s.TextView(5));
      // Rows appended before migration 9 name the order and webhook they came with.
      if (!s.IsNull(6)) batch.orders.emplace(ref, s.Int(6));
      if (!s.IsNull(7)) batch.webhooks.emplace(ref, s.Int(7));
    }
  }
  *rows += n;
  *more = *more || n == limit;
  if (n == 0) return Status::Ok();
  OP_ASSIGN_OR_RETURN(Stmt del, c.Prepare("DELETE FROM customer_log WHERE id <= ?1"));
  del.Bind(1, last_id);
  return del.Exec();
}

Status SetDirectoryMark(Connection& c, std::string_view source, int64_t last_id) {
  OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE customer_directory_marks SET last_id = ?2 "
                                        "WHERE source = ?1"));
  s.Bind(1, source).Bind(2, last_id);
  return s.Exec();
}

// Takes up to `limit` rows about a customer past the mark of `source` ("webhooks": keys, blind
// indexes and the webhook; "orders": the order) into `batch`, and moves the mark past them — past
// every row of the table when fewer than `limit` were found. Rows without a customer (stored in
// clear) are skipped; their empty customer_ref is read from the row's header, so such a scan does
// not read the (large) webhook bodies.
Status TakeMarkedRows(Connection& c, std::string_view source, int64_t limit, DirectoryBatch& batch,
                      int64_t* rows, bool* more) {
  const bool webhooks = source == "webhooks";
  int64_t mark = 0;
  {
    OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT last_id FROM customer_directory_marks "
                                          "WHERE source = ?1"));
    s.Bind(1, source);
    OP_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row)
      return InternalError("customer_directory_marks has no row for " + std::string(source));
    mark = s.Int(0);
  }
  int64_t n = 0;
  int64_t last_id = mark;
  {
    OP_ASSIGN_OR_RETURN(
        Stmt s, c.Prepare(webhooks ? "SELECT id, customer_ref, key_id, shop, seen_at, blinds FROM "
                                     "webhooks WHERE id > ?1 AND customer_ref != '' AND "
                                     "key_id != '' ORDER BY id LIMIT ?2"
                                   : "SELECT id, customer_ref FROM orders WHERE id > ?1 AND "
                                     "customer_ref != '' ORDER BY id LIMIT ?2"));
    s.Bind(1, mark).Bind(2, limit);
    while (true) {
      OP_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      ++n;
      last_id = s.Int(0);
      std::string ref = s.Text(1);
      if (webhooks) {
        batch.AddKey(ref, s.Text(2), s.Text(3), s.Int(4));
        batch.AddBlinds(ref, s.TextView(5));
        batch.webhooks.emplace(std::move(ref), last_id);
      } else {
        batch.orders.emplace(std::move(ref), last_id);
      }
    }
  }
  *rows += n;
  if (n == limit) {
    *more = true;
  } else {
    OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare(webhooks ? "SELECT COALESCE(MAX(id), 0) FROM webhooks"
                                                   : "SELECT COALESCE(MAX(id), 0) FROM orders"));
    OP_ASSIGN_OR_RETURN(bool row, s.Step());
    if (row) last_id = std::max(last_id, s.Int(0));
  }
  if (last_id == mark) return Status::Ok();
  return SetDirectoryMark(c, source, last_id);
}

// Files up to `limit` rows of each source (customer_log, webhooks and orders past their marks)
// into the directory tables, in key order. A key recorded before keeps its created_at;
// last_seen_at moves forward. Sets *filed to the deliveries filed (log and webhook rows; an order
// comes with one of those) and *more when a source may have more.
Status DrainCustomerLogWork(Connection& c, int64_t limit, int64_t* filed, bool* more) {
  *filed = 0;
  *more = false;
  DirectoryBatch batch;
  OP_RETURN_IF_ERROR(TakeCustomerLog(c, limit, batch, filed, more));
  OP_RETURN_IF_ERROR(TakeMarkedRows(c, "webhooks", limit, batch, filed, more));
  int64_t orders = 0;
  OP_RETURN_IF_ERROR(TakeMarkedRows(c, "orders", limit, batch, &orders, more));
  for (const auto& [ref_key, seen] : batch.keys) {
    OP_ASSIGN_OR_RETURN(
        Stmt s, c.Prepare("INSERT INTO customer_keys (customer_ref, key_id, shop, created_at, "
                          "last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO UPDATE SET "
                          "last_seen_at = MAX(last_seen_at, excluded.last_seen_at)"));
    s.Bind(1, ref_key.first).Bind(2, ref_key.second).Bind(3, seen.shop);
    s.Bind(4, seen.first).Bind(5, seen.last);
    OP_RETURN_IF_ERROR(s.Exec());
  }
  for (const auto& [blind, ref] : batch.index) {
    OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT INTO customer_index (blind, customer_ref) "
                                          "VALUES (?1, ?2) ON CONFLICT DO NOTHING"));
    s.Bind(1, blind).Bind(2, ref);
    OP_RETURN_IF_ERROR(s.Exec());
  }
  for (const auto& [ref, id] : batch.orders) {
    OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT INTO customer_orders (customer_ref, order_id) "
                                          "VALUES (?1, ?2) ON CONFLICT DO NOTHING"));
    s.Bind(1, ref).Bind(2, id);
    OP_RETURN_IF_ERROR(s.Exec());
  }
  for (const auto& [ref, id] : batch.webhooks) {
    OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT INTO customer_webhooks (customer_ref, "
                                          "webhook_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING"));
    s.Bind(1, ref).Bind(2, id);
    OP_RETURN_IF_ERROR(s.Exec());
  }
  return Status::Ok();
}

// Sets *logged when the delivery left something about a customer for the directory to file.
Status IngestWork(Connection& c, const Delivery& d, int64_t now, const StockObserver* observer,
                  DeliveryOutcome& out, bool* logged) {
  std::string blinds;
  if (NamesCustomer(d)) {
    OP_ASSIGN_OR_RETURN(blinds, JoinBlinds(d));
  }
  int64_t webhook_row = 0;
  if (!d.webhook_id.empty() || !d.event_id.empty()) {
    OP_ASSIGN_OR_RETURN(webhook_row, InsertWebhook(c, d, blinds, now));
    if (webhook_row == 0) {
      out.duplicate = true;
      if (!d.channel_order_id.empty()) {
        OP_ASSIGN_OR_RETURN(std::optional<OrderRef> order, FindOrder(c, d));
        if (order) out.order_id = order->id;
      }
      return Status::Ok();
    }
  }
  switch (d.kind) {
    case DeliveryKind::kOrderCreate:
    case DeliveryKind::kOrderUpdate:
    case DeliveryKind::kOrderCancel:
      OP_RETURN_IF_ERROR(IngestOrderKind(c, d, now, observer, out));
      break;
    case DeliveryKind::kRefund:
      OP_RETURN_IF_ERROR(IngestRefund(c, d, now, observer, out));
      break;
    case DeliveryKind::kPrivacyRequest:
      OP_RETURN_IF_ERROR(IngestPrivacyRequest(c, d));
      break;
    case DeliveryKind::kOther:
      break;
    default:
      return InvalidArgumentError("unknown delivery kind");
  }
  if (!NamesCustomer(d)) return Status::Ok();
  // A stored webhook carries the customer itself (a duplicate create with a fresh webhook id too:
  // its body is sealed under the key it names); the order a delivery creates carries its
  // customer_ref. Anything else goes through customer_log.
  if (webhook_row == 0) OP_RETURN_IF_ERROR(AppendCustomerLog(c, d, blinds, now));
  *logged = true;
  return Status::Ok();
}

Status TransitionWork(Connection& c, const OrderTransition& t, int64_t now,
                      const StockObserver* observer) {
  if (t.events.empty() && !t.review && t.applied.empty() && !t.rules_version) {
    return InvalidArgumentError("a transition of order " + t.order_id.ToString() +
                                " must append at least one event");
  }
  int64_t version = 0;
  {
    OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT version FROM orders WHERE id = ?1"));
    s.Bind(1, t.order_id.value());
    OP_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return NotFoundError("order " + t.order_id.ToString() + " not found");
    version = s.Int(0);
  }
  if (version != t.expected_version) {
    return AbortedError("order " + t.order_id.ToString() + " is at version " +
                        std::to_string(version) + ", not the expected " +
                        std::to_string(t.expected_version));
  }
  const std::string stream = OrderStream(t.order_id);
  for (const NewEvent& e : t.events) {
    OP_RETURN_IF_ERROR(AppendEvent(c, stream, ++version, e.type, e.payload, e.actor, now));
  }
  const std::string_view last_actor =
      t.events.empty() ? std::string_view() : std::string_view(t.events.back().actor);
  for (const OrderTransition::ReviewRequest& applied : t.applied) {
    OrderTransition::ReviewRequest r = applied;
    r.applied = true;
    OP_ASSIGN_OR_RETURN(version, internal::RecordReview(c, t.order_id, r, last_actor,
                                                        t.order_json.has_value(), version, now));
  }
  if (t.review) {
    OP_ASSIGN_OR_RETURN(version, internal::RecordReview(c, t.order_id, *t.review, last_actor,
                                                        t.order_json.has_value(), version, now));
  }
  if (t.order_json) OP_RETURN_IF_ERROR(PutSnapshot(c, t.order_id, *t.order_json));
  for (const OutboxMessage& m : t.outbox) {
    OP_RETURN_IF_ERROR(internal::InsertOutbox(c, m, t.order_id, now));
  }
  // Release first, so that an order can re-plan (release + reserve) in one transition. A
  // reservation that does not fit fails the transition: its savepoint undoes everything above.
  const bool release = t.release_reservations || t.new_state == OrderState::kCancelled ||
                       t.new_state == OrderState::kRejected;
  if (release || !t.reserve.empty()) {
    StockWrite w(c, now, observer,
                 t.events.empty() ? std::string("pipeline") : t.events.back().actor);
    if (release)
      OP_RETURN_IF_ERROR(internal::ReleaseReservations(w, t.order_id, "released").status());
    OP_RETURN_IF_ERROR(internal::ReserveStock(w, t.order_id, t.reserve));
    OP_RETURN_IF_ERROR(w.Publish().status());
  }
  if (t.priority || t.shipping_speed || t.route_location || t.carrier_service) {
    // COALESCE keeps a column when its parameter is NULL (unset in the transition).
    OP_ASSIGN_OR_RETURN(Stmt s,
                        c.Prepare("UPDATE orders SET priority = COALESCE(?2, priority), "
                                  "shipping_speed = COALESCE(?3, shipping_speed), "
                                  "route_location = COALESCE(?4, route_location), "
                                  "carrier_service = COALESCE(?5, carrier_service) WHERE id = ?1"));
    s.Bind(1, t.order_id.value());
    auto bind_text = [&](int i, const std::optional<std::string>& v) {
      if (v) {
        s.Bind(i, *v);
      } else {
        s.BindNull(i);
      }
    };
    bind_text(2, t.priority);
    bind_text(3, t.shipping_speed);
    bind_text(4, t.route_location);
    bind_text(5, t.carrier_service);
    OP_RETURN_IF_ERROR(s.Exec());
  }
  OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE orders SET state = ?2, version = ?3, "
                                        "updated_at = ?4, rules_version = COALESCE(?5, "
                                        "rules_version) WHERE id = ?1"));
  s.Bind(1, t.order_id.value()).Bind(2, OrderStateName(t.new_state)).Bind(3, version).Bind(4, now);
  if (t.rules_version) {
    s.Bind(5, *t.rules_version);
  } else {
    s.BindNull(5);
  }
  return s.Exec();
}

// Runs one transition of a TransitionAll request inside a nested savepoint, so that its failure
// undoes only its own writes. A non-OK return means the savepoint machinery itself failed (the
// transaction is broken) and the whole request must fail; the transition's own result goes to
// `result`.
Status TransitionInSavepoint(Connection& c, const OrderTransition& t, int64_t now,
                             const StockObserver* observer, Status& result) {
  {
    OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SAVEPOINT transition"));
    OP_RETURN_IF_ERROR(s.Exec());
  }
  result = TransitionWork(c, t, now, observer);
  if (!result.ok()) {
    OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("ROLLBACK TO transition"));
    OP_RETURN_IF_ERROR(s.Exec());
  }
  OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("RELEASE transition"));
  return s.Exec();
}

Status ConfigureWriter(Connection& c) {
  {
    OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("PRAGMA journal_mode = WAL"));
    OP_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row || s.TextView(0) != "wal") {
      return InternalError("sqlite: cannot switch the database to WAL mode (got '" +
                           (row ? s.Text(0) : std::string()) + "')");
    }
  }
  return c.ExecScript(
      "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; "
      // Reads come from the memory map. The page cache stays at SQLite's default (2 MB): SQLite
      // 3.40 walks every slot of it at the end of a commit whenever a B-tree balance moved a page
      // through the lock-byte page's number (seen on most ingest commits), and with 64 MiB that
      // walk took a quarter of the writer's time (bench BM_Ingest, perf; 8 MB measured slower).
      "PRAGMA cache_size = -2000; PRAGMA mmap_size = 268435456;");
}

}  // namespace

// A read connection borrowed from the pool; returned when the lease ends.
class SqliteStore::ReadLease {
 public:
  ReadLease(SqliteStore* store, Connection* conn) : store_(store), conn_(conn) {}
  ReadLease(const ReadLease&) = delete;
  ReadLease& operator=(const ReadLease&) = delete;
  ~ReadLease() { store_->ReleaseReader(conn_); }
  Connection& operator*() const { return *conn_; }
  Connection* operator->() const { return conn_; }

 private:
  SqliteStore* store_;
  Connection* conn_;
};

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteOptions& options) {
  if (options.path.empty()) return InvalidArgumentError("SqliteOptions.path is empty", "path");
  if (options.clock == nullptr) return InvalidArgumentError("SqliteOptions.clock is null", "clock");
  std::filesystem::path dir = std::filesystem::path(options.path).parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return FailedPreconditionError("cannot create directory " + dir.string() + ": " +
                                     ec.message());
    }
  }
  OP_ASSIGN_OR_RETURN(std::unique_ptr<Connection> writer,
                      Connection::Open(options.path, /*create=*/true, options.busy_timeout_ms));
  OP_RETURN_IF_ERROR(ConfigureWriter(*writer));
  OP_RETURN_IF_ERROR(internal::Migrate(*writer, *options.clock));

  std::vector<std::unique_ptr<Connection>> readers;
  const int n = std::max(1, options.read_connections);
  for (int i = 0; i < n; ++i) {
    OP_ASSIGN_OR_RETURN(std::unique_ptr<Connection> reader,
                        Connection::Open(options.path, /*create=*/false, options.busy_timeout_ms));
    OP_RETURN_IF_ERROR(reader->ExecScript(
        "PRAGMA query_only = ON; PRAGMA cache_size = -16384; PRAGMA mmap_size = 268435456;"));
    readers.push_back(std::move(reader));
  }
  return std::unique_ptr<SqliteStore>(
      new SqliteStore(options, std::move(writer), std::move(readers)));
}

SqliteStore::SqliteStore(const SqliteOptions& options, std::unique_ptr<Connection> writer,
                         std::vector<std::unique_ptr<Connection>> readers)
    : clock_(*options.clock),
      stock_observer_(options.stock_observer),
      customer_log_batch_(std::max(1, options.customer_log_batch)),
      writer_conn_(std::move(writer)),
      writer_(std::make_unique<internal::GroupCommitWriter>(writer_conn_->db(), options.max_batch)),
      readers_(std::move(readers)) {
  for (auto& r : readers_) free_readers_.push_back(r.get());
}

SqliteStore::~SqliteStore() {
  writer_.reset();  // drains queued writes while the writer connection is still open
}

// --- writes -------------------------------------------------------------------------------------

Result<DeliveryOutcome> SqliteStore::Ingest(const Delivery& d) {
  DeliveryOutcome out;
  bool logged = false;
  auto work = [&]() -> Status {
    out = DeliveryOutcome();  // a retried or rolled-back attempt leaves nothing behind
    logged = false;
    return IngestWork(*writer_conn_, d, clock_.Now().micros, stock_observer_, out, &logged);
  };
  OP_RETURN_IF_ERROR(writer_->Submit(work));
  // Past the threshold, the delivery that crossed it files the backlog (one caller at a time; the
  // delivery itself is committed whatever the drain does).
  if (logged && customer_log_rows_.fetch_add(1) + 1 >= customer_log_batch_ &&
      !draining_customer_log_.exchange(true)) {
    static_cast<void>(DrainCustomerLog());
    draining_customer_log_.store(false);
  }
  return out;
}

Status SqliteStore::DrainCustomerLog() {
  while (true) {
    int64_t filed = 0;
    bool more = false;
    auto work = [&]() -> Status {
      return DrainCustomerLogWork(*writer_conn_, customer_log_batch_, &filed, &more);
    };
    OP_RETURN_IF_ERROR(writer_->Submit(work));
    int64_t pending = customer_log_rows_.load();
    while (
        !customer_log_rows_.compare_exchange_weak(pending, std::max<int64_t>(0, pending - filed))) {
    }
    if (!more) return Status::Ok();
  }
}

Status SqliteStore::Transition(const OrderTransition& t) {
  auto work = [&]() -> Status {
    return TransitionWork(*writer_conn_, t, clock_.Now().micros, stock_observer_);
  };
  return writer_->Submit(work);
}

std::vector<Status> SqliteStore::TransitionAll(const std::vector<OrderTransition>& ts) {
  std::vector<Status> results(ts.size());
  if (ts.empty()) return results;
  auto work = [&]() -> Status {
    const int64_t now = clock_.Now().micros;
    for (size_t i = 0; i < ts.size(); ++i) {
      OP_RETURN_IF_ERROR(
          TransitionInSavepoint(*writer_conn_, ts[i], now, stock_observer_, results[i]));
    }
    return Status::Ok();
  };
  Status s = writer_->Submit(work);
  if (!s.ok()) std::fill(results.begin(), results.end(), s);
  return results;
}

Result<ReviewRecord> SqliteStore::Decide(const ReviewDecision& d) {
  ReviewRecord out;
  auto work = [&]() -> Status {
    return internal::DecideWork(*writer_conn_, d, clock_.Now().micros, stock_observer_, out);
  };
  OP_RETURN_IF_ERROR(writer_->Submit(work));
  return out;
}

Result<ReviewRecord> SqliteStore::Claim(const ReviewClaim& c) {
  ReviewRecord out;
  auto work = [&]() -> Status {
    return internal::ClaimWork(*writer_conn_, c, clock_.Now().micros, out);
  };
  OP_RETURN_IF_ERROR(writer_->Submit(work));
  return out;
}

Result<ReviewRecord> SqliteStore::Reverse(const ReviewReversal& r) {
  ReviewRecord out;
  auto work = [&]() -> Status {
    return internal::ReverseWork(*writer_conn_, r, clock_.Now().micros, stock_observer_, out);
  };
  OP_RETURN_IF_ERROR(writer_->Submit(work));
  return out;
}

Result<std::vector<ReviewRecord>> SqliteStore::EscalateOverdue(Timestamp now, int limit) {
  std::vector<ReviewRecord> out;
  limit = std::clamp(limit, 1, kMaxPageSize);
  auto work = [&]() -> Status {
    return internal::EscalateOverdueWork(*writer_conn_, now, limit, clock_.Now().micros, out);
  };
  OP_RETURN_IF_ERROR(writer_->Submit(work));
  return out;
}

// --- stock writes -------------------------------------------------------------------------------

Result<AdjustmentOutcome> SqliteStore::AdjustStock(const StockAdjustment& a) {
  std::vector<AdjustmentOutcome> out;
  const std::vector<StockAdjustment> one = {a};
  auto work = [&]() -> Status {
    return internal::AdjustStockWork(*writer_conn_, one, /*name_index=*/false, clock_.Now().micros,
                                     stock_observer_, out);
  };
  OP_RETURN_IF_ERROR(writer_->Submit(work));
  return std::move(out.at(0));
}

Result<std::vector<AdjustmentOutcome>> SqliteStore::AdjustStockAll(
    const std::vector<StockAdjustment>& as) {
  std::vector<AdjustmentOutcome> out;
  if (as.empty()) return out;
  auto work = [&]() -> Status {
    return internal::AdjustStockWork(*writer_conn_, as, /*name_index=*/true, clock_.Now().micros,
                                     stock_observer_, out);
  };
  OP_RETURN_IF_ERROR(writer_->Submit(work));
  return out;
}

Result<ShipmentOutcome> SqliteStore::Ship(const ShipmentRequest& r) {
  ShipmentOutcome out;
  auto work = [&]() -> Status {
    return internal::ShipWork(*writer_conn_, r, clock_.Now().micros, stock_observer_, out);
  };
  OP_RETURN_IF_ERROR(writer_->Submit(work));
  return out;
}

Status SqliteStore::AddIncoming(const std::vector<IncomingStock>& lines) {
  if (lines.empty()) return Status::Ok();
  auto work = [&]() -> Status {
    return internal::AddIncomingWork(*writer_conn_, lines, clock_.Now().micros);
  };
  return writer_->Submit(work);
}

Result<std::vector<AdjustmentOutcome>> SqliteStore::ReceiveIncoming(
    const std::string& purchase_order, const std::string& actor) {
  std::vector<AdjustmentOutcome> out;
  auto work = [&]() -> Status {
    return internal::ReceiveIncomingWork(*writer_conn_, purchase_order, actor, clock_.Now().micros,
                                         stock_observer_, out);
  };
  OP_RETURN_IF_ERROR(writer_->Submit(work));
  return out;
}

Status SqliteStore::SetReorderPoints(const std::vector<StockLevel>& levels) {
  if (levels.empty()) return Status::Ok();
  auto work = [&]() -> Status {
    return internal::SetReorderPointsWork(*writer_conn_, levels, clock_.Now().micros);
  };
  return writer_->Submit(work);
}

namespace {

// Appends `e` to the audit stream `stream` at its next version (inside the caller's transaction).
Result<Event> AppendAuditWork(Connection& c, std::string_view stream, const NewEvent& e,
                              Timestamp now) {
  if (stream.empty() || e.type.empty())
    return InvalidArgumentError("an audit event needs a stream and a type");
  if (stream.starts_with("order-") || stream.starts_with("sku-"))
    return InvalidArgumentError("stream " + std::string(stream) +
                                " belongs to an order or a SKU, not to the audit log");
  Event out;
  out.stream = std::string(stream);
  out.type = e.type;
  out.payload = std::string(PayloadOrEmptyObject(e.payload));
  out.actor = e.actor;
  out.at = now;
  OP_ASSIGN_OR_RETURN(Stmt v,
                      c.Prepare("SELECT COALESCE(MAX(version), 0) FROM events WHERE stream = ?1"));
  v.Bind(1, stream);
  OP_ASSIGN_OR_RETURN(bool row, v.Step());
  out.version = (row ? v.Int(0) : 0) + 1;
  OP_RETURN_IF_ERROR(
      AppendEvent(c, stream, out.version, out.type, out.payload, out.actor, out.at.micros));
  out.seq = EventSeq(sqlite3_last_insert_rowid(c.db()));
  return out;
}

}  // namespace

Result<Event> SqliteStore::AppendAudit(std::string_view stream, const NewEvent& e) {
  Event out;
  auto work = [&]() -> Status {
    OP_ASSIGN_OR_RETURN(out, AppendAuditWork(*writer_conn_, stream, e, clock_.Now()));
    return Status::Ok();
  };
  OP_RETURN_IF_ERROR(writer_->Submit(work));
  return out;
}

Result<std::vector<std::string>> SqliteStore::MarkCustomersErased(
    const std::vector<std::string>& customer_refs, const NewEvent& audit) {
  OP_RETURN_IF_ERROR(DrainCustomerLog());
  std::vector<std::string> keys;
  auto work = [&]() -> Status {
    keys.clear();
    Connection& c = *writer_conn_;
    const Timestamp now = clock_.Now();
    for (const std::string& ref : customer_refs) {
      OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE customer_keys SET erased_at = ?2 WHERE "
                                            "customer_ref = ?1 AND erased_at IS NULL "
                                            "RETURNING key_id"));
      s.Bind(1, ref).Bind(2, now.micros);
      while (true) {
        OP_ASSIGN_OR_RETURN(bool row, s.Step());
        if (!row) break;
        keys.push_back(s.Text(0));
      }
    }
    return AppendAuditWork(c, "privacy", audit, now).status();
  };
  OP_RETURN_IF_ERROR(writer_->Submit(work));
  return keys;
}

Status SqliteStore::FinishPrivacyRequest(int64_t id, std::string_view status,
                                         std::string_view result, const NewEvent& audit) {
  auto work = [&]() -> Status {
    Connection& c = *writer_conn_;
    const Timestamp now = clock_.Now();
    OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE privacy_requests SET status = ?2, "
                                          "finished_at = ?3, result = ?4 WHERE id = ?1"));
    s.Bind(1, id).Bind(2, status).Bind(3, now.micros).Bind(4, result);
    OP_RETURN_IF_ERROR(s.Exec());
    if (sqlite3_changes(c.db()) == 0)
      return NotFoundError("privacy request " + std::to_string(id) + " not found");
    return AppendAuditWork(c, "privacy", audit, now).status();
  };
  return writer_->Submit(work);
}

Result<int64_t> SqliteStore::DropRawBodies(Timestamp before, int limit) {
  int64_t dropped = 0;
  auto work = [&]() -> Status {
    Connection& c = *writer_conn_;
    OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE webhooks SET body = '' WHERE id IN (SELECT id "
                                          "FROM webhooks WHERE received_at < ?1 AND body != '' "
                                          "ORDER BY received_at LIMIT ?2)"));
    s.Bind(1, before.micros).Bind(2, int64_t{std::clamp(limit, 1, kMaxWorkListSize)});
    OP_RETURN_IF_ERROR(s.Exec());
    dropped = sqlite3_changes(c.db());
    return Status::Ok();
  };
  OP_RETURN_IF_ERROR(writer_->Submit(work));
  return dropped;
}

// --- reads --------------------------------------------------------------------------------------

SqliteStore::ReadLease SqliteStore::AcquireReader() {
  std::unique_lock<std::mutex> lock(readers_mu_);
  readers_cv_.wait(lock, [&] { return !free_readers_.empty(); });
  Connection* conn = free_readers_.back();
  free_readers_.pop_back();
  return ReadLease(this, conn);
}

void SqliteStore::ReleaseReader(Connection* conn) {
  {
    std::lock_guard<std::mutex> lock(readers_mu_);
    free_readers_.push_back(conn);
  }
  readers_cv_.notify_one();
}

Result<OrderRecord> SqliteStore::GetOrder(OrderId id) {
  ReadLease conn = AcquireReader();
  OP_ASSIGN_OR_RETURN(
      Stmt s, conn->Prepare("SELECT " OP_ORDER_COLUMNS " FROM " OP_ORDERS_FROM " WHERE id = ?1"));
  s.Bind(1, id.value());
  OP_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFoundError("order " + id.ToString() + " not found");
  return RowToOrder(s);
}

Result<std::vector<Event>> SqliteStore::ReadStream(const std::string& stream) {
  return ReadStreamAfter(stream, 0);
}

Result<std::vector<Event>> SqliteStore::ReadStreamAfter(const std::string& stream,
                                                        int64_t after_version) {
  ReadLease conn = AcquireReader();
  OP_ASSIGN_OR_RETURN(Stmt s, conn->Prepare("SELECT seq, version, type, payload, actor, at "
                                            "FROM events WHERE stream = ?1 AND version > ?2 "
                                            "ORDER BY version"));
  s.Bind(1, stream).Bind(2, after_version);
  std::vector<Event> events;
  while (true) {
    OP_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    Event e;
    e.seq = EventSeq(s.Int(0));
    e.stream = stream;
    e.version = s.Int(1);
    e.type = s.Text(2);
    e.payload = s.Text(3);
    e.actor = s.Text(4);
    e.at = Timestamp{s.Int(5)};
    events.push_back(std::move(e));
  }
  return events;
}

namespace {

#define OP_OUTBOX_COLUMNS \
  "id, kind, destination, payload, idempotency_key, order_id, status, attempts, created_at"

Result<std::vector<OutboxRecord>> ReadOutboxRows(Stmt& s) {
  std::vector<OutboxRecord> out;
  while (true) {
    OP_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    OutboxRecord r;
    r.id = s.Int(0);
    r.message = {s.Text(1), s.Text(2), s.Text(3), s.Text(4)};
    r.order_id = OrderId(s.Int(5));
    r.status = s.Text(6);
    r.attempts = s.Int(7);
    r.created_at = Timestamp{s.Int(8)};
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

Result<std::vector<OutboxRecord>> SqliteStore::ListOutbox(int limit) {
  limit = std::clamp(limit, 1, kMaxPageSize);
  ReadLease conn = AcquireReader();
  OP_ASSIGN_OR_RETURN(
      Stmt s, conn->Prepare("SELECT " OP_OUTBOX_COLUMNS " FROM outbox ORDER BY id DESC LIMIT ?1"));
  s.Bind(1, int64_t{limit});
  return ReadOutboxRows(s);
}

Result<std::vector<OutboxRecord>> SqliteStore::DueOutbox(std::string_view kind, Timestamp now,
                                                         int limit) {
  limit = std::clamp(limit, 1, kMaxPageSize);
  ReadLease conn = AcquireReader();
  OP_ASSIGN_OR_RETURN(Stmt s, conn->Prepare("SELECT " OP_OUTBOX_COLUMNS
                                            " FROM outbox WHERE status = 'pending' AND kind = ?3 "
                                            "AND next_attempt_at <= ?1 ORDER BY id LIMIT ?2"));
  s.Bind(1, now.micros).Bind(2, int64_t{limit}).Bind(3, kind);
  return ReadOutboxRows(s);
}

Status SqliteStore::RecordOutboxAttempt(int64_t id, bool delivered, std::string_view error,
                                        std::optional<Timestamp> retry_at) {
  auto work = [&]() -> Status {
    OP_ASSIGN_OR_RETURN(
        Stmt s, writer_conn_->Prepare("UPDATE outbox SET status = ?2, attempts = attempts + 1, "
                                      "last_error = ?3, next_attempt_at = ?4 WHERE id = ?1"));
    const char* status = delivered ? "delivered" : (retry_at ? "pending" : "dead");
    s.Bind(1, id).Bind(2, std::string_view(status)).Bind(3, error);
    s.Bind(4, retry_at ? retry_at->micros : int64_t{0});
    OP_RETURN_IF_ERROR(s.Exec());
    if (sqlite3_changes(writer_conn_->db()) == 0) {
      return NotFoundError("outbox message " + std::to_string(id) + " not found");
    }
    return Status::Ok();
  };
  return writer_->Submit(work);
}

Result<Page<OrderRecord>> SqliteStore::ListOrders(std::optional<OrderState> state, int limit,
                                                  std::optional<int64_t> cursor) {
  limit = std::clamp(limit, 1, kMaxPageSize);
  ReadLease conn = AcquireReader();
  Result<Stmt> stmt = state ? conn->Prepare("SELECT " OP_ORDER_SUMMARY_COLUMNS
                                            " FROM orders"
                                            " WHERE state = ?3 AND id < ?1 "
                                            "ORDER BY id DESC LIMIT ?2")
                            : conn->Prepare("SELECT " OP_ORDER_SUMMARY_COLUMNS
                                            " FROM orders"
                                            " WHERE id < ?1 "
                                            "ORDER BY id DESC LIMIT ?2");
  if (!stmt.ok()) return stmt.status();
  Stmt& s = *stmt;
  s.Bind(1, cursor.value_or(std::numeric_limits<int64_t>::max())).Bind(2, int64_t{limit} + 1);
  if (state) s.Bind(3, OrderStateName(*state));
  return ReadIdPage<OrderRecord>(s, limit, [](const Stmt& st) { return RowToOrder(st); });
}

Result<std::vector<OrderRecord>> SqliteStore::OrdersInStates(const std::vector<OrderState>& states,
                                                             OrderId after, int limit) {
  std::vector<OrderRecord> orders;
  limit = std::clamp(limit, 1, kMaxWorkListSize);
  ReadLease conn = AcquireReader();
  // One range scan of the (state, id) index per state, merged by id: no sort of the whole table
  // per page, which an IN list with ORDER BY id would need.
  for (OrderState st : states) {
    OP_ASSIGN_OR_RETURN(Stmt s,
                        conn->Prepare("SELECT " OP_ORDER_SUMMARY_COLUMNS " FROM orders"
                                      " WHERE state = ?1 AND id > ?2 ORDER BY id LIMIT ?3"));
    s.Bind(1, OrderStateName(st)).Bind(2, after.value()).Bind(3, int64_t{limit});
    while (true) {
      OP_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      OP_ASSIGN_OR_RETURN(OrderRecord r, RowToOrder(s));
      orders.push_back(std::move(r));
    }
  }
  std::sort(orders.begin(), orders.end(),
            [](const OrderRecord& a, const OrderRecord& b) { return a.id < b.id; });
  if (orders.size() > static_cast<size_t>(limit)) orders.resize(static_cast<size_t>(limit));
  return orders;
}

Result<std::vector<OrderRecord>> SqliteStore::OrdersBehindRules(OrderId after, int limit) {
  std::vector<OrderRecord> orders;
  limit = std::clamp(limit, 1, kMaxWorkListSize);
  ReadLease conn = AcquireReader();
  OP_ASSIGN_OR_RETURN(Stmt s, conn->Prepare("SELECT " OP_ORDER_SUMMARY_COLUMNS
                                            " FROM orders WHERE rules_version < version AND "
                                            "id > ?1 ORDER BY id LIMIT ?2"));
  s.Bind(1, after.value()).Bind(2, int64_t{limit});
  while (true) {
    OP_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    OP_ASSIGN_OR_RETURN(OrderRecord r, RowToOrder(s));
    orders.push_back(std::move(r));
  }
  return orders;
}

Result<ReviewRecord> SqliteStore::GetReview(ReviewId id) {
  ReadLease conn = AcquireReader();
  return ReadReview(*conn, id);
}

Result<Page<ReviewRecord>> SqliteStore::ListReviews(const ReviewFilter& filter, int limit,
                                                    std::optional<int64_t> cursor) {
  limit = std::clamp(limit, 1, kMaxPageSize);
  const Timestamp now = clock_.Now();
  ReadLease conn = AcquireReader();
  return internal::ReadReviewPage(*conn, filter, limit, cursor, now);
}

Result<std::vector<ReviewKindStats>> SqliteStore::ReviewStats(Timestamp since) {
  ReadLease conn = AcquireReader();
  return internal::ReadReviewStats(*conn, since);
}

Result<std::vector<OrderRecord>> SqliteStore::OrdersCreatedSince(Timestamp since, OrderId after,
                                                                 int limit) {
  std::vector<OrderRecord> orders;
  limit = std::clamp(limit, 1, kMaxWorkListSize);
  ReadLease conn = AcquireReader();
  // By id from `after`: created_at is not indexed (a scan of the small projection rows; the
  // snapshots are read only for the rows returned).
  OP_ASSIGN_OR_RETURN(Stmt s, conn->Prepare("SELECT " OP_ORDER_COLUMNS " FROM " OP_ORDERS_FROM
                                            " WHERE id > ?2 AND created_at >= ?1 "
                                            "ORDER BY id LIMIT ?3"));
  s.Bind(1, since.micros).Bind(2, after.value()).Bind(3, int64_t{limit});
  while (true) {
    OP_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    OP_ASSIGN_OR_RETURN(OrderRecord r, RowToOrder(s));
    orders.push_back(std::move(r));
  }
  return orders;
}

Result<StoreStats> SqliteStore::Stats() {
  ReadLease conn = AcquireReader();
  // One read transaction: every figure comes from the same snapshot.
  OP_RETURN_IF_ERROR(conn->ExecScript("BEGIN"));
  auto read = [&]() -> Result<StoreStats> {
    StoreStats stats;
    for (OrderState st : {OrderState::kReceived, OrderState::kValidated, OrderState::kAccepted,
                          OrderState::kHeld, OrderState::kRejected, OrderState::kCancelled,
                          OrderState::kAllocated, OrderState::kBackordered, OrderState::kShipped}) {
      stats.orders_by_state[std::string(OrderStateName(st))] = 0;
    }
    {
      OP_ASSIGN_OR_RETURN(Stmt s,
                          conn->Prepare("SELECT state, COUNT(*) FROM orders GROUP BY state"));
      while (true) {
        OP_ASSIGN_OR_RETURN(bool row, s.Step());
        if (!row) break;
        stats.orders_by_state[s.Text(0)] = s.Int(1);
      }
    }
    {
      OP_ASSIGN_OR_RETURN(Stmt s,
                          conn->Prepare("SELECT COUNT(*) FROM reviews WHERE status = 'open'"));
      OP_RETURN_IF_ERROR(s.Step().status());
      stats.open_reviews = s.Int(0);
    }
    {
      // The log is append-only and seq is assigned densely from 1, so MAX is the count without a
      // scan of the largest table.
      OP_ASSIGN_OR_RETURN(Stmt s, conn->Prepare("SELECT COALESCE(MAX(seq), 0) FROM events"));
      OP_RETURN_IF_ERROR(s.Step().status());
      stats.events = s.Int(0);
    }
    {
      OP_ASSIGN_OR_RETURN(Stmt s, conn->Prepare("SELECT COUNT(*) FROM webhooks"));
      OP_RETURN_IF_ERROR(s.Step().status());
      stats.webhooks = s.Int(0);
    }
    return stats;
  };
  Result<StoreStats> stats = read();
  Status end = conn->ExecScript("COMMIT");
  if (!stats.ok()) return stats.status();
  if (!end.ok()) return end;
  return stats;
}

// --- stock reads --------------------------------------------------------------------------------

Result<std::vector<StockLevel>> SqliteStore::GetStock(const std::vector<std::string>& skus) {
  ReadLease conn = AcquireReader();
  return internal::ReadStock(*conn, skus);
}

Result<Page<StockLevel>> SqliteStore::ListStock(const std::string& sku, const std::string& location,
                                                int limit, std::optional<int64_t> cursor) {
  limit = std::clamp(limit, 1, kMaxStockPageSize);
  ReadLease conn = AcquireReader();
  return internal::ReadStockPage(*conn, sku, location, limit, cursor);
}

Result<std::vector<ReservationRecord>> SqliteStore::GetReservations(OrderId order) {
  ReadLease conn = AcquireReader();
  return internal::ReadReservations(*conn, order);
}

Result<std::vector<IncomingStock>> SqliteStore::GetIncoming(const std::vector<std::string>& skus,
                                                            bool open_only) {
  ReadLease conn = AcquireReader();
  return internal::ReadIncoming(*conn, skus, open_only);
}

Result<std::vector<DailyDemand>> SqliteStore::DemandByDay(Timestamp from, Timestamp to) {
  ReadLease conn = AcquireReader();
  return internal::ReadDemandByDay(*conn, from, to);
}

CommitStats SqliteStore::GetCommitStats() { return writer_->Stats(); }

// --- personal data -----------------------------------------------------------------------------

Result<std::vector<CustomerKeyRecord>> SqliteStore::GetCustomerKeys(std::string_view customer_ref) {
  OP_RETURN_IF_ERROR(DrainCustomerLog());
  ReadLease conn = AcquireReader();
  OP_ASSIGN_OR_RETURN(Stmt s,
                      conn->Prepare("SELECT customer_ref, key_id, shop, created_at, last_seen_at, "
                                    "erased_at FROM customer_keys WHERE customer_ref = ?1 "
                                    "ORDER BY created_at DESC, key_id"));
  s.Bind(1, customer_ref);
  std::vector<CustomerKeyRecord> out;
  while (true) {
    OP_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    CustomerKeyRecord r;
    r.customer_ref = s.Text(0);
    r.key_id = s.Text(1);
    r.shop = s.Text(2);
    r.created_at = Timestamp{s.Int(3)};
    r.last_seen_at = Timestamp{s.Int(4)};
    if (!s.IsNull(5)) r.erased_at = Timestamp{s.Int(5)};
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<std::string>> SqliteStore::FindCustomers(
    const std::vector<std::string>& blind_indexes) {
  OP_RETURN_IF_ERROR(DrainCustomerLog());
  ReadLease conn = AcquireReader();
  std::vector<std::string> refs;
  for (const std::string& blind : blind_indexes) {
    OP_ASSIGN_OR_RETURN(Stmt s, conn->Prepare("SELECT customer_ref FROM customer_index "
                                              "WHERE blind = ?1"));
    s.Bind(1, blind);
    while (true) {
      OP_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      refs.push_back(s.Text(0));
    }
  }
  std::sort(refs.begin(), refs.end());
  refs.erase(std::unique(refs.begin(), refs.end()), refs.end());
  return refs;
}

namespace {

Result<std::vector<std::string>> ReadRefs(Stmt& s) {
  std::vector<std::string> refs;
  while (true) {
    OP_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    refs.push_back(s.Text(0));
  }
  return refs;
}

}  // namespace

Result<std::vector<std::string>> SqliteStore::CustomersOfShop(std::string_view shop,
                                                              std::string_view after, int limit) {
  OP_RETURN_IF_ERROR(DrainCustomerLog());
  ReadLease conn = AcquireReader();
  OP_ASSIGN_OR_RETURN(
      Stmt s, conn->Prepare("SELECT DISTINCT customer_ref FROM customer_keys WHERE erased_at IS "
                            "NULL AND (?1 = '' OR shop = ?1) AND customer_ref > ?2 "
                            "ORDER BY customer_ref LIMIT ?3"));
  s.Bind(1, shop).Bind(2, after).Bind(3, int64_t{std::clamp(limit, 1, kMaxWorkListSize)});
  return ReadRefs(s);
}

Result<std::vector<std::string>> SqliteStore::CustomersInactiveSince(Timestamp before, int limit) {
  OP_RETURN_IF_ERROR(DrainCustomerLog());
  ReadLease conn = AcquireReader();
  OP_ASSIGN_OR_RETURN(Stmt s,
                      conn->Prepare("SELECT customer_ref FROM customer_keys GROUP BY customer_ref "
                                    "HAVING MAX(last_seen_at) < ?1 AND SUM(erased_at IS NULL) > 0 "
                                    "ORDER BY customer_ref LIMIT ?2"));
  s.Bind(1, before.micros).Bind(2, int64_t{std::clamp(limit, 1, kMaxWorkListSize)});
  return ReadRefs(s);
}

Result<std::vector<OrderRecord>> SqliteStore::OrdersOfCustomer(std::string_view customer_ref) {
  OP_RETURN_IF_ERROR(DrainCustomerLog());
  ReadLease conn = AcquireReader();
  OP_ASSIGN_OR_RETURN(Stmt s, conn->Prepare("SELECT " OP_ORDER_COLUMNS " FROM " OP_ORDERS_FROM
                                            " WHERE id IN (SELECT order_id FROM customer_orders "
                                            "WHERE customer_ref = ?1) ORDER BY id"));
  s.Bind(1, customer_ref);
  std::vector<OrderRecord> out;
  while (true) {
    OP_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    OP_ASSIGN_OR_RETURN(OrderRecord r, RowToOrder(s));
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::optional<OrderRecord>> SqliteStore::FindOrderByChannelId(
    std::string_view channel, std::string_view shop, std::string_view channel_order_id) {
  ReadLease conn = AcquireReader();
  OP_ASSIGN_OR_RETURN(Stmt s,
                      conn->Prepare("SELECT " OP_ORDER_COLUMNS " FROM " OP_ORDERS_FROM
                                    " WHERE channel = ?1 AND shop = ?2 AND channel_order_id = ?3"));
  s.Bind(1, channel).Bind(2, shop).Bind(3, channel_order_id);
  OP_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<OrderRecord>();
  OP_ASSIGN_OR_RETURN(OrderRecord r, RowToOrder(s));
  return std::optional<OrderRecord>(std::move(r));
}

Result<std::vector<PrivacyRequestRecord>> SqliteStore::ListPrivacyRequests(std::string_view status,
                                                                           int64_t after,
                                                                           int limit) {
  ReadLease conn = AcquireReader();
  OP_ASSIGN_OR_RETURN(Stmt s,
                      conn->Prepare("SELECT id, channel, shop, topic, received_at, body, status, "
                                    "finished_at, result FROM privacy_requests WHERE (?1 = '' OR "
                                    "status = ?1) AND id > ?2 ORDER BY id LIMIT ?3"));
  s.Bind(1, status).Bind(2, after).Bind(3, int64_t{std::clamp(limit, 1, kMaxPageSize)});
  std::vector<PrivacyRequestRecord> out;
  while (true) {
    OP_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    PrivacyRequestRecord r;
    r.id = s.Int(0);
    r.channel = s.Text(1);
    r.shop = s.Text(2);
    r.topic = s.Text(3);
    r.received_at = Timestamp{s.Int(4)};
    r.body = s.Text(5);
    r.status = s.Text(6);
    if (!s.IsNull(7)) r.finished_at = Timestamp{s.Int(7)};
    r.result = s.Text(8);
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> SqliteStore::WebhookBodiesOfCustomer(
    std::string_view customer_ref) {
  OP_RETURN_IF_ERROR(DrainCustomerLog());
  ReadLease conn = AcquireReader();
  OP_ASSIGN_OR_RETURN(Stmt s, conn->Prepare("SELECT topic, body FROM webhooks WHERE id IN "
                                            "(SELECT webhook_id FROM customer_webhooks WHERE "
                                            "customer_ref = ?1) AND body != '' ORDER BY id"));
  s.Bind(1, customer_ref);
  std::vector<std::pair<std::string, std::string>> out;
  while (true) {
    OP_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.emplace_back(s.Text(0), s.Text(1));
  }
  return out;
}

#undef OP_ORDER_COLUMNS
#undef OP_ORDER_SUMMARY_COLUMNS

}  // namespace orderpilot::store
