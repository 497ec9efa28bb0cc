#!/usr/bin/env bash
# make bench: throughput and latency of the real server on loopback, side by side in one run.
#   server  wrk: GET /healthz (our ceiling on this machine) and signed 3 KB Shopify orders/create
#           webhooks, each durable before its 200, against the same server; then the server's
#           peak resident memory (VmHWM) after that load.
#   micro   Google Benchmark micro benchmarks and the pipeline's sustained rate: 100,000 stored
#           orders taken to accepted/held, and the same with fulfillment on (examples/
#           orderpilot.yaml: allocated/backordered/held), and with the fraud screen on (a
#           200-tree model), side by side.
#   risk    the fraud screen per order (signals + sliding-window history + a 200-tree model's
#           score + exact SHAP contributions + top 3 reasons), and the same with weighted signals
#           (no model), medians of 5 repetitions, one thread, against the target of <= 30 µs.
#   routing the allocate step per order (pipeline::PlanAllocation: stock, routing, carrier
#           choice, events and fulfillment payloads; 5 lines, 10 locations, 3 carriers × 4
#           services) and Router::Plan alone, medians of 5 repetitions, one thread, against the
#           target of <= 20 µs per order.
#   rules   the reference rule (bench/rule_orders.h) compiled by orderpilot's CEL vs. the same
#           condition hand-written in C++ (bench/rule_bench.cc), and in the JS engines
#           json-rules-engine, json-logic-js and @marcbachmann/cel-js (bench/peers), over the same
#           1,000,000 distinct orders, one thread; one table and whether the targets are met.
# Usage: bench/run.sh BUILD_DIR [SECTION...]   (built with -DOP_BENCH=ON; all sections by default)
#   e.g. bench/run.sh build-bench rules
# Environment: OP_BENCH_SECONDS, OP_BENCH_CONNECTIONS (server); OP_RULE_BENCH_ORDERS (rules,
# default 1000000).
set -euo pipefail
build=${1:-build-bench}
shift || true
sections=("$@")
[[ ${#sections[@]} -gt 0 ]] || sections=(server micro risk routing rules)
for s in "${sections[@]}"; do
  case "$s" in
    server | micro | risk | routing | rules) ;;
    *) echo "unknown section '$s' (server, micro, risk, routing, rules)" >&2; exit 2 ;;
  esac
done
duration=${OP_BENCH_SECONDS:-15}
connections=${OP_BENCH_CONNECTIONS:-64}
rule_orders=${OP_RULE_BENCH_ORDERS:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/orderpilot-bench-XXXXXX)
server_pid=
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

run_wrk() {  # name, file key, wrk args...
  local name=$1 key=$2
  shift 2
  wrk -t1 -c"$connections" -d"${duration}s" --latency "$@" > "$work/$key.txt"
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/$key.txt")
  p50=$(awk '$1=="50%" {print $2}' "$work/$key.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/$key.txt")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$work/$key.txt")
  printf '%-34s %12s req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$name" "$rps" "$p50" "$p99" "${non2xx:-0}"
  echo "$rps" > "$work/$key.rps"
}

section_server() {
  export OP_BENCH_SECRET=bench-webhook-secret
  export OP_BENCH_SHOP=bench-shop.myshopify.com
  export OP_BENCH_PREFIX=$work/prefix.json
  local api_key=bench-api-key-0123456789abcdef

  "$build/bench/webhook_template" --shop "$OP_BENCH_SHOP" --out "$OP_BENCH_PREFIX"

  "$build/orderpilot" serve --listen 127.0.0.1:0 --data "$work/data" --shop "$OP_BENCH_SHOP" \
    --shopify-secret env:OP_BENCH_SECRET --api-key "$api_key" --log-level warn \
    --master-key "$("$build/orderpilot" keys new-master)" \
    > "$work/stdout" 2> "$work/server.log" &
  server_pid=$!
  for _ in $(seq 100); do
    grep -q 'listening on' "$work/stdout" 2>/dev/null && break
    sleep 0.1
  done
  local url
  url=$(grep -o 'http://[0-9.:]*' "$work/stdout" | head -1)
  [[ -n "$url" ]] || { echo "server did not start"; cat "$work/server.log"; exit 1; }

  echo "== orderpilot bench: $(nproc) cores, wrk -t1 -c$connections -d${duration}s, server $url"
  run_wrk "GET /healthz" healthz "$url/healthz"
  run_wrk "POST /webhooks/shopify (signed)" webhook -s "$here/shopify_webhook.lua" "$url"
  awk -v h="$(cat "$work/healthz.rps")" -v w="$(cat "$work/webhook.rps")" \
    'BEGIN { printf "durable webhooks / healthz ceiling: %.0f%%\n", 100 * w / h }'
  echo "body size: $(( $(stat -c %s "$OP_BENCH_PREFIX") + 30 )) bytes"
  echo "server peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$server_pid/status)"
  curl -s "$url/metrics" | grep -E '^orderpilot_commit_batch_size_(sum|count)' | tr '\n' ' '
  echo
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}

# Prints `key` of every benchmark whose name matches `pattern` in Google Benchmark's JSON output
# (one "key": value per line), one value per line.
bench_json() {  # file, name pattern (awk regex), key
  awk -v pat="$2" -v key="\"$3\":" '
    $1 == "\"name\":" { name = $2; gsub(/[",]/, "", name) }
    $1 == key && name ~ pat { v = $2; gsub(/[",]/, "", v); print v }' "$1"
}

section_micro() {
  echo "== micro benchmarks and pipeline rate"
  "$build/bench/orderpilot_bench" --benchmark_counters_tabular=true \
    --benchmark_out="$work/micro.json" --benchmark_out_format=json
  local plain with risk clear sealed
  # Ingest in clear and encrypted at rest, alternating in this one run (mean of each).
  clear=$(bench_json "$work/micro.json" '^BM_Ingest/deliveries:[0-9]+/sealed:0' deliveries_per_s |
    awk '{ s += $1; n++ } END { if (n) printf "%.0f", s / n }')
  sealed=$(bench_json "$work/micro.json" '^BM_Ingest/deliveries:[0-9]+/sealed:1' deliveries_per_s |
    awk '{ s += $1; n++ } END { if (n) printf "%.0f", s / n }')
  awk -v p="${clear:-0}" -v s="${sealed:-0}" 'BEGIN {
      if (p > 0) printf "ingest, 8 threads: %.0f deliveries/s in clear, %.0f encrypted at rest" \
                        " (%+.1f%%; target: within 15%%)\n", p, s, 100 * (s - p) / p
    }'
  plain='^BM_PipelineDrain/orders:[0-9]+/workers:2/'
  with='^BM_PipelineDrainFulfillment/orders:[0-9]+/workers:2/'
  risk='^BM_PipelineDrainRisk/orders:[0-9]+/workers:2/'
  awk -v plain="$(bench_json "$work/micro.json" "$plain" orders_per_s)" \
    -v risk="$(bench_json "$work/micro.json" "$risk" orders_per_s)" \
    -v risk_held="$(bench_json "$work/micro.json" "$risk" held)" \
    -v rate="$(bench_json "$work/micro.json" "$with" orders_per_s)" \
    -v orders="$(bench_json "$work/micro.json" "$with" orders)" \
    -v allocated="$(bench_json "$work/micro.json" "$with" allocated)" \
    -v backordered="$(bench_json "$work/micro.json" "$with" backordered)" \
    -v held="$(bench_json "$work/micro.json" "$with" held)" \
    -v other="$(bench_json "$work/micro.json" "$with" other)" \
    'BEGIN {
      share = plain > 0 ? 100 * rate / plain : 0
      printf "pipeline drain, 2 workers: %.0f orders/s to accepted/held; %.0f orders/s with" \
             " fulfillment (%.0f%%)\n", plain, rate, share
      printf "  with fulfillment: %.0f orders: allocated %.0f, backordered %.0f, held %.0f," \
             " nothing to ship %.0f\n", orders, allocated, backordered, held, other
      printf "pipeline drain with the fraud screen (200-tree model), 2 workers: %.0f orders/s" \
             " (%.0f%% of the plain rate), %.0f held\n", risk, plain > 0 ? 100 * risk / plain : 0,
             risk_held
    }'
}

section_risk() {
  echo "== risk: the fraud screen per order, one thread"
  "$build/bench/risk_screen_bench" --benchmark_out="$work/risk.json" --benchmark_out_format=json
  local model weighted
  model=$(bench_json "$work/risk.json" '^BM_AssessWithModel.*_median$' real_time)
  weighted=$(bench_json "$work/risk.json" '^BM_AssessWeighted.*_median$' real_time)
  awk -v model="$model" -v weighted="$weighted" 'BEGIN {
      printf "signals + 200-tree model + SHAP reasons: median %.2f us/order\n", model / 1000
      printf "signals + weighted score + reasons (no model): median %.2f us/order\n",
             weighted / 1000
      printf "target: <= 30 us median per order, one thread: %.2f us -> %s\n", model / 1000,
             (model <= 30000 ? "met" : "NOT met")
    }'
}

section_routing() {
  echo "== routing: the allocate step per order and Router::Plan alone, one thread"
  "$build/bench/routing_bench" --benchmark_out="$work/routing.json" --benchmark_out_format=json
  local allocate plan
  allocate=$(bench_json "$work/routing.json" '^BM_AllocateRouteAndChoose.*_median$' real_time)
  plan=$(bench_json "$work/routing.json" '^BM_Plan.*_median$' real_time)
  awk -v allocate="$allocate" -v plan="$plan" \
    -v splits="$(bench_json "$work/routing.json" '^BM_AllocateRouteAndChoose.*_median$' split%)" \
    'BEGIN {
      printf "allocate + route + carrier choice (PlanAllocation): median %.2f us/order" \
             " (%.0f%% of orders split)\n", allocate, splits
      printf "Router::Plan alone: median %.2f us/order\n", plan
      printf "target: allocate step <= 20 us median, one thread: %.2f us -> %s\n", allocate,
             (allocate <= 20 ? "met" : "NOT met")
    }'
}

section_rules() {
  echo "== rules: the reference rule over $rule_orders distinct orders, one thread"
  if [[ ! -f "$build/build.ninja" ]]; then
    cmake -S "$here/.." -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOP_BENCH=ON >/dev/null
  fi
  ninja -C "$build" -j"${JOBS:-2}" rule_bench > "$work/rules_build.txt" 2>&1 ||
    { cat "$work/rules_build.txt"; exit 1; }
  "$build/bench/rule_bench" "$rule_orders" | tee "$work/rules_cpp.txt"

  local peers=0
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "node/npm not found: the JS peers are skipped. Install them with" \
      "\`apt-get install nodejs npm\` (Node >= 20.19), then rerun \`bench/run.sh $build rules\`."
  elif ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
                  process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
    echo "node $(node --version) is too old for @marcbachmann/cel-js (needs >= 20.19):" \
      "the JS peers are skipped."
  else
    if [[ ! -d "$here/peers/node_modules" ]]; then
      (cd "$here/peers" && npm ci --silent)
    fi
    echo "-- JS peers (node $(node --version))"
    node "$here/peers/rule_bench.js" "$rule_orders" | tee "$work/rules_js.txt"
    peers=1
  fi

  # The data must be the same on both sides: same checksum, same match count.
  if [[ $peers == 1 ]]; then
    local cpp_data js_data
    cpp_data=$(grep '^data ' "$work/rules_cpp.txt" | grep -o 'checksum=[^ ]* matched=[^ ]*')
    js_data=$(grep '^data ' "$work/rules_js.txt" | grep -o 'checksum=[^ ]* matched=[^ ]*')
    if [[ "$cpp_data" != "$js_data" ]]; then
      echo "FAIL: C++ and JS see different orders: C++ $cpp_data, JS $js_data"
      exit 1
    fi
  fi

  echo "-- side by side ($rule_orders orders; each engine: best of 3 timed passes after a checked" \
    "warm-up)"
  cat "$work/rules_cpp.txt" "$work/rules_js.txt" 2>/dev/null | awk '
    function field(line, key,    i, n, kv) {
      n = split(line, kv, " ")
      for (i = 1; i <= n; i++) if (index(kv[i], key "=") == 1) return substr(kv[i], length(key) + 2)
      return ""
    }
    /^engine=/ { name = field($0, "engine"); rate[name] = field($0, "evals_per_sec") + 0
                 note[name] = "allocs/eval " field($0, "allocs_per_eval"); order[++count] = name }
    /^peer=/   { name = field($0, "peer"); rate[name] = field($0, "evals_per_sec") + 0
                 note[name] = field($0, "note"); order[++count] = name
                 if (name != "plain-js") { npeers++; if (rate[name] > best) { best = rate[name]; bestname = name } } }
    END {
      hand = rate["hand-written-c++"]; cel = rate["orderpilot-cel"]
      printf "%-22s %14s %18s %16s  %s\n", "engine", "evals/s", "vs hand-written C++", "CEL is x of it", "note"
      for (i = 1; i <= count; i++) {
        n = order[i]
        printf "%-22s %14.0f %17.1f%% %15.2fx  %s\n", n, rate[n], 100 * rate[n] / hand, cel / rate[n], note[n]
      }
      printf "target 1: orderpilot-cel >= 50%% of hand-written C++: %.1f%% -> %s\n",
             100 * cel / hand, (cel >= 0.5 * hand ? "met" : "NOT met")
      if (npeers > 0)
        printf "target 2: orderpilot-cel >= 4x the fastest peer (%s, %.0f evals/s): %.2fx -> %s\n",
               bestname, best, cel / best, (cel >= 4 * best ? "met" : "NOT met")
      else
        print "target 2: orderpilot-cel >= 4x the fastest peer: not measured (no node)"
      print "(plain-js is the rule hand-written in JS: a reference, not a peer engine)"
    }'
  if grep -q 'target 0: met' "$work/rules_cpp.txt"; then
    echo "target 3: no heap allocation per evaluation in the steady state -> met"
  else
    echo "target 3: no heap allocation per evaluation in the steady state -> NOT met"
  fi
}

for s in "${sections[@]}"; do
  "section_$s"
done
