// pipeline/validate.h — the validate step: is this order complete and self-consistent?
//
// Pure function of the canonical Order: no store, no clock. Every problem found is reported (not
// only the first), each with a stable code, the field it concerns and a sentence for a person.
#pragma once

#include <string>
#include <vector>

#include "core/order.h"

namespace orderpilot::pipeline {

struct ValidationProblem {
  std::string code;     // "totals_mismatch", "incomplete_shipping_address", "zero_quantity", …
  std::string field;    // "totals.total", "shipping_address.zip", "line_items[1].quantity"
  std::string message;  // "total is 52.00 but line items − discounts + shipping + tax = 50.00"
};

// Checks: channel order id present; currency known; at least one line item; every quantity > 0;
// prices and discounts not negative; Σ unit_price × quantity = totals.line_items;
// totals.line_items − totals.discounts + totals.shipping + (taxes_included ? 0 : totals.tax)
// = totals.total exactly; a complete shipping address (name, address1, city, country code, and a
// postcode where the country uses them) when any line requires shipping.
std::vector<ValidationProblem> ValidateOrder(const Order& order);

// True for ISO 3166 countries that have no postal codes (postcode not required).
bool CountryWithoutPostcodes(std::string_view country_code);

}  // namespace orderpilot::pipeline
