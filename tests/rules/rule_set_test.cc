#include "rules/rule_set.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace orderpilot::rules {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::StartsWith;

class RuleSetTest : public ::testing::Test {
 protected:
  Result<std::shared_ptr<const RuleSet>> Parse(std::string_view yaml) {
    return ParseRuleSet(yaml, "shop.yaml", env_);
  }

  // The error message of a set that must be refused.
  std::string ErrorOf(std::string_view yaml) {
    auto set = Parse(yaml);
    EXPECT_FALSE(set.ok()) << "accepted:\n" << yaml;
    if (set.ok()) return "";
    EXPECT_EQ(set.status().code(), StatusCode::kInvalidArgument);
    return set.status().message();
  }

  // Writes `text` to a fresh file in the test's temporary directory.
  std::string WriteFile(const std::string& name, std::string_view text) {
    std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) /
                                ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::create_directories(dir);
    std::string path = (dir / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  OrderEnv env_;
};

TEST_F(RuleSetTest, ParsesNameTriggerConditionDescriptionAndPlace) {
  auto set = Parse(R"(# demo
- name: vip-expedite
  description: VIPs with big orders ship express
  on: order.accepted
  when: 'customer.tags.exists(t, t == "VIP") && order.total > money("500.00", order.currency)'
  do:
    - add_tag: priority
)");
  ASSERT_TRUE(set.ok()) << set.status().message();
  ASSERT_EQ((*set)->rules().size(), 1u);
  const Rule& r = (*set)->rules()[0];
  EXPECT_EQ(r.name, "vip-expedite");
  EXPECT_EQ(r.trigger, "order.accepted");
  EXPECT_EQ(
      r.condition,
      R"(customer.tags.exists(t, t == "VIP") && order.total > money("500.00", order.currency))");
  ASSERT_NE(r.program, nullptr);
  EXPECT_EQ(r.description, "VIPs with big orders ship express");
  EXPECT_EQ(r.file, "shop.yaml");
  EXPECT_EQ(r.line, 2);
  EXPECT_THAT((*set)->files(), ElementsAre("shop.yaml"));
}

TEST_F(RuleSetTest, ParsesEveryActionKind) {
  auto set = Parse(R"(
- name: everything
  on: order.accepted
  do:
    - add_tag: priority
    - remove_tag: needs-review
    - set_priority: urgent
    - set_shipping_speed: overnight
    - set_note: "Gift wrap, no invoice"
    - hold: large quantity
    - release_hold: checked by ops
    - cancel: fraud confirmed
    - route_to: reno-warehouse
    - choose_service: ups-ground
    - notify: {template: vip-thanks, to: customer}
    - call_webhook:
        url: https://hooks.example.com/orders
        template: cancelled
)");
  ASSERT_TRUE(set.ok()) << set.status().message();
  const std::vector<Action>& a = (*set)->rules()[0].actions;
  ASSERT_EQ(a.size(), 12u);
  std::vector<std::pair<ActionKind, std::string>> got;
  for (const Action& action : a) got.emplace_back(action.kind, action.value);
  EXPECT_THAT(got, ElementsAre(Pair(ActionKind::kAddTag, "priority"),
                               Pair(ActionKind::kRemoveTag, "needs-review"),
                               Pair(ActionKind::kSetPriority, "urgent"),
                               Pair(ActionKind::kSetShippingSpeed, "overnight"),
                               Pair(ActionKind::kSetNote, "Gift wrap, no invoice"),
                               Pair(ActionKind::kHold, "large quantity"),
                               Pair(ActionKind::kReleaseHold, "checked by ops"),
                               Pair(ActionKind::kCancel, "fraud confirmed"),
                               Pair(ActionKind::kRouteTo, "reno-warehouse"),
                               Pair(ActionKind::kChooseService, "ups-ground"),
                               Pair(ActionKind::kNotify, "vip-thanks"),
                               Pair(ActionKind::kCallWebhook, "https://hooks.example.com/orders")));
  EXPECT_THAT(a[10].args, ElementsAre(Pair("to", "customer")));
  EXPECT_THAT(a[11].args, ElementsAre(Pair("template", "cancelled")));
}

TEST_F(RuleSetTest, ActionKindNamesAreTheYamlKeys) {
  EXPECT_EQ(ActionKindName(ActionKind::kAddTag), "add_tag");
  EXPECT_EQ(ActionKindName(ActionKind::kSetShippingSpeed), "set_shipping_speed");
  EXPECT_EQ(ActionKindName(ActionKind::kCallWebhook), "call_webhook");
}

TEST_F(RuleSetTest, RuleWithoutWhenHasNoProgram) {
  auto set = Parse("- name: tag-all\n  on: order.received\n  do:\n    - add_tag: seen\n");
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ((*set)->rules()[0].program, nullptr);
  EXPECT_EQ((*set)->rules()[0].condition, "");
}

TEST_F(RuleSetTest, BlockConditionIsKeptWithoutItsFinalLineBreak) {
  auto set = Parse(
      "- name: a\n  on: order.paid\n  when: |\n    order.item_count > 1 &&\n"
      "    order.item_count < 5\n  do:\n    - add_tag: x\n");
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ((*set)->rules()[0].condition, "order.item_count > 1 &&\norder.item_count < 5");
}

TEST_F(RuleSetTest, EmptyFileHoldsNoRules) {
  auto set = Parse("# nothing yet\n");
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_TRUE((*set)->rules().empty());
}

TEST_F(RuleSetTest, EveryKnownTriggerIsAccepted) {
  std::string yaml;
  int i = 0;
  for (std::string_view t : KnownTriggers()) {
    yaml += "- name: r" + std::to_string(i++) + "\n  on: " + std::string(t) +
            "\n  do:\n    - add_tag: x\n";
  }
  auto set = Parse(yaml);
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ((*set)->rules().size(), KnownTriggers().size());
}

TEST_F(RuleSetTest, ForTriggerReturnsRulesInFileOrder) {
  auto set = Parse(R"(
- name: first
  on: order.accepted
  do: [{add_tag: one}]
- name: other-trigger
  on: order.cancelled
  do: [{add_tag: two}]
- name: second
  on: order.accepted
  do: [{add_tag: three}]
)");
  ASSERT_TRUE(set.ok()) << set.status().message();
  std::vector<std::string> names;
  for (const Rule* r : (*set)->ForTrigger("order.accepted")) names.push_back(r->name);
  EXPECT_THAT(names, ElementsAre("first", "second"));
  EXPECT_TRUE((*set)->ForTrigger("order.shipped").empty());
}

TEST_F(RuleSetTest, UnknownKeyIsReportedAtTheKey) {
  EXPECT_EQ(ErrorOf("- name: a\n  on: order.paid\n  whn: order.item_count > 1\n  do:\n"
                    "    - add_tag: x\n"),
            "shop.yaml:3:3: unknown key 'whn' (expected name, on, when, do, description); "
            "did you mean 'when'?");
}

TEST_F(RuleSetTest, CelTypoIsReportedAtItsColumnInsideQuotes) {
  // The expression starts one column after the quote (column 9): `custmer` is at column 10.
  EXPECT_EQ(ErrorOf("- name: a\n  on: order.accepted\n"
                    "  when: 'custmer.tags.exists(t, t == \"VIP\")'\n  do:\n    - add_tag: x\n"),
            "shop.yaml:3:10: undeclared reference to 'custmer'");
}

TEST_F(RuleSetTest, CelTypoIsReportedAtItsColumnInPlainScalar) {
  EXPECT_EQ(ErrorOf("- name: a\n  on: order.accepted\n"
                    "  when: order.item_count > 2 && custmer.orders_count > 1\n"
                    "  do:\n    - add_tag: x\n"),
            "shop.yaml:3:33: undeclared reference to 'custmer'");
}

TEST_F(RuleSetTest, CelTypoColumnCountsEscapesInDoubleQuotes) {
  // `\"` is two characters in the file and one in the expression.
  EXPECT_EQ(ErrorOf("- name: a\n  on: order.paid\n"
                    "  when: \"order.note == \\\"x\\\" && custmer\"\n  do:\n    - add_tag: x\n"),
            "shop.yaml:3:33: undeclared reference to 'custmer'");
}

TEST_F(RuleSetTest, CelTypoInBlockScalarIsReportedOnItsOwnLine) {
  auto message = ErrorOf(R"(- name: a
  on: order.accepted
  when: |
    order.item_count > 3 &&
      custmer.orders_count > 1
  do:
    - add_tag: x
)");
  EXPECT_EQ(message, "shop.yaml:5:7: undeclared reference to 'custmer'");
}

TEST_F(RuleSetTest, CelTypoInFoldedScalarIsReportedOnItsOwnLine) {
  auto message = ErrorOf(R"(- name: a
  on: order.accepted
  when: >-
    order.item_count > 3 &&
    custmer.orders_count > 1
  do:
    - add_tag: x
)");
  EXPECT_EQ(message, "shop.yaml:5:5: undeclared reference to 'custmer'");
}

TEST_F(RuleSetTest, CelSyntaxErrorIsReportedWhereInputEnds) {
  EXPECT_EQ(ErrorOf("- name: a\n  on: order.accepted\n  when: order.item_count >\n"
                    "  do:\n    - add_tag: x\n"),
            "shop.yaml:3:27: expected an expression, found end of input");
}

TEST_F(RuleSetTest, NonBoolConditionIsRefused) {
  EXPECT_THAT(ErrorOf("- name: a\n  on: order.accepted\n  when: order.total\n"
                      "  do:\n    - add_tag: x\n"),
              AllOf(StartsWith("shop.yaml:3:"), HasSubstr("must be bool, not money")));
}

TEST_F(RuleSetTest, EmptyConditionIsRefused) {
  EXPECT_THAT(ErrorOf("- name: a\n  on: order.accepted\n  when: ''\n  do:\n    - add_tag: x\n"),
              StartsWith("shop.yaml:3:9: 'when' is empty"));
}

TEST_F(RuleSetTest, UnknownTriggerSuggestsTheClosest) {
  EXPECT_EQ(ErrorOf("- name: a\n  on: order.acepted\n  do:\n    - add_tag: x\n"),
            "shop.yaml:2:7: unknown trigger 'order.acepted' (did you mean 'order.accepted'?)");
}

TEST_F(RuleSetTest, UnknownTriggerFarFromAnyListsThemAll) {
  EXPECT_THAT(ErrorOf("- name: a\n  on: shipment.lost\n  do:\n    - add_tag: x\n"),
              AllOf(StartsWith("shop.yaml:2:7: unknown trigger 'shipment.lost' (expected one of "),
                    HasSubstr("order.received"), HasSubstr("stock.low")));
}

TEST_F(RuleSetTest, DuplicateNameIsReportedAtTheSecondWithTheFirst) {
  EXPECT_EQ(ErrorOf(R"(- name: vip
  on: order.accepted
  do: [{add_tag: a}]
- name: vip
  on: order.paid
  do: [{add_tag: b}]
)"),
            "shop.yaml:4:9: duplicate rule name 'vip' (first defined at shop.yaml:1)");
}

TEST_F(RuleSetTest, DuplicateNameAcrossFilesIsRefused) {
  std::string a = WriteFile("a.yaml", "- name: vip\n  on: order.accepted\n  do: [{add_tag: a}]\n");
  std::string b = WriteFile("b.yaml", "- name: vip\n  on: order.paid\n  do: [{add_tag: b}]\n");
  auto set = LoadRuleSet({a, b}, env_);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().message(),
            b + ":1:9: duplicate rule name 'vip' (first defined at " + a + ":1)");
  EXPECT_EQ(set.status().field(), b);
}

TEST_F(RuleSetTest, RuleNameWithCapitalsIsRefused) {
  EXPECT_EQ(ErrorOf("- name: Vip Rule\n  on: order.paid\n  do:\n    - add_tag: x\n"),
            "shop.yaml:1:9: rule name 'Vip Rule' may only use lowercase letters, digits, '-', "
            "'_' and '.'");
}

TEST_F(RuleSetTest, MissingNameOnAndDoAreEachReported) {
  EXPECT_EQ(ErrorOf("- description: nothing else\n"),
            "shop.yaml:1:3: rule has no 'name'\n"
            "shop.yaml:1:3: rule has no 'on' (the trigger, e.g. on: order.accepted)\n"
            "shop.yaml:1:3: rule has no 'do' (the list of actions)");
}

TEST_F(RuleSetTest, EmptyValueIsReportedAtItsKey) {
  EXPECT_EQ(ErrorOf("- name: a\n  on:\n  do:\n    - add_tag: x\n"), "shop.yaml:2:3: 'on' is empty");
}

TEST_F(RuleSetTest, EmptyActionListIsRefused) {
  EXPECT_EQ(ErrorOf("- name: a\n  on: order.paid\n  do: []\n"),
            "shop.yaml:3:7: 'do' is empty: a rule needs at least one action");
}

TEST_F(RuleSetTest, BadPriorityIsReportedAtTheValue) {
  EXPECT_EQ(ErrorOf("- name: a\n  on: order.paid\n  do:\n    - set_priority: asap\n"),
            "shop.yaml:4:21: set_priority 'asap' is not one of low, normal, high, urgent");
}

TEST_F(RuleSetTest, BadShippingSpeedIsReportedAtTheValue) {
  EXPECT_EQ(ErrorOf("- name: a\n  on: order.paid\n  do:\n    - set_shipping_speed: rocket\n"),
            "shop.yaml:4:27: set_shipping_speed 'rocket' is not one of standard, express, "
            "overnight");
}

TEST_F(RuleSetTest, EmptyTagIsRefused) {
  EXPECT_EQ(ErrorOf("- name: a\n  on: order.paid\n  do:\n    - add_tag:\n"),
            "shop.yaml:4:7: 'add_tag' is empty");
}

TEST_F(RuleSetTest, UnknownActionSuggestsTheClosest) {
  EXPECT_EQ(ErrorOf("- name: a\n  on: order.paid\n  do:\n    - add_tags: x\n"),
            "shop.yaml:4:7: unknown action 'add_tags' (did you mean 'add_tag'?)");
}

TEST_F(RuleSetTest, ActionWithTwoKeysIsRefused) {
  EXPECT_THAT(ErrorOf("- name: a\n  on: order.paid\n  do:\n    - add_tag: x\n      hold: y\n"),
              StartsWith("shop.yaml:4:7: an action is one 'kind: value' pair"));
}

TEST_F(RuleSetTest, NotifyWithoutTemplateIsRefused) {
  EXPECT_EQ(ErrorOf("- name: a\n  on: order.paid\n  do:\n    - notify: {to: customer}\n"),
            "shop.yaml:4:15: notify needs 'template'");
}

TEST_F(RuleSetTest, NotifyAsPlainValueIsRefused) {
  EXPECT_EQ(ErrorOf("- name: a\n  on: order.paid\n  do:\n    - notify: vip-thanks\n"),
            "shop.yaml:4:15: notify takes a mapping of template, to, e.g. "
            "{template: vip-thanks, to: customer}");
}

TEST_F(RuleSetTest, UnknownNotifyOptionIsRefused) {
  EXPECT_EQ(ErrorOf("- name: a\n  on: order.paid\n  do:\n"
                    "    - notify: {template: t, cc: ops}\n"),
            "shop.yaml:4:29: unknown notify option 'cc' (expected template, to)");
}

TEST_F(RuleSetTest, WebhookUrlMustBeHttp) {
  EXPECT_EQ(ErrorOf("- name: a\n  on: order.paid\n  do:\n"
                    "    - call_webhook: {url: ftp://example.com/x}\n"),
            "shop.yaml:4:27: call_webhook url 'ftp://example.com/x' must be an http:// or "
            "https:// URL");
}

TEST_F(RuleSetTest, YamlSyntaxErrorCarriesItsPosition) {
  EXPECT_EQ(ErrorOf("- name: a\n  on: order.paid\n  do:\n    - add_tag: [x\n"),
            "shop.yaml:5:1: end of sequence flow not found");
}

TEST_F(RuleSetTest, BadIndentationIsASyntaxError) {
  EXPECT_THAT(ErrorOf("- name: a\n on: order.paid\n"), StartsWith("shop.yaml:2:"));
}

TEST_F(RuleSetTest, TopLevelMappingIsRefused) {
  EXPECT_THAT(ErrorOf("name: a\non: order.paid\n"),
              StartsWith("shop.yaml:1:1: a rule file is a list of rules"));
}

TEST_F(RuleSetTest, CollectsErrorsFromEveryRule) {
  std::string message = ErrorOf(R"(- name: a
  on: order.payed
  do: [{add_tag: x}]
- name: b
  on: order.paid
  when: order.totl > money("1.00", "USD")
  do: [{set_priority: asap}]
)");
  EXPECT_EQ(message,
            "shop.yaml:2:7: unknown trigger 'order.payed' (did you mean 'order.paid'?)\n"
            "shop.yaml:6:14: undefined field 'totl' on orderpilot.Order (fields: id, state, "
            "channel, shop, channel_order_id, number, currency, created_at, email, phone, note, "
            "source_name, fulfillment_status, cancel_reason, financial_status, customer, "
            "shipping_address, billing_address, line_items, shipping_lines, discount_codes, "
            "tags, attributes, taxes_included, requires_shipping, item_count, subtotal, "
            "discounts, shipping, tax, total, payment, client)\n"
            "shop.yaml:7:23: set_priority 'asap' is not one of low, normal, high, urgent");
}

TEST_F(RuleSetTest, StopsAfterTwentyErrors) {
  std::string yaml;
  for (int i = 0; i < 30; ++i) {
    yaml += "- name: r" + std::to_string(i) + "\n  on: nope\n  do: [{add_tag: x}]\n";
  }
  std::string message = ErrorOf(yaml);
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 19);
}

TEST_F(RuleSetTest, LoadKeepsFileOrderThenRuleOrder) {
  std::string a = WriteFile("a.yaml",
                            "- name: a1\n  on: order.paid\n  do: [{add_tag: x}]\n"
                            "- name: a2\n  on: order.paid\n  do: [{add_tag: x}]\n");
  std::string b = WriteFile("b.yaml", "- name: b1\n  on: order.paid\n  do: [{add_tag: x}]\n");
  auto set = LoadRuleSet({b, a}, env_);
  ASSERT_TRUE(set.ok()) << set.status().message();
  std::vector<std::string> names;
  for (const Rule* r : (*set)->ForTrigger("order.paid")) names.push_back(r->name);
  EXPECT_THAT(names, ElementsAre("b1", "a1", "a2"));
  EXPECT_THAT((*set)->files(), ElementsAre(b, a));
  EXPECT_EQ((*set)->rules()[1].file, a);
}

TEST_F(RuleSetTest, MissingFileIsNotFoundWithItsPath) {
  std::string path = ::testing::TempDir() + "/no-such-rules.yaml";
  auto set = LoadRuleSet({path}, env_);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(set.status().message(), HasSubstr(path));
}

TEST_F(RuleSetTest, ShopExampleCompiles) {
  auto set = LoadRuleSet({std::string(OP_TEST_DATA_DIR) + "/../../examples/rules/shop.yaml"}, env_);
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_GE((*set)->rules().size(), 6u);
}

// Every `when:` example of docs/rules.md compiles.
TEST_F(RuleSetTest, DocsExamplesCompile) {
  std::ifstream in(std::string(OP_TEST_DATA_DIR) + "/../../docs/rules.md");
  ASSERT_TRUE(in) << "docs/rules.md not found";
  std::string line;
  int examples = 0;
  while (std::getline(in, line)) {
    if (!line.starts_with("when: ")) continue;
    ++examples;
    std::string yaml =
        "- name: doc-example\n  on: order.accepted\n  " + line + "\n  do:\n    - add_tag: x\n";
    auto set = Parse(yaml);
    EXPECT_TRUE(set.ok()) << line << "\n" << set.status().message();
  }
  EXPECT_GE(examples, 5);
}

}  // namespace
}  // namespace orderpilot::rules
