#!/usr/bin/env bash
# pbx_spool and res_clioriginate inside telephonyd, before any dialplan module exists: the spooler
# watches <spooldir>/outgoing once the daemon is up, every call file is dialed through the
# originate core, failures are logged in pbx_spool's words and archived with their Status line,
# and the console commands answer. (The dialplan-driven call-file tests are in pending/.)
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

start_daemon
OUT="$WORK/etc/spool/outgoing"
wait_for 5 test -d "$WORK/etc/spool/outgoing_work" || fail "spooler did not create outgoing_work"
pass "pbx_spool starts on the configured spool directory"

rx "module show" | grep -q "pbx_spool" || fail "module show does not list pbx_spool: $(rx module show)"
pass "pbx_spool is listed as a module"

# No dialplan module: the originate is refused (reason 0), the file expires and is archived.
printf 'Channel: Local/100@default\nContext: default\nExtension: 100\nArchive: yes\n' >"$WORK/.a.call"
mv "$WORK/.a.call" "$OUT/a.call"
wait_for 5 test -f "$WORK/etc/spool/outgoing_done/a.call" || fail "a.call not archived"
grep -q "^Status: Expired" "$WORK/etc/spool/outgoing_done/a.call" || fail "no Status: Expired in $(cat "$WORK/etc/spool/outgoing_done/a.call")"
grep -q "^StartRetry: " "$WORK/etc/spool/outgoing_done/a.call" || fail "no StartRetry line"
wait_for 5 grep -q "Call failed to go through, reason (0)" "$WORK/daemon.log" || fail "no pbx_spool failure line"
pass "a call file that cannot be originated is logged with reason 0 and archived as Expired"

# An unknown technology is the same failure, named in the log.
printf 'Channel: Nope/1\nApplication: Wait\nData: 1\n' >"$WORK/.b.call"
mv "$WORK/.b.call" "$OUT/b.call"
wait_for 5 grep -q "No such channel technology 'Nope'" "$WORK/daemon.log" || fail "unknown technology not named"
wait_for 5 bash -c "! test -e '$OUT/b.call' && ! test -e '$WORK/etc/spool/outgoing_work/b.call'" || fail "b.call not disposed of"
pass "an unknown technology is named in the log and the file is deleted"

out=$(rx "channel originate Nope/1 extension 100@default") && fail "console originate to an unknown technology exited 0"
grep -q "No such channel technology 'Nope'" <<<"$out" || fail "console originate message: $out"
out=$(rx "channel originate Local/1@default extension 100@default") && fail "console originate without a dialplan exited 0"
grep -q "no dialplan module is loaded" <<<"$out" || fail "console originate message: $out"
out=$(rx "channel request hangup Local/none-1") && fail "hangup of an unknown channel exited 0"
grep -q "Local/none-1 is not a known channel" <<<"$out" || fail "hangup message: $out"
rx "channel request hangup all" | grep -q "Requested Hangup on all channels" || fail "hangup all"
pass "console originate and request hangup answer like Asterisk's"

stop_daemon
