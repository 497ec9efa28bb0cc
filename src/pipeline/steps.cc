#include "pipeline/steps.h"

#include "core/json_writer.h"
#include "pipeline/rule_actions.h"

namespace orderpilot::pipeline {
namespace {

constexpr std::string_view kActor = "pipeline";

void WriteProblems(JsonWriter& w, const std::vector<ValidationProblem>& problems) {
  w.Key("problems").BeginArray();
  for (const ValidationProblem& p : problems) {
    w.BeginObject().Field("code", p.code).Field("field", p.field).Field("message", p.message);
    w.EndObject();
  }
  w.EndArray();
}

void RunValidate(StepState& s, StepOutput& out) {
  s.problems = ValidateOrder(s.order);
  s.validated = true;
  JsonWriter w;
  w.BeginObject().Field("valid", s.problems.empty());
  WriteProblems(w, s.problems);
  w.EndObject();
  out.events.push_back({"order.validated", w.Take(), std::string(kActor)});
  out.next = store::OrderState::kValidated;
}

void RunDecide(StepState& s, StepOutput& out) {
  if (!s.validated) {  // resumed from a committed kValidated state
    s.problems = ValidateOrder(s.order);
    s.validated = true;
  }
  std::vector<std::string> reasons;
  for (const ValidationProblem& p : s.problems) reasons.push_back(p.message);
  if (s.order.financial_status == FinancialStatus::kVoided)
    reasons.push_back("the payment was voided");
  // Validation findings are facts, not guesses: the decision is certain either way. Later
  // issues (risk) bring decisions with confidence below 1 and an autonomy policy.
  constexpr double kConfidence = 1.0;
  bool hold = !reasons.empty();
  if (!hold) reasons.push_back("all validation checks passed");

  JsonWriter w;
  w.BeginObject()
      .Field("decision", hold ? "hold" : "accept")
      .Field("confidence", kConfidence)
      .Key("reasons")
      .BeginArray();
  for (const std::string& r : reasons) w.String(r);
  w.EndArray().EndObject();
  std::string payload = w.Take();

  if (!hold) {
    out.events.push_back({"order.accepted", std::move(payload), std::string(kActor)});
    out.next = store::OrderState::kAccepted;
    return;
  }
  out.events.push_back({"order.held", payload, std::string(kActor)});
  out.next = store::OrderState::kHeld;
  std::string summary = reasons.front();
  if (reasons.size() > 1) summary += " (and " + std::to_string(reasons.size() - 1) + " more)";
  JsonWriter detail;
  detail.BeginObject().Field("confidence", kConfidence).Key("reasons").BeginArray();
  for (const std::string& r : reasons) detail.String(r);
  detail.EndArray();
  WriteProblems(detail, s.problems);
  detail.EndObject();
  out.review = store::OrderTransition::ReviewRequest{"order_hold", summary, detail.Take()};
}

}  // namespace

const std::vector<Step>& OrderSteps() {
  static const std::vector<Step> kSteps = {
      {"validate", store::OrderState::kReceived, &RunValidate},
      {"decide", store::OrderState::kValidated, &RunDecide},
  };
  return kSteps;
}

std::optional<store::OrderTransition> PlanTransition(const store::OrderRecord& record,
                                                     const Order& order, Timestamp now,
                                                     const RuleRunInput* rules) {
  StepState state{order, now, {}, false};
  StepOutput out;
  out.next = record.state;
  bool ran = false;
  for (const Step& step : OrderSteps()) {
    if (step.from != out.next) continue;
    step.run(state, out);
    ran = true;
  }
  bool pending = rules && !rules->pending_triggers.empty();
  if (!ran && !pending) return std::nullopt;
  store::OrderTransition t;
  t.order_id = record.id;
  t.expected_version = record.version;
  t.events = std::move(out.events);
  t.new_state = out.next;
  t.review = std::move(out.review);
  if (rules) {
    std::vector<std::string> triggers = rules->pending_triggers;
    for (const store::NewEvent& e : t.events) {
      if (IsTrigger(e.type)) triggers.push_back(e.type);
    }
    if (!triggers.empty() && !rules->engine.current()->rules().empty()) {
      Order working = order;
      RunRules(*rules, triggers, working, now, t);
    }
    // Everything up to the end of this transition has met the rules.
    t.rules_version = record.version + static_cast<int64_t>(t.events.size()) + (t.review ? 1 : 0);
  }
  return t;
}

}  // namespace orderpilot::pipeline
