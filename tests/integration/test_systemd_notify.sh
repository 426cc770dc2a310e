#!/usr/bin/env bash
# telephonyd as systemd runs it (Type=notify): READY=1 once the console socket answers, watchdog
# pings at half of WATCHDOG_USEC, RELOADING=1/READY=1 around a SIGHUP reload, STOPPING=1 at
# SIGTERM; console lines carry syslog priorities when JOURNAL_STREAM names our stderr; and
# `cmake --install` puts the unit and a default configuration that --check-config accepts.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/etc"
printf '[directories]\nspooldir => spool\nrundir => run\nlogdir => log\n' >"$WORK/etc/telephony.conf"
printf '[logfiles]\nconsole => notice,warning,error,verbose\n' >"$WORK/etc/logger.conf"
SOCK="$WORK/notify.sock"
/usr/bin/python3 - "$SOCK" >"$WORK/notify.log" 2>&1 <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.5)
deadline = time.time() + 20
while time.time() < deadline:
    try:
        msg = s.recv(4096).decode()
    except socket.timeout:
        continue
    print(msg.replace('\n', '|'), flush=True)
    if 'STOPPING=1' in msg:
        break
PY
LISTENER=$!
wait_for 5 test -S "$SOCK" || fail "notify listener did not start"
: >"$WORK/daemon.log"
JS="$(stat -c '%d:%i' "$WORK/daemon.log")"
NOTIFY_SOCKET="$SOCK" WATCHDOG_USEC=200000 JOURNAL_STREAM="$JS" "$TELEPHONYD" -C "$WORK/etc" -f >>"$WORK/daemon.log" 2>&1 &
DAEMON_PID=$!
wait_for 10 grep -q "READY=1" "$WORK/notify.log" || { kill $LISTENER; fail "no READY=1: $(cat "$WORK/notify.log")"; }
rx "core show version" >/dev/null || fail "console not answering after READY=1"
grep "READY=1" "$WORK/notify.log" | head -1 | grep -q "STATUS=ready (config " || fail "READY without STATUS"
sleep 0.6
[ "$(grep -c '^WATCHDOG=1$' "$WORK/notify.log")" -ge 3 ] || fail "watchdog pings: $(cat "$WORK/notify.log")"
pass "Type=notify: READY=1 with STATUS once the console answers; WATCHDOG=1 every WATCHDOG_USEC/2"
kill -HUP "$DAEMON_PID"
wait_for 5 grep -q "RELOADING=1" "$WORK/notify.log" || fail "no RELOADING=1"
wait_for 5 grep -q "STATUS=reloaded" "$WORK/notify.log" || fail "no READY after reload: $(cat "$WORK/notify.log")"
pass "SIGHUP reload: RELOADING=1 then READY=1"
grep -Eq '^<5>\[.*\] NOTICE\[[0-9]+\]: telephonyd: telephonyd .* ready' "$WORK/daemon.log" || fail "no <5> journald priority: $(head -5 "$WORK/daemon.log")"
pass "under JOURNAL_STREAM console lines carry syslog priorities (<5> notice)"
stop_daemon
wait_for 5 grep -q "STOPPING=1" "$WORK/notify.log" || fail "no STOPPING=1"
wait "$LISTENER" 2>/dev/null || true
pass "SIGTERM: STOPPING=1"

# make install: the unit and a default configuration, into a DESTDIR.
BUILD_DIR=$(cd "$(dirname "$TELEPHONYD")/.." && pwd)
DESTDIR="$WORK/root" cmake --install "$BUILD_DIR" >"$WORK/install.log" 2>&1 || fail "cmake --install: $(tail -5 "$WORK/install.log")"
UNIT=$(find "$WORK/root" -name telephonyd.service | head -1)
[ -n "$UNIT" ] || fail "no telephonyd.service installed"
grep -q "^Type=notify$" "$UNIT" && grep -q "^WatchdogSec=" "$UNIT" && grep -Eq "^ExecStart=/.*/bin/telephonyd -C /.*/telephony -f$" "$UNIT" \
  && grep -Eq "^ExecReload=/bin/kill -HUP \\\$MAINPID$" "$UNIT" || fail "unit: $(cat "$UNIT")"
CONF=$(dirname "$(find "$WORK/root" -path '*telephony/telephony.conf' | head -1)")
[ -f "$CONF/logger.conf" ] && [ -f "$CONF/extensions.conf" ] || fail "no default configuration installed"
"$TELEPHONYD" --check-config -C "$CONF" >"$WORK/check.out" 2>&1 || fail "default config rejected: $(cat "$WORK/check.out")"
echo "; edited" >>"$CONF/telephony.conf"
DESTDIR="$WORK/root" cmake --install "$BUILD_DIR" >/dev/null 2>&1
grep -q "; edited" "$CONF/telephony.conf" || fail "a second install overwrote the configuration"
pass "make install: telephonyd.service (Type=notify, watchdog, reload) and a default configuration kept on reinstall"
