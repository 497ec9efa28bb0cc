#include "risk/screen.h"

#include <cmath>
#include <cstdio>
#include <utility>

#include "core/json_writer.h"
#include "risk/weighted_score.h"

namespace orderpilot::risk {
namespace {

// Scratch buffers of one thread: the model's features in its order and their contributions.
struct Scratch {
  std::vector<float> x;
  std::vector<double> contributions;
};

Scratch& ThreadScratch() {
  thread_local Scratch s;
  return s;
}

std::string Score2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

}  // namespace

RiskScreen::RiskScreen(SignalConfig config, std::unique_ptr<TreeModel> model,
                       std::vector<int> model_features)
    : config_(std::move(config)),
      model_(std::move(model)),
      model_features_(std::move(model_features)) {}

Result<std::unique_ptr<RiskScreen>> RiskScreen::Create(SignalConfig config,
                                                       std::unique_ptr<TreeModel> model) {
  std::vector<int> features;
  if (model) {
    for (const std::string& name : model->feature_names()) {
      std::optional<Signal> s = ParseSignal(name);
      if (!s) {
        return InvalidArgumentError("the model was trained on feature '" + name +
                                    "', which this build does not compute; retrain it with "
                                    "`orderpilot risk train`");
      }
      features.push_back(static_cast<int>(*s));
    }
  }
  return std::unique_ptr<RiskScreen>(
      new RiskScreen(std::move(config), std::move(model), std::move(features)));
}

Result<std::unique_ptr<RiskScreen>> RiskScreen::Open(SignalConfig config,
                                                     const std::string& model_path) {
  std::unique_ptr<TreeModel> model;
  if (!model_path.empty()) {
    OP_ASSIGN_OR_RETURN(TreeModel loaded, TreeModel::Load(model_path));
    model = std::make_unique<TreeModel>(std::move(loaded));
  }
  return Create(std::move(config), std::move(model));
}

Status RiskScreen::SetKeyHasher(KeyHasher hasher) {
  return history_.SetKeyHasher(std::move(hasher));
}

void RiskScreen::Remember(const Order& order, uint64_t order_key) const {
  (void)history_.Observe(order, order_key);
}

void RiskScreen::Assess(const Order& order, uint64_t order_key, RiskAssessment& out) const {
  const HistoryView view = history_.Observe(order, order_key);
  out.signals = ComputeSignals(order, view, config_);
  out.contributions.fill(0);
  out.model = model_ != nullptr;
  if (model_) {
    Scratch& s = ThreadScratch();
    const size_t n = model_features_.size();
    s.x.resize(n);
    s.contributions.resize(n);
    for (size_t i = 0; i < n; ++i) s.x[i] = out.signals[static_cast<size_t>(model_features_[i])];
    double margin = 0;
    model_->Explain(s.x, s.contributions, &margin);
    for (size_t i = 0; i < n; ++i) {
      out.contributions[static_cast<size_t>(model_features_[i])] += s.contributions[i];
    }
    out.score = 1.0 / (1.0 + std::exp(-margin));
  } else {
    out.score = WeightedScore(out.signals, out.contributions);
  }
  out.reasons = TopReasons(out.signals, out.contributions, 3);
}

std::string RiskScreen::Describe() const {
  if (!model_) return "weighted signals (no trained model)";
  std::string d = "a model of " + std::to_string(model_->num_trees()) + " trees";
  auto it = model_->attributes().find("orderpilot_trained_until");
  if (it != model_->attributes().end()) d += " trained on orders until " + it->second;
  return d;
}

std::string AssessmentJson(const RiskAssessment& a) {
  JsonWriter w(1024);
  w.BeginObject()
      .Field("score", std::round(a.score * 10000) / 10000)
      .Field("model", a.model ? "model" : "weighted")
      .Key("reasons")
      .BeginArray();
  for (const Reason& r : a.reasons) {
    w.BeginObject()
        .Field("signal", SignalName(r.signal))
        .Field("value", r.value)
        .Field("contribution", std::round(r.contribution * 10000) / 10000)
        .Field("text", r.text)
        .EndObject();
  }
  if (!a.model) {
    w.BeginObject()
        .Field("signal", "")
        .Field("text", "scored with weighted signals: no trained model is configured")
        .EndObject();
  }
  w.EndArray().Key("signals").BeginObject();
  for (size_t i = 0; i < a.signals.size(); ++i) {
    const float v = a.signals[i];
    // Most signals are 0 on most orders: leaving those out (absent = 0) makes the event every
    // order carries about a third smaller.
    if (v == 0) continue;
    if (std::isnan(v)) {
      w.Key(SignalName(static_cast<Signal>(i))).Null();
    } else {
      w.Field(SignalName(static_cast<Signal>(i)), v);
    }
  }
  w.EndObject().EndObject();
  return w.Take();
}

std::string AssessmentSummary(const RiskAssessment& a) {
  std::string s = Score2(a.score) + (a.model ? " (model)" : " (weighted signals, no model)");
  for (size_t i = 0; i < a.reasons.size(); ++i) s += (i == 0 ? ": " : "; ") + a.reasons[i].text;
  return s;
}

}  // namespace orderpilot::risk
