#include "pipeline/screening.h"

#include <array>
#include <string>

#include "core/json_writer.h"

namespace orderpilot::pipeline {
namespace {

constexpr std::string_view kActor = "pipeline";

std::array<std::string_view, risk::kSignalCount> MakeNames() {
  std::array<std::string_view, risk::kSignalCount> names{};
  for (size_t i = 0; i < names.size(); ++i) {
    names[i] = risk::SignalName(static_cast<risk::Signal>(i));
  }
  return names;
}

// The decision payload: what was decided, with what confidence, why, and under which policy.
std::string DecisionPayload(std::string_view decision, std::string_view kind, double confidence,
                            const risk::RiskAssessment& a, std::string_view policy) {
  JsonWriter w;
  w.BeginObject()
      .Field("decision", decision)
      .Field("kind", kind)
      .Field("confidence", confidence)
      .Field("score", a.score)
      .Field("model", a.model ? "model" : "weighted")
      .Key("reasons")
      .BeginArray();
  // Only orders that passed validation are screened.
  if (decision == "accept") w.String("all validation checks passed");
  for (const risk::Reason& r : a.reasons) w.String(r.text);
  if (!a.model) w.String("scored with weighted signals: no trained model is configured");
  w.EndArray().Field("policy", policy).EndObject();
  return w.Take();
}

store::OrderTransition::ReviewRequest Request(std::string_view kind, std::string reason,
                                              std::string payload, std::string_view proposal,
                                              double confidence) {
  store::OrderTransition::ReviewRequest r{std::string(kind), std::move(reason), std::move(payload)};
  r.proposal = std::string(proposal);
  r.confidence = confidence;
  return r;
}

}  // namespace

std::span<const std::string_view> SignalNames() {
  static const std::array<std::string_view, risk::kSignalCount> kNames = MakeNames();
  return kNames;
}

rules::RiskView ViewOf(const risk::RiskAssessment& a) {
  rules::RiskView v;
  v.score = a.score;
  v.model = a.model ? "model" : "weighted";
  v.signal_names = SignalNames();
  v.signal_values = std::span<const float>(a.signals.data(), a.signals.size());
  return v;
}

ScreenDecision DecideOnRisk(const risk::RiskAssessment& a, const Order& order,
                            const ScreenSetup& setup, const review::AutonomyPolicy& policy) {
  ScreenDecision d;
  const std::string summary = risk::AssessmentSummary(a);
  const Money& money = order.totals.total;
  if (a.score >= setup.cancel_above) {
    review::PolicyOutcome v = policy.Decide("fraud_cancel", a.score, money);
    if (v.verdict == review::Verdict::kApply) {
      std::string payload = DecisionPayload("cancel", "fraud_cancel", a.score, a, v.why);
      d.next = store::OrderState::kCancelled;
      d.applied = Request("fraud_cancel", "cancelled as fraud: risk " + summary, payload,
                          "cancel the order as fraud", a.score);
      d.applied->applied = true;
      d.event = {"order.cancelled", std::move(payload), std::string(kActor)};
      return d;
    }
    if (v.verdict == review::Verdict::kAskPerson) {
      std::string payload = DecisionPayload("hold", "fraud_cancel", a.score, a, v.why);
      d.next = store::OrderState::kHeld;
      d.review = Request("fraud_cancel", "likely fraud: risk " + summary, payload,
                         "cancel the order as fraud", a.score);
      d.event = {"order.held", std::move(payload), std::string(kActor)};
      return d;
    }
    // off: the engine never cancels for fraud; the order is treated as merely risky.
  }
  if (a.score >= setup.hold_above) {
    const double confidence = 1.0 - a.score;
    review::PolicyOutcome v = policy.Decide("fraud_hold", confidence, money);
    if (v.verdict == review::Verdict::kAskPerson) {
      std::string payload = DecisionPayload("hold", "fraud_hold", confidence, a, v.why);
      d.next = store::OrderState::kHeld;
      d.review = Request("fraud_hold", "risky order: risk " + summary, payload,
                         "release the order after a fraud check", confidence);
      d.event = {"order.held", std::move(payload), std::string(kActor)};
      return d;
    }
    if (v.verdict == review::Verdict::kApply) {
      std::string payload = DecisionPayload("accept", "fraud_hold", confidence, a, v.why);
      d.applied = Request("fraud_hold", "released automatically: risk " + summary, payload,
                          "release the order after a fraud check", confidence);
      d.applied->applied = true;
      d.event = {"order.accepted", std::move(payload), std::string(kActor)};
      return d;
    }
    d.event = {"order.accepted", DecisionPayload("accept", "fraud_hold", confidence, a, v.why),
               std::string(kActor)};
    return d;
  }
  d.event = {"order.accepted",
             DecisionPayload("accept", "", 1.0 - a.score, a, "below the fraud hold threshold"),
             std::string(kActor)};
  return d;
}

}  // namespace orderpilot::pipeline
