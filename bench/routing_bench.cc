// Router::Plan per order: 10 locations, 5 lines, 3 carriers × 4 services, 1024 different orders
// (destinations, stock, weights) cycled through.
//
//   build-bench/bench/routing_bench --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "routing/router.h"

namespace orderpilot::routing {
namespace {

struct Place {
  const char* code;
  const char* postcode;
  const char* zone;
  int region;  // 0..9, west to east, for the zone chart
};

constexpr Place kSites[] = {
    {"seattle", "98108", "America/Los_Angeles", 0}, {"reno", "89502", "America/Los_Angeles", 1},
    {"la", "90058", "America/Los_Angeles", 1},      {"denver", "80216", "America/Denver", 3},
    {"dallas", "75261", "America/Chicago", 4},      {"chicago", "60638", "America/Chicago", 6},
    {"memphis", "38118", "America/Chicago", 6},     {"columbus", "43217", "America/New_York", 7},
    {"atlanta", "30336", "America/New_York", 8},    {"newark", "07114", "America/New_York", 9},
};

// West-to-east region of a 2-digit ZIP prefix (coarse: from the first digit).
int RegionOfZip2(int zip2) {
  static constexpr int kByFirstDigit[] = {9, 9, 8, 7, 7, 5, 6, 4, 2, 0};
  return kByFirstDigit[zip2 / 10];
}

// One carrier file: one origin zone per site, a destination zone per 2-digit ZIP prefix, price
// zones 2..8 by distance, four services with 16 weight brackets up to 70 lb.
std::string CarrierYaml(const std::string& name, const std::string& code, double scale,
                        int divisor) {
  std::string y = "carrier: " + name + "\ncode: " + code +
                  "\ncurrency: USD\ndim_divisor: " + std::to_string(divisor) + "\norigin_zones:\n";
  for (const Place& p : kSites) {
    y += "  " + std::string(p.code) + ": {country: US, postcodes: [" + std::string(p.postcode, 3) +
         "]}\n";
  }
  y += "destination_zones:\n";
  for (int z = 0; z < 100; ++z) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "  d%02d: {country: US, postcodes: [\"%02d\"]}\n", z, z);
    y += buf;
  }
  y += "zone_chart:\n";
  for (const Place& p : kSites) {
    y += "  " + std::string(p.code) + ":\n";
    for (int pz = 2; pz <= 8; ++pz) {
      std::string list;
      for (int z = 0; z < 100; ++z) {
        const int d = std::abs(RegionOfZip2(z) - p.region);
        if (std::min(8, 2 + d) != pz) continue;
        char buf[8];
        std::snprintf(buf, sizeof buf, "d%02d", z);
        list += list.empty() ? buf : std::string(", ") + buf;
      }
      if (!list.empty()) y += "    \"" + std::to_string(pz) + "\": [" + list + "]\n";
    }
  }
  const int weights[] = {1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 70};
  struct Kind {
    const char* suffix;
    double base, per_lb;
    int days[7];
  } kinds[] = {{"ground", 9.0, 0.9, {1, 2, 3, 3, 4, 4, 5}},
               {"3day", 20.0, 2.0, {3, 3, 3, 3, 3, 3, 3}},
               {"2day", 25.0, 2.8, {2, 2, 2, 2, 2, 2, 2}},
               {"overnight", 55.0, 5.0, {1, 1, 1, 1, 1, 1, 1}}};
  y += "services:\n";
  for (const Kind& k : kinds) {
    y += "  - code: " + code + "-" + k.suffix + "\n    name: " + name + " " + k.suffix +
         "\n    weights_lb: [";
    for (int w : weights) y += std::to_string(w) + (w == 70 ? "]\n" : ", ");
    y += "    rates:\n";
    for (int pz = 2; pz <= 8; ++pz) {
      y += "      \"" + std::to_string(pz) + "\": {days: " + std::to_string(k.days[pz - 2]) +
           ", prices: [";
      for (int w : weights) {
        const double zone_factor = 1.0 + 0.12 * (pz - 2);
        const double price = scale * zone_factor * (k.base + k.per_lb * (w - 1));
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.2f", price);
        y += buf + std::string(w == 70 ? "]}\n" : ", ");
      }
    }
  }
  return y;
}

struct Fixture {
  std::shared_ptr<const Router> router;
  std::vector<RouteRequest> requests;
};

Fixture MakeFixture() {
  Fixture fx;
  RateTables tables;
  {
    // Three carrier files, written to a temporary directory and loaded as a shop would.
    std::vector<std::string> files;
    const std::pair<std::string, std::string> carriers[] = {
        {"UPS", "ups"}, {"FedEx", "fedex"}, {"USPS", "usps"}};
    const double scales[] = {1.0, 1.03, 0.95};
    const int divisors[] = {5000, 5000, 6000};
    char dir[] = "/tmp/routing_bench_XXXXXX";
    if (mkdtemp(dir) == nullptr) std::abort();
    for (int c = 0; c < 3; ++c) {
      std::string path = std::string(dir) + "/" + carriers[c].second + ".yaml";
      std::FILE* out = std::fopen(path.c_str(), "wb");
      std::string text = CarrierYaml(carriers[c].first, carriers[c].second, scales[c], divisors[c]);
      std::fwrite(text.data(), 1, text.size(), out);
      std::fclose(out);
      files.push_back(path);
    }
    auto loaded = RateTables::Load(files);
    std::filesystem::remove_all(dir);
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s\n", loaded.status().message().c_str());
      std::abort();
    }
    tables = std::move(loaded).value();
  }
  const Currency usd = *Currency::Parse("USD");
  std::vector<Site> sites;
  for (const Place& p : kSites) {
    sites.push_back(
        Site{p.code, p.code, "US", p.postcode, Money(150, usd), 15 * 60, *TimeZone::Load(p.zone)});
  }
  auto router = Router::Create(std::move(tables), std::move(sites));
  if (!router.ok()) {
    std::fprintf(stderr, "%s\n", router.status().message().c_str());
    std::abort();
  }
  fx.router = *router;

  std::mt19937 rng(42);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const Timestamp monday{1741600800LL * 1'000'000};  // 2025-03-10T10:00:00Z
  for (int i = 0; i < 1024; ++i) {
    RouteRequest r;
    for (int l = 0; l < 5; ++l) {
      r.lines.push_back(RouteLine{"SKU-" + std::to_string(uniform(1, 500)), uniform(1, 3),
                                  uniform(80, 2500), uniform(0, 1) ? uniform(200, 8000) : 0});
    }
    for (int s = 0; s < 10; ++s) {
      Candidate c{s, {}};
      for (const RouteLine& l : r.lines) {
        c.available.push_back(uniform(0, 9) < 7 ? l.quantity + uniform(0, 20)
                                                : uniform(0, static_cast<int>(l.quantity) - 1));
      }
      r.candidates.push_back(std::move(c));
    }
    char zip[8];
    std::snprintf(zip, sizeof zip, "%05d", uniform(1000, 99499));
    r.destination_country = "US";
    r.destination_postcode = zip;
    r.promise.speed = uniform(0, 9) < 8 ? Speed::kStandard : Speed::kExpress;
    r.now = Timestamp{monday.micros + static_cast<int64_t>(uniform(0, 4 * 86400)) * 1'000'000};
    r.split_penalty = Money(200, usd);
    fx.requests.push_back(std::move(r));
  }
  return fx;
}

Fixture& GetFixture() {
  static Fixture f = MakeFixture();
  return f;
}

void BM_Plan(benchmark::State& state) {
  Fixture& f = GetFixture();
  size_t i = 0, split = 0, single = 0, none = 0;
  for (auto _ : state) {
    auto plan = f.router->Plan(f.requests[i++ & 1023]);
    benchmark::DoNotOptimize(plan);
    const size_t n = plan->shipments.size();
    (n == 0 ? none : n == 1 ? single : split)++;
  }
  state.counters["split%"] = 100.0 * split / std::max<size_t>(1, split + single + none);
  state.counters["none%"] = 100.0 * none / std::max<size_t>(1, split + single + none);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Plan);

}  // namespace
}  // namespace orderpilot::routing

BENCHMARK_MAIN();
