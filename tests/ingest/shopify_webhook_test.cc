#include "ingest/shopify_webhook.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/order_json.h"
#include "test_files.h"

namespace orderpilot::ingest {
namespace {

using testing::Fixture;
using testing::Replace;

// ---- signatures ----

TEST(ShopifyHmacTest, SignsShopifyLibraryTestVector) {
  EXPECT_EQ(SignShopifyBody(R"({"foo": "bar"})", "test_secret_key"),
            "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=");
}

TEST(ShopifyHmacTest, SignsEmptyObjectVector) {
  EXPECT_EQ(SignShopifyBody("{}", "API_SECRET_KEY"),
            "+ihUB5l+D7QrohDEi/6NcBcJRyKssyWqos13LmnsBbs=");
}

TEST(ShopifyHmacTest, SignsBigIdBodyByteForByte) {
  EXPECT_EQ(SignShopifyBody(R"({"id":820982911946154508,"email":"jon@example.com"})", "hush"),
            "D0UMXmhjwBRi4y66TmhJrDlhQABD7zI2fm3p6/QLMo8=");
}

TEST(ShopifyHmacTest, AcceptsCorrectSignature) {
  EXPECT_TRUE(VerifyShopifyHmac(R"({"foo": "bar"})",
                                "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=", "test_secret_key"));
  EXPECT_TRUE(
      VerifyShopifyHmac("{}", "+ihUB5l+D7QrohDEi/6NcBcJRyKssyWqos13LmnsBbs=", "API_SECRET_KEY"));
}

TEST(ShopifyHmacTest, RejectsSignatureOfAnotherBody) {
  std::string sig = SignShopifyBody(R"({"foo": "bar"})", "test_secret_key");
  EXPECT_FALSE(VerifyShopifyHmac(R"({"foo":"bar"})", sig, "test_secret_key"));  // re-serialised
  EXPECT_FALSE(VerifyShopifyHmac(R"({"foo": "bar"} )", sig, "test_secret_key"));
}

TEST(ShopifyHmacTest, RejectsSignatureUnderAnotherSecret) {
  std::string sig = SignShopifyBody("{}", "API_SECRET_KEY");
  EXPECT_FALSE(VerifyShopifyHmac("{}", sig, "api_secret_key"));
}

TEST(ShopifyHmacTest, RejectsMissingSignature) {
  EXPECT_FALSE(VerifyShopifyHmac("{}", "", "API_SECRET_KEY"));
}

TEST(ShopifyHmacTest, RejectsEmptySecret) {
  EXPECT_FALSE(VerifyShopifyHmac("{}", SignShopifyBody("{}", ""), ""));
}

TEST(ShopifyHmacTest, RejectsGarbledBase64) {
  EXPECT_FALSE(VerifyShopifyHmac("{}", "not base64 at all!!", "API_SECRET_KEY"));
  EXPECT_FALSE(
      VerifyShopifyHmac("{}", "+ihUB5l+D7QrohDEi/6NcBcJRyKssyWqos13LmnsBbs", "API_SECRET_KEY"))
      << "unpadded";
  EXPECT_FALSE(
      VerifyShopifyHmac("{}", "+ihUB5l+D7QrohDEi/6NcBcJRyKssyWqos13LmnsBbs=x", "API_SECRET_KEY"))
      << "trailing garbage";
  EXPECT_FALSE(
      VerifyShopifyHmac("{}", "-ihUB5l_D7QrohDEi_6NcBcJRyKssyWqos13LmnsBbs=", "API_SECRET_KEY"))
      << "URL-safe alphabet";
}

TEST(ShopifyHmacTest, RejectsSignatureOfWrongLength) {
  EXPECT_FALSE(VerifyShopifyHmac("{}", "AAAA", "API_SECRET_KEY"));
  EXPECT_FALSE(VerifyShopifyHmac(
      "{}",
      "+ihUB5l+D7QrohDEi/6NcBcJRyKssyWqos13LmnsBbs+ihUB5l+D7QrohDEi/6NcBcJRyKssyWqos13LmnsBbs=",
      "API_SECRET_KEY"));
}

TEST(ShopifyHmacTest, HexSignatureIsNotAccepted) {
  // Shopify sends base64; a hex digest of the right HMAC must not pass.
  EXPECT_FALSE(VerifyShopifyHmac(
      "{}", "fa285407997e0fb42ba210c48bfe8d7017094722acb325aaa2cd772e69ec05bb", "API_SECRET_KEY"));
}

// ---- deliveries ----

ShopifyHeaders Headers(const std::string& topic) {
  ShopifyHeaders h;
  h.hmac = "ignored-here";
  h.topic = topic;
  h.shop_domain = "example.myshopify.com";
  h.webhook_id = "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043";
  h.event_id = "98880550-7158-44d4-b7cd-2c97c8a091b5";
  h.api_version = "2026-04";
  h.triggered_at = "2026-11-20T15:00:00.000Z";
  return h;
}

const Timestamp kReceived{1763650800000000};

store::Delivery Deliver(const std::string& topic, const std::string& body) {
  auto d = ShopifyDelivery(Headers(topic), body, kReceived);
  EXPECT_TRUE(d.ok()) << topic << ": " << d.status().ToString();
  return d.ok() ? *d : store::Delivery();
}

TEST(ShopifyDeliveryTest, OrderCreateCarriesIdentityAndCanonicalOrder) {
  std::string body = Fixture("order_us_discounts.json");
  store::Delivery d = Deliver("orders/create", body);
  EXPECT_EQ(d.channel, "shopify");
  EXPECT_EQ(d.shop, "example.myshopify.com");
  EXPECT_EQ(d.topic, "orders/create");
  EXPECT_EQ(d.webhook_id, "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
  EXPECT_EQ(d.event_id, "98880550-7158-44d4-b7cd-2c97c8a091b5");
  EXPECT_EQ(d.api_version, "2026-04");
  EXPECT_EQ(d.triggered_at, "2026-11-20T15:00:00.000Z");
  EXPECT_EQ(d.raw_body, body);
  EXPECT_EQ(d.received_at, kReceived);
  EXPECT_EQ(d.actor, "shopify");
  EXPECT_EQ(d.kind, store::DeliveryKind::kOrderCreate);
  EXPECT_EQ(d.event_type, "order.received");
  EXPECT_EQ(d.channel_order_id, "820982911946154508");
  ASSERT_TRUE(d.order.has_value());
  EXPECT_EQ(d.order->shop, "example.myshopify.com");
  EXPECT_EQ(d.payload_json, EncodeOrder(*d.order));
  auto decoded = DecodeOrder(d.payload_json);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->totals.total, d.order->totals.total);
}

// A customer typed a card number into the order note and a security code into a note
// attribute: neither reaches the raw body, the canonical order or its event; the order says
// where they were.
TEST(ShopifyDeliveryTest, CardDataTypedByTheCustomerIsNeverStored) {
  std::string body = Replace(Fixture("order_us_discounts.json"), "Leave at the back door",
                             "Leave at the back door. Card 4111 1111 1111 1111 exp 12/29");
  body = Replace(body, "Happy birthday!", "cvv 123");
  store::Delivery d = Deliver("orders/create", body);
  for (const std::string& stored : {d.raw_body, d.payload_json}) {
    EXPECT_EQ(stored.find("4111 1111 1111 1111"), std::string::npos) << stored;
    EXPECT_EQ(stored.find("cvv 123"), std::string::npos) << stored;
  }
  EXPECT_NE(d.raw_body.find("[card visa 411111"), std::string::npos) << d.raw_body;
  ASSERT_TRUE(d.order.has_value());
  EXPECT_EQ(d.order->note,
            "Leave at the back door. Card [card visa 411111\xE2\x80\xA6"
            "1111 removed] exp 12/29");
  EXPECT_EQ(d.order->attributes[0].second, "cvv [cvv removed]");
  EXPECT_EQ(d.order->card_data_removed,
            (std::vector<std::string>{"/note", "/note_attributes/0/value"}));
  // The ids, SKUs and money come through as they were.
  EXPECT_EQ(d.channel_order_id, "820982911946154508");
  auto decoded = DecodeOrder(d.payload_json);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->card_data_removed, d.order->card_data_removed);
  EXPECT_EQ(decoded->totals.total, d.order->totals.total);
}

TEST(ShopifyDeliveryTest, CleanBodiesAreStoredByteForByte) {
  const std::string body = Fixture("order_us_discounts.json");
  store::Delivery d = Deliver("orders/create", body);
  EXPECT_EQ(d.raw_body, body);
  ASSERT_TRUE(d.order.has_value());
  EXPECT_TRUE(d.order->card_data_removed.empty());
  EXPECT_EQ(d.payload_json.find("card_data_removed"), std::string::npos);
}

TEST(ShopifyDeliveryTest, CardDataInOtherTopicsIsRemovedToo) {
  store::Delivery d = Deliver("customers/data_request",
                              R"({"shop_id": 954889, "customer": {"id": 191167},)"
                              R"( "comment": "my card 5555555555554444 was charged twice"})");
  EXPECT_EQ(d.raw_body.find("5555555555554444"), std::string::npos) << d.raw_body;
  EXPECT_EQ(d.payload_json, d.raw_body);
  EXPECT_NE(d.raw_body.find(R"("shop_id": 954889)"), std::string::npos);
}

TEST(ShopifyDeliveryTest, OrdersUpdatedIsAnUpdate) {
  store::Delivery d = Deliver("orders/updated", Fixture("order_jpy.json"));
  EXPECT_EQ(d.kind, store::DeliveryKind::kOrderUpdate);
  EXPECT_EQ(d.event_type, "order.updated");
  EXPECT_EQ(d.channel_order_id, "4400000000000000001");
  EXPECT_TRUE(d.order.has_value());
}

TEST(ShopifyDeliveryTest, OrdersPaidIsAnUpdateWithItsOwnEvent) {
  store::Delivery d = Deliver("orders/paid", Fixture("order_jpy.json"));
  EXPECT_EQ(d.kind, store::DeliveryKind::kOrderUpdate);
  EXPECT_EQ(d.event_type, "order.paid");
}

TEST(ShopifyDeliveryTest, OrdersCancelledIsACancel) {
  store::Delivery d = Deliver("orders/cancelled", Fixture("order_kwd_cancelled.json"));
  EXPECT_EQ(d.kind, store::DeliveryKind::kOrderCancel);
  EXPECT_EQ(d.event_type, "order.cancelled");
  EXPECT_EQ(d.channel_order_id, "7300000000000000009");
  ASSERT_TRUE(d.order.has_value());
  EXPECT_TRUE(d.order->cancelled_at.has_value());
}

TEST(ShopifyDeliveryTest, RefundCreateNamesTheOrderAndCarriesTheRefund) {
  store::Delivery d = Deliver("refunds/create", Fixture("refund_partial_cad.json"));
  EXPECT_EQ(d.kind, store::DeliveryKind::kRefund);
  EXPECT_EQ(d.event_type, "refund.created");
  EXPECT_EQ(d.channel_order_id, "5800000000000000123");
  EXPECT_FALSE(d.order.has_value());
  auto refund = DecodeRefund(d.payload_json);
  ASSERT_TRUE(refund.ok()) << refund.status().ToString();
  EXPECT_EQ(refund->channel_refund_id, "9300000000000000001");
  EXPECT_EQ(refund->amount.minor_units(), 18816);
}

TEST(ShopifyDeliveryTest, PrivacyTopicsCarryTheBody) {
  const std::string body =
      R"({"shop_id": 954889, "shop_domain": "example.myshopify.com",
          "customer": {"id": 191167, "email": "john@example.com"}, "orders_to_redact": [299938]})";
  for (const char* topic : {"customers/data_request", "customers/redact", "shop/redact"}) {
    store::Delivery d = Deliver(topic, body);
    EXPECT_EQ(d.kind, store::DeliveryKind::kPrivacyRequest) << topic;
    EXPECT_EQ(d.payload_json, body) << topic;
    EXPECT_FALSE(d.order.has_value());
  }
}

TEST(ShopifyDeliveryTest, UnknownTopicIsStoredAsOther) {
  store::Delivery d = Deliver("collections/create", R"({"id": 1, "title": "Summer"})");
  EXPECT_EQ(d.kind, store::DeliveryKind::kOther);
  EXPECT_EQ(d.raw_body, R"({"id": 1, "title": "Summer"})");
  EXPECT_FALSE(d.order.has_value());
}

TEST(ShopifyDeliveryTest, MissingTopicIs400) {
  ShopifyHeaders h = Headers("");
  auto d = ShopifyDelivery(h, "{}", kReceived);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(d.status().field(), "X-Shopify-Topic");
  EXPECT_EQ(d.status().message(), "missing X-Shopify-Topic header");
}

TEST(ShopifyDeliveryTest, MissingShopDomainIs400) {
  ShopifyHeaders h = Headers("orders/create");
  h.shop_domain.clear();
  auto d = ShopifyDelivery(h, Fixture("order_jpy.json"), kReceived);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(d.status().field(), "X-Shopify-Shop-Domain");
}

TEST(ShopifyDeliveryTest, BodyThatIsNotAnObjectIs400ForEveryTopic) {
  for (const char* topic : {"orders/create", "refunds/create", "shop/redact", "carts/update"}) {
    for (const char* body : {"[]", "{", "", "\"x\""}) {
      auto d = ShopifyDelivery(Headers(topic), body, kReceived);
      ASSERT_FALSE(d.ok()) << topic << " " << body;
      EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument) << topic << " " << body;
    }
  }
}

TEST(ShopifyDeliveryTest, UnprocessableOrderIs422) {
  std::string body =
      testing::Replace(Fixture("order_jpy.json"), R"("quantity": 3)", R"("quantity": -3)");
  auto d = ShopifyDelivery(Headers("orders/create"), body, kReceived);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kUnprocessable);
  EXPECT_EQ(d.status().field(), "line_items[0].quantity");
}

}  // namespace
}  // namespace orderpilot::ingest
