// inventory/substitute.h — proposing a substitute when a SKU is out of stock.
//
// A substitute is another SKU of the same product group (catalog.h) with enough units
// available, whose attributes are closest: most attributes with equal values, then fewest that
// differ, then most units available, then SKU order (deterministic). It is only ever a proposal:
// the pipeline turns it into a review item for a person ("substitute_sku"), never a silent swap.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/catalog.h"

namespace orderpilot::inventory {

struct SubstituteProposal {
  const CatalogItem* item = nullptr;  // the substitute (points into the catalog)
  int matching_attributes = 0;
  std::vector<std::string> differences;  // "color: Black → Navy", "fit: (none) → slim"
  int64_t available = 0;
};

// `available(sku)` is how many units of a SKU can be allocated now (across locations).
// nullopt when the SKU is not in the catalog, has no product group, or no other SKU of its
// group has `quantity` units available.
std::optional<SubstituteProposal> FindSubstitute(
    const Catalog& catalog, std::string_view sku, int64_t quantity,
    const std::function<int64_t(std::string_view sku)>& available);

}  // namespace orderpilot::inventory
