// fuzz/shopify_order_fuzz.cc — the Shopify order and refund normalisers on arbitrary bodies.
//
// The input is a webhook body. It goes through what the server does with a verified delivery
// (ingest::ShopifyDelivery: card scrub, then the normaliser) for an orders/create and a
// refunds/create topic, and through the normalisers directly. Beyond "no crash", it checks the
// storage round trip the pipeline relies on: whatever is stored as canonical JSON decodes again,
// and encoding the decoded value gives the same bytes.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/order_json.h"
#include "fuzz_support.h"
#include "ingest/shopify_order.h"
#include "ingest/shopify_webhook.h"

namespace orderpilot {
namespace {

using fuzz::Check;

void CheckOrderRoundTrip(const std::string& canonical) {
  auto decoded = DecodeOrder(canonical);
  Check(decoded.ok(), "a stored canonical order does not decode");
  Check(EncodeOrder(*decoded) == canonical, "a canonical order changes on a round trip");
}

void CheckRefundRoundTrip(const std::string& canonical) {
  auto decoded = DecodeRefund(canonical);
  Check(decoded.ok(), "a stored canonical refund does not decode");
  Check(EncodeRefund(*decoded) == canonical, "a canonical refund changes on a round trip");
}

}  // namespace
}  // namespace orderpilot

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace orderpilot;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  constexpr std::string_view kShop = "fuzz.myshopify.com";

  ingest::ShopifyHeaders h;
  h.shop_domain = std::string(kShop);
  h.webhook_id = "wh-fuzz";
  h.topic = "orders/create";
  if (auto d = ingest::ShopifyDelivery(h, body, Timestamp{}); d.ok()) {
    Check(d->order.has_value(), "an orders/create delivery without an order");
    CheckOrderRoundTrip(d->payload_json);
    Check(EncodeOrder(*d->order) == d->payload_json, "payload_json is not EncodeOrder(order)");
  }
  h.topic = "refunds/create";
  if (auto d = ingest::ShopifyDelivery(h, body, Timestamp{}); d.ok())
    CheckRefundRoundTrip(d->payload_json);

  if (auto o = ingest::NormaliseShopifyOrder(body, kShop); o.ok())
    CheckOrderRoundTrip(EncodeOrder(*o));
  if (auto r = ingest::NormaliseShopifyRefund(body, kShop); r.ok())
    CheckRefundRoundTrip(EncodeRefund(*r));
  return 0;
}
