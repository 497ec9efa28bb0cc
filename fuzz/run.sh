#!/usr/bin/env bash
# fuzz/run.sh [SECONDS] — `make fuzz`: builds every libFuzzer target with clang++-14
# (-fsanitize=fuzzer,address,undefined) in build-fuzz/ and runs each for SECONDS (default 60)
# over a fresh copy of its seed corpus plus its regressions. Crash, leak, timeout and OOM inputs
# are written to build-fuzz/fuzz/artifacts/<name>/; a found one fails the run. Turn one into a
# regression with: cp build-fuzz/fuzz/artifacts/<name>/crash-* fuzz/regressions/<name>/
# Environment: JOBS (build parallelism), CMAKE_FLAGS (extra configure flags), FUZZ_TARGETS
# (a subset, space-separated), FUZZ_ARGS (extra libFuzzer flags, e.g. -jobs=2).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build=build-fuzz
all_targets=(shopify_order cel_parser config csv stock_import risk_csv card_scan)
read -r -a targets <<<"${FUZZ_TARGETS:-${all_targets[*]}}"

if ! command -v clang++-14 >/dev/null ||
   ! ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  sudo=()
  [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  echo "fuzz: installing clang-14 libclang-rt-14-dev"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    clang-14 libclang-rt-14-dev >/dev/null
fi

flags="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined"
flags+=" -fno-sanitize-recover=undefined"
# shellcheck disable=SC2086
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++-14 \
  -DOP_FUZZ=ON -DCMAKE_CXX_FLAGS="$flags" ${CMAKE_FLAGS:-} >/dev/null
ninja -C "$build" -j"${JOBS:-$(nproc)}" fuzzers

failed=()
summary=()
for name in "${targets[@]}"; do
  work="$build/fuzz/work/$name"
  artifacts="$build/fuzz/artifacts/$name"
  rm -rf "$work"
  mkdir -p "$work" "$artifacts"
  cp -r "fuzz/corpus/$name/." "$work/"
  [[ -d "fuzz/regressions/$name" ]] && cp -r "fuzz/regressions/$name/." "$work/"
  log="$build/fuzz/$name.log"
  echo "fuzz: $name for ${seconds}s"
  status=0
  # shellcheck disable=SC2086
  "$build/fuzz/${name}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/" ${FUZZ_ARGS:-} \
    "$work" >"$log" 2>&1 || status=$?
  # Temporary files of loaders that read paths (fuzz_support.h), left when libFuzzer exits hard.
  rm -f /dev/shm/orderpilot-fuzz-* /tmp/orderpilot-fuzz-*
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  summary+=("$(printf '%-14s %10s execs %7s exec/s  cov %6s  exit %s' "$name" "$execs" "$rate" \
    "$cov" "$status")")
  if [[ $status -ne 0 ]]; then
    failed+=("$name")
    echo "fuzz: $name FAILED (exit $status); log: $log; inputs: $artifacts/" >&2
    grep -m1 -E 'ERROR: (AddressSanitizer|libFuzzer|UndefinedBehaviorSanitizer)|runtime error|fuzz invariant' \
      "$log" >&2 || tail -5 "$log" >&2
  fi
done
printf '%s\n' "${summary[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: crashes in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: no crashes"
