// routing/router.h — which location(s) ship an order, and with which carrier service.
//
// Given the order's lines, the stock each candidate location can ship now, the destination and
// the delivery promise, Plan() picks the shipments that minimise total cost
//   Σ (shipping price of the service + handling cost of the location)
//     + split_penalty × (parcels − 1)
// among the plans whose every parcel meets the promise; when none can, the cheapest plan with
// the earliest delivery, flagged promise_met = false. An order is split only when no single
// location can fill it, or when the split is cheaper by more than the penalty (the penalty is in
// the sum, so this is the same rule). Rules may force a location or a service.
//
// Method: see router.cc (exact branch and bound for up to kExactMaxOrigins candidate locations ×
// kExactMaxLines lines, a documented greedy heuristic above that; RoutePlan::exact says which).
//
// A line that no single candidate holds in full is cut into the fewest pieces (largest stock
// first) and each piece is placed like a line; a line whose total stock is short leaves the plan
// without shipments (short_units says what is missing). When no service can carry the order at
// all, shipments are empty too, with short_units all zero and the reason in notes and summary.
// Overrides (forced_site, forced_service) win over the promise: the promise is then met if it
// can be with them, else missed with a note; an override that leaves no plan at all is ignored
// with a note.
//
// Thread-safety: a Router is immutable after Create; Plan may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/money.h"
#include "core/status.h"
#include "core/time.h"
#include "core/time_zone.h"
#include "routing/rate_table.h"

namespace orderpilot::routing {

inline constexpr int kExactMaxOrigins = 10;
inline constexpr int kExactMaxLines = 20;

enum class Speed { kStandard, kExpress, kOvernight };
std::string_view SpeedName(Speed s);                     // "standard", "express", "overnight"
std::optional<Speed> ParseSpeed(std::string_view name);  // those three names

// What the order was promised: a speed (a number of business days in transit, RouterOptions),
// or a date the parcel must arrive by.
// deliver_by_day, when set, replaces the speed.
struct DeliveryPromise {
  Speed speed = Speed::kStandard;
  std::optional<int64_t> deliver_by_day;  // days since 1970-01-01 (the destination's date)
};

// A location that can ship: fixed for the Router's life (from the configuration).
struct Site {
  std::string code;  // "reno"
  std::string name;  // "Reno DC"
  std::string country_code;
  std::string postcode;
  Money handling_cost;           // per parcel, in the rate tables' currency
  int cutoff_minutes = 24 * 60;  // local time of day after which parcels leave next business day
  TimeZone zone;                 // the site's local time
};

struct RouterOptions {
  // Business days in transit each speed allows. Defaults: standard 5, express 2, overnight 1.
  int standard_days = 5;
  int express_days = 2;
  int overnight_days = 1;
};

struct RouteLine {
  std::string sku;
  int64_t quantity = 0;    // > 0
  int64_t grams = 0;       // per unit
  int64_t volume_cm3 = 0;  // per unit (0 = unknown: no dimensional weight)
};

// A location's stock for this order: `available[i]` units of line i it can ship now.
struct Candidate {
  int site = 0;  // index into the Router's sites
  std::vector<int64_t> available;
};

struct RouteRequest {
  std::vector<RouteLine> lines;
  std::vector<Candidate> candidates;
  std::string destination_country;  // ISO 3166-1 alpha-2
  std::string destination_postcode;
  DeliveryPromise promise;
  Timestamp now;
  Money split_penalty;         // per parcel beyond the first, rate tables' currency
  std::string forced_site;     // a rule's route_to: ship everything from this site ("" = none)
  std::string forced_service;  // a rule's choose_service: use this service code ("" = none)
};

struct Shipment {
  int site = 0;
  std::vector<std::pair<int, int64_t>> lines;  // (line index, units)
  const Service* service = nullptr;            // rate_table.h
  Money shipping;
  Money handling;
  int64_t billable_grams = 0;  // max(actual, dimensional)
  int64_t ship_day = 0;        // days since epoch (site's local date the parcel leaves)
  int64_t delivery_day = 0;    // ship_day + transit business days
  bool meets_promise = false;
};

// One option the planner weighed, for the decision's explanation.
struct Alternative {
  std::string description;     // "reno by UPS Ground", "split reno + newark"
  std::optional<Money> total;  // unset when infeasible
  std::string why_not;         // "lacks 2 × MUG-BLUE", "no service arrives by 2026-11-27"
};

struct RoutePlan {
  // Empty when some line cannot be filled at all (see short_units): the caller backorders.
  std::vector<Shipment> shipments;
  Money total;  // shipping + handling + penalty × (parcels − 1)
  bool promise_met = false;
  bool exact = true;                 // false: the heuristic was used (too many candidates or lines)
  std::vector<int64_t> short_units;  // per line: units no candidate can ship
  std::vector<Alternative> alternatives;  // the best plan from each single site, and the best split
  std::vector<std::string> notes;         // overrides applied or not possible, promise missed, …
  // One sentence: "shipped from reno by UPS Ground for $7.40; newark was $9.10; splitting saved
  // nothing".
  std::string summary;
};

class Router {
 public:
  // InvalidArgument when a site's country/postcode falls in no origin zone of any carrier, sites
  // have duplicate or empty codes, a handling cost is negative or in another currency than the
  // tables', or a cutoff is outside 0..1440 minutes.
  static Result<std::shared_ptr<const Router>> Create(RateTables tables, std::vector<Site> sites,
                                                      RouterOptions options = {});

  // InvalidArgument for a malformed request (no lines, quantity <= 0, negative grams, volume or
  // available units, a candidate's available size != lines size, site index out of range or
  // listed twice, currency mismatch or negative split_penalty, weights above 10^12 g). A
  // split_penalty with no currency and 0 units means no penalty.
  Result<RoutePlan> Plan(const RouteRequest& request) const;

  const std::vector<Site>& sites() const;
  const RateTables& tables() const;
  // Index of the site with this code, or -1.
  int SiteIndex(std::string_view code) const;

  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

 private:
  struct Data;  // router.cc
  explicit Router(std::unique_ptr<const Data> data);

  std::unique_ptr<const Data> data_;
};

}  // namespace orderpilot::routing
