#include "inventory/channel_sync.h"

#include <algorithm>

#include "core/json_writer.h"

namespace orderpilot::inventory {

int64_t ChannelAvailable(const store::StockLevel& level, int64_t buffer) {
  return std::max<int64_t>(0, level.available() - buffer);
}

ShopifyInventorySync::ShopifyInventorySync(const Catalog& catalog,
                                           const std::vector<Location>& locations,
                                           ChannelSyncOptions options)
    : catalog_(catalog), options_(std::move(options)) {
  for (const Location& l : locations) {
    if (!l.shopify_location_id.empty()) shopify_location_.emplace(l.code, l.shopify_location_id);
  }
}

void ShopifyInventorySync::OnStockChanged(const store::StockLevel& level, EventSeq event_seq,
                                          std::vector<store::OutboxMessage>& out) const {
  if (options_.shopify_shops.empty()) return;
  auto loc = shopify_location_.find(level.location);
  if (loc == shopify_location_.end()) return;
  const CatalogItem* item = catalog_.Find(level.sku);
  if (!item || item->shopify_inventory_item_id.empty()) return;
  JsonWriter w;
  // Shopify's ids exceed 2^53: written as bare digits, never through a double.
  w.BeginObject().Key("location_id").Raw(loc->second);
  w.Key("inventory_item_id").Raw(item->shopify_inventory_item_id);
  w.Field("available", ChannelAvailable(level, options_.shopify_buffer)).EndObject();
  const std::string payload = w.Take();
  for (const std::string& shop : options_.shopify_shops) {
    store::OutboxMessage m;
    m.kind = std::string(kShopifyInventoryKind);
    m.destination = "https://" + shop + "/admin/api/" + options_.shopify_api_version +
                    "/inventory_levels/set.json";
    m.payload = payload;
    m.idempotency_key = "inventory:" + shop + ":" + item->shopify_inventory_item_id + ":" +
                        loc->second + ":" + event_seq.ToString();
    out.push_back(std::move(m));
  }
}

}  // namespace orderpilot::inventory
