#!/usr/bin/env bash
# extensions.conf with a line that cannot be used (a reversed pattern range, as Asterisk accepts
# and we refuse) through telephonyd:
#  - --check-config reports it once, on its own line with file:line, and exits 1;
#  - the daemon still starts (as Asterisk's pbx_config does): the line is skipped with one
#    file:line warning and every other extension works;
#  - `dialplan reload` of the same file is refused and the running dialplan is kept.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/etc"
cat >"$WORK/etc/telephony.conf" <<'CONF'
[directories]
spooldir => spool
rundir => run
logdir => log
CONF
cat >"$WORK/etc/logger.conf" <<'CONF'
[logfiles]
console => notice,warning,error,verbose
CONF
cat >"$WORK/etc/extensions.conf" <<'CONF'
[ctx]
exten => 100,1,Verbose(0,GOOD ONE RAN)
 same => n,Hangup()
exten => _[9-2]X,1,NoOp(reversed)
exten => 200,1,Verbose(0,GOOD TWO RAN)
CONF

set +e
"$TELEPHONYD" --check-config -C "$WORK/etc" >"$WORK/check.out" 2>"$WORK/check.err"
rc=$?
set -e
[ "$rc" = 1 ] || fail "--check-config exited $rc: $(cat "$WORK/check.out" "$WORK/check.err")"
n=$(grep -c "reversed range" "$WORK/check.err" || true)
[ "$n" = 1 ] || fail "--check-config should report the line once, got $n: $(cat -A "$WORK/check.err")"
grep -qxF "$WORK/etc/extensions.conf:4: extension '_[9-2]X': reversed range '9-2' at offset 2 matches nothing (write it low-high)" \
  "$WORK/check.err" || fail "--check-config line is not 'file:line: extension: reason' on a line of its own: $(cat -A "$WORK/check.err")"
[ "$(tail -c 1 "$WORK/check.err" | od -An -c | tr -d ' ')" = '\n' ] || fail "--check-config output does not end with a newline"
grep -q "^1 error in " "$WORK/check.err" || fail "no error count line: $(cat "$WORK/check.err")"
pass "--check-config reports the reversed range once with file:line and exits 1"

start_daemon
wait_for 5 grep -q "ready" "$WORK/daemon.log" || fail "telephonyd did not start with one bad line"
n=$(grep -c "extensions.conf:4: extension '_\[9-2\]X': reversed range.*line skipped" "$WORK/daemon.log" || true)
[ "$n" = 1 ] || fail "expected one warning for the skipped line, got $n"
out=$(rx "dialplan show ctx")
grep -q "'100'" <<<"$out" || fail "extension 100 not loaded: $out"
grep -q "'200'" <<<"$out" || fail "extension 200 not loaded: $out"
grep -q "9-2" <<<"$out" && fail "the bad line was loaded: $out"
rx "channel originate Local/200@ctx application Wait 0.1" >/dev/null || fail "originate"
wait_for 5 grep -q "GOOD TWO RAN" "$WORK/daemon.log" || fail "the extension after the bad line does not run"
pass "telephonyd starts: the bad line is skipped with one file:line warning, the rest runs"

set +e
out=$(rx "dialplan reload" 2>&1)
rc=$?
set -e
[ "$rc" != 0 ] || fail "dialplan reload of a file with a bad line succeeded: $out"
grep -q "extensions.conf:4" <<<"$out" || fail "the reload error does not name file:line: $out"
rx "dialplan show ctx" | grep -q "'200'" || fail "the running dialplan was not kept"
pass "dialplan reload refuses the file and keeps the running dialplan"
stop_daemon
