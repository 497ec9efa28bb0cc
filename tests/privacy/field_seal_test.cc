#include "privacy/field_seal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

// Every line is either unchanged, byte for byte, or a personal value turned into a token with
// the rest of its line (key, indentation, comma) unchanged.
TEST_F(FieldSealTest, OnlyPersonalValuesChange) {
  const std::vector<std::string> before = Lines(kShopifyOrder);
  const std::vector<std::string> after = Lines(Seal(kShopifyOrder));
  ASSERT_EQ(before.size(), after.size());
  const std::regex member(R"re(^(\s*)"([a-z_0-9]+)": (.*?)(,?)$)re");
  const std::regex token(R"re(^"\$op1:00112233aabbccdd:([sn]):[A-Za-z0-9_-]+"$)re");
  std::vector<std::string> objects;  // the key of each open object, by indentation
  std::set<std::string> sealed_lines;
  for (size_t i = 0; i < before.size(); ++i) {
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
    EXPECT_EQ(t[1], m[3].str()[0] == '"' ? "s" : "n") << before[i];
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
  EXPECT_THAT(sealed, HasSubstr(R"("latitude":"$op1:00112233aabbccdd:n:)"));
  EXPECT_THAT(sealed, HasSubstr(R"("zip":"$op1:00112233aabbccdd:n:)"));
  EXPECT_EQ(Open(sealed), doc);
}

TEST_F(FieldSealTest, EscapesAndUnicodeRoundTrip) {
  const std::string doc =
      R"({"first_name":"Zo\u00eb \"Z\" O'Brien\\","city":"Montr\u00e9al \/ QC",)"
      R"("note":"line1\nline2\ttab \ud83d\ude00 end\u0001","address1":"東京都 1-2",)"
      R"("last_name":"plain"})";
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
            "{\"first_name\":\"Zo\xC3\xAB \\\"Z\\\" O'Brien\\\\\",\"city\":\"Montr\xC3\xA9"
            "al / QC\","
            "\"note\":\"line1\\nline2\\ttab \xF0\x9F\x98\x80 end\\u0001\",\"address1\":\"東京都 "
            "1-2\",\"last_name\":\"plain\"}");
}

TEST_F(FieldSealTest, EscapedKeysAreMatchedDecoded) {
  const std::string doc = R"({"e\u006dail":"a@b.example","ids":{"na\u006de":"x"}})";
  SealStats stats;
  const std::string sealed = Seal(doc, &stats);
  EXPECT_EQ(stats.sealed, 1);
  EXPECT_THAT(sealed, Not(HasSubstr("a@b.example")));
  EXPECT_EQ(Open(sealed), doc);
}

TEST_F(FieldSealTest, SealingTwiceChangesNothing) {
  const std::string once = Seal(kShopifyOrder);
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

TEST_F(FieldSealTest, TamperedValueFailsAuthentication) {
  std::string sealed = Seal(kShopifyOrder);
  const size_t at = sealed.find(R"("first_name": "$op1:)", sealed.find("billing_address"));
  ASSERT_NE(at, std::string::npos);
  const size_t body = sealed.find(':', sealed.find(":s:", at) + 1) + 5;  // inside the base64
  sealed[body] = sealed[body] == 'A' ? 'B' : 'A';
  auto opened = OpenJson(sealed, keys_.Lookup());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kInternal);
  EXPECT_THAT(opened.status().message(), HasSubstr("/billing_address/first_name"));
  EXPECT_THAT(opened.status().message(), HasSubstr("failed authentication"));
}

TEST_F(FieldSealTest, ChangedTypeTagFailsAuthentication) {
  std::string sealed = Seal(R"({"city":"12345"})");
  const size_t t = sealed.find(":s:");
  ASSERT_NE(t, std::string::npos);
  sealed[t + 1] = 'n';
  auto opened = OpenJson(sealed, keys_.Lookup());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kInternal);
}

TEST_F(FieldSealTest, ValueSwappedIntoAnotherFieldFailsToOpen) {
  const std::string sealed = Seal(R"({"email":"a@b.example","phone":"+15555550100"})");
  const std::regex pair(R"re(^\{"email":("[^"]+"),"phone":("[^"]+")\}$)re");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(sealed, m, pair));
  const std::string swapped = R"({"email":)" + m[2].str() + R"(,"phone":)" + m[1].str() + "}";
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

TEST_F(FieldSealTest, SealedKeyIdsListsEachKeyOnce) {
  const DataKey other = MakeKey("ffeeddccbbaa9988", 99);
  const std::string a = Seal(R"({"email":"a@b.example","phone":"+15555550100"})");
  auto b = SealJson(R"({"email":"c@d.example"})", other);
  ASSERT_TRUE(b.ok());
  const std::string both = R"({"first":)" + a + R"(,"second":)" + *b + "}";
  EXPECT_THAT(SealedKeyIds(both), ElementsAre("00112233aabbccdd", "ffeeddccbbaa9988"));
  EXPECT_THAT(SealedKeyIds(kShopifyOrder), IsEmpty());
  EXPECT_THAT(SealedKeyIds(R"({"note":"$op1:not a token"})"), IsEmpty());

  keys_.keys.emplace(other.id, other);
  auto opened = OpenJson(both, keys_.Lookup());
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, R"({"first":{"email":"a@b.example","phone":"+15555550100"},)"
                     R"("second":{"email":"c@d.example"}})");
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

}  // namespace
}  // namespace orderpilot::privacy
