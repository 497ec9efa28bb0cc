#include "rules/order_env.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace orderpilot::rules {
namespace {

using ::testing::HasSubstr;

Money Usd(std::string_view amount) {
  return Money::Parse(amount, Currency::Parse("USD").value()).value();
}

// A physical order shipped to the US: two lines (12 socks and 1 jacket), a VIP customer.
Order ShippedOrder() {
  Order o;
  o.channel = "shopify";
  o.shop = "demo-shop.myshopify.com";
  o.number = "#1001";
  o.currency = Currency::Parse("USD").value();
  o.created_at = ParseTimestamp("2024-03-01T12:00:00Z").value();
  o.customer.email = "ada@example.com";
  o.customer.tags = {"newsletter", "VIP"};
  o.customer.orders_count = 4;
  Address a;
  a.city = "Reno";
  a.province_code = "NV";
  a.country_code = "US";
  o.shipping_address = a;
  LineItem socks;
  socks.sku = "NW-SOCK-MRN-3P-M";
  socks.quantity = 12;
  socks.unit_price = Usd("24.00");
  LineItem jacket;
  jacket.sku = "NW-JKT-CHORE-M";
  jacket.quantity = 1;
  jacket.unit_price = Usd("168.00");
  o.line_items = {socks, jacket};
  o.discount_codes.push_back(DiscountCode{"SPRING15", "percentage", Usd("68.40")});
  o.totals.line_items = Usd("456.00");
  o.totals.discounts = Usd("68.40");
  o.totals.total = Usd("387.60");
  o.financial_status = FinancialStatus::kPaid;
  o.attributes = {{"gift_message", "Happy birthday"}, {"delivery_window", "morning"}};
  o.tags = {"returning-customer"};
  return o;
}

// A digital gift card: nothing to ship, no shipping address.
Order DigitalOrder() {
  Order o;
  o.currency = Currency::Parse("USD").value();
  LineItem gift;
  gift.sku = "NW-GC-DIGITAL";
  gift.quantity = 1;
  gift.unit_price = Usd("50.00");
  gift.requires_shipping = false;
  gift.gift_card = true;
  o.line_items = {gift};
  o.totals.total = Usd("50.00");
  return o;
}

// What a condition evaluated to.
struct Outcome {
  bool compiled = false;
  bool is_bool = false;
  bool value = false;
  std::string error;  // compile issues or the runtime error
};

class OrderEnvTest : public ::testing::Test {
 protected:
  Outcome Eval(std::string_view condition, const Order& order) {
    Outcome out;
    expr::CompileOptions options;
    options.expect = env_.env().types().Basic(expr::TypeKind::kBool);
    expr::CompileResult c = expr::Compile(condition, env_.env(), options);
    if (!c.issues.empty()) {
      out.error = c.issues[0].message;
      return out;
    }
    out.compiled = true;
    ctx_.Reset();
    expr::Activation act(env_.env());
    env_.Bind(order, facts_, act, ctx_);
    expr::Value v = c.program->Evaluate(act, ctx_);
    if (v.is_error()) {
      out.error = std::string(v.error_message());
    } else if (v.kind() == expr::Kind::kBool) {
      out.is_bool = true;
      out.value = v.bool_value();
    }
    return out;
  }
  // REQUIRES the condition to compile and evaluate to a bool.
  bool True(std::string_view condition, const Order& order) {
    Outcome o = Eval(condition, order);
    EXPECT_TRUE(o.is_bool) << condition << ": " << o.error;
    return o.is_bool && o.value;
  }
  bool True(std::string_view condition) { return True(condition, order_); }

  OrderEnv env_;
  expr::EvalContext ctx_;
  OrderFacts facts_{.id = 42,
                    .state = "accepted",
                    .trigger = "order.accepted",
                    .actor = "pipeline",
                    .now = ParseTimestamp("2024-03-01T12:30:00Z").value()};
  Order order_ = ShippedOrder();
};

TEST_F(OrderEnvTest, OrderTotalComparesWithMoney) {
  EXPECT_TRUE(True(R"(order.total > money("300.00", order.currency))"));
  EXPECT_FALSE(True(R"(order.total > money("500.00", order.currency))"));
  EXPECT_TRUE(True(R"(order.total == money("387.60", "USD"))"));
  EXPECT_TRUE(True(R"(order.subtotal - order.discounts == order.total)"));
}

TEST_F(OrderEnvTest, MoneyOfAnotherCurrencyIsAnError) {
  Outcome o = Eval(R"(order.total > money("300.00", "EUR"))", order_);
  EXPECT_TRUE(o.compiled);
  EXPECT_FALSE(o.is_bool);
  EXPECT_THAT(o.error, HasSubstr("currenc"));
}

TEST_F(OrderEnvTest, CustomerTagsExists) {
  EXPECT_TRUE(True(R"(customer.tags.exists(t, t == "VIP"))"));
  EXPECT_FALSE(True(R"(customer.tags.exists(t, t == "wholesale"))"));
  EXPECT_TRUE(True(R"("VIP" in order.customer.tags)"));
}

TEST_F(OrderEnvTest, LineItemsExistsByQuantity) {
  EXPECT_TRUE(True("order.line_items.exists(l, l.quantity > 10)"));
  EXPECT_FALSE(True("order.line_items.all(l, l.quantity > 10)"));
  EXPECT_TRUE(True(R"(order.line_items.exists(l, l.sku.startsWith("NW-JKT") && )"
                   R"(l.price == money("168.00", "USD")))"));
}

TEST_F(OrderEnvTest, ShippingCountryInList) {
  EXPECT_TRUE(True(R"(order.shipping_address.country_code in ["US", "CA"])"));
  EXPECT_FALSE(True(R"(order.shipping_address.country_code in ["GB", "FR"])"));
}

TEST_F(OrderEnvTest, HasShippingAddressIsFalseForDigitalOrder) {
  Order digital = DigitalOrder();
  EXPECT_FALSE(True("has(order.shipping_address)", digital));
  EXPECT_FALSE(True("order.requires_shipping", digital));
  EXPECT_TRUE(True("has(order.shipping_address)"));
  EXPECT_TRUE(True("order.requires_shipping"));
}

TEST_F(OrderEnvTest, ReadingAnAbsentShippingAddressIsAnError) {
  Outcome o = Eval(R"(order.shipping_address.country_code == "US")", DigitalOrder());
  EXPECT_TRUE(o.compiled);
  EXPECT_FALSE(o.is_bool);
  EXPECT_THAT(o.error, HasSubstr("no shipping address"));
}

TEST_F(OrderEnvTest, GuardedAbsentShippingAddressIsFalse) {
  EXPECT_FALSE(True(R"(has(order.shipping_address) && order.shipping_address.country_code == "US")",
                    DigitalOrder()));
}

TEST_F(OrderEnvTest, AttributesMapLookup) {
  EXPECT_TRUE(True(R"(order.attributes["gift_message"] == "Happy birthday")"));
  EXPECT_TRUE(True(R"("delivery_window" in order.attributes)"));
  EXPECT_FALSE(True(R"("po_number" in order.attributes)"));
  EXPECT_TRUE(True("size(order.attributes) == 2"));
}

TEST_F(OrderEnvTest, MissingAttributeIsAnError) {
  Outcome o = Eval(R"(order.attributes["po_number"] == "1")", order_);
  EXPECT_TRUE(o.compiled);
  EXPECT_FALSE(o.is_bool);
  EXPECT_NE(o.error, "");
}

TEST_F(OrderEnvTest, ItemCountSumsQuantities) {
  EXPECT_TRUE(True("order.item_count == 13"));
  EXPECT_TRUE(True("size(order.line_items) == 2"));
}

TEST_F(OrderEnvTest, EventTypeIsTheTrigger) {
  EXPECT_TRUE(True(R"(event.type == "order.accepted")"));
  EXPECT_TRUE(True(R"(event.actor == "pipeline")"));
}

TEST_F(OrderEnvTest, NowIsTheFactsTime) {
  EXPECT_TRUE(True(R"(now == timestamp("2024-03-01T12:30:00Z"))"));
  EXPECT_TRUE(True(R"(now - order.created_at == duration("1800s"))"));
}

TEST_F(OrderEnvTest, IdAndStateComeFromTheFacts) {
  EXPECT_TRUE(True(R"(order.id == 42 && order.state == "accepted")"));
}

TEST_F(OrderEnvTest, OrderScalarFields) {
  EXPECT_TRUE(True(R"(order.channel == "shopify" && order.number == "#1001")"));
  EXPECT_TRUE(True(R"(order.currency == "USD" && order.financial_status == "paid")"));
  EXPECT_TRUE(True(R"("returning-customer" in order.tags)"));
}

TEST_F(OrderEnvTest, DiscountCodesAreReadable) {
  EXPECT_TRUE(True(R"(order.discount_codes.exists(d, d.code == "SPRING15"))"));
}

TEST_F(OrderEnvTest, CustomerFields) {
  EXPECT_TRUE(True(R"(customer.orders_count >= 3 && customer.email.endsWith("@example.com"))"));
  EXPECT_FALSE(True("has(customer.created_at)"));
}

TEST_F(OrderEnvTest, RiskAndTicketAreEmptyUntilBound) {
  EXPECT_TRUE(True("size(risk) == 0 && size(ticket) == 0"));
}

TEST_F(OrderEnvTest, UnknownFieldIsACompileError) {
  Outcome o = Eval("order.totl > money('1.00', 'USD')", order_);
  EXPECT_FALSE(o.compiled);
  EXPECT_THAT(o.error, HasSubstr("undefined field 'totl'"));
}

TEST_F(OrderEnvTest, OrderObjectTypeNamesItsFields) {
  const expr::ObjectType& t = OrderObjectType();
  EXPECT_EQ(t.name, "orderpilot.Order");
  EXPECT_NE(t.FindField("total"), nullptr);
  EXPECT_NE(t.FindField("shipping_address"), nullptr);
  EXPECT_EQ(t.FindField("totl"), nullptr);
}

// docs/rules.md documents every field of every object type, each in its type's section.
TEST_F(OrderEnvTest, DocsListEveryField) {
  std::ifstream in(std::string(OP_TEST_DATA_DIR) + "/../../docs/rules.md");
  ASSERT_TRUE(in) << "docs/rules.md not found";
  std::stringstream text;
  text << in.rdbuf();
  const std::string docs = text.str();
  for (const expr::ObjectType* type : env_.object_types()) {
    size_t section = docs.find("#### `" + std::string(type->name) + "`");
    ASSERT_NE(section, std::string::npos) << "no section for " << type->name;
    size_t end = docs.find("\n#", section + 1);
    std::string_view body = std::string_view(docs).substr(section, end - section);
    for (const expr::FieldDescriptor& f : type->fields) {
      EXPECT_NE(body.find("| `" + std::string(f.name) + "` |"), std::string_view::npos)
          << type->name << "." << f.name << " is not documented in docs/rules.md";
    }
  }
}

}  // namespace
}  // namespace orderpilot::rules
