#include "privacy/field_seal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace orderpilot::privacy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

DataKey MakeKey(const std::string& id, unsigned char fill) {
  auto bytes = std::make_shared<std::array<unsigned char, kKeyBytes>>();
  for (size_t i = 0; i < bytes->size(); ++i) bytes->at(i) = static_cast<unsigned char>(fill + i);
  return DataKey{id, bytes};
}

// A lookup over a fixed set of keys; ids not in it read as shredded. Counts its calls.
struct FakeKeys {
  std::map<std::string, DataKey, std::less<>> keys;
  int calls = 0;

  KeyLookup Lookup() {
    return [this](std::string_view id) -> Result<std::optional<DataKey>> {
      ++calls;
      const auto it = keys.find(id);
      if (it == keys.end()) return std::optional<DataKey>();
      return std::optional<DataKey>(it->second);
    };
  }
};

// A Shopify orders/create webhook body, one member per line (so the tests can compare line by
// line), with every kind of personal value the rules name.
const char kShopifyOrder[] = R"json({
  "id": 5800000000000000123,
  "name": "#1001",
  "email": "marie@example.ca",
  "phone": "+16045550199",
  "created_at": "2024-05-15T14:30:00-07:00",
  "currency": "CAD",
  "financial_status": "paid",
  "browser_ip": "198.51.100.23",
  "note": "Please leave at the side door",
  "note_attributes": [
    {
      "name": "gift_message",
      "value": "Happy birthday Marie!"
    }
  ],
  "client_details": {
    "browser_ip": "198.51.100.99",
    "accept_language": "fr-CA",
    "user_agent": "Mozilla/5.0 (Linux; Android 14)"
  },
  "total_price": "224.07",
  "total_tax": "23.07",
  "tax_lines": [
    {
      "title": "GST",
      "rate": 0.05,
      "price": "10.05"
    }
  ],
  "customer": {
    "id": 5900000000000000001,
    "email": "marie@example.ca",
    "first_name": "Marie",
    "last_name": "Tremblay",
    "phone": "+16045550199",
    "orders_count": 31,
    "tags": "b2b, net-30",
    "default_address": {
      "name": "Marie Tremblay",
      "address1": "1055 W Georgia St",
      "city": "Vancouver",
      "province_code": "BC",
      "country_code": "CA",
      "zip": "V6E 3P3"
    }
  },
  "billing_address": {
    "name": "Marie Tremblay",
    "first_name": "Marie",
    "last_name": "Tremblay",
    "company": "Tremblay Outfitters",
    "address1": "1055 W Georgia St",
    "address2": null,
    "city": "Vancouver",
    "province": "British Columbia",
    "province_code": "BC",
    "country": "Canada",
    "country_code": "CA",
    "zip": "V6E 3P3",
    "phone": "+16045550199",
    "latitude": 49.2856,
    "longitude": -123.1207
  },
  "shipping_address": {
    "name": "Marie Tremblay",
    "first_name": "Marie",
    "last_name": "Tremblay",
    "address1": "1055 W Georgia St",
    "address2": "Unit 400",
    "city": "Vancouver",
    "province_code": "BC",
    "country_code": "CA",
    "zip": "V6E 3P3",
    "phone": "",
    "latitude": 49.2856,
    "longitude": -123.1207
  },
  "line_items": [
    {
      "id": 5810000000000000001,
      "name": "Rain jacket - M",
      "title": "Rain jacket",
      "sku": "JACKET-RAIN-M",
      "quantity": 1,
      "price": "150.00",
      "grams": 700,
      "properties": [
        {
          "name": "Color",
          "value": "Navy"
        }
      ]
    },
    {
      "id": 5810000000000000002,
      "name": "Socks (3 pack)",
      "title": "Socks (3 pack)",
      "sku": "SOCKS-3PK",
      "quantity": 2,
      "price": "18.00",
      "grams": 150
    }
  ],
  "shipping_lines": [
    {
      "code": "DOM.EP",
      "title": "Canada Post Expedited",
      "price": "15.00"
    }
  ],
  "fulfillments": [
    {
      "id": 4400000000000000001,
      "status": "success",
      "destination": {
        "name": "Marie Tremblay",
        "address1": "1055 W Georgia St"
      },
      "tracking_number": "7316 4521 0093"
    }
  ]
})json";

// The lines (by their key and enclosing object) that must be sealed in kShopifyOrder.
const std::set<std::string> kShopifyPersonalLines = {"/email",
                                                     "/phone",
                                                     "/browser_ip",
                                                     "/note",
                                                     "/note_attributes/value",
                                                     "/properties/value",
                                                     "/client_details/browser_ip",
                                                     "/customer/email",
                                                     "/customer/first_name",
                                                     "/customer/last_name",
                                                     "/customer/phone",
                                                     "/default_address/name",
                                                     "/default_address/address1",
                                                     "/default_address/city",
                                                     "/default_address/zip",
                                                     "/billing_address/name",
                                                     "/billing_address/first_name",
                                                     "/billing_address/last_name",
                                                     "/billing_address/company",
                                                     "/billing_address/address1",
                                                     "/billing_address/city",
                                                     "/billing_address/zip",
                                                     "/billing_address/phone",
                                                     "/billing_address/latitude",
                                                     "/billing_address/longitude",
                                                     "/shipping_address/name",
                                                     "/shipping_address/first_name",
                                                     "/shipping_address/last_name",
                                                     "/shipping_address/address1",
                                                     "/shipping_address/address2",
                                                     "/shipping_address/city",
                                                     "/shipping_address/zip",
                                                     "/shipping_address/latitude",
                                                     "/shipping_address/longitude",
                                                     "/destination/name",
                                                     "/destination/address1"};

// A canonical order (core/order_json.cc's shape).
const char kCanonicalOrder[] =
    R"json({"channel":"shopify","shop":"example.myshopify.com",)json"
    R"json("channel_order_id":"820982911946154508","number":"#1001","currency":"USD",)json"
    R"json("created_at":"2022-01-01T00:00:00Z","email":"jon@example.com","phone":"+15555550123",)json"
    R"json("customer":{"id":"115310627314723954","email":"jon.customer@example.com",)json"
    R"json("phone":"+15555550100","first_name":"Jon","last_name":"Snow","tags":["vip"],)json"
    R"json("orders_count":7,"accepts_marketing":true},"billing_address":{"first_name":"Jon",)json"
    R"json("last_name":"Snow","company":"Night Watch \"LLC\"","address1":"1 Wall Street",)json"
    R"json("address2":"Suite 3","city":"Louisville","province":"Kentucky","province_code":"KY",)json"
    R"json("country":"United States","country_code":"US","zip":"40202","phone":"+15555550123"},)json"
    R"json("shipping_address":null,"line_items":[{"id":"1","sku":"SKU-1","title":"Aviator",)json"
    R"json("quantity":2,"unit_price":"89.99","tax_lines":[{"title":"KY","rate":0.06,)json"
    R"json("price":"10.20"}]}],"totals":{"total":"219.98"},"client":{"browser_ip":"203.0.113.7",)json"
    R"json("user_agent":"Mozilla/5.0"},"note":"Leave at the back door",)json"
    R"json("attributes":[{"name":"gift_message","value":"Happy birthday!"}],"source_name":"web"})json";

// A Shopify orders/create body as the webhook sends it (compact, ~3.5 KB) with 16 personal
// values: what encrypted ingest stores most.
const char kCompactShopifyOrder[] =
    R"json({"id":5800000000000000123,"admin_graphql_api_id":"gid://shopify/Order/5800000000000000123",)json"
    R"json("app_id":580111,"browser_ip":"198.51.100.23","buyer_accepts_marketing":false,)json"
    R"json("cancel_reason":null,"cancelled_at":null,"cart_token":"Z2NwLXVzLWVhc3QxOjAxSE5aV1Y0",)json"
    R"json("checkout_id":37000000000000001,"checkout_token":"c1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6",)json"
    R"json("confirmation_number":"X7KQ2M9ZP","confirmed":true,"contact_email":"marie@example.ca",)json"
    R"json("created_at":"2024-05-15T14:30:00-07:00","currency":"CAD",)json"
    R"json("current_subtotal_price":"201.00","current_subtotal_price_set":{"shop_money":)json"
    R"json({"amount":"201.00","currency_code":"CAD"},"presentment_money":{"amount":"201.00",)json"
    R"json("currency_code":"CAD"}},"current_total_discounts":"0.00","current_total_price":"224.07",)json"
    R"json("current_total_tax":"23.07","customer_locale":"fr-CA","discount_codes":[],)json"
    R"json("email":"marie@example.ca","estimated_taxes":false,"financial_status":"paid",)json"
    R"json("fulfillment_status":null,"landing_site":"/collections/outerwear?utm_source=news",)json"
    R"json("name":"#1001","order_number":1001,"order_status_url":"https://example.myshopify.com/)json"
    R"json(authenticity/orders/5800000000000000123/authenticate?key=4b7d0c6e2a",)json"
    R"json("payment_gateway_names":["shopify_payments"],"presentment_currency":"CAD",)json"
    R"json("processed_at":"2024-05-15T14:30:00-07:00","source_name":"web","subtotal_price":"201.00",)json"
    R"json("tags":"wholesale, net-30","tax_lines":[{"price":"10.05","rate":0.05,"title":"GST",)json"
    R"json("channel_liable":false},{"price":"13.02","rate":0.07,"title":"PST","channel_liable":false}],)json"
    R"json("taxes_included":false,"test":false,"total_discounts":"0.00","total_line_items_price":"201.00",)json"
    R"json("total_outstanding":"0.00","total_price":"224.07","total_shipping_price_set":{"shop_money":)json"
    R"json({"amount":"15.00","currency_code":"CAD"},"presentment_money":{"amount":"15.00",)json"
    R"json("currency_code":"CAD"}},"total_tax":"23.07","total_weight":1000,)json"
    R"json("updated_at":"2024-05-15T14:30:02-07:00","user_id":null,)json"
    R"json("billing_address":{"name":"Marie Tremblay","address1":"1055 W Georgia St","address2":null,)json"
    R"json("city":"Vancouver","province":"British Columbia","province_code":"BC","country":"Canada",)json"
    R"json("country_code":"CA","zip":"V6E 3P3","latitude":49.2856,"longitude":-123.1207},)json"
    R"json("customer":{"id":5900000000000000001,"email":"marie@example.ca","first_name":"Marie",)json"
    R"json("last_name":"Tremblay","state":"enabled","verified_email":true,"tax_exempt":false,)json"
    R"json("currency":"CAD","created_at":"2021-03-02T10:00:00-08:00","tags":"b2b"},)json"
    R"json("line_items":[{"id":5810000000000000001,"admin_graphql_api_id":)json"
    R"json("gid://shopify/LineItem/5810000000000000001","fulfillable_quantity":1,)json"
    R"json("fulfillment_service":"manual","gift_card":false,"grams":700,"name":"Rain jacket - M",)json"
    R"json("price":"150.00","price_set":{"shop_money":{"amount":"150.00","currency_code":"CAD"},)json"
    R"json("presentment_money":{"amount":"150.00","currency_code":"CAD"}},"product_exists":true,)json"
    R"json("product_id":7700000000000000001,"properties":[],"quantity":1,"requires_shipping":true,)json"
    R"json("sku":"JACKET-RAIN-M","taxable":true,"title":"Rain jacket","total_discount":"0.00",)json"
    R"json("variant_id":4100000000000000001,"variant_title":"M","vendor":"Coastline",)json"
    R"json("tax_lines":[{"price":"7.50","rate":0.05,"title":"GST"},{"price":"10.50","rate":0.07,)json"
    R"json("title":"PST"}]},{"id":5810000000000000002,"admin_graphql_api_id":)json"
    R"json("gid://shopify/LineItem/5810000000000000002","fulfillable_quantity":3,)json"
    R"json("fulfillment_service":"manual","gift_card":false,"grams":100,"name":"Socks (3 pack)",)json"
    R"json("price":"17.00","price_set":{"shop_money":{"amount":"17.00","currency_code":"CAD"},)json"
    R"json("presentment_money":{"amount":"17.00","currency_code":"CAD"}},"product_exists":true,)json"
    R"json("product_id":7700000000000000002,"properties":[],"quantity":3,"requires_shipping":true,)json"
    R"json("sku":"SOCKS-3PK","taxable":true,"title":"Socks (3 pack)","total_discount":"0.00",)json"
    R"json("variant_id":4100000000000000002,"variant_title":null,"vendor":"Coastline",)json"
    R"json("tax_lines":[{"price":"2.55","rate":0.05,"title":"GST"},{"price":"2.52","rate":0.07,)json"
    R"json("title":"PST"}]}],"shipping_address":{"name":"Marie Tremblay",)json"
    R"json("address1":"1055 W Georgia St","city":"Vancouver","province_code":"BC",)json"
    R"json("country_code":"CA","zip":"V6E 3P3"},"shipping_lines":[{"id":4300000000000000001,)json"
    R"json("code":"DOM.EP","price":"15.00","source":"canada_post","title":"Canada Post Expedited",)json"
    R"json("tax_lines":[]}]})json";

class FieldSealTest : public ::testing::Test {
 protected:
  FieldSealTest() { keys_.keys.emplace(key_.id, key_); }

  std::string Seal(std::string_view json, SealStats* stats = nullptr) {
    auto sealed = SealJson(json, key_, stats);
    EXPECT_TRUE(sealed.ok()) << sealed.status().ToString();
    return sealed.ok() ? *sealed : "";
  }
  std::string Open(std::string_view json, OpenStats* stats = nullptr) {
    auto opened = OpenJson(json, keys_.Lookup(), stats);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? *opened : "";
  }

  DataKey key_ = MakeKey("00112233aabbccdd", 7);
  FakeKeys keys_;
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST_F(FieldSealTest, ShopifyOrderRoundTripsByteForByte) {
  SealStats stats;
  const std::string sealed = Seal(kShopifyOrder, &stats);
  EXPECT_EQ(stats.sealed, static_cast<int64_t>(kShopifyPersonalLines.size()));
  for (const char* secret :
       {"marie@example.ca", "Tremblay", "Georgia", "V6E 3P3", "198.51.100", "16045550199",
        "side door", "Happy birthday", "49.2856", "123.1207", "Unit 400"}) {
    EXPECT_THAT(sealed, Not(HasSubstr(secret)));
  }
  OpenStats open_stats;
  EXPECT_EQ(Open(sealed, &open_stats), kShopifyOrder);
  EXPECT_EQ(open_stats.opened, stats.sealed);
  EXPECT_EQ(open_stats.erased, 0);
}

// The first line gains the envelope; every other line is either unchanged, byte for byte, or a
// personal value turned into the next placeholder with the rest of its line (key, indentation,
// comma) unchanged.
TEST_F(FieldSealTest, OnlyPersonalValuesChange) {
  const std::vector<std::string> before = Lines(kShopifyOrder);
  const std::vector<std::string> after = Lines(Seal(kShopifyOrder));
  ASSERT_EQ(before.size(), after.size());
  ASSERT_EQ(before[0], "{");
  EXPECT_TRUE(std::regex_match(after[0],
                               std::regex(R"re(^\{"\$op2":"00112233aabbccdd:[A-Za-z0-9_-]+",$)re")))
      << after[0];
  const std::regex member(R"re(^(\s*)"([a-z_0-9]+)": (.*?)(,?)$)re");
  const std::regex token(R"re(^"\$op2:([0-9]+)(n?)"$)re");
  std::vector<std::string> objects;  // the key of each open object, by indentation
  std::set<std::string> sealed_lines;
  int next_index = 0;
  for (size_t i = 1; i < before.size(); ++i) {
    std::smatch m;
    const bool is_member = std::regex_match(before[i], m, member);
    const size_t depth = is_member ? m[1].length() / 2 : 0;
    if (is_member && m[3] == "{") {
      objects.resize(depth);
      objects.push_back(m[2]);
    }
    if (before[i] == after[i]) continue;
    ASSERT_TRUE(is_member) << before[i];
    std::smatch t;
    const std::string value =
        after[i].substr(m[1].length() + m[2].length() + 4,
                        after[i].size() - m[1].length() - m[2].length() - 4 - m[4].length());
    ASSERT_TRUE(std::regex_match(value, t, token)) << after[i];
    EXPECT_EQ(after[i].substr(0, m[1].length() + m[2].length() + 4),
              before[i].substr(0, m[1].length() + m[2].length() + 4));
    EXPECT_EQ(t[1], std::to_string(next_index++)) << after[i];
    EXPECT_EQ(t[2], m[3].str()[0] == '"' ? "" : "n") << before[i];
    // The enclosing object: the nearest member line opened at a lower indentation.
    std::string parent;
    for (size_t j = i; j-- > 0;) {
      std::smatch p;
      if (std::regex_match(before[j], p, member) && p[1].length() < m[1].length() &&
          (p[3] == "{" || p[3] == "[")) {
        parent = p[2];
        break;
      }
    }
    sealed_lines.insert((parent.empty() ? "" : "/" + parent) + "/" + m[2].str());
  }
  EXPECT_EQ(sealed_lines, kShopifyPersonalLines);
}

TEST_F(FieldSealTest, NameIsPersonalOnlyUnderTheListedParents) {
  const std::string sealed = Seal(kShopifyOrder);
  EXPECT_THAT(sealed, HasSubstr(R"("name": "#1001")"));            // the order's name
  EXPECT_THAT(sealed, HasSubstr(R"("name": "Rain jacket - M")"));  // a line item
  EXPECT_THAT(sealed, HasSubstr(R"("name": "gift_message")"));     // a note attribute's name
  EXPECT_THAT(sealed, HasSubstr(R"("name": "Color")"));            // a line item property
  EXPECT_THAT(sealed, Not(HasSubstr(R"("value": "Navy")")));       // a property's text is sealed
  EXPECT_THAT(sealed, Not(HasSubstr("Marie Tremblay")));

  EXPECT_TRUE(IsPersonalField("name", "billing_address"));
  EXPECT_TRUE(IsPersonalField("name", "addresses"));
  EXPECT_TRUE(IsPersonalField("NAME", "Shipping_Address"));
  EXPECT_FALSE(IsPersonalField("name", "line_items"));
  EXPECT_FALSE(IsPersonalField("name", ""));
  EXPECT_TRUE(IsPersonalField("value", "note_attributes"));
  EXPECT_TRUE(IsPersonalField("value", "attributes"));  // the canonical order's name for them
  EXPECT_TRUE(IsPersonalField("value", "properties"));  // an engraving, a gift message
  EXPECT_TRUE(IsPersonalField("Email", "anything"));
  EXPECT_FALSE(IsPersonalField("country_code", "billing_address"));
  EXPECT_FALSE(IsPersonalField("emails", ""));
}

TEST_F(FieldSealTest, NameInsideAddressesArrayIsSealed) {
  const std::string doc =
      R"({"addresses":[{"name":"Ann Lee","country":"US"},{"name":"Bo Lee","zip":"10001"}]})";
  SealStats stats;
  const std::string sealed = Seal(doc, &stats);
  EXPECT_EQ(stats.sealed, 3);
  EXPECT_THAT(sealed, Not(HasSubstr("Lee")));
  EXPECT_THAT(sealed, HasSubstr(R"("country":"US")"));
  EXPECT_EQ(Open(sealed), doc);
}

TEST_F(FieldSealTest, CanonicalOrderRoundTrips) {
  SealStats stats;
  const std::string sealed = Seal(kCanonicalOrder, &stats);
  EXPECT_EQ(stats.sealed, 17);
  for (const char* secret : {"jon@example.com", "Snow", "Night Watch", "Wall Street", "Louisville",
                             "40202", "203.0.113.7", "back door", "birthday"}) {
    EXPECT_THAT(sealed, Not(HasSubstr(secret)));
  }
  for (const char* clear : {R"("number":"#1001")", R"("province_code":"KY")",
                            R"("unit_price":"89.99")", R"("rate":0.06)", R"("tags":["vip"])",
                            R"("name":"gift_message")", R"("shipping_address":null)"}) {
    EXPECT_THAT(sealed, HasSubstr(clear));
  }
  EXPECT_EQ(Open(sealed), kCanonicalOrder);
}

TEST_F(FieldSealTest, NumbersRoundTripAsNumbers) {
  const std::string doc =
      R"({"shipping_address":{"latitude":-33.8688197,"longitude":1.5e2,"zip":10001}})";
  const std::string sealed = Seal(doc);
  EXPECT_THAT(sealed, HasSubstr(R"("latitude":"$op2:0n","longitude":"$op2:1n","zip":"$op2:2n")"));
  EXPECT_EQ(Open(sealed), doc);
  // Format v1 (a root array): number tokens.
  const std::string v1 = Seal("[" + doc + "]");
  EXPECT_THAT(v1, HasSubstr(R"("latitude":"$op1:00112233aabbccdd:n:)"));
  EXPECT_THAT(v1, HasSubstr(R"("zip":"$op1:00112233aabbccdd:n:)"));
  EXPECT_EQ(Open(v1), "[" + doc + "]");
}

TEST_F(FieldSealTest, EscapesAndUnicodeRoundTripByteForByte) {
  const std::string doc =
      R"({"first_name":"Zo\u00eb \"Z\" O'Brien\\","city":"Montr\u00e9al \/ QC",)"
      R"("note":"line1\nline2\ttab \ud83d\ude00 end\u0001","address1":"東京都 1-2",)"
      R"("last_name":"plain"})";
  const std::string sealed = Seal(doc);
  for (const char* secret : {"Brien", "Montr", "line1", "ude00", "東京都", "plain"}) {
    EXPECT_THAT(sealed, Not(HasSubstr(secret)));
  }
  EXPECT_EQ(Open(sealed), doc);  // the raw text, escapes as they were
}

// Format v1 decodes a string before sealing it and re-escapes it minimally when opening.
TEST_F(FieldSealTest, V1EscapesAndUnicodeRoundTripReescaped) {
  const std::string doc =
      R"([{"first_name":"Zo\u00eb \"Z\" O'Brien\\","city":"Montr\u00e9al \/ QC",)"
      R"("note":"line1\nline2\ttab \ud83d\ude00 end\u0001","address1":"東京都 1-2",)"
      R"("last_name":"plain"}])";
  const std::string sealed = Seal(doc);
  // The plaintext under a token is the unescaped text.
  const std::regex first_name_token(R"re("first_name":"(\$op1:[^"]+)")re");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(sealed, m, first_name_token));
  auto text = OpenText(m[1].str(), "first_name", keys_.Lookup());
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, "Zo\xC3\xAB \"Z\" O'Brien\\");
  // Opened, the values are re-escaped: the same strings, spelled minimally.
  EXPECT_EQ(Open(sealed),
            "[{\"first_name\":\"Zo\xC3\xAB \\\"Z\\\" O'Brien\\\\\",\"city\":\"Montr\xC3\xA9"
            "al / QC\","
            "\"note\":\"line1\\nline2\\ttab \xF0\x9F\x98\x80 end\\u0001\",\"address1\":\"東京都 "
            "1-2\",\"last_name\":\"plain\"}]");
}

TEST_F(FieldSealTest, EscapedKeysAreMatchedDecoded) {
  const std::string doc = R"({"e\u006dail":"a@b.example","ids":{"na\u006de":"x"}})";
  SealStats stats;
  const std::string sealed = Seal(doc, &stats);
  EXPECT_EQ(stats.sealed, 1);
  EXPECT_THAT(sealed, Not(HasSubstr("a@b.example")));
  EXPECT_EQ(Open(sealed), doc);
}

// Format v2: sealing again moves the placeholders into a new envelope; opening undoes one level.
TEST_F(FieldSealTest, SealingASealedDocumentNests) {
  const std::string once = Seal(kShopifyOrder);
  const std::string old_envelope = once.substr(0, once.find(','));  // {"$op2":"..."
  SealStats stats;
  const std::string twice = Seal(once, &stats);
  EXPECT_EQ(stats.sealed, static_cast<int64_t>(kShopifyPersonalLines.size()));
  ASSERT_EQ(twice.rfind(kSealedDocumentPrefix, 0), 0u);
  // The old envelope member stays, in clear, right after the new one.
  EXPECT_THAT(twice, HasSubstr("\"," + old_envelope.substr(1) + ",\n"));
  EXPECT_EQ(Open(twice), once);
  EXPECT_EQ(Open(Open(twice)), kShopifyOrder);
}

// Format v1 (a root that is not an object): tokens are left as they are.
TEST_F(FieldSealTest, SealingAV1DocumentTwiceChangesNothing) {
  const std::string once = Seal(std::string("[") + kShopifyOrder + "]");
  ASSERT_THAT(once, HasSubstr("$op1:"));
  SealStats stats;
  EXPECT_EQ(Seal(once, &stats), once);
  EXPECT_EQ(stats.sealed, 0);
}

TEST_F(FieldSealTest, DocumentWithoutPersonalValuesIsUnchanged) {
  const std::string doc =
      " {\"id\": 1, \"line_items\": [{\"name\": \"Hat\", \"sku\": \"H-1\"}],"
      " \"email\": \"\", \"phone\": null, \"ok\": true} ";
  SealStats stats;
  EXPECT_EQ(Seal(doc, &stats), doc);
  EXPECT_EQ(stats.sealed, 0);
  int calls_before = keys_.calls;
  EXPECT_EQ(Open(doc), doc);
  EXPECT_EQ(keys_.calls, calls_before);  // the fast path never looks a key up
}

TEST_F(FieldSealTest, TamperedV1ValueFailsAuthentication) {
  std::string sealed = Seal(std::string("[") + kShopifyOrder + "]");
  const size_t at = sealed.find(R"("first_name": "$op1:)", sealed.find("billing_address"));
  ASSERT_NE(at, std::string::npos);
  const size_t body = sealed.find(':', sealed.find(":s:", at) + 1) + 5;  // inside the base64
  sealed[body] = sealed[body] == 'A' ? 'B' : 'A';
  auto opened = OpenJson(sealed, keys_.Lookup());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kInternal);
  EXPECT_THAT(opened.status().message(), HasSubstr("/0/billing_address/first_name"));
  EXPECT_THAT(opened.status().message(), HasSubstr("failed authentication"));
}

TEST_F(FieldSealTest, ChangedV1TypeTagFailsAuthentication) {
  std::string sealed = Seal(R"([{"city":"12345"}])");
  const size_t t = sealed.find(":s:");
  ASSERT_NE(t, std::string::npos);
  sealed[t + 1] = 'n';
  auto opened = OpenJson(sealed, keys_.Lookup());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kInternal);
}

TEST_F(FieldSealTest, V1ValueSwappedIntoAnotherFieldFailsToOpen) {
  const std::string sealed = Seal(R"([{"email":"a@b.example","phone":"+15555550100"}])");
  const std::regex pair(R"re(^\[\{"email":("[^"]+"),"phone":("[^"]+")\}\]$)re");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(sealed, m, pair));
  const std::string swapped = R"([{"email":)" + m[2].str() + R"(,"phone":)" + m[1].str() + "}]";
  auto opened = OpenJson(swapped, keys_.Lookup());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kInternal);
  EXPECT_THAT(opened.status().message(), HasSubstr("/email"));
}

TEST_F(FieldSealTest, ShreddedKeyReadsAsErased) {
  const std::string sealed = Seal(kCanonicalOrder);
  const std::string geo = Seal(R"({"billing_address":{"latitude":49.2,"city":"X"}})");
  FakeKeys none;  // every key shredded
  OpenStats stats;
  auto opened = OpenJson(sealed, none.Lookup(), &stats);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(stats.erased, 17);
  EXPECT_EQ(stats.opened, 0);
  EXPECT_THAT(*opened, HasSubstr(R"("email":"[erased]")"));
  EXPECT_THAT(*opened, HasSubstr(R"("number":"#1001")"));
  EXPECT_EQ(none.calls, 1);  // one lookup per distinct key
  auto opened_geo = OpenJson(geo, none.Lookup());
  ASSERT_TRUE(opened_geo.ok());
  EXPECT_EQ(*opened_geo, R"({"billing_address":{"latitude":null,"city":"[erased]"}})");
}

TEST_F(FieldSealTest, LookupErrorsAreReturned) {
  const std::string sealed = Seal(R"({"email":"a@b.example"})");
  KeyLookup failing = [](std::string_view) -> Result<std::optional<DataKey>> {
    return UnavailableError("keys.db locked");
  };
  auto opened = OpenJson(sealed, failing);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kUnavailable);
}

// The nonce of a sealed document: the first 32 base64url characters after "<key id>:".
std::string NonceOf(const std::string& sealed) {
  const size_t at = sealed.find("00112233aabbccdd:");
  return at == std::string::npos ? "" : sealed.substr(at + 17, 32);
}

// Nonces come from a per-thread pool; a forked child must not draw the parent's next ones.
TEST_F(FieldSealTest, AForkedChildDoesNotReuseTheParentsNonces) {
  const std::string first = NonceOf(Seal(kShopifyOrder));  // fills this thread's pool
  ASSERT_EQ(first.size(), 32u);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto sealed = SealJson(kShopifyOrder, key_);
    const std::string nonce = sealed.ok() ? NonceOf(*sealed) : std::string(32, '!');
    _exit(write(fds[1], nonce.data(), nonce.size()) == static_cast<ssize_t>(nonce.size()) ? 0 : 1);
  }
  close(fds[1]);
  std::string from_child(32, '\0');
  ASSERT_EQ(read(fds[0], from_child.data(), from_child.size()), 32);
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  const std::string in_parent = NonceOf(Seal(kShopifyOrder));
  EXPECT_NE(from_child, in_parent);
  EXPECT_NE(from_child, first);
  EXPECT_NE(in_parent, first);
}

TEST_F(FieldSealTest, SealedKeyIdsListsEachKeyOnce) {
  const DataKey other = MakeKey("ffeeddccbbaa9988", 99);
  // Format v1: two documents sealed under two keys, put side by side in an array.
  const std::string a = Seal(R"([{"email":"a@b.example","phone":"+15555550100"}])");
  auto b = SealJson(R"([{"email":"c@d.example"}])", other);
  ASSERT_TRUE(b.ok());
  const std::string both = "[" + a + "," + *b + "]";
  EXPECT_THAT(SealedKeyIds(both), ElementsAre("00112233aabbccdd", "ffeeddccbbaa9988"));
  EXPECT_THAT(SealedKeyIds(kShopifyOrder), IsEmpty());
  EXPECT_THAT(SealedKeyIds(R"({"note":"$op1:not a token"})"), IsEmpty());

  keys_.keys.emplace(other.id, other);
  auto opened = OpenJson(both, keys_.Lookup());
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, R"([[{"email":"a@b.example","phone":"+15555550100"}],)"
                     R"([{"email":"c@d.example"}]])");
}

// Format v2: the envelope's key first, then those of v1 tokens kept in the document.
TEST_F(FieldSealTest, SealedKeyIdsListsTheEnvelopeKeyFirst) {
  const DataKey other = MakeKey("ffeeddccbbaa9988", 99);
  const std::string doc = R"({"comment":")" + SealText("call me", "comment", other) +
                          R"(","email":"a@b.example","more":[")" + SealText("x", "more", key_) +
                          R"("]})";
  const std::string sealed = Seal(doc);
  ASSERT_EQ(sealed.rfind(kSealedDocumentPrefix, 0), 0u);
  EXPECT_THAT(SealedKeyIds(sealed), ElementsAre("00112233aabbccdd", "ffeeddccbbaa9988"));
  EXPECT_THAT(SealedKeyIds(Seal(R"({"email":"a@b.example"})")), ElementsAre("00112233aabbccdd"));
  EXPECT_THAT(SealedKeyIds(R"({"$op2":"not an envelope","a":1})"), IsEmpty());
}

TEST_F(FieldSealTest, SealTextRoundTripsAndIsBoundToItsField) {
  const std::string token = SealText("Call me on 555-0100", "comment", key_);
  EXPECT_EQ(token.rfind("$op1:00112233aabbccdd:s:", 0), 0u);
  EXPECT_EQ(token.find('='), std::string::npos);                       // no padding
  EXPECT_NE(SealText("Call me on 555-0100", "comment", key_), token);  // fresh nonce
  auto opened = OpenText(token, "comment", keys_.Lookup());
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "Call me on 555-0100");
  auto wrong_field = OpenText(token, "message", keys_.Lookup());
  ASSERT_FALSE(wrong_field.ok());
  EXPECT_EQ(wrong_field.status().code(), StatusCode::kInternal);
  EXPECT_EQ(*OpenText("just text", "comment", keys_.Lookup()), "just text");
  FakeKeys none;
  EXPECT_EQ(*OpenText(token, "comment", none.Lookup()), kErasedText);
  // A text token also opens inside a document under the same field.
  EXPECT_EQ(Open(R"({"comment":")" + token + "\"}"), R"({"comment":"Call me on 555-0100"})");
}

TEST_F(FieldSealTest, NormalisesEmailAndPhone) {
  EXPECT_EQ(NormaliseEmail("  Jon.Snow@Example.COM \n"), "jon.snow@example.com");
  EXPECT_EQ(NormaliseEmail("not an email"), "");
  EXPECT_EQ(NormaliseEmail(""), "");
  EXPECT_EQ(NormalisePhone("+1 (604) 555-0199"), "16045550199");
  EXPECT_EQ(NormalisePhone("0044 20 7946 0958"), "442079460958");
  EXPECT_EQ(NormalisePhone("+44 20 7946 0958"), "442079460958");
  EXPECT_EQ(NormalisePhone("555-12"), "");
  EXPECT_EQ(NormalisePhone("ext."), "");
}

TEST_F(FieldSealTest, InvalidJsonIsRefused) {
  for (const char* bad : {R"({"email":"a@b.example")", R"({"email" "x"})", R"([1,])",
                          R"({"email":"a\qb"})", "{\"email\":\"a\nb\"}", R"({} {})", ""}) {
    auto sealed = SealJson(bad, key_);
    ASSERT_FALSE(sealed.ok()) << bad;
    EXPECT_EQ(sealed.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(sealed.status().message(), HasSubstr("byte")) << bad;
  }
  auto opened = OpenJson(R"({"email" "$op1:00112233aabbccdd:s:AAAA"})", keys_.Lookup());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FieldSealTest, DeepNestingIsRefusedWithoutRecursion) {
  const std::string ok = std::string(512, '[') + std::string(512, ']');
  EXPECT_TRUE(SealJson(ok, key_).ok());
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto sealed = SealJson(deep, key_);
  ASSERT_FALSE(sealed.ok());
  EXPECT_EQ(sealed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(sealed.status().message(), HasSubstr("512"));
  const std::string deep_sealed = "{\"a\":" + deep + ",\"note\":\"$op1:00112233aabbccdd:s:AAAA\"}";
  EXPECT_EQ(OpenJson(deep_sealed, keys_.Lookup()).status().code(), StatusCode::kInvalidArgument);
}

// --- format v2: one envelope per document

TEST_F(FieldSealTest, SealedDocumentStartsWithTheEnvelope) {
  const std::string sealed = Seal(R"({"id":7,"email":"a@b.example"})");
  EXPECT_TRUE(std::regex_match(
      sealed,
      std::regex(
          R"re(^\{"\$op2":"00112233aabbccdd:[A-Za-z0-9_-]+","id":7,"email":"\$op2:0"\}$)re")))
      << sealed;
  EXPECT_EQ(sealed.rfind(kSealedDocumentPrefix, 0), 0u);
  EXPECT_EQ(sealed.find('='), std::string::npos);                // no padding
  EXPECT_NE(Seal(R"({"id":7,"email":"a@b.example"})"), sealed);  // fresh nonce
  // The input's leading whitespace stays in front; its whitespace inside, as it was.
  const std::string spaced = " \n{ \"email\" : \"a@b.example\" , \"id\" : 7 }\n";
  const std::string sealed_spaced = Seal(spaced);
  EXPECT_EQ(sealed_spaced.rfind(" \n{\"$op2\":\"00112233aabbccdd:", 0), 0u) << sealed_spaced;
  EXPECT_THAT(sealed_spaced, HasSubstr("\", \"email\" : \"$op2:0\" , \"id\" : 7 }\n"));
  EXPECT_EQ(Open(sealed_spaced), spaced);
}

TEST_F(FieldSealTest, RoundTripIsByteIdentical) {
  const std::string doc =
      R"({"email":"Zo\u00eb.O\u0027Brien@example.com","phone":"+61 2 9999 0000",)"
      R"("note":"Ring twice \"please\"\n\ttab\\ \/ \ud83d\ude00 東京 \u0001",)"
      R"("billing_address":{"latitude":-33.8688,"longitude":151.2093e0,"zip":2000,)"
      R"("name":"Zoë O'Brien","city":"Sydney","country_code":"AU"},)"
      R"("addresses":[{"name":"A","address1":"1 George St"},{"name":"B","zip":"2000"}],)"
      R"("note_attributes":[{"name":"gift","value":"Happy 30th!"},{"name":"n","value":-0.5E+3}],)"
      R"("line_items":[{"name":"Ring","properties":[{"name":"Engraving","value":"J \u2665 M"},)"
      R"({"name":"Size","value":""}],"quantity":1}],"customer":{"first_name":"Zoë",)"
      R"("default_address":{"name":"Zoë","phone":"0400 000 000"}},"tags":["a","b"],"ok":true})";
  SealStats stats;
  const std::string sealed = Seal(doc, &stats);
  EXPECT_EQ(stats.sealed, 18);
  for (const char* secret : {"Brien", "9999", "twice", "33.8688", "151.2093", "George", "30th",
                             "Engraving\",\"value\":\"J", "0400", "Sydney", "-0.5E+3"}) {
    EXPECT_THAT(sealed, Not(HasSubstr(secret)));
  }
  for (const char* clear :
       {R"("country_code":"AU")", R"("name":"Engraving")", R"("value":"")", R"("quantity":1)",
        R"("name":"Ring")", R"("tags":["a","b"])", R"("ok":true)", R"("name":"gift")"}) {
    EXPECT_THAT(sealed, HasSubstr(clear));
  }
  OpenStats open_stats;
  EXPECT_EQ(Open(sealed, &open_stats), doc);
  EXPECT_EQ(open_stats.opened, 18);
  EXPECT_EQ(open_stats.erased, 0);
}

TEST_F(FieldSealTest, SealedDocumentGrowsLittle) {
  const std::string doc = kCompactShopifyOrder;
  SealStats stats;
  const std::string v2 = Seal(doc, &stats);
  EXPECT_EQ(stats.sealed, 16);
  EXPECT_LT(v2.size() * 4, doc.size() * 5 + 400);  // < 25% + 100 bytes
  EXPECT_EQ(Open(v2), doc);
  // Format v1 (the same members in a root array) costs a nonce and a tag per value.
  const std::string v1 = Seal("[" + doc + "]");
  EXPECT_LT(v2.size() + 16 * 40, v1.size());
  EXPECT_EQ(Open(v1), "[" + doc + "]");
}

TEST_F(FieldSealTest, TamperedCiphertextFailsAuthentication) {
  std::string sealed = Seal(kCanonicalOrder);
  const size_t body = kSealedDocumentPrefix.size() + 16 + 1 + 40;  // inside the ciphertext
  sealed[body] = sealed[body] == 'A' ? 'B' : 'A';
  auto opened = OpenJson(sealed, keys_.Lookup());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kInternal);
  EXPECT_EQ(opened.status().message(), "sealed document failed authentication");
}

// Placeholders are bound to their field, their number and their order.
TEST_F(FieldSealTest, MovedSwappedOrDroppedPlaceholdersFailAuthentication) {
  const std::string sealed =
      Seal(R"({"email":"a@b.example","phone":"+15555550100","tags":"vip","city":"Oslo"})");
  ASSERT_THAT(sealed,
              HasSubstr(R"("email":"$op2:0","phone":"$op2:1","tags":"vip","city":"$op2:2")"));
  const auto edited = [&](std::string_view from, std::string_view to) {
    std::string s = sealed;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  const std::vector<std::string> tampered = {
      // two swapped
      edited(R"("email":"$op2:0","phone":"$op2:1")", R"("email":"$op2:1","phone":"$op2:0")"),
      // one moved to a field that is not personal, or to another personal field
      edited(R"("phone":"$op2:1","tags":"vip")", R"("phone":"vip","tags":"$op2:1")"),
      edited(R"("email":"$op2:0")", R"("emails":"$op2:0")"),
      edited(R"("email":"$op2:0","phone")", R"("phone":"$op2:0","email")"),
      // one dropped, one added, one retyped
      edited(R"("city":"$op2:2")", R"("city":"Oslo")"),
      edited(R"("tags":"vip")", R"("tags":"$op2:3")"),
      edited(R"("city":"$op2:2")", R"("city":"$op2:2n")"),
      edited(R"("city":"$op2:2")", R"("city":"$op2:02")"),
      // another key id
      edited("00112233aabbccdd", "00112233aabbccde"),
  };
  keys_.keys.emplace("00112233aabbccde", MakeKey("00112233aabbccde", 7));
  for (const std::string& doc : tampered) {
    auto opened = OpenJson(doc, keys_.Lookup());
    ASSERT_FALSE(opened.ok()) << doc;
    EXPECT_EQ(opened.status().code(), StatusCode::kInternal) << doc;
    EXPECT_EQ(opened.status().message(), "sealed document failed authentication") << doc;
  }
}

TEST_F(FieldSealTest, MalformedEnvelopeIsRefused) {
  const std::string sealed = Seal(R"({"email":"a@b.example"})");
  const std::string tail = sealed.substr(sealed.find(','));
  for (const std::string& doc : std::vector<std::string>{
           R"({"$op2":"00112233AABBCCDD:AAAA")" + tail, R"({"$op2":"00112233aabbccd:AAAA")" + tail,
           R"({"$op2":"00112233aabbccdd-AAAA")" + tail, R"({"$op2":"00112233aabbccdd:AA=A")" + tail,
           R"({"$op2":"00112233aabbccdd:AAAA" )" + tail, std::string(R"({"$op2":"0011)"),
           R"({"$op2":"")" + tail, R"({"$op2":"x"})"}) {
    auto opened = OpenJson(doc, keys_.Lookup());
    ASSERT_FALSE(opened.ok()) << doc;
    EXPECT_EQ(opened.status().code(), StatusCode::kInternal) << doc;
    EXPECT_EQ(opened.status().message(), "malformed sealed document envelope") << doc;
  }
  // Well formed but too short to hold a nonce and a tag.
  auto short_body = OpenJson(R"({"$op2":"00112233aabbccdd:AAAA")" + tail, keys_.Lookup());
  ASSERT_FALSE(short_body.ok());
  EXPECT_EQ(short_body.status().message(), "sealed document failed authentication");
  // Invalid JSON after a good envelope.
  auto invalid = OpenJson(sealed.substr(0, sealed.size() - 1), keys_.Lookup());
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.status().code(), StatusCode::kInvalidArgument);
}

// Without its envelope a document is not sealed: its placeholders are plain strings.
TEST_F(FieldSealTest, PlaceholdersWithoutTheEnvelopeStayText) {
  const std::string sealed = Seal(R"({"id":1,"email":"a@b.example","zip":10001})");
  const std::string dropped = "{" + sealed.substr(sealed.find(',') + 1);
  ASSERT_EQ(dropped, R"({"id":1,"email":"$op2:0","zip":"$op2:1n"})");
  OpenStats stats;
  EXPECT_EQ(Open(dropped, &stats), dropped);
  EXPECT_EQ(stats.opened, 0);
  EXPECT_THAT(SealedKeyIds(dropped), IsEmpty());
  // Moved off the front, the envelope is just another member.
  const std::string moved = R"({"id":1,)" + sealed.substr(1, sealed.find(',') - 1) +
                            R"(,"email":"$op2:0","zip":"$op2:1n"})";
  EXPECT_EQ(Open(moved), moved);
}

TEST_F(FieldSealTest, ShreddedKeyErasesPlaceholders) {
  const std::string sealed = Seal(
      R"({"billing_address":{"latitude":49.2,"city":"X","zip":""},"addresses":[{"name":"A"}]})");
  FakeKeys none;
  OpenStats stats;
  auto opened = OpenJson(sealed, none.Lookup(), &stats);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, R"({"billing_address":{"latitude":null,"city":"[erased]","zip":""},)"
                     R"("addresses":[{"name":"[erased]"}]})");
  EXPECT_EQ(stats.erased, 3);
  EXPECT_EQ(stats.opened, 0);
  EXPECT_EQ(none.calls, 1);
}

TEST_F(FieldSealTest, LookupErrorsForTheEnvelopeAreReturned) {
  const std::string sealed = Seal(R"({"email":"a@b.example"})");
  KeyLookup failing = [](std::string_view) -> Result<std::optional<DataKey>> {
    return UnavailableError("keys.db locked");
  };
  EXPECT_EQ(OpenJson(sealed, failing).status().code(), StatusCode::kUnavailable);
  KeyLookup wrong = [this](std::string_view) -> Result<std::optional<DataKey>> {
    return std::optional<DataKey>(MakeKey("ffeeddccbbaa9988", 7));
  };
  EXPECT_EQ(OpenJson(sealed, wrong).status().code(), StatusCode::kInternal);
}

// Text that reads like a placeholder, a token or an envelope is moved too, so it comes back
// exactly and can never be taken for one.
TEST_F(FieldSealTest, TextLikeTheSealedFormRoundTrips) {
  const std::string doc =
      R"({"sku":"$op2:0","tags":["$op2:1n","$op","$op1:not a token","\u0024op2:0"],)"
      R"("title":"$op2:0n","email":"a@b.example","x":{"$op2":"$op2:5"}})";
  SealStats stats;
  const std::string sealed = Seal(doc, &stats);
  EXPECT_EQ(stats.sealed, 7);
  EXPECT_THAT(sealed, HasSubstr(R"("\u0024op2:0")"));  // not "$op" in its raw text
  EXPECT_THAT(sealed, Not(HasSubstr("not a token")));
  EXPECT_EQ(Open(sealed), doc);
}

TEST_F(FieldSealTest, InputWithARootMemberNamedLikeTheEnvelope) {
  // Its value is moved when it starts with "$op", like any other such text.
  const std::string a = R"({"$op2":"$op2:0","email":"a@b.example"})";
  const std::string sealed_a = Seal(a);
  EXPECT_THAT(sealed_a, HasSubstr(R"(","$op2":"$op2:0","email":"$op2:1"})"));
  EXPECT_EQ(Open(sealed_a), a);
  // Otherwise it stays, after the envelope: only the first member is the envelope.
  const std::string b = R"({"$op2":"00112233aabbccdd:AAAA","email":"a@b.example"})";
  const std::string sealed_b = Seal(b);
  EXPECT_THAT(sealed_b, HasSubstr(R"(","$op2":"00112233aabbccdd:AAAA","email":"$op2:0"})"));
  EXPECT_EQ(Open(sealed_b), b);
  // With nothing else to move it is moved, so no document left unchanged reads as sealed.
  for (const std::string& c : std::vector<std::string>{
           R"({"$op2":"text"})", R"({"$op2":"","id":1})", R"({"$op2":"00112233aabbccdd:AAAA"})"}) {
    SealStats stats;
    const std::string sealed_c = Seal(c, &stats);
    EXPECT_EQ(stats.sealed, 1) << c;
    EXPECT_THAT(sealed_c, HasSubstr(R"(","$op2":"$op2:0")")) << sealed_c;
    EXPECT_EQ(Open(sealed_c), c);
  }
  // Not a string: nothing reads as an envelope.
  const std::string d = R"({"$op2":5,"id":1})";
  EXPECT_EQ(Seal(d), d);
  EXPECT_EQ(Open(d), d);
}

TEST_F(FieldSealTest, RootNotAnObjectFallsBackToV1) {
  const std::string doc = R"([{"email":"a@b.example","zip":10001},{"note":"hi"}])";
  SealStats stats;
  const std::string sealed = Seal(doc, &stats);
  EXPECT_EQ(stats.sealed, 3);
  EXPECT_THAT(sealed, Not(HasSubstr("$op2")));
  EXPECT_THAT(sealed, HasSubstr(R"([{"email":"$op1:00112233aabbccdd:s:)"));
  EXPECT_THAT(sealed, HasSubstr(R"(,"zip":"$op1:00112233aabbccdd:n:)"));
  OpenStats open_stats;
  EXPECT_EQ(Open(sealed, &open_stats), doc);
  EXPECT_EQ(open_stats.opened, 3);
  for (const std::string& scalar :
       std::vector<std::string>{R"("a@b.example")", "42", "null", " true "}) {
    EXPECT_EQ(Seal(scalar), scalar);
  }
}

// Documents stored before format v2: object documents holding v1 tokens.
TEST_F(FieldSealTest, V1SealedDocumentsStillOpen) {
  const std::string v1 = R"({"email":")" + SealText("a@b.example", "email", key_) +
                         R"(","billing_address":{"city":")" + SealText("Oslo", "city", key_) +
                         R"(","country_code":"NO"},"id":3})";
  OpenStats stats;
  EXPECT_EQ(
      Open(v1, &stats),
      R"({"email":"a@b.example","billing_address":{"city":"Oslo","country_code":"NO"},"id":3})");
  EXPECT_EQ(stats.opened, 2);
  // Sealed again, the tokens are kept as they are inside the new envelope, and still open.
  const std::string resealed = Seal(v1 + " ");
  EXPECT_EQ(resealed, v1 + " ");  // nothing left to move
  const std::string mixed = Seal(R"({"phone":"+4722000000",)" + v1.substr(1));
  ASSERT_EQ(mixed.rfind(kSealedDocumentPrefix, 0), 0u);
  EXPECT_THAT(mixed, HasSubstr(R"("phone":"$op2:0","email":"$op1:)"));
  OpenStats mixed_stats;
  EXPECT_EQ(Open(mixed, &mixed_stats),
            R"({"phone":"+4722000000","email":"a@b.example","billing_address":{"city":"Oslo",)"
            R"("country_code":"NO"},"id":3})");
  EXPECT_EQ(mixed_stats.opened, 3);
  // A v1 token moved to another field still fails inside a v2 document.
  const std::string wrong_field =
      Seal(R"({"phone":"+4722000000","note":")" + SealText("x", "comment", key_) + "\"}");
  auto opened = OpenJson(wrong_field, keys_.Lookup());
  ASSERT_FALSE(opened.ok());
  EXPECT_THAT(opened.status().message(), HasSubstr("sealed value at /note failed"));
  // Erased: both kinds read as erased.
  FakeKeys none;
  OpenStats erased;
  auto shredded = OpenJson(mixed, none.Lookup(), &erased);
  ASSERT_TRUE(shredded.ok());
  EXPECT_EQ(*shredded, R"({"phone":"[erased]","email":"[erased]","billing_address":)"
                       R"({"city":"[erased]","country_code":"NO"},"id":3})");
  EXPECT_EQ(erased.erased, 3);
  EXPECT_EQ(none.calls, 1);
}

TEST_F(FieldSealTest, NothingToMoveIsUnchanged) {
  for (const std::string& doc :
       std::vector<std::string>{"{}", " { } ", R"({"id":1,"email":"","line_items":[]})",
                                R"({"a":{"b":[1,2,{"c":"d"}]}})"}) {
    SealStats stats;
    EXPECT_EQ(Seal(doc, &stats), doc);
    EXPECT_EQ(stats.sealed, 0);
    EXPECT_EQ(Open(doc), doc);
  }
}

TEST_F(FieldSealTest, FieldNamesHoldingTheSeparatorAreBound) {
  // "a|b" and "a" + "|b"-style names cannot be confused in the associated data.
  const std::string sealed = Seal(R"({"note":"x","n|ote":"$op","note|":"$op"})");
  EXPECT_EQ(Open(sealed), R"({"note":"x","n|ote":"$op","note|":"$op"})");
  std::string swapped = sealed;
  swapped.replace(swapped.find(R"("n|ote":"$op2:1","note|":"$op2:2")"), 33,
                  R"("note|":"$op2:1","n|ote":"$op2:2")");
  EXPECT_EQ(OpenJson(swapped, keys_.Lookup()).status().code(), StatusCode::kInternal);
}

TEST_F(FieldSealTest, DeepNestingInASealedDocumentIsRefused) {
  const std::string sealed = Seal(R"({"email":"a@b.example","a":1})");
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string doc = sealed.substr(0, sealed.size() - 2) + deep + "}";
  EXPECT_EQ(OpenJson(doc, keys_.Lookup()).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace orderpilot::privacy
