// app/fulfillment.h — builds stock, allocation and shipping from the configuration: the catalog,
// the locations, the carriers' rate tables and the router over them, and the channel sync that
// publishes available-to-sell.
#pragma once

#include <memory>

#include "app/config.h"
#include "core/status.h"
#include "inventory/channel_sync.h"
#include "pipeline/allocation.h"
#include "store/store.h"

namespace orderpilot::app {

struct Fulfillment {
  std::unique_ptr<pipeline::FulfillmentSetup> setup;  // null when no locations are configured
  std::unique_ptr<inventory::ShopifyInventorySync> sync;
};

// Loads the catalog and rate tables named in `config` and checks that every location falls in
// an origin zone and its handling cost fits the rate tables' currency. Errors name the file or
// configuration field. Returns an empty Fulfillment when no locations are configured.
Result<Fulfillment> BuildFulfillment(const Config& config);

// Imports config.inventory.initial_stock when the store holds no stock yet (a fresh data
// directory). Returns how many levels were set.
Result<size_t> ImportInitialStock(store::Store& store, const Config& config);

// Reads a stock CSV (inventory/stock_import.h) and applies it in one transaction. Returns how
// many rows were applied (0 for a replay of the same file).
Result<size_t> ImportStockFile(store::Store& store, const Config& config, const std::string& path,
                               std::string_view actor);
Result<size_t> ImportIncomingFile(store::Store& store, const Config& config,
                                  const std::string& path);

}  // namespace orderpilot::app
