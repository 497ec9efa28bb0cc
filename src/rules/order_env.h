// rules/order_env.h — what rule conditions can see: the canonical order as CEL objects.
//
// Variables (documented in docs/rules.md):
//   order     orderpilot.Order     the order (fields below), read in place, never copied
//   customer  orderpilot.Customer  shorthand for order.customer
//   event     map(string, dyn)     the trigger: {"type": "order.accepted", "actor": "pipeline"}
//   risk      map(string, dyn)     the fraud screen's score and signals (empty until risk runs)
//   ticket    map(string, dyn)     the support ticket of ticket triggers (empty otherwise)
//   now       timestamp            evaluation time (the injected clock)
// Money fields are `money` values: compare them with money("500.00", order.currency).
//
// Thread-safety: an OrderEnv is immutable after construction; Bind() writes only the caller's
// Activation.
#pragma once

#include <span>
#include <string_view>

#include "core/order.h"
#include "expr/program.h"

namespace orderpilot::rules {

// The fraud screen's result as rules read it (`risk`): {"score": 0.83, "model": "model",
// "signals": {"velocity_device_1h": 7.0, …}}. Signals whose value is unknown (NaN) are absent
// from the map, so `has(risk.signals.ip_distance_km)` tells whether it was known. Filled by the
// pipeline from risk/; rules does not depend on that module.
struct RiskView {
  double score = 0;        // 0..1
  std::string_view model;  // "model" (a trained model) or "weighted" (weighted signals)
  std::span<const std::string_view> signal_names;
  std::span<const float> signal_values;  // same length as signal_names
};

// Facts about an order that live beside the canonical Order (the store's projection).
struct OrderFacts {
  const Order* order = nullptr;  // set by OrderEnv::Bind
  int64_t id = 0;
  std::string_view state;  // "accepted", "held", …
  std::string_view trigger;
  std::string_view actor;
  Timestamp now;
  const RiskView* risk = nullptr;  // null: `risk` is an empty map (the order was not scored)
};

class OrderEnv {
 public:
  OrderEnv();
  OrderEnv(const OrderEnv&) = delete;
  OrderEnv& operator=(const OrderEnv&) = delete;

  const expr::Env& env() const { return env_; }
  expr::Env& mutable_env() { return env_; }  // for limits

  // Sets every variable for one evaluation, without allocating: the values point into `order`
  // and `facts` (which records the order), so both must outlive the evaluation.
  void Bind(const Order& order, OrderFacts& facts, expr::Activation& act,
            expr::EvalContext& ctx) const;

  // The object types, for docs and `orderpilot rules fields`.
  const std::vector<const expr::ObjectType*>& object_types() const { return object_types_; }

 private:
  expr::Env env_;
  std::vector<const expr::ObjectType*> object_types_;
  int order_slot_, customer_slot_, event_slot_, risk_slot_, ticket_slot_, now_slot_;
};

// Order facts as CEL sees them, for tests and `rules test`: the order object type.
const expr::ObjectType& OrderObjectType();

}  // namespace orderpilot::rules
