#include "pipeline/validate.h"

#include <gtest/gtest.h>

namespace orderpilot::pipeline {
namespace {

Money Usd(int64_t cents) { return Money(cents, *Currency::Parse("USD")); }

// A consistent order: 2 × 10.00 + 1 × 5.00 − 3.00 discount + 4.00 shipping + 2.08 tax = 28.08.
Order GoodOrder() {
  Order o;
  o.channel = "shopify";
  o.shop = "s.myshopify.com";
  o.channel_order_id = "1001";
  o.currency = *Currency::Parse("USD");
  LineItem a;
  a.sku = "TEE-M";
  a.quantity = 2;
  a.unit_price = Usd(1000);
  a.total_discount = Usd(300);
  LineItem b;
  b.sku = "SOCKS";
  b.quantity = 1;
  b.unit_price = Usd(500);
  o.line_items = {a, b};
  o.totals = {Usd(2500), Usd(300), Usd(400), Usd(208), Usd(2808)};
  Address ship;
  ship.first_name = "Ada";
  ship.last_name = "Lovelace";
  ship.address1 = "1 Main St";
  ship.city = "Springfield";
  ship.country_code = "US";
  ship.zip = "12345";
  o.shipping_address = ship;
  return o;
}

bool HasProblem(const std::vector<ValidationProblem>& ps, const std::string& code,
                const std::string& field) {
  for (const auto& p : ps)
    if (p.code == code && p.field == field) return true;
  return false;
}

TEST(ValidateTest, ConsistentOrderHasNoProblems) {
  EXPECT_TRUE(ValidateOrder(GoodOrder()).empty());
}

TEST(ValidateTest, TotalThatDoesNotAddUpIsReported) {
  Order o = GoodOrder();
  o.totals.total = Usd(2908);
  auto ps = ValidateOrder(o);
  ASSERT_EQ(ps.size(), 1u);
  EXPECT_EQ(ps[0].code, "totals_mismatch");
  EXPECT_EQ(ps[0].field, "totals.total");
  EXPECT_NE(ps[0].message.find("29.08"), std::string::npos) << ps[0].message;
  EXPECT_NE(ps[0].message.find("28.08"), std::string::npos) << ps[0].message;
}

TEST(ValidateTest, TaxIncludedInPricesIsNotAddedAgain) {
  Order o = GoodOrder();
  o.taxes_included = true;
  o.totals.total = Usd(2600);  // 25.00 − 3.00 + 4.00; the 2.08 tax is inside the prices
  EXPECT_TRUE(ValidateOrder(o).empty());
}

TEST(ValidateTest, LineItemSumMustMatchReportedLineTotal) {
  Order o = GoodOrder();
  o.line_items[1].unit_price = Usd(600);
  EXPECT_TRUE(HasProblem(ValidateOrder(o), "totals_mismatch", "totals.line_items"));
}

TEST(ValidateTest, ZeroQuantityIsReportedWithItsField) {
  Order o = GoodOrder();
  o.line_items[1].quantity = 0;
  EXPECT_TRUE(HasProblem(ValidateOrder(o), "zero_quantity", "line_items[1].quantity"));
}

TEST(ValidateTest, MissingPostcodeForShippedGoodsIsReported) {
  Order o = GoodOrder();
  o.shipping_address->zip = "  ";
  EXPECT_TRUE(HasProblem(ValidateOrder(o), "incomplete_shipping_address", "shipping_address.zip"));
}

TEST(ValidateTest, PostcodeNotRequiredWhereCountryHasNone) {
  Order o = GoodOrder();
  o.shipping_address->country_code = "HK";
  o.shipping_address->zip = "";
  EXPECT_TRUE(ValidateOrder(o).empty());
}

TEST(ValidateTest, DigitalGoodsNeedNoShippingAddress) {
  Order o = GoodOrder();
  for (auto& li : o.line_items) li.requires_shipping = false;
  o.shipping_address.reset();
  EXPECT_TRUE(ValidateOrder(o).empty());
}

TEST(ValidateTest, PhysicalGoodsWithoutShippingAddressAreReported) {
  Order o = GoodOrder();
  o.shipping_address.reset();
  EXPECT_TRUE(HasProblem(ValidateOrder(o), "missing_shipping_address", "shipping_address"));
}

TEST(ValidateTest, OrderWithoutLinesOrIdIsReported) {
  Order o = GoodOrder();
  o.line_items.clear();
  o.channel_order_id.clear();
  o.totals = {Usd(0), Usd(0), Usd(0), Usd(0), Usd(0)};
  auto ps = ValidateOrder(o);
  EXPECT_TRUE(HasProblem(ps, "no_line_items", "line_items"));
  EXPECT_TRUE(HasProblem(ps, "missing_order_id", "channel_order_id"));
}

TEST(ValidateTest, EveryProblemIsReportedNotOnlyTheFirst) {
  Order o = GoodOrder();
  o.line_items[0].quantity = 0;
  o.shipping_address->city = "";
  o.totals.total = Usd(1);
  EXPECT_GE(ValidateOrder(o).size(), 3u);
}

TEST(ValidateTest, OverflowingAmountsAreReportedNotWrapped) {
  Order o = GoodOrder();
  o.line_items[0].quantity = INT64_MAX / 2;
  EXPECT_TRUE(HasProblem(ValidateOrder(o), "amount_overflow", "line_items"));
}

}  // namespace
}  // namespace orderpilot::pipeline
