// rule_bench: evaluations per second of the compiled reference rule (bench/rule_orders.h) in
// orderpilot's CEL, against the same condition hand-written in C++, over N distinct orders on one
// thread. Run through `bench/run.sh BUILD_DIR rules`, which adds the JS peers (bench/peers).
//
// Usage: rule_bench [N [PASSES]]   N orders (default 1,000,000), best of PASSES timed passes
//                                  (default 3) per engine, after one checked warm-up pass each.
//
// Per CEL evaluation, exactly what a rule engine does per order: ctx.Reset(); Bind(); Evaluate(),
// with one Activation and one EvalContext reused. The warm-up passes compare CEL with the
// hand-written rule order by order; any disagreement (or an error value) exits with status 1.
// Heap allocations are counted by this executable's replacement of the global operator new, so
// "allocs/eval" is every malloc made through new in a timed pass divided by N (expected: 0).
//
// Output: a table for people, then key=value lines for bench/run.sh:
//   data n=... seed=42 checksum=<16 hex> matched=...
//   engine=<name> evals_per_sec=... matched=... n=... seconds=... allocs_per_eval=...
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "expr/program.h"
#include "rule_orders.h"
#include "rules/order_env.h"

// ---- Counting global operator new/delete (this executable only) ----
// A replaced operator new cannot reach an object, so the counter is the one global here.
namespace {
std::atomic<uint64_t> g_allocations{0};

void* CountedAlloc(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* CountedAlignedAlloc(size_t size, std::align_val_t align) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  const size_t a = static_cast<size_t>(align);
  const size_t rounded = (std::max<size_t>(size, 1) + a - 1) / a * a;
  if (void* p = std::aligned_alloc(a, rounded)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(size_t size) { return CountedAlloc(size); }
void* operator new[](size_t size) { return CountedAlloc(size); }
void* operator new(size_t size, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](size_t size, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new(size_t size, std::align_val_t align) { return CountedAlignedAlloc(size, align); }
void* operator new[](size_t size, std::align_val_t align) {
  return CountedAlignedAlloc(size, align);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { std::free(p); }

namespace orderpilot::bench {
namespace {

constexpr uint32_t kSeed = 42;

struct PassResult {
  double seconds = 0;
  size_t matched = 0;
  size_t errors = 0;
  uint64_t allocations = 0;
};

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// The brief's CEL text of the reference rule, with kRuleCountries spelled out.
std::string ReferenceRuleSource() {
  std::string countries;
  for (std::string_view c : kRuleCountries) {
    if (!countries.empty()) countries += ", ";
    countries += '"';
    countries += c;
    countries += '"';
  }
  return "order.total > money(\"500.00\", order.currency) && "
         "customer.tags.exists(t, t == \"VIP\") && "
         "order.shipping_address.country_code in [" +
         countries +
         "] && "
         "order.line_items.exists(l, l.quantity > 10)";
}

// Keeps the optimiser from discarding a result without adding work to the loop.
void KeepAlive(size_t v) { asm volatile("" : : "r"(v) : "memory"); }

PassResult HandWrittenPass(const std::vector<Order>& orders, std::vector<uint8_t>* results) {
  PassResult r;
  const uint64_t allocs_before = g_allocations.load(std::memory_order_relaxed);
  const double t0 = Now();
  if (results != nullptr) {
    for (size_t i = 0; i < orders.size(); ++i) {
      (*results)[i] = HandWrittenReferenceRule(orders[i]) ? 1 : 0;
      r.matched += (*results)[i];
    }
  } else {
    for (const Order& o : orders) r.matched += HandWrittenReferenceRule(o) ? 1 : 0;
  }
  r.seconds = Now() - t0;
  r.allocations = g_allocations.load(std::memory_order_relaxed) - allocs_before;
  KeepAlive(r.matched);
  return r;
}

// With `expected`, also counts the orders where CEL disagrees with the hand-written rule (into
// r.errors, together with error values).
PassResult CelPass(const std::vector<Order>& orders, const rules::OrderEnv& env,
                   const expr::Program& program, expr::Activation& act, expr::EvalContext& ctx,
                   const std::vector<uint8_t>* expected) {
  rules::OrderFacts facts{.id = 1,
                          .state = "received",
                          .trigger = "order.received",
                          .actor = "pipeline",
                          .now = Timestamp{}};
  PassResult r;
  const uint64_t allocs_before = g_allocations.load(std::memory_order_relaxed);
  const double t0 = Now();
  for (size_t i = 0; i < orders.size(); ++i) {
    ctx.Reset();
    env.Bind(orders[i], facts, act, ctx);
    const expr::Value v = program.Evaluate(act, ctx);
    const bool is_bool = v.kind() == expr::Kind::kBool;
    const bool match = is_bool && v.bool_value();
    r.matched += match ? 1 : 0;
    if (!is_bool) {
      if (r.errors == 0 && v.kind() == expr::Kind::kError) {
        std::fprintf(stderr, "order %zu: error value: %.*s\n", i,
                     static_cast<int>(v.error_message().size()), v.error_message().data());
      }
      ++r.errors;
    } else if (expected != nullptr && (*expected)[i] != (match ? 1 : 0)) {
      if (r.errors == 0) std::fprintf(stderr, "order %zu: CEL disagrees with hand-written\n", i);
      ++r.errors;
    }
  }
  r.seconds = Now() - t0;
  r.allocations = g_allocations.load(std::memory_order_relaxed) - allocs_before;
  return r;
}

double Rate(size_t n, const PassResult& r) { return static_cast<double>(n) / r.seconds; }

int Run(size_t n, int passes) {
  std::printf(
      "== rule_bench: the reference rule over %zu distinct orders, one thread, best of %d\n", n,
      passes);
  const double gen_t0 = Now();
  const uint64_t gen_allocs = g_allocations.load(std::memory_order_relaxed);
  const std::vector<Order> orders = MakeRuleBenchOrders(n, kSeed);
  const uint64_t checksum = RuleDataChecksum(orders);
  // The allocation count here shows that the counting operator new is the one in use.
  std::printf("generated in %.2f s with %" PRIu64 " heap allocations, data checksum %016" PRIx64
              "\n",
              Now() - gen_t0, g_allocations.load(std::memory_order_relaxed) - gen_allocs, checksum);

  rules::OrderEnv env;
  const std::string source = ReferenceRuleSource();
  expr::CompileOptions options;
  options.expect = env.env().types().Basic(expr::TypeKind::kBool);
  expr::CompileResult compiled = expr::Compile(source, env.env(), options);
  if (compiled.program == nullptr) {
    for (const expr::Issue& issue : compiled.issues) {
      std::fprintf(stderr, "%s\n", expr::FormatIssue({"rule", 1, 1}, source, issue).c_str());
    }
    return 1;
  }
  std::printf("rule: %s\n", source.c_str());

  // Warm-up passes, checked order by order.
  std::vector<uint8_t> expected(n);
  const PassResult hand_warm = HandWrittenPass(orders, &expected);
  expr::Activation act(env.env());
  expr::EvalContext ctx(env.env().limits().max_cost);
  const PassResult cel_warm = CelPass(orders, env, *compiled.program, act, ctx, &expected);
  if (cel_warm.errors != 0 || cel_warm.matched != hand_warm.matched) {
    std::fprintf(stderr, "FAIL: CEL matched %zu with %zu errors/disagreements, hand-written %zu\n",
                 cel_warm.matched, cel_warm.errors, hand_warm.matched);
    return 1;
  }

  // Timed passes, interleaved so that drift of the machine hits both engines alike.
  PassResult hand_best, cel_best;
  hand_best.seconds = cel_best.seconds = 1e300;
  for (int p = 0; p < passes; ++p) {
    const PassResult h = HandWrittenPass(orders, nullptr);
    const PassResult c = CelPass(orders, env, *compiled.program, act, ctx, nullptr);
    if (h.matched != hand_warm.matched || c.matched != hand_warm.matched || c.errors != 0) {
      std::fprintf(stderr, "FAIL: pass %d matched hand-written %zu, CEL %zu (%zu errors)\n", p,
                   h.matched, c.matched, c.errors);
      return 1;
    }
    if (h.seconds < hand_best.seconds) hand_best = h;
    // Allocations are the worst pass's, not the fastest one's.
    const uint64_t worst_allocs = std::max(cel_best.allocations, c.allocations);
    if (c.seconds < cel_best.seconds) cel_best = c;
    cel_best.allocations = worst_allocs;
  }

  const double hand_rate = Rate(n, hand_best), cel_rate = Rate(n, cel_best);
  const double hand_allocs = static_cast<double>(hand_best.allocations) / static_cast<double>(n);
  const double cel_allocs = static_cast<double>(cel_best.allocations) / static_cast<double>(n);
  std::printf("%-22s %14s %10s %10s %16s %12s\n", "engine", "evals/s", "ns/eval", "matched",
              "vs hand-written", "allocs/eval");
  std::printf("%-22s %14.0f %10.1f %10zu %15.1f%% %12.3f\n", "hand-written C++", hand_rate,
              1e9 / hand_rate, hand_best.matched, 100.0, hand_allocs);
  std::printf("%-22s %14.0f %10.1f %10zu %15.1f%% %12.3f\n", "orderpilot CEL", cel_rate,
              1e9 / cel_rate, cel_best.matched, 100.0 * cel_rate / hand_rate, cel_allocs);
  std::printf(
      "CEL / hand-written: %.3f (target >= 0.5: %s); allocations per CEL evaluation: %.3f"
      " (%" PRIu64 " in the pass; target 0: %s)\n",
      cel_rate / hand_rate, cel_rate >= 0.5 * hand_rate ? "met" : "NOT met", cel_allocs,
      cel_best.allocations, cel_best.allocations == 0 ? "met" : "NOT met");

  std::printf("data n=%zu seed=%u checksum=%016" PRIx64 " matched=%zu\n", n, kSeed, checksum,
              hand_warm.matched);
  std::printf(
      "engine=hand-written-c++ evals_per_sec=%.0f matched=%zu n=%zu seconds=%.4f "
      "allocs_per_eval=%.3f\n",
      hand_rate, hand_best.matched, n, hand_best.seconds, hand_allocs);
  std::printf(
      "engine=orderpilot-cel evals_per_sec=%.0f matched=%zu n=%zu seconds=%.4f "
      "allocs_per_eval=%.3f\n",
      cel_rate, cel_best.matched, n, cel_best.seconds, cel_allocs);
  return 0;
}

}  // namespace
}  // namespace orderpilot::bench

int main(int argc, char** argv) {
  char* end = nullptr;
  const long long n = argc > 1 ? std::strtoll(argv[1], &end, 10) : 1000000;
  if (argc > 3 || n <= 0 || (argc > 1 && *end != '\0')) {
    std::fprintf(stderr, "usage: rule_bench [N [PASSES]]\n");
    return 2;
  }
  const int passes = argc > 2 ? std::atoi(argv[2]) : 3;
  if (passes <= 0) {
    std::fprintf(stderr, "usage: rule_bench [N [PASSES]]   (PASSES >= 1)\n");
    return 2;
  }
  return orderpilot::bench::Run(static_cast<size_t>(n), passes);
}
