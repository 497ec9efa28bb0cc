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
#include "review/policy.h"
#include "rules/engine.h"
#include "rules/order_env.h"
#include "store/store.h"

namespace orderpilot::pipeline {

struct RuleRunInput {
  const rules::RuleEngine& engine;
  expr::EvalContext& ctx;
  // Whether a rule's cancel applies at once (decision kind "cancel_order": auto, or auto_below
  // within its money limit; a rule is certain, so its confidence is 1), opens a review item
  // (suggest) or is not taken (off). Null: the defaults (suggest). Not owned.
  const review::AutonomyPolicy* autonomy;
  std::vector<std::string> pending_triggers;  // event types appended since rules_version
  // The fraud screen's result bound as `risk` (null: an empty map). Not owned.
  const rules::RiskView* risk = nullptr;
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
