#include "pipeline/validate.h"

#include <string_view>

namespace orderpilot::pipeline {
namespace {

void Add(std::vector<ValidationProblem>& out, std::string code, std::string field,
         std::string message) {
  out.push_back({std::move(code), std::move(field), std::move(message)});
}

std::string Amount(int64_t minor, const Currency& c) {
  return FormatMinorUnits(minor, c.exponent());
}

void CheckAddress(const Order& o, std::vector<ValidationProblem>& out) {
  if (!o.shipping_address) {
    Add(out, "missing_shipping_address", "shipping_address",
        "items that require shipping but no shipping address");
    return;
  }
  const Address& a = *o.shipping_address;
  auto missing = [&](std::string_view value, const char* field, const char* what) {
    if (value.find_first_not_of(" \t") == std::string_view::npos)
      Add(out, "incomplete_shipping_address", std::string("shipping_address.") + field,
          std::string("shipping address has no ") + what);
  };
  if (a.first_name.empty() && a.last_name.empty() && a.company.empty())
    Add(out, "incomplete_shipping_address", "shipping_address.last_name",
        "shipping address has no recipient name");
  missing(a.address1, "address1", "street address");
  missing(a.city, "city", "city");
  missing(a.country_code, "country_code", "country");
  if (!CountryWithoutPostcodes(a.country_code)) missing(a.zip, "zip", "postcode");
}

}  // namespace

bool CountryWithoutPostcodes(std::string_view cc) {
  // Countries where addresses carry no postcode (Universal Postal Union list, abridged to the
  // ones that ship e-commerce orders most often).
  static constexpr std::string_view kNone[] = {"AE", "AG", "AO", "AW", "BS", "BZ", "BO", "CW", "FJ",
                                               "GD", "GH", "HK", "JM", "KI", "KN", "LC", "MO", "QA",
                                               "SR", "SY", "TT", "TV", "UG", "VU", "YE", "ZW"};
  for (std::string_view c : kNone)
    if (c == cc) return true;
  return false;
}

std::vector<ValidationProblem> ValidateOrder(const Order& o) {
  std::vector<ValidationProblem> out;
  if (o.channel_order_id.empty())
    Add(out, "missing_order_id", "channel_order_id", "order has no channel order id");
  if (!o.currency.valid()) {
    Add(out, "unknown_currency", "currency", "order has no known currency");
    return out;  // amounts cannot be checked without one
  }
  if (o.line_items.empty()) Add(out, "no_line_items", "line_items", "order has no line items");

  const Currency& c = o.currency;
  int64_t lines_sum = 0;
  bool overflow = false;
  for (size_t i = 0; i < o.line_items.size(); ++i) {
    const LineItem& li = o.line_items[i];
    std::string at = "line_items[" + std::to_string(i) + "]";
    if (li.quantity <= 0)
      Add(out, "zero_quantity", at + ".quantity",
          "line '" + (li.sku.empty() ? li.title : li.sku) + "' has quantity " +
              std::to_string(li.quantity));
    if (li.unit_price.minor_units() < 0)
      Add(out, "negative_price", at + ".unit_price", "line has a negative price");
    if (li.total_discount.minor_units() < 0)
      Add(out, "negative_discount", at + ".total_discount", "line has a negative discount");
    int64_t line_total;
    if (__builtin_mul_overflow(li.unit_price.minor_units(), li.quantity, &line_total) ||
        __builtin_add_overflow(lines_sum, line_total, &lines_sum))
      overflow = true;
  }
  if (overflow) {
    Add(out, "amount_overflow", "line_items", "line item amounts overflow");
    return out;
  }

  const OrderTotals& t = o.totals;
  if (lines_sum != t.line_items.minor_units())
    Add(out, "totals_mismatch", "totals.line_items",
        "line items add up to " + Amount(lines_sum, c) + " but the order says " +
            Amount(t.line_items.minor_units(), c));
  int64_t expected = t.line_items.minor_units() - t.discounts.minor_units() +
                     t.shipping.minor_units() + (o.taxes_included ? 0 : t.tax.minor_units());
  if (expected != t.total.minor_units())
    Add(out, "totals_mismatch", "totals.total",
        "total is " + Amount(t.total.minor_units(), c) + " but line items − discounts + shipping" +
            (o.taxes_included ? "" : " + tax") + " = " + Amount(expected, c));
  if (t.total.minor_units() < 0) Add(out, "negative_total", "totals.total", "total is negative");

  if (o.RequiresShipping()) CheckAddress(o, out);
  return out;
}

}  // namespace orderpilot::pipeline
