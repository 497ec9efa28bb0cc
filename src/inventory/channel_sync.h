// inventory/channel_sync.h — keeps sales channels' stock figures in step with ours.
//
// Every change of a stock level (store/stock.h) yields, for each synced Shopify shop, an outbox
// message shaped like Shopify's Admin REST `POST /admin/api/<version>/inventory_levels/set.json`
// request: {"location_id": …, "inventory_item_id": …, "available": N} where
//   N = max(0, on_hand − reserved − safety_stock − channel buffer)
// (available-to-sell for that channel). A level is synced only when its location has a
// shopify_location_id and its SKU a shopify_inventory_item_id in the catalog. The message's
// idempotency key names the event, so each change is sent at least once, and the set is
// absolute, so a late duplicate cannot move the figure backwards past a newer one in order.
//
// Thread-safety: immutable; OnStockChanged may run on any thread.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "inventory/catalog.h"
#include "inventory/location.h"
#include "store/stock.h"
#include "store/store.h"

namespace orderpilot::inventory {

inline constexpr std::string_view kShopifyInventoryKind = "shopify_inventory_set";

struct ChannelSyncOptions {
  std::vector<std::string> shopify_shops;  // "demo-shop.myshopify.com"
  int64_t shopify_buffer = 0;              // units held back from Shopify per SKU and location
  std::string shopify_api_version = "2024-01";
};

// What a channel may sell of a level: max(0, available() − buffer).
int64_t ChannelAvailable(const store::StockLevel& level, int64_t buffer);

class ShopifyInventorySync final : public store::StockObserver {
 public:
  // `catalog` and `locations` must outlive this object.
  ShopifyInventorySync(const Catalog& catalog, const std::vector<Location>& locations,
                       ChannelSyncOptions options);

  void OnStockChanged(const store::StockLevel& level, EventSeq event_seq,
                      std::vector<store::OutboxMessage>& out) const override;

 private:
  const Catalog& catalog_;
  std::unordered_map<std::string, std::string> shopify_location_;  // code → location_id
  ChannelSyncOptions options_;
};

}  // namespace orderpilot::inventory
