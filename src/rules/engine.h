// rules/engine.h — runs the rules of a trigger against an order and says what they decided.
//
// Evaluate() is pure: it reads the order and returns the actions of every rule that fired, the
// value of every condition (for `rules test` and the order's timeline), and the errors of rules
// whose condition failed to evaluate (a runtime error makes the rule not fire; it never throws).
// The pipeline turns the result into events ("rule.fired", "order.tag_added", …) and follows
// triggers the actions cause, up to RuleEngine::kMaxDepth levels (the loop guard).
//
// The rule set is swapped atomically: Reload() compiles the new files completely first, and a
// set with any error is refused whole while the old one keeps running.
//
// Thread-safety: Evaluate may run on many threads while Reload runs on another.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/order.h"
#include "core/status.h"
#include "rules/order_env.h"
#include "rules/rule_set.h"

namespace orderpilot::rules {

struct RuleResult {
  const Rule* rule = nullptr;
  bool fired = false;
  std::string condition_value;  // "true", "false", or the error text
  std::string error;            // non-empty when the condition failed to evaluate
};

struct Evaluation {
  std::vector<RuleResult> results;       // one per rule of the trigger, in rule order
  std::shared_ptr<const RuleSet> rules;  // keeps the Rule pointers alive
};

class RuleEngine {
 public:
  static constexpr int kMaxDepth = 8;  // triggers caused by actions, chained

  explicit RuleEngine(const OrderEnv& env) : env_(env), rules_(std::make_shared<RuleSet>()) {}

  // Compiles `files` and swaps them in; on error keeps the current rules and returns the error.
  Status Reload(const std::vector<std::string>& files);
  void Swap(std::shared_ptr<const RuleSet> rules);
  std::shared_ptr<const RuleSet> current() const;
  // The files of the rules running now (a copy: Reload may run concurrently).
  std::vector<std::string> files() const { return current()->files(); }

  // Runs the rules of `trigger`. `facts.trigger` is set from `trigger`. `ctx` is the calling
  // thread's scratch (reset here before each rule).
  Evaluation Evaluate(std::string_view trigger, const Order& order, OrderFacts facts,
                      expr::EvalContext& ctx) const;

 private:
  const OrderEnv& env_;
  mutable std::mutex mu_;
  std::shared_ptr<const RuleSet> rules_;  // GUARDED_BY(mu_)
};

}  // namespace orderpilot::rules
