# Polku: the two commands of the quick start are `make run` and `make test`.
# Both install missing Debian packages first (apt-get; run as root or with sudo).

JOBS ?= $(shell nproc)
CTEST_JOBS ?= 2
# Seconds per libFuzzer target for `make fuzz` (make test runs each for 10 s).
FUZZ_SECONDS ?= 60
TEST_FUZZ_SECONDS ?= 10

.PHONY: all deps build run test test-unit bench fuzz clean help

all: build

help:
	@echo "make run    install, build and start Polku with demo data"
	@echo "make test   install, build (ASan+UBSan) and run every test suite"
	@echo "make build  build binaries into build/bin/"
	@echo "make bench  Release build and benchmarks (QUICK=1 for a smoke run)"
	@echo "make fuzz   libFuzzer targets (clang), FUZZ_SECONDS=60 each"

deps:
	@scripts/install-deps.sh

build: deps
	cmake --preset dev >/dev/null
	cmake --build --preset dev -j$(JOBS)

run: build
	scripts/run-demo.sh

# Unit, integration, Python and end-to-end suites, all under AddressSanitizer
# and UndefinedBehaviorSanitizer, in one build; then the core's concurrency
# tests under ThreadSanitizer (build/tsan: core targets only, no gRPC) and
# every libFuzzer target briefly (its own clang build in build/fuzz), each
# counted as one more test.
test: deps
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j$(JOBS)
	cmake --preset tsan >/dev/null
	cmake --build --preset tsan -j$(JOBS)
	scripts/run-tests.sh build/asan $(CTEST_JOBS) \
	    -- ctest --preset tsan -j $(CTEST_JOBS) \
	    -- scripts/run-fuzz.sh $(TEST_FUZZ_SECONDS)

# Each libFuzzer target for FUZZ_SECONDS (README "Fuzzing").
fuzz: deps
	scripts/run-fuzz.sh $(FUZZ_SECONDS)

bench: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j$(JOBS)
	scripts/run-bench.sh $(if $(QUICK),quick,)

clean:
	rm -rf build
