#include "inventory/location.h"

namespace orderpilot::inventory {

bool Location::MayShip(std::string_view sku) const {
  if (skus.empty()) return true;
  for (const std::string& pattern : skus) {
    if (!pattern.empty() && pattern.back() == '*') {
      if (sku.substr(0, pattern.size() - 1) ==
          std::string_view(pattern).substr(0, pattern.size() - 1))
        return true;
    } else if (sku == pattern) {
      return true;
    }
  }
  return false;
}

}  // namespace orderpilot::inventory
