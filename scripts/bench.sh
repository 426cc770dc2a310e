#!/usr/bin/env bash
# Runs every benchmark binary; each prints its ratios against a baseline measured in the same run.
# Then the Python binding's benchmarks (benchmarks/bench_*.py) with the build tree's package.
set -euo pipefail
build="$1"
for bin in "$build"/bin/bench_*; do
  echo "== $(basename "$bin")"
  "$bin" --benchmark_min_time=0.2 --benchmark_counters_tabular=true
done
if [ -d "$build/python/telephony" ]; then
  for script in "$(dirname "$0")"/../benchmarks/bench_*.py; do
    echo "== $(basename "$script")"
    PYTHONPATH="$build/python" /usr/bin/python3 "$script"
  done
fi
# Load benchmarks with real peers (shell scripts in benchmarks/), each with its own baseline.
for script in benchmarks/*.sh; do
  [ -x "$script" ] || continue
  echo "== $(basename "$script")"
  "$script" "$build"
done
