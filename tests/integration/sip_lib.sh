# Helpers for the SIP integration tests that drive SIPp against telephonyd (sourced after lib.sh):
# SIPp runs bounded in time with its errors and messages traced into $WORK/<name>.{err,msg,out},
# an AMI tap that records every event, and cleanup that stops every peer started here.
require_commands sipp python3
SRC="${TELEPHONY_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
PROBE="python3 $SRC/tests/integration/sip_probe.py"
SCEN="$SRC/tests/data/sipp"
SIPP_PIDS=()
sip_cleanup() { for p in "${SIPP_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; cleanup; }
trap sip_cleanup EXIT

sipp_run() {  # sipp_run NAME ARGS...: SIPp in the foreground, bounded; -key caller caller
  local name=$1; shift
  timeout 30 sipp "$@" -i 127.0.0.1 -nostdin -m 1 -timeout 25s -timeout_error -trace_err -error_file "$WORK/$name.err" \
    -trace_msg -message_file "$WORK/$name.msg" >"$WORK/$name.out" 2>&1
}
sipp_bg() {  # sipp_bg NAME ARGS...: the same in the background; its pid in SIPP_PID
  local name=$1; shift
  timeout 40 sipp "$@" -i 127.0.0.1 -nostdin -timeout 35s -timeout_error -trace_err -error_file "$WORK/$name.err" \
    -trace_msg -message_file "$WORK/$name.msg" >"$WORK/$name.out" 2>&1 &
  SIPP_PID=$!
  SIPP_PIDS+=($SIPP_PID)
  sleep 0.3
}
refused_scenario() {  # refused_scenario CODE [HEADER]: a copy of uac_invite_refused.xml
  sed -e "s/\[code\]/$1/" -e "s/X-Extra: none/${2:-X-Extra: none}/" "$SCEN/uac_invite_refused.xml" >"$WORK/refused_$1.xml"
  echo "$WORK/refused_$1.xml"
}
why() { tail -5 "$WORK/$1.err" 2>/dev/null; tail -5 "$WORK/$1.out" 2>/dev/null; }

ami_tap_start() {  # ami_tap_start PORT: an AMI session (admin/pw) recording every event in $WORK/ami.events
  python3 "$SRC/tests/integration/ami_tap.py" 127.0.0.1 "$1" admin pw "$WORK/ami.events" "$WORK/ami.ctl" &
  SIPP_PIDS+=($!)
  wait_for 15 test -p "$WORK/ami.ctl" || fail "AMI tap did not start"
}
ami() {  # ami "Action: X" "K: v"...: one action through the tap; prints its response block
  python3 "$SRC/tests/integration/ami_tap.py" --send "$WORK/ami.ctl" "$WORK/ami.events" "$@"
}
