#include "rules/engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace orderpilot::rules {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Order DigitalOrder() {
  Currency usd = Currency::Parse("USD").value();
  Order o;
  o.channel = "api";
  o.currency = usd;
  LineItem gift;
  gift.sku = "NW-GC-DIGITAL";
  gift.quantity = 1;
  gift.unit_price = Money::Parse("50.00", usd).value();
  gift.requires_shipping = false;
  gift.gift_card = true;
  o.line_items.push_back(gift);
  o.totals.total = gift.unit_price;
  return o;
}

class RuleEngineTest : public ::testing::Test {
 protected:
  std::string WriteFile(const std::string& name, std::string_view text) {
    std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) /
                                ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::create_directories(dir);
    std::string path = (dir / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  void Load(std::string_view yaml) {
    auto set = ParseRuleSet(yaml, "test.yaml", env_);
    ASSERT_TRUE(set.ok()) << set.status().message();
    engine_.Swap(*set);
  }

  Evaluation Run(std::string_view trigger, const Order& order) {
    OrderFacts facts;
    facts.id = 7;
    facts.state = "accepted";
    facts.actor = "pipeline";
    return engine_.Evaluate(trigger, order, facts, ctx_);
  }

  static std::vector<std::string> FiredNames(const Evaluation& e) {
    std::vector<std::string> names;
    for (const RuleResult& r : e.results) {
      if (r.fired) names.push_back(r.rule->name);
    }
    return names;
  }

  OrderEnv env_;
  RuleEngine engine_{env_};
  expr::EvalContext ctx_;
  Order order_ = DigitalOrder();
};

TEST_F(RuleEngineTest, NewEngineHasNoRules) {
  EXPECT_TRUE(engine_.current()->rules().empty());
  EXPECT_TRUE(Run("order.accepted", order_).results.empty());
}

TEST_F(RuleEngineTest, RuleWithoutConditionAlwaysFires) {
  Load("- name: tag-all\n  on: order.accepted\n  do: [{add_tag: seen}]\n");
  Evaluation e = Run("order.accepted", order_);
  ASSERT_EQ(e.results.size(), 1u);
  EXPECT_TRUE(e.results[0].fired);
  EXPECT_EQ(e.results[0].condition_value, "true (no condition)");
  EXPECT_EQ(e.results[0].error, "");
  EXPECT_EQ(e.results[0].rule->actions[0].value, "seen");
}

TEST_F(RuleEngineTest, TrueConditionFires) {
  Load(
      "- name: one-item\n  on: order.accepted\n  when: order.item_count == 1\n"
      "  do: [{add_tag: single}]\n");
  Evaluation e = Run("order.accepted", order_);
  ASSERT_EQ(e.results.size(), 1u);
  EXPECT_TRUE(e.results[0].fired);
  EXPECT_EQ(e.results[0].condition_value, "true");
}

TEST_F(RuleEngineTest, FalseConditionDoesNotFire) {
  Load(
      "- name: many\n  on: order.accepted\n  when: order.item_count > 5\n"
      "  do: [{add_tag: many}]\n");
  Evaluation e = Run("order.accepted", order_);
  ASSERT_EQ(e.results.size(), 1u);
  EXPECT_FALSE(e.results[0].fired);
  EXPECT_EQ(e.results[0].condition_value, "false");
  EXPECT_EQ(e.results[0].error, "");
}

TEST_F(RuleEngineTest, RulesRunInFileOrder) {
  Load(R"(
- name: c
  on: order.accepted
  do: [{add_tag: c}]
- name: a
  on: order.accepted
  when: "false"
  do: [{add_tag: a}]
- name: b
  on: order.accepted
  do: [{add_tag: b}]
)");
  Evaluation e = Run("order.accepted", order_);
  std::vector<std::string> all;
  for (const RuleResult& r : e.results) all.push_back(r.rule->name);
  EXPECT_THAT(all, ElementsAre("c", "a", "b"));
  EXPECT_THAT(FiredNames(e), ElementsAre("c", "b"));
}

TEST_F(RuleEngineTest, OnlyRulesOfTheTriggerRun) {
  Load(R"(
- name: on-accept
  on: order.accepted
  do: [{add_tag: a}]
- name: on-cancel
  on: order.cancelled
  do: [{add_tag: c}]
)");
  EXPECT_THAT(FiredNames(Run("order.cancelled", order_)), ElementsAre("on-cancel"));
}

TEST_F(RuleEngineTest, TriggerIsTheEventType) {
  Load(
      "- name: paid\n  on: order.paid\n  when: event.type == 'order.paid' && "
      "event.actor == 'pipeline'\n  do: [{add_tag: p}]\n");
  EXPECT_THAT(FiredNames(Run("order.paid", order_)), ElementsAre("paid"));
}

TEST_F(RuleEngineTest, MissingShippingAddressIsARuntimeErrorNotAFiring) {
  Load(
      "- name: us-only\n  on: order.accepted\n"
      "  when: order.shipping_address.country_code == 'US'\n  do: [{add_tag: us}]\n");
  Evaluation e = Run("order.accepted", order_);
  ASSERT_EQ(e.results.size(), 1u);
  EXPECT_FALSE(e.results[0].fired);
  EXPECT_THAT(e.results[0].error, HasSubstr("no shipping address"));
  EXPECT_EQ(e.results[0].condition_value, "error: " + e.results[0].error);
}

TEST_F(RuleEngineTest, DivisionByZeroIsARuntimeErrorNotAFiring) {
  Load(
      "- name: div\n  on: order.accepted\n  when: 1 / (order.item_count - 1) == 1\n"
      "  do: [{add_tag: d}]\n");
  Evaluation e = Run("order.accepted", order_);
  ASSERT_EQ(e.results.size(), 1u);
  EXPECT_FALSE(e.results[0].fired);
  EXPECT_THAT(e.results[0].error, HasSubstr("division by zero"));
}

TEST_F(RuleEngineTest, ErrorInOneRuleDoesNotStopTheNext) {
  Load(R"(
- name: broken
  on: order.accepted
  when: order.shipping_address.city == "Reno"
  do: [{add_tag: reno}]
- name: fine
  on: order.accepted
  do: [{add_tag: fine}]
)");
  Evaluation e = Run("order.accepted", order_);
  ASSERT_EQ(e.results.size(), 2u);
  EXPECT_NE(e.results[0].error, "");
  EXPECT_THAT(FiredNames(e), ElementsAre("fine"));
}

TEST_F(RuleEngineTest, ReloadSwapsInTheNewFiles) {
  std::string path =
      WriteFile("rules.yaml", "- name: r1\n  on: order.paid\n  do: [{add_tag: x}]\n");
  ASSERT_TRUE(engine_.Reload({path}).ok());
  EXPECT_THAT(engine_.files(), ElementsAre(path));
  EXPECT_THAT(FiredNames(Run("order.paid", order_)), ElementsAre("r1"));
}

TEST_F(RuleEngineTest, ReloadRefusesABadFileAndKeepsTheOldRules) {
  std::string good =
      WriteFile("good.yaml", "- name: old\n  on: order.paid\n  do: [{add_tag: x}]\n");
  ASSERT_TRUE(engine_.Reload({good}).ok());
  std::string bad = WriteFile(
      "bad.yaml",
      "- name: new\n  on: order.paid\n  when: custmer.email == ''\n  do: [{add_tag: y}]\n");
  Status s = engine_.Reload({bad});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), bad + ":3:9: undeclared reference to 'custmer'");
  EXPECT_THAT(engine_.files(), ElementsAre(good));
  EXPECT_THAT(FiredNames(Run("order.paid", order_)), ElementsAre("old"));
}

TEST_F(RuleEngineTest, ReloadWithAMissingFileKeepsTheOldRules) {
  Load("- name: old\n  on: order.paid\n  do: [{add_tag: x}]\n");
  Status s = engine_.Reload({::testing::TempDir() + "/missing-rules.yaml"});
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_THAT(FiredNames(Run("order.paid", order_)), ElementsAre("old"));
}

TEST_F(RuleEngineTest, EvaluationKeepsItsRulesAliveAcrossASwap) {
  Load("- name: old\n  on: order.paid\n  do: [{add_tag: x}]\n");
  Evaluation e = Run("order.paid", order_);
  Load("- name: new\n  on: order.paid\n  do: [{add_tag: y}]\n");
  ASSERT_EQ(e.results.size(), 1u);
  EXPECT_EQ(e.results[0].rule->name, "old");  // still valid: e.rules holds the old set
  EXPECT_THAT(FiredNames(Run("order.paid", order_)), ElementsAre("new"));
}

TEST_F(RuleEngineTest, EvaluateRunsWhileReloadSwaps) {
  std::string a = WriteFile("a.yaml",
                            "- name: a\n  on: order.paid\n  when: order.item_count == 1\n"
                            "  do: [{add_tag: x}]\n");
  std::string b = WriteFile("b.yaml",
                            "- name: b\n  on: order.paid\n  when: order.item_count > 0\n"
                            "  do: [{add_tag: y}]\n");
  ASSERT_TRUE(engine_.Reload({a}).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      expr::EvalContext ctx;
      OrderFacts facts;
      while (!stop.load()) {
        Evaluation e = engine_.Evaluate("order.paid", order_, facts, ctx);
        if (e.results.size() != 1 || !e.results[0].fired) bad.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(engine_.Reload({i % 2 ? a : b}).ok());
  stop.store(true);
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace orderpilot::rules

namespace orderpilot::rules {
namespace {

TEST(RuleEngineLimitsTest, TheEnvironmentsCostLimitStopsAnExpensiveCondition) {
  OrderEnv env;
  env.mutable_env().limits().max_cost = 50;
  auto set = ParseRuleSet(R"(
- name: expensive
  on: order.accepted
  when: '[1,2,3,4,5,6,7,8,9,10].map(x, [1,2,3,4,5,6,7,8,9,10].map(y, x * y)).size() > 0'
  do: [{add_tag: never}]
)",
                          "limits.yaml", env);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  RuleEngine engine(env);
  engine.Swap(*set);
  Order order;
  expr::EvalContext ctx;  // default budget: the engine applies the environment's
  Evaluation ev = engine.Evaluate("order.accepted", order, OrderFacts{}, ctx);
  ASSERT_EQ(ev.results.size(), 1u);
  EXPECT_FALSE(ev.results[0].fired);
  EXPECT_NE(ev.results[0].error.find("cost limit"), std::string::npos) << ev.results[0].error;
}

}  // namespace
}  // namespace orderpilot::rules
