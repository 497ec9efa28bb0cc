// app/simulator.h — a simulated shop: realistic Shopify order webhooks for the demo and tests.
//
// Each webhook body has the shape of Shopify's REST Admin order JSON (the orders/create
// payload): customers from US, CA, GB, DE, FR, JP and AU paying in their currency, addresses in
// each country's format, a catalog of apparel, accessories and a digital gift card, discount
// codes, shipping lines, taxes (US sales tax and Canadian GST/HST/PST added on top; VAT/GST
// included in prices elsewhere), client details (IP, user agent, a per-device session_hash) and
// payment details with a masked card number and AVS/CVV result codes.
//
// Fraud: a share of orders (fraud_rate, 3% by default) is fraudulent and labelled so (`fraud`,
// `fraud_pattern`), for training and demonstrating the risk screen. Four patterns, each order
// mixing two to four of its pattern's tells at random, never one perfect tell:
//   card_testing      a burst of 3–8 consecutive orders seconds to minutes apart from one device
//                     (session_hash, user agent) and IP, each by a new account created seconds
//                     before, one cheap item, often to one drop address, AVS or CVV "N" on some;
//   account_takeover  an existing customer's account (email, history) shipping to a new address,
//                     mostly in another country than the billing address, under another name on
//                     some, with express shipping and several expensive items on most;
//   reshipper         a foreign card holder shipping to a US freight forwarder (Doral FL
//                     "Suite 12345, 8400 NW 25th St", a "Reship Box" or a "c/o … Forwarding"
//                     address), mostly express and many units of one SKU;
//   synthetic         a made-up identity: a random-looking email ("xk7qz9v2pl@…"), an account
//                     created seconds before, a billing name that differs from the shipping name,
//                     AVS "N" (at least two of these four).
// (A takeover needs a customer older than a week; until there is one, a synthetic identity
// takes its place.) Good orders carry weak tells too: a third are new accounts, a fifth ship
// express, some have a second billing address or an AVS/CVV miss, and about one in fourteen
// has one more: a follow-up order minutes later from the same device and IP, a gift to another
// name at home or abroad, a team order of many units, an expat's US forwarder; 1.5% of new
// customers have a random-looking email.
//
// Invariants: the same seed, shop and fraud rate produce byte-identical webhooks in the same
// order. Amounts are computed in integer minor units, so for every order with expected_hold ==
// false (every fraudulent one included) the body's own numbers add up exactly:
// Σ price × quantity = total_line_items_price and total_price = total_line_items_price −
// total_discounts + shipping + (taxes_included ? 0 : total_tax). About 8% of good orders carry
// exactly one deliberate problem that the pipeline's validate step holds (expected_hold, with
// hold_reason one of its problem codes), and no others; fraudulent orders carry none.
// created_at strictly increases from order to order.
// Nothing generated can reach a real person: emails use the reserved example.com/.net/.org
// domains, IPs come from the documentation ranges, cards are the networks' public test cards.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

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
  bool fraud = false;  // the label: the order is fraudulent
  // When fraud: "card_testing", "account_takeover", "reshipper" or "synthetic"; empty otherwise.
  std::string fraud_pattern;
};

// A freight-forwarder warehouse the simulator ships reshipper orders to, for the demo's risk
// configuration (risk::ForwarderAddress). Only the Doral address needs configuring: the others
// carry words ("reship", "c/o … Forwarding") the built-in forwarder heuristics recognise.
struct ForwarderWarehouse {
  std::string_view country_code;
  std::string_view zip;
  std::string_view address1_substring;
};
std::span<const ForwarderWarehouse> SimulatedForwarders();

// Generates an endless, deterministic stream of orders for one shop.
// Thread-safety: not thread-safe; use one simulator per thread.
class OrderSimulator {
 public:
  // Different seeds give different orders and disjoint id ranges (with overwhelming
  // probability), so two simulators can feed one store. `fraud_rate` is the expected share of
  // fraudulent orders, clamped to [0, 1]; 0 gives none. Default: 0.03.
  explicit OrderSimulator(uint64_t seed, std::string shop_domain, double fraud_rate = 0.03);
  ~OrderSimulator();
  OrderSimulator(OrderSimulator&&) noexcept;
  OrderSimulator& operator=(OrderSimulator&&) noexcept;

  // The next orders/create webhook. Order names count up from "#1001"; ids increase with every
  // call, and created_at advances 15 s – 10 min per order (4 s – 2.5 min within a card-testing
  // burst) from 2026-01-12T09:00 in the shop's zone (UTC−05:00), whatever the wall clock says.
  // About a quarter of good orders come from a returning customer, mostly on the same device.
  SimulatedWebhook NextOrderCreate();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace orderpilot::app
