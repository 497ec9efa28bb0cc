// inventory/stock_import.h — CSV files of initial stock and of purchase orders.
//
// Stock (`orderpilot import stock FILE.csv`):
//   sku,location,on_hand[,safety_stock]
// sets each (sku, location) to the given figures. Purchase orders (`orderpilot import incoming`):
//   purchase_order,sku,location,quantity,expected_at      (expected_at: 2026-12-01 or RFC 3339)
// Every row is checked before anything is written; the first bad row is reported as
// "<file>:<line>: reason" and nothing is imported. Locations must be configured ones.
// Each stock row's idempotency key is derived from the file's content and the row, so importing
// the same file twice changes nothing the second time.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "inventory/location.h"
#include "store/stock.h"

namespace orderpilot::inventory {

Result<std::vector<store::StockAdjustment>> ParseStockCsv(std::string_view text,
                                                          std::string_view file_name,
                                                          const std::vector<Location>& locations,
                                                          std::string_view actor);

Result<std::vector<store::IncomingStock>> ParseIncomingCsv(std::string_view text,
                                                           std::string_view file_name,
                                                           const std::vector<Location>& locations);

// The configured location with this code, or nullptr.
const Location* FindLocation(const std::vector<Location>& locations, std::string_view code);

}  // namespace orderpilot::inventory
