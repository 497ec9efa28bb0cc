// pipeline/allocation.h — the allocate step: where an accepted order's units come from, which
// carrier service takes them, and what that reserves.
//
// For an order in `accepted` (or `backordered`, re-checked when stock arrives):
//   1. its shipped lines (same SKU merged) meet the stock this batch sees (StockLedger: levels
//      read once per batch, minus what earlier orders of the batch took);
//   2. routing::Router picks the location(s) and carrier service (cheapest that keeps the
//      delivery promise; rules' route_to / choose_service / set_shipping_speed override);
//   3. the plan becomes reservations (taken atomically by the store, or the whole transition is
//      undone and re-planned), "order.allocated" and "order.routed" events (the decision with
//      every alternative and its cost) and one fulfillment request per parcel in the outbox;
//   4. when a line cannot be filled: a substitute SKU proposed as a review item
//      ("substitute_sku", only on the first attempt), else "order.backordered" with a promise
//      date from incoming purchase orders. Never silently.
// Orders with nothing to ship (gift cards, digital goods) are marked shipped at once.
//
// Thread-safety: a FulfillmentSetup is immutable and shared; a StockLedger belongs to one
// worker's batch.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/money.h"
#include "core/order.h"
#include "inventory/catalog.h"
#include "inventory/location.h"
#include "review/policy.h"
#include "routing/router.h"
#include "store/store.h"

namespace orderpilot::pipeline {

// Everything allocation needs from the configuration.
struct FulfillmentSetup {
  inventory::Catalog catalog;
  // REQUIRES: locations[i] is router->sites()[i] (same order, same codes).
  std::vector<inventory::Location> locations;
  std::shared_ptr<const routing::Router> router;
  Money split_penalty;              // per parcel beyond the first (rate tables' currency)
  int default_lead_time_days = 14;  // for SKUs whose catalog row has none
  bool propose_substitutes = true;
  // Business days in transit of each promised speed, for backorder dates (as the router's).
  int standard_days = 5;
  int express_days = 2;
  int overnight_days = 1;
};

// Stock as one batch sees it. Thread-compatible (one worker).
class StockLedger {
 public:
  // Replaces the ledger's content with `levels` (unknown location codes are ignored).
  void Load(const FulfillmentSetup& setup, const std::vector<store::StockLevel>& levels);
  // Units of `sku` that location `index` may still allocate in this batch (>= 0).
  int64_t Available(std::string_view sku, size_t location) const;
  // Units of `sku` per location index (size: the setup's locations), or null when the batch
  // read no stock of it (none anywhere). One lookup for all locations.
  const std::vector<int64_t>* AvailableEverywhere(std::string_view sku) const;
  void Take(std::string_view sku, size_t location, int64_t units);
  // Whether the ledger has read `sku` (Load or Add).
  bool Has(std::string_view sku) const { return skus_.find(sku) != skus_.end(); }
  // Adds `skus` the ledger has not read yet, with their `levels` (none: 0 everywhere); SKUs it
  // has keep this batch's figures.
  void Add(const FulfillmentSetup& setup, const std::vector<std::string>& skus,
           const std::vector<store::StockLevel>& levels);

 private:
  struct PerSku {
    std::vector<int64_t> available;  // by location index
  };
  size_t locations_ = 0;
  std::unordered_map<std::string, PerSku, inventory::SkuHash, std::equal_to<>> skus_;
};

// What the allocate step reads besides the order.
struct AllocationContext {
  const FulfillmentSetup& setup;
  StockLedger& ledger;
  // Open purchase-order lines of these SKUs (read lazily: only backorders need them).
  std::function<std::vector<store::IncomingStock>(const std::vector<std::string>& skus)> incoming;
  // Stock levels of these SKUs (read lazily: only substitute proposals need the other SKUs of a
  // short line's product group). Unset: no substitute is found.
  std::function<std::vector<store::StockLevel>(const std::vector<std::string>& skus)> stock = {};
};

// Overrides and state the step needs from the order's projection and this run's rules.
struct AllocationRequest {
  OrderId order_id;
  int64_t version = 0;  // the order's version when planned (makes outbox keys unique)
  store::OrderState from = store::OrderState::kAccepted;
  std::string_view shipping_speed;   // "" = from the order's shipping line
  std::string_view route_location;   // "" = no override
  std::string_view carrier_service;  // "" = no override
  // Whether a substitute is taken or a backorder made without a person (decision kinds
  // "substitute_sku" and "backorder"). Null: the defaults. Not owned.
  const review::AutonomyPolicy* autonomy = nullptr;
};

struct AllocationResult {
  std::vector<store::NewEvent> events;
  store::OrderState next = store::OrderState::kAccepted;
  std::optional<store::OrderTransition::ReviewRequest> review;
  std::vector<store::Reservation> reserve;
  std::vector<store::OutboxMessage> outbox;
  std::vector<store::OrderTransition::ReviewRequest> applied;  // automatic decisions
  // An automatic substitution: the order with the substitute SKU. It stays accepted and needs
  // another run (`rerun`) to be allocated as changed.
  std::optional<std::string> order_json;
  bool rerun = false;
  bool changed = false;  // false: nothing to record (still backordered)
};

AllocationResult PlanAllocation(const AllocationRequest& request, const Order& order, Timestamp now,
                                AllocationContext& ctx);

// The SKUs an order's allocation reads up front: its shipped lines (the other SKUs of a short
// line's product group are read only when a substitute is looked for).
void CollectSkus(const Order& order, std::vector<std::string>& out);

}  // namespace orderpilot::pipeline
