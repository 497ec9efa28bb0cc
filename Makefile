# orderpilot — the front door. `make demo` and `make test` install what is missing first.
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all setup build demo test bench format clean

all: build

setup:
	@scripts/setup

# Release-ish build of the binary: build/orderpilot.
build: setup
	@cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@ninja -C build -j$(JOBS) orderpilot

demo: build
	./build/orderpilot demo --config examples/orderpilot.yaml

# Every test (unit, module-boundary check, integration incl. the kill -9 crash test), built with
# AddressSanitizer + UndefinedBehaviorSanitizer.
test: setup
	@cmake -S . -B build-test -G Ninja -DCMAKE_BUILD_TYPE=Debug -DOP_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	@ninja -C build-test -j$(JOBS)
	@cd build-test && ctest --output-on-failure -j$(JOBS) --timeout 900

# Throughput and latency: wrk against the real server, and the pipeline's sustained rate.
bench: setup
	@cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DOP_BENCH=ON $(CMAKE_FLAGS) >/dev/null
	@ninja -C build-bench -j$(JOBS)
	@bench/run.sh build-bench

format: setup
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf build build-test build-bench
