// core/order_json.h — the canonical JSON of Order and Refund (docs/canonical-order.md).
//
// This is both what the generic API accepts (POST /v1/orders) and what the store keeps as an
// order's snapshot and event payload. Format invariants: money amounts are decimal strings in the
// order's currency ("19.99", "1000" for JPY), the currency is named once at the top level; times
// are RFC 3339 UTC; channel ids are strings (exact, even beyond 2^53). EncodeOrder writes every
// key; DecodeOrder(EncodeOrder(o)) == o field by field for any order whose amounts all carry the
// order's currency.
//
// Thread-safety: all functions may be called concurrently (decoding uses a per-thread parser).
#pragma once

#include <string>
#include <string_view>

#include "core/order.h"
#include "core/status.h"

namespace orderpilot {

// Canonical JSON of `o`. Amounts are formatted at the order currency's exponent.
std::string EncodeOrder(const Order& o);
std::string EncodeRefund(const Refund& r);

struct OrderDecodeOptions {
  // Zero quantities are accepted by default because stored snapshots of channel orders may carry
  // them (the pipeline's validate step holds such orders for a person). The API's
  // POST /v1/orders can set this to false to refuse them at the door with 422.
  bool allow_zero_quantity = true;
};

// Parses canonical order JSON. Unknown keys are ignored; null reads as absent.
// Errors:
//  * InvalidArgument (400): invalid JSON or UTF-8, nesting deeper than 64, top level not an
//    object.
//  * Unprocessable (422) with field = the JSON path ("line_items[2].quantity"): a member of the
//    wrong type; missing currency, line_items (or an empty array), a line's quantity or
//    unit_price; an unknown currency; an amount that is not a decimal string exact in the
//    currency; a negative quantity (or zero, see OrderDecodeOptions); an unparseable timestamp.
// Absent totals are derived from the lines (see ComputeTotals); absent amounts elsewhere are zero.
Result<Order> DecodeOrder(std::string_view json, const OrderDecodeOptions& options = {});

// Parses canonical refund JSON (what EncodeRefund writes); same error classes as DecodeOrder.
// Required: currency.
Result<Refund> DecodeRefund(std::string_view json);

// The totals the order's lines imply: line_items = Σ unit_price × quantity; discounts = Σ line
// discounts + Σ shipping discounts; shipping = Σ shipping prices; tax = Σ order tax_lines, or when
// there are none Σ line and shipping tax lines; total = line_items − discounts + shipping
// (+ tax unless taxes_included). Unprocessable("amount overflow", "totals") on int64 overflow.
// REQUIRES: o.currency.valid().
Result<OrderTotals> ComputeTotals(const Order& o);

}  // namespace orderpilot
