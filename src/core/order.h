// core/order.h — the canonical order model every module speaks.
//
// Channel adapters (ingest/) translate Shopify, WooCommerce, Amazon, CSV and the generic API into
// these types at the boundary; nothing past ingest sees a channel's own JSON. Invariants: every
// Money in an Order carries the order's currency; card data is limited to BIN and last 4;
// channel ids are kept as exact decimal text (Shopify ids exceed 2^53).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/money.h"
#include "core/time.h"

namespace orderpilot {

struct Address {
  std::string first_name;
  std::string last_name;
  std::string company;
  std::string address1;
  std::string address2;
  std::string city;
  std::string province;       // "Ontario"
  std::string province_code;  // "ON"
  std::string country;        // "Canada"
  std::string country_code;   // ISO 3166-1 alpha-2, "CA"
  std::string zip;
  std::string phone;
};

struct Customer {
  std::string channel_customer_id;  // exact decimal text; empty for guests
  std::string email;
  std::string phone;
  std::string first_name;
  std::string last_name;
  std::vector<std::string> tags;
  std::optional<Timestamp> created_at;  // account creation, for "first order 4 s after signup"
  int64_t orders_count = 0;             // as reported by the channel
  bool accepts_marketing = false;
};

struct TaxLine {
  std::string title;  // "GST"
  double rate = 0;    // 0.05 — a ratio, not money; amounts are in `price`
  Money price;
};

struct LineItem {
  std::string channel_line_id;
  std::string sku;
  std::string variant_id;
  std::string product_id;
  std::string title;
  std::string variant_title;
  std::string vendor;
  int64_t quantity = 0;
  Money unit_price;      // before discounts, per unit
  Money total_discount;  // all discounts allocated to this line (all units)
  std::vector<TaxLine> tax_lines;
  int64_t grams = 0;  // per unit
  bool requires_shipping = true;
  bool taxable = true;
  bool gift_card = false;

  // Whether stock is allocated and shipped for this line: a physical item (requires shipping,
  // not a gift card) with a SKU and a positive quantity. The one definition shared by
  // allocation (pipeline) and edit detection (store).
  bool Ships() const { return requires_shipping && !gift_card && quantity > 0 && !sku.empty(); }
};

struct ShippingLine {
  std::string code;   // carrier/service code as the channel gives it
  std::string title;  // "Express"
  std::string source;
  Money price;     // before discounts
  Money discount;  // discounts allocated to shipping
  std::vector<TaxLine> tax_lines;
};

struct DiscountCode {
  std::string code;
  std::string type;  // "percentage", "fixed_amount", "shipping"
  Money amount;
};

enum class FinancialStatus {
  kUnknown,
  kPending,
  kAuthorized,
  kPartiallyPaid,
  kPaid,
  kPartiallyRefunded,
  kRefunded,
  kVoided,
};
std::string_view FinancialStatusName(FinancialStatus s);
// Unknown names map to kUnknown (channels add statuses over time).
FinancialStatus ParseFinancialStatus(std::string_view name);

// What we keep about a payment: never a full card number, never a CVV.
struct PaymentFacts {
  std::string gateway;          // "shopify_payments", "bogus"
  std::string avs_result_code;  // "Y", "N", "A", "Z" …
  std::string cvv_result_code;  // "M", "N", …
  std::string card_bin;         // first 6 (or 8) digits
  std::string card_last4;
  std::string card_company;  // "Visa"
  int failed_attempts = 0;   // failed transactions before the successful one
};

struct ClientDetails {
  std::string browser_ip;
  std::string user_agent;
  std::string accept_language;
  std::string session_hash;
};

// Amounts as the channel reported them; pipeline/validate checks they add up.
struct OrderTotals {
  Money line_items;  // Σ unit_price × quantity, before discounts
  Money discounts;   // all discounts (line + order + shipping)
  Money shipping;    // Σ shipping line prices, before discounts
  Money tax;         // all taxes
  Money total;       // what the customer pays
};

struct Order {
  std::string channel;           // "shopify", "api"
  std::string shop;              // "example.myshopify.com" or the API's shop name
  std::string channel_order_id;  // exact decimal text or the API caller's external id
  std::string number;            // human order name, "#1001"
  Currency currency;
  Timestamp created_at;
  std::optional<Timestamp> cancelled_at;
  std::string cancel_reason;
  std::string email;  // contact email of the order (may differ from the customer's)
  std::string phone;
  Customer customer;
  std::optional<Address> billing_address;
  std::optional<Address> shipping_address;  // absent for digital goods
  std::vector<LineItem> line_items;
  std::vector<ShippingLine> shipping_lines;
  std::vector<DiscountCode> discount_codes;
  std::vector<TaxLine> tax_lines;  // order-level summary of taxes
  bool taxes_included = false;     // prices already include tax (EU/UK/AU style)
  OrderTotals totals;
  FinancialStatus financial_status = FinancialStatus::kUnknown;
  std::string fulfillment_status;
  PaymentFacts payment;
  ClientDetails client;
  std::vector<std::string> tags;
  std::string note;
  std::vector<std::pair<std::string, std::string>> attributes;  // Shopify note_attributes
  std::string source_name;                                      // "web", "pos", "api"
  // JSON Pointers into the body as received of the fields a card number or security code was
  // removed from before the order was stored ("/note"); empty normally (ingest/card_scrub.h).
  std::vector<std::string> card_data_removed;

  bool RequiresShipping() const;
};

struct RefundLine {
  std::string channel_line_id;
  int64_t quantity = 0;
  Money subtotal;
  Money tax;
  std::string restock_type;  // "return", "cancel", "no_restock"
};

struct Refund {
  std::string channel;
  std::string shop;
  std::string channel_refund_id;
  std::string channel_order_id;
  Timestamp created_at;
  std::string note;
  Currency currency;
  std::vector<RefundLine> lines;
  Money amount;  // Σ successful refund transactions (money actually returned)
};

}  // namespace orderpilot
