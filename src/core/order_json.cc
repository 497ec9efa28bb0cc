#include "core/order_json.h"

#include <optional>
#include <utility>
#include <vector>

#include "core/json_dom.h"
#include "core/json_writer.h"

namespace orderpilot {
namespace {

using json_dom::AsObject;
using json_dom::ForEachObject;
using json_dom::IndexPath;
using json_dom::MoneyForm;
using json_dom::ObjectReader;
using json_dom::ReadAddress;

constexpr MoneyForm kForm = MoneyForm::kStringOnly;

// ---- encoding ----

void WriteAmount(JsonWriter& w, std::string_view key, const Money& m, const Currency& c) {
  w.Key(key).String(FormatMinorUnits(m.minor_units(), c.exponent()));
}

void WriteStrings(JsonWriter& w, std::string_view key, const std::vector<std::string>& v) {
  w.Key(key).BeginArray();
  for (const std::string& s : v) w.String(s);
  w.EndArray();
}

void WriteTaxLines(JsonWriter& w, const std::vector<TaxLine>& lines, const Currency& c) {
  w.Key("tax_lines").BeginArray();
  for (const TaxLine& t : lines) {
    w.BeginObject().Field("title", t.title).Field("rate", t.rate);
    WriteAmount(w, "price", t.price, c);
    w.EndObject();
  }
  w.EndArray();
}

void WriteAddress(JsonWriter& w, std::string_view key, const std::optional<Address>& a) {
  w.Key(key);
  if (!a) {
    w.Null();
    return;
  }
  w.BeginObject()
      .Field("first_name", a->first_name)
      .Field("last_name", a->last_name)
      .Field("company", a->company)
      .Field("address1", a->address1)
      .Field("address2", a->address2)
      .Field("city", a->city)
      .Field("province", a->province)
      .Field("province_code", a->province_code)
      .Field("country", a->country)
      .Field("country_code", a->country_code)
      .Field("zip", a->zip)
      .Field("phone", a->phone)
      .EndObject();
}

// ---- decoding ----

Status QuantityError(std::string msg, std::string path) {
  return UnprocessableError(std::move(msg), std::move(path));
}

Result<std::vector<std::string>> ReadStrings(const ObjectReader& parent, std::string_view key) {
  std::vector<std::string> out;
  OP_ASSIGN_OR_RETURN(std::optional<simdjson::dom::array> arr, parent.OptArray(key));
  if (!arr) return out;
  std::string base = parent.PathOf(key);
  size_t i = 0;
  for (simdjson::dom::element e : *arr) {
    std::string_view s;
    if (e.get(s) != simdjson::SUCCESS) return json_dom::TypeError("a string", IndexPath(base, i));
    out.emplace_back(s);
    ++i;
  }
  return out;
}

Result<Money> MoneyOrZero(const ObjectReader& r, std::string_view key, Currency c) {
  OP_ASSIGN_OR_RETURN(std::optional<Money> m, r.OptMoney(key, c, kForm));
  return m ? *m : Money::Zero(c);
}

Result<std::vector<TaxLine>> ReadTaxLines(const ObjectReader& parent, Currency c) {
  std::vector<TaxLine> out;
  OP_RETURN_IF_ERROR(ForEachObject(parent, "tax_lines", [&](const ObjectReader& t) -> Status {
    TaxLine line;
    OP_ASSIGN_OR_RETURN(line.title, t.String("title"));
    OP_ASSIGN_OR_RETURN(std::optional<double> rate, t.OptNumber("rate"));
    line.rate = rate.value_or(0);
    OP_ASSIGN_OR_RETURN(line.price, MoneyOrZero(t, "price", c));
    out.push_back(std::move(line));
    return Status::Ok();
  }));
  return out;
}

Status ReadCustomer(const ObjectReader& root, Customer& c) {
  OP_ASSIGN_OR_RETURN(std::optional<ObjectReader> r, root.OptObject("customer"));
  if (!r) return Status::Ok();
  OP_ASSIGN_OR_RETURN(c.channel_customer_id, r->IdText("id"));
  OP_ASSIGN_OR_RETURN(c.email, r->String("email"));
  OP_ASSIGN_OR_RETURN(c.phone, r->String("phone"));
  OP_ASSIGN_OR_RETURN(c.first_name, r->String("first_name"));
  OP_ASSIGN_OR_RETURN(c.last_name, r->String("last_name"));
  OP_ASSIGN_OR_RETURN(c.tags, ReadStrings(*r, "tags"));
  OP_ASSIGN_OR_RETURN(c.created_at, r->OptTimestamp("created_at"));
  OP_ASSIGN_OR_RETURN(std::optional<int64_t> count, r->OptInt("orders_count"));
  c.orders_count = count.value_or(0);
  OP_ASSIGN_OR_RETURN(std::optional<bool> marketing, r->OptBool("accepts_marketing"));
  c.accepts_marketing = marketing.value_or(false);
  return Status::Ok();
}

Status ReadLineItems(const ObjectReader& root, Currency cur, const OrderDecodeOptions& options,
                     std::vector<LineItem>& out) {
  OP_ASSIGN_OR_RETURN(std::optional<simdjson::dom::array> arr, root.OptArray("line_items"));
  if (!arr) return UnprocessableError("missing line_items", "line_items");
  if (arr->size() == 0)
    return UnprocessableError("an order needs at least one line item", "line_items");
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
      return QuantityError("quantity must not be negative", r.PathOf("quantity"));
    if (li.quantity == 0 && !options.allow_zero_quantity)
      return QuantityError("quantity must be at least 1", r.PathOf("quantity"));
    OP_ASSIGN_OR_RETURN(li.unit_price, r.RequiredMoney("unit_price", cur, kForm));
    OP_ASSIGN_OR_RETURN(li.total_discount, MoneyOrZero(r, "total_discount", cur));
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

Status ReadTotals(const ObjectReader& root, const Order& o, OrderTotals& t) {
  OP_ASSIGN_OR_RETURN(std::optional<ObjectReader> r, root.OptObject("totals"));
  std::optional<Money> parts[5];
  if (r) {
    static constexpr std::string_view kKeys[] = {"line_items", "discounts", "shipping", "tax",
                                                 "total"};
    for (int i = 0; i < 5; ++i) {
      OP_ASSIGN_OR_RETURN(parts[i], r->OptMoney(kKeys[i], o.currency, kForm));
    }
  }
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

Status AddTo(int64_t& sum, int64_t v) {
  if (__builtin_add_overflow(sum, v, &sum)) return UnprocessableError("amount overflow", "totals");
  return Status::Ok();
}

}  // namespace

std::string EncodeOrder(const Order& o) {
  const Currency& c = o.currency;
  JsonWriter w;
  w.BeginObject()
      .Field("channel", o.channel)
      .Field("shop", o.shop)
      .Field("channel_order_id", o.channel_order_id)
      .Field("number", o.number)
      .Field("currency", c.code())
      .Field("created_at", FormatTimestamp(o.created_at));
  WriteOptionalTime(w, "cancelled_at", o.cancelled_at);
  w.Field("cancel_reason", o.cancel_reason).Field("email", o.email).Field("phone", o.phone);

  const Customer& cu = o.customer;
  w.Key("customer")
      .BeginObject()
      .Field("id", cu.channel_customer_id)
      .Field("email", cu.email)
      .Field("phone", cu.phone)
      .Field("first_name", cu.first_name)
      .Field("last_name", cu.last_name);
  WriteStrings(w, "tags", cu.tags);
  WriteOptionalTime(w, "created_at", cu.created_at);
  w.Field("orders_count", cu.orders_count)
      .Field("accepts_marketing", cu.accepts_marketing)
      .EndObject();

  WriteAddress(w, "billing_address", o.billing_address);
  WriteAddress(w, "shipping_address", o.shipping_address);

  w.Key("line_items").BeginArray();
  for (const LineItem& li : o.line_items) {
    w.BeginObject()
        .Field("id", li.channel_line_id)
        .Field("sku", li.sku)
        .Field("variant_id", li.variant_id)
        .Field("product_id", li.product_id)
        .Field("title", li.title)
        .Field("variant_title", li.variant_title)
        .Field("vendor", li.vendor)
        .Field("quantity", li.quantity);
    WriteAmount(w, "unit_price", li.unit_price, c);
    WriteAmount(w, "total_discount", li.total_discount, c);
    WriteTaxLines(w, li.tax_lines, c);
    w.Field("grams", li.grams)
        .Field("requires_shipping", li.requires_shipping)
        .Field("taxable", li.taxable)
        .Field("gift_card", li.gift_card)
        .EndObject();
  }
  w.EndArray();

  w.Key("shipping_lines").BeginArray();
  for (const ShippingLine& s : o.shipping_lines) {
    w.BeginObject().Field("code", s.code).Field("title", s.title).Field("source", s.source);
    WriteAmount(w, "price", s.price, c);
    WriteAmount(w, "discount", s.discount, c);
    WriteTaxLines(w, s.tax_lines, c);
    w.EndObject();
  }
  w.EndArray();

  w.Key("discount_codes").BeginArray();
  for (const DiscountCode& d : o.discount_codes) {
    w.BeginObject().Field("code", d.code).Field("type", d.type);
    WriteAmount(w, "amount", d.amount, c);
    w.EndObject();
  }
  w.EndArray();

  WriteTaxLines(w, o.tax_lines, c);
  w.Field("taxes_included", o.taxes_included);

  w.Key("totals").BeginObject();
  WriteAmount(w, "line_items", o.totals.line_items, c);
  WriteAmount(w, "discounts", o.totals.discounts, c);
  WriteAmount(w, "shipping", o.totals.shipping, c);
  WriteAmount(w, "tax", o.totals.tax, c);
  WriteAmount(w, "total", o.totals.total, c);
  w.EndObject();

  w.Field("financial_status", FinancialStatusName(o.financial_status))
      .Field("fulfillment_status", o.fulfillment_status);

  const PaymentFacts& p = o.payment;
  w.Key("payment")
      .BeginObject()
      .Field("gateway", p.gateway)
      .Field("avs_result_code", p.avs_result_code)
      .Field("cvv_result_code", p.cvv_result_code)
      .Field("card_bin", p.card_bin)
      .Field("card_last4", p.card_last4)
      .Field("card_company", p.card_company)
      .Field("failed_attempts", p.failed_attempts)
      .EndObject();

  w.Key("client")
      .BeginObject()
      .Field("browser_ip", o.client.browser_ip)
      .Field("user_agent", o.client.user_agent)
      .Field("accept_language", o.client.accept_language)
      .Field("session_hash", o.client.session_hash)
      .EndObject();

  WriteStrings(w, "tags", o.tags);
  w.Field("note", o.note);
  w.Key("attributes").BeginArray();
  for (const auto& [name, value] : o.attributes)
    w.BeginObject().Field("name", name).Field("value", value).EndObject();
  w.EndArray();
  w.Field("source_name", o.source_name);
  if (!o.card_data_removed.empty()) WriteStrings(w, "card_data_removed", o.card_data_removed);
  w.EndObject();
  return w.Take();
}

std::string EncodeRefund(const Refund& r) {
  const Currency& c = r.currency;
  JsonWriter w;
  w.BeginObject()
      .Field("channel", r.channel)
      .Field("shop", r.shop)
      .Field("channel_refund_id", r.channel_refund_id)
      .Field("channel_order_id", r.channel_order_id)
      .Field("created_at", FormatTimestamp(r.created_at))
      .Field("note", r.note)
      .Field("currency", c.code());
  w.Key("lines").BeginArray();
  for (const RefundLine& l : r.lines) {
    w.BeginObject().Field("line_item_id", l.channel_line_id).Field("quantity", l.quantity);
    WriteAmount(w, "subtotal", l.subtotal, c);
    WriteAmount(w, "tax", l.tax, c);
    w.Field("restock_type", l.restock_type).EndObject();
  }
  w.EndArray();
  WriteAmount(w, "amount", r.amount, c);
  w.EndObject();
  return w.Take();
}

Result<OrderTotals> ComputeTotals(const Order& o) {
  const Currency& c = o.currency;
  int64_t lines = 0, discounts = 0, shipping = 0, tax = 0, item_tax = 0;
  for (const LineItem& li : o.line_items) {
    int64_t line;
    if (__builtin_mul_overflow(li.unit_price.minor_units(), li.quantity, &line))
      return UnprocessableError("amount overflow", "totals");
    OP_RETURN_IF_ERROR(AddTo(lines, line));
    OP_RETURN_IF_ERROR(AddTo(discounts, li.total_discount.minor_units()));
    for (const TaxLine& t : li.tax_lines)
      OP_RETURN_IF_ERROR(AddTo(item_tax, t.price.minor_units()));
  }
  for (const ShippingLine& s : o.shipping_lines) {
    OP_RETURN_IF_ERROR(AddTo(shipping, s.price.minor_units()));
    OP_RETURN_IF_ERROR(AddTo(discounts, s.discount.minor_units()));
    for (const TaxLine& t : s.tax_lines) OP_RETURN_IF_ERROR(AddTo(item_tax, t.price.minor_units()));
  }
  for (const TaxLine& t : o.tax_lines) OP_RETURN_IF_ERROR(AddTo(tax, t.price.minor_units()));
  if (o.tax_lines.empty()) tax = item_tax;
  int64_t total = lines;
  if (__builtin_sub_overflow(total, discounts, &total))
    return UnprocessableError("amount overflow", "totals");
  OP_RETURN_IF_ERROR(AddTo(total, shipping));
  if (!o.taxes_included) OP_RETURN_IF_ERROR(AddTo(total, tax));
  return OrderTotals{Money(lines, c), Money(discounts, c), Money(shipping, c), Money(tax, c),
                     Money(total, c)};
}

Result<Order> DecodeOrder(std::string_view json, const OrderDecodeOptions& options) {
  OP_ASSIGN_OR_RETURN(simdjson::dom::object object, json_dom::ParseObject(json));
  ObjectReader root(object, "");
  Order o;

  OP_ASSIGN_OR_RETURN(std::string_view code, root.RequiredString("currency"));
  Result<Currency> currency = Currency::Parse(code);
  if (!currency.ok()) return UnprocessableError(currency.status().message(), "currency");
  o.currency = *currency;
  const Currency cur = o.currency;

  OP_ASSIGN_OR_RETURN(o.channel, root.String("channel"));
  OP_ASSIGN_OR_RETURN(o.shop, root.String("shop"));
  OP_ASSIGN_OR_RETURN(o.channel_order_id, root.IdText("channel_order_id"));
  OP_ASSIGN_OR_RETURN(o.number, root.String("number"));
  OP_ASSIGN_OR_RETURN(std::optional<Timestamp> created, root.OptTimestamp("created_at"));
  o.created_at = created.value_or(Timestamp{});
  OP_ASSIGN_OR_RETURN(o.cancelled_at, root.OptTimestamp("cancelled_at"));
  OP_ASSIGN_OR_RETURN(o.cancel_reason, root.String("cancel_reason"));
  OP_ASSIGN_OR_RETURN(o.email, root.String("email"));
  OP_ASSIGN_OR_RETURN(o.phone, root.String("phone"));
  OP_RETURN_IF_ERROR(ReadCustomer(root, o.customer));
  OP_ASSIGN_OR_RETURN(o.billing_address, ReadAddress(root, "billing_address"));
  OP_ASSIGN_OR_RETURN(o.shipping_address, ReadAddress(root, "shipping_address"));
  OP_RETURN_IF_ERROR(ReadLineItems(root, cur, options, o.line_items));

  OP_RETURN_IF_ERROR(ForEachObject(root, "shipping_lines", [&](const ObjectReader& r) -> Status {
    ShippingLine s;
    OP_ASSIGN_OR_RETURN(s.code, r.String("code"));
    OP_ASSIGN_OR_RETURN(s.title, r.String("title"));
    OP_ASSIGN_OR_RETURN(s.source, r.String("source"));
    OP_ASSIGN_OR_RETURN(s.price, MoneyOrZero(r, "price", cur));
    OP_ASSIGN_OR_RETURN(s.discount, MoneyOrZero(r, "discount", cur));
    OP_ASSIGN_OR_RETURN(s.tax_lines, ReadTaxLines(r, cur));
    o.shipping_lines.push_back(std::move(s));
    return Status::Ok();
  }));

  OP_RETURN_IF_ERROR(ForEachObject(root, "discount_codes", [&](const ObjectReader& r) -> Status {
    DiscountCode d;
    OP_ASSIGN_OR_RETURN(d.code, r.String("code"));
    OP_ASSIGN_OR_RETURN(d.type, r.String("type"));
    OP_ASSIGN_OR_RETURN(d.amount, MoneyOrZero(r, "amount", cur));
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

  OP_ASSIGN_OR_RETURN(std::optional<ObjectReader> payment, root.OptObject("payment"));
  if (payment) {
    PaymentFacts& p = o.payment;
    OP_ASSIGN_OR_RETURN(p.gateway, payment->String("gateway"));
    OP_ASSIGN_OR_RETURN(p.avs_result_code, payment->String("avs_result_code"));
    OP_ASSIGN_OR_RETURN(p.cvv_result_code, payment->String("cvv_result_code"));
    OP_ASSIGN_OR_RETURN(p.card_bin, payment->String("card_bin"));
    OP_ASSIGN_OR_RETURN(p.card_last4, payment->String("card_last4"));
    OP_ASSIGN_OR_RETURN(p.card_company, payment->String("card_company"));
    OP_ASSIGN_OR_RETURN(std::optional<int64_t> failed, payment->OptInt("failed_attempts"));
    if (failed && (*failed < 0 || *failed > 1000000))
      return UnprocessableError("failed_attempts out of range", payment->PathOf("failed_attempts"));
    p.failed_attempts = static_cast<int>(failed.value_or(0));
  }

  OP_ASSIGN_OR_RETURN(std::optional<ObjectReader> client, root.OptObject("client"));
  if (client) {
    OP_ASSIGN_OR_RETURN(o.client.browser_ip, client->String("browser_ip"));
    OP_ASSIGN_OR_RETURN(o.client.user_agent, client->String("user_agent"));
    OP_ASSIGN_OR_RETURN(o.client.accept_language, client->String("accept_language"));
    OP_ASSIGN_OR_RETURN(o.client.session_hash, client->String("session_hash"));
  }

  OP_ASSIGN_OR_RETURN(o.tags, ReadStrings(root, "tags"));
  OP_ASSIGN_OR_RETURN(o.note, root.String("note"));
  OP_RETURN_IF_ERROR(ForEachObject(root, "attributes", [&](const ObjectReader& r) -> Status {
    OP_ASSIGN_OR_RETURN(std::string name, r.String("name"));
    OP_ASSIGN_OR_RETURN(std::string value, r.String("value"));
    o.attributes.emplace_back(std::move(name), std::move(value));
    return Status::Ok();
  }));
  OP_ASSIGN_OR_RETURN(o.source_name, root.String("source_name"));
  OP_ASSIGN_OR_RETURN(o.card_data_removed, ReadStrings(root, "card_data_removed"));
  return o;
}

Result<Refund> DecodeRefund(std::string_view json) {
  OP_ASSIGN_OR_RETURN(simdjson::dom::object object, json_dom::ParseObject(json));
  ObjectReader root(object, "");
  Refund r;
  OP_ASSIGN_OR_RETURN(std::string_view code, root.RequiredString("currency"));
  Result<Currency> currency = Currency::Parse(code);
  if (!currency.ok()) return UnprocessableError(currency.status().message(), "currency");
  r.currency = *currency;
  const Currency cur = r.currency;
  OP_ASSIGN_OR_RETURN(r.channel, root.String("channel"));
  OP_ASSIGN_OR_RETURN(r.shop, root.String("shop"));
  OP_ASSIGN_OR_RETURN(r.channel_refund_id, root.IdText("channel_refund_id"));
  OP_ASSIGN_OR_RETURN(r.channel_order_id, root.IdText("channel_order_id"));
  OP_ASSIGN_OR_RETURN(std::optional<Timestamp> created, root.OptTimestamp("created_at"));
  r.created_at = created.value_or(Timestamp{});
  OP_ASSIGN_OR_RETURN(r.note, root.String("note"));
  OP_RETURN_IF_ERROR(ForEachObject(root, "lines", [&](const ObjectReader& l) -> Status {
    RefundLine line;
    OP_ASSIGN_OR_RETURN(line.channel_line_id, l.IdText("line_item_id"));
    OP_ASSIGN_OR_RETURN(line.quantity, l.RequiredInt("quantity"));
    if (line.quantity < 0)
      return QuantityError("quantity must not be negative", l.PathOf("quantity"));
    OP_ASSIGN_OR_RETURN(line.subtotal, MoneyOrZero(l, "subtotal", cur));
    OP_ASSIGN_OR_RETURN(line.tax, MoneyOrZero(l, "tax", cur));
    OP_ASSIGN_OR_RETURN(line.restock_type, l.String("restock_type"));
    r.lines.push_back(std::move(line));
    return Status::Ok();
  }));
  OP_ASSIGN_OR_RETURN(r.amount, MoneyOrZero(root, "amount", cur));
  return r;
}

}  // namespace orderpilot
