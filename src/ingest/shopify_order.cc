#include "ingest/shopify_order.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/json_dom.h"
#include "core/order_json.h"

namespace orderpilot::ingest {
namespace {

using json_dom::AsObject;
using json_dom::ForEachObject;
using json_dom::IndexPath;
using json_dom::MoneyForm;
using json_dom::ObjectReader;
using json_dom::ReadAddress;

// Shopify writes amounts as strings, except in a few places (refund line subtotals) as numbers.
constexpr MoneyForm kForm = MoneyForm::kStringOrNumber;

// The amount of a Shopify money set ({"shop_money": {"amount", "currency_code"},
// "presentment_money": {…}}) in currency `c`: shop_money first, then presentment_money; a side
// whose currency_code names another currency is skipped. nullopt when neither side fits.
Result<std::optional<Money>> SetAmount(const ObjectReader& r, std::string_view set_key,
                                       Currency c) {
  OP_ASSIGN_OR_RETURN(std::optional<ObjectReader> set, r.OptObject(set_key));
  if (!set) return std::optional<Money>();
  for (std::string_view side : {"shop_money", "presentment_money"}) {
    OP_ASSIGN_OR_RETURN(std::optional<ObjectReader> money, set->OptObject(side));
    if (!money) continue;
    OP_ASSIGN_OR_RETURN(std::string code, money->String("currency_code"));
    if (!code.empty() && code != c.code()) continue;
    return money->OptMoney("amount", c, kForm);
  }
  return std::optional<Money>();
}

// A Shopify amount: the plain member `key`, else `key`_set in currency `c`.
Result<std::optional<Money>> ShopAmount(const ObjectReader& r, std::string_view key, Currency c) {
  OP_ASSIGN_OR_RETURN(std::optional<Money> m, r.OptMoney(key, c, kForm));
  if (m) return m;
  return SetAmount(r, std::string(key) + "_set", c);
}

Result<Money> ShopAmountOrZero(const ObjectReader& r, std::string_view key, Currency c) {
  OP_ASSIGN_OR_RETURN(std::optional<Money> m, ShopAmount(r, key, c));
  return m ? *m : Money::Zero(c);
}

Result<Money> RequiredShopAmount(const ObjectReader& r, std::string_view key, Currency c) {
  OP_ASSIGN_OR_RETURN(std::optional<Money> m, ShopAmount(r, key, c));
  if (!m) return UnprocessableError("missing " + std::string(key), r.PathOf(key));
  return *m;
}

// Σ amount over the "discount_allocations" array; nullopt when the array is absent or empty.
Result<std::optional<Money>> AllocatedDiscount(const ObjectReader& r, Currency c) {
  std::optional<Money> sum;
  OP_RETURN_IF_ERROR(ForEachObject(r, "discount_allocations", [&](const ObjectReader& a) -> Status {
    OP_ASSIGN_OR_RETURN(Money m, ShopAmountOrZero(a, "amount", c));
    if (!sum) sum = Money::Zero(c);
    Result<Money> added = Money::Add(*sum, m);
    if (!added.ok()) return UnprocessableError("amount overflow", a.path());
    sum = *added;
    return Status::Ok();
  }));
  return sum;
}

Result<std::vector<TaxLine>> ReadTaxLines(const ObjectReader& parent, Currency c) {
  std::vector<TaxLine> out;
  OP_RETURN_IF_ERROR(ForEachObject(parent, "tax_lines", [&](const ObjectReader& t) -> Status {
    TaxLine line;
    OP_ASSIGN_OR_RETURN(line.title, t.String("title"));
    OP_ASSIGN_OR_RETURN(std::optional<double> rate, t.OptNumber("rate"));
    line.rate = rate.value_or(0);
    OP_ASSIGN_OR_RETURN(line.price, ShopAmountOrZero(t, "price", c));
    out.push_back(std::move(line));
    return Status::Ok();
  }));
  return out;
}

std::vector<std::string> SplitTags(std::string_view s) {
  std::vector<std::string> out;
  constexpr std::string_view kSpace = " \t\r\n";
  while (!s.empty()) {
    size_t comma = s.find(',');
    std::string_view tag = s.substr(0, comma);
    size_t b = tag.find_first_not_of(kSpace);
    if (b != std::string_view::npos) {
      size_t e = tag.find_last_not_of(kSpace);
      out.emplace_back(tag.substr(b, e - b + 1));
    }
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

// Tags as Shopify's comma-separated string ("vip,  wholesale ,") or, leniently, an array.
Result<std::vector<std::string>> ReadTags(const ObjectReader& r, std::string_view key) {
  std::optional<simdjson::dom::element> e = r.Find(key);
  if (!e) return std::vector<std::string>();
  std::string_view s;
  if (e->get(s) == simdjson::SUCCESS) return SplitTags(s);
  simdjson::dom::array arr;
  if (e->get(arr) != simdjson::SUCCESS)
    return json_dom::TypeError("a comma-separated string", r.PathOf(key));
  std::vector<std::string> out;
  size_t i = 0;
  for (simdjson::dom::element item : arr) {
    if (item.get(s) != simdjson::SUCCESS)
      return json_dom::TypeError("a string", IndexPath(r.PathOf(key), i));
    for (std::string& t : SplitTags(s)) out.push_back(std::move(t));
    ++i;
  }
  return out;
}

std::string Digits(std::string_view s) {
  std::string d;
  for (char c : s)
    if (c >= '0' && c <= '9') d.push_back(c);
  return d;
}

Status ReadCustomer(const ObjectReader& root, Customer& c) {
  OP_ASSIGN_OR_RETURN(std::optional<bool> buyer_marketing, root.OptBool("buyer_accepts_marketing"));
  c.accepts_marketing = buyer_marketing.value_or(false);
  OP_ASSIGN_OR_RETURN(std::optional<ObjectReader> r, root.OptObject("customer"));
  if (!r) return Status::Ok();  // guest checkout
  OP_ASSIGN_OR_RETURN(c.channel_customer_id, r->IdText("id"));
  OP_ASSIGN_OR_RETURN(c.email, r->String("email"));
  OP_ASSIGN_OR_RETURN(c.phone, r->String("phone"));
  OP_ASSIGN_OR_RETURN(c.first_name, r->String("first_name"));
  OP_ASSIGN_OR_RETURN(c.last_name, r->String("last_name"));
  OP_ASSIGN_OR_RETURN(c.tags, ReadTags(*r, "tags"));
  OP_ASSIGN_OR_RETURN(c.created_at, r->OptTimestamp("created_at"));
  OP_ASSIGN_OR_RETURN(std::optional<int64_t> count, r->OptInt("orders_count"));
  if (count && *count < 0)
    return UnprocessableError("orders_count must not be negative", r->PathOf("orders_count"));
  c.orders_count = count.value_or(0);
  // accepts_marketing (older API versions), else email_marketing_consent.state (newer ones).
  OP_ASSIGN_OR_RETURN(std::optional<bool> marketing, r->OptBool("accepts_marketing"));
  if (marketing) {
    c.accepts_marketing = *marketing;
  } else {
    OP_ASSIGN_OR_RETURN(std::optional<ObjectReader> consent,
                        r->OptObject("email_marketing_consent"));
    if (consent) {
      OP_ASSIGN_OR_RETURN(std::string state, consent->String("state"));
      c.accepts_marketing = state == "subscribed";
    }
  }
  return Status::Ok();
}

Status ReadLineItems(const ObjectReader& root, Currency cur, std::vector<LineItem>& out) {
  OP_ASSIGN_OR_RETURN(std::optional<simdjson::dom::array> arr, root.OptArray("line_items"));
  if (!arr) return UnprocessableError("missing line_items", "line_items");
  return ForEachObject(root, "line_items", [&](const ObjectReader& r) -> Status {
    LineItem li;
    OP_ASSIGN_OR_RETURN(li.channel_line_id, r.IdText("id"));
    OP_ASSIGN_OR_RETURN(li.sku, r.String("sku"));
    OP_ASSIGN_OR_RETURN(li.variant_id, r.IdText("variant_id"));
    OP_ASSIGN_OR_RETURN(li.product_id, r.IdText("product_id"));
    OP_ASSIGN_OR_RETURN(li.title, r.String("title"));
    OP_ASSIGN_OR_RETURN(li.variant_title, r.String("variant_title"));
    OP_ASSIGN_OR_RETURN(li.vendor, r.String("vendor"));
    OP_ASSIGN_OR_RETURN(li.quantity, r.RequiredInt("quantity"));
    if (li.quantity < 0)
      return UnprocessableError("quantity must not be negative", r.PathOf("quantity"));
    OP_ASSIGN_OR_RETURN(li.unit_price, RequiredShopAmount(r, "price", cur));
    OP_ASSIGN_OR_RETURN(std::optional<Money> allocated, AllocatedDiscount(r, cur));
    if (allocated) {
      li.total_discount = *allocated;
    } else {
      OP_ASSIGN_OR_RETURN(li.total_discount, ShopAmountOrZero(r, "total_discount", cur));
    }
    OP_ASSIGN_OR_RETURN(li.tax_lines, ReadTaxLines(r, cur));
    OP_ASSIGN_OR_RETURN(std::optional<int64_t> grams, r.OptInt("grams"));
    li.grams = grams.value_or(0);
    OP_ASSIGN_OR_RETURN(std::optional<bool> ship, r.OptBool("requires_shipping"));
    li.requires_shipping = ship.value_or(true);
    OP_ASSIGN_OR_RETURN(std::optional<bool> taxable, r.OptBool("taxable"));
    li.taxable = taxable.value_or(true);
    OP_ASSIGN_OR_RETURN(std::optional<bool> gift, r.OptBool("gift_card"));
    li.gift_card = gift.value_or(false);
    out.push_back(std::move(li));
    return Status::Ok();
  });
}

Status ReadPayment(const ObjectReader& root, PaymentFacts& p) {
  OP_ASSIGN_OR_RETURN(std::optional<simdjson::dom::array> names,
                      root.OptArray("payment_gateway_names"));
  if (names && names->size() > 0) {
    std::string_view first;
    if ((*names).at(0).get(first) != simdjson::SUCCESS)
      return json_dom::TypeError("a string", IndexPath("payment_gateway_names", 0));
    p.gateway = std::string(first);
  }
  if (p.gateway.empty()) {
    OP_ASSIGN_OR_RETURN(p.gateway, root.String("gateway"));
  }
  OP_ASSIGN_OR_RETURN(std::optional<ObjectReader> d, root.OptObject("payment_details"));
  if (!d) return Status::Ok();
  OP_ASSIGN_OR_RETURN(p.avs_result_code, d->String("avs_result_code"));
  OP_ASSIGN_OR_RETURN(p.cvv_result_code, d->String("cvv_result_code"));
  OP_ASSIGN_OR_RETURN(p.card_company, d->String("credit_card_company"));
  // Card data is reduced at the door: a BIN of at most 8 digits (a longer one is malformed and
  // cut to 6), and only the last (up to 4) digits of the normally masked card number, so even a
  // full number sent by mistake is never kept.
  OP_ASSIGN_OR_RETURN(std::string bin, d->IdText("credit_card_bin"));
  bin = Digits(bin);
  p.card_bin = bin.size() <= 8 ? bin : bin.substr(0, 6);
  OP_ASSIGN_OR_RETURN(std::string number, d->String("credit_card_number"));
  std::string digits = Digits(number);
  p.card_last4 = digits.substr(digits.size() - std::min<size_t>(digits.size(), 4));
  return Status::Ok();
}

Status ReadClient(const ObjectReader& root, ClientDetails& c) {
  OP_ASSIGN_OR_RETURN(std::optional<ObjectReader> d, root.OptObject("client_details"));
  if (d) {
    OP_ASSIGN_OR_RETURN(c.browser_ip, d->String("browser_ip"));
    OP_ASSIGN_OR_RETURN(c.user_agent, d->String("user_agent"));
    OP_ASSIGN_OR_RETURN(c.accept_language, d->String("accept_language"));
    OP_ASSIGN_OR_RETURN(c.session_hash, d->String("session_hash"));
  }
  OP_ASSIGN_OR_RETURN(std::string ip, root.String("browser_ip"));
  if (!ip.empty()) c.browser_ip = std::move(ip);
  return Status::Ok();
}

Status ReadTotals(const ObjectReader& root, const Order& o, OrderTotals& t) {
  const Currency c = o.currency;
  std::optional<Money> parts[5];
  OP_ASSIGN_OR_RETURN(parts[0], ShopAmount(root, "total_line_items_price", c));
  OP_ASSIGN_OR_RETURN(parts[1], ShopAmount(root, "total_discounts", c));
  OP_ASSIGN_OR_RETURN(parts[2], SetAmount(root, "total_shipping_price_set", c));
  OP_ASSIGN_OR_RETURN(parts[3], ShopAmount(root, "total_tax", c));
  OP_ASSIGN_OR_RETURN(parts[4], ShopAmount(root, "total_price", c));
  bool all = true;
  for (const auto& p : parts) all = all && p.has_value();
  OrderTotals derived;
  if (!all) {
    OP_ASSIGN_OR_RETURN(derived, ComputeTotals(o));
  }
  t.line_items = parts[0].value_or(derived.line_items);
  t.discounts = parts[1].value_or(derived.discounts);
  t.shipping = parts[2].value_or(derived.shipping);
  t.tax = parts[3].value_or(derived.tax);
  t.total = parts[4].value_or(derived.total);
  return Status::Ok();
}

Result<Currency> ReadCurrency(std::string_view code, std::string path) {
  Result<Currency> c = Currency::Parse(code);
  if (!c.ok())
    return UnprocessableError("unknown currency '" + std::string(code.substr(0, 16)) + "'",
                              std::move(path));
  return c;
}

// The refund's currency: a successful refund transaction's currency, else the shop money
// currency of its line subtotals, shipping refunds or order adjustments.
Result<std::optional<std::string>> RefundCurrencyCode(const ObjectReader& root) {
  std::optional<std::string> code;
  OP_RETURN_IF_ERROR(ForEachObject(root, "transactions", [&](const ObjectReader& t) -> Status {
    OP_ASSIGN_OR_RETURN(std::string kind, t.String("kind"));
    OP_ASSIGN_OR_RETURN(std::string status, t.String("status"));
    OP_ASSIGN_OR_RETURN(std::string c, t.String("currency"));
    if (!code && !c.empty() && kind == "refund" && status == "success") code = std::move(c);
    return Status::Ok();
  }));
  if (code) return code;
  auto from_set = [&](std::string_view array, std::string_view set_key) -> Status {
    return ForEachObject(root, array, [&](const ObjectReader& item) -> Status {
      if (code) return Status::Ok();
      OP_ASSIGN_OR_RETURN(std::optional<ObjectReader> set, item.OptObject(set_key));
      if (!set) return Status::Ok();
      OP_ASSIGN_OR_RETURN(std::optional<ObjectReader> shop, set->OptObject("shop_money"));
      if (!shop) return Status::Ok();
      OP_ASSIGN_OR_RETURN(std::string c, shop->String("currency_code"));
      if (!c.empty()) code = std::move(c);
      return Status::Ok();
    });
  };
  OP_RETURN_IF_ERROR(from_set("refund_line_items", "subtotal_set"));
  OP_RETURN_IF_ERROR(from_set("refund_shipping_lines", "subtotal_amount_set"));
  OP_RETURN_IF_ERROR(from_set("order_adjustments", "amount_set"));
  return code;
}

}  // namespace

Result<Order> NormaliseShopifyOrder(std::string_view json, std::string_view shop_domain) {
  OP_ASSIGN_OR_RETURN(simdjson::dom::object object, json_dom::ParseObject(json));
  ObjectReader root(object, "");
  Order o;
  o.channel = "shopify";
  o.shop = std::string(shop_domain);

  OP_ASSIGN_OR_RETURN(std::string_view code, root.RequiredString("currency"));
  OP_ASSIGN_OR_RETURN(o.currency, ReadCurrency(code, "currency"));
  const Currency cur = o.currency;

  OP_ASSIGN_OR_RETURN(o.channel_order_id, root.IdText("id"));
  if (o.channel_order_id.empty()) return UnprocessableError("missing id", "id");
  OP_ASSIGN_OR_RETURN(o.number, root.String("name"));
  OP_ASSIGN_OR_RETURN(std::optional<Timestamp> created, root.OptTimestamp("created_at"));
  if (!created) {
    OP_ASSIGN_OR_RETURN(created, root.OptTimestamp("processed_at"));
  }
  if (!created) return UnprocessableError("missing created_at", "created_at");
  o.created_at = *created;
  OP_ASSIGN_OR_RETURN(o.cancelled_at, root.OptTimestamp("cancelled_at"));
  OP_ASSIGN_OR_RETURN(o.cancel_reason, root.String("cancel_reason"));
  OP_ASSIGN_OR_RETURN(o.email, root.String("email"));
  if (o.email.empty()) {
    OP_ASSIGN_OR_RETURN(o.email, root.String("contact_email"));
  }
  OP_ASSIGN_OR_RETURN(o.phone, root.String("phone"));
  OP_RETURN_IF_ERROR(ReadCustomer(root, o.customer));
  OP_ASSIGN_OR_RETURN(o.billing_address, ReadAddress(root, "billing_address"));
  OP_ASSIGN_OR_RETURN(o.shipping_address, ReadAddress(root, "shipping_address"));
  OP_RETURN_IF_ERROR(ReadLineItems(root, cur, o.line_items));

  OP_RETURN_IF_ERROR(ForEachObject(root, "shipping_lines", [&](const ObjectReader& r) -> Status {
    ShippingLine s;
    OP_ASSIGN_OR_RETURN(s.code, r.String("code"));
    OP_ASSIGN_OR_RETURN(s.title, r.String("title"));
    OP_ASSIGN_OR_RETURN(s.source, r.String("source"));
    OP_ASSIGN_OR_RETURN(s.price, ShopAmountOrZero(r, "price", cur));
    OP_ASSIGN_OR_RETURN(std::optional<Money> discount, AllocatedDiscount(r, cur));
    s.discount = discount.value_or(Money::Zero(cur));
    OP_ASSIGN_OR_RETURN(s.tax_lines, ReadTaxLines(r, cur));
    o.shipping_lines.push_back(std::move(s));
    return Status::Ok();
  }));

  OP_RETURN_IF_ERROR(ForEachObject(root, "discount_codes", [&](const ObjectReader& r) -> Status {
    DiscountCode d;
    OP_ASSIGN_OR_RETURN(d.code, r.String("code"));
    OP_ASSIGN_OR_RETURN(d.type, r.String("type"));
    OP_ASSIGN_OR_RETURN(d.amount, ShopAmountOrZero(r, "amount", cur));
    o.discount_codes.push_back(std::move(d));
    return Status::Ok();
  }));

  OP_ASSIGN_OR_RETURN(o.tax_lines, ReadTaxLines(root, cur));
  OP_ASSIGN_OR_RETURN(std::optional<bool> included, root.OptBool("taxes_included"));
  o.taxes_included = included.value_or(false);
  OP_RETURN_IF_ERROR(ReadTotals(root, o, o.totals));

  OP_ASSIGN_OR_RETURN(std::string financial, root.String("financial_status"));
  o.financial_status = ParseFinancialStatus(financial);
  OP_ASSIGN_OR_RETURN(o.fulfillment_status, root.String("fulfillment_status"));
  OP_RETURN_IF_ERROR(ReadPayment(root, o.payment));
  OP_RETURN_IF_ERROR(ReadClient(root, o.client));
  OP_ASSIGN_OR_RETURN(o.tags, ReadTags(root, "tags"));
  OP_ASSIGN_OR_RETURN(o.note, root.String("note"));
  OP_RETURN_IF_ERROR(ForEachObject(root, "note_attributes", [&](const ObjectReader& r) -> Status {
    OP_ASSIGN_OR_RETURN(std::string name, r.String("name"));
    OP_ASSIGN_OR_RETURN(std::string value, r.String("value"));
    o.attributes.emplace_back(std::move(name), std::move(value));
    return Status::Ok();
  }));
  OP_ASSIGN_OR_RETURN(o.source_name, root.String("source_name"));
  return o;
}

Result<Refund> NormaliseShopifyRefund(std::string_view json, std::string_view shop_domain) {
  OP_ASSIGN_OR_RETURN(simdjson::dom::object object, json_dom::ParseObject(json));
  ObjectReader root(object, "");
  Refund r;
  r.channel = "shopify";
  r.shop = std::string(shop_domain);
  OP_ASSIGN_OR_RETURN(r.channel_refund_id, root.IdText("id"));
  if (r.channel_refund_id.empty()) return UnprocessableError("missing id", "id");
  OP_ASSIGN_OR_RETURN(r.channel_order_id, root.IdText("order_id"));
  if (r.channel_order_id.empty()) return UnprocessableError("missing order_id", "order_id");
  OP_ASSIGN_OR_RETURN(std::optional<Timestamp> created, root.OptTimestamp("created_at"));
  if (!created) {
    OP_ASSIGN_OR_RETURN(created, root.OptTimestamp("processed_at"));
  }
  if (!created) return UnprocessableError("missing created_at", "created_at");
  r.created_at = *created;
  OP_ASSIGN_OR_RETURN(r.note, root.String("note"));

  OP_ASSIGN_OR_RETURN(std::optional<std::string> code, RefundCurrencyCode(root));
  if (!code)
    return UnprocessableError("refund names no currency (transactions or line subtotals)",
                              "currency");
  OP_ASSIGN_OR_RETURN(r.currency, ReadCurrency(*code, "currency"));
  const Currency cur = r.currency;

  OP_RETURN_IF_ERROR(ForEachObject(root, "refund_line_items", [&](const ObjectReader& l) -> Status {
    RefundLine line;
    OP_ASSIGN_OR_RETURN(line.channel_line_id, l.IdText("line_item_id"));
    OP_ASSIGN_OR_RETURN(line.quantity, l.RequiredInt("quantity"));
    if (line.quantity < 0)
      return UnprocessableError("quantity must not be negative", l.PathOf("quantity"));
    // The *_set strings are exact; the plain members are JSON numbers in Shopify's payloads.
    OP_ASSIGN_OR_RETURN(std::optional<Money> subtotal, SetAmount(l, "subtotal_set", cur));
    if (!subtotal) {
      OP_ASSIGN_OR_RETURN(subtotal, l.OptMoney("subtotal", cur, kForm));
    }
    line.subtotal = subtotal.value_or(Money::Zero(cur));
    OP_ASSIGN_OR_RETURN(std::optional<Money> tax, SetAmount(l, "total_tax_set", cur));
    if (!tax) {
      OP_ASSIGN_OR_RETURN(tax, l.OptMoney("total_tax", cur, kForm));
    }
    line.tax = tax.value_or(Money::Zero(cur));
    OP_ASSIGN_OR_RETURN(line.restock_type, l.String("restock_type"));
    r.lines.push_back(std::move(line));
    return Status::Ok();
  }));

  r.amount = Money::Zero(cur);
  OP_RETURN_IF_ERROR(ForEachObject(root, "transactions", [&](const ObjectReader& t) -> Status {
    OP_ASSIGN_OR_RETURN(std::string kind, t.String("kind"));
    OP_ASSIGN_OR_RETURN(std::string status, t.String("status"));
    if (kind != "refund" || status != "success") return Status::Ok();
    OP_ASSIGN_OR_RETURN(std::string tcode, t.String("currency"));
    if (!tcode.empty() && tcode != cur.code())
      return UnprocessableError("refund transactions in more than one currency",
                                t.PathOf("currency"));
    OP_ASSIGN_OR_RETURN(Money amount, RequiredShopAmount(t, "amount", cur));
    Result<Money> sum = Money::Add(r.amount, amount);
    if (!sum.ok()) return UnprocessableError("amount overflow", t.PathOf("amount"));
    r.amount = *sum;
    return Status::Ok();
  }));
  return r;
}

}  // namespace orderpilot::ingest
