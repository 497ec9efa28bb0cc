#!/usr/bin/env bash
# make bench: throughput and latency of the real server on loopback, side by side in one run.
#   1. wrk: GET /healthz (our ceiling on this machine) and signed 3 KB Shopify orders/create
#      webhooks, each durable before its 200, against the same server.
#   2. The server's peak resident memory (VmHWM) after that load.
#   3. Google Benchmark micro benchmarks and the pipeline's sustained rate (100,000 stored
#      orders taken to accepted/held).
# Usage: bench/run.sh BUILD_DIR   (built with -DOP_BENCH=ON)
set -euo pipefail
build=${1:-build-bench}
duration=${OP_BENCH_SECONDS:-15}
connections=${OP_BENCH_CONNECTIONS:-64}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/orderpilot-bench-XXXXXX)
server_pid=
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

export OP_BENCH_SECRET=bench-webhook-secret
export OP_BENCH_SHOP=bench-shop.myshopify.com
export OP_BENCH_PREFIX=$work/prefix.json
api_key=bench-api-key-0123456789abcdef

"$build/bench/webhook_template" --shop "$OP_BENCH_SHOP" --out "$OP_BENCH_PREFIX"

"$build/orderpilot" serve --listen 127.0.0.1:0 --data "$work/data" --shop "$OP_BENCH_SHOP" \
  --shopify-secret env:OP_BENCH_SECRET --api-key "$api_key" --log-level warn \
  > "$work/stdout" 2> "$work/server.log" &
server_pid=$!
for _ in $(seq 100); do
  grep -q 'listening on' "$work/stdout" 2>/dev/null && break
  sleep 0.1
done
url=$(grep -o 'http://[0-9.:]*' "$work/stdout" | head -1)
[[ -n "$url" ]] || { echo "server did not start"; cat "$work/server.log"; exit 1; }

echo "== orderpilot bench: $(nproc) cores, wrk -t1 -c$connections -d${duration}s, server $url"
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

echo "== micro benchmarks and pipeline rate"
"$build/bench/orderpilot_bench" --benchmark_counters_tabular=true
