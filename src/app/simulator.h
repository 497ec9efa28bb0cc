// app/simulator.h — a simulated shop: realistic Shopify order webhooks for the demo and tests.
//
// Each webhook body has the shape of Shopify's REST Admin order JSON (the orders/create
// payload): customers from US, CA, GB, DE, FR, JP and AU paying in their currency, addresses in
// each country's format, a catalog of apparel, accessories and a digital gift card, discount
// codes, shipping lines, taxes (US sales tax and Canadian GST/HST/PST added on top; VAT/GST
// included in prices elsewhere), client and payment details with a masked card number.
//
// Invariants: the same seed and shop produce byte-identical webhooks in the same order. Amounts
// are computed in integer minor units, so for every order with expected_hold == false the body's
// own numbers add up exactly: Σ price × quantity = total_line_items_price and total_price =
// total_line_items_price − total_discounts + shipping + (taxes_included ? 0 : total_tax).
// About 8% of orders carry exactly one deliberate problem that the pipeline's validate step
// holds (expected_hold, with hold_reason one of its problem codes), and no others.
// Nothing generated can reach a real person: emails use the reserved example.com/.net/.org
// domains, IPs come from the documentation ranges, cards are the networks' public test cards.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace orderpilot::app {

struct SimulatedWebhook {
  std::string topic;             // "orders/create" (X-Shopify-Topic)
  std::string body;              // the JSON payload; 2–4 KB typically
  std::string webhook_id;        // UUID-like, unique (X-Shopify-Webhook-Id)
  std::string event_id;          // UUID-like, unique (X-Shopify-Event-Id)
  std::string channel_order_id;  // the order's "id" as exact decimal text (> 2^53)
  bool expected_hold = false;    // the order carries a problem the validate step must hold
  // When expected_hold: "totals_mismatch", "incomplete_shipping_address" or "zero_quantity"
  // (pipeline/validate.h codes); empty otherwise.
  std::string hold_reason;
};

// Generates an endless, deterministic stream of orders for one shop.
// Thread-safety: not thread-safe; use one simulator per thread.
class OrderSimulator {
 public:
  // Different seeds give different orders and disjoint id ranges (with overwhelming
  // probability), so two simulators can feed one store.
  explicit OrderSimulator(uint64_t seed, std::string shop_domain);
  ~OrderSimulator();
  OrderSimulator(OrderSimulator&&) noexcept;
  OrderSimulator& operator=(OrderSimulator&&) noexcept;

  // The next orders/create webhook. Order names count up from "#1001"; ids increase with every
  // call, and created_at advances 15 s – 10 min per order from 2026-01-12T09:00 in the shop's
  // zone (UTC−05:00), whatever the wall clock says. About a quarter of orders come from a
  // returning customer.
  SimulatedWebhook NextOrderCreate();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace orderpilot::app
