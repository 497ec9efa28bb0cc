#include "rule_orders.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <string>

#include "core/money.h"

namespace orderpilot::bench {

constexpr std::array<std::string_view, 20> kRuleCountries = {
    "US", "CA", "GB", "DE", "FR", "IT", "ES", "NL", "BE", "AT",
    "CH", "SE", "NO", "DK", "FI", "IE", "PT", "AU", "NZ", "JP"};

namespace {

// kCountryPool[0..19] are kRuleCountries; the other 20 never match.
constexpr std::array<std::string_view, 40> kCountryPool = {
    "US", "CA", "GB", "DE", "FR", "IT", "ES", "NL", "BE", "AT", "CH", "SE", "NO", "DK",
    "FI", "IE", "PT", "AU", "NZ", "JP", "BR", "MX", "AR", "CL", "CO", "PE", "IN", "CN",
    "KR", "SG", "MY", "TH", "ID", "PH", "VN", "ZA", "NG", "EG", "TR", "PL"};

constexpr std::array<std::string_view, 10> kTagPool = {
    "VIP",      "wholesale",  "newsletter",  "returning", "b2b",
    "employee", "influencer", "first-order", "gift",      "loyalty"};

constexpr int64_t kRuleMinTotalCents = 50000;  // 500.00 USD, exclusive
constexpr int64_t kRuleMinQuantity = 10;       // exclusive

// mulberry32; see the header for the exact definition shared with rule_bench.js.
class Mulberry32 {
 public:
  explicit Mulberry32(uint32_t seed) : state_(seed) {}

  uint32_t Next() {
    state_ += 0x6D2B79F5u;
    uint32_t t = state_;
    t = (t ^ (t >> 15)) * (t | 1u);
    t ^= t + (t ^ (t >> 7)) * (t | 61u);
    return t ^ (t >> 14);
  }
  uint32_t Uniform(uint32_t n) { return Next() % n; }

 private:
  uint32_t state_;
};

class Fnv1a64 {
 public:
  void Byte(uint8_t b) {
    hash_ ^= b;
    hash_ *= 0x100000001b3ull;
  }
  void Word(uint32_t w) {
    for (int i = 0; i < 4; ++i) Byte(static_cast<uint8_t>(w >> (8 * i)));
  }
  void Str(std::string_view s) {
    Word(static_cast<uint32_t>(s.size()));
    for (char c : s) Byte(static_cast<uint8_t>(c));
  }
  uint64_t hash() const { return hash_; }

 private:
  uint64_t hash_ = 0xcbf29ce484222325ull;
};

}  // namespace

std::vector<Order> MakeRuleBenchOrders(size_t n, uint32_t seed) {
  Result<Currency> usd = Currency::Parse("USD");
  assert(usd.ok());
  const Money zero = Money::Zero(*usd);
  Mulberry32 rng(seed);
  std::vector<Order> orders(n);
  for (size_t i = 0; i < n; ++i) {
    Order& o = orders[i];
    o.channel = "api";
    o.shop = "bench-shop";
    o.channel_order_id = std::to_string(i);
    o.currency = *usd;
    o.totals = {zero, zero, zero, zero, zero};

    o.totals.total = Money(rng.Uniform(100000), *usd);

    const uint32_t tag_draws = rng.Uniform(5);
    for (uint32_t k = 0; k < tag_draws; ++k) {
      const uint32_t r = rng.Uniform(21);
      const std::string_view tag = r < 3 ? kTagPool[0] : kTagPool[1 + (r - 3) % 9];
      if (std::find(o.customer.tags.begin(), o.customer.tags.end(), tag) == o.customer.tags.end()) {
        o.customer.tags.emplace_back(tag);
      }
    }

    o.shipping_address.emplace();
    o.shipping_address->country_code = std::string(kCountryPool[rng.Uniform(40)]);

    const uint32_t line_count = 1 + rng.Uniform(8);
    o.line_items.resize(line_count);
    for (LineItem& li : o.line_items) {
      const uint32_t a = rng.Uniform(15);
      const uint32_t b = rng.Uniform(15);
      li.quantity = 1 + std::min(a, b);
      char sku[16];
      std::snprintf(sku, sizeof(sku), "SKU-%05u", static_cast<unsigned>(rng.Uniform(100000)));
      li.sku = sku;
      li.unit_price = Money(100 + rng.Uniform(19900), *usd);
      li.total_discount = zero;
    }
  }
  return orders;
}

bool HandWrittenReferenceRule(const Order& o) {
  if (o.totals.total.minor_units() <= kRuleMinTotalCents) return false;
  if (std::find(o.customer.tags.begin(), o.customer.tags.end(), "VIP") == o.customer.tags.end()) {
    return false;
  }
  if (!o.shipping_address.has_value()) return false;
  const std::string_view country = o.shipping_address->country_code;
  if (std::find(kRuleCountries.begin(), kRuleCountries.end(), country) == kRuleCountries.end()) {
    return false;
  }
  for (const LineItem& li : o.line_items) {
    if (li.quantity > kRuleMinQuantity) return true;
  }
  return false;
}

uint64_t RuleDataChecksum(const std::vector<Order>& orders) {
  Fnv1a64 h;
  for (const Order& o : orders) {
    h.Word(static_cast<uint32_t>(o.totals.total.minor_units()));
    h.Word(static_cast<uint32_t>(o.customer.tags.size()));
    for (const std::string& tag : o.customer.tags) h.Str(tag);
    if (o.shipping_address.has_value()) {
      h.Str(o.shipping_address->country_code);
    } else {
      h.Word(0);
    }
    h.Word(static_cast<uint32_t>(o.line_items.size()));
    for (const LineItem& li : o.line_items) {
      h.Word(static_cast<uint32_t>(li.quantity));
      h.Str(li.sku);
      h.Word(static_cast<uint32_t>(li.unit_price.minor_units()));
    }
  }
  return h.hash();
}

}  // namespace orderpilot::bench
