#include "app/risk_cli.h"

#include <algorithm>
#include <cinttypes>
#include <random>

#include "app/server.h"
#include "app/simulator.h"
#include "core/order_json.h"
#include "ingest/shopify_order.h"
#include "review/stats_report.h"
#include "risk/metrics.h"
#include "risk/trainer.h"
#include "risk/training_data.h"
#include "risk/tree_model.h"
#include "store/sqlite_store.h"

namespace orderpilot::app {
namespace {

int Print(std::FILE* err, const Status& s) {
  std::fprintf(err, "orderpilot: %s\n", s.message().c_str());
  return s.code() == StatusCode::kInternal ? 1 : 2;
}

// Labelled rows of `data` as model features (the same code path as live scoring).
Result<risk::FeatureRows> LoadRows(const std::string& data,
                                   const std::map<std::string, std::string>& mapping,
                                   const Config& config, RiskSetup& setup) {
  if (!config.risk.ip_country.empty()) {
    OP_ASSIGN_OR_RETURN(setup.ip_countries, risk::IpCountryTable::Open(config.risk.ip_country));
  }
  OP_ASSIGN_OR_RETURN(std::vector<risk::LabelledOrder> orders,
                      risk::ReadLabelledCsv(data, mapping));
  return risk::BuildFeatureRows(orders, SignalConfigFor(config.risk, setup.ip_countries.get()));
}

std::string Day(Timestamp t) { return FormatTimestamp(t).substr(0, 10); }

// Shuffles the rows (with their labels and times) in place, the same way for the same seed.
void ShuffleRows(risk::FeatureRows& r, uint64_t seed) {
  const size_t n = r.num_rows();
  const size_t k = n == 0 ? 0 : r.rows.size() / n;
  std::mt19937_64 rng(seed);
  for (size_t i = n; i > 1; --i) {  // Fisher–Yates, so the order does not depend on the library
    const size_t j = static_cast<size_t>(rng() % i);
    const size_t a = i - 1;
    if (j == a) continue;
    std::swap_ranges(r.rows.begin() + static_cast<std::ptrdiff_t>(a * k),
                     r.rows.begin() + static_cast<std::ptrdiff_t>((a + 1) * k),
                     r.rows.begin() + static_cast<std::ptrdiff_t>(j * k));
    std::swap(r.labels[a], r.labels[j]);
    std::swap(r.times[a], r.times[j]);
  }
}

}  // namespace

risk::SignalConfig SignalConfigFor(const RiskConfig& config,
                                   const risk::IpCountryTable* ip_countries) {
  risk::SignalConfig c;
  for (const std::string& sku : config.high_risk_skus) c.high_risk_skus.insert(sku);
  for (const RiskConfig::Forwarder& f : config.freight_forwarders) {
    risk::ForwarderAddress a;
    a.country_code = f.country_code;
    a.zip_prefix = f.zip_prefix;
    a.address1_substring = f.address_contains;
    c.forwarders.push_back(std::move(a));
  }
  c.ip_countries = ip_countries;
  return c;
}

Result<RiskSetup> BuildRiskSetup(const RiskConfig& config) {
  RiskSetup setup;
  if (!config.enabled) return setup;
  if (!config.ip_country.empty()) {
    auto table = risk::IpCountryTable::Open(config.ip_country);
    if (!table.ok()) {
      return InvalidArgumentError("risk.ip_country: " + table.status().message(),
                                  "risk.ip_country");
    }
    setup.ip_countries = std::move(*table);
  }
  auto screen =
      risk::RiskScreen::Open(SignalConfigFor(config, setup.ip_countries.get()), config.model);
  if (!screen.ok()) {
    return InvalidArgumentError("risk.model: " + screen.status().message(), "risk.model");
  }
  setup.screen = std::move(*screen);
  return setup;
}

Result<size_t> WarmRiskHistory(store::Store& store, const risk::RiskScreen& screen,
                               const RiskConfig& config, Timestamp now) {
  const Timestamp since{now.micros - int64_t{config.history_days} * 86'400'000'000};
  size_t read = 0;
  OrderId after(0);
  for (;;) {
    OP_ASSIGN_OR_RETURN(std::vector<store::OrderRecord> page,
                        store.OrdersCreatedSince(since, after, 5000));
    for (const store::OrderRecord& r : page) {
      after = r.id;
      auto order = DecodeOrder(r.order_json);
      if (!order.ok()) continue;  // the pipeline reports undecodable snapshots
      screen.Remember(*order, static_cast<uint64_t>(r.id.value()));
      ++read;
    }
    if (page.size() < 5000) break;
  }
  return read;
}

Result<std::map<std::string, std::string>> ParseColumnMapping(
    const std::vector<std::string>& pairs) {
  std::map<std::string, std::string> mapping;
  for (const std::string& p : pairs) {
    size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == p.size()) {
      return InvalidArgumentError("--map '" + p +
                                  "' is not ours=theirs (for example created_at=purchase_time)");
    }
    mapping[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return mapping;
}

int RiskTrainCommand(const RiskTrainFlags& flags, const Config& config, std::FILE* out,
                     std::FILE* err) {
  const bool random_split = flags.split == "random";
  if (!random_split && flags.split != "time") {
    return Print(err,
                 InvalidArgumentError("--split must be time or random, not '" + flags.split + "'"));
  }
  RiskSetup setup;
  auto rows = LoadRows(flags.data, flags.mapping, config, setup);
  if (!rows.ok()) return Print(err, rows.status());
  risk::TrainingSet set;
  set.feature_names = risk::SignalNames();
  if (random_split) {
    ShuffleRows(*rows, flags.seed);
  }
  set.rows = std::move(rows->rows);
  set.labels = std::move(rows->labels);
  risk::TrainOptions o;
  o.max_trees = flags.trees;
  o.max_depth = flags.max_depth;
  o.validation_fraction = flags.validation;
  o.threads = flags.threads;
  o.attributes["orderpilot_source"] = flags.data;
  const size_t n = set.num_rows();
  const size_t train_rows = risk::TrainingRows(n, flags.validation);
  if (n > 0 && !random_split) {
    o.attributes["orderpilot_trained_until"] = FormatTimestamp(rows->times[train_rows - 1]);
  }
  if (random_split) o.attributes["orderpilot_split"] = "random";
  auto model = risk::Train(set, o);
  if (!model.ok()) return Print(err, model.status());
  Status saved = risk::SaveModel(*model, flags.out);
  if (!saved.ok()) return Print(err, saved);
  int64_t positives = 0;
  for (float l : set.labels) positives += l > 0.5f ? 1 : 0;
  std::fprintf(out, "read %zu labelled orders (%" PRId64 " fraud) from %s\n", n, positives,
               flags.data.c_str());
  if (random_split) {
    std::fprintf(out,
                 "random split (seed %" PRIu64
                 "; for comparison only: the model sees the future): "
                 "train %zu orders, validate %zu orders\n",
                 flags.seed, train_rows, n - train_rows);
  } else if (n > 0 && train_rows > 0 && train_rows < n) {
    std::fprintf(
        out, "time-ordered split: train %zu orders %s .. %s, validate %zu orders %s .. %s\n",
        train_rows, Day(rows->times.front()).c_str(), Day(rows->times[train_rows - 1]).c_str(),
        n - train_rows, Day(rows->times[train_rows]).c_str(), Day(rows->times.back()).c_str());
  }
  std::fprintf(out, "kept %d trees (best round %d of at most %d), max depth %d\n", model->trees,
               model->best_iteration + 1, flags.trees, flags.max_depth);
  std::fprintf(out, "validation: %s\n", risk::FormatMetrics(model->validation).c_str());
  std::fprintf(out, "model written to %s\n", flags.out.c_str());
  return 0;
}

int RiskEvalCommand(const std::string& model_path, const std::string& data,
                    const std::map<std::string, std::string>& mapping, const Config& config,
                    std::FILE* out, std::FILE* err) {
  auto model = risk::TreeModel::Load(model_path);
  if (!model.ok()) return Print(err, model.status());
  RiskSetup setup;
  auto rows = LoadRows(data, mapping, config, setup);
  if (!rows.ok()) return Print(err, rows.status());
  // The model's features, in its order, from the signal columns.
  const std::vector<std::string> names = risk::SignalNames();
  std::vector<size_t> columns;
  for (const std::string& f : model->feature_names()) {
    auto it = std::find(names.begin(), names.end(), f);
    if (it == names.end()) {
      return Print(err, InvalidArgumentError("model feature '" + f +
                                             "' is not a signal this build computes"));
    }
    columns.push_back(static_cast<size_t>(it - names.begin()));
  }
  const size_t width = names.size();
  const size_t n = rows->labels.size();
  std::vector<double> scores(n);
  std::vector<float> x(columns.size());
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < columns.size(); ++j) x[j] = rows->rows[i * width + columns[j]];
    scores[i] = model->Probability(x);
  }
  risk::Metrics m = risk::Evaluate(scores, rows->labels);
  std::fprintf(out, "%s on %s: %s\n", model_path.c_str(), data.c_str(),
               risk::FormatMetrics(m).c_str());
  return 0;
}

Result<risk::TrainedModel> TrainOnSimulatedHistory(uint64_t seed, int orders, const Config& config,
                                                   risk::TrainOptions options) {
  constexpr std::string_view kShop = "demo-history.myshopify.com";
  OrderSimulator sim(seed, std::string(kShop));
  std::vector<risk::LabelledOrder> labelled;
  labelled.reserve(static_cast<size_t>(orders));
  for (int i = 0; i < orders; ++i) {
    SimulatedWebhook w = sim.NextOrderCreate();
    auto order = ingest::NormaliseShopifyOrder(w.body, kShop);
    if (!order.ok()) continue;  // a deliberately broken order: not history
    labelled.push_back({std::move(*order), w.fraud ? 1 : 0});
  }
  risk::FeatureRows rows = risk::BuildFeatureRows(labelled, SignalConfigFor(config.risk, nullptr));
  risk::TrainingSet set;
  set.feature_names = risk::SignalNames();
  set.rows = std::move(rows.rows);
  set.labels = std::move(rows.labels);
  options.attributes["orderpilot_source"] = "demo simulator";
  return risk::Train(set, options);
}

int ReviewStatsCommand(const Config& config, int days, bool json, std::FILE* out, std::FILE* err) {
  if (days < 1 || days > 3650) return Print(err, InvalidArgumentError("--days must be 1..3650"));
  SystemClock clock;
  auto store = OpenDataStore(config, clock, nullptr);
  if (!store.ok()) return Print(err, store.status());
  const Timestamp since{clock.Now().micros - int64_t{days} * 86'400'000'000};
  auto stats = (*store)->ReviewStats(since);
  if (!stats.ok()) return Print(err, stats.status());
  const std::string text =
      json ? review::StatsJson(*stats, config.review.autonomy, since, days) + "\n"
           : review::StatsTable(*stats, config.review.autonomy, since, days);
  std::fputs(text.c_str(), out);
  return 0;
}

}  // namespace orderpilot::app
