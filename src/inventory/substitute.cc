#include "inventory/substitute.h"

#include <tuple>

namespace orderpilot::inventory {
namespace {

const std::string* Attribute(const CatalogItem& item, const std::string& name) {
  for (const auto& [k, v] : item.attributes) {
    if (k == name) return &v;
  }
  return nullptr;
}

}  // namespace

std::optional<SubstituteProposal> FindSubstitute(
    const Catalog& catalog, std::string_view sku, int64_t quantity,
    const std::function<int64_t(std::string_view sku)>& available) {
  const CatalogItem* original = catalog.Find(sku);
  if (!original || original->product_group.empty()) return std::nullopt;
  std::optional<SubstituteProposal> best;
  auto rank = [](const SubstituteProposal& p) {
    // Larger is better on every component but the SKU, which breaks ties alphabetically.
    return std::make_tuple(p.matching_attributes, -static_cast<int>(p.differences.size()),
                           p.available);
  };
  for (const CatalogItem* sibling : catalog.Siblings(sku)) {
    const CatalogItem& candidate = *sibling;
    const int64_t units = available(candidate.sku);
    if (units < quantity) continue;
    SubstituteProposal p;
    p.item = &candidate;
    p.available = units;
    for (const auto& [name, value] : original->attributes) {
      const std::string* other = Attribute(candidate, name);
      if (other && *other == value) {
        ++p.matching_attributes;
      } else {
        p.differences.push_back(name + ": " + value + " → " + (other ? *other : "(none)"));
      }
    }
    for (const auto& [name, value] : candidate.attributes) {
      if (!Attribute(*original, name)) p.differences.push_back(name + ": (none) → " + value);
    }
    if (!best || rank(p) > rank(*best) ||
        (rank(p) == rank(*best) && p.item->sku < best->item->sku)) {
      best = std::move(p);
    }
  }
  return best;
}

}  // namespace orderpilot::inventory
