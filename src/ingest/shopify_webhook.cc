#include "ingest/shopify_webhook.h"

#include <sodium.h>

#include <mutex>
#include <utility>

#include "core/json_dom.h"
#include "core/order_json.h"
#include "ingest/card_scrub.h"
#include "ingest/shopify_order.h"

namespace orderpilot::ingest {
namespace {

void EnsureSodium() {
  static std::once_flag once;
  // sodium_init only selects implementations and seeds the RNG; HMAC works either way, so a
  // failure here (it cannot fail on Linux in practice) is not fatal.
  std::call_once(once, [] {
    int rc = sodium_init();
    static_cast<void>(rc);
  });
}

void Hmac(std::string_view body, std::string_view secret,
          unsigned char (&out)[crypto_auth_hmacsha256_BYTES]) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  crypto_auth_hmacsha256_final(&state, out);
  sodium_memzero(&state, sizeof state);
}

struct TopicRule {
  std::string_view topic;
  store::DeliveryKind kind;
  std::string_view event_type;
};

constexpr TopicRule kTopics[] = {
    {"orders/create", store::DeliveryKind::kOrderCreate, "order.received"},
    {"orders/updated", store::DeliveryKind::kOrderUpdate, "order.updated"},
    {"orders/paid", store::DeliveryKind::kOrderUpdate, "order.paid"},
    {"orders/cancelled", store::DeliveryKind::kOrderCancel, "order.cancelled"},
    {"refunds/create", store::DeliveryKind::kRefund, "refund.created"},
    {"customers/data_request", store::DeliveryKind::kPrivacyRequest, ""},
    {"customers/redact", store::DeliveryKind::kPrivacyRequest, ""},
    {"shop/redact", store::DeliveryKind::kPrivacyRequest, ""},
};

}  // namespace

std::string SignShopifyBody(std::string_view body, std::string_view secret) {
  EnsureSodium();
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  Hmac(body, secret, mac);
  char b64[sodium_base64_ENCODED_LEN(crypto_auth_hmacsha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(b64, sizeof b64, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
  return std::string(b64);
}

bool VerifyShopifyHmac(std::string_view body, std::string_view header_base64,
                       std::string_view secret) {
  EnsureSodium();
  if (secret.empty() || header_base64.empty()) return false;
  unsigned char given[crypto_auth_hmacsha256_BYTES + 1];
  size_t given_len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(given, sizeof given, header_base64.data(), header_base64.size(), nullptr,
                        &given_len, &end, sodium_base64_VARIANT_ORIGINAL) != 0)
    return false;
  if (end != header_base64.data() + header_base64.size()) return false;
  if (given_len != crypto_auth_hmacsha256_BYTES) return false;
  unsigned char expected[crypto_auth_hmacsha256_BYTES];
  Hmac(body, secret, expected);
  return sodium_memcmp(given, expected, crypto_auth_hmacsha256_BYTES) == 0;
}

Result<store::Delivery> ShopifyDelivery(const ShopifyHeaders& h, std::string_view body,
                                        Timestamp received_at) {
  if (h.topic.empty())
    return InvalidArgumentError("missing X-Shopify-Topic header", "X-Shopify-Topic");
  if (h.shop_domain.empty())
    return InvalidArgumentError("missing X-Shopify-Shop-Domain header", "X-Shopify-Shop-Domain");
  // Cards out first: everything below reads the scrubbed body, and it is what is stored.
  OP_ASSIGN_OR_RETURN(ScrubbedBody scrubbed, ScrubCardData(body));
  store::Delivery d;
  d.channel = "shopify";
  d.shop = h.shop_domain;
  d.topic = h.topic;
  d.webhook_id = h.webhook_id;
  d.event_id = h.event_id;
  d.api_version = h.api_version;
  d.triggered_at = h.triggered_at;
  d.raw_body = std::move(scrubbed.json);
  body = d.raw_body;
  d.received_at = received_at;
  d.actor = "shopify";
  d.kind = store::DeliveryKind::kOther;
  for (const TopicRule& rule : kTopics) {
    if (rule.topic != h.topic) continue;
    d.kind = rule.kind;
    d.event_type = std::string(rule.event_type);
    break;
  }

  switch (d.kind) {
    case store::DeliveryKind::kOrderCreate:
    case store::DeliveryKind::kOrderUpdate:
    case store::DeliveryKind::kOrderCancel: {
      OP_ASSIGN_OR_RETURN(Order order, NormaliseShopifyOrder(body, h.shop_domain));
      order.card_data_removed = std::move(scrubbed.removed_from);
      d.channel_order_id = order.channel_order_id;
      d.payload_json = EncodeOrder(order);
      d.order = std::move(order);
      break;
    }
    case store::DeliveryKind::kRefund: {
      OP_ASSIGN_OR_RETURN(Refund refund, NormaliseShopifyRefund(body, h.shop_domain));
      d.channel_order_id = refund.channel_order_id;
      d.payload_json = EncodeRefund(refund);
      break;
    }
    case store::DeliveryKind::kPrivacyRequest:
    case store::DeliveryKind::kOther: {
      // Order and refund bodies are checked by their normaliser's parse; these only here.
      Result<simdjson::dom::object> parsed = json_dom::ParseObject(body);
      if (!parsed.ok()) return parsed.status();
      if (d.kind == store::DeliveryKind::kPrivacyRequest) d.payload_json = std::string(body);
      break;
    }
  }
  return d;
}

}  // namespace orderpilot::ingest
