// routing/rate_table.h — carriers' rate tables: zones, services, transit days, weight brackets.
//
// One YAML file per carrier (format: docs/rate-tables.md). A file names the carrier, the currency
// of its prices, a dimensional-weight divisor, origin zones and destination zones (a country plus
// postcode prefixes; longest prefix wins, a zone without prefixes covers the whole country), a
// zone chart giving each (origin zone, destination zone) pair a price zone ("2" … "8" as UPS and
// USPS call them), and services, each with weight brackets and, per price zone, its transit
// business days and one price per bracket.
//
// Invariants checked at load: prices are exact Money of one currency shared by every loaded
// carrier; brackets strictly increase; within a row prices never decrease as weight grows (the
// router's branch and bound relies on that); service codes are unique across all files; no
// postcode falls in two zones of the same kind at the same prefix length.
//
// Thread-safety: immutable after Parse/Load; every const method may be called from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.h"
#include "core/status.h"

namespace orderpilot::routing {

// One carrier file's header.
struct Carrier {
  std::string name;  // "UPS"
  std::string code;  // "ups" (ShipStation's carrierCode)
  Currency currency;
  int64_t dim_divisor = 0;  // cm³ per kg; 0 = no dimensional weight
  std::string file;         // the file it was read from
};

struct Service {
  std::string code;          // "ups-ground": unique across all loaded carriers
  std::string name;          // "UPS Ground"
  std::string carrier;       // "UPS"
  std::string carrier_code;  // "ups"
  std::string service_code;  // "ups_ground" (ShipStation's serviceCode; default: code)
  // Added by the routing module:
  int carrier_index = 0;    // into RateTables::carriers()
  int index = 0;            // into RateTables::services()
  int64_t dim_divisor = 0;  // cm³ per kg in effect (the carrier's unless overridden); 0 = none
};

// What one service charges for one price zone.
struct RateRow {
  int transit_days = 0;              // business days from ship day to delivery
  std::vector<int64_t> max_grams;    // bracket upper bounds (inclusive), strictly increasing
  std::vector<int64_t> price_minor;  // one per bracket, non-decreasing, tables' currency
  // Services of the same carrier whose row for the same price zone takes every parcel this row
  // takes (billable weight included) at a price never higher (strictly lower for services
  // listed after this one). Computed at load; a planner may skip this row whenever one of them
  // is usable, since picking the cheapest service (ties: the earlier one) never picks this row.
  std::vector<int> cheaper_services;

  // Index of the first bracket whose bound is >= billable_grams, or -1 above the last.
  int BracketFor(int64_t billable_grams) const;
};

// max(grams, ceil(volume_cm3 × 1000 / dim_divisor)); just `grams` when the divisor or the volume
// is 0. REQUIRES: grams, volume_cm3 >= 0 and volume_cm3 <= 10^15.
int64_t BillableGrams(int64_t grams, int64_t volume_cm3, int64_t dim_divisor);

class RateTables {
 public:
  RateTables() = default;  // no carriers, no services

  // Parses one carrier file's text. Errors are "file:line:column: message" lines (the first 20)
  // in an InvalidArgument status whose field() is the file name.
  static Result<RateTables> Parse(std::string_view yaml_text, std::string_view file_name);
  // Reads and merges several carrier files: duplicate service or carrier codes across files and
  // a currency differing from the first file's are errors too. NotFound for a missing file,
  // FailedPrecondition for one that cannot be read (core/text_file.h).
  static Result<RateTables> Load(const std::vector<std::string>& paths);

  const std::vector<Carrier>& carriers() const { return carriers_; }
  // Stable addresses: the vector is never changed after loading, and moving the RateTables keeps
  // its elements where they are (the Router keeps pointers into it).
  const std::vector<Service>& services() const { return services_; }
  const Service* FindService(std::string_view code) const;
  // The currency every carrier's prices are in (invalid when no carrier is loaded).
  const Currency& currency() const { return currency_; }

  // Quote for a parcel from an origin to a destination: nullopt when the service does not serve
  // that pair or the billable weight is above its last bracket. `grams` and `volume_cm3` are the
  // parcel's totals. REQUIRES: `s` is one of services().
  struct Quote {
    Money price;
    int transit_days = 0;
    int64_t billable_grams = 0;
  };
  std::optional<Quote> QuoteFor(const Service& s, std::string_view origin_country,
                                std::string_view origin_postcode, std::string_view dest_country,
                                std::string_view dest_postcode, int64_t grams,
                                int64_t volume_cm3) const;

  // --- Lower level, for the Router's precomputation ------------------------------------------
  // Zone indexes of carrier `carrier` (into carriers()) for a place, or -1 when no zone has it.
  // Countries compare case-insensitively; postcodes ignore spaces, hyphens and case.
  int OriginZone(int carrier, std::string_view country, std::string_view postcode) const;
  int DestinationZone(int carrier, std::string_view country, std::string_view postcode) const;
  const std::string& OriginZoneName(int carrier, int zone) const;
  const std::string& DestinationZoneName(int carrier, int zone) const;
  // The row of service `s` between two zones of its carrier, or null when it does not serve them.
  const RateRow* Row(const Service& s, int origin_zone, int destination_zone) const;
  // The same in two steps: the price zone of two zones of `carrier` (-1 when the chart has none,
  // or a zone is -1), then the row of service `s` for a price zone of its carrier (or null).
  int PriceZone(int carrier, int origin_zone, int destination_zone) const;
  const RateRow* RowForPriceZone(const Service& s, int price_zone) const {
    if (price_zone < 0) return nullptr;
    const int row = service_rows_[s.index][price_zone];
    return row < 0 ? nullptr : &rows_[row];
  }

  // Internal layout (public so that the parser can fill it; use the functions above).
  struct ZoneRule {
    std::string country;  // upper case
    std::string low;      // normalized prefix; the whole country when empty
    std::string high;     // == low unless a range "900-961"
    int zone = 0;
  };
  struct ZoneSet {
    std::vector<std::string> names;
    // Sorted by prefix length (longest first), then country and prefix; no overlaps within one
    // length and country.
    std::vector<ZoneRule> rules;
    std::vector<size_t> length_starts;  // index of the first rule of each prefix length
    int Find(std::string_view country, std::string_view postcode) const;
  };
  struct CarrierZones {
    ZoneSet origins;
    ZoneSet destinations;
    std::vector<int> chart;  // [origin × destinations + destination] → price zone, -1 = none
    std::vector<std::string> price_zones;
  };

 private:
  friend class RateTablesBuilder;  // rate_table.cc

  std::vector<Carrier> carriers_;
  std::vector<CarrierZones> zones_;  // per carrier
  std::vector<Service> services_;
  std::vector<std::vector<int>> service_rows_;  // per service: price zone → rows_ index, -1
  std::vector<RateRow> rows_;
  Currency currency_;
};

}  // namespace orderpilot::routing
