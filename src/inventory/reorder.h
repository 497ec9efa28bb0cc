// inventory/reorder.h — when to reorder a SKU and how much, from its demand forecast.
//
// A periodic-review, reorder-point policy at the granularity the caller chooses (a SKU overall
// or a SKU at one location):
//   z             = InverseNormalCdf(service_level)
//   safety stock  = ceil(z · sigma · sqrt(lead_time_days))                      (never < 0)
//   reorder point = ceil(forecast units over the lead time) + safety stock
//   position      = on_hand − reserved + incoming within the lead time
//   reorder when position <= reorder point, ordering
//   quantity      = ceil(units over lead time + review period) + safety stock − position,
//                   at least the minimum order quantity, rounded up to whole packs.
// Units are whole units; days are UTC day numbers (days since 1970-01-01).
// Everything here is a pure, deterministic function; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "inventory/forecast.h"

namespace orderpilot::inventory {

// The inverse of the standard normal CDF (the z-score of a service level), by Acklam's rational
// approximation refined with one Halley step (error below 1e-12). InverseNormalCdf(0.95) =
// 1.64485..., (0.5) = 0. Returns -inf at 0, +inf at 1 and NaN outside [0, 1].
double InverseNormalCdf(double p);

// Units expected from a purchase order or transfer on a given day.
struct IncomingReceipt {
  int64_t day = 0;  // expected arrival; a day before `today` (late) still counts as coming
  int64_t units = 0;
};

// How a SKU is bought.
struct ReorderPolicy {
  int lead_time_days = 0;          // from ordering to units on the shelf, 0..3650
  double service_level = 0.95;     // wanted probability of no stock-out in a lead time, in (0, 1)
  int review_period_days = 7;      // how often orders are placed, 0..3650. Default: 7
  int64_t min_order_quantity = 0;  // 0 = none
  int64_t pack_size = 1;           // orders are whole packs; 0 or 1 = single units
};

// Stock of the SKU (at the location) on `today`.
struct StockPosition {
  int64_t today = 0;  // day number the levels are from
  int64_t on_hand = 0;
  int64_t reserved = 0;
  // Units known to arrive within the lead time, as a plain sum ...
  int64_t incoming_units = 0;
  // ... and/or with arrival days; receipts later than today + lead_time_days are not counted.
  std::vector<IncomingReceipt> incoming = {};
};

struct ReorderSuggestion {
  int64_t reorder_point = 0;
  int64_t safety_stock = 0;
  int64_t incoming = 0;  // incoming units counted in the position
  int64_t position = 0;  // on_hand − reserved + incoming
  // position <= reorder_point and there is something to order (a SKU without forecast demand and
  // without stock is not reordered).
  bool needs_reorder = false;
  int64_t quantity = 0;  // 0 when !needs_reorder
  // The first day on which the position, drawn down at the forecast, is at or below the reorder
  // point: today when it already is. nullopt when that does not happen within 730 days.
  std::optional<int64_t> order_by_day;
  // Days until the position is used up at the forecast (fractional; 0 when it is <= 0). nullopt
  // when it lasts beyond 730 days.
  std::optional<double> days_of_cover;
  // One line for people: "sells ~4.2/day; 12 on hand + 0 incoming cover 2.9 days; lead time 7
  // days → order 52 by 2026-11-23".
  std::string reason;
};

// Returns InvalidArgument (with the field's name) for a forecast with NaN or values beyond 1e12,
// negative stock or receipts, a service level outside (0, 1), lead time or review period outside
// 0..3650, or a negative pack size or minimum.
Result<ReorderSuggestion> SuggestReorder(const DemandForecast& forecast, const StockPosition& stock,
                                         const ReorderPolicy& policy);

}  // namespace orderpilot::inventory
