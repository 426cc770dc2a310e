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

# What a test needs from the machine, checked before it starts so a missing piece fails with its
# name and the Debian package that provides it (`make deps` installs them all), never with an
# unexplained mismatch later.
package_of() {
  case $1 in
    sipp) echo sip-tester ;; sox | soxi) echo sox ;; node) echo nodejs ;; baresip) echo baresip-core ;;
    linphonec) echo linphone-cli ;; fail2ban-regex) echo fail2ban ;; g++ | make) echo build-essential ;;
    ninja) echo ninja-build ;; *) echo "$1" ;;
  esac
}
require_commands() {  # require_commands CMD...
  local c missing=()
  for c in "$@"; do command -v "$c" >/dev/null 2>&1 || missing+=("'$c' (Debian package $(package_of "$c"))"); done
  ((${#missing[@]} == 0)) || fail "this test needs ${missing[*]}; run 'make deps'"
}
# The English prompts the tests play, where telephonyd looks for them: sounds/en, or the voice
# folder (en_US_f_Allison) that serves `en` when the en link is missing.
SOUNDS_DIR="${SOUNDS_DIR:-/usr/share/asterisk/sounds}"
SOUNDS_EN="$SOUNDS_DIR/en"
[ -d "$SOUNDS_EN" ] || SOUNDS_EN=$(compgen -G "$SOUNDS_DIR/en_*" | sort | head -1 || true)
SOUNDS_EN="${SOUNDS_EN:-$SOUNDS_DIR/en}"
require_prompts() {  # require_prompts [PROMPT...]  (default: hello-world)
  local p missing=()
  for p in "${@:-hello-world}"; do
    compgen -G "$SOUNDS_EN/$p.*" >/dev/null || missing+=("$SOUNDS_EN/$p.*")
  done
  ((${#missing[@]} == 0)) ||
    fail "this test plays prompts that are missing: ${missing[*]} (Debian package asterisk-core-sounds-en; run 'make deps')"
}
require_python3_modules() {  # require_python3_modules MODULE...: for Debian's /usr/bin/python3
  local m missing=()
  for m in "$@"; do /usr/bin/python3 -c "import $m" >/dev/null 2>&1 || missing+=("'$m' (Debian package python3-$m)"); done
  ((${#missing[@]} == 0)) || fail "this test needs the python3 modules ${missing[*]}; run 'make deps'"
}
require_node_modules() {  # require_node_modules NAME...: npm packages in $NODE_PATH
  require_commands node
  local m missing=()
  for m in "$@"; do [ -f "${NODE_PATH:-}/$m/package.json" ] || missing+=("$m"); done
  ((${#missing[@]} == 0)) || fail "this test needs the npm packages ${missing[*]} in '${NODE_PATH:-}'; run 'make deps'"
}

# rtp_block: sets RTP_START to the first port of a block of 100 (20000-39999, the span
# sip_probe.py's free ports stay out of) that no other test on this machine holds, and holds it
# until this shell exits (flock on a lock file; the processes started here inherit the lock).
# A test puts its rtp.conf range and its peers' fixed media ports (SIPp -mp, baresip rtp_ports)
# in its block. A block drawn at random collided with a parallel test's once in 200 draws: that
# test's SIPp then failed to bind its media port, or our daemon took a port a peer bound later.
rtp_block() {
  local dir="${TMPDIR:-/tmp}/telephony-tests-rtp" block i
  mkdir -p "$dir" 2>/dev/null || true
  for i in $(seq 1 400); do
    block=$((20000 + (RANDOM % 200) * 100))
    exec {RTP_BLOCK_FD}>>"$dir/$block.lock" || continue
    if flock -n "$RTP_BLOCK_FD"; then
      RTP_START=$block
      return 0
    fi
    exec {RTP_BLOCK_FD}>&-
  done
  fail "no block of RTP ports free of other tests' locks in $dir"
}

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
