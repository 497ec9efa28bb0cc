// risk/screen.h — the fraud screen: an order's signals, its score (a trained model, or weighted
// signals without one) and the top reasons in plain words.
//
// Invariant: every assessment says which path scored it (model or weighted signals), and its
// reasons come from the same contributions that make the score (SHAP values of the model, or
// the weighted terms), so the explanation never disagrees with the number.
//
// Thread-safety: Assess and Remember may be called from any thread concurrently (the history
// locks itself; the model is immutable). SetKeyHasher may not: call it right after Create,
// before the screen is shared.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "core/order.h"
#include "core/status.h"
#include "risk/explain.h"
#include "risk/history.h"
#include "risk/signals.h"
#include "risk/tree_model.h"

namespace orderpilot::risk {

struct RiskAssessment {
  double score = 0;    // 0..1: the model's probability of fraud, or the weighted score
  bool model = false;  // true: scored by the trained model; false: by weighted signals
  SignalVector signals{};
  std::array<double, kSignalCount> contributions{};  // per signal, in margin units
  std::vector<Reason> reasons;                       // top 3 that push the score up
};

class RiskScreen {
 public:
  // `model` may be null: weighted signals. InvalidArgument when the model was trained on a
  // feature this build does not compute (the message names it).
  static Result<std::unique_ptr<RiskScreen>> Create(SignalConfig config,
                                                    std::unique_ptr<TreeModel> model);
  // Create with the model in `model_path` ("" = weighted signals).
  static Result<std::unique_ptr<RiskScreen>> Open(SignalConfig config,
                                                  const std::string& model_path);

  // Makes the history hash its keys with `hasher` (see risk/history.h; the server gives the
  // keyring's BlindIndex64) instead of the unkeyed FNV default, for Assess and Remember alike.
  // FailedPrecondition once an order was assessed or remembered. REQUIRES: no Assess or
  // Remember running at the same time.
  Status SetKeyHasher(KeyHasher hasher);

  // Records the order in the history (idempotent per order_key) and scores it.
  void Assess(const Order& order, uint64_t order_key, RiskAssessment& out) const;

  // Feeds an order into the history without scoring it (rebuilding the history at start).
  void Remember(const Order& order, uint64_t order_key) const;

  bool has_model() const { return model_ != nullptr; }
  // "model <version>" or "weighted signals (no trained model)": how assessments are made.
  std::string Describe() const;
  const RiskHistory& history() const { return history_; }

 private:
  RiskScreen(SignalConfig config, std::unique_ptr<TreeModel> model,
             std::vector<int> model_features);

  SignalConfig config_;
  std::unique_ptr<TreeModel> model_;
  std::vector<int> model_features_;  // model feature i reads signal model_features_[i]
  mutable RiskHistory history_;
};

// The "order.risk_scored" payload: {"score", "model", "reasons": [{signal, value, text,
// contribution}], "signals": {name: value (null when unknown)}}. Signals whose value is 0 are
// left out of "signals" (absent = 0).
std::string AssessmentJson(const RiskAssessment& a);
// "0.83 (model): ordered 4 s after the account was created; 7 orders from this device in the
// last hour; …" — one line for review items and logs. Without a model it says so.
std::string AssessmentSummary(const RiskAssessment& a);

}  // namespace orderpilot::risk
