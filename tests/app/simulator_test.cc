#include "app/simulator.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/money.h"
#include "core/order.h"
#include "core/time.h"
#include "pipeline/validate.h"

namespace orderpilot::app {
namespace {

constexpr char kShop[] = "demo-shop.myshopify.com";
constexpr int kOrders = 1000;

std::vector<SimulatedWebhook> Generate(uint64_t seed, int n = kOrders, double fraud_rate = 0.03) {
  OrderSimulator sim(seed, kShop, fraud_rate);
  std::vector<SimulatedWebhook> out;
  for (int i = 0; i < n; ++i) out.push_back(sim.NextOrderCreate());
  return out;
}

// The 1000 orders of seed 7, generated once for every test that only reads them.
const std::vector<SimulatedWebhook>& Orders() {
  static const std::vector<SimulatedWebhook> orders = Generate(7);
  return orders;
}

// What the tests check of one body, read with simdjson and amounts parsed from their decimal
// text into integer minor units of the order's currency.
struct ParsedLine {
  int64_t quantity = 0, price = 0, total_discount = 0, allocations = 0, tax = 0;
  bool requires_shipping = true, gift_card = false;
  uint64_t id = 0;
};
struct ParsedOrder {
  uint64_t id = 0;
  std::string name, currency, country_code, zip, address1, email, card_number, card_bin;
  std::string first_name, last_name, city;  // of the shipping address
  bool taxes_included = false, has_shipping_address = false;
  int64_t line_items = 0, discounts = 0, subtotal = 0, shipping = 0, shipping_set = 0, tax = 0,
          total = 0, total_set = 0, order_tax_lines = 0, shipping_tax = 0, code_amount = -1;
  int64_t code_percent = 0;
  std::vector<ParsedLine> lines;
  std::vector<std::string> amounts;  // every amount string, to check its precision
};

class Parser {
 public:
  // Parses and extracts; simdjson's exceptions become test failures.
  ParsedOrder Parse(const std::string& body) {
    simdjson::dom::element doc = parser_.parse(body);
    ParsedOrder o;
    o.id = doc["id"].get_uint64();
    o.name = std::string(std::string_view(doc["name"]));
    o.currency = std::string(std::string_view(doc["currency"]));
    exponent_ = Currency::Parse(o.currency)->exponent();
    o.taxes_included = bool(doc["taxes_included"]);
    o.email = std::string(std::string_view(doc["email"]));
    o.card_number = std::string(std::string_view(doc["payment_details"]["credit_card_number"]));
    o.card_bin = std::string(std::string_view(doc["payment_details"]["credit_card_bin"]));
    o.line_items = Amount(doc["total_line_items_price"], o);
    o.discounts = Amount(doc["total_discounts"], o);
    o.subtotal = Amount(doc["subtotal_price"], o);
    o.shipping_set = Amount(doc["total_shipping_price_set"]["shop_money"]["amount"], o);
    o.tax = Amount(doc["total_tax"], o);
    o.total = Amount(doc["total_price"], o);
    o.total_set = Amount(doc["total_price_set"]["presentment_money"]["amount"], o);
    for (simdjson::dom::element t : doc["tax_lines"].get_array())
      o.order_tax_lines += Amount(t["price"], o);
    for (simdjson::dom::element c : doc["discount_codes"].get_array()) {
      o.code_amount = Amount(c["amount"], o);
    }
    for (simdjson::dom::element a : doc["discount_applications"].get_array()) {
      std::string_view v = a["value"];
      o.code_percent = std::stoll(std::string(v));
    }
    for (simdjson::dom::element s : doc["shipping_lines"].get_array()) {
      o.shipping += Amount(s["price"], o);
      for (simdjson::dom::element t : s["tax_lines"].get_array())
        o.shipping_tax += Amount(t["price"], o);
    }
    simdjson::dom::element address;
    if (doc["shipping_address"].get(address) == simdjson::SUCCESS) {
      o.has_shipping_address = true;
      o.country_code = std::string(std::string_view(address["country_code"]));
      o.zip = address["zip"].is_null() ? "" : std::string(std::string_view(address["zip"]));
      o.address1 =
          address["address1"].is_null() ? "" : std::string(std::string_view(address["address1"]));
      o.first_name = std::string(std::string_view(address["first_name"]));
      o.last_name = std::string(std::string_view(address["last_name"]));
      o.city = std::string(std::string_view(address["city"]));
    } else {
      o.country_code = std::string(std::string_view(doc["billing_address"]["country_code"]));
    }
    for (simdjson::dom::element li : doc["line_items"].get_array()) {
      ParsedLine l;
      l.id = li["id"].get_uint64();
      l.quantity = li["quantity"].get_int64();
      l.price = Amount(li["price"], o);
      l.total_discount = Amount(li["total_discount"], o);
      l.requires_shipping = bool(li["requires_shipping"]);
      l.gift_card = bool(li["gift_card"]);
      for (simdjson::dom::element a : li["discount_allocations"].get_array())
        l.allocations += Amount(a["amount"], o);
      for (simdjson::dom::element t : li["tax_lines"].get_array()) l.tax += Amount(t["price"], o);
      o.lines.push_back(l);
    }
    return o;
  }

 private:
  int64_t Amount(simdjson::dom::element e, ParsedOrder& o) {
    std::string_view text = e;
    o.amounts.emplace_back(text);
    auto minor = ParseMinorUnits(text, exponent_);
    EXPECT_TRUE(minor.ok()) << text << ": " << minor.status().ToString();
    return minor.ok() ? *minor : 0;
  }

  simdjson::dom::parser parser_;
  int exponent_ = 2;
};

std::vector<ParsedOrder> ParseAll(const std::vector<SimulatedWebhook>& webhooks) {
  Parser p;
  std::vector<ParsedOrder> out;
  for (const SimulatedWebhook& w : webhooks) out.push_back(p.Parse(w.body));
  return out;
}

const std::vector<ParsedOrder>& Parsed() {
  static const std::vector<ParsedOrder> parsed = ParseAll(Orders());
  return parsed;
}

// True when `s` has `shape`: '9' a digit, 'A' an uppercase ASCII letter, 'x' a lowercase hex
// digit, anything else itself. (std::regex trips GCC 12's -Wmaybe-uninitialized under -O1.)
bool HasShape(std::string_view s, std::string_view shape) {
  if (s.size() != shape.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    switch (shape[i]) {
      case '9':
        if (c < '0' || c > '9') return false;
        break;
      case 'A':
        if (c < 'A' || c > 'Z') return false;
        break;
      case 'x':
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
        break;
      default:
        if (c != shape[i]) return false;
    }
  }
  return true;
}

bool HasAnyShape(std::string_view s, const std::vector<std::string_view>& shapes) {
  return std::any_of(shapes.begin(), shapes.end(),
                     [&](std::string_view sh) { return HasShape(s, sh); });
}

// The parsed body as the canonical Order the validate step reads (the fields it checks).
Order ToOrder(const ParsedOrder& p, const std::string& channel_order_id) {
  Order o;
  o.channel = "shopify";
  o.channel_order_id = channel_order_id;
  o.currency = *Currency::Parse(p.currency);
  auto money = [&](int64_t minor) { return Money(minor, o.currency); };
  for (const ParsedLine& l : p.lines) {
    LineItem li;
    li.quantity = l.quantity;
    li.unit_price = money(l.price);
    li.total_discount = money(l.total_discount);
    li.requires_shipping = l.requires_shipping;
    li.gift_card = l.gift_card;
    o.line_items.push_back(li);
  }
  if (p.has_shipping_address) {
    Address a;
    a.first_name = p.first_name;
    a.last_name = p.last_name;
    a.address1 = p.address1;
    a.city = p.city;
    a.country_code = p.country_code;
    a.zip = p.zip;
    o.shipping_address = a;
  }
  o.taxes_included = p.taxes_included;
  o.totals = {money(p.line_items), money(p.discounts), money(p.shipping), money(p.tax),
              money(p.total)};
  return o;
}

int64_t ExpectedTotal(const ParsedOrder& o) {
  return o.line_items - o.discounts + o.shipping + (o.taxes_included ? 0 : o.tax);
}

TEST(OrderSimulatorTest, SameSeedGivesIdenticalWebhooks) {
  std::vector<SimulatedWebhook> a = Generate(42, 200), b = Generate(42, 200);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].body, b[i].body) << "order " << i;
    EXPECT_EQ(a[i].webhook_id, b[i].webhook_id);
    EXPECT_EQ(a[i].event_id, b[i].event_id);
    EXPECT_EQ(a[i].channel_order_id, b[i].channel_order_id);
    EXPECT_EQ(a[i].expected_hold, b[i].expected_hold);
    EXPECT_EQ(a[i].hold_reason, b[i].hold_reason);
  }
}

TEST(OrderSimulatorTest, DifferentSeedsGiveDifferentOrdersAndIds) {
  std::vector<SimulatedWebhook> a = Generate(1, 50), b = Generate(2, 50);
  std::set<std::string> ids;
  for (const auto& w : a) ids.insert(w.channel_order_id);
  for (size_t i = 0; i < b.size(); ++i) {
    EXPECT_NE(a[i].body, b[i].body);
    EXPECT_FALSE(ids.count(b[i].channel_order_id)) << b[i].channel_order_id;
  }
}

TEST(OrderSimulatorTest, EveryWebhookIsOrdersCreate) {
  for (const SimulatedWebhook& w : Orders()) EXPECT_EQ(w.topic, "orders/create");
}

TEST(OrderSimulatorTest, ThousandBodiesAreValidJson) {
  simdjson::dom::parser parser;
  for (const SimulatedWebhook& w : Orders()) {
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(w.body).get(doc), simdjson::SUCCESS) << w.body;
    EXPECT_TRUE(doc.is_object());
  }
}

TEST(OrderSimulatorTest, ChannelOrderIdIsTheBodyIdAndExceeds2To53) {
  for (size_t i = 0; i < Orders().size(); ++i) {
    EXPECT_EQ(Orders()[i].channel_order_id, std::to_string(Parsed()[i].id));
    EXPECT_GT(Parsed()[i].id, uint64_t{1} << 53);
  }
}

TEST(OrderSimulatorTest, OrderIdsIncrease) {
  for (size_t i = 1; i < Parsed().size(); ++i) EXPECT_GT(Parsed()[i].id, Parsed()[i - 1].id);
}

TEST(OrderSimulatorTest, OrderNamesCountUpFrom1001) {
  for (size_t i = 0; i < Parsed().size(); ++i)
    EXPECT_EQ(Parsed()[i].name, "#" + std::to_string(1001 + i));
}

TEST(OrderSimulatorTest, IdsAreUnique) {
  std::set<std::string> webhook_ids, event_ids;
  std::set<uint64_t> line_ids;
  for (const SimulatedWebhook& w : Orders()) {
    EXPECT_TRUE(webhook_ids.insert(w.webhook_id).second) << w.webhook_id;
    EXPECT_TRUE(event_ids.insert(w.event_id).second) << w.event_id;
  }
  for (const ParsedOrder& o : Parsed())
    for (const ParsedLine& l : o.lines) EXPECT_TRUE(line_ids.insert(l.id).second) << l.id;
}

TEST(OrderSimulatorTest, WebhookAndEventIdsAreUuids) {
  auto is_uuid = [](const std::string& id) {
    return HasShape(id, "xxxxxxxx-xxxx-4xxx-xxxx-xxxxxxxxxxxx") &&
           std::string_view("89ab").find(id[19]) != std::string_view::npos;
  };
  for (const SimulatedWebhook& w : Orders()) {
    EXPECT_TRUE(is_uuid(w.webhook_id)) << w.webhook_id;
    EXPECT_TRUE(is_uuid(w.event_id)) << w.event_id;
  }
}

TEST(OrderSimulatorTest, OrdersWithoutProblemsAddUpExactly) {
  int checked = 0;
  for (size_t i = 0; i < Parsed().size(); ++i) {
    if (Orders()[i].expected_hold) continue;
    const ParsedOrder& o = Parsed()[i];
    int64_t lines = 0, allocations = 0, line_tax = 0;
    for (const ParsedLine& l : o.lines) {
      lines += l.price * l.quantity;
      allocations += l.allocations;
      line_tax += l.tax;
      EXPECT_EQ(l.total_discount, l.allocations);
    }
    EXPECT_EQ(lines, o.line_items) << Orders()[i].body;
    EXPECT_EQ(allocations, o.discounts);
    EXPECT_EQ(o.subtotal, o.line_items - o.discounts);
    EXPECT_EQ(o.shipping, o.shipping_set);
    EXPECT_EQ(line_tax + o.shipping_tax, o.tax);
    EXPECT_EQ(o.order_tax_lines, o.tax);
    EXPECT_EQ(o.total, ExpectedTotal(o)) << Orders()[i].body;
    EXPECT_EQ(o.total_set, o.total);
    ++checked;
  }
  EXPECT_GT(checked, 850);
}

TEST(OrderSimulatorTest, HoldShareIsBetween5And12Percent) {
  int holds = 0;
  std::map<std::string, int> reasons;
  for (const SimulatedWebhook& w : Orders()) {
    if (w.expected_hold) {
      ++holds;
      ++reasons[w.hold_reason];
    } else {
      EXPECT_EQ(w.hold_reason, "");
    }
  }
  EXPECT_GE(holds, 50);
  EXPECT_LE(holds, 120);
  EXPECT_GT(reasons["totals_mismatch"], 0);
  EXPECT_GT(reasons["incomplete_shipping_address"], 0);
  EXPECT_GT(reasons["zero_quantity"], 0);
  EXPECT_EQ(reasons.size(), 3u);
}

TEST(OrderSimulatorTest, ValidateStepFindsExactlyTheExpectedProblem) {
  for (size_t i = 0; i < Parsed().size(); ++i) {
    const SimulatedWebhook& w = Orders()[i];
    std::vector<pipeline::ValidationProblem> problems =
        pipeline::ValidateOrder(ToOrder(Parsed()[i], w.channel_order_id));
    if (!w.expected_hold) {
      EXPECT_TRUE(problems.empty()) << problems[0].code << ": " << problems[0].message << "\n"
                                    << w.body;
      continue;
    }
    ASSERT_EQ(problems.size(), 1u) << w.hold_reason << "\n" << w.body;
    EXPECT_EQ(problems[0].code, w.hold_reason) << problems[0].message;
  }
}

TEST(OrderSimulatorTest, TotalsMismatchOrdersBreakOnlyTheTotal) {
  for (size_t i = 0; i < Parsed().size(); ++i) {
    if (Orders()[i].hold_reason != "totals_mismatch") continue;
    const ParsedOrder& o = Parsed()[i];
    EXPECT_NE(o.total, ExpectedTotal(o));
    EXPECT_GT(o.total, 0);
    int64_t lines = 0;
    for (const ParsedLine& l : o.lines) lines += l.price * l.quantity;
    EXPECT_EQ(lines, o.line_items);
    EXPECT_TRUE(o.has_shipping_address == std::any_of(o.lines.begin(), o.lines.end(),
                                                      [](auto& l) { return l.requires_shipping; }));
  }
}

TEST(OrderSimulatorTest, IncompleteAddressOrdersShipGoodsWithoutZipOrStreet) {
  for (size_t i = 0; i < Parsed().size(); ++i) {
    if (Orders()[i].hold_reason != "incomplete_shipping_address") continue;
    const ParsedOrder& o = Parsed()[i];
    ASSERT_TRUE(o.has_shipping_address);
    EXPECT_TRUE(o.zip.empty() != o.address1.empty()) << "exactly one of zip/address1 is missing";
    EXPECT_TRUE(
        std::any_of(o.lines.begin(), o.lines.end(), [](auto& l) { return l.requires_shipping; }));
    EXPECT_EQ(o.total, ExpectedTotal(o));
  }
}

TEST(OrderSimulatorTest, ZeroQuantityOrdersHaveOneZeroLineAndStillAddUp) {
  for (size_t i = 0; i < Parsed().size(); ++i) {
    const ParsedOrder& o = Parsed()[i];
    int zero = static_cast<int>(
        std::count_if(o.lines.begin(), o.lines.end(), [](auto& l) { return l.quantity == 0; }));
    if (Orders()[i].hold_reason == "zero_quantity") {
      EXPECT_EQ(zero, 1);
      EXPECT_EQ(o.total, ExpectedTotal(o));
    } else {
      EXPECT_EQ(zero, 0);
    }
  }
}

TEST(OrderSimulatorTest, OrdersWithoutProblemsThatShipHaveCompleteAddresses) {
  for (size_t i = 0; i < Parsed().size(); ++i) {
    if (Orders()[i].expected_hold) continue;
    const ParsedOrder& o = Parsed()[i];
    bool ships =
        std::any_of(o.lines.begin(), o.lines.end(), [](auto& l) { return l.requires_shipping; });
    EXPECT_EQ(o.has_shipping_address, ships);
    if (!ships) continue;
    EXPECT_FALSE(o.zip.empty());
    EXPECT_FALSE(o.address1.empty());
  }
}

TEST(OrderSimulatorTest, GiftCardsNeedNoShippingAndDigitalOnlyOrdersHaveNoShippingLine) {
  int gift_cards = 0, digital_only = 0;
  for (const ParsedOrder& o : Parsed()) {
    bool all_digital = true;
    for (const ParsedLine& l : o.lines) {
      if (l.gift_card) {
        ++gift_cards;
        EXPECT_FALSE(l.requires_shipping);
        EXPECT_EQ(l.tax, 0);
        EXPECT_EQ(l.allocations, 0);
      }
      all_digital = all_digital && l.gift_card;
    }
    if (all_digital) {
      ++digital_only;
      EXPECT_EQ(o.shipping, 0);
      EXPECT_FALSE(o.has_shipping_address);
    }
  }
  EXPECT_GT(gift_cards, 0);
  EXPECT_GT(digital_only, 0);
}

TEST(OrderSimulatorTest, CustomersComeFromSevenCountriesPayingInTheirCurrency) {
  const std::map<std::string, std::string> kCurrency = {{"US", "USD"}, {"CA", "CAD"}, {"GB", "GBP"},
                                                        {"DE", "EUR"}, {"FR", "EUR"}, {"JP", "JPY"},
                                                        {"AU", "AUD"}};
  std::set<std::string> seen;
  for (const ParsedOrder& o : Parsed()) {
    ASSERT_TRUE(kCurrency.count(o.country_code)) << o.country_code;
    EXPECT_EQ(o.currency, kCurrency.at(o.country_code));
    seen.insert(o.country_code);
  }
  EXPECT_EQ(seen.size(), kCurrency.size());
}

TEST(OrderSimulatorTest, TaxesAreIncludedOutsideNorthAmerica) {
  for (const ParsedOrder& o : Parsed())
    EXPECT_EQ(o.taxes_included, o.country_code != "US" && o.country_code != "CA") << o.country_code;
}

TEST(OrderSimulatorTest, AmountsHaveTheCurrencyPrecision) {
  for (const ParsedOrder& o : Parsed()) {
    for (const std::string& a : o.amounts) {
      size_t dot = a.find('.');
      bool digits = std::all_of(a.begin(), a.end(),
                                [](char c) { return c == '.' || (c >= '0' && c <= '9'); });
      EXPECT_TRUE(digits) << a;
      if (o.currency == "JPY") {
        EXPECT_EQ(dot, std::string::npos) << a;
      } else {
        EXPECT_EQ(dot, a.size() - 3) << o.currency << " " << a;
      }
    }
  }
}

TEST(OrderSimulatorTest, PostcodesFollowTheCountryFormat) {
  const std::map<std::string, std::vector<std::string_view>> kFormats = {
      {"US", {"99999"}}, {"CA", {"A9A 9A9"}}, {"GB", {"A9 9AA", "A99 9AA", "AA9 9AA", "AA99 9AA"}},
      {"DE", {"99999"}}, {"FR", {"99999"}},   {"JP", {"999-9999"}},
      {"AU", {"9999"}}};
  int checked = 0;
  for (const ParsedOrder& o : Parsed()) {
    if (o.zip.empty()) continue;
    EXPECT_TRUE(HasAnyShape(o.zip, kFormats.at(o.country_code))) << o.country_code << " " << o.zip;
    ++checked;
  }
  EXPECT_GT(checked, 900);
}

TEST(OrderSimulatorTest, PercentageDiscountsAreAllocatedPerLine) {
  int discounted = 0;
  for (size_t i = 0; i < Parsed().size(); ++i) {
    const ParsedOrder& o = Parsed()[i];
    if (o.code_amount < 0) continue;
    ++discounted;
    EXPECT_EQ(o.code_amount, o.discounts);
    EXPECT_GT(o.code_percent, 0);
    for (const ParsedLine& l : o.lines) {
      if (l.gift_card) continue;
      int64_t gross = l.price * l.quantity;
      EXPECT_EQ(l.allocations, (2 * gross * o.code_percent + 100) / 200) << Orders()[i].body;
    }
  }
  EXPECT_GT(discounted, 100);
}

TEST(OrderSimulatorTest, CardNumbersAreMaskedToTheLastFourDigits) {
  // "•••• •••• •••• 4242": the bullet is U+2022, three bytes in UTF-8.
  const std::string kMask =
      "\u2022\u2022\u2022\u2022 \u2022\u2022\u2022\u2022 \u2022\u2022\u2022\u2022 ";
  for (const ParsedOrder& o : Parsed()) {
    EXPECT_TRUE(o.card_number.starts_with(kMask) &&
                HasShape(o.card_number.substr(kMask.size()), "9999"))
        << o.card_number;
    EXPECT_TRUE(HasShape(o.card_bin, "999999")) << o.card_bin;
  }
}

TEST(OrderSimulatorTest, EmailsUseReservedDomains) {
  for (const ParsedOrder& o : Parsed()) {
    size_t at = o.email.find('@');
    ASSERT_NE(at, std::string::npos) << o.email;
    std::string domain = o.email.substr(at + 1);
    EXPECT_TRUE(domain == "example.com" || domain == "example.net" || domain == "example.org")
        << o.email;
    EXPECT_TRUE(std::all_of(o.email.begin(), o.email.begin() + static_cast<long>(at), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
    })) << o.email;
  }
}

TEST(OrderSimulatorTest, LineCountsRangeFromOneToFive) {
  std::set<size_t> counts;
  for (const ParsedOrder& o : Parsed()) {
    EXPECT_GE(o.lines.size(), 1u);
    EXPECT_LE(o.lines.size(), 5u);
    counts.insert(o.lines.size());
  }
  EXPECT_EQ(counts.size(), 5u);
}

TEST(OrderSimulatorTest, BodiesAreTypicallyTwoToFourKilobytes) {
  std::vector<size_t> sizes;
  for (const SimulatedWebhook& w : Orders()) sizes.push_back(w.body.size());
  std::sort(sizes.begin(), sizes.end());
  EXPECT_GE(sizes[sizes.size() / 2], 2048u);
  EXPECT_LE(sizes[sizes.size() / 2], 4096u);
  EXPECT_LT(sizes.back(), 16384u);
}

// ---------------------------------------------------------------------------------------------
// Fraud: 5000 orders of seed 11 at the default rate, and what the risk signals read of them.

constexpr int kManyOrders = 5000;

const std::vector<SimulatedWebhook>& ManyOrders() {
  static const std::vector<SimulatedWebhook> orders = Generate(11, kManyOrders);
  return orders;
}

const std::vector<ParsedOrder>& ManyParsed() {
  static const std::vector<ParsedOrder> parsed = ParseAll(ManyOrders());
  return parsed;
}

struct RiskFacts {
  std::string email, ip, user_agent, session_hash, avs, cvv, shipping_code;
  int64_t created_at = 0, customer_created_at = 0;  // Unix seconds
  uint64_t customer_id = 0;
  int64_t orders_count = 0, max_units = 0;
  std::string billing_country, billing_last_name;
  bool has_shipping = false;
  std::string shipping_country, shipping_last_name, shipping_zip, shipping_address1;
};

int64_t UnixSeconds(std::string_view text) {
  Result<Timestamp> t = ParseTimestamp(text);
  EXPECT_TRUE(t.ok()) << text;
  return t.ok() ? t->micros / 1000000 : 0;
}

std::string Text(simdjson::dom::element e) { return std::string(std::string_view(e)); }

RiskFacts ParseRiskFacts(simdjson::dom::parser& parser, const std::string& body) {
  simdjson::dom::element doc = parser.parse(body);
  RiskFacts f;
  f.email = Text(doc["email"]);
  f.ip = Text(doc["browser_ip"]);
  f.user_agent = Text(doc["client_details"]["user_agent"]);
  f.session_hash = Text(doc["client_details"]["session_hash"]);
  f.avs = Text(doc["payment_details"]["avs_result_code"]);
  f.cvv = Text(doc["payment_details"]["cvv_result_code"]);
  f.created_at = UnixSeconds(std::string_view(doc["created_at"]));
  f.customer_created_at = UnixSeconds(std::string_view(doc["customer"]["created_at"]));
  f.customer_id = doc["customer"]["id"].get_uint64();
  f.orders_count = doc["customer"]["orders_count"].get_int64();
  f.billing_country = Text(doc["billing_address"]["country_code"]);
  f.billing_last_name = Text(doc["billing_address"]["last_name"]);
  simdjson::dom::element ship;
  if (doc["shipping_address"].get(ship) == simdjson::SUCCESS) {
    f.has_shipping = true;
    f.shipping_country = Text(ship["country_code"]);
    f.shipping_last_name = Text(ship["last_name"]);
    f.shipping_zip = ship["zip"].is_null() ? "" : Text(ship["zip"]);
    f.shipping_address1 = ship["address1"].is_null() ? "" : Text(ship["address1"]);
  }
  for (simdjson::dom::element s : doc["shipping_lines"].get_array())
    f.shipping_code = Text(s["code"]);
  for (simdjson::dom::element li : doc["line_items"].get_array())
    f.max_units = std::max(f.max_units, int64_t(li["quantity"].get_int64()));
  return f;
}

const std::vector<RiskFacts>& ManyFacts() {
  static const std::vector<RiskFacts> facts = [] {
    simdjson::dom::parser parser;
    std::vector<RiskFacts> out;
    for (const SimulatedWebhook& w : ManyOrders()) out.push_back(ParseRiskFacts(parser, w.body));
    return out;
  }();
  return facts;
}

// Whether an email's local part looks generated the way the simulator makes them: a digit
// followed later by a letter ("xk7qz9v2pl"); name-based addresses only end in digits.
bool LooksGenerated(const std::string& email) {
  std::string local = email.substr(0, email.find('@'));
  size_t digit = local.find_first_of("0123456789");
  return digit != std::string::npos &&
         local.find_first_of("abcdefghijklmnopqrstuvwxyz", digit) != std::string::npos;
}

bool InDocumentationRange(const std::string& ip) {
  for (std::string_view prefix : {"192.0.2.", "198.51.100.", "203.0.113.", "2001:db8:"})
    if (ip.starts_with(prefix)) return true;
  return false;
}

const std::set<std::string> kPatterns = {"card_testing", "account_takeover", "reshipper",
                                         "synthetic"};

TEST(OrderSimulatorFraudTest, AboutThreePercentOfOrdersAreFraudulentByDefault) {
  int fraud = 0;
  for (const SimulatedWebhook& w : ManyOrders()) {
    if (w.fraud) {
      ++fraud;
      EXPECT_TRUE(kPatterns.count(w.fraud_pattern)) << w.fraud_pattern;
    } else {
      EXPECT_EQ(w.fraud_pattern, "");
    }
  }
  EXPECT_GE(fraud, kManyOrders * 2 / 100);
  EXPECT_LE(fraud, kManyOrders * 4 / 100);
}

TEST(OrderSimulatorFraudTest, ConfiguredFraudRateIsHonoured) {
  std::vector<SimulatedWebhook> orders = Generate(12, kManyOrders, 0.10);
  int fraud = static_cast<int>(std::count_if(orders.begin(), orders.end(),
                                             [](const SimulatedWebhook& w) { return w.fraud; }));
  EXPECT_GE(fraud, kManyOrders * 8 / 100);
  EXPECT_LE(fraud, kManyOrders * 12 / 100);
}

TEST(OrderSimulatorFraudTest, ZeroFraudRateGivesNoFraud) {
  int holds = 0;
  for (const SimulatedWebhook& w : Generate(13, 3000, 0.0)) {
    EXPECT_FALSE(w.fraud);
    EXPECT_EQ(w.fraud_pattern, "");
    holds += w.expected_hold ? 1 : 0;
  }
  EXPECT_GT(holds, 0);
}

TEST(OrderSimulatorFraudTest, EveryPatternAppears) {
  std::map<std::string, int> counts;
  for (const SimulatedWebhook& w : ManyOrders())
    if (w.fraud) ++counts[w.fraud_pattern];
  for (const std::string& pattern : kPatterns) EXPECT_GE(counts[pattern], 5) << pattern;
  EXPECT_EQ(counts.size(), kPatterns.size());
}

TEST(OrderSimulatorFraudTest, SameSeedAndRateGiveIdenticalWebhooksAndLabels) {
  std::vector<SimulatedWebhook> a = Generate(42, 2000, 0.2), b = Generate(42, 2000, 0.2);
  int fraud = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].body, b[i].body) << "order " << i;
    EXPECT_EQ(a[i].webhook_id, b[i].webhook_id);
    EXPECT_EQ(a[i].fraud, b[i].fraud);
    EXPECT_EQ(a[i].fraud_pattern, b[i].fraud_pattern);
    fraud += a[i].fraud ? 1 : 0;
  }
  EXPECT_GT(fraud, 200);
}

TEST(OrderSimulatorFraudTest, CreatedAtStrictlyIncreases) {
  for (size_t i = 1; i < ManyFacts().size(); ++i)
    EXPECT_GT(ManyFacts()[i].created_at, ManyFacts()[i - 1].created_at) << "order " << i;
}

TEST(OrderSimulatorFraudTest, CardTestingBurstsShareDeviceAndIpWithinTenMinutes) {
  const auto& orders = ManyOrders();
  const auto& facts = ManyFacts();
  std::set<std::string> burst_devices;
  int bursts = 0, burst_orders = 0, fresh_accounts = 0, avs_or_cvv_no = 0;
  for (size_t i = 0; i < orders.size();) {
    if (orders[i].fraud_pattern != "card_testing") {
      ++i;
      continue;
    }
    // A burst: the run of consecutive card-testing orders on one device.
    size_t end = i + 1;
    while (end < orders.size() && orders[end].fraud_pattern == "card_testing" &&
           facts[end].session_hash == facts[i].session_hash)
      ++end;
    ++bursts;
    EXPECT_GE(end - i, 3u) << "burst at order " << i;
    EXPECT_LE(end - i, 8u) << "burst at order " << i;
    EXPECT_LE(facts[end - 1].created_at - facts[i].created_at, 600) << "burst at order " << i;
    std::set<std::string> emails;
    std::set<uint64_t> customers;
    for (size_t k = i; k < end; ++k) {
      const RiskFacts& f = facts[k];
      ++burst_orders;
      EXPECT_EQ(f.session_hash, facts[i].session_hash);
      EXPECT_EQ(f.user_agent, facts[i].user_agent);
      EXPECT_EQ(f.ip, facts[i].ip);
      EXPECT_TRUE(emails.insert(f.email).second) << "a new account per order: " << f.email;
      EXPECT_TRUE(customers.insert(f.customer_id).second);
      EXPECT_EQ(f.orders_count, 1);
      EXPECT_EQ(ManyParsed()[k].lines.size(), 1u);
      EXPECT_EQ(f.max_units, 1);
      fresh_accounts += f.created_at - f.customer_created_at <= 60 ? 1 : 0;
      avs_or_cvv_no += f.avs == "N" || f.cvv == "N" ? 1 : 0;
    }
    EXPECT_TRUE(burst_devices.insert(facts[i].session_hash).second);
    i = end;
  }
  EXPECT_GE(bursts, 3);
  EXPECT_GT(fresh_accounts, burst_orders / 2);
  EXPECT_GT(avs_or_cvv_no, 0);
  EXPECT_LT(avs_or_cvv_no, burst_orders);
  for (size_t i = 0; i < orders.size(); ++i) {
    if (orders[i].fraud_pattern == "card_testing") continue;
    EXPECT_FALSE(burst_devices.count(facts[i].session_hash)) << "order " << i;
  }
}

TEST(OrderSimulatorFraudTest, AccountTakeoversUseAnEarlierCustomersAccountAndANewAddress) {
  const auto& orders = ManyOrders();
  const auto& facts = ManyFacts();
  std::map<uint64_t, std::string> email_of;  // by customer id, from good orders
  std::set<std::pair<uint64_t, std::string>> addresses;
  int takeovers = 0, abroad = 0, express = 0;
  for (size_t i = 0; i < orders.size(); ++i) {
    const RiskFacts& f = facts[i];
    if (orders[i].fraud_pattern == "account_takeover") {
      ++takeovers;
      ASSERT_TRUE(email_of.count(f.customer_id)) << "order " << i;
      EXPECT_EQ(email_of[f.customer_id], f.email);
      EXPECT_GT(f.orders_count, 1);
      EXPECT_GT(f.created_at - f.customer_created_at, 7 * 86400);
      ASSERT_TRUE(f.has_shipping);
      EXPECT_FALSE(addresses.count({f.customer_id, f.shipping_zip + "|" + f.shipping_address1}));
      const bool other_country = f.shipping_country != f.billing_country;
      const bool is_express = f.shipping_code == "EXPRESS";
      const bool other_name = f.shipping_last_name != f.billing_last_name;
      const bool several_lines = ManyParsed()[i].lines.size() >= 2;  // all expensive orders
      EXPECT_GE(other_country + is_express + other_name + several_lines, 2) << orders[i].body;
      abroad += other_country ? 1 : 0;
      express += is_express ? 1 : 0;
    } else if (!orders[i].fraud) {
      email_of.emplace(f.customer_id, f.email);
    }
    if (f.has_shipping)
      addresses.insert({f.customer_id, f.shipping_zip + "|" + f.shipping_address1});
  }
  ASSERT_GT(takeovers, 0);
  EXPECT_GT(abroad, takeovers / 2);
  EXPECT_GT(express, takeovers / 2);
}

TEST(OrderSimulatorFraudTest, ReshippersShipToAUsForwarderFromAbroad) {
  int reshippers = 0, express = 0, bulk = 0;
  for (size_t i = 0; i < ManyOrders().size(); ++i) {
    if (ManyOrders()[i].fraud_pattern != "reshipper") continue;
    const RiskFacts& f = ManyFacts()[i];
    ++reshippers;
    ASSERT_TRUE(f.has_shipping);
    EXPECT_EQ(f.shipping_country, "US");
    EXPECT_NE(f.billing_country, "US");
    EXPECT_TRUE(std::any_of(SimulatedForwarders().begin(), SimulatedForwarders().end(),
                            [&](const ForwarderWarehouse& fw) {
                              return f.shipping_zip == fw.zip &&
                                     f.shipping_address1.find(fw.address1_substring) !=
                                         std::string::npos;
                            }))
        << f.shipping_zip << " " << f.shipping_address1;
    express += f.shipping_code == "EXPRESS" ? 1 : 0;
    bulk += f.max_units >= 4 ? 1 : 0;
  }
  ASSERT_GT(reshippers, 0);
  EXPECT_GT(express, reshippers / 2);
  EXPECT_GT(bulk, reshippers / 2);
}

TEST(OrderSimulatorFraudTest, DoralForwarderAddressHasTheSuiteForm) {
  bool seen = false;
  for (const RiskFacts& f : ManyFacts()) {
    if (f.shipping_zip != "33166") continue;
    seen = true;
    EXPECT_TRUE(HasShape(f.shipping_address1, "Suite 99999, 8400 NW 25th St"))
        << f.shipping_address1;
  }
  EXPECT_TRUE(seen);
}

TEST(OrderSimulatorFraudTest, SyntheticIdentitiesShowAtLeastTwoTells) {
  int synthetic = 0, generated_emails = 0;
  for (size_t i = 0; i < ManyOrders().size(); ++i) {
    if (ManyOrders()[i].fraud_pattern != "synthetic") continue;
    const RiskFacts& f = ManyFacts()[i];
    ++synthetic;
    const bool generated = LooksGenerated(f.email);
    const bool fresh = f.created_at - f.customer_created_at <= 60;
    const bool other_name = f.has_shipping && f.shipping_last_name != f.billing_last_name;
    const bool avs_no = f.avs == "N";
    EXPECT_GE(generated + fresh + other_name + avs_no, 2) << ManyOrders()[i].body;
    EXPECT_EQ(f.orders_count, 1);
    generated_emails += generated ? 1 : 0;
  }
  ASSERT_GT(synthetic, 0);
  EXPECT_GT(generated_emails, synthetic / 2);
}

TEST(OrderSimulatorFraudTest, GoodOrdersCarryWeakTellsToo) {
  int express = 0, new_accounts = 0, other_country = 0, forwarder = 0, many_units = 0,
      generated_email = 0, avs_no = 0, follow_ups = 0, good = 0;
  std::set<std::string> forwarder_zips;
  for (const ForwarderWarehouse& fw : SimulatedForwarders()) forwarder_zips.emplace(fw.zip);
  for (size_t i = 0; i < ManyOrders().size(); ++i) {
    if (ManyOrders()[i].fraud) continue;
    const RiskFacts& f = ManyFacts()[i];
    ++good;
    express += f.shipping_code == "EXPRESS";
    new_accounts += f.created_at - f.customer_created_at < 3600;
    other_country += f.has_shipping && f.shipping_country != f.billing_country;
    forwarder += f.has_shipping && forwarder_zips.count(f.shipping_zip) > 0;
    many_units += f.max_units >= 4;
    generated_email += LooksGenerated(f.email);
    avs_no += f.avs == "N";
    follow_ups += i > 0 && !ManyOrders()[i - 1].fraud &&
                  ManyFacts()[i - 1].session_hash == f.session_hash &&
                  f.created_at - ManyFacts()[i - 1].created_at <= 600;
  }
  EXPECT_GT(express, good / 10);
  EXPECT_GT(new_accounts, good / 10);
  EXPECT_GT(other_country, 10);
  EXPECT_GT(forwarder, 3);
  EXPECT_GT(many_units, 10);
  EXPECT_GT(generated_email, 10);
  EXPECT_GT(avs_no, 10);
  EXPECT_GT(follow_ups, 10) << "a good order from the same device minutes after the last";
}

TEST(OrderSimulatorFraudTest, ReturningCustomersMostlyKeepTheirDevice) {
  std::map<uint64_t, std::string> device_of;
  int returning = 0, same_device = 0;
  for (size_t i = 0; i < ManyOrders().size(); ++i) {
    if (ManyOrders()[i].fraud) continue;
    const RiskFacts& f = ManyFacts()[i];
    auto [it, inserted] = device_of.emplace(f.customer_id, f.session_hash);
    if (inserted) continue;
    ++returning;
    same_device += it->second == f.session_hash;
    it->second = f.session_hash;
  }
  ASSERT_GT(returning, 100);
  EXPECT_GT(same_device, returning * 7 / 10);
  EXPECT_LT(same_device, returning);
}

TEST(OrderSimulatorFraudTest, FraudulentOrdersKeepTheInvariants) {
  const std::set<std::string> kTestBins = {"424242", "400005", "555555", "520082", "378282"};
  int checked = 0;
  for (size_t i = 0; i < ManyOrders().size(); ++i) {
    const SimulatedWebhook& w = ManyOrders()[i];
    const RiskFacts& f = ManyFacts()[i];
    EXPECT_TRUE(InDocumentationRange(f.ip)) << f.ip;
    if (!w.fraud) continue;
    ++checked;
    const ParsedOrder& o = ManyParsed()[i];
    EXPECT_FALSE(w.expected_hold);
    EXPECT_EQ(w.hold_reason, "");
    std::vector<pipeline::ValidationProblem> problems =
        pipeline::ValidateOrder(ToOrder(o, w.channel_order_id));
    EXPECT_TRUE(problems.empty()) << problems[0].code << ": " << problems[0].message << "\n"
                                  << w.body;
    int64_t lines = 0, allocations = 0, line_tax = 0;
    for (const ParsedLine& l : o.lines) {
      EXPECT_GT(l.quantity, 0);
      lines += l.price * l.quantity;
      allocations += l.allocations;
      line_tax += l.tax;
    }
    EXPECT_EQ(lines, o.line_items) << w.body;
    EXPECT_EQ(allocations, o.discounts);
    EXPECT_EQ(o.subtotal, o.line_items - o.discounts);
    EXPECT_EQ(line_tax + o.shipping_tax, o.tax);
    EXPECT_EQ(o.order_tax_lines, o.tax);
    EXPECT_EQ(o.total, ExpectedTotal(o)) << w.body;
    EXPECT_EQ(o.total_set, o.total);
    size_t at = o.email.find('@');
    ASSERT_NE(at, std::string::npos) << o.email;
    std::string domain = o.email.substr(at + 1);
    EXPECT_TRUE(domain == "example.com" || domain == "example.net" || domain == "example.org")
        << o.email;
    EXPECT_TRUE(kTestBins.count(o.card_bin)) << o.card_bin;
    EXPECT_EQ(f.session_hash.size(), 32u);
  }
  EXPECT_GT(checked, 100);
}

}  // namespace
}  // namespace orderpilot::app
