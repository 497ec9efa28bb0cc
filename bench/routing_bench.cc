// The allocate step's cost per order, and Router::Plan's alone: 10 locations, 5 lines,
// 3 carriers × 4 services, 1024 different orders (destinations, quantities, stock) cycled through.
//
//   BM_Plan                    routing::Router::Plan on a prepared RouteRequest.
//   BM_AllocateRouteAndChoose  pipeline::PlanAllocation on a canonical Order: merge the shipped
//                              lines, read the batch's StockLedger, route and choose the carrier
//                              service, take the stock, and build the order.allocated and
//                              order.routed events and one ShipStation-shaped outbox payload per
//                              parcel — all the pipeline's allocate step does short of the store.
//                              The ledger is re-loaded every 1024 orders, outside the timed region,
//                              so every cycle sees the same stock and no line runs out.
// Each runs 5 repetitions; the issue's target is a median of at most 20 µs for the allocate step
// on one thread (bench/run.sh BUILD_DIR routing prints the verdict).
//
//   build-bench/bench/routing_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "core/order.h"
#include "inventory/catalog.h"
#include "inventory/location.h"
#include "pipeline/allocation.h"
#include "routing/router.h"
#include "store/stock.h"

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

const Currency& Usd() {
  static const Currency usd = *Currency::Parse("USD");
  return usd;
}

constexpr int64_t kMondayMicros = 1741600800LL * 1'000'000;  // 2025-03-10T10:00:00Z
constexpr int kOrders = 1024;                                // cycled through; a power of two
constexpr int kSkus = 500;                                   // SKU-1 … SKU-500

// Three carrier files, written to a temporary directory and loaded as a shop would, and the
// router over them and the ten sites.
std::shared_ptr<const Router> MakeRouter() {
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
  auto tables = RateTables::Load(files);
  std::filesystem::remove_all(dir);
  if (!tables.ok()) {
    std::fprintf(stderr, "%s\n", tables.status().message().c_str());
    std::abort();
  }
  std::vector<Site> sites;
  for (const Place& p : kSites) {
    sites.push_back(Site{p.code, p.code, "US", p.postcode, Money(150, Usd()), 15 * 60,
                         *TimeZone::Load(p.zone)});
  }
  auto router = Router::Create(std::move(tables).value(), std::move(sites));
  if (!router.ok()) {
    std::fprintf(stderr, "%s\n", router.status().message().c_str());
    std::abort();
  }
  return *router;
}

const std::shared_ptr<const Router>& SharedRouter() {
  static const std::shared_ptr<const Router> router = MakeRouter();
  return router;
}

struct PlanFixture {
  std::shared_ptr<const Router> router;
  std::vector<RouteRequest> requests;
};

PlanFixture MakePlanFixture() {
  PlanFixture fx;
  fx.router = SharedRouter();
  std::mt19937 rng(42);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int i = 0; i < kOrders; ++i) {
    RouteRequest r;
    for (int l = 0; l < 5; ++l) {
      r.lines.push_back(RouteLine{"SKU-" + std::to_string(uniform(1, kSkus)), uniform(1, 3),
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
    r.now = Timestamp{kMondayMicros + static_cast<int64_t>(uniform(0, 4 * 86400)) * 1'000'000};
    r.split_penalty = Money(200, Usd());
    fx.requests.push_back(std::move(r));
  }
  return fx;
}

PlanFixture& GetPlanFixture() {
  static PlanFixture f = MakePlanFixture();
  return f;
}

void BM_Plan(benchmark::State& state) {
  PlanFixture& f = GetPlanFixture();
  size_t i = 0, split = 0, single = 0, none = 0;
  for (auto _ : state) {
    auto plan = f.router->Plan(f.requests[i++ & (kOrders - 1)]);
    benchmark::DoNotOptimize(plan);
    const size_t n = plan->shipments.size();
    (n == 0 ? none : n == 1 ? single : split)++;
  }
  state.counters["split%"] = 100.0 * split / std::max<size_t>(1, split + single + none);
  state.counters["none%"] = 100.0 * none / std::max<size_t>(1, split + single + none);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Plan)->Unit(benchmark::kMicrosecond)->Repetitions(5)->DisplayAggregatesOnly(true);

// ---------------------------------------------------------------------------------------------
// The allocate step: a FulfillmentSetup over the same router, a catalog of the 500 SKUs, stock
// at the ten locations and 1024 canonical orders of 5 shipped lines each.

struct AllocationFixture {
  pipeline::FulfillmentSetup setup;
  std::vector<store::StockLevel> stock;  // what the ledger is re-loaded from every cycle
  std::vector<Order> orders;
  std::vector<Timestamp> now;  // when each order is allocated
};

// SKU-1 … SKU-500: product groups of five sizes sharing a weight; half the groups have
// dimensions (so dimensional weight applies), the others none.
std::string CatalogCsv(std::mt19937& rng) {
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  static constexpr const char* kSizes[] = {"XS", "S", "M", "L", "XL"};
  std::string csv =
      "sku,title,product_group,attributes,grams,length_cm,width_cm,height_cm,"
      "lead_time_days\n";
  for (int group = 0; group < kSkus / 5; ++group) {
    const std::string grams = std::to_string(uniform(80, 2500));
    std::string dims = ",,";
    if (uniform(0, 1)) {
      dims = std::to_string(uniform(10, 40)) + "," + std::to_string(uniform(10, 30)) + "." +
             std::to_string(uniform(0, 9)) + "," + std::to_string(uniform(2, 12));
    }
    const std::string lead = std::to_string(uniform(7, 45));
    for (int size = 0; size < 5; ++size) {
      csv += "SKU-" + std::to_string(group * 5 + size + 1) + ",Product " + std::to_string(group) +
             ",group-" + std::to_string(group) + ",size=" + kSizes[size] + ";color=black," + grams +
             "," + dims + "," + lead + "\n";
    }
  }
  return csv;
}

AllocationFixture MakeAllocationFixture() {
  AllocationFixture fx;
  std::mt19937 rng(7);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };

  auto catalog = inventory::Catalog::ParseCsv(CatalogCsv(rng), "bench-catalog.csv");
  if (!catalog.ok()) {
    std::fprintf(stderr, "%s\n", catalog.status().message().c_str());
    std::abort();
  }
  fx.setup.catalog = std::move(catalog).value();
  fx.setup.router = SharedRouter();
  fx.setup.split_penalty = Money(200, Usd());
  for (const Place& p : kSites) {
    inventory::Location loc;
    loc.code = p.code;
    loc.name = std::string(p.code) + " DC";
    loc.address.country_code = "US";
    loc.address.zip = p.postcode;
    loc.handling_cost = Money(150, Usd());
    loc.cutoff_minutes = 15 * 60;
    loc.time_zone = p.zone;
    if (loc.code == "dallas") {  // a store that only carries part of the range
      loc.kind = "store";
      loc.skus = {"SKU-1*"};
    }
    fx.setup.locations.push_back(std::move(loc));
  }

  // Stock: at each location a SKU is well stocked (70%), down to a few units (15%) or out
  // (15%); every SKU is well stocked somewhere, so over one cycle of 1024 orders no line is short
  // and splits happen only where no single location holds the whole order.
  for (int n = 1; n <= kSkus; ++n) {
    const std::string sku = "SKU-" + std::to_string(n);
    bool plenty = false;
    const size_t first = fx.stock.size();
    for (const inventory::Location& loc : fx.setup.locations) {
      if (!loc.MayShip(sku)) continue;
      store::StockLevel level;
      level.sku = sku;
      level.location = loc.code;
      const int r = uniform(0, 99);
      level.on_hand = r < 70 ? uniform(20, 150) : r < 85 ? uniform(1, 4) : 0;
      level.reserved = level.on_hand >= 20 ? uniform(0, 10) : 0;
      plenty = plenty || level.available() >= 10;
      fx.stock.push_back(std::move(level));
    }
    if (!plenty) fx.stock[first + static_cast<size_t>(n) % (fx.stock.size() - first)].on_hand = 60;
  }

  static constexpr const char* kFirst[] = {"Ava", "Liam", "Maya", "Noah", "Zoe", "Ethan"};
  static constexpr const char* kLast[] = {"Nguyen", "Smith", "Garcia", "Okafor", "Kim", "Rossi"};
  static constexpr std::pair<const char*, const char*> kCities[] = {
      {"Springfield", "IL"}, {"Portland", "OR"}, {"Austin", "TX"},
      {"Albany", "NY"},      {"Tampa", "FL"},    {"Boise", "ID"}};
  for (int i = 0; i < kOrders; ++i) {
    const Timestamp now{kMondayMicros + static_cast<int64_t>(uniform(0, 4 * 86400)) * 1'000'000};
    Order o;
    o.channel = "shopify";
    o.shop = "bench-shop.myshopify.com";
    o.channel_order_id = std::to_string(5'900'000'000'000LL + i);
    o.number = "#" + std::to_string(1001 + i);
    o.currency = Usd();
    o.created_at = Timestamp{now.micros - int64_t{90} * 1'000'000};
    o.email = "customer" + std::to_string(i) + "@example.com";
    Address a;
    a.first_name = kFirst[uniform(0, 5)];
    a.last_name = kLast[uniform(0, 5)];
    a.address1 = std::to_string(uniform(1, 9999)) + " Main St";
    if (uniform(0, 3) == 0) a.address2 = "Apt " + std::to_string(uniform(1, 40));
    const auto& city = kCities[uniform(0, 5)];
    a.city = city.first;
    a.province_code = city.second;
    a.country = "United States";
    a.country_code = "US";
    char zip[8];
    std::snprintf(zip, sizeof zip, "%05d", uniform(1000, 99499));
    a.zip = zip;
    a.phone = "+1 555 01" + std::to_string(uniform(10, 99));
    o.shipping_address = a;
    o.billing_address = a;
    std::vector<int> skus;
    while (skus.size() < 5) {
      const int n = uniform(1, kSkus);
      if (std::find(skus.begin(), skus.end(), n) == skus.end()) skus.push_back(n);
    }
    for (int n : skus) {
      const int64_t line_id =
          13'000'000'000LL + int64_t{i} * 8 + static_cast<int64_t>(o.line_items.size());
      const std::string sku = "SKU-" + std::to_string(n);
      const inventory::CatalogItem* item = fx.setup.catalog.Find(sku);
      LineItem li;
      li.channel_line_id = std::to_string(line_id);
      li.sku = sku;
      li.title = item->title;
      li.variant_title = item->attributes.front().second + " / Black";
      li.quantity = uniform(1, 3);
      li.unit_price = Money(uniform(900, 15000), Usd());
      li.grams = item->grams;
      o.line_items.push_back(std::move(li));
    }
    const bool express = uniform(0, 9) >= 8;
    ShippingLine sl;
    sl.title = express ? "Express" : "Standard Shipping";
    sl.code = express ? "EXPRESS" : "STANDARD";
    sl.source = "shopify";
    sl.price = Money(express ? 1995 : 595, Usd());
    o.shipping_lines.push_back(std::move(sl));
    fx.orders.push_back(std::move(o));
    fx.now.push_back(now);
  }
  return fx;
}

AllocationFixture& GetAllocationFixture() {
  static AllocationFixture f = MakeAllocationFixture();
  return f;
}

void BM_AllocateRouteAndChoose(benchmark::State& state) {
  AllocationFixture& f = GetAllocationFixture();
  pipeline::StockLedger ledger;
  pipeline::AllocationContext ctx{f.setup, ledger, [](const std::vector<std::string>&) {
                                    return std::vector<store::IncomingStock>{};
                                  }};
  size_t i = 0, allocated = 0, split = 0, backordered = 0, held = 0, bytes = 0;
  for (auto _ : state) {
    const size_t k = i++ & (kOrders - 1);
    if (k == 0) {  // a new cycle: the stock as it was (once per 1024 orders, not timed)
      state.PauseTiming();
      ledger.Load(f.setup, f.stock);
      state.ResumeTiming();
    }
    pipeline::AllocationRequest request;
    request.order_id = OrderId(static_cast<int64_t>(k) + 1);
    request.version = 2;
    pipeline::AllocationResult r = pipeline::PlanAllocation(request, f.orders[k], f.now[k], ctx);
    benchmark::DoNotOptimize(r);
    allocated += r.next == store::OrderState::kAllocated;
    split += r.outbox.size() > 1;
    backordered += r.next == store::OrderState::kBackordered;
    held += r.next == store::OrderState::kHeld;
    for (const store::NewEvent& e : r.events) bytes += e.payload.size();
    for (const store::OutboxMessage& m : r.outbox) bytes += m.payload.size();
  }
  const double n = static_cast<double>(std::max<size_t>(1, i));
  state.counters["allocated%"] = 100.0 * static_cast<double>(allocated) / n;
  state.counters["split%"] = 100.0 * static_cast<double>(split) / n;
  state.counters["backordered%"] = 100.0 * static_cast<double>(backordered) / n;
  state.counters["held%"] = 100.0 * static_cast<double>(held) / n;
  state.counters["json_bytes"] = static_cast<double>(bytes) / n;
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AllocateRouteAndChoose)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(5)
    ->DisplayAggregatesOnly(true);

}  // namespace
}  // namespace orderpilot::routing

BENCHMARK_MAIN();
