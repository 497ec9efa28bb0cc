#include "pipeline/steps.h"

#include <algorithm>

#include "core/json_writer.h"
#include "core/order_json.h"
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
  if (s.screen && s.screen->screen && s.assessment) {
    s.screen->screen->Assess(s.order, static_cast<uint64_t>(s.order_id.value()), *s.assessment);
    s.scored = true;
    out.events.push_back(
        {"order.risk_scored", risk::AssessmentJson(*s.assessment), std::string(kActor)});
  }
  std::vector<std::string> reasons;
  for (const ValidationProblem& p : s.problems) reasons.push_back(p.message);
  if (s.order.financial_status == FinancialStatus::kVoided)
    reasons.push_back("the payment was voided");
  if (reasons.empty() && s.scored) {
    static const review::AutonomyPolicy kDefaults;
    ScreenDecision d =
        DecideOnRisk(*s.assessment, s.order, *s.screen, s.autonomy ? *s.autonomy : kDefaults);
    out.events.push_back(std::move(d.event));
    out.next = d.next;
    out.review = std::move(d.review);
    if (d.applied) out.applied.push_back(std::move(*d.applied));
    return;
  }
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
  if (s.scored) detail.Field("risk", risk::AssessmentSummary(*s.assessment));
  detail.EndObject();
  out.review = store::OrderTransition::ReviewRequest{"order_hold", summary, detail.Take()};
  out.review->proposal = "release the order";
}

void RunAllocate(StepState& s, StepOutput& out) {
  if (!s.allocation) return;
  AllocationRequest req = s.allocation_request;
  req.from = out.next;
  req.autonomy = s.autonomy;
  AllocationResult r = PlanAllocation(req, s.order, s.now, *s.allocation);
  if (!r.changed) return;
  for (store::NewEvent& e : r.events) out.events.push_back(std::move(e));
  out.next = r.next;
  if (r.review) out.review = std::move(r.review);
  for (auto& a : r.applied) out.applied.push_back(std::move(a));
  if (r.order_json) out.order_json = std::move(r.order_json);
  out.rerun = r.rerun;
  // An order allocated before (held and approved again) gives its old units back first.
  out.release_reservations = true;
  out.reserve = std::move(r.reserve);
  out.outbox = std::move(r.outbox);
}

}  // namespace

const std::vector<Step>& OrderSteps() {
  static const std::vector<Step> kSteps = {
      {"validate", store::OrderState::kReceived, &RunValidate},
      {"decide", store::OrderState::kValidated, &RunDecide},
      {"allocate", store::OrderState::kAccepted, &RunAllocate, true},
      {"allocate", store::OrderState::kBackordered, &RunAllocate, true},
  };
  return kSteps;
}

std::vector<store::OrderState> RunnableStates(bool with_fulfillment) {
  std::vector<store::OrderState> states;
  for (const Step& s : OrderSteps()) {
    if (s.after_rules && !with_fulfillment) continue;
    if (std::find(states.begin(), states.end(), s.from) == states.end()) states.push_back(s.from);
  }
  return states;
}

namespace {

// Money at stake, currency, SLA deadline and a short order context for a review item.
void Annotate(store::OrderTransition::ReviewRequest& r, const Order& order, Timestamp now,
              const review::AutonomyPolicy& policy) {
  r.money_minor = order.totals.total.minor_units();
  r.currency = std::string(order.totals.total.currency().code());
  if (!r.applied) r.sla_due_at = policy.SlaDue(r.kind, now);
  if (r.detail_json.size() < 2 || r.detail_json.back() != '}') return;
  JsonWriter w;
  w.BeginObject()
      .Field("number", order.number)
      .Field("channel", order.channel)
      .Field("shop", order.shop)
      .Field("total", order.totals.total.ToString())
      .Field("currency", order.totals.total.currency().code())
      .Field("lines", static_cast<int64_t>(order.line_items.size()))
      .Field("customer_orders", order.customer.orders_count)
      .Field("shipping_country",
             order.shipping_address ? order.shipping_address->country_code : std::string())
      .EndObject();
  r.detail_json.pop_back();
  if (r.detail_json.size() > 1) r.detail_json += ',';
  r.detail_json += "\"order\":" + w.Take() + "}";
}

}  // namespace

std::optional<store::OrderTransition> PlanTransition(const store::OrderRecord& record,
                                                     const Order& order, Timestamp now,
                                                     const RuleRunInput* rules,
                                                     AllocationContext* allocation) {
  PlanContext c;
  c.rules = rules;
  c.allocation = allocation;
  return PlanTransition(record, order, now, c);
}

std::optional<store::OrderTransition> PlanTransition(const store::OrderRecord& record,
                                                     const Order& order, Timestamp now,
                                                     const PlanContext& context, bool* rerun) {
  const RuleRunInput* rules = context.rules;
  AllocationContext* allocation = context.allocation;
  static const review::AutonomyPolicy kDefaults;
  const review::AutonomyPolicy& policy = context.autonomy ? *context.autonomy : kDefaults;
  risk::RiskAssessment assessment;
  rules::RiskView risk_view;
  std::optional<RuleRunInput> rules_in;  // `rules` with the risk view once the order is scored
  if (rules) rules_in.emplace(*rules);
  store::OrderTransition t;
  t.order_id = record.id;
  t.expected_version = record.version;
  t.new_state = record.state;
  const bool with_rules = rules && !rules->engine.current()->rules().empty();
  std::vector<std::string> triggers;
  if (rules) triggers = rules->pending_triggers;
  std::optional<Order> working;  // the order as rules change it (tags, note)
  StepState state{order, now, {}, false, nullptr, {}};
  state.screen = context.screen;
  state.assessment = &assessment;
  state.order_id = record.id;
  state.autonomy = &policy;
  auto run_rules = [&] {
    if (with_rules && !triggers.empty()) {
      if (!working) working = order;
      if (state.scored && !rules_in->risk) {
        risk_view = ViewOf(assessment);
        rules_in->risk = &risk_view;
      }
      RunRules(*rules_in, triggers, *working, now, t);
    }
    triggers.clear();
  };
  bool ran = false;
  bool ran_after_rules = false;
  for (const Step& step : OrderSteps()) {
    if (step.from != t.new_state) continue;
    if (step.after_rules) {
      if (!allocation || ran_after_rules) continue;
      ran_after_rules = true;
      run_rules();  // their overrides (route_to, choose_service, speed) shape this step
      if (step.from != t.new_state) continue;  // a rule held or cancelled the order
      state.allocation = allocation;
      state.allocation_request.order_id = record.id;
      state.allocation_request.version = record.version;
      state.allocation_request.shipping_speed =
          t.shipping_speed ? *t.shipping_speed : record.shipping_speed;
      state.allocation_request.route_location =
          t.route_location ? *t.route_location : record.route_location;
      state.allocation_request.carrier_service =
          t.carrier_service ? *t.carrier_service : record.carrier_service;
    }
    StepOutput out;
    out.next = t.new_state;
    step.run(state, out);
    if (out.events.empty() && out.next == t.new_state) continue;  // nothing to record
    ran = true;
    for (store::NewEvent& e : out.events) {
      if (rules && IsTrigger(e.type)) triggers.push_back(e.type);
      t.events.push_back(std::move(e));
    }
    t.new_state = out.next;
    if (out.review) t.review = std::move(out.review);
    for (auto& a : out.applied) t.applied.push_back(std::move(a));
    if (out.order_json) {
      // Later rules (tags, notes) work on the changed order, not the one read.
      auto changed = DecodeOrder(*out.order_json);
      if (changed.ok()) working = std::move(*changed);
      t.order_json = std::move(out.order_json);
    }
    if (rerun && out.rerun) *rerun = true;
    t.release_reservations = t.release_reservations || out.release_reservations;
    for (store::Reservation& r : out.reserve) t.reserve.push_back(std::move(r));
    for (store::OutboxMessage& m : out.outbox) t.outbox.push_back(std::move(m));
  }
  const bool pending = rules && !rules->pending_triggers.empty();
  if (!ran && !pending && t.events.empty()) return std::nullopt;
  run_rules();
  if (t.review) Annotate(*t.review, order, now, policy);
  for (auto& a : t.applied) Annotate(a, order, now, policy);
  if (rules) {
    // Everything up to the end of this transition has met the rules.
    t.rules_version = record.version + static_cast<int64_t>(t.events.size()) + (t.review ? 1 : 0);
  }
  if (t.events.empty() && !t.review && !t.rules_version) return std::nullopt;
  return t;
}

}  // namespace orderpilot::pipeline
