// fuzz/stock_import_fuzz.cc — the inventory CSV imports: initial stock and purchase orders
// (inventory/stock_import.h) and the SKU catalog (inventory/catalog.h), on the same text.
//
// Checks besides "no crash": an accepted stock file names only configured locations, non-empty
// SKUs and non-negative figures; an accepted purchase-order file has quantities above zero; every
// SKU of an accepted catalog is found again by Find.
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "inventory/catalog.h"
#include "inventory/location.h"
#include "inventory/stock_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orderpilot;
  using fuzz::Check;
  static const std::vector<inventory::Location>* locations = [] {
    auto* l = new std::vector<inventory::Location>(2);
    (*l)[0].code = "reno";
    (*l)[1].code = "newark";
    return l;
  }();
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto stock = inventory::ParseStockCsv(text, "stock.csv", *locations, "fuzz"); stock.ok()) {
    for (const store::StockAdjustment& a : *stock) {
      Check(!a.sku.empty(), "an imported row without a SKU");
      Check(inventory::FindLocation(*locations, a.location) != nullptr, "an unknown location");
      Check(a.quantity >= 0, "a negative on_hand");
    }
  }
  if (auto incoming = inventory::ParseIncomingCsv(text, "incoming.csv", *locations);
      incoming.ok()) {
    for (const store::IncomingStock& in : *incoming) {
      Check(in.quantity > 0, "a purchase order line without units");
      Check(inventory::FindLocation(*locations, in.location) != nullptr, "an unknown location");
    }
  }
  if (auto catalog = inventory::Catalog::ParseCsv(text, "catalog.csv"); catalog.ok()) {
    for (const inventory::CatalogItem& item : catalog->items()) {
      Check(catalog->Find(item.sku) == &item, "a catalog SKU is not found again");
      Check(item.grams >= 0 && item.lead_time_days >= 0, "a negative catalog figure");
      (void)item.VolumeCm3();
      (void)catalog->Siblings(item.sku);
    }
  }
  return 0;
}
