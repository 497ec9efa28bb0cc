// app/risk_cli.h — the fraud screen's setup and commands: building the RiskScreen from the
// configuration, rebuilding its history at start, `orderpilot risk train|eval` and
// `orderpilot review stats`.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include "app/config.h"
#include "core/time.h"
#include "risk/ip_country.h"
#include "risk/screen.h"
#include "risk/signals.h"
#include "risk/trainer.h"
#include "store/store.h"

namespace orderpilot::app {

// What the screen reads besides orders: the IP-country table (when configured) must outlive
// every SignalConfig made from it.
struct RiskSetup {
  std::unique_ptr<risk::IpCountryTable> ip_countries;
  std::unique_ptr<risk::RiskScreen> screen;  // null when risk.enabled is false
};

// The signal configuration of config.risk (high-risk SKUs, forwarders, IP table).
risk::SignalConfig SignalConfigFor(const RiskConfig& config,
                                   const risk::IpCountryTable* ip_countries);

// Opens the IP table and the model named in config.risk; a missing or bad file refuses the
// start, naming it.
Result<RiskSetup> BuildRiskSetup(const RiskConfig& config);

// Feeds the orders received in the last config.history_days into the screen's history, so
// velocity and customer figures survive a restart. Returns how many were read.
Result<size_t> WarmRiskHistory(store::Store& store, const risk::RiskScreen& screen,
                               const RiskConfig& config, Timestamp now);

struct RiskTrainFlags {
  std::string data;                            // labelled CSV
  std::string out;                             // model file
  std::map<std::string, std::string> mapping;  // our column → the file's column
  int trees = 200;
  int max_depth = 4;
  double validation = 0.2;
  int threads = 0;
  // "time": the latest `validation` share of the orders is held out (how a shop meets the
  // future). "random": the orders are shuffled (seeded) after their signals are computed in time
  // order, then split — how most published results on public fraud datasets are made; for
  // comparison only, since a random split lets the model see the future.
  std::string split = "time";
  uint64_t seed = 1;  // the random split's shuffle
};

// `orderpilot risk train`: prints the split, the trees kept and ROC-AUC / PR-AUC / recall at
// a 2% review rate on the validation part. Returns the exit code.
int RiskTrainCommand(const RiskTrainFlags& flags, const Config& config, std::FILE* out,
                     std::FILE* err);

// `orderpilot risk eval`: the same figures for a saved model on any labelled file.
int RiskEvalCommand(const std::string& model, const std::string& data,
                    const std::map<std::string, std::string>& mapping, const Config& config,
                    std::FILE* out, std::FILE* err);

// "--map created_at=purchase_time" values → mapping; InvalidArgument for a malformed one.
Result<std::map<std::string, std::string>> ParseColumnMapping(
    const std::vector<std::string>& pairs);

// A model trained on `orders` labelled orders from the demo simulator (app/simulator.h) with
// `seed`: the demo's model, and the benchmarks'.
Result<risk::TrainedModel> TrainOnSimulatedHistory(uint64_t seed, int orders, const Config& config,
                                                   risk::TrainOptions options);

// A model trained on `orders` labelled orders from the demo simulator (app/simulator.h) with
// `seed`: the demo's model, and the benchmarks'.
Result<risk::TrainedModel> TrainOnSimulatedHistory(uint64_t seed, int orders, const Config& config,
                                                   risk::TrainOptions options);

// `orderpilot review stats`: per kind (and rule) the record of the last `days` days and what it
// suggests for the autonomy level (a table, or JSON with `json`).
int ReviewStatsCommand(const Config& config, int days, bool json, std::FILE* out, std::FILE* err);

}  // namespace orderpilot::app
