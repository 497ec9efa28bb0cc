// The fraud screen per order, single thread: signals (with the sliding-window history) + a
// 200-tree model's score + exact SHAP contributions + the top 3 reasons in words — what the
// decide step does for every order. The model is trained at start on 20,000 simulated labelled
// orders (max depth 4, all 200 trees kept), and the orders scored are 4,096 other simulated
// orders (about two weeks of a shop's traffic, with its returning customers and card-testing
// bursts) in created_at order, each with a fresh history key. After the last one, every order is
// moved forward by the stream's span plus a day (outside the timed loop), so the history keeps
// pruning as it does live instead of piling up repeats of the same customers.
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
  int64_t span_micros = 0;  // last created_at − first created_at + 24 h
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
    auto screen = risk::RiskScreen::Create(risk::SignalConfig{},
                                           std::make_unique<risk::TreeModel>(std::move(*tree)));
    auto weighted = risk::RiskScreen::Create(risk::SignalConfig{}, nullptr);
    if (!screen.ok() || !weighted.ok()) return s;
    s->screen = std::move(screen).value();
    s->weighted = std::move(weighted).value();
    app::OrderSimulator sim(99, "bench-shop.myshopify.com");
    while (s->orders.size() < 4096) {
      auto order =
          ingest::NormaliseShopifyOrder(sim.NextOrderCreate().body, "bench-shop.myshopify.com");
      if (order.ok()) s->orders.push_back(std::move(*order));
    }
    s->span_micros = s->orders.back().created_at.micros - s->orders.front().created_at.micros +
                     int64_t{24} * 3600 * 1000000;
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
  std::vector<Order> orders = s.orders;  // this run's copy: its times move forward per pass
  risk::RiskAssessment a;
  uint64_t key = 1;
  size_t i = 0;
  for (auto _ : state) {
    screen->Assess(orders[i], key++, a);
    benchmark::DoNotOptimize(a.score);
    benchmark::DoNotOptimize(a.reasons.data());
    if (++i == orders.size()) {
      state.PauseTiming();
      for (Order& o : orders) {
        o.created_at.micros += s.span_micros;
        if (o.customer.created_at) o.customer.created_at->micros += s.span_micros;
      }
      i = 0;
      state.ResumeTiming();
    }
  }
  state.counters["trees"] = s.trees;
}

void BM_AssessWithModel(benchmark::State& state) { Assess(state, TheSetup().screen.get()); }
BENCHMARK(BM_AssessWithModel)->Repetitions(5)->ReportAggregatesOnly(true);

void BM_AssessWeighted(benchmark::State& state) { Assess(state, TheSetup().weighted.get()); }
BENCHMARK(BM_AssessWeighted)->Repetitions(5)->ReportAggregatesOnly(true);

}  // namespace
}  // namespace orderpilot

BENCHMARK_MAIN();
