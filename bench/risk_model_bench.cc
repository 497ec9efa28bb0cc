// Scoring one order with the risk model: our tree evaluator vs. XGBoost itself. At setup a
// 200-tree binary:logistic model is trained (risk::Train, no early stopping) on 20,000 synthetic
// orders with 45 features (10% of values missing), once with max_depth 4 and once with 6; each
// benchmark then cycles through 1024 other rows, one row per iteration, on one thread.
//
//   BM_Probability/D              TreeModel::Probability.
//   BM_ProbabilityAndExplain/D    TreeModel::Explain with the margin (what risk/screen.cc does:
//                                 the score plus all 45 TreeSHAP values) and the sigmoid.
//   BM_XgboostProbability/D       XGBoost 1.7 in-place prediction of one dense row (nthread 1).
//   BM_XgboostContributions/D     XGBoost pred_contribs of one row: a 1-row DMatrix + predict.
// The target is a median of at most 30 µs for BM_ProbabilityAndExplain/4.
//
//   cmake -S . -B build-model-rel -G Ninja -DCMAKE_BUILD_TYPE=Release -DOP_BENCH=ON
//   ninja -C build-model-rel risk_model_bench
//   build-model-rel/bench/risk_model_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true   (one command line)
#include <benchmark/benchmark.h>
#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "risk/trainer.h"
#include "risk/tree_model.h"

namespace orderpilot::risk {
namespace {

constexpr size_t kFeatures = 45;
constexpr size_t kTrainRows = 20000;
constexpr size_t kBenchRows = 1024;

// Synthetic orders: continuous, count-like and flag-like features, 10% missing; fraud (~8%)
// depends on a dozen of them with interactions, the rest are noise.
TrainingSet MakeOrders(size_t rows, uint64_t seed) {
  TrainingSet set;
  for (size_t j = 0; j < kFeatures; ++j) set.feature_names.push_back("signal_" + std::to_string(j));
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<double> uniform;
  std::poisson_distribution<int> counts(1.5);
  set.rows.resize(rows * kFeatures);
  for (size_t i = 0; i < rows; ++i) {
    float* x = &set.rows[i * kFeatures];
    for (size_t j = 0; j < kFeatures; ++j) {
      switch (j % 3) {
        case 0:
          x[j] = normal(rng);
          break;
        case 1:
          x[j] = static_cast<float>(counts(rng));
          break;
        default:
          x[j] = uniform(rng) < 0.2 ? 1.0f : 0.0f;
      }
    }
    const double logit = -3.2 + 0.9 * x[0] + 0.4 * x[1] + 1.1 * x[2] - 0.7 * x[3] * x[5] +
                         0.5 * (x[4] > 2) + 0.6 * x[6] * x[8] - 0.4 * x[9] + 0.3 * x[10] +
                         0.8 * (x[12] > 1 && x[14] > 0) + 0.2 * x[13];
    set.labels.push_back(uniform(rng) < 1 / (1 + std::exp(-logit)) ? 1.0f : 0.0f);
    for (size_t j = 0; j < kFeatures; ++j) {
      if (uniform(rng) < 0.1) x[j] = std::numeric_limits<float>::quiet_NaN();
    }
  }
  return set;
}

struct Fixture {
  std::string json;
  std::unique_ptr<TreeModel> model;
  std::vector<float> rows;  // kBenchRows × kFeatures
};

const Fixture& ModelOfDepth(int depth) {
  static std::map<int, Fixture> fixtures;
  auto it = fixtures.find(depth);
  if (it != fixtures.end()) return it->second;
  TrainOptions options;
  options.max_trees = 200;
  options.max_depth = depth;
  options.early_stopping_rounds = 0;
  options.threads = 2;
  Result<TrainedModel> trained = Train(MakeOrders(kTrainRows, 1), options);
  if (!trained.ok()) {
    std::fprintf(stderr, "training failed: %s\n", trained.status().ToString().c_str());
    std::exit(1);
  }
  Result<TreeModel> model = TreeModel::FromXgboostJson(trained->json);
  if (!model.ok()) {
    std::fprintf(stderr, "loading failed: %s\n", model.status().ToString().c_str());
    std::exit(1);
  }
  Fixture f;
  f.json = trained->json;
  f.model = std::make_unique<TreeModel>(std::move(model).value());
  f.rows = MakeOrders(kBenchRows, 2).rows;
  std::fprintf(stderr, "depth %d: %zu trees, SHAP table %.1f MB\n", depth, f.model->num_trees(),
               static_cast<double>(f.model->shap_table_bytes()) / (1 << 20));
  return fixtures.emplace(depth, std::move(f)).first->second;
}

void BM_Probability(benchmark::State& state) {
  const Fixture& f = ModelOfDepth(static_cast<int>(state.range(0)));
  size_t i = 0;
  for (auto _ : state) {
    const std::span<const float> x(f.rows.data() + i * kFeatures, kFeatures);
    benchmark::DoNotOptimize(f.model->Probability(x));
    i = (i + 1) % kBenchRows;
  }
}
// The fastest repetition: on a shared machine, the least disturbed one.
double Fastest(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

BENCHMARK(BM_Probability)
    ->Arg(4)
    ->Arg(6)
    ->Unit(benchmark::kMicrosecond)
    ->ComputeStatistics("min", Fastest);

void BM_ProbabilityAndExplain(benchmark::State& state) {
  const Fixture& f = ModelOfDepth(static_cast<int>(state.range(0)));
  std::vector<double> contributions(kFeatures);
  size_t i = 0;
  for (auto _ : state) {
    const std::span<const float> x(f.rows.data() + i * kFeatures, kFeatures);
    double margin = 0;
    f.model->Explain(x, contributions, &margin);
    benchmark::DoNotOptimize(1 / (1 + std::exp(-margin)));
    benchmark::DoNotOptimize(contributions.data());
    benchmark::ClobberMemory();
    i = (i + 1) % kBenchRows;
  }
}
BENCHMARK(BM_ProbabilityAndExplain)
    ->Arg(4)
    ->Arg(6)
    ->Unit(benchmark::kMicrosecond)
    ->ComputeStatistics("min", Fastest);

// An XGBoost booster holding the fixture's model, one prediction thread.
struct XgbModel {
  BoosterHandle booster = nullptr;
  explicit XgbModel(const std::string& json) {
    XGBSetGlobalConfig(R"({"verbosity": 0})");
    if (XGBoosterCreate(nullptr, 0, &booster) != 0 ||
        XGBoosterLoadModelFromBuffer(booster, json.data(), json.size()) != 0 ||
        XGBoosterSetParam(booster, "nthread", "1") != 0) {
      std::fprintf(stderr, "XGBoost: %s\n", XGBGetLastError());
      std::exit(1);
    }
  }
  ~XgbModel() { XGBoosterFree(booster); }
};

void BM_XgboostProbability(benchmark::State& state) {
  const Fixture& f = ModelOfDepth(static_cast<int>(state.range(0)));
  XgbModel xgb(f.json);
  std::vector<std::string> arrays;  // __array_interface__ of each row
  for (size_t r = 0; r < kBenchRows; ++r) {
    arrays.push_back(R"({"data": [)" +
                     std::to_string(reinterpret_cast<uintptr_t>(f.rows.data() + r * kFeatures)) +
                     R"(, true], "shape": [1, )" + std::to_string(kFeatures) +
                     R"(], "typestr": "<f4", "version": 3})");
  }
  const char* config = R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0,)"
                       R"( "strict_shape": false, "missing": NaN, "cache_id": 0})";
  size_t i = 0;
  for (auto _ : state) {
    const bst_ulong* shape = nullptr;
    bst_ulong dims = 0;
    const float* out = nullptr;
    if (XGBoosterPredictFromDense(xgb.booster, arrays[i].c_str(), config, nullptr, &shape, &dims,
                                  &out) != 0) {
      state.SkipWithError(XGBGetLastError());
      break;
    }
    benchmark::DoNotOptimize(out[0]);
    i = (i + 1) % kBenchRows;
  }
}
BENCHMARK(BM_XgboostProbability)
    ->Arg(4)
    ->Arg(6)
    ->Unit(benchmark::kMicrosecond)
    ->ComputeStatistics("min", Fastest);

void BM_XgboostContributions(benchmark::State& state) {
  const Fixture& f = ModelOfDepth(static_cast<int>(state.range(0)));
  XgbModel xgb(f.json);
  const char* config = R"({"type": 2, "training": false, "iteration_begin": 0, "iteration_end": 0,)"
                       R"( "strict_shape": false})";
  size_t i = 0;
  for (auto _ : state) {
    DMatrixHandle row = nullptr;
    const bst_ulong* shape = nullptr;
    bst_ulong dims = 0;
    const float* out = nullptr;
    if (XGDMatrixCreateFromMat(f.rows.data() + i * kFeatures, 1, kFeatures,
                               std::numeric_limits<float>::quiet_NaN(), &row) != 0 ||
        XGBoosterPredictFromDMatrix(xgb.booster, row, config, &shape, &dims, &out) != 0) {
      state.SkipWithError(XGBGetLastError());
      break;
    }
    benchmark::DoNotOptimize(out[0]);
    XGDMatrixFree(row);
    i = (i + 1) % kBenchRows;
  }
}
BENCHMARK(BM_XgboostContributions)
    ->Arg(4)
    ->Arg(6)
    ->Unit(benchmark::kMicrosecond)
    ->ComputeStatistics("min", Fastest);

}  // namespace
}  // namespace orderpilot::risk

BENCHMARK_MAIN();
