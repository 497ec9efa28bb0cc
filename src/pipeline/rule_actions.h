// pipeline/rule_actions.h — runs automation rules on an order's lifecycle events and turns what
// they decide into events, state changes, review items and outbox messages.
//
// Every trigger event (those the steps just produced, and those appended since the rules last
// looked: webhooks, people deciding reviews) meets the rules of its trigger in rule order. A
// fired rule appends "rule.fired" with its condition and actions, then one event per action
// ("order.tag_added", "order.priority_set", …), each naming the rule. A condition that fails to
// evaluate appends "rule.error" and does not fire. Actions that cause lifecycle events (hold,
// cancel, release) run the rules of those triggers too, at most RuleEngine::kMaxDepth levels
// deep, and a rule never fires twice for the same trigger in one run: both guards record
// "rule.loop_stopped" instead of looping.
#pragma once

#include <optional>
#include <vector>

#include "core/order.h"
#include "expr/program.h"
#include "pipeline/steps.h"
#include "rules/engine.h"
#include "store/store.h"

namespace orderpilot::pipeline {

struct RulePolicy {
  // cancel actions apply at once only when true; otherwise they open a review item. Default:
  // false (a person confirms every automated cancellation).
  bool auto_cancel = false;
};

struct RuleRunInput {
  const rules::RuleEngine& engine;
  expr::EvalContext& ctx;
  RulePolicy policy;
  std::vector<std::string> pending_triggers;  // event types appended since rules_version
};

// Runs the rules over `triggers` (lifecycle event types, in order) and folds their effects into
// `t` (events, state, review, projection fields, outbox). `order` is the working copy: tag and
// note actions change it, and set t.order_json when they do.
void RunRules(const RuleRunInput& in, const std::vector<std::string>& triggers, Order& order,
              Timestamp now, store::OrderTransition& t);

// Whether an event type is a rule trigger ("order.accepted" is; "rule.fired" is not).
bool IsTrigger(std::string_view event_type);
// The trigger an event of the log stands for ("refund.created" → "refund.issued"), or "".
std::string TriggerForEvent(std::string_view event_type);

}  // namespace orderpilot::pipeline
