#include "core/order_json.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace orderpilot {
namespace {

Currency Cur(const char* code) { return *Currency::Parse(code); }
Money Usd(int64_t minor) { return Money(minor, Cur("USD")); }
Timestamp At(const char* text) { return *ParseTimestamp(text); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

// An order that sets every field to a non-default value.
Order RichOrder() {
  Order o;
  o.channel = "shopify";
  o.shop = "example.myshopify.com";
  o.channel_order_id = "820982911946154508";
  o.number = "#1001";
  o.currency = Cur("USD");
  o.created_at = At("2021-12-31T19:00:00.25-05:00");
  o.cancelled_at = At("2022-01-02T08:00:00Z");
  o.cancel_reason = "customer";
  o.email = "jon@example.com";
  o.phone = "+15555550123";
  o.customer.channel_customer_id = "115310627314723954";
  o.customer.email = "jon.customer@example.com";
  o.customer.phone = "+15555550100";
  o.customer.first_name = "Jon";
  o.customer.last_name = "Snow";
  o.customer.tags = {"vip", "repeat buyer"};
  o.customer.created_at = At("2021-03-02T14:15:00Z");
  o.customer.orders_count = 7;
  o.customer.accepts_marketing = true;
  Address a;
  a.first_name = "Jon";
  a.last_name = "Snow";
  a.company = "Night Watch \"LLC\"";
  a.address1 = "1 Wall Street";
  a.address2 = "Suite 3";
  a.city = "Louisville";
  a.province = "Kentucky";
  a.province_code = "KY";
  a.country = "United States";
  a.country_code = "US";
  a.zip = "40202";
  a.phone = "+15555550123";
  o.billing_address = a;
  a.address2 = "Back door\nring twice";
  o.shipping_address = a;
  LineItem li;
  li.channel_line_id = "487817672276298554";
  li.sku = "SKU-1";
  li.variant_id = "642667041472713922";
  li.product_id = "788032119674292922";
  li.title = "Aviator sunglasses";
  li.variant_title = "Gold / Green";
  li.vendor = "Ray-Bann";
  li.quantity = 2;
  li.unit_price = Usd(8999);
  li.total_discount = Usd(1000);
  li.tax_lines = {{"KY State Tax", 0.06, Usd(1020)}, {"City tax", 0.0125, Usd(212)}};
  li.grams = 100;
  li.requires_shipping = true;
  li.taxable = true;
  li.gift_card = false;
  o.line_items.push_back(li);
  LineItem gift;
  gift.channel_line_id = "2";
  gift.title = "Gift card — €50 • 東京";
  gift.quantity = 1;
  gift.unit_price = Usd(5000);
  gift.total_discount = Usd(0);
  gift.requires_shipping = false;
  gift.taxable = false;
  gift.gift_card = true;
  o.line_items.push_back(gift);
  ShippingLine s;
  s.code = "Standard";
  s.title = "Standard Shipping";
  s.source = "shopify";
  s.price = Usd(1000);
  s.discount = Usd(1000);
  s.tax_lines = {{"KY State Tax", 0.06, Usd(60)}};
  o.shipping_lines.push_back(s);
  o.discount_codes = {{"SPRING10", "fixed_amount", Usd(1000)}, {"FREESHIP", "shipping", Usd(1000)}};
  o.tax_lines = {{"KY State Tax", 0.06, Usd(1080)}, {"City tax", 0.0125, Usd(212)}};
  o.taxes_included = true;
  o.totals = {Usd(22998), Usd(2000), Usd(1000), Usd(1292), Usd(21998)};
  o.financial_status = FinancialStatus::kPartiallyRefunded;
  o.fulfillment_status = "partial";
  o.payment = {"shopify_payments", "Y", "M", "424242", "4242", "Visa", 2};
  o.client = {"203.0.113.7", "Mozilla/5.0", "en-US,en;q=0.9", "f1e2d3"};
  o.tags = {"holiday", "gift wrap"};
  o.note = "Leave at the back door";
  o.attributes = {{"gift_message", "Happy birthday!"}, {"delivery_window", "am"}};
  o.source_name = "web";
  return o;
}

void ExpectTaxLinesEqual(const std::vector<TaxLine>& a, const std::vector<TaxLine>& b,
                         const std::string& where) {
  ASSERT_EQ(a.size(), b.size()) << where;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].title, b[i].title) << where;
    EXPECT_EQ(a[i].rate, b[i].rate) << where;
    EXPECT_EQ(a[i].price, b[i].price) << where;
  }
}

void ExpectAddressEqual(const std::optional<Address>& a, const std::optional<Address>& b) {
  ASSERT_EQ(a.has_value(), b.has_value());
  if (!a) return;
  EXPECT_EQ(a->first_name, b->first_name);
  EXPECT_EQ(a->last_name, b->last_name);
  EXPECT_EQ(a->company, b->company);
  EXPECT_EQ(a->address1, b->address1);
  EXPECT_EQ(a->address2, b->address2);
  EXPECT_EQ(a->city, b->city);
  EXPECT_EQ(a->province, b->province);
  EXPECT_EQ(a->province_code, b->province_code);
  EXPECT_EQ(a->country, b->country);
  EXPECT_EQ(a->country_code, b->country_code);
  EXPECT_EQ(a->zip, b->zip);
  EXPECT_EQ(a->phone, b->phone);
}

void ExpectOrdersEqual(const Order& a, const Order& b) {
  EXPECT_EQ(a.channel, b.channel);
  EXPECT_EQ(a.shop, b.shop);
  EXPECT_EQ(a.channel_order_id, b.channel_order_id);
  EXPECT_EQ(a.number, b.number);
  EXPECT_EQ(a.currency, b.currency);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.cancelled_at, b.cancelled_at);
  EXPECT_EQ(a.cancel_reason, b.cancel_reason);
  EXPECT_EQ(a.email, b.email);
  EXPECT_EQ(a.phone, b.phone);
  EXPECT_EQ(a.customer.channel_customer_id, b.customer.channel_customer_id);
  EXPECT_EQ(a.customer.email, b.customer.email);
  EXPECT_EQ(a.customer.phone, b.customer.phone);
  EXPECT_EQ(a.customer.first_name, b.customer.first_name);
  EXPECT_EQ(a.customer.last_name, b.customer.last_name);
  EXPECT_EQ(a.customer.tags, b.customer.tags);
  EXPECT_EQ(a.customer.created_at, b.customer.created_at);
  EXPECT_EQ(a.customer.orders_count, b.customer.orders_count);
  EXPECT_EQ(a.customer.accepts_marketing, b.customer.accepts_marketing);
  ExpectAddressEqual(a.billing_address, b.billing_address);
  ExpectAddressEqual(a.shipping_address, b.shipping_address);
  ASSERT_EQ(a.line_items.size(), b.line_items.size());
  for (size_t i = 0; i < a.line_items.size(); ++i) {
    const LineItem& x = a.line_items[i];
    const LineItem& y = b.line_items[i];
    EXPECT_EQ(x.channel_line_id, y.channel_line_id);
    EXPECT_EQ(x.sku, y.sku);
    EXPECT_EQ(x.variant_id, y.variant_id);
    EXPECT_EQ(x.product_id, y.product_id);
    EXPECT_EQ(x.title, y.title);
    EXPECT_EQ(x.variant_title, y.variant_title);
    EXPECT_EQ(x.vendor, y.vendor);
    EXPECT_EQ(x.quantity, y.quantity);
    EXPECT_EQ(x.unit_price, y.unit_price);
    EXPECT_EQ(x.total_discount, y.total_discount);
    ExpectTaxLinesEqual(x.tax_lines, y.tax_lines, "line " + std::to_string(i));
    EXPECT_EQ(x.grams, y.grams);
    EXPECT_EQ(x.requires_shipping, y.requires_shipping);
    EXPECT_EQ(x.taxable, y.taxable);
    EXPECT_EQ(x.gift_card, y.gift_card);
  }
  ASSERT_EQ(a.shipping_lines.size(), b.shipping_lines.size());
  for (size_t i = 0; i < a.shipping_lines.size(); ++i) {
    EXPECT_EQ(a.shipping_lines[i].code, b.shipping_lines[i].code);
    EXPECT_EQ(a.shipping_lines[i].title, b.shipping_lines[i].title);
    EXPECT_EQ(a.shipping_lines[i].source, b.shipping_lines[i].source);
    EXPECT_EQ(a.shipping_lines[i].price, b.shipping_lines[i].price);
    EXPECT_EQ(a.shipping_lines[i].discount, b.shipping_lines[i].discount);
    ExpectTaxLinesEqual(a.shipping_lines[i].tax_lines, b.shipping_lines[i].tax_lines, "shipping");
  }
  ASSERT_EQ(a.discount_codes.size(), b.discount_codes.size());
  for (size_t i = 0; i < a.discount_codes.size(); ++i) {
    EXPECT_EQ(a.discount_codes[i].code, b.discount_codes[i].code);
    EXPECT_EQ(a.discount_codes[i].type, b.discount_codes[i].type);
    EXPECT_EQ(a.discount_codes[i].amount, b.discount_codes[i].amount);
  }
  ExpectTaxLinesEqual(a.tax_lines, b.tax_lines, "order");
  EXPECT_EQ(a.taxes_included, b.taxes_included);
  EXPECT_EQ(a.totals.line_items, b.totals.line_items);
  EXPECT_EQ(a.totals.discounts, b.totals.discounts);
  EXPECT_EQ(a.totals.shipping, b.totals.shipping);
  EXPECT_EQ(a.totals.tax, b.totals.tax);
  EXPECT_EQ(a.totals.total, b.totals.total);
  EXPECT_EQ(a.financial_status, b.financial_status);
  EXPECT_EQ(a.fulfillment_status, b.fulfillment_status);
  EXPECT_EQ(a.payment.gateway, b.payment.gateway);
  EXPECT_EQ(a.payment.avs_result_code, b.payment.avs_result_code);
  EXPECT_EQ(a.payment.cvv_result_code, b.payment.cvv_result_code);
  EXPECT_EQ(a.payment.card_bin, b.payment.card_bin);
  EXPECT_EQ(a.payment.card_last4, b.payment.card_last4);
  EXPECT_EQ(a.payment.card_company, b.payment.card_company);
  EXPECT_EQ(a.payment.failed_attempts, b.payment.failed_attempts);
  EXPECT_EQ(a.client.browser_ip, b.client.browser_ip);
  EXPECT_EQ(a.client.user_agent, b.client.user_agent);
  EXPECT_EQ(a.client.accept_language, b.client.accept_language);
  EXPECT_EQ(a.client.session_hash, b.client.session_hash);
  EXPECT_EQ(a.tags, b.tags);
  EXPECT_EQ(a.note, b.note);
  EXPECT_EQ(a.attributes, b.attributes);
  EXPECT_EQ(a.source_name, b.source_name);
}

// A small valid canonical order; tests break one thing at a time with Replace.
const std::string kMinimal = R"({
  "channel_order_id": "A-1", "currency": "USD",
  "line_items": [{"sku": "MUG", "quantity": 2, "unit_price": "10.00"},
                 {"sku": "TEA", "quantity": 1, "unit_price": "4.50"}],
  "shipping_lines": [{"title": "Standard", "price": "5.00",
                      "tax_lines": [{"title": "VAT", "rate": 0.2, "price": "1.00"}]}]
})";

Status DecodeError(const std::string& json, const OrderDecodeOptions& options = {}) {
  auto o = DecodeOrder(json, options);
  EXPECT_FALSE(o.ok()) << "decoded: " << json.substr(0, 200);
  return o.ok() ? Status() : o.status();
}

// ---- encoding ----

TEST(EncodeOrderTest, WritesMoneyAsDecimalStringsAndTheCurrencyOnce) {
  std::string json = EncodeOrder(RichOrder());
  EXPECT_NE(json.find(R"("currency":"USD")"), std::string::npos);
  EXPECT_EQ(json.find("\"currency\"", json.find("\"currency\"") + 1), std::string::npos);
  EXPECT_NE(json.find(R"("unit_price":"89.99")"), std::string::npos);
  EXPECT_NE(json.find(R"("total":"219.98")"), std::string::npos);
}

TEST(EncodeOrderTest, WritesIdsAsStrings) {
  std::string json = EncodeOrder(RichOrder());
  EXPECT_NE(json.find(R"("channel_order_id":"820982911946154508")"), std::string::npos);
  EXPECT_NE(json.find(R"("id":"115310627314723954")"), std::string::npos);
}

TEST(EncodeOrderTest, WritesTimestampsAsRfc3339Utc) {
  std::string json = EncodeOrder(RichOrder());
  EXPECT_NE(json.find(R"("created_at":"2022-01-01T00:00:00.250000Z")"), std::string::npos);
  EXPECT_NE(json.find(R"("cancelled_at":"2022-01-02T08:00:00Z")"), std::string::npos);
}

TEST(EncodeOrderTest, WritesAbsentOptionalsAsNull) {
  Order o = RichOrder();
  o.cancelled_at.reset();
  o.shipping_address.reset();
  std::string json = EncodeOrder(o);
  EXPECT_NE(json.find(R"("cancelled_at":null)"), std::string::npos);
  EXPECT_NE(json.find(R"("shipping_address":null)"), std::string::npos);
}

TEST(EncodeOrderTest, WritesAmountsAtTheCurrencyExponent) {
  Order o;
  o.currency = Cur("JPY");
  LineItem li;
  li.quantity = 1;
  li.unit_price = Money(1000, o.currency);
  o.line_items = {li};
  std::string jpy = EncodeOrder(o);
  EXPECT_NE(jpy.find(R"("unit_price":"1000")"), std::string::npos) << jpy;
  // An amount left at its default (no currency) is still written in the order's currency.
  EXPECT_NE(jpy.find(R"("total_discount":"0")"), std::string::npos) << jpy;

  o.currency = Cur("KWD");
  o.line_items[0].unit_price = Money(1250, o.currency);
  std::string kwd = EncodeOrder(o);
  EXPECT_NE(kwd.find(R"("unit_price":"1.250")"), std::string::npos) << kwd;
}

TEST(EncodeOrderTest, MatchesTheGoldenFile) {
  std::string golden = ReadFile(std::string(OP_TEST_DATA_DIR) + "/orders/rich_order.json");
  auto decoded = DecodeOrder(golden);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ExpectOrdersEqual(*decoded, RichOrder());
  // The file is the pretty-printed encoding: strip the indentation and compare byte for byte.
  std::string compact;
  bool in_string = false;
  for (size_t i = 0; i < golden.size(); ++i) {
    char c = golden[i];
    if (c == '"' && (i == 0 || golden[i - 1] != '\\')) in_string = !in_string;
    if (!in_string && (c == ' ' || c == '\n')) continue;
    compact.push_back(c);
  }
  EXPECT_EQ(EncodeOrder(RichOrder()), compact);
}

// ---- round trip ----

TEST(OrderJsonRoundTripTest, RichOrderSurvivesFieldByField) {
  Order original = RichOrder();
  auto decoded = DecodeOrder(EncodeOrder(original));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ExpectOrdersEqual(*decoded, original);
}

TEST(OrderJsonRoundTripTest, GuestOrderWithoutAddressesSurvives) {
  Order original = RichOrder();
  original.customer = Customer();
  original.billing_address.reset();
  original.shipping_address.reset();
  original.cancelled_at.reset();
  original.attributes.clear();
  original.tags.clear();
  auto decoded = DecodeOrder(EncodeOrder(original));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ExpectOrdersEqual(*decoded, original);
}

TEST(OrderJsonRoundTripTest, EncodingIsStable) {
  std::string once = EncodeOrder(RichOrder());
  auto decoded = DecodeOrder(once);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(EncodeOrder(*decoded), once);
}

TEST(RefundJsonTest, RoundTripsFieldByField) {
  Refund r;
  r.channel = "shopify";
  r.shop = "example.myshopify.com";
  r.channel_refund_id = "9300000000000000001";
  r.channel_order_id = "820982911946154508";
  r.created_at = At("2024-05-20T17:00:00Z");
  r.note = "damaged";
  r.currency = Cur("KWD");
  r.lines = {{"487817672276298554", 1, Money(12750, r.currency), Money(0, r.currency), "return"}};
  r.amount = Money(12750, r.currency);
  std::string json = EncodeRefund(r);
  EXPECT_NE(json.find(R"("amount":"12.750")"), std::string::npos) << json;
  auto back = DecodeRefund(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->channel, r.channel);
  EXPECT_EQ(back->shop, r.shop);
  EXPECT_EQ(back->channel_refund_id, r.channel_refund_id);
  EXPECT_EQ(back->channel_order_id, r.channel_order_id);
  EXPECT_EQ(back->created_at, r.created_at);
  EXPECT_EQ(back->note, r.note);
  EXPECT_EQ(back->currency, r.currency);
  ASSERT_EQ(back->lines.size(), 1u);
  EXPECT_EQ(back->lines[0].channel_line_id, "487817672276298554");
  EXPECT_EQ(back->lines[0].quantity, 1);
  EXPECT_EQ(back->lines[0].subtotal, Money(12750, r.currency));
  EXPECT_EQ(back->lines[0].tax, Money(0, r.currency));
  EXPECT_EQ(back->lines[0].restock_type, "return");
  EXPECT_EQ(back->amount, r.amount);
}

// ---- decoding what API callers send ----

TEST(DecodeOrderTest, DerivesAbsentTotalsFromTheLines) {
  auto o = DecodeOrder(kMinimal);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->totals.line_items, Usd(2450));
  EXPECT_EQ(o->totals.discounts, Usd(0));
  EXPECT_EQ(o->totals.shipping, Usd(500));
  EXPECT_EQ(o->totals.tax, Usd(100));
  EXPECT_EQ(o->totals.total, Usd(3050));
}

TEST(DecodeOrderTest, KeepsGivenTotalsEvenWhenTheyDoNotAddUp) {
  auto o = DecodeOrder(Replace(kMinimal, R"("currency": "USD",)",
                               R"("currency": "USD", "totals": {"total": "99.00"},)"));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->totals.total, Usd(9900));       // the validate step judges it, not the decoder
  EXPECT_EQ(o->totals.line_items, Usd(2450));  // the absent ones are still derived
}

TEST(DecodeOrderTest, AppliesDefaultsForAbsentFields) {
  auto o = DecodeOrder(kMinimal);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->channel_order_id, "A-1");
  EXPECT_FALSE(o->shipping_address.has_value());
  EXPECT_FALSE(o->cancelled_at.has_value());
  EXPECT_EQ(o->financial_status, FinancialStatus::kUnknown);
  EXPECT_TRUE(o->line_items[0].requires_shipping);
  EXPECT_TRUE(o->line_items[0].taxable);
  EXPECT_FALSE(o->line_items[0].gift_card);
  EXPECT_EQ(o->line_items[0].total_discount, Usd(0));
  EXPECT_EQ(o->shipping_lines[0].tax_lines[0].rate, 0.2);
}

TEST(DecodeOrderTest, ReadsNullAsAbsent) {
  auto o = DecodeOrder(Replace(kMinimal, R"("currency": "USD",)",
                               R"("currency": "USD", "email": null, "shipping_address": null,
                                  "customer": null, "tags": null, "cancelled_at": null,)"));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->email, "");
  EXPECT_FALSE(o->shipping_address.has_value());
  EXPECT_TRUE(o->tags.empty());
}

TEST(DecodeOrderTest, IgnoresUnknownKeys) {
  auto o = DecodeOrder(Replace(kMinimal, R"("currency": "USD",)",
                               R"("currency": "USD", "x_future": {"a": [1, 2, {"b": null}]},)"));
  EXPECT_TRUE(o.ok()) << o.status().ToString();
}

TEST(DecodeOrderTest, ReadsIntegerIdsExactly) {
  auto o = DecodeOrder(Replace(kMinimal, R"("A-1")", "820982911946154508"));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->channel_order_id, "820982911946154508");
  auto u = DecodeOrder(Replace(kMinimal, R"("A-1")", "18446744073709551615"));
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->channel_order_id, "18446744073709551615");
}

// ---- 400: the body is not a JSON object ----

TEST(DecodeOrderTest, RefusesInvalidJsonWith400) {
  Status s = DecodeError(kMinimal.substr(0, kMinimal.size() / 2));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
}

TEST(DecodeOrderTest, RefusesEmptyBodyWith400) {
  EXPECT_EQ(DecodeError("").code(), StatusCode::kInvalidArgument);
}

TEST(DecodeOrderTest, RefusesInvalidUtf8With400) {
  Status s = DecodeError(Replace(kMinimal, "MUG", "M\xC3\x28G"));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("UTF-8"), std::string::npos) << s.message();
}

TEST(DecodeOrderTest, RefusesNestingDeeperThan64With400) {
  // The top-level object is level 1, so 64 arrays under it make 65 levels.
  Status s = DecodeError(Replace(
      kMinimal, R"("currency": "USD",)",
      R"("currency": "USD", "deep": )" + std::string(64, '[') + std::string(64, ']') + ","));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("64"), std::string::npos) << s.message();
}

TEST(DecodeOrderTest, AcceptsNestingOf64) {
  auto o = DecodeOrder(Replace(
      kMinimal, R"("currency": "USD",)",
      R"("currency": "USD", "deep": )" + std::string(63, '[') + std::string(63, ']') + ","));
  EXPECT_TRUE(o.ok()) << o.status().ToString();
}

TEST(DecodeOrderTest, RefusesTopLevelArrayWith400) {
  EXPECT_EQ(DecodeError("[" + kMinimal + "]").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeError("\"order\"").code(), StatusCode::kInvalidArgument);
}

// ---- 422: well-formed JSON that is not a valid order ----

void ExpectUnprocessable(const std::string& json, const std::string& field) {
  Status s = DecodeError(json);
  EXPECT_EQ(s.code(), StatusCode::kUnprocessable) << s.ToString();
  EXPECT_EQ(s.field(), field) << s.ToString();
  EXPECT_FALSE(s.message().empty());
}

TEST(DecodeOrderTest, RefusesMissingCurrency) {
  ExpectUnprocessable(Replace(kMinimal, R"("currency": "USD",)", ""), "currency");
}

TEST(DecodeOrderTest, RefusesUnknownCurrency) {
  ExpectUnprocessable(Replace(kMinimal, R"("USD")", R"("XYZ")"), "currency");
}

TEST(DecodeOrderTest, RefusesCurrencyOfWrongType) {
  ExpectUnprocessable(Replace(kMinimal, R"("USD")", "840"), "currency");
}

TEST(DecodeOrderTest, RefusesMissingLineItems) {
  ExpectUnprocessable(R"({"currency": "USD"})", "line_items");
}

TEST(DecodeOrderTest, RefusesEmptyLineItems) {
  ExpectUnprocessable(R"({"currency": "USD", "line_items": []})", "line_items");
}

TEST(DecodeOrderTest, RefusesLineItemThatIsNotAnObject) {
  ExpectUnprocessable(
      R"({"currency": "USD", "line_items": [{"quantity": 1, "unit_price": "1"}, 7]})",
      "line_items[1]");
}

TEST(DecodeOrderTest, RefusesMissingQuantity) {
  ExpectUnprocessable(Replace(kMinimal, R"("quantity": 1, )", ""), "line_items[1].quantity");
}

TEST(DecodeOrderTest, RefusesQuantityOfWrongType) {
  ExpectUnprocessable(Replace(kMinimal, R"("quantity": 1,)", R"("quantity": "1",)"),
                      "line_items[1].quantity");
  ExpectUnprocessable(Replace(kMinimal, R"("quantity": 1,)", R"("quantity": 1.5,)"),
                      "line_items[1].quantity");
}

TEST(DecodeOrderTest, RefusesNegativeQuantity) {
  ExpectUnprocessable(Replace(kMinimal, R"("quantity": 2,)", R"("quantity": -2,)"),
                      "line_items[0].quantity");
}

TEST(DecodeOrderTest, AcceptsZeroQuantityByDefault) {
  auto o = DecodeOrder(Replace(kMinimal, R"("quantity": 2,)", R"("quantity": 0,)"));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->line_items[0].quantity, 0);
}

TEST(DecodeOrderTest, RefusesZeroQuantityWhenAskedTo) {
  OrderDecodeOptions strict;
  strict.allow_zero_quantity = false;
  Status s = DecodeError(Replace(kMinimal, R"("quantity": 2,)", R"("quantity": 0,)"), strict);
  EXPECT_EQ(s.code(), StatusCode::kUnprocessable);
  EXPECT_EQ(s.field(), "line_items[0].quantity");
}

TEST(DecodeOrderTest, RefusesMissingUnitPrice) {
  ExpectUnprocessable(Replace(kMinimal, R"(, "unit_price": "4.50")", ""),
                      "line_items[1].unit_price");
}

TEST(DecodeOrderTest, RefusesMoneyAsJsonNumber) {
  ExpectUnprocessable(Replace(kMinimal, R"("unit_price": "4.50")", R"("unit_price": 4.5)"),
                      "line_items[1].unit_price");
}

TEST(DecodeOrderTest, RefusesMoneyTooPreciseForTheCurrency) {
  ExpectUnprocessable(Replace(kMinimal, R"("10.00")", R"("10.005")"), "line_items[0].unit_price");
}

TEST(DecodeOrderTest, RefusesMoneyThatIsNotADecimal) {
  ExpectUnprocessable(Replace(kMinimal, R"("10.00")", R"("1e3")"), "line_items[0].unit_price");
}

TEST(DecodeOrderTest, NamesTheFullPathOfNestedErrors) {
  ExpectUnprocessable(Replace(kMinimal, R"("price": "1.00")", R"("price": "one")"),
                      "shipping_lines[0].tax_lines[0].price");
  ExpectUnprocessable(
      Replace(kMinimal, R"("currency": "USD",)", R"("currency": "USD", "customer": {"email": 5},)"),
      "customer.email");
  ExpectUnprocessable(
      Replace(kMinimal, R"("currency": "USD",)", R"("currency": "USD", "tags": ["a", 2],)"),
      "tags[1]");
}

TEST(DecodeOrderTest, RefusesUnparseableTimestamp) {
  ExpectUnprocessable(Replace(kMinimal, R"("currency": "USD",)",
                              R"("currency": "USD", "created_at": "2023-02-29T00:00:00Z",)"),
                      "created_at");
}

TEST(DecodeOrderTest, RefusesBooleanOfWrongType) {
  ExpectUnprocessable(Replace(kMinimal, R"("sku": "MUG",)", R"("sku": "MUG", "taxable": "yes",)"),
                      "line_items[0].taxable");
}

TEST(DecodeOrderTest, ReadsTheCanonicalMinimalFixture) {
  auto o = DecodeOrder(ReadFile(std::string(OP_TEST_DATA_DIR) + "/orders/minimal_order.json"));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->channel_order_id, "shop-42-1001");
  EXPECT_EQ(o->currency.code(), "EUR");
  ASSERT_EQ(o->line_items.size(), 1u);
  EXPECT_EQ(o->line_items[0].quantity, 3);
  EXPECT_EQ(o->line_items[0].unit_price.minor_units(), 1250);
  EXPECT_EQ(o->totals.total.minor_units(), 3750);
}

TEST(ComputeTotalsTest, AddsTaxOnlyWhenNotIncluded) {
  Order o = RichOrder();
  o.taxes_included = false;
  auto t = ComputeTotals(o);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->line_items, Usd(8999 * 2 + 5000));
  EXPECT_EQ(t->discounts, Usd(1000 + 1000));
  EXPECT_EQ(t->shipping, Usd(1000));
  EXPECT_EQ(t->tax, Usd(1080 + 212));  // the order-level tax lines win over the line ones
  EXPECT_EQ(t->total, Usd(22998 - 2000 + 1000 + 1292));
  o.taxes_included = true;
  EXPECT_EQ(ComputeTotals(o)->total, Usd(22998 - 2000 + 1000));
}

TEST(ComputeTotalsTest, RefusesOverflow) {
  Order o = RichOrder();
  o.line_items[0].quantity = int64_t{1} << 62;
  auto t = ComputeTotals(o);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kUnprocessable);
}

}  // namespace
}  // namespace orderpilot
