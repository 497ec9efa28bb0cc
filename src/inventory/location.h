// inventory/location.h — the places stock is kept and shipped from: warehouses, stores, 3PLs.
//
// Locations come from the configuration (app/config.h, docs/configuration.md); the store keeps
// their stock keyed by `code`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/money.h"
#include "core/order.h"

namespace orderpilot::inventory {

struct Location {
  std::string code;                // stable key: "reno"
  std::string name;                // "Reno DC"
  std::string kind = "warehouse";  // "warehouse", "store", "3pl"
  Address address;                 // country_code and zip decide its shipping zones
  double latitude = 0;
  double longitude = 0;
  Money handling_cost;           // per parcel, in the rate tables' currency
  int cutoff_minutes = 15 * 60;  // local time of day after which parcels leave next business day
  std::string time_zone = "UTC";
  // Which SKUs it may ship: exact SKUs or prefixes ending in '*' ("NW-TEE-*"); empty = all.
  std::vector<std::string> skus;
  std::string shopify_location_id;  // for inventory sync; "" = not synced
  // Where fulfillment requests go (a 3PL's or WMS's endpoint, http or https); "" = they wait
  // in the outbox as kind "fulfillment_request" for someone to pick up.
  std::string fulfillment_url;

  bool MayShip(std::string_view sku) const;
};

}  // namespace orderpilot::inventory
