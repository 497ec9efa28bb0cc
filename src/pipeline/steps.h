// pipeline/steps.h — the order state machine as a table of steps.
//
// A step reads the order (canonical Order + its projection record), decides, and produces events
// and the next state. Steps are pure: they never write. The runner (pipeline/pipeline.h) chains
// the steps from the order's current state until a state no step starts from (accepted, held,
// rejected, cancelled), then commits everything in one transition guarded by the version it read.
// Running the steps twice therefore appends nothing new: the second run finds the order past
// them (or loses the version race and re-reads).
//
// The machine:  received --validate--> validated --decide (+ fraud screen)--> accepted | held
//                                                                         | cancelled
//               accepted --allocate--> allocated | backordered | held (substitute proposed)
//               backordered --allocate (when stock arrives)--> allocated
//               held --(person approves/rejects, see store::ReviewDecision)--> accepted | …
// allocate runs only when fulfillment is configured (locations, carriers), and only after the
// rules have met the events before it, so a rule on order.accepted can route_to a location or
// choose_service before the order is allocated.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/order.h"
#include "core/time.h"
#include "pipeline/allocation.h"
#include "pipeline/screening.h"
#include "pipeline/validate.h"
#include "review/policy.h"
#include "store/store.h"

namespace orderpilot::pipeline {

// What the steps of one run share.
struct StepState {
  const Order& order;
  Timestamp now;
  std::vector<ValidationProblem> problems;  // filled by validate, read by decide
  bool validated = false;                   // problems is filled (else decide validates)
  // Set when fulfillment is configured; null = the allocate step does nothing.
  AllocationContext* allocation = nullptr;
  AllocationRequest allocation_request;  // overrides as they stand when allocate runs
  // The fraud screen (null = none) and where decide puts its assessment (for rules).
  const ScreenSetup* screen = nullptr;
  risk::RiskAssessment* assessment = nullptr;
  bool scored = false;                               // *assessment holds this order's assessment
  OrderId order_id = OrderId(0);                     // the history's key for the order
  const review::AutonomyPolicy* autonomy = nullptr;  // null = defaults
};

struct StepOutput {
  std::vector<store::NewEvent> events;
  store::OrderState next = store::OrderState::kReceived;
  std::optional<store::OrderTransition::ReviewRequest> review;
  std::vector<store::OrderTransition::ReviewRequest> applied;  // automatic decisions
  std::optional<std::string> order_json;  // a changed snapshot (an automatic substitution)
  bool rerun = false;  // the state reached needs another run (see PlannedTransition::rerun)
  std::vector<store::Reservation> reserve;
  bool release_reservations = false;
  std::vector<store::OutboxMessage> outbox;
};

struct Step {
  std::string_view name;
  store::OrderState from;
  void (*run)(StepState& state, StepOutput& out);
  // The rules must have met every pending trigger before this step runs (their overrides
  // matter to it). Such steps also only run when the fulfillment setup is present.
  bool after_rules = false;
};

// The steps in lifecycle order.
const std::vector<Step>& OrderSteps();

struct RuleRunInput;  // pipeline/rule_actions.h

// What else a run needs besides the order: all optional.
struct PlanContext {
  const RuleRunInput* rules = nullptr;               // null: no rules
  AllocationContext* allocation = nullptr;           // null: orders stop at accepted
  const ScreenSetup* screen = nullptr;               // null: no fraud screen
  const review::AutonomyPolicy* autonomy = nullptr;  // null: the defaults
};

// Runs every step that applies from `record.state` on, then (when rules are given) the rules of
// every trigger event — those pending since record.rules_version and those the steps produced —
// returning the transition to commit, or nullopt when nothing applies (the order waits for a
// person or is finished). Every review item and automatic decision it records carries the
// order's total as the money at stake, its SLA deadline from the autonomy policy, and a short
// order context in its detail. `rerun` is set when the state reached needs another run (an
// automatic substitution changed the order before it could be allocated).
std::optional<store::OrderTransition> PlanTransition(const store::OrderRecord& record,
                                                     const Order& order, Timestamp now,
                                                     const PlanContext& context,
                                                     bool* rerun = nullptr);
std::optional<store::OrderTransition> PlanTransition(const store::OrderRecord& record,
                                                     const Order& order, Timestamp now,
                                                     const RuleRunInput* rules = nullptr,
                                                     AllocationContext* allocation = nullptr);

// States some step starts from: the orders a restart must pick up again.
std::vector<store::OrderState> RunnableStates(bool with_fulfillment);

}  // namespace orderpilot::pipeline
