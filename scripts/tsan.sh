#!/usr/bin/env bash
# `make tsan`: ThreadSanitizer run of the multi-threaded core — channels, bridges, Local channels,
# Dial, Page, ConfBridge and mixing, MixMonitor, transfers, Originate, RTP sessions and relay.
# Its own tree (gcc, RelWithDebInfo -O1 -g1 as the everyday build). The sources that drive calls
# across threads and the test files are compiled with -fsanitize=thread (cmake/TelephonyInstrument
# .cmake); everything else is the everyday object from the shared ccache (a full sanitizer build
# of the library takes hours on 2 shared cores). Tests run through ctest (TIMEOUT per test) with
# halt_on_error: any report fails its test. tests/tsan/suppressions.txt: third-party code only.
set -euo pipefail
build="${1:-build-tsan}"; jobs="${2:-2}"; launcher="${3:-}"
# Test files (tests/unit) that run calls on several threads (media_alloc: it defines the allocation
# counter recording_mixmonitor uses).
tests='/unit/(core_|dialpage_|confbridge_app_|mediax_mixing|mediax_features|media_mixer|rtp_relay|rtp_session_media|originate_core|recording_mixmonitor|media_alloc|xfer_blind|xfer_atxfer)[^/]*$'
# Library sources they drive on several threads, plus the test kit and the test files.
lib='/src/core/'
lib+='|/src/media/engine/|/src/media/(mixer|translator|translator_steps|dtmf|tone|jitter)\.cpp'
lib+='|/src/dialplan/(executor|execution_state|substitution_wait|pbx_module)\.cpp'
lib+='|/src/apps/(app_dial|parallel_dialer|app_page|app_confbridge[a-z_]*|attended_transfer|bridge_transfer|call_bridge|app_transfer|app_bridges|media_app_support)\.cpp'
lib+='|/src/drivers/local/|/src/rtp/(media_session|rtp_stack|rtp_stream|rtp_sender|timer_wheel|channel_items|rtcp_reports|rtp_metrics)\.cpp'
lib+='|/src/recording/|/src/originate/|/src/manager/(events|manager_module)\.cpp|/tests/testkit/|/tests/unit/'
# -Wno-tsan: Asio's handler fences (std_fenced_block) warn in every file; Asio synchronises
# through its scheduler and strand mutexes, which TSan sees.
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $launcher \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" \
  -DTELEPHONY_INSTRUMENT_FLAGS="-fsanitize=thread;-fno-omit-frame-pointer;-Wno-tsan" \
  -DTELEPHONY_INSTRUMENT_MATCH="$lib" -DTELEPHONY_UNIT_TESTS_MATCH="$tests" \
  -DTELEPHONY_BUILD_BENCHMARKS=OFF -DTELEPHONY_BUILD_PYTHON=OFF
cmake --build "$build" -j "$jobs" --target unit_tests
supp="$(pwd)/tests/tsan/suppressions.txt"
# Reports go to files: the verdict counts them. A test that fails on timing under TSan's slowdown
# (they measure real-time audio) gets two more tries; a race reported on any try stays counted.
reports="$(cd "$build" && pwd)/tsan-reports"
rm -rf "$reports"; mkdir -p "$reports"
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$supp log_path=$reports/report ${TSAN_EXTRA_OPTIONS:-}"
status=0
ctest --test-dir "$build" -L unit -j "$jobs" --timeout 300 --output-on-failure --repeat until-pass:3 || status=$?
found=$(find "$reports" -type f | wc -l)
if [ "$found" -gt 0 ]; then
  cat "$reports"/*
  echo "make tsan: $found ThreadSanitizer report(s), in $reports"
  exit 1
fi
echo "make tsan: no ThreadSanitizer report"
exit $status
