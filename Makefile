# The one entry point. `make run` and `make test` are all a newcomer needs on Debian 12.
BUILD      ?= build
FUZZ_BUILD ?= build-fuzz
CONFIG     ?= examples/config
FUZZ_SECONDS ?= 20
JOBS       ?= $(shell nproc)
CMAKE_FLAGS ?=
# ccache leaves the build directory out of its hash (CCACHE_NOHASHDIR): with -g it would otherwise
# be hashed, and no two checkouts (worktrees, CI clones) could ever share a compiled object.
CCACHE_LAUNCHER := "env;CCACHE_NOHASHDIR=true;ccache"
LAUNCHER := $(if $(shell command -v ccache),-DCMAKE_CXX_COMPILER_LAUNCHER=$(CCACHE_LAUNCHER) -DCMAKE_C_COMPILER_LAUNCHER=$(CCACHE_LAUNCHER))

.PHONY: all deps check-fresh configure build run test unit integration bench fuzz install clean

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

bench: build
	scripts/bench.sh $(BUILD)

fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(LAUNCHER) \
	  -DTELEPHONY_BUILD_FUZZ=ON -DTELEPHONY_BUILD_TESTS=OFF -DTELEPHONY_BUILD_BENCHMARKS=OFF \
	  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-sanitize=function -fsanitize=fuzzer-no-link -fno-omit-frame-pointer"
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD)
