#include "app/rules_cli.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/order_json.h"
#include "expr/program.h"
#include "ingest/shopify_order.h"
#include "rules/engine.h"
#include "rules/order_env.h"
#include "rules/rule_set.h"

namespace orderpilot::app {

int RulesCheck(const std::vector<std::string>& files, std::FILE* out, std::FILE* err) {
  rules::OrderEnv env;
  auto set = rules::LoadRuleSet(files, env);
  if (!set.ok()) {
    std::fprintf(err, "orderpilot rules check: the rule files are invalid:\n%s\n",
                 set.status().message().c_str());
    return 1;
  }
  std::fprintf(out, "ok: %zu rule(s) in %zu file(s)\n", (*set)->rules().size(), files.size());
  for (const rules::Rule& r : (*set)->rules()) {
    std::fprintf(out, "  %-28s on %-18s %zu action(s)  %s:%d\n", r.name.c_str(), r.trigger.c_str(),
                 r.actions.size(), r.file.c_str(), r.line);
  }
  return 0;
}

int RulesTest(const std::vector<std::string>& files, const std::string& order_file,
              const std::string& trigger, std::FILE* out, std::FILE* err) {
  rules::OrderEnv env;
  rules::RuleEngine engine(env);
  Status loaded = engine.Reload(files);
  if (!loaded.ok()) {
    std::fprintf(err, "orderpilot rules test: the rule files are invalid:\n%s\n",
                 loaded.message().c_str());
    return 1;
  }
  std::ifstream in(order_file, std::ios::binary);
  if (!in) {
    std::fprintf(err, "orderpilot rules test: cannot read %s\n", order_file.c_str());
    return 1;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  std::string json = buf.str();
  Result<Order> order = DecodeOrder(json);
  if (!order.ok()) {
    Result<Order> shopify = ingest::NormaliseShopifyOrder(json, "");
    if (!shopify.ok()) {
      std::fprintf(err,
                   "orderpilot rules test: %s is neither a canonical order (%s) nor a Shopify "
                   "order (%s)\n",
                   order_file.c_str(), order.status().message().c_str(),
                   shopify.status().message().c_str());
      return 1;
    }
    order = std::move(shopify);
  }
  std::vector<std::string> triggers;
  if (!trigger.empty()) {
    triggers.push_back(trigger);
  } else {
    for (const rules::Rule& r : engine.current()->rules()) {
      if (std::find(triggers.begin(), triggers.end(), r.trigger) == triggers.end()) {
        triggers.push_back(r.trigger);
      }
    }
  }
  expr::EvalContext ctx;
  int fired = 0, total = 0;
  for (const std::string& t : triggers) {
    rules::OrderFacts facts;
    facts.state = "accepted";
    facts.actor = "rules test";
    facts.now = SystemClock().Now();
    rules::Evaluation ev = engine.Evaluate(t, *order, facts, ctx);
    for (const rules::RuleResult& r : ev.results) {
      ++total;
      if (r.fired) ++fired;
      std::fprintf(out, "%s %-28s on %-18s when %s\n      = %s\n", r.fired ? "FIRES  " : "no     ",
                   r.rule->name.c_str(), t.c_str(),
                   r.rule->condition.empty() ? "(always)" : r.rule->condition.c_str(),
                   r.condition_value.c_str());
      if (r.fired) {
        for (const rules::Action& a : r.rule->actions) {
          std::fprintf(out, "      do %s: %s\n", std::string(rules::ActionKindName(a.kind)).c_str(),
                       a.value.c_str());
        }
      }
    }
  }
  std::fprintf(out, "%d of %d rule(s) fire on order %s\n", fired, total, order->number.c_str());
  return 0;
}

}  // namespace orderpilot::app
