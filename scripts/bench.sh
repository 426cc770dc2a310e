#!/usr/bin/env bash
# Runs every benchmark binary; each prints its ratios against a baseline measured in the same run.
set -euo pipefail
build="$1"
for bin in "$build"/bin/bench_*; do
  echo "== $(basename "$bin")"
  "$bin" --benchmark_min_time=0.2 --benchmark_counters_tabular=true
done
# Load benchmarks with real peers (shell scripts in benchmarks/), each with its own baseline.
for script in benchmarks/*.sh; do
  [ -x "$script" ] || continue
  echo "== $(basename "$script")"
  "$script" "$build"
done
