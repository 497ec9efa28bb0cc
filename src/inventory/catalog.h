// inventory/catalog.h — what the shop sells, as far as stock and shipping care: weight and size
// per SKU, its product group and attributes (for substitutes), supplier lead time, and the
// channel's ids for the same item.
//
// Read from a CSV file (docs/inventory.md):
//   sku,title,product_group,attributes,grams,length_cm,width_cm,height_cm,lead_time_days,
//   shopify_inventory_item_id
// Only `sku` is required; attributes are "size=M;color=black". Unknown columns are refused (a
// typo must not silently drop data).
//
// Thread-safety: immutable after Parse; share it freely.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/status.h"

namespace orderpilot::inventory {

struct CatalogItem {
  std::string sku;
  std::string title;
  std::string product_group;  // SKUs of one group may substitute for each other
  std::vector<std::pair<std::string, std::string>> attributes;  // ("size", "M"), in file order
  int64_t grams = 0;                                            // per unit; 0 = unknown
  int64_t length_mm = 0, width_mm = 0, height_mm = 0;           // 0 = unknown
  int lead_time_days = 0;  // supplier lead time; 0 = the configuration's default
  std::string shopify_inventory_item_id;

  // Volume in cm³ (rounded up), 0 when any dimension is unknown.
  int64_t VolumeCm3() const;
};

// Hash for heterogeneous lookup by string_view (no std::string built per Find).
struct SkuHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>()(s); }
};

class Catalog {
 public:
  Catalog() = default;
  // InvalidArgument "<file>:<line>: reason" for a bad row (duplicate SKU, negative or
  // non-numeric number, malformed attributes, unknown column).
  static Result<Catalog> ParseCsv(std::string_view text, std::string_view file_name);
  static Result<Catalog> LoadCsv(const std::string& path);

  const CatalogItem* Find(std::string_view sku) const;
  const CatalogItem* FindByShopifyItem(std::string_view inventory_item_id) const;
  // The other SKUs of `sku`'s product group (none when it has no group or is unknown).
  std::vector<const CatalogItem*> Siblings(std::string_view sku) const;
  const std::vector<CatalogItem>& items() const { return items_; }
  bool empty() const { return items_.empty(); }

 private:
  std::vector<CatalogItem> items_;
  std::unordered_map<std::string, size_t, SkuHash, std::equal_to<>> by_sku_;
  std::unordered_map<std::string, size_t, SkuHash, std::equal_to<>> by_shopify_item_;
  std::unordered_map<std::string, std::vector<size_t>, SkuHash, std::equal_to<>> by_group_;
};

}  // namespace orderpilot::inventory
