// Google Benchmark: the hot path's pieces, and the pipeline's sustained rate over 100,000 stored
// orders. Run through `make bench` (bench/run.sh), which also runs wrk against the server.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <thread>

#include "app/simulator.h"
#include "core/order_json.h"
#include "ingest/shopify_order.h"
#include "ingest/shopify_webhook.h"
#include "pipeline/pipeline.h"
#include "pipeline/validate.h"
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

// Seeds N stored orders (as the webhook path stores them), then times the pipeline taking all of
// them to accepted/held with 2 (the default), 4 and 8 workers. Reports orders/s.
void BM_PipelineDrain(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    char tmpl[] = "/tmp/op-bench-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    SystemClock clock;
    store::SqliteOptions so;
    so.path = dir + "/db.sqlite";
    so.clock = &clock;
    auto store = store::SqliteStore::Open(so);
    if (!store.ok()) {
      state.SkipWithError(store.status().ToString().c_str());
      return;
    }
    // Seed from 8 threads so the group commit batches the inserts.
    std::vector<std::thread> seeders;
    for (int t = 0; t < 8; ++t) {
      seeders.emplace_back([&, t] {
        app::OrderSimulator sim(1000 + static_cast<uint64_t>(t), kShop);
        for (int i = t; i < n; i += 8) {
          auto w = sim.NextOrderCreate();
          auto d = ingest::ShopifyDelivery(
              {"", "orders/create", kShop, w.webhook_id, w.event_id, "2026-04", ""}, w.body,
              clock.Now());
          if (d.ok()) (void)(*store)->Ingest(*d);
        }
      });
    }
    for (auto& t : seeders) t.join();
    pipeline::PipelineOptions po;
    po.workers = static_cast<int>(state.range(1));
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
    state.counters["held"] = static_cast<double>(stats.held);
    state.counters["orders_per_s"] = static_cast<double>(stats.processed) / seconds;
    p.Stop();
    store->reset();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
}
BENCHMARK(BM_PipelineDrain)
    ->ArgNames({"orders", "workers"})
    ->Args({100000, 2})
    ->Args({100000, 4})
    ->Args({100000, 8})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kSecond);

}  // namespace
}  // namespace orderpilot

BENCHMARK_MAIN();
