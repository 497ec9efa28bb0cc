// Google Benchmark: the hot path's pieces, and the pipeline's sustained rate over 100,000 stored
// orders, without and with fulfillment (examples/orderpilot.yaml's locations, catalog and rate
// tables). Run through `make bench` (bench/run.sh), which also runs wrk against the server.
#include <benchmark/benchmark.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <thread>

#include "app/config.h"
#include "app/fulfillment.h"
#include "app/risk_cli.h"
#include "app/simulator.h"
#include "core/order_json.h"
#include "ingest/card_scrub.h"
#include "ingest/shopify_order.h"
#include "ingest/shopify_webhook.h"
#include "pipeline/pipeline.h"
#include "pipeline/validate.h"
#include "privacy/field_seal.h"
#include "privacy/keyring.h"
#include "privacy/sealed_store.h"
#include "risk/screen.h"
#include "risk/tree_model.h"
#include "store/audit_chain.h"
#include "store/sqlite_store.h"

namespace orderpilot {
namespace {

constexpr char kShop[] = "bench-shop.myshopify.com";
constexpr char kSecret[] = "bench-webhook-secret";

std::string SampleBody() {
  app::OrderSimulator sim(42, kShop);
  for (;;) {
    auto w = sim.NextOrderCreate();
    if (!w.expected_hold && w.body.size() >= 2900) return w.body;
  }
}

void BM_VerifyShopifyHmac(benchmark::State& state) {
  std::string body = SampleBody();
  std::string mac = ingest::SignShopifyBody(body, kSecret);
  for (auto _ : state) benchmark::DoNotOptimize(ingest::VerifyShopifyHmac(body, mac, kSecret));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_VerifyShopifyHmac);

void BM_NormaliseShopifyOrder(benchmark::State& state) {
  std::string body = SampleBody();
  for (auto _ : state) benchmark::DoNotOptimize(ingest::NormaliseShopifyOrder(body, kShop));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_NormaliseShopifyOrder);

// The card-data scrub every webhook body goes through before it is parsed or stored: a clean
// 3.3 KB order (the common case: one validating pass, no rewrite).
void BM_ScrubCardData(benchmark::State& state) {
  std::string body = SampleBody();
  for (auto _ : state) benchmark::DoNotOptimize(ingest::ScrubCardData(body));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_ScrubCardData);

// The audit chain's hash of one event whose payload is the canonical order (what the writer
// computes for every order.received event, under the write transaction).
void BM_EventChainHash(benchmark::State& state) {
  const std::string payload = EncodeOrder(*ingest::NormaliseShopifyOrder(SampleBody(), kShop));
  const std::string previous(64, 'a');
  int64_t seq = 1;
  for (auto _ : state) {
    benchmark::DoNotOptimize(store::EventChainHash(previous, seq, "order-1", 1, "order.received",
                                                   payload, "shopify", 1763650800000000));
    ++seq;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * payload.size()));
}
BENCHMARK(BM_EventChainHash);

void BM_EncodeCanonicalOrder(benchmark::State& state) {
  Order o = *ingest::NormaliseShopifyOrder(SampleBody(), kShop);
  for (auto _ : state) benchmark::DoNotOptimize(EncodeOrder(o));
}
BENCHMARK(BM_EncodeCanonicalOrder);

void BM_DecodeCanonicalOrder(benchmark::State& state) {
  std::string json = EncodeOrder(*ingest::NormaliseShopifyOrder(SampleBody(), kShop));
  for (auto _ : state) benchmark::DoNotOptimize(DecodeOrder(json));
}
BENCHMARK(BM_DecodeCanonicalOrder);

void BM_ValidateOrder(benchmark::State& state) {
  Order o = *ingest::NormaliseShopifyOrder(SampleBody(), kShop);
  for (auto _ : state) benchmark::DoNotOptimize(pipeline::ValidateOrder(o));
}
BENCHMARK(BM_ValidateOrder);

// A fresh key file and a data key in it, for the sealing benchmarks.
struct BenchKeys {
  std::string dir;
  std::unique_ptr<privacy::Keyring> keyring;
  BenchKeys() {
    char tmpl[] = "/tmp/op-bench-keys-XXXXXX";
    dir = mkdtemp(tmpl);
    static SystemClock clock;
    auto master = privacy::ParseMasterKey(privacy::GenerateMasterKeyText());
    auto k = privacy::Keyring::Open(dir + "/keys.db", {*master}, clock);
    if (k.ok()) keyring = std::move(*k);
  }
  ~BenchKeys() {
    keyring.reset();
    std::filesystem::remove_all(dir);
  }
};

// Sealing the personal fields of a 3.3 KB raw Shopify order body, and opening them again.
void BM_SealShopifyBody(benchmark::State& state) {
  BenchKeys keys;
  auto key = keys.keyring->NewDataKey();
  std::string body = SampleBody();
  for (auto _ : state) benchmark::DoNotOptimize(privacy::SealJson(body, *key));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_SealShopifyBody);

void BM_OpenShopifyBody(benchmark::State& state) {
  BenchKeys keys;
  auto key = keys.keyring->NewDataKey();
  std::string sealed = *privacy::SealJson(SampleBody(), *key);
  privacy::KeyLookup lookup = [&](std::string_view id) { return keys.keyring->Find(id); };
  for (auto _ : state) benchmark::DoNotOptimize(privacy::OpenJson(sealed, lookup));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * sealed.size()));
}
BENCHMARK(BM_OpenShopifyBody);

// Ingest as the webhook path does it after the signature check — card scrub, normalise, (seal,)
// commit — from 8 threads over distinct simulated orders/create bodies (a delivery whose customer
// is new draws a fresh data key from keys.db). range(0): deliveries;
// range(1): 0 = plain SqliteStore, 1 = SealedStore over it. Reports deliveries/s.
void BM_Ingest(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const bool sealed = state.range(1) != 0;
  std::vector<app::SimulatedWebhook> hooks;
  {
    app::OrderSimulator sim(77, kShop);
    for (int i = 0; i < n; ++i) hooks.push_back(sim.NextOrderCreate());
  }
  for (auto _ : state) {
    state.PauseTiming();
    char tmpl[] = "/tmp/op-bench-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    SystemClock clock;
    store::SqliteOptions so;
    so.path = dir + "/db.sqlite";
    so.clock = &clock;
    auto sqlite = store::SqliteStore::Open(so);
    if (!sqlite.ok()) {
      state.SkipWithError(sqlite.status().ToString().c_str());
      return;
    }
    std::unique_ptr<privacy::Keyring> keyring;
    std::unique_ptr<privacy::SealedStore> sealed_store;
    store::Store* target = sqlite->get();
    if (sealed) {
      auto master = privacy::ParseMasterKey(privacy::GenerateMasterKeyText());
      auto k = privacy::Keyring::Open(dir + "/keys.db", {*master}, clock);
      if (!k.ok()) {
        state.SkipWithError(k.status().ToString().c_str());
        return;
      }
      keyring = std::move(*k);
      sealed_store = std::make_unique<privacy::SealedStore>(**sqlite, *keyring);
      target = sealed_store.get();
    }
    std::atomic<int64_t> failures{0};
    state.ResumeTiming();
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = t; i < n; i += 8) {
          const app::SimulatedWebhook& w = hooks[static_cast<size_t>(i)];
          auto scrubbed = ingest::ScrubCardData(w.body);
          if (!scrubbed.ok()) {
            ++failures;
            continue;
          }
          auto d = ingest::ShopifyDelivery(
              {"", "orders/create", kShop, w.webhook_id, w.event_id, "2026-04", ""}, scrubbed->json,
              clock.Now());
          if (!d.ok() || !target->Ingest(*d).ok()) ++failures;
        }
      });
    }
    for (auto& t : threads) t.join();
    // The customer directory's backlog is part of the cost of sealed deliveries (plain ones have
    // no customer to file).
    const auto drain_start = std::chrono::steady_clock::now();
    if (sealed && !(*sqlite)->DrainCustomerLog().ok()) ++failures;
    state.counters["last_drain_ms"] =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - drain_start)
            .count();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    state.SetIterationTime(seconds);
    state.PauseTiming();
    state.counters["deliveries_per_s"] = static_cast<double>(n) / seconds;
    state.counters["failures"] = static_cast<double>(failures.load());
    const store::CommitStats commits = (*sqlite)->GetCommitStats();
    state.counters["writes_per_commit"] =
        static_cast<double>(commits.writes) /
        static_cast<double>(std::max<int64_t>(1, commits.batches));
    sealed_store.reset();
    sqlite->reset();
    // What the deliveries left on disk (the WAL is checkpointed on close), per delivery.
    std::error_code ec;
    state.counters["db_bytes_per_delivery"] =
        static_cast<double>(std::filesystem::file_size(so.path, ec)) / n;
    keyring.reset();
    if (std::getenv("OP_BENCH_KEEP") == nullptr) std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
}
BENCHMARK(BM_Ingest)
    ->ArgNames({"deliveries", "sealed"})
    ->Args({20000, 0})
    ->Args({20000, 1})
    ->Args({20000, 0})
    ->Args({20000, 1})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kSecond);

// Seeds N stored orders (as the webhook path stores them) from 8 threads, so the group commit
// batches the inserts.
void SeedOrders(store::Store& store, const Clock& clock, int n) {
  std::vector<std::thread> seeders;
  for (int t = 0; t < 8; ++t) {
    seeders.emplace_back([&, t] {
      app::OrderSimulator sim(1000 + static_cast<uint64_t>(t), kShop);
      for (int i = t; i < n; i += 8) {
        auto w = sim.NextOrderCreate();
        auto d = ingest::ShopifyDelivery(
            {"", "orders/create", kShop, w.webhook_id, w.event_id, "2026-04", ""}, w.body,
            clock.Now());
        if (d.ok()) (void)store.Ingest(*d);
      }
    });
  }
  for (auto& t : seeders) t.join();
}

// The demo configuration (examples/orderpilot.yaml) and the fulfillment built from it.
struct DemoFulfillment {
  app::Config config;
  app::Fulfillment fulfillment;
};

Result<DemoFulfillment> LoadDemoFulfillment() {
  app::FakeEnvironment env;
  env.Set("SHOPIFY_SECRET", kSecret);
  env.Set("ORDERPILOT_API_KEY", "bench-api-key-0123456789abcdef");
  env.Set("ORDERPILOT_MASTER_KEY", privacy::GenerateMasterKeyText());
  DemoFulfillment d;
  OP_ASSIGN_OR_RETURN(d.config, app::LoadConfigFile(OP_EXAMPLES_DIR "/orderpilot.yaml", env));
  OP_ASSIGN_OR_RETURN(d.fulfillment, app::BuildFulfillment(d.config));
  if (!d.fulfillment.setup) {
    return FailedPreconditionError("examples/orderpilot.yaml configures no locations");
  }
  return d;
}

// 10,000,000 units on hand of every catalog SKU at every location that may ship it, so every
// order that can be routed is allocated.
Status StockEverything(store::Store& store, const pipeline::FulfillmentSetup& setup) {
  std::vector<store::StockAdjustment> rows;
  for (const inventory::CatalogItem& item : setup.catalog.items()) {
    for (const inventory::Location& loc : setup.locations) {
      if (!loc.MayShip(item.sku)) continue;
      store::StockAdjustment a;
      a.sku = item.sku;
      a.location = loc.code;
      a.mode = store::AdjustmentMode::kSet;
      a.quantity = 10'000'000;
      a.reason = "bench";
      a.idempotency_key = "bench-stock:" + item.sku + "@" + loc.code;
      a.actor = "bench";
      rows.push_back(std::move(a));
    }
  }
  OP_ASSIGN_OR_RETURN(std::vector<store::AdjustmentOutcome> outcomes, store.AdjustStockAll(rows));
  (void)outcomes;
  return Status::Ok();
}

// The fraud screen with a 200-tree model trained on simulated history (built once).
const risk::RiskScreen* ModelScreen() {
  static const std::unique_ptr<risk::RiskScreen> screen = [] {
    risk::TrainOptions o;
    o.early_stopping_rounds = 0;
    auto model = app::TrainOnSimulatedHistory(7, 20000, app::Config{}, o);
    if (!model.ok()) return std::unique_ptr<risk::RiskScreen>();
    auto tree = risk::TreeModel::FromXgboostJson(model->json);
    if (!tree.ok()) return std::unique_ptr<risk::RiskScreen>();
    auto s = risk::RiskScreen::Create(risk::SignalConfig{},
                                      std::make_unique<risk::TreeModel>(std::move(*tree)));
    return s.ok() ? std::move(*s) : std::unique_ptr<risk::RiskScreen>();
  }();
  return screen.get();
}

// Seeds `orders` stored orders, then times the pipeline taking all of them as far as it goes:
// to accepted/held without fulfillment; with it (the demo configuration's locations, catalog and
// rate tables, the store's stock observer the Shopify inventory sync, every SKU stocked) on to
// allocated (reservations, allocation and routing events, fulfillment requests and inventory
// updates in the outbox), backordered or held. With `with_risk`, the fraud screen
// (ModelScreen) scores every order in the decide step and holds or cancels the risky ones.
// Reports orders/s and the outcomes.
void Drain(benchmark::State& state, bool with_fulfillment, bool with_risk = false) {
  const int n = static_cast<int>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    std::optional<DemoFulfillment> demo;
    if (with_fulfillment) {
      auto loaded = LoadDemoFulfillment();
      if (!loaded.ok()) {
        state.SkipWithError(loaded.status().ToString().c_str());
        return;
      }
      demo.emplace(std::move(loaded).value());
    }
    char tmpl[] = "/tmp/op-bench-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    SystemClock clock;
    store::SqliteOptions so;
    so.path = dir + "/db.sqlite";
    so.clock = &clock;
    if (demo) so.stock_observer = demo->fulfillment.sync.get();
    auto store = store::SqliteStore::Open(so);
    if (!store.ok()) {
      state.SkipWithError(store.status().ToString().c_str());
      return;
    }
    SeedOrders(**store, clock, n);
    pipeline::PipelineOptions po;
    po.workers = static_cast<int>(state.range(1));
    if (with_risk) {
      po.screen.screen = ModelScreen();
      if (!po.screen.screen) {
        state.SkipWithError("could not train the fraud model");
        return;
      }
    }
    if (demo) {
      Status stocked = StockEverything(**store, *demo->fulfillment.setup);
      if (!stocked.ok()) {
        state.SkipWithError(stocked.ToString().c_str());
        return;
      }
      po.fulfillment = demo->fulfillment.setup.get();
    }
    pipeline::Pipeline p(**store, clock, po);
    state.ResumeTiming();
    auto start = std::chrono::steady_clock::now();
    (void)p.Start();
    p.WaitIdle(std::chrono::minutes(10));
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    state.SetIterationTime(seconds);
    state.PauseTiming();
    auto stats = p.Stats();
    state.counters["orders"] = static_cast<double>(stats.processed);
    state.counters["orders_per_s"] = static_cast<double>(stats.processed) / seconds;
    state.counters["accepted"] = static_cast<double>(stats.accepted);
    state.counters["held"] = static_cast<double>(stats.held);
    state.counters["allocated"] = static_cast<double>(stats.allocated);
    state.counters["backordered"] = static_cast<double>(stats.backordered);
    // Any other state: with fulfillment, orders with nothing to ship (gift cards) go to shipped.
    state.counters["other"] = static_cast<double>(stats.processed - stats.accepted - stats.held -
                                                  stats.allocated - stats.backordered);
    state.counters["failures"] = static_cast<double>(stats.failures);
    p.Stop();
    store->reset();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
}

// Without fulfillment: orders stop at accepted (or held), with 2 (the default), 4 and 8 workers.
void BM_PipelineDrain(benchmark::State& state) { Drain(state, /*with_fulfillment=*/false); }
BENCHMARK(BM_PipelineDrain)
    ->ArgNames({"orders", "workers"})
    ->Args({100000, 2})
    ->Args({100000, 4})
    ->Args({100000, 8})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kSecond);

// As BM_PipelineDrain with the fraud screen on (a 200-tree model): validate, score, decide.
void BM_PipelineDrainRisk(benchmark::State& state) {
  Drain(state, /*with_fulfillment=*/false, /*with_risk=*/true);
}
BENCHMARK(BM_PipelineDrainRisk)
    ->ArgNames({"orders", "workers"})
    ->Args({100000, 2})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kSecond);

// With fulfillment on (examples/orderpilot.yaml), 2 workers: validate, accept, allocate, route.
void BM_PipelineDrainFulfillment(benchmark::State& state) {
  Drain(state, /*with_fulfillment=*/true);
}
BENCHMARK(BM_PipelineDrainFulfillment)
    ->ArgNames({"orders", "workers"})
    ->Args({100000, 2})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kSecond);

}  // namespace
}  // namespace orderpilot

BENCHMARK_MAIN();
