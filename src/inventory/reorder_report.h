// inventory/reorder_report.h — the reorder report: per SKU, the demand forecast from the event
// log, the reorder point, and what to order, how much, by when.
//
// Demand is store::Store::DemandByDay over the last `history_days` full UTC days (an order
// counts once, on the day it was first allocated or backordered). Stock is summed over the
// locations; incoming purchase orders count when they arrive within the lead time. The SKU's
// reorder point is also split over its locations in proportion to their on-hand units (evenly
// when none has any) and stored, so that a sale taking a location to its share appends
// "stock.low" (store/stock.h).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "inventory/catalog.h"
#include "inventory/forecast.h"
#include "inventory/location.h"
#include "inventory/reorder.h"
#include "store/store.h"

namespace orderpilot::inventory {

struct ReorderReportOptions {
  double service_level = 0.95;
  int review_days = 7;
  int history_days = 90;
  int default_lead_time_days = 14;  // for SKUs whose catalog row has none
};

struct ReorderLine {
  std::string sku;
  std::string title;
  DemandForecast forecast;
  int lead_time_days = 0;
  int64_t on_hand = 0;
  int64_t reserved = 0;
  ReorderSuggestion suggestion;
};

// Every SKU with stock or in the catalog, those to reorder first (soonest order-by day), then by
// SKU. Stores the reorder points as a side effect (Store::SetReorderPoints).
Result<std::vector<ReorderLine>> BuildReorderReport(store::Store& store, const Catalog& catalog,
                                                    const ReorderReportOptions& options,
                                                    Timestamp now);

// {"generated_at", "history_days", "items": [{sku, title, method, daily_rate, trend, sigma,
// lead_time_days, on_hand, reserved, incoming, position, safety_stock, reorder_point,
// needs_reorder, quantity, order_by, days_of_cover, reason}]}
std::string ReorderReportJson(const std::vector<ReorderLine>& lines, Timestamp now,
                              const ReorderReportOptions& options);

}  // namespace orderpilot::inventory
