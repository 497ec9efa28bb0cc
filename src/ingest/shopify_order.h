// ingest/shopify_order.h — Shopify's REST order and refund JSON into the canonical model.
//
// Input is the body of the orders/create, orders/updated, orders/paid, orders/cancelled and
// refunds/create webhooks (REST Admin API shape). Invariants of the output: every Money carries
// the order's (shop) currency and was parsed exactly from Shopify's decimal text; ids are the
// exact decimal text of Shopify's 64-bit ids; card data is reduced to BIN and last 4 digits.
//
// Shopify sends null for most empty fields: null reads as absent, never as an error.
// Errors: InvalidArgument (400) when the body is not a JSON object (invalid JSON or UTF-8,
// nesting deeper than 64); Unprocessable (422) with the JSON path as field for a member of the
// wrong type, a negative quantity, a missing or unknown currency, an amount that is not exact in
// the currency, a missing line quantity or price.
//
// Thread-safety: both functions may be called concurrently.
#pragma once

#include <string_view>

#include "core/order.h"
#include "core/status.h"

namespace orderpilot::ingest {

// Normalises one Shopify order. Channel "shopify", shop = `shop_domain`. Amounts are the shop
// currency ones (Shopify's plain amount fields, or *_set.shop_money when the plain field is
// absent). A line's total_discount is Σ discount_allocations when there are any, else Shopify's
// total_discount. Absent order totals are derived from the lines (core ComputeTotals). Zero
// quantities are accepted (the pipeline's validate step holds such orders).
Result<Order> NormaliseShopifyOrder(std::string_view json, std::string_view shop_domain);

// Normalises one refunds/create payload. The refund currency is that of its successful refund
// transactions, else the shop money of its line subtotals; amount = Σ successful "refund"
// transactions. Line subtotals and taxes are read from the *_set money in the refund currency
// when present (exact strings), else from Shopify's plain numbers.
Result<Refund> NormaliseShopifyRefund(std::string_view json, std::string_view shop_domain);

}  // namespace orderpilot::ingest
