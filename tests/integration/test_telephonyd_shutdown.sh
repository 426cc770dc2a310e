#!/usr/bin/env bash
# SIGTERM with calls up: telephonyd exits within 2 s, every channel is hung up and its `h`
# extension runs; `core stop gracefully` waits for the last call, refusing new ones meanwhile.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/etc"
printf '[directories]\nrundir => run\nlogdir => log\nspooldir => spool\n' >"$WORK/etc/telephony.conf"
printf '[logfiles]\ncalls => verbose\n' >"$WORK/etc/logger.conf"
cat >"$WORK/etc/extensions.conf" <<'CONF'
[long]
exten => 100,1,Answer()
 same => n,Verbose(0,CALL UP ${CHANNEL})
 same => n,Wait(60)
exten => h,1,Verbose(0,HANGUP RAN ${CHANNEL})
[short]
exten => 100,1,Answer()
 same => n,Verbose(0,SHORT UP)
 same => n,Wait(1.5)
 same => n,Verbose(0,SHORT DONE)
CONF
LOG="$WORK/etc/log/calls"
start_daemon
for i in 1 2 3 4 5; do
  rx "channel originate Local/100@long application Wait 60" >/dev/null || fail "originate $i"
done
wait_for 5 bash -c "[ \$(grep -c ': CALL UP ' '$LOG') -ge 5 ]" || fail "calls did not come up: $(cat "$LOG")"
rx "core show channels count" | grep -q "^10 active channels" || fail "expected 10 channels: $(rx core show channels)"
pass "5 Local calls up (10 channels)"
t0=$(date +%s%N)
kill -TERM "$DAEMON_PID"
wait_for 3 bash -c "! kill -0 $DAEMON_PID" || fail "telephonyd did not exit after SIGTERM"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=""
[ "$ms" -le 2000 ] || fail "SIGTERM took ${ms} ms (limit 2000)"
[ "$(grep -c ': HANGUP RAN ' "$LOG")" -ge 5 ] || fail "h did not run on every call: $(grep -c ': HANGUP RAN ' "$LOG")"
pass "SIGTERM with 10 channels: exit in ${ms} ms, h ran on every call"

start_daemon
rx "channel originate Local/100@short application Wait 10" >/dev/null || fail "originate short"
wait_for 5 grep -q ': SHORT UP$' "$LOG" || fail "short call did not start"
rx "core stop gracefully" | grep -q "Refusing new calls" || fail "core stop gracefully"
rx "channel originate Local/100@short application Wait 10" >/dev/null 2>&1 || true
sleep 0.3
[ "$(grep -c ': SHORT UP$' "$LOG")" = 1 ] || fail "a new call was accepted while stopping"
kill -0 "$DAEMON_PID" || fail "graceful stop did not wait for the call"
wait_for 5 bash -c "! kill -0 $DAEMON_PID" || fail "graceful stop never finished"
DAEMON_PID=""
grep -q ': SHORT DONE$' "$LOG" || fail "the call was cut instead of finishing"
pass "core stop gracefully waits for the last call and refuses new ones"
