// api/inventory_json.h — request bodies of the inventory and shipment routes, and Shopify's
// inventory_levels/update webhook (simdjson stays in the .cc).
//
// Every decoder: InvalidArgument (400) for a body that is not a JSON object; Unprocessable (422)
// naming the field for a missing or mistyped member or a value out of range.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/stock.h"

namespace orderpilot::api {

// POST /v1/inventory/adjustments:
//   {"sku": "...", "location": "...", "set": 12 | "delta": -3, "safety_stock": 2,
//    "reason": "cycle count", "idempotency_key": "..."}
// Exactly one of set (>= 0) and delta (!= 0); safety_stock optional (>= 0); reason required;
// idempotency_key required here or in the Idempotency-Key header (the caller passes it).
Result<store::StockAdjustment> DecodeAdjustmentBody(std::string_view body,
                                                    std::string_view header_key);

// POST /v1/orders/{id}/shipments: {"location": "...", "carrier": "UPS", "service": "...",
// "tracking_number": "1Z..."}; carrier and tracking_number required, location optional.
Result<store::ShipmentRequest> DecodeShipmentBody(std::string_view body);

// POST /v1/inventory/purchase_orders:
//   {"purchase_order": "PO-1042", "lines": [{"sku", "location", "quantity", "expected_at"}]}
Result<std::vector<store::IncomingStock>> DecodePurchaseOrderBody(std::string_view body);

// Shopify's inventory_levels/update payload: ids as exact decimal text; available may be null
// (untracked), then nullopt.
struct ShopifyInventoryLevel {
  std::string inventory_item_id;
  std::string location_id;
  std::optional<int64_t> available;
};
Result<ShopifyInventoryLevel> DecodeShopifyInventoryLevel(std::string_view body);

}  // namespace orderpilot::api
