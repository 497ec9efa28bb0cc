#include "rules/engine.h"

#include <utility>

namespace orderpilot::rules {

Status RuleEngine::Reload(const std::vector<std::string>& files) {
  // Compile outside the lock: evaluation keeps running on the current set meanwhile.
  OP_ASSIGN_OR_RETURN(std::shared_ptr<const RuleSet> rules, LoadRuleSet(files, env_));
  Swap(std::move(rules));
  return Status::Ok();
}

void RuleEngine::Swap(std::shared_ptr<const RuleSet> rules) {
  if (rules == nullptr) rules = std::make_shared<RuleSet>();
  std::shared_ptr<const RuleSet> old;
  std::lock_guard<std::mutex> lock(mu_);
  old = std::move(rules_);  // destroyed after the lock is released (declared before it)
  rules_ = std::move(rules);
}

std::shared_ptr<const RuleSet> RuleEngine::current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rules_;
}

Evaluation RuleEngine::Evaluate(std::string_view trigger, const Order& order, OrderFacts facts,
                                expr::EvalContext& ctx) const {
  Evaluation out;
  out.rules = current();
  facts.trigger = trigger;
  std::vector<const Rule*> rules = out.rules->ForTrigger(trigger);
  out.results.reserve(rules.size());
  expr::Activation act(env_.env());
  ctx.set_max_cost(env_.env().limits().max_cost);  // the configured budget, per evaluation
  for (const Rule* rule : rules) {
    RuleResult& r = out.results.emplace_back();
    r.rule = rule;
    if (rule->program == nullptr) {
      r.fired = true;
      r.condition_value = "true (no condition)";
      continue;
    }
    // The bindings live in ctx's arena, so they are made again after each Reset.
    ctx.Reset();
    env_.Bind(order, facts, act, ctx);
    expr::Value v = rule->program->Evaluate(act, ctx);
    if (v.kind() == expr::Kind::kBool) {
      r.fired = v.bool_value();
      r.condition_value = r.fired ? "true" : "false";
    } else if (v.is_error()) {
      r.error = std::string(v.error_message());  // copied: the arena is reset next
      r.condition_value = "error: " + r.error;
    } else {
      r.error = "the condition gave " + std::string(expr::KindTypeName(v)) + ", not bool";
      r.condition_value = "error: " + r.error;
    }
  }
  return out;
}

}  // namespace orderpilot::rules
