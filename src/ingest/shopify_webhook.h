// ingest/shopify_webhook.h — Shopify webhook signatures and the mapping of a verified webhook to
// a store::Delivery.
//
// No HTTP here: the api module reads the headers, calls VerifyShopifyHmac with the shop's secret,
// then ShopifyDelivery, then Store::Ingest. Invariant: a Delivery built here carries the raw body
// byte for byte (the signature covers those bytes) except for card data, which is never stored,
// and, for order topics, the canonical order.
//
// Thread-safety: all functions may be called concurrently.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace orderpilot::ingest {

// base64(HMAC-SHA256(key = secret, message = body)), standard alphabet with padding: the value
// of X-Shopify-Hmac-Sha256 for `body`.
std::string SignShopifyBody(std::string_view body, std::string_view secret);

// True when `header_base64` is the signature of the raw `body` under `secret`. The comparison
// takes constant time. False for an empty secret, an empty or non-base64 header, or a header
// that does not decode to exactly 32 bytes.
bool VerifyShopifyHmac(std::string_view body, std::string_view header_base64,
                       std::string_view secret);

// The X-Shopify-* headers of one webhook (names are case-insensitive on the wire; Shopify's
// newer deliveries also use the unprefixed "shopify-*" names).
struct ShopifyHeaders {
  std::string hmac;          // X-Shopify-Hmac-Sha256
  std::string topic;         // X-Shopify-Topic: "orders/create"
  std::string shop_domain;   // X-Shopify-Shop-Domain: "example.myshopify.com"
  std::string webhook_id;    // X-Shopify-Webhook-Id
  std::string event_id;      // X-Shopify-Event-Id
  std::string api_version;   // X-Shopify-API-Version: "2026-04"
  std::string triggered_at;  // X-Shopify-Triggered-At
};

// Builds the Delivery for a webhook whose signature has been verified. Channel "shopify", actor
// "shopify", shop = shop_domain, the identity headers, raw_body = body with card numbers and
// security codes removed (ingest/card_scrub.h; orders list where in card_data_removed). By topic:
//   orders/create     → kOrderCreate  "order.received"
//   orders/updated    → kOrderUpdate  "order.updated"
//   orders/paid       → kOrderUpdate  "order.paid"
//   orders/cancelled  → kOrderCancel  "order.cancelled"
//     (order kinds: order, channel_order_id and payload_json = EncodeOrder(order))
//   refunds/create    → kRefund       "refund.created" (channel_order_id = the refund's order_id,
//                                                       payload_json = EncodeRefund(refund))
//   customers/data_request, customers/redact, shop/redact → kPrivacyRequest, payload_json = body
//   anything else     → kOther (body kept as raw_body only)
// Errors: InvalidArgument (400) for a missing topic ("X-Shopify-Topic") or shop domain
// ("X-Shopify-Shop-Domain") header, or a body that is not a JSON object (any topic); the
// normalisers' errors (ingest/shopify_order.h) for order and refund topics.
Result<store::Delivery> ShopifyDelivery(const ShopifyHeaders& h, std::string_view body,
                                        Timestamp received_at);

}  // namespace orderpilot::ingest
