# The one entry point. `make run` and `make test` are all a newcomer needs on Debian 12.
BUILD      ?= build
FUZZ_BUILD ?= build-fuzz
BENCH_BUILD ?= build-bench
TSAN_BUILD ?= build-tsan
CONFIG     ?= examples/config
FUZZ_SECONDS ?= 20
JOBS       ?= $(shell nproc)
CMAKE_FLAGS ?=
# ccache: paths relative to the checkout and no cwd in the hash, so every clone (CI's included)
# and every build directory share one cache.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
LAUNCHER := $(shell command -v ccache >/dev/null 2>&1 && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)

.PHONY: all deps check-fresh configure build run test unit integration bench fuzz tsan install docs clean

all: build

deps:
	@scripts/deps.sh $(BUILD)

# Nothing on this machine that a fresh one lacks and `make deps` does not install.
check-fresh:
	@scripts/check-fresh.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(LAUNCHER) $(CMAKE_FLAGS)

configure: $(BUILD)/build.ninja

build: deps configure
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/bin/telephonyd -C $(CONFIG) -f

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) --timeout 600

unit: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) -L unit

integration: build
	ctest --test-dir $(BUILD) --output-on-failure -L integration

# Benchmarks measure optimised code: their own Release (-O2) tree, only what they need.
bench: deps
	cmake -S . -B $(BENCH_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(LAUNCHER) -DTELEPHONY_BUILD_TESTS=OFF $(CMAKE_FLAGS)
	cmake --build $(BENCH_BUILD) -j $(JOBS)
	scripts/bench.sh $(BENCH_BUILD)

fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(LAUNCHER) \
	  -DTELEPHONY_BUILD_FUZZ=ON -DTELEPHONY_BUILD_TESTS=OFF -DTELEPHONY_BUILD_BENCHMARKS=OFF -DTELEPHONY_BUILD_PYTHON=OFF \
	  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-sanitize=function -fsanitize=fuzzer-no-link -fno-omit-frame-pointer"
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# ThreadSanitizer run of the channel/bridge/core unit tests in their own tree (not part of `make test`).
tsan: deps
	scripts/tsan.sh $(TSAN_BUILD) $(JOBS) "$(LAUNCHER)"

install: build
	cmake --install $(BUILD)

# Doxygen API reference (build/docs/api/html; a warning fails it) and docs/ami-reference.md.
docs: build
	cmake --build $(BUILD) --target docs

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) $(BENCH_BUILD) $(TSAN_BUILD)
