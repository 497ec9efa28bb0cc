#include "app/fulfillment.h"

#include "core/text_file.h"
#include "inventory/stock_import.h"
#include "routing/rate_table.h"
#include "routing/router.h"

namespace orderpilot::app {
namespace {

std::vector<inventory::Location> Locations(const Config& config) {
  std::vector<inventory::Location> out;
  for (const LocationConfig& lc : config.locations) out.push_back(lc.location);
  return out;
}

}  // namespace

Result<Fulfillment> BuildFulfillment(const Config& config) {
  Fulfillment f;
  if (config.locations.empty()) return f;
  auto setup = std::make_unique<pipeline::FulfillmentSetup>();
  if (!config.inventory.catalog.empty()) {
    OP_ASSIGN_OR_RETURN(setup->catalog, inventory::Catalog::LoadCsv(config.inventory.catalog));
  }
  OP_ASSIGN_OR_RETURN(routing::RateTables tables, routing::RateTables::Load(config.carrier_files));
  const Currency currency = tables.currency();
  std::vector<routing::Site> sites;
  for (const LocationConfig& lc : config.locations) {
    inventory::Location loc = lc.location;
    Result<Money> handling = Money::Parse(lc.handling_cost, currency);
    if (!handling.ok()) {
      return InvalidArgumentError(lc.field + ".handling_cost '" + lc.handling_cost +
                                      "' is not an amount in " + std::string(currency.code()) +
                                      " (the rate tables' currency)",
                                  lc.field + ".handling_cost");
    }
    loc.handling_cost = *handling;
    OP_ASSIGN_OR_RETURN(TimeZone zone, TimeZone::Load(loc.time_zone));
    routing::Site site;
    site.code = loc.code;
    site.name = loc.name;
    site.country_code = loc.address.country_code;
    site.postcode = loc.address.zip;
    site.handling_cost = loc.handling_cost;
    site.cutoff_minutes = loc.cutoff_minutes;
    site.zone = zone;
    sites.push_back(std::move(site));
    setup->locations.push_back(std::move(loc));
  }
  Result<Money> penalty = Money::Parse(config.inventory.split_penalty, currency);
  if (!penalty.ok()) {
    return InvalidArgumentError("inventory.split_penalty '" + config.inventory.split_penalty +
                                    "' is not an amount in " + std::string(currency.code()),
                                "inventory.split_penalty");
  }
  setup->split_penalty = *penalty;
  setup->default_lead_time_days = config.inventory.default_lead_time_days;
  setup->propose_substitutes = config.inventory.substitutes;
  setup->standard_days = config.inventory.standard_days;
  setup->express_days = config.inventory.express_days;
  setup->overnight_days = config.inventory.overnight_days;
  routing::RouterOptions ro;
  ro.standard_days = config.inventory.standard_days;
  ro.express_days = config.inventory.express_days;
  ro.overnight_days = config.inventory.overnight_days;
  OP_ASSIGN_OR_RETURN(setup->router,
                      routing::Router::Create(std::move(tables), std::move(sites), ro));

  inventory::ChannelSyncOptions sync;
  for (const ShopConfig& s : config.shops) {
    if (s.domain != "*") sync.shopify_shops.push_back(s.domain);
  }
  sync.shopify_buffer = config.inventory.shopify_buffer;
  f.sync = std::make_unique<inventory::ShopifyInventorySync>(setup->catalog, setup->locations,
                                                             std::move(sync));
  f.setup = std::move(setup);
  return f;
}

Result<size_t> ImportStockFile(store::Store& store, const Config& config, const std::string& path,
                               std::string_view actor) {
  OP_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path, "stock file"));
  OP_ASSIGN_OR_RETURN(std::vector<store::StockAdjustment> rows,
                      inventory::ParseStockCsv(text, path, Locations(config), actor));
  OP_ASSIGN_OR_RETURN(std::vector<store::AdjustmentOutcome> outcomes, store.AdjustStockAll(rows));
  size_t applied = 0;
  for (const store::AdjustmentOutcome& o : outcomes) applied += o.duplicate ? 0 : 1;
  return applied;
}

Result<size_t> ImportIncomingFile(store::Store& store, const Config& config,
                                  const std::string& path) {
  OP_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path, "purchase order file"));
  OP_ASSIGN_OR_RETURN(std::vector<store::IncomingStock> lines,
                      inventory::ParseIncomingCsv(text, path, Locations(config)));
  OP_RETURN_IF_ERROR(store.AddIncoming(lines));
  return lines.size();
}

Result<size_t> ImportInitialStock(store::Store& store, const Config& config) {
  if (config.inventory.initial_stock.empty() || config.locations.empty()) return size_t{0};
  OP_ASSIGN_OR_RETURN(store::Page<store::StockLevel> any, store.ListStock("", "", 1, std::nullopt));
  if (!any.items.empty()) return size_t{0};
  return ImportStockFile(store, config, config.inventory.initial_stock, "import");
}

}  // namespace orderpilot::app
