#include "app/inventory_cli.h"

#include "app/fulfillment.h"
#include "app/server.h"
#include "inventory/backorder.h"
#include "inventory/reorder_report.h"
#include "store/sqlite_store.h"

namespace orderpilot::app {
namespace {

int Fail(std::FILE* err, const Status& s) {
  std::fprintf(err, "orderpilot: %s\n", s.message().c_str());
  return 2;
}

// The fulfillment setup of the configuration and the data directory's store, with its channel
// sync (imports publish stock too).
struct Inventory {
  Fulfillment fulfillment;
  std::unique_ptr<store::SqliteStore> store;
};

Result<Inventory> OpenInventory(const Config& config, const Clock& clock) {
  if (config.locations.empty()) {
    return FailedPreconditionError(
        "no locations are configured: pass --config with a 'locations' section");
  }
  Inventory inv;
  OP_ASSIGN_OR_RETURN(inv.fulfillment, BuildFulfillment(config));
  OP_ASSIGN_OR_RETURN(inv.store, OpenDataStore(config, clock, inv.fulfillment.sync.get()));
  return inv;
}

inventory::ReorderReportOptions ReportOptions(const Config& config) {
  inventory::ReorderReportOptions o;
  o.service_level = config.inventory.service_level;
  o.review_days = config.inventory.review_days;
  o.history_days = config.inventory.history_days;
  o.default_lead_time_days = config.inventory.default_lead_time_days;
  return o;
}

}  // namespace

int ImportCommand(const Config& config, const std::string& kind, const std::string& file,
                  std::FILE* out, std::FILE* err) {
  SystemClock clock;
  auto inv = OpenInventory(config, clock);
  if (!inv.ok()) return Fail(err, inv.status());
  if (kind == "stock") {
    auto n = ImportStockFile(*inv->store, config, file, "import");
    if (!n.ok()) return Fail(err, n.status());
    std::fprintf(out, "imported %zu stock levels from %s%s\n", *n, file.c_str(),
                 *n == 0 ? " (already imported: nothing changed)" : "");
    return 0;
  }
  if (kind == "incoming") {
    auto n = ImportIncomingFile(*inv->store, config, file);
    if (!n.ok()) return Fail(err, n.status());
    std::fprintf(out, "imported %zu purchase-order lines from %s\n", *n, file.c_str());
    return 0;
  }
  return Fail(err, InvalidArgumentError("unknown import kind '" + kind + "' (stock, incoming)"));
}

Result<std::string> ReorderReportJsonFor(store::Store& store, const Config& config,
                                         const inventory::Catalog& catalog, Timestamp now) {
  const inventory::ReorderReportOptions o = ReportOptions(config);
  OP_ASSIGN_OR_RETURN(std::vector<inventory::ReorderLine> lines,
                      inventory::BuildReorderReport(store, catalog, o, now));
  return inventory::ReorderReportJson(lines, now, o);
}

int ReorderCommand(const Config& config, bool json, std::FILE* out, std::FILE* err) {
  SystemClock clock;
  auto inv = OpenInventory(config, clock);
  if (!inv.ok()) return Fail(err, inv.status());
  const inventory::ReorderReportOptions o = ReportOptions(config);
  auto lines =
      inventory::BuildReorderReport(*inv->store, inv->fulfillment.setup->catalog, o, clock.Now());
  if (!lines.ok()) return Fail(err, lines.status());
  if (json) {
    std::fprintf(out, "%s\n", inventory::ReorderReportJson(*lines, clock.Now(), o).c_str());
    return 0;
  }
  std::fprintf(out, "%-22s %-20s %8s %8s %8s %8s %10s  %s\n", "SKU", "METHOD", "PER DAY",
               "POSITION", "ROP", "ORDER", "BY", "WHY");
  for (const inventory::ReorderLine& l : *lines) {
    const inventory::ReorderSuggestion& s = l.suggestion;
    std::string by = s.order_by_day ? inventory::FormatDay(*s.order_by_day) : "-";
    std::fprintf(out, "%-22s %-20s %8.2f %8lld %8lld %8lld %10s  %s\n", l.sku.c_str(),
                 std::string(l.forecast.method_name()).c_str(), l.forecast.rate,
                 static_cast<long long>(s.position), static_cast<long long>(s.reorder_point),
                 static_cast<long long>(s.quantity), s.needs_reorder ? by.c_str() : "-",
                 s.reason.c_str());
  }
  return 0;
}

}  // namespace orderpilot::app
