// pipeline/screening.h — the fraud screen inside the decide step: score the order, then accept
// it, hold it for a person, or cancel it, as the score and the shop's autonomy policy say.
//
// Bands (ScreenSetup): score >= cancel_above proposes "fraud_cancel" (confidence = score);
// hold_above <= score < cancel_above proposes "fraud_hold", whose proposal is to release the
// order after a check (confidence = 1 − score); below hold_above the order is accepted. Each
// proposal meets review::AutonomyPolicy: applied at once (recorded as an automatic decision a
// person can reverse), asked (the order is held with a review item), or not taken (off:
// fraud_cancel falls back to the hold band, fraud_hold lets the order through).
#pragma once

#include <optional>

#include "core/order.h"
#include "core/time.h"
#include "review/policy.h"
#include "risk/screen.h"
#include "rules/order_env.h"
#include "store/store.h"

namespace orderpilot::pipeline {

struct ScreenSetup {
  const risk::RiskScreen* screen = nullptr;  // null: orders are not screened. Not owned.
  double hold_above = 0.5;                   // Default: 0.5
  double cancel_above = 0.95;                // Default: 0.95; > hold_above
};

// The signal names in risk::Signal order, as rules see them (static storage).
std::span<const std::string_view> SignalNames();

// What the screen decided for an order that passed validation.
struct ScreenDecision {
  store::OrderState next = store::OrderState::kAccepted;
  store::NewEvent event;  // order.accepted, order.held or order.cancelled
  std::optional<store::OrderTransition::ReviewRequest> review;   // asked
  std::optional<store::OrderTransition::ReviewRequest> applied;  // applied automatically
};

ScreenDecision DecideOnRisk(const risk::RiskAssessment& a, const Order& order,
                            const ScreenSetup& setup, const review::AutonomyPolicy& policy);

// A RiskView over an assessment (for rules); valid while `a` lives.
rules::RiskView ViewOf(const risk::RiskAssessment& a);

}  // namespace orderpilot::pipeline
