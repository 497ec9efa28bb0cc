// inventory/backorder.h — when can a backordered line ship: the promise date.
//
// From the open purchase orders of the SKU (store::IncomingStock, soonest first): the day the
// cumulative incoming quantity covers the shortfall, plus one day to receive and put away;
// without enough incoming stock, today + the supplier lead time. Then + the transit days of the
// order's speed. Incoming units are not reserved for backorders, so two backorders waiting on
// the same purchase order may both be promised its date; the promise is a best estimate and the
// event says what it rests on.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/stock.h"

namespace orderpilot::inventory {

struct BackorderPromise {
  int64_t ship_day = 0;     // days since epoch the units should be there to ship
  int64_t deliver_day = 0;  // ship_day + transit_days
  std::string basis;        // "PO-1042 due 2026-12-01" or "supplier lead time 14 days"
};

// REQUIRES: short_units > 0. `incoming` may hold other SKUs' lines (they are skipped).
BackorderPromise PromiseFor(std::string_view sku, int64_t short_units,
                            const std::vector<store::IncomingStock>& incoming, int64_t today,
                            int lead_time_days, int transit_days);

// "2026-12-01" for a day number.
std::string FormatDay(int64_t day);

}  // namespace orderpilot::inventory
