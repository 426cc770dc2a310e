# Shared helpers for integration tests: a temp config dir, a telephonyd started in the foreground
# on it, bounded waits, and cleanup that always stops what was started.
set -euo pipefail
TELEPHONYD="${TELEPHONYD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/bin/telephonyd}"
WORK=$(mktemp -d /tmp/telephonyd-it.XXXXXX)
DAEMON_PID=""
cleanup() {
  if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
    kill -KILL "$DAEMON_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; [ -f "$WORK/daemon.log" ] && { echo "--- daemon log"; tail -40 "$WORK/daemon.log"; } >&2; exit 1; }
pass() { echo "ok - $*"; }

# wait_for <seconds> <command...>: polls until the command succeeds.
wait_for() {
  local limit=$1; shift
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.05
  done
}

start_daemon() {
  "$TELEPHONYD" -C "$WORK/etc" -f >"$WORK/daemon.log" 2>&1 &
  DAEMON_PID=$!
  wait_for 10 test -S "$WORK/etc/run/telephonyd.ctl" || fail "telephonyd did not create its control socket"
}

rx() { "$TELEPHONYD" -C "$WORK/etc" -rx "$*"; }
# rxf: the output of a command expected to fail (its exit status is checked separately).
rxf() { "$TELEPHONYD" -C "$WORK/etc" -rx "$*" || true; }

stop_daemon() {
  kill -TERM "$DAEMON_PID"
  local t0=$SECONDS
  wait_for 3 bash -c "! kill -0 $DAEMON_PID" || fail "telephonyd did not exit within 3 s of SIGTERM"
  wait "$DAEMON_PID" 2>/dev/null || true
  DAEMON_PID=""
  echo "stopped in $((SECONDS - t0))s"
}
