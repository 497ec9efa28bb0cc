// store/stock.h — what the store keeps about stock: levels per SKU per location, reservations
// of orders, adjustments, incoming purchase orders, and the hook that keeps channels in sync.
//
// Invariants (checked by the database, not only by callers):
//  * 0 <= reserved <= on_hand for every (sku, location) at every commit: stock never goes below
//    zero and a unit is never promised to two orders.
//  * A reservation is written only when available >= quantity at that moment inside the write
//    transaction (available = on_hand − reserved − safety_stock). Two orders racing for the last
//    unit cannot both win: the loser's whole transition is undone and reported as Aborted.
//  * Every change of a level appends "inventory.available_changed" to the SKU's stream
//    ("sku-<SKU>") in the same transaction, and the StockObserver's outbox messages with it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/time.h"

namespace orderpilot::store {

struct OutboxMessage;  // store/store.h

std::string SkuStream(std::string_view sku);  // "sku-<SKU>"

struct StockLevel {
  std::string sku;
  std::string location;  // the location's code from the configuration ("reno")
  int64_t on_hand = 0;   // units physically there
  int64_t reserved = 0;  // units allocated to orders not yet shipped
  int64_t safety_stock = 0;
  // Reorder point from the last forecast run (inventory/reorder.h); 0 = none. When a change
  // takes `available` from above it to at or below it, "stock.low" is appended to the SKU's
  // stream.
  int64_t reorder_point = 0;
  Timestamp updated_at;

  // What may still be allocated: on_hand − reserved − safety_stock (negative when the safety
  // stock is already dipped into).
  int64_t available() const { return on_hand - reserved - safety_stock; }
};

enum class AdjustmentMode {
  kSet,    // on_hand = quantity
  kDelta,  // on_hand += quantity
  // A channel reports what it shows as available (Shopify inventory_levels/update): on_hand =
  // quantity + reserved + safety_stock + channel_buffer, the inverse of what we publish to the
  // channel, so the echo of our own update changes nothing. Negative results clamp to reserved.
  // Exactly: on_hand += quantity − published, where published = max(0, available −
  // channel_buffer) of the level before (its old safety stock), so that the echo of a figure we
  // clamped at 0 changes nothing either; the result is at least `reserved`.
  kSetChannelAvailable,
};

// A change of on_hand made by a person, an import or a channel (not by an order).
struct StockAdjustment {
  std::string sku;
  std::string location;
  AdjustmentMode mode = AdjustmentMode::kDelta;
  int64_t quantity = 0;                 // the new on_hand (kSet) or the change (kDelta)
  std::optional<int64_t> safety_stock;  // set it too when given (>= 0)
  int64_t channel_buffer = 0;           // for kSetChannelAvailable (>= 0)
  std::string reason;  // "cycle count", "damaged", "shopify", "import"; "" = "adjustment"
  // Required. A replay with the same key changes nothing and returns the first outcome.
  std::string idempotency_key;
  std::string actor;
};

struct AdjustmentOutcome {
  bool duplicate = false;
  // After the adjustment. For a duplicate: the level the first adjustment changed, as it is now
  // (and released_orders is empty).
  StockLevel level;
  // Orders whose reservations had to be released because on_hand fell below what was reserved
  // (a count found fewer units than promised), newest order first. Each released all of its
  // reservations and got an "order.allocation_released" event; those that were allocated are
  // back in `accepted` (others keep their state). The caller enqueues them for a new allocation.
  std::vector<OrderId> released_orders;
};

// Units of a SKU at a location held for one order.
struct Reservation {
  std::string sku;
  std::string location;
  int64_t quantity = 0;
};

enum class ReservationState { kReserved, kShipped, kReleased };
std::string_view ReservationStateName(ReservationState s);
std::optional<ReservationState> ParseReservationState(std::string_view name);

struct ReservationRecord {
  OrderId order_id;
  Reservation reservation;
  ReservationState state = ReservationState::kReserved;
  Timestamp created_at;
};

// A line of a purchase order on its way to a location.
struct IncomingStock {
  std::string purchase_order;  // the supplier's or our PO number
  std::string sku;
  std::string location;
  int64_t quantity = 0;   // > 0
  Timestamp expected_at;  // when it should arrive
  bool received = false;
};

// Marks a shipment of an order: its reservations (at `location`, or all when empty) turn from
// reserved into shipped (on_hand and reserved both drop). When no reservation stays open the
// order moves to kShipped and "order.shipped" is appended with the carrier and tracking number;
// otherwise it stays allocated and "order.partially_shipped" is appended.
struct ShipmentRequest {
  OrderId order_id;
  std::string location;  // "" = every location of the order
  std::string carrier;
  std::string service;
  std::string tracking_number;
  std::string actor;
};

// What a shipment changed, for the caller to act on (notify the channel, the customer).
struct ShipmentOutcome {
  std::vector<StockLevel> levels;  // after the shipment
  bool order_shipped = false;      // every reservation of the order is shipped now
};

// Demand read back from the event log for forecasts: units of `sku` ordered on `day` (UTC,
// days since 1970-01-01), allocated or backordered.
struct DailyDemand {
  std::string sku;
  int64_t day = 0;
  int64_t units = 0;
};

// Called inside the write transaction after every change of a stock level (once per level per
// write, after its "inventory.available_changed" event, whose seq it gets), with the level after
// it; the messages it appends are written to the outbox in that transaction (their idempotency
// keys must be unique per change: a duplicate key is silently dropped). Implemented by inventory/
// (channel sync); the store only knows this interface.
// REQUIRES: fast, non-blocking, never calls back into the store. Thread-safe.
class StockObserver {
 public:
  virtual ~StockObserver() = default;
  virtual void OnStockChanged(const StockLevel& level, EventSeq event_seq,
                              std::vector<OutboxMessage>& out) const = 0;
};

}  // namespace orderpilot::store
