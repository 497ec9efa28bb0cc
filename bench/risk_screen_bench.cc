// The fraud screen per order, single thread: signals (with the sliding-window history) + a
// 200-tree model's score + exact SHAP contributions + the top 3 reasons in words — what the
// decide step does for every order. The model is trained at start on 20,000 simulated labelled
// orders (max depth 4, all 200 trees kept), and the orders scored are 4,096 other simulated
// orders, in turn, each with a fresh history key.
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "app/risk_cli.h"
#include "app/simulator.h"
#include "ingest/shopify_order.h"
#include "risk/screen.h"
#include "risk/trainer.h"
#include "risk/tree_model.h"

namespace orderpilot {
namespace {

struct Setup {
  std::unique_ptr<risk::RiskScreen> screen;
  std::unique_ptr<risk::RiskScreen> weighted;
  std::vector<Order> orders;
  int trees = 0;
};

const Setup& TheSetup() {
  static const Setup* setup = [] {
    auto* s = new Setup;
    risk::TrainOptions o;
    o.max_trees = 200;
    o.early_stopping_rounds = 0;  // keep all 200 trees: the size the target names
    auto model = app::TrainOnSimulatedHistory(7, 20000, app::Config{}, o);
    if (!model.ok()) return s;
    auto tree = risk::TreeModel::FromXgboostJson(model->json);
    if (!tree.ok()) return s;
    s->trees = static_cast<int>(tree->num_trees());
    s->screen = std::move(*risk::RiskScreen::Create(
        risk::SignalConfig{}, std::make_unique<risk::TreeModel>(std::move(*tree))));
    s->weighted = std::move(*risk::RiskScreen::Create(risk::SignalConfig{}, nullptr));
    app::OrderSimulator sim(99, "bench-shop.myshopify.com");
    while (s->orders.size() < 4096) {
      auto order =
          ingest::NormaliseShopifyOrder(sim.NextOrderCreate().body, "bench-shop.myshopify.com");
      if (order.ok()) s->orders.push_back(std::move(*order));
    }
    return s;
  }();
  return *setup;
}

void Assess(benchmark::State& state, const risk::RiskScreen* screen) {
  const Setup& s = TheSetup();
  if (!screen) {
    state.SkipWithError("model training failed");
    return;
  }
  risk::RiskAssessment a;
  uint64_t key = 1;
  size_t i = 0;
  for (auto _ : state) {
    screen->Assess(s.orders[i], key++, a);
    benchmark::DoNotOptimize(a.score);
    benchmark::DoNotOptimize(a.reasons.data());
    i = (i + 1) % s.orders.size();
  }
  state.counters["trees"] = s.trees;
}

void BM_AssessWithModel(benchmark::State& state) { Assess(state, TheSetup().screen.get()); }
BENCHMARK(BM_AssessWithModel);

void BM_AssessWeighted(benchmark::State& state) { Assess(state, TheSetup().weighted.get()); }
BENCHMARK(BM_AssessWeighted);

}  // namespace
}  // namespace orderpilot

BENCHMARK_MAIN();
