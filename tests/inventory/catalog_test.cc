// The catalog, locations, substitutes, backorder promises, stock CSV import and the Shopify
// stock sync: the inventory module's pieces besides forecasts.
#include "inventory/catalog.h"

#include <gtest/gtest.h>

#include "inventory/backorder.h"
#include "inventory/channel_sync.h"
#include "inventory/location.h"
#include "inventory/stock_import.h"
#include "inventory/substitute.h"

namespace orderpilot::inventory {
namespace {

constexpr std::string_view kCatalog =
    "sku,title,product_group,attributes,grams,length_cm,width_cm,height_cm,lead_time_days,"
    "shopify_inventory_item_id\n"
    "TEE-M-BLK,Tee,tee,size=M;color=Black,180,30,25,2.5,21,1001\n"
    "TEE-M-NVY,Tee,tee,size=M;color=Navy,180,30,25,2,21,1002\n"
    "TEE-L-BLK,Tee,tee,size=L;color=Black,190,30,25,2,21,1003\n"
    "TEE-S-WHT,Tee,tee,size=S;color=White,170,,,,,\n"
    "CAP,Cap,,,110,,,,,\n";

Catalog Load() {
  auto c = Catalog::ParseCsv(kCatalog, "catalog.csv");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(*c) : Catalog();
}

TEST(CatalogTest, ReadsWeightsSizesAttributesAndShopifyIds) {
  Catalog c = Load();
  const CatalogItem* tee = c.Find("TEE-M-BLK");
  ASSERT_NE(tee, nullptr);
  EXPECT_EQ(tee->grams, 180);
  EXPECT_EQ(tee->VolumeCm3(), 1875);  // 30 × 25 × 2.5 cm
  ASSERT_EQ(tee->attributes.size(), 2u);
  EXPECT_EQ(tee->attributes[1].second, "Black");
  EXPECT_EQ(tee->lead_time_days, 21);
  EXPECT_EQ(c.FindByShopifyItem("1002")->sku, "TEE-M-NVY");
  EXPECT_EQ(c.Find("TEE-S-WHT")->VolumeCm3(), 0) << "unknown size: no dimensional weight";
  EXPECT_EQ(c.Find("nope"), nullptr);
}

TEST(CatalogTest, RefusesBadRowsNamingTheLine) {
  struct Case {
    std::string text;
    std::string message;
  } cases[] = {
      {"sku,grams\nA,1\nA,2\n", "catalog.csv:3: sku 'A' appears twice"},
      {"sku,grams\nA,-1\n", "catalog.csv:2: grams must be a whole number >= 0"},
      {"sku,attributes\nA,size\n", "catalog.csv:2: attributes must be name=value"},
      {"sku,colour\nA,red\n", "catalog.csv:1: unknown column 'colour'"},
      {"sku,length_cm\nA,1.25\n", "catalog.csv:2: dimensions must be centimetres"},
      {"sku,shopify_inventory_item_id\nA,gid://x\n", "catalog.csv:2: shopify_inventory_item_id"},
      {"title\nA\n", "catalog.csv:1: no 'sku' column"},
  };
  for (const Case& c : cases) {
    auto r = Catalog::ParseCsv(c.text, "catalog.csv");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().message().rfind(c.message, 0), 0u) << r.status().message();
  }
}

TEST(LocationTest, MayShipMatchesExactSkusAndPrefixes) {
  Location l;
  EXPECT_TRUE(l.MayShip("ANY")) << "no list: everything";
  l.skus = {"TEE-*", "CAP"};
  EXPECT_TRUE(l.MayShip("TEE-M-BLK"));
  EXPECT_TRUE(l.MayShip("CAP"));
  EXPECT_FALSE(l.MayShip("CAPS"));
  EXPECT_FALSE(l.MayShip("MUG"));
}

TEST(SubstituteTest, PrefersTheClosestAttributesWithEnoughStock) {
  Catalog c = Load();
  auto available = [](std::string_view sku) -> int64_t {
    if (sku == "TEE-M-NVY") return 5;
    if (sku == "TEE-L-BLK") return 50;
    if (sku == "TEE-S-WHT") return 500;
    return 0;
  };
  auto sub = FindSubstitute(c, "TEE-M-BLK", 2, available);
  ASSERT_TRUE(sub);
  // M/Navy and L/Black both keep one attribute and change one: L/Black has more units.
  EXPECT_EQ(sub->item->sku, "TEE-L-BLK");
  EXPECT_EQ(sub->matching_attributes, 1);
  ASSERT_EQ(sub->differences.size(), 1u);
  EXPECT_EQ(sub->differences[0], "size: M → L");
  // Not enough of either one-attribute match: the closest with enough units.
  EXPECT_EQ(FindSubstitute(c, "TEE-M-BLK", 60, available)->item->sku, "TEE-S-WHT");
  EXPECT_FALSE(FindSubstitute(c, "TEE-M-BLK", 1000, available));
  EXPECT_FALSE(FindSubstitute(c, "CAP", 1, available)) << "no product group";
  EXPECT_FALSE(FindSubstitute(c, "UNKNOWN", 1, available));
}

TEST(BackorderTest, PromiseComesFromTheFirstPurchaseOrderThatCoversTheShortfall) {
  constexpr int64_t kDay = 86'400'000'000;
  std::vector<store::IncomingStock> incoming = {
      {"PO-2", "TEE", "reno", 5, Timestamp{20'010 * kDay}, false},
      {"PO-1", "TEE", "reno", 2, Timestamp{20'005 * kDay}, false},
      {"PO-3", "CAP", "reno", 100, Timestamp{20'001 * kDay}, false},
  };
  BackorderPromise p = PromiseFor("TEE", 4, incoming, 20'000, 14, 5);
  EXPECT_EQ(p.basis, "PO-2 due " + FormatDay(20'010));
  EXPECT_EQ(p.ship_day, 20'011);
  EXPECT_EQ(p.deliver_day, 20'016);
  BackorderPromise none = PromiseFor("TEE", 10, incoming, 20'000, 14, 2);
  EXPECT_EQ(none.ship_day, 20'014);
  EXPECT_NE(none.basis.find("supplier lead time 14 days"), std::string::npos);
  EXPECT_NE(none.basis.find("cover only 7"), std::string::npos);
  EXPECT_EQ(FormatDay(0), "1970-01-01");
}

TEST(StockImportTest, ReadsRowsAndRefusesUnknownLocationsBeforeWritingAnything) {
  std::vector<Location> locs(2);
  locs[0].code = "reno";
  locs[1].code = "newark";
  auto rows = ParseStockCsv("sku,location,on_hand,safety_stock\nTEE,reno,12,2\nCAP,newark,0,\n",
                            "stock.csv", locs, "import");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].mode, store::AdjustmentMode::kSet);
  EXPECT_EQ((*rows)[0].quantity, 12);
  EXPECT_EQ((*rows)[0].safety_stock, 2);
  EXPECT_FALSE((*rows)[1].safety_stock);
  EXPECT_NE((*rows)[0].idempotency_key, (*rows)[1].idempotency_key);
  auto again = ParseStockCsv("sku,location,on_hand,safety_stock\nTEE,reno,12,2\nCAP,newark,0,\n",
                             "stock.csv", locs, "import");
  EXPECT_EQ((*again)[0].idempotency_key, (*rows)[0].idempotency_key) << "same file, same keys";

  auto bad = ParseStockCsv("sku,location,on_hand\nTEE,renoo,1\n", "stock.csv", locs, "import");
  EXPECT_EQ(bad.status().message(),
            "stock.csv:2: unknown location 'renoo' (configured: reno, newark)");
  EXPECT_FALSE(ParseStockCsv("sku,location,on_hand\nTEE,reno,-1\n", "s.csv", locs, "i").ok());
  EXPECT_FALSE(ParseStockCsv("sku,location\nTEE,reno\n", "s.csv", locs, "i").ok());
  EXPECT_FALSE(
      ParseStockCsv("sku,location,on_hand\nTEE,reno,1\nTEE,reno,2\n", "s.csv", locs, "i").ok());
}

TEST(StockImportTest, ReadsPurchaseOrders) {
  std::vector<Location> locs(1);
  locs[0].code = "reno";
  auto lines = ParseIncomingCsv(
      "purchase_order,sku,location,quantity,expected_at\nPO-1,TEE,reno,40,2026-12-01\n", "po.csv",
      locs);
  ASSERT_TRUE(lines.ok()) << lines.status().ToString();
  EXPECT_EQ((*lines)[0].quantity, 40);
  EXPECT_EQ(FormatTimestamp((*lines)[0].expected_at), "2026-12-01T00:00:00Z");
  EXPECT_FALSE(ParseIncomingCsv(
                   "purchase_order,sku,location,quantity,expected_at\nPO-1,TEE,reno,0,2026-12-01\n",
                   "po.csv", locs)
                   .ok());
  EXPECT_FALSE(
      ParseIncomingCsv("purchase_order,sku,location,quantity,expected_at\nPO-1,TEE,reno,4,soon\n",
                       "po.csv", locs)
          .ok());
}

TEST(ChannelSyncTest, PublishesAvailableToSellShapedLikeShopifysSetRequest) {
  Catalog c = Load();
  std::vector<Location> locs(2);
  locs[0].code = "reno";
  locs[0].shopify_location_id = "905684977";
  locs[1].code = "newark";  // not synced
  ChannelSyncOptions o;
  o.shopify_shops = {"a.myshopify.com"};
  o.shopify_buffer = 2;
  ShopifyInventorySync sync(c, locs, o);
  store::StockLevel level;
  level.sku = "TEE-M-BLK";
  level.location = "reno";
  level.on_hand = 10;
  level.reserved = 3;
  level.safety_stock = 1;
  std::vector<store::OutboxMessage> out;
  sync.OnStockChanged(level, EventSeq(42), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, "shopify_inventory_set");
  EXPECT_EQ(out[0].destination,
            "https://a.myshopify.com/admin/api/2024-01/inventory_levels/set.json");
  EXPECT_EQ(out[0].payload, R"({"location_id":905684977,"inventory_item_id":1001,"available":4})");
  EXPECT_EQ(out[0].idempotency_key, "inventory:a.myshopify.com:1001:905684977:42");

  level.location = "newark";
  out.clear();
  sync.OnStockChanged(level, EventSeq(43), out);
  EXPECT_TRUE(out.empty()) << "location without a Shopify id";
  level.location = "reno";
  level.sku = "CAP";  // no Shopify item id
  sync.OnStockChanged(level, EventSeq(44), out);
  EXPECT_TRUE(out.empty());
  level.sku = "TEE-M-BLK";
  level.reserved = 10;
  sync.OnStockChanged(level, EventSeq(45), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].payload.find(R"("available":0)"), std::string::npos) << "never negative";
}

}  // namespace
}  // namespace orderpilot::inventory
