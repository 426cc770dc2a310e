#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time on a copy of its seed corpus.
set -euo pipefail
build="$1"; seconds="${2:-20}"
fail=0
for bin in "$build"/bin/fuzz_*; do
  name=$(basename "$bin"); corpus=${name#fuzz_}
  work="$build/fuzz-corpus/$corpus"; mkdir -p "$work"
  cp -n tests/fuzz/corpus/"$corpus"/* "$work"/ 2>/dev/null || true
  echo "== $name (${seconds}s)"
  if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$build/$name-" "$work" 2>"$build/$name.log"; then
    echo "FAIL: $name (see $build/$name.log)"; tail -40 "$build/$name.log"; fail=1
  else
    grep -E 'stat::number_of_executed_units|Done' "$build/$name.log" | tail -2
  fi
done
exit $fail
