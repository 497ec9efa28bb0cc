// pipeline/review_effects.h — what a person's decision on a review item changes beyond its
// state, prepared before the store records the decision (so both land in one transaction).
//
// Today: approving a "substitute_sku" proposal replaces the out-of-stock SKU on the order's
// lines with the proposed one (the canonical snapshot changes; the channel's order does not, and
// the event says so). Other kinds need nothing extra.
#pragma once

#include "core/status.h"
#include "store/store.h"

namespace orderpilot::pipeline {

// Returns `d`, with order_json set when the decision changes the order. NotFound for an unknown
// review; FailedPrecondition when the proposal no longer matches the order.
Result<store::ReviewDecision> PrepareReviewDecision(store::Store& store, store::ReviewDecision d);

}  // namespace orderpilot::pipeline
