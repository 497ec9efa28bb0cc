// pipeline/review_effects.h — what a person's decision on a review item changes beyond its
// state, prepared before the store records the decision (so both land in one transaction).
//
// Today: approving a "substitute_sku" proposal replaces the out-of-stock SKU on the order's
// lines with the proposed one (the canonical snapshot changes; the channel's order does not, and
// the event says so). Other kinds need nothing extra.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/order.h"
#include "core/status.h"
#include "store/store.h"

namespace orderpilot::pipeline {

// Replaces `sku` on every line of `order` with `substitute` (and its title when given; the
// channel's variant id is dropped). False when no line has `sku`.
bool SubstituteSku(Order& order, std::string_view sku, std::string_view substitute,
                   std::string_view title);

// What a person changed before approving (modify-and-approve).
struct ReviewChanges {
  // substitute_sku items only: take this SKU instead of the proposed one.
  std::optional<std::string> substitute_sku;
  // Any kind: shipping-address fields to overwrite (Address field name → value), e.g. a
  // corrected postcode on an order held for an invalid address.
  std::vector<std::pair<std::string, std::string>> shipping_address;
  bool empty() const { return !substitute_sku && shipping_address.empty(); }
};

// Returns `d`, with order_json set when the decision changes the order, and modified set (and
// the changes appended to the comment) when `changes` are given. NotFound for an unknown
// review; FailedPrecondition when the proposal no longer matches the order; InvalidArgument for
// changes with a rejection, a substitute_sku change on another kind, or an unknown address field.
Result<store::ReviewDecision> PrepareReviewDecision(store::Store& store, store::ReviewDecision d,
                                                    const ReviewChanges& changes = {});

}  // namespace orderpilot::pipeline
