#!/usr/bin/env bash
# Call files through telephonyd with a real extensions.conf (needs the dialplan module: pbx_config
# loading extensions.conf and the Answer/Wait/Hangup/Busy/Set/NoOp/Verbose applications).
# Moved in, written in place, future mtime, retried, expired, archived, failed with ${REASON},
# a 10,000-file burst, and kill -9 in the middle of a burst with nothing lost.
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
calls => verbose(0)
CONF
cat >"$WORK/etc/extensions.conf" <<'CONF'
[devices]
exten => answer,1,Answer()
 same => n,Wait(0.2)
 same => n,Hangup()
exten => busy,1,Busy(1)
exten => silent,1,Wait(30)
[wake]
exten => 100,1,NoOp(wake-up call)
 same => n,Verbose(0,ANSWERED ${ID} ROOM=${ROOM})
 same => n,Hangup()
exten => failed,1,Verbose(0,FAILED ${ID} REASON=${REASON} ROOM=${ROOM})
[bulk]
exten => 100,1,Verbose(0,BULK ${ID})
 same => n,Hangup()
CONF

# Renames every *.call of $1 into $2 with plain rename(2), as spooling tools do. (GNU mv uses
# renameat2(RENAME_NOREPLACE) and, on overlay filesystems, stats the destination afterwards —
# which the spooler has already claimed — and then reports a spurious error.)
move_all() {
  /usr/bin/python3 -c 'import os, sys
src, dst = sys.argv[1], sys.argv[2]
for n in sorted(os.listdir(src)):
    if n.endswith(".call"): os.rename(os.path.join(src, n), os.path.join(dst, n))' "$1" "$2"
}
SPOOL="$WORK/etc/spool"
OUT="$SPOOL/outgoing"
LOG="$WORK/etc/log/calls"
deliver() {  # deliver <name> <text>: the documented way, dotfile then rename
  printf '%b' "$2" >"$OUT/.$1.tmp"
  mv "$OUT/.$1.tmp" "$OUT/$1"
}
count() { grep -c "$1" "$LOG" 2>/dev/null || true; }

start_daemon
wait_for 5 test -d "$SPOOL/outgoing_work" || fail "spooler not started"

deliver moved.call "Channel: Local/answer@devices\nContext: wake\nExtension: 100\nSet: ID=moved\nSet: ROOM=101\n"
wait_for 10 grep -q "ANSWERED moved ROOM=101" "$LOG" || fail "moved-in call file not answered"
wait_for 5 bash -c "! test -e '$OUT/moved.call' && ! test -e '$SPOOL/outgoing_work/moved.call'" || fail "moved.call not deleted"
pass "a call file moved in is dialed, runs the dialplan with its variables, and is deleted"

printf 'Channel: Local/answer@devices\nContext: wake\nExtension: 100\nSet: ID=inplace\n' >"$OUT/inplace.call"
wait_for 10 grep -q "ANSWERED inplace" "$LOG" || fail "call file written in place not dialed"
pass "a call file written in place is dialed after it is closed"

deliver future.call "Channel: Local/answer@devices\nContext: wake\nExtension: 100\nSet: ID=future\n"
touch -d "@$(( $(date +%s) + 3 ))" "$OUT/future.call" 2>/dev/null || true
sleep 1
[ "$(count 'ANSWERED future')" -le 1 ] || fail "future call dialed twice"
wait_for 10 grep -q "ANSWERED future" "$LOG" || fail "future-mtime call never dialed"
pass "a call file with a future mtime waits for it"

deliver retry.call "Channel: Local/busy@devices\nContext: wake\nExtension: 100\nSet: ID=retry\nSet: ROOM=7\nMaxRetries: 1\nRetryTime: 1\nArchive: yes\n"
wait_for 15 test -f "$SPOOL/outgoing_done/retry.call" || fail "retried file not archived"
grep -q "^Status: Expired" "$SPOOL/outgoing_done/retry.call" || fail "retried file not Expired"
[ "$(grep -c '^StartRetry:' "$SPOOL/outgoing_done/retry.call")" = 2 ] || fail "expected 2 attempts: $(cat "$SPOOL/outgoing_done/retry.call")"
[ "$(count 'FAILED retry REASON=5 ROOM=7')" = 2 ] || fail "failed extension did not run once per attempt with REASON=5"
grep -q "Call failed to go through, reason (5) Remote end is Busy" "$WORK/daemon.log" || fail "no pbx_spool busy line"
pass "busy is retried, expires after MaxRetries+1, runs failed,1 with REASON=5, and is archived"

deliver noanswer.call "Channel: Local/silent@devices\nWaitTime: 1\nContext: wake\nExtension: 100\nSet: ID=noanswer\nArchive: yes\n"
wait_for 10 grep -q "FAILED noanswer REASON=3" "$LOG" || fail "no answer did not give REASON=3"
pass "no answer within WaitTime gives REASON=3"

deliver done.call "Channel: Local/answer@devices\nContext: wake\nExtension: 100\nSet: ID=done\nArchive: yes\n"
wait_for 10 test -f "$SPOOL/outgoing_done/done.call" || fail "answered file not archived"
grep -q "^Status: Completed" "$SPOOL/outgoing_done/done.call" || fail "no Status: Completed"
pass "an answered call file is archived with Status: Completed"

# 10,000 files renamed in as fast as the shell can: every one dialed exactly once.
N=10000
mkdir -p "$WORK/stage"
for i in $(seq 1 $N); do printf 'Channel: Local/answer@devices\nContext: bulk\nExtension: 100\nSet: ID=b%s\n' "$i" >"$WORK/stage/b$i.call"; done
t0=$(date +%s.%N)
move_all "$WORK/stage" "$OUT"
wait_for 240 bash -c "[ \$(grep -c 'BULK b' '$LOG') -ge $N ]" || fail "burst: only $(count 'BULK b') of $N dialed"
t1=$(date +%s.%N)
[ "$(grep -o 'BULK b[0-9]*' "$LOG" | sort | uniq -d | wc -l)" = 0 ] || fail "burst: some files dialed twice"
pass "a burst of $N call files is dialed exactly once each ($(echo "$t1 - $t0" | bc) s)"

# kill -9 in the middle of a burst, restart: nothing lost, nothing answered is redialed.
M=2000
for i in $(seq 1 $M); do printf 'Channel: Local/answer@devices\nContext: bulk\nExtension: 100\nSet: ID=k%s\nArchive: yes\n' "$i" >"$WORK/stage/k$i.call"; done
move_all "$WORK/stage" "$OUT"
wait_for 60 bash -c "[ \$(grep -c 'BULK k' '$LOG') -ge 200 ]" || fail "kill burst did not start"
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=""
rm -f "$WORK/etc/run/telephonyd.ctl"
start_daemon
wait_for 120 bash -c "[ \$(ls '$SPOOL/outgoing_done' | grep -c '^k') -ge $M ]" || fail "after kill -9 only $(ls "$SPOOL/outgoing_done" | grep -c '^k') of $M finished"
[ "$(grep -l '^Status: Completed' "$SPOOL"/outgoing_done/k*.call | wc -l)" = $M ] || fail "not every file Completed"
for f in "$SPOOL"/outgoing_done/k*.call; do
  [ "$(grep -c '^Status:' "$f")" = 1 ] || fail "$f has more than one verdict"
done
pass "kill -9 mid-burst: all $M files finish exactly once, none lost"

stop_daemon
