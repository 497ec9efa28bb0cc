// bench/rule_orders.h — the orders and the reference rule of the rule-engine benchmark.
//
// The reference rule, clauses evaluated in this order with short-circuit:
//   order total > 500.00  AND  a customer tag equals "VIP"  AND  the shipping country code is one
//   of kRuleCountries  AND  some line item has quantity > 10.
//
// The orders are a pure function of (n, seed) and bench/peers/rule_bench.js generates the very
// same ones as plain JS objects, so that C++ and the JS peers (json-rules-engine, json-logic-js,
// cel-js) can be checked to see identical data (RuleDataChecksum) and identical match counts.
//
// Generator (all arithmetic on uint32, wrapping mod 2^32; JS uses Math.imul and >>> 0):
//   mulberry32, state s = seed:
//     Next(): s += 0x6D2B79F5; t = s; t = (t ^ (t >> 15)) * (t | 1);
//             t ^= t + (t ^ (t >> 7)) * (t | 61); return t ^ (t >> 14);
//   U(n) = Next() % n   (the modulo bias, at most n / 2^32, is irrelevant here).
// For each order i in 0..n-1, draws in exactly this order:
//   1. total_cents = U(100000)                                     USD 0.00 .. 999.99
//   2. tag_draws = U(5); each draw: r = U(21);
//        tag = r < 3 ? kTagPool[0] ("VIP") : kTagPool[1 + (r - 3) % 9];
//        appended unless the customer already has it (the draw is consumed either way).
//        P(VIP) ≈ 25%.
//   3. country = kCountryPool[U(40)]; kCountryPool[0..19] == kRuleCountries, so P ≈ 50%.
//   4. line_count = 1 + U(8); for each line, in order:
//        a = U(15); b = U(15); quantity = 1 + min(a, b)     1..15, small ones likelier;
//                                                            P(some quantity > 10) ≈ 39%
//        sku = "SKU-" + U(100000) as 5 zero-padded digits
//        unit_price_cents = 100 + U(19900)                   USD 1.00 .. 199.99
// totals.total is the drawn total, not derived from the lines (only the rule's inputs matter).
// With seed 42 about 2.4% of orders match the rule.
//
// Thread-safety: all functions are pure and may be called concurrently.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/order.h"

namespace orderpilot::bench {

// The rule's 20 shipping countries (ISO 3166-1 alpha-2); also the first half of the 40-code pool.
extern const std::array<std::string_view, 20> kRuleCountries;

// n USD orders as described above; each has a shipping address and 1..8 line items, and every
// Money in it carries USD.
std::vector<Order> MakeRuleBenchOrders(size_t n, uint32_t seed);

// The reference rule in plain C++: the upper bound an engine can approach.
// REQUIRES: o.currency is USD (the total is compared in cents: > 50000).
bool HandWrittenReferenceRule(const Order& o);

// FNV-1a 64 (offset 0xcbf29ce484222325, prime 0x100000001b3) over bytes, where W(x) feeds the 4
// little-endian bytes of uint32 x and S(str) feeds W(size) then the string's bytes. Per order:
//   W(total cents); W(tag count); S(tag) for each tag; S(shipping country code), or W(0) without
//   a shipping address; W(line count); per line: W(quantity), S(sku), W(unit price cents).
// rule_bench.js computes the same value from its JS objects.
uint64_t RuleDataChecksum(const std::vector<Order>& orders);

}  // namespace orderpilot::bench
