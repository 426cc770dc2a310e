#!/usr/bin/env bash
# telephonyd on a temp config dir: -rx commands, module reload (good and broken), --check-config,
# stop by signal with no process left behind.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/etc"
cat >"$WORK/etc/telephony.conf" <<'CONF'
[directories]
spooldir => spool
rundir => run
logdir => log
[options]
systemname = ittest
CONF
cat >"$WORK/etc/logger.conf" <<'CONF'
[logfiles]
console => notice,warning,error
messages => notice,warning,error
CONF

"$TELEPHONYD" --check-config -C "$WORK/etc" >"$WORK/check.out" 2>&1 || fail "--check-config rejected a good config: $(cat "$WORK/check.out")"
grep -q "Configuration OK" "$WORK/check.out" || fail "no OK line"
pass "--check-config accepts a good directory"

rx "core show version" >/dev/null 2>&1 && fail "-rx succeeded with no daemon running"
{ rx "core show version" 2>&1 || true; } | grep -q "Unable to connect" || fail "-rx without daemon gives no clear error"
pass "-rx without a daemon fails clearly"

start_daemon
[ -d "$WORK/etc/spool/outgoing" ] || fail "spool/outgoing not created"
rx "core show version" | grep -q "^libtelephony " || fail "core show version"
pass "core show version"
rx "core show channels" | grep -q "^0 active channels" || fail "core show channels: $(rx core show channels)"
rx "core show channels count" | grep -q "0 active calls" || fail "core show channels count"
pass "core show channels"
rx "core show uptime seconds" | grep -Eq "^System uptime: [0-9]+$" || fail "core show uptime seconds"
rx "core show uptime" | grep -q "^System uptime: " || fail "core show uptime"
pass "core show uptime"
rx "core show settings" | grep -q "Spool directory: *$WORK/etc/spool" || fail "core show settings: $(rx core show settings)"
rx "core show settings" | grep -q "System name: *ittest" || fail "systemname not applied"
pass "core show settings shows resolved directories"
out=$(rx "core show nonsense" 2>&1) && fail "unknown command exited 0"
grep -q "No such command" <<<"$out" || fail "unknown command message: $out"
pass "unknown command is an error"

# Reload: a good logger.conf adds a file; a broken one is refused with file:line and the running
# configuration (the messages file) keeps working.
cat >"$WORK/etc/logger.conf" <<'CONF'
[logfiles]
messages => notice,warning,error
reloaded => notice
CONF
rx "module reload logger" | grep -q "Module 'logger' reloaded successfully." || fail "module reload logger"
kill -HUP "$DAEMON_PID"   # logs a NOTICE line through the new sinks
wait_for 5 grep -q "SIGHUP" "$WORK/etc/log/reloaded" || fail "reloaded log file not written"
pass "module reload applies a new logger.conf"
cat >"$WORK/etc/logger.conf" <<'CONF'
[logfiles]
messages => notice,bogus
CONF
out=$(rx "module reload logger") && fail "broken reload exited 0"
grep -q "logger.conf:2: unknown log level 'bogus'" <<<"$out" || fail "broken reload message: $out"
kill -HUP "$DAEMON_PID"
wait_for 5 bash -c "[ \$(grep -c SIGHUP '$WORK/etc/log/reloaded') -ge 2 ]" || fail "old config not kept after a failed reload"
pass "a broken reload keeps the running configuration"

"$TELEPHONYD" --check-config -C "$WORK/etc" >"$WORK/check.out" 2>&1 && fail "--check-config accepted a broken logger.conf"
grep -q "logger.conf:2: unknown log level 'bogus'" "$WORK/check.out" || fail "check-config message: $(cat "$WORK/check.out")"
printf '[general\nfoo=bar\n' >"$WORK/etc/broken.conf"
"$TELEPHONYD" --check-config -C "$WORK/etc" >"$WORK/check.out" 2>&1 && fail "--check-config accepted a broken file"
grep -q "broken.conf:1:" "$WORK/check.out" || fail "check-config did not name broken.conf:1: $(cat "$WORK/check.out")"
pass "--check-config names every error with file:line"

# Interactive remote console: several commands over one connection.
printf 'core show version\ncore show channels count\nexit\n' | "$TELEPHONYD" -C "$WORK/etc" -r >"$WORK/r.out" 2>&1 \
  || fail "-r exited non-zero: $(cat "$WORK/r.out")"
grep -q "^libtelephony " "$WORK/r.out" && grep -q "0 active channels" "$WORK/r.out" || fail "-r output: $(cat "$WORK/r.out")"
pass "interactive remote console (-r)"

stop_daemon
[ -S "$WORK/etc/run/telephonyd.ctl" ] && fail "control socket left behind"
[ -f "$WORK/etc/run/telephonyd.pid" ] && fail "pid file left behind"
pgrep -f "telephonyd -C $WORK/etc" >/dev/null && fail "a telephonyd process is left"
pass "SIGTERM stops the daemon cleanly"

# core stop now over the console.
cp "$WORK/etc/log/messages" /dev/null
printf '[logfiles]\nmessages => notice\n' >"$WORK/etc/logger.conf"
rm -f "$WORK/etc/broken.conf"
start_daemon
rx "core stop now" | grep -q "Shutting down" || fail "core stop now"
wait_for 3 bash -c "! kill -0 $DAEMON_PID" || fail "core stop now did not stop the daemon"
DAEMON_PID=""
pass "core stop now"

# The same logger configuration written as YAML is picked up (logger.yaml instead of logger.conf).
rm -f "$WORK/etc/logger.conf"
printf 'logfiles:\n  yamlmessages: notice,warning,error\n' >"$WORK/etc/logger.yaml"
start_daemon
wait_for 5 grep -q "ready" "$WORK/etc/log/yamlmessages" || fail "logger.yaml not applied"
pass "module configuration written as YAML"
rx "core stop gracefully" | grep -q "Refusing new calls" || fail "core stop gracefully"
wait_for 3 bash -c "! kill -0 $DAEMON_PID" || fail "core stop gracefully did not stop an idle daemon"
DAEMON_PID=""
pass "core stop gracefully"
echo "all console checks passed"
