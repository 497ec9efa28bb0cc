// app/inventory_cli.h — `orderpilot import stock|incoming FILE.csv` and
// `orderpilot inventory reorder`: the inventory commands that work on the data directory
// directly (a running server may have it open too: SQLite serialises the writers).
#pragma once

#include <cstdio>
#include <string>

#include "app/config.h"
#include "core/time.h"
#include "inventory/catalog.h"
#include "store/store.h"

namespace orderpilot::app {

// kind is "stock" or "incoming". Prints one line: what was imported, or the first error
// ("stock.csv:12: unknown location 'renoo' (configured: reno, newark)"). Returns the exit code.
int ImportCommand(const Config& config, const std::string& kind, const std::string& file,
                  std::FILE* out, std::FILE* err);

// The reorder report as JSON (GET /v1/inventory/reorder); stores the reorder points.
Result<std::string> ReorderReportJsonFor(store::Store& store, const Config& config,
                                         const inventory::Catalog& catalog, Timestamp now);

// Prints the reorder report as a table (or JSON with `json`), and stores the reorder points.
int ReorderCommand(const Config& config, bool json, std::FILE* out, std::FILE* err);

}  // namespace orderpilot::app
