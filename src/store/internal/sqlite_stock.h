// store/internal/sqlite_stock.h — the stock half of the SQLite store: levels, reservations,
// adjustments, shipments and purchase orders (store/stock.h), as SQL on one connection.
//
// Invariants:
//  * 0 <= reserved <= on_hand at every statement: the CHECK of the stock table, so the order of
//    the statements matters (release before lowering on_hand, ship both columns at once).
//  * stock.reserved equals the sum of the level's reservations in state 'reserved'.
//  * Every write ends with StockWrite::Publish: one "inventory.available_changed" per level it
//    changed on the SKU's stream, "stock.low" on crossing the reorder point, and the observer's
//    outbox messages, in the caller's transaction.
//
// Thread-safety: the *Work functions and StockWrite run on the writer thread inside a write
// transaction; the Read* functions on a read connection. A Connection is used by one thread at a
// time.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"
#include "store/internal/sqlite_util.h"
#include "store/stock.h"
#include "store/store.h"

namespace orderpilot::store::internal {

// The level changes of one write (a transition, an adjustment, a shipment, a receipt), gathered
// per (sku, location) and published together when the write is done.
class StockWrite {
 public:
  // `observer` may be null. `actor` is recorded on the SKU events.
  StockWrite(Connection& c, int64_t now, const StockObserver* observer, std::string actor)
      : c_(c), now_(now), observer_(observer), actor_(std::move(actor)) {}
  StockWrite(const StockWrite&) = delete;
  StockWrite& operator=(const StockWrite&) = delete;

  Connection& conn() { return c_; }
  int64_t now() const { return now_; }

  // Records a change already applied to the stock row of (sku, location). Reasons of one level
  // are joined with '+' ("released+reserved"); the order is kept when every change of the level
  // came from that one order.
  void Note(std::string_view sku, std::string_view location, int64_t delta_on_hand,
            int64_t delta_reserved, int64_t delta_safety_stock, std::string_view reason,
            OrderId order);

  // Appends the events of every level that changed, calls the observer and writes its outbox
  // messages. Returns the level after the write of every noted (sku, location), changed or not,
  // ordered by (sku, location). REQUIRES: called once, after the last Note.
  Result<std::vector<StockLevel>> Publish();

 private:
  struct Change {
    int64_t delta_on_hand = 0;
    int64_t delta_reserved = 0;
    int64_t delta_safety_stock = 0;
    std::string reason;
    OrderId order;
    bool mixed_orders = false;
    bool noted = false;
  };

  Connection& c_;
  const int64_t now_;
  const StockObserver* const observer_;
  const std::string actor_;
  std::map<std::pair<std::string, std::string>, Change> changes_;
};

// --- writes (writer thread, inside the caller's transaction) ----------------------------------

// Takes each reservation for `order`: the level must have that many units available (on_hand −
// reserved − safety_stock) right now. Aborted("stock: …") when one does not; InvalidArgument for
// an empty sku or location or a quantity <= 0. A failure leaves earlier reservations of the call
// written: the caller's savepoint undoes them.
Status ReserveStock(StockWrite& w, OrderId order, const std::vector<Reservation>& reservations);

// Releases every open reservation of `order`. Returns how many there were.
Result<int64_t> ReleaseReservations(StockWrite& w, OrderId order, std::string_view reason);

// ReleaseReservations of `order` as one stock write of its own, published (the level events and
// the observer's outbox messages): for callers that change no other stock.
Status ReleaseOrderStock(Connection& c, OrderId order, std::string_view reason,
                         std::string_view actor, int64_t now, const StockObserver* observer);

// Releases up to `quantity` units of `sku` from the open reservations of `order` (any location),
// newest reservation first: a row gives up part of its quantity, or, when that would take it to
// 0, turns 'released' (keeping its quantity: the table wants it positive). reserved drops by the
// same units; each change is noted on `w` with `reason`. Returns what was released per location,
// in the order released (empty when the order holds none of `sku`). REQUIRES: quantity >= 0.
Result<std::vector<Reservation>> ReduceReservations(StockWrite& w, OrderId order,
                                                    std::string_view sku, int64_t quantity,
                                                    std::string_view reason);

// Whether `order` still holds an open reservation.
Result<bool> HasOpenReservations(Connection& c, OrderId order);

// AdjustStock / AdjustStockAll (store.h): each adjustment is its own StockWrite. With
// `name_index`, errors start with "adjustment <i>: ". `out` gets one outcome per adjustment.
Status AdjustStockWork(Connection& c, const std::vector<StockAdjustment>& adjustments,
                       bool name_index, int64_t now, const StockObserver* observer,
                       std::vector<AdjustmentOutcome>& out);

Status ShipWork(Connection& c, const ShipmentRequest& r, int64_t now, const StockObserver* observer,
                ShipmentOutcome& out);

Status AddIncomingWork(Connection& c, const std::vector<IncomingStock>& lines, int64_t now);

Status ReceiveIncomingWork(Connection& c, const std::string& purchase_order,
                           const std::string& actor, int64_t now, const StockObserver* observer,
                           std::vector<AdjustmentOutcome>& out);

Status SetReorderPointsWork(Connection& c, const std::vector<StockLevel>& levels, int64_t now);

// --- reads ------------------------------------------------------------------------------------

Result<std::optional<StockLevel>> ReadLevel(Connection& c, std::string_view sku,
                                            std::string_view location);
Result<std::vector<StockLevel>> ReadStock(Connection& c, const std::vector<std::string>& skus);
// REQUIRES: 1 <= limit.
Result<Page<StockLevel>> ReadStockPage(Connection& c, const std::string& sku,
                                       const std::string& location, int limit,
                                       std::optional<int64_t> cursor);
Result<std::vector<ReservationRecord>> ReadReservations(Connection& c, OrderId order);
Result<std::vector<IncomingStock>> ReadIncoming(Connection& c, const std::vector<std::string>& skus,
                                                bool open_only);
Result<std::vector<DailyDemand>> ReadDemandByDay(Connection& c, Timestamp from, Timestamp to);

}  // namespace orderpilot::store::internal
