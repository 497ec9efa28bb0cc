#include "store/internal/sqlite_stock.h"

#include <sqlite3.h>

#include <algorithm>
#include <set>

#include "core/json_writer.h"
#include "store/internal/sqlite_log.h"

namespace orderpilot::store::internal {
namespace {

constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000 * 1000;

// Columns of every stock SELECT, in the order RowToLevel reads them (id last, for cursors).
#define OP_STOCK_COLUMNS \
  "sku, location, on_hand, reserved, safety_stock, reorder_point, updated_at, id"

StockLevel RowToLevel(const Stmt& s) {
  StockLevel l;
  l.sku = s.Text(0);
  l.location = s.Text(1);
  l.on_hand = s.Int(2);
  l.reserved = s.Int(3);
  l.safety_stock = s.Int(4);
  l.reorder_point = s.Int(5);
  l.updated_at = Timestamp{s.Int(6)};
  return l;
}

std::string LevelName(std::string_view sku, std::string_view location) {
  std::string name(sku);
  name += " at ";
  name.append(location);
  return name;
}

std::string_view AdjustmentModeName(AdjustmentMode m) {
  switch (m) {
    case AdjustmentMode::kSet:
      return "set";
    case AdjustmentMode::kDelta:
      return "delta";
    case AdjustmentMode::kSetChannelAvailable:
      return "channel_available";
  }
  return "unknown";
}

// a + b, or InvalidArgument when it does not fit in 64 bits.
Result<int64_t> CheckedAdd(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return InvalidArgumentError("quantity out of range");
  return sum;
}

// Creates the level with zeros unless it exists.
Status EnsureLevel(Connection& c, std::string_view sku, std::string_view location, int64_t now) {
  OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT INTO stock (sku, location, updated_at) "
                                        "VALUES (?1, ?2, ?3) ON CONFLICT (sku, location) "
                                        "DO NOTHING"));
  s.Bind(1, sku).Bind(2, location).Bind(3, now);
  return s.Exec();
}

Result<StockLevel> ReadExistingLevel(Connection& c, std::string_view sku,
                                     std::string_view location) {
  OP_ASSIGN_OR_RETURN(std::optional<StockLevel> level, ReadLevel(c, sku, location));
  if (!level) return InternalError("stock level " + LevelName(sku, location) + " vanished");
  return *std::move(level);
}

struct OpenReservation {
  int64_t id = 0;
  std::string sku;
  std::string location;
  int64_t quantity = 0;
};

// The order's open reservations (at `location`, or everywhere when empty), oldest first.
Result<std::vector<OpenReservation>> OpenReservations(Connection& c, OrderId order,
                                                      std::string_view location) {
  OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT id, sku, location, quantity FROM reservations "
                                        "WHERE order_id = ?1 AND state = 'reserved' "
                                        "AND (?2 = '' OR location = ?2) ORDER BY id"));
  s.Bind(1, order.value()).Bind(2, location);
  std::vector<OpenReservation> out;
  while (true) {
    OP_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Int(3)});
  }
  return out;
}

Status SetReservationState(Connection& c, int64_t id, ReservationState state, int64_t now) {
  OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE reservations SET state = ?2, updated_at = ?3 "
                                        "WHERE id = ?1"));
  s.Bind(1, id).Bind(2, ReservationStateName(state)).Bind(3, now);
  return s.Exec();
}

// Changes on_hand and reserved of an existing level by the deltas (the CHECK guards the result).
Status ChangeLevel(Connection& c, std::string_view sku, std::string_view location,
                   int64_t delta_on_hand, int64_t delta_reserved, int64_t now) {
  OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE stock SET on_hand = on_hand + ?3, "
                                        "reserved = reserved + ?4, updated_at = ?5 "
                                        "WHERE sku = ?1 AND location = ?2"));
  s.Bind(1, sku).Bind(2, location).Bind(3, delta_on_hand).Bind(4, delta_reserved).Bind(5, now);
  OP_RETURN_IF_ERROR(s.Exec());
  if (sqlite3_changes(c.db()) != 1) {
    return InternalError("stock level " + LevelName(sku, location) + " is missing");
  }
  return Status::Ok();
}

struct OrderHead {
  int64_t version = 0;
  std::string state;
};

Result<OrderHead> ReadOrderHead(Connection& c, OrderId order) {
  OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT version, state FROM orders WHERE id = ?1"));
  s.Bind(1, order.value());
  OP_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFoundError("order " + order.ToString() + " not found");
  return OrderHead{s.Int(0), s.Text(1)};
}

// Releases the reservations of the newest orders holding (sku, location) until its reserved is
// at most `target`: each such order releases everything it holds, gets
// "order.allocation_released" and, when allocated, goes back to accepted.
Status ReleaseNewestOrders(StockWrite& w, std::string_view sku, std::string_view location,
                           int64_t target, std::string_view reason, std::string_view actor,
                           std::vector<OrderId>& released) {
  Connection& c = w.conn();
  while (true) {
    OP_ASSIGN_OR_RETURN(StockLevel level, ReadExistingLevel(c, sku, location));
    if (level.reserved <= target) return Status::Ok();
    OrderId newest;
    {
      OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT order_id FROM reservations WHERE sku = ?1 "
                                            "AND location = ?2 AND state = 'reserved' "
                                            "ORDER BY order_id DESC LIMIT 1"));
      s.Bind(1, sku).Bind(2, location);
      OP_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) {
        return InternalError("stock level " + LevelName(sku, location) + " has " +
                             std::to_string(level.reserved) + " reserved but no reservation");
      }
      newest = OrderId(s.Int(0));
    }
    OP_RETURN_IF_ERROR(ReleaseReservations(w, newest, "allocation_released").status());
    OP_ASSIGN_OR_RETURN(OrderHead head, ReadOrderHead(c, newest));
    JsonWriter payload;
    payload.BeginObject()
        .Field("reason", reason)
        .Field("sku", sku)
        .Field("location", location)
        .EndObject();
    OP_RETURN_IF_ERROR(AppendEvent(c, OrderStream(newest), head.version + 1,
                                   "order.allocation_released", payload.str(), actor, w.now()));
    OP_ASSIGN_OR_RETURN(
        Stmt s, c.Prepare("UPDATE orders SET version = ?2, updated_at = ?3, state = CASE "
                          "WHEN state = 'allocated' THEN 'accepted' ELSE state END WHERE id = ?1"));
    s.Bind(1, newest.value()).Bind(2, head.version + 1).Bind(3, w.now());
    OP_RETURN_IF_ERROR(s.Exec());
    released.push_back(newest);
  }
}

Status ValidateAdjustment(const StockAdjustment& a) {
  if (a.sku.empty()) return InvalidArgumentError("sku is empty", "sku");
  if (a.location.empty()) return InvalidArgumentError("location is empty", "location");
  if (a.idempotency_key.empty()) {
    return InvalidArgumentError("idempotency_key is empty", "idempotency_key");
  }
  if (a.mode == AdjustmentMode::kSet && a.quantity < 0) {
    return InvalidArgumentError("cannot set on_hand to " + std::to_string(a.quantity), "quantity");
  }
  if (a.safety_stock && *a.safety_stock < 0) {
    return InvalidArgumentError("safety_stock " + std::to_string(*a.safety_stock) + " is negative",
                                "safety_stock");
  }
  if (a.channel_buffer < 0) {
    return InvalidArgumentError(
        "channel_buffer " + std::to_string(a.channel_buffer) + " is negative", "channel_buffer");
  }
  return Status::Ok();
}

// The on_hand an adjustment asks for, given the level before it.
Result<int64_t> TargetOnHand(const StockAdjustment& a, const StockLevel& before) {
  switch (a.mode) {
    case AdjustmentMode::kSet:
      return a.quantity;
    case AdjustmentMode::kDelta: {
      Result<int64_t> on_hand = CheckedAdd(before.on_hand, a.quantity);
      if (!on_hand.ok()) return InvalidArgumentError("delta out of range", "quantity");
      if (*on_hand < 0) {
        return InvalidArgumentError("a delta of " + std::to_string(a.quantity) + " would take " +
                                        LevelName(a.sku, a.location) + " from " +
                                        std::to_string(before.on_hand) + " to " +
                                        std::to_string(*on_hand) + " on hand",
                                    "quantity");
      }
      return *on_hand;
    }
    case AdjustmentMode::kSetChannelAvailable: {
      // The inverse of what we publish: max(0, available − buffer) of the level before. The
      // difference between the channel's figure and ours is a change of on_hand, so the echo of
      // our own update is no change, also when our figure was clamped at 0.
      const int64_t available_minus_buffer =
          before.on_hand - before.reserved - before.safety_stock - a.channel_buffer;
      const int64_t published = std::max<int64_t>(0, available_minus_buffer);
      int64_t diff = 0;
      int64_t on_hand = 0;
      if (__builtin_sub_overflow(a.quantity, published, &diff) ||
          __builtin_add_overflow(before.on_hand, diff, &on_hand)) {
        return InvalidArgumentError("channel quantity out of range", "quantity");
      }
      return std::max(on_hand, before.reserved);  // a channel cannot unpromise our units
    }
  }
  return InvalidArgumentError("unknown adjustment mode", "mode");
}

Status AdjustOne(Connection& c, const StockAdjustment& a, int64_t now,
                 const StockObserver* observer, AdjustmentOutcome& out) {
  OP_RETURN_IF_ERROR(ValidateAdjustment(a));
  // Insert first: the unique key decides whether this is a replay, as for webhooks.
  {
    OP_ASSIGN_OR_RETURN(
        Stmt s, c.Prepare("INSERT INTO stock_adjustments (idempotency_key, sku, location, mode, "
                          "quantity, safety_stock, reason, actor, at) VALUES (?1, ?2, ?3, ?4, "
                          "?5, ?6, ?7, ?8, ?9) ON CONFLICT (idempotency_key) DO NOTHING"));
    s.Bind(1, a.idempotency_key).Bind(2, a.sku).Bind(3, a.location);
    s.Bind(4, AdjustmentModeName(a.mode)).Bind(5, a.quantity);
    if (a.safety_stock) {
      s.Bind(6, *a.safety_stock);
    } else {
      s.BindNull(6);
    }
    s.Bind(7, a.reason).Bind(8, a.actor).Bind(9, now);
    OP_RETURN_IF_ERROR(s.Exec());
  }
  if (sqlite3_changes(c.db()) == 0) {
    out.duplicate = true;
    std::string sku;
    std::string location;
    {
      OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT sku, location FROM stock_adjustments "
                                            "WHERE idempotency_key = ?1"));
      s.Bind(1, a.idempotency_key);
      OP_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) return InternalError("adjustment " + a.idempotency_key + " vanished");
      sku = s.Text(0);
      location = s.Text(1);
    }
    OP_ASSIGN_OR_RETURN(std::optional<StockLevel> level, ReadLevel(c, sku, location));
    if (level) {
      out.level = *std::move(level);
    } else {
      out.level.sku = sku;
      out.level.location = location;
    }
    return Status::Ok();
  }
  const int64_t adjustment_id = sqlite3_last_insert_rowid(c.db());
  const std::string reason = a.reason.empty() ? std::string("adjustment") : a.reason;

  OP_RETURN_IF_ERROR(EnsureLevel(c, a.sku, a.location, now));
  OP_ASSIGN_OR_RETURN(StockLevel before, ReadExistingLevel(c, a.sku, a.location));
  OP_ASSIGN_OR_RETURN(int64_t on_hand, TargetOnHand(a, before));
  const int64_t safety_stock = a.safety_stock.value_or(before.safety_stock);

  StockWrite w(c, now, observer, a.actor);
  w.Note(a.sku, a.location, 0, 0, 0, reason, OrderId());  // the adjustment's reason comes first
  // A count below what is promised: the newest orders give their units back first, so that
  // reserved <= on_hand holds at every statement.
  OP_RETURN_IF_ERROR(
      ReleaseNewestOrders(w, a.sku, a.location, on_hand, reason, a.actor, out.released_orders));
  {
    OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE stock SET on_hand = ?3, safety_stock = ?4, "
                                          "updated_at = ?5 WHERE sku = ?1 AND location = ?2"));
    s.Bind(1, a.sku).Bind(2, a.location).Bind(3, on_hand).Bind(4, safety_stock).Bind(5, now);
    OP_RETURN_IF_ERROR(s.Exec());
  }
  w.Note(a.sku, a.location, on_hand - before.on_hand, 0, safety_stock - before.safety_stock, reason,
         OrderId());
  {
    OP_ASSIGN_OR_RETURN(Stmt s,
                        c.Prepare("UPDATE stock_adjustments SET on_hand = ?2 WHERE id = ?1"));
    s.Bind(1, adjustment_id).Bind(2, on_hand);
    OP_RETURN_IF_ERROR(s.Exec());
  }
  OP_ASSIGN_OR_RETURN(std::vector<StockLevel> levels, w.Publish());
  for (StockLevel& l : levels) {
    if (l.sku == a.sku && l.location == a.location) out.level = std::move(l);
  }
  return Status::Ok();
}

Status ValidateIncoming(const IncomingStock& l) {
  if (l.purchase_order.empty()) {
    return InvalidArgumentError("purchase_order is empty", "purchase_order");
  }
  if (l.sku.empty()) return InvalidArgumentError("sku is empty", "sku");
  if (l.location.empty()) return InvalidArgumentError("location is empty", "location");
  if (l.quantity <= 0) {
    return InvalidArgumentError("quantity " + std::to_string(l.quantity) + " is not positive",
                                "quantity");
  }
  return Status::Ok();
}

// Whether `reason` is one of the '+'-joined reasons in `joined`.
bool HasReason(std::string_view joined, std::string_view reason) {
  while (!joined.empty()) {
    const size_t end = joined.find('+');
    if (joined.substr(0, end) == reason) return true;
    if (end == std::string_view::npos) break;
    joined.remove_prefix(end + 1);
  }
  return false;
}

Status WithIndex(std::string_view what, size_t i, Status s) {
  if (s.ok()) return s;
  return Status(s.code(), std::string(what) + " " + std::to_string(i) + ": " + s.message(),
                s.field());
}

}  // namespace

// --- StockWrite -------------------------------------------------------------------------------

void StockWrite::Note(std::string_view sku, std::string_view location, int64_t delta_on_hand,
                      int64_t delta_reserved, int64_t delta_safety_stock, std::string_view reason,
                      OrderId order) {
  Change& ch = changes_[{std::string(sku), std::string(location)}];
  ch.delta_on_hand += delta_on_hand;
  ch.delta_reserved += delta_reserved;
  ch.delta_safety_stock += delta_safety_stock;
  if (!reason.empty() && !HasReason(ch.reason, reason)) {
    if (!ch.reason.empty()) ch.reason += '+';
    ch.reason.append(reason);
  }
  if (!ch.noted) {
    ch.order = order;
    ch.noted = true;
  } else if (!(ch.order == order)) {
    ch.mixed_orders = true;
  }
}

Result<std::vector<StockLevel>> StockWrite::Publish() {
  std::vector<StockLevel> levels;
  for (const auto& [key, ch] : changes_) {
    const auto& [sku, location] = key;
    OP_ASSIGN_OR_RETURN(StockLevel level, ReadExistingLevel(c_, sku, location));
    levels.push_back(level);
    if (ch.delta_on_hand == 0 && ch.delta_reserved == 0 && ch.delta_safety_stock == 0) continue;
    const OrderId order = ch.mixed_orders ? OrderId() : ch.order;

    const std::string stream = SkuStream(sku);
    int64_t version = 0;
    {
      OP_ASSIGN_OR_RETURN(Stmt s, c_.Prepare("SELECT COALESCE(MAX(version), 0) FROM events "
                                             "WHERE stream = ?1"));
      s.Bind(1, stream);
      OP_RETURN_IF_ERROR(s.Step().status());
      version = s.Int(0);
    }
    JsonWriter payload;
    payload.BeginObject()
        .Field("sku", sku)
        .Field("location", location)
        .Field("on_hand", level.on_hand)
        .Field("reserved", level.reserved)
        .Field("safety_stock", level.safety_stock)
        .Field("available", level.available())
        .Field("delta_on_hand", ch.delta_on_hand)
        .Field("delta_reserved", ch.delta_reserved)
        .Field("reason", ch.reason);
    if (order.valid()) payload.Field("order_id", order.value());
    payload.Field("actor", actor_).EndObject();
    OP_RETURN_IF_ERROR(AppendEvent(c_, stream, ++version, "inventory.available_changed",
                                   payload.str(), actor_, now_));
    const EventSeq seq(sqlite3_last_insert_rowid(c_.db()));

    const int64_t available_before =
        level.available() - (ch.delta_on_hand - ch.delta_reserved - ch.delta_safety_stock);
    if (level.reorder_point > 0 && available_before > level.reorder_point &&
        level.available() <= level.reorder_point) {
      JsonWriter low;
      low.BeginObject()
          .Field("sku", sku)
          .Field("location", location)
          .Field("available", level.available())
          .Field("reorder_point", level.reorder_point)
          .EndObject();
      OP_RETURN_IF_ERROR(AppendEvent(c_, stream, ++version, "stock.low", low.str(), actor_, now_));
    }
    if (observer_ != nullptr) {
      std::vector<OutboxMessage> messages;
      observer_->OnStockChanged(level, seq, messages);
      for (const OutboxMessage& m : messages) OP_RETURN_IF_ERROR(InsertOutbox(c_, m, order, now_));
    }
  }
  changes_.clear();
  return levels;
}

// --- writes -----------------------------------------------------------------------------------

Status ReserveStock(StockWrite& w, OrderId order, const std::vector<Reservation>& reservations) {
  Connection& c = w.conn();
  for (const Reservation& r : reservations) {
    if (r.sku.empty()) return InvalidArgumentError("reservation sku is empty", "reserve.sku");
    if (r.location.empty()) {
      return InvalidArgumentError("reservation location is empty", "reserve.location");
    }
    if (r.quantity <= 0) {
      return InvalidArgumentError(
          "reservation quantity " + std::to_string(r.quantity) + " is not positive",
          "reserve.quantity");
    }
  }
  for (const Reservation& r : reservations) {
    {
      // The check and the take are one statement: nothing can come between them.
      OP_ASSIGN_OR_RETURN(Stmt s,
                          c.Prepare("UPDATE stock SET reserved = reserved + ?3, updated_at = ?4 "
                                    "WHERE sku = ?1 AND location = ?2 "
                                    "AND on_hand - reserved - safety_stock >= ?3"));
      s.Bind(1, r.sku).Bind(2, r.location).Bind(3, r.quantity).Bind(4, w.now());
      OP_RETURN_IF_ERROR(s.Exec());
    }
    if (sqlite3_changes(c.db()) == 0) {
      OP_ASSIGN_OR_RETURN(std::optional<StockLevel> level, ReadLevel(c, r.sku, r.location));
      if (!level) {
        return AbortedError("stock: no stock of " + LevelName(r.sku, r.location) + " for order " +
                            order.ToString());
      }
      return AbortedError("stock: " + std::to_string(std::max<int64_t>(0, level->available())) +
                          " of " + LevelName(r.sku, r.location) + " available, order " +
                          order.ToString() + " needs " + std::to_string(r.quantity));
    }
    OP_ASSIGN_OR_RETURN(
        Stmt s, c.Prepare("INSERT INTO reservations (order_id, sku, location, quantity, state, "
                          "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 'reserved', ?5, ?5)"));
    s.Bind(1, order.value()).Bind(2, r.sku).Bind(3, r.location).Bind(4, r.quantity);
    s.Bind(5, w.now());
    OP_RETURN_IF_ERROR(s.Exec());
    w.Note(r.sku, r.location, 0, r.quantity, 0, "reserved", order);
  }
  return Status::Ok();
}

Result<int64_t> ReleaseReservations(StockWrite& w, OrderId order, std::string_view reason) {
  Connection& c = w.conn();
  OP_ASSIGN_OR_RETURN(std::vector<OpenReservation> open, OpenReservations(c, order, ""));
  for (const OpenReservation& r : open) {
    OP_RETURN_IF_ERROR(ChangeLevel(c, r.sku, r.location, 0, -r.quantity, w.now()));
    OP_RETURN_IF_ERROR(SetReservationState(c, r.id, ReservationState::kReleased, w.now()));
    w.Note(r.sku, r.location, 0, -r.quantity, 0, reason, order);
  }
  return static_cast<int64_t>(open.size());
}

Status ReleaseOrderStock(Connection& c, OrderId order, std::string_view reason,
                         std::string_view actor, int64_t now, const StockObserver* observer) {
  StockWrite w(c, now, observer, std::string(actor));
  OP_RETURN_IF_ERROR(ReleaseReservations(w, order, reason).status());
  return w.Publish().status();
}

Result<std::vector<Reservation>> ReduceReservations(StockWrite& w, OrderId order,
                                                    std::string_view sku, int64_t quantity,
                                                    std::string_view reason) {
  Connection& c = w.conn();
  std::vector<OpenReservation> open;
  {
    OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT id, sku, location, quantity FROM reservations "
                                          "WHERE order_id = ?1 AND state = 'reserved' "
                                          "AND sku = ?2 ORDER BY id DESC"));
    s.Bind(1, order.value()).Bind(2, sku);
    while (true) {
      OP_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      open.push_back({s.Int(0), s.Text(1), s.Text(2), s.Int(3)});
    }
  }
  std::vector<Reservation> released;
  int64_t left = quantity;
  for (const OpenReservation& r : open) {
    if (left <= 0) break;
    const int64_t take = std::min(left, r.quantity);
    left -= take;
    OP_RETURN_IF_ERROR(ChangeLevel(c, r.sku, r.location, 0, -take, w.now()));
    if (take == r.quantity) {
      OP_RETURN_IF_ERROR(SetReservationState(c, r.id, ReservationState::kReleased, w.now()));
    } else {
      OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE reservations SET quantity = quantity - ?2, "
                                            "updated_at = ?3 WHERE id = ?1"));
      s.Bind(1, r.id).Bind(2, take).Bind(3, w.now());
      OP_RETURN_IF_ERROR(s.Exec());
    }
    w.Note(r.sku, r.location, 0, -take, 0, reason, order);
    auto same = std::find_if(released.begin(), released.end(),
                             [&](const Reservation& x) { return x.location == r.location; });
    if (same != released.end()) {
      same->quantity += take;
    } else {
      released.push_back({r.sku, r.location, take});
    }
  }
  return released;
}

Result<bool> HasOpenReservations(Connection& c, OrderId order) {
  OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT 1 FROM reservations WHERE order_id = ?1 "
                                        "AND state = 'reserved' LIMIT 1"));
  s.Bind(1, order.value());
  return s.Step();
}

Status AdjustStockWork(Connection& c, const std::vector<StockAdjustment>& adjustments,
                       bool name_index, int64_t now, const StockObserver* observer,
                       std::vector<AdjustmentOutcome>& out) {
  out.assign(adjustments.size(), AdjustmentOutcome());
  for (size_t i = 0; i < adjustments.size(); ++i) {
    Status s = AdjustOne(c, adjustments[i], now, observer, out[i]);
    if (!s.ok()) return name_index ? WithIndex("adjustment", i, std::move(s)) : s;
  }
  return Status::Ok();
}

Status ShipWork(Connection& c, const ShipmentRequest& r, int64_t now, const StockObserver* observer,
                ShipmentOutcome& out) {
  out = ShipmentOutcome();
  OP_ASSIGN_OR_RETURN(OrderHead head, ReadOrderHead(c, r.order_id));
  if (head.state != OrderStateName(OrderState::kAllocated)) {
    return FailedPreconditionError("order " + r.order_id.ToString() + " is " + head.state +
                                   ", not allocated: nothing to ship");
  }
  OP_ASSIGN_OR_RETURN(std::vector<OpenReservation> open,
                      OpenReservations(c, r.order_id, r.location));
  if (open.empty()) {
    return FailedPreconditionError("order " + r.order_id.ToString() + " has no open reservation" +
                                   (r.location.empty() ? std::string() : " at " + r.location));
  }
  StockWrite w(c, now, observer, r.actor);
  JsonWriter payload;
  payload.BeginObject()
      .Field("location", r.location)
      .Field("carrier", r.carrier)
      .Field("service", r.service)
      .Field("tracking_number", r.tracking_number)
      .Key("lines")
      .BeginArray();
  for (const OpenReservation& res : open) {
    // Both columns in one statement: reserved <= on_hand holds before and after.
    OP_RETURN_IF_ERROR(ChangeLevel(c, res.sku, res.location, -res.quantity, -res.quantity, now));
    OP_RETURN_IF_ERROR(SetReservationState(c, res.id, ReservationState::kShipped, now));
    w.Note(res.sku, res.location, -res.quantity, -res.quantity, 0, "shipped", r.order_id);
    payload.BeginObject()
        .Field("sku", res.sku)
        .Field("location", res.location)
        .Field("quantity", res.quantity)
        .EndObject();
  }
  payload.EndArray().EndObject();
  OP_ASSIGN_OR_RETURN(std::vector<OpenReservation> still_open, OpenReservations(c, r.order_id, ""));
  out.order_shipped = still_open.empty();
  const int64_t version = head.version + 1;
  OP_RETURN_IF_ERROR(AppendEvent(c, OrderStream(r.order_id), version,
                                 out.order_shipped ? "order.shipped" : "order.partially_shipped",
                                 payload.str(), r.actor, now));
  {
    OP_ASSIGN_OR_RETURN(
        Stmt s,
        c.Prepare("UPDATE orders SET state = ?2, version = ?3, updated_at = ?4 WHERE id = ?1"));
    s.Bind(1, r.order_id.value());
    s.Bind(2, OrderStateName(out.order_shipped ? OrderState::kShipped : OrderState::kAllocated));
    s.Bind(3, version).Bind(4, now);
    OP_RETURN_IF_ERROR(s.Exec());
  }
  OP_ASSIGN_OR_RETURN(out.levels, w.Publish());
  return Status::Ok();
}

Status AddIncomingWork(Connection& c, const std::vector<IncomingStock>& lines, int64_t now) {
  for (size_t i = 0; i < lines.size(); ++i) {
    const IncomingStock& l = lines[i];
    OP_RETURN_IF_ERROR(WithIndex("line", i, ValidateIncoming(l)));
    OP_ASSIGN_OR_RETURN(
        Stmt s,
        c.Prepare("INSERT INTO incoming (purchase_order, sku, location, quantity, expected_at, "
                  "received, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6) "
                  "ON CONFLICT (purchase_order, sku, location) DO UPDATE SET "
                  "quantity = excluded.quantity, expected_at = excluded.expected_at, "
                  "updated_at = excluded.updated_at WHERE received = 0"));
    s.Bind(1, l.purchase_order).Bind(2, l.sku).Bind(3, l.location).Bind(4, l.quantity);
    s.Bind(5, l.expected_at.micros).Bind(6, now);
    OP_RETURN_IF_ERROR(s.Exec());
    if (sqlite3_changes(c.db()) == 0) {
      return FailedPreconditionError("line " + std::to_string(i) + ": purchase order " +
                                     l.purchase_order + " line " + LevelName(l.sku, l.location) +
                                     " was already received");
    }
  }
  return Status::Ok();
}

Status ReceiveIncomingWork(Connection& c, const std::string& purchase_order,
                           const std::string& actor, int64_t now, const StockObserver* observer,
                           std::vector<AdjustmentOutcome>& out) {
  out.clear();
  struct Line {
    int64_t id = 0;
    std::string sku;
    std::string location;
    int64_t quantity = 0;
  };
  std::vector<Line> lines;
  {
    OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT id, sku, location, quantity FROM incoming "
                                          "WHERE purchase_order = ?1 AND received = 0 "
                                          "ORDER BY id"));
    s.Bind(1, purchase_order);
    while (true) {
      OP_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      lines.push_back({s.Int(0), s.Text(1), s.Text(2), s.Int(3)});
    }
  }
  if (lines.empty()) {
    return NotFoundError("purchase order " + purchase_order + " has no open lines");
  }
  const std::string reason = "received " + purchase_order;
  StockWrite w(c, now, observer, actor);
  for (const Line& l : lines) {
    OP_RETURN_IF_ERROR(EnsureLevel(c, l.sku, l.location, now));
    OP_RETURN_IF_ERROR(ChangeLevel(c, l.sku, l.location, l.quantity, 0, now));
    OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("UPDATE incoming SET received = 1, received_at = ?2, "
                                          "updated_at = ?2 WHERE id = ?1"));
    s.Bind(1, l.id).Bind(2, now);
    OP_RETURN_IF_ERROR(s.Exec());
    w.Note(l.sku, l.location, l.quantity, 0, 0, reason, OrderId());
  }
  OP_ASSIGN_OR_RETURN(std::vector<StockLevel> levels, w.Publish());
  for (const Line& l : lines) {
    AdjustmentOutcome o;
    for (const StockLevel& level : levels) {
      if (level.sku == l.sku && level.location == l.location) o.level = level;
    }
    out.push_back(std::move(o));
  }
  return Status::Ok();
}

Status SetReorderPointsWork(Connection& c, const std::vector<StockLevel>& levels, int64_t now) {
  for (size_t i = 0; i < levels.size(); ++i) {
    const StockLevel& l = levels[i];
    Status bad;
    if (l.sku.empty()) bad = InvalidArgumentError("sku is empty", "sku");
    if (l.location.empty()) bad = InvalidArgumentError("location is empty", "location");
    if (l.reorder_point < 0) {
      bad = InvalidArgumentError(
          "reorder_point " + std::to_string(l.reorder_point) + " is negative", "reorder_point");
    }
    OP_RETURN_IF_ERROR(WithIndex("level", i, std::move(bad)));
    OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("INSERT INTO stock (sku, location, reorder_point, "
                                          "updated_at) VALUES (?1, ?2, ?3, ?4) "
                                          "ON CONFLICT (sku, location) DO UPDATE SET "
                                          "reorder_point = excluded.reorder_point"));
    s.Bind(1, l.sku).Bind(2, l.location).Bind(3, l.reorder_point).Bind(4, now);
    OP_RETURN_IF_ERROR(s.Exec());
  }
  return Status::Ok();
}

// --- reads ------------------------------------------------------------------------------------

Result<std::optional<StockLevel>> ReadLevel(Connection& c, std::string_view sku,
                                            std::string_view location) {
  OP_ASSIGN_OR_RETURN(
      Stmt s, c.Prepare("SELECT " OP_STOCK_COLUMNS " FROM stock WHERE sku = ?1 AND location = ?2"));
  s.Bind(1, sku).Bind(2, location);
  OP_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<StockLevel>();
  return std::optional<StockLevel>(RowToLevel(s));
}

Result<std::vector<StockLevel>> ReadStock(Connection& c, const std::vector<std::string>& skus) {
  const std::set<std::string> sorted(skus.begin(), skus.end());
  std::vector<StockLevel> out;
  for (const std::string& sku : sorted) {
    OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT " OP_STOCK_COLUMNS
                                          " FROM stock WHERE sku = ?1 ORDER BY location"));
    s.Bind(1, sku);
    while (true) {
      OP_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      out.push_back(RowToLevel(s));
    }
  }
  return out;
}

Result<Page<StockLevel>> ReadStockPage(Connection& c, const std::string& sku,
                                       const std::string& location, int limit,
                                       std::optional<int64_t> cursor) {
  // The cursor is the id of the last level of the previous page; the next page starts after its
  // (sku, location).
  std::string after_sku;
  std::string after_location;
  if (cursor) {
    OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT sku, location FROM stock WHERE id = ?1"));
    s.Bind(1, *cursor);
    OP_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return InvalidArgumentError("unknown stock cursor", "cursor");
    after_sku = s.Text(0);
    after_location = s.Text(1);
  }
  Result<Stmt> stmt =
      sku.empty() ? c.Prepare("SELECT " OP_STOCK_COLUMNS
                              " FROM stock WHERE (?2 = '' OR location = ?2) "
                              "AND (sku, location) > (?3, ?4) ORDER BY sku, location LIMIT ?5")
                  : c.Prepare("SELECT " OP_STOCK_COLUMNS
                              " FROM stock WHERE sku = ?1 AND (?2 = '' OR location = ?2) "
                              "AND (sku, location) > (?3, ?4) ORDER BY sku, location LIMIT ?5");
  if (!stmt.ok()) return stmt.status();
  Stmt& s = *stmt;
  if (!sku.empty()) s.Bind(1, sku);
  s.Bind(2, location).Bind(3, after_sku).Bind(4, after_location).Bind(5, int64_t{limit} + 1);
  Page<StockLevel> page;
  int64_t last_id = 0;
  while (true) {
    OP_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    if (static_cast<int>(page.items.size()) == limit) {  // a row beyond the page: more to come
      page.next_cursor = last_id;
      break;
    }
    page.items.push_back(RowToLevel(s));
    last_id = s.Int(7);
  }
  return page;
}

Result<std::vector<ReservationRecord>> ReadReservations(Connection& c, OrderId order) {
  OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT sku, location, quantity, state, created_at "
                                        "FROM reservations WHERE order_id = ?1 ORDER BY id"));
  s.Bind(1, order.value());
  std::vector<ReservationRecord> out;
  while (true) {
    OP_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    ReservationRecord r;
    r.order_id = order;
    r.reservation = {s.Text(0), s.Text(1), s.Int(2)};
    std::optional<ReservationState> state = ParseReservationState(s.TextView(3));
    if (!state) {
      return InternalError("a reservation of order " + order.ToString() +
                           " has an unknown state '" + s.Text(3) + "'");
    }
    r.state = *state;
    r.created_at = Timestamp{s.Int(4)};
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<IncomingStock>> ReadIncoming(Connection& c, const std::vector<std::string>& skus,
                                                bool open_only) {
  struct Row {
    int64_t id = 0;
    IncomingStock line;
  };
  std::vector<Row> rows;
  auto read = [&](Stmt& s) -> Status {
    s.Bind(1, int64_t{open_only ? 1 : 0});
    while (true) {
      OP_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) return Status::Ok();
      Row r;
      r.line.purchase_order = s.Text(0);
      r.line.sku = s.Text(1);
      r.line.location = s.Text(2);
      r.line.quantity = s.Int(3);
      r.line.expected_at = Timestamp{s.Int(4)};
      r.line.received = s.Int(5) != 0;
      r.id = s.Int(6);
      rows.push_back(std::move(r));
    }
  };
  if (skus.empty()) {
    OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT purchase_order, sku, location, quantity, "
                                          "expected_at, received, id FROM incoming "
                                          "WHERE (?1 = 0 OR received = 0)"));
    OP_RETURN_IF_ERROR(read(s));
  } else {
    for (const std::string& sku : std::set<std::string>(skus.begin(), skus.end())) {
      OP_ASSIGN_OR_RETURN(Stmt s, c.Prepare("SELECT purchase_order, sku, location, quantity, "
                                            "expected_at, received, id FROM incoming "
                                            "WHERE sku = ?2 AND (?1 = 0 OR received = 0)"));
      s.Bind(2, sku);
      OP_RETURN_IF_ERROR(read(s));
    }
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.line.expected_at.micros != b.line.expected_at.micros
               ? a.line.expected_at.micros < b.line.expected_at.micros
               : a.id < b.id;
  });
  std::vector<IncomingStock> out;
  out.reserve(rows.size());
  for (Row& r : rows) out.push_back(std::move(r.line));
  return out;
}

Result<std::vector<DailyDemand>> ReadDemandByDay(Connection& c, Timestamp from, Timestamp to) {
  // The partial index events_allocations finds the decisions in [from, to); an order counts only
  // with its first decision that carries lines (an earlier one, even before `from`, wins).
  OP_ASSIGN_OR_RETURN(Stmt s,
                      c.Prepare("SELECT json_extract(l.value, '$.sku') AS sku, e.at / ?3 AS day, "
                                "SUM(json_extract(l.value, '$.quantity')) FROM events e, "
                                "json_each(e.payload, '$.lines') l "
                                "WHERE e.type IN ('order.allocated', 'order.backordered') "
                                "AND e.at >= ?1 AND e.at < ?2 AND e.stream LIKE 'order-%' "
                                "AND json_type(e.payload, '$.lines') = 'array' "
                                "AND json_type(l.value, '$.sku') = 'text' "
                                "AND NOT EXISTS (SELECT 1 FROM events p WHERE p.stream = e.stream "
                                "AND p.version < e.version "
                                "AND p.type IN ('order.allocated', 'order.backordered') "
                                "AND json_type(p.payload, '$.lines') = 'array') "
                                "GROUP BY 1, 2 ORDER BY 1, 2"));
  s.Bind(1, from.micros).Bind(2, to.micros).Bind(3, kMicrosPerDay);
  std::vector<DailyDemand> out;
  while (true) {
    OP_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back({s.Text(0), s.Int(1), s.Int(2)});
  }
  return out;
}

#undef OP_STOCK_COLUMNS

}  // namespace orderpilot::store::internal
