#!/usr/bin/env bash
# Prometheus metrics (http.conf + prometheus.conf as res_prometheus reads them) scraped during and
# after real calls; the numbers are checked against the calls made. Basic auth, 404/405, the
# text format's HELP/TYPE lines, and a reload that moves the URI.
source "$(dirname "$0")/lib.sh"
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HTTP=$(free_port); AMI=$(free_port)
mkdir -p "$WORK/etc"
cat >"$WORK/etc/telephony.conf" <<'CONF'
[directories]
spooldir => spool
rundir => run
logdir => log
CONF
printf '[logfiles]\nmessages => notice,warning,error\n' >"$WORK/etc/logger.conf"
cat >"$WORK/etc/http.conf" <<CONF
[general]
enabled = yes
bindaddr = 127.0.0.1
bindport = $HTTP
CONF
cat >"$WORK/etc/prometheus.conf" <<'CONF'
[general]
enabled = yes
core_metrics_enabled = yes
uri = metrics
auth_username = prom
auth_password = s3cret
CONF
cat >"$WORK/etc/manager.conf" <<CONF
[general]
port = $AMI
bindaddr = 127.0.0.1
[it]
secret = itsecret
read = all
write = all
CONF
cat >"$WORK/etc/extensions.conf" <<'CONF'
[m]
exten => answer,1,Dial(Local/pickup@m,5)
 same => n,Hangup()
exten => busy,1,Dial(Local/isbusy@m,5)
 same => n,Hangup()
exten => long,1,Dial(Local/longpickup@m,30)
exten => pickup,1,Answer()
 same => n,Wait(0.3)
 same => n,Hangup()
exten => longpickup,1,Answer()
 same => n,Wait(30)
exten => isbusy,1,Busy(5)
CONF
start_daemon
scrape() {  # scrape [user:pass] [path] -> body on stdout, "HTTP <code>" on fd 3
  /usr/bin/python3 - "$HTTP" "${1:-prom:s3cret}" "${2:-/metrics}" <<'PY'
import base64, sys, urllib.request, urllib.error
port, auth, path = sys.argv[1], sys.argv[2], sys.argv[3]
req = urllib.request.Request('http://127.0.0.1:%s%s' % (port, path))
if auth != '-':
    req.add_header('Authorization', 'Basic ' + base64.b64encode(auth.encode()).decode())
try:
    with urllib.request.urlopen(req, timeout=5) as r:
        sys.stderr.write('HTTP %d %s\n' % (r.status, r.headers.get('Content-Type')))
        sys.stdout.write(r.read().decode())
except urllib.error.HTTPError as e:
    sys.stderr.write('HTTP %d %s\n' % (e.code, e.headers.get('WWW-Authenticate')))
PY
}
metric() { scrape 2>/dev/null | awk -v k="$1" '$1 == k {print $2}'; }
idle() { wait_for 15 bash -c "$TELEPHONYD -C $WORK/etc -rx 'core show channels count' | grep -q '^0 active channels'"; }

scrape - 2>&1 >/dev/null | grep -q 'HTTP 401 Basic realm="Asterisk Prometheus Metrics"' || fail "no 401 without credentials"
scrape prom:wrong 2>&1 >/dev/null | grep -q "HTTP 401" || fail "wrong password accepted"
scrape prom:s3cret /other 2>&1 >/dev/null | grep -q "HTTP 404" || fail "unknown path not 404"
scrape 2>&1 >/dev/null | grep -q "HTTP 200 text/plain; version=0.0.4" || fail "scrape not 200 text/plain 0.0.4"
body=$(scrape 2>/dev/null)
for fam in "asterisk_core_uptime_seconds gauge" "asterisk_core_last_reload_seconds gauge" "asterisk_channels_count gauge" \
           "asterisk_calls_sum counter" "asterisk_calls_count gauge" "asterisk_endpoints_count gauge" \
           "asterisk_bridges_count gauge" "telephony_calls_total counter" "telephony_dialplan_steps_total counter" \
           "telephony_queue_high_water gauge" "telephony_ami_sessions gauge" "asterisk_core_scrape_time_ms gauge"; do
  grep -q "^# TYPE $fam$" <<<"$body" || fail "no '# TYPE $fam'"
done
grep -Eq '^asterisk_core_properties\{build_options="",version="[0-9.]+",' <<<"$body" || fail "core properties: $(echo "$body" | grep properties)"
pass "basic auth (401 with realm), 404, text format 0.0.4 with res_prometheus names"

[ "$(metric asterisk_channels_count)" = 0 ] && [ "$(metric asterisk_calls_sum)" = 0 ] || fail "not idle at start"
for i in 1 2 3; do rx "channel originate Local/answer@m application Wait 1" >/dev/null; idle || fail "answer call $i"; done
rx "channel originate Local/busy@m application Wait 1" >/dev/null; idle || fail "busy call"
rx "channel originate Local/long@m application Wait 30" >/dev/null
wait_for 5 bash -c "$TELEPHONYD -C $WORK/etc -rx 'core show channels count' | grep -q '^4 active channels'" || fail "long call not up"
# The callee's Answer and Wait steps, and the answer counted, run on their own strands after the
# channels exist: wait for them (a fixed 0.5 s was short on a loaded box), then check everything.
settled() { [ "$(metric telephony_dialplan_steps_total)" = 18 ] && [ "$(metric 'telephony_calls_total{result="ANSWER"}')" = 4 ]; }
wait_for 10 settled || true
body=$(scrape 2>/dev/null)
val() { echo "$body" | awk -v k="$1" '$1 == k {print $2}'; }
[ "$(val asterisk_channels_count)" = 4 ] || fail "asterisk_channels_count $(val asterisk_channels_count), want 4"
[ "$(val asterisk_calls_count)" = 1 ] || fail "asterisk_calls_count $(val asterisk_calls_count), want 1"
[ "$(val 'telephony_channels_active{tech="Local"}')" = 4 ] || fail "telephony_channels_active"
[ "$(echo "$body" | grep -c '^asterisk_channels_state{name="Local/')" = 4 ] || fail "per-channel state lines"
grep -Eq '^asterisk_channels_state\{name="Local/long@m-[0-9a-f]{8};2",id="[^"]+",type="Local",state="Up"\} 6$' <<<"$body" || fail "channel state line"
[ "$(val 'telephony_calls_total{result="ANSWER"}')" = 4 ] || fail "ANSWER $(val 'telephony_calls_total{result="ANSWER"}'), want 4 (3 + the long call)"
[ "$(val 'telephony_calls_total{result="BUSY"}')" = 1 ] || fail "BUSY $(val 'telephony_calls_total{result="BUSY"}'), want 1"
[ "$(val 'telephony_calls_total{result="NOANSWER"}')" = 0 ] || fail "NOANSWER not 0"
# Steps: answer = Dial on ;2 (no g: it hangs up with the callee) and Answer, Wait, Hangup on the
# callee (4); busy = Dial, Hangup + Busy (3); the long call so far = Dial + Answer, Wait (3).
[ "$(val telephony_dialplan_steps_total)" = $((3 * 4 + 3 + 3)) ] || fail "dialplan steps $(val telephony_dialplan_steps_total), want 18"
pass "during a call: channels 4, calls 1, per-channel state, calls by result and dialplan steps match the calls made"
rx "channel request hangup all" >/dev/null; idle || fail "long call did not end"
body=$(scrape 2>/dev/null)
[ "$(val asterisk_channels_count)" = 0 ] && [ "$(val asterisk_calls_count)" = 0 ] || fail "not idle after the calls"
calls_sum=$(val asterisk_calls_sum)
[ "$calls_sum" -ge 5 ] || fail "asterisk_calls_sum $calls_sum < 5 calls made"
[ "$(val 'telephony_hangups_total{cause="USER_BUSY"}')" -ge 1 ] || fail "no USER_BUSY hangup counted"
pass "after the calls: 0 channels, asterisk_calls_sum $calls_sum, hangup causes"

exec 7<>/dev/tcp/127.0.0.1/$AMI
printf 'Action: Login\r\nUsername: it\r\nSecret: itsecret\r\n\r\n' >&7
ami_counted() { [ "$(metric 'telephony_ami_sessions{state="authenticated"}')" = 1 ]; }
wait_for 10 ami_counted || fail "AMI session not counted: $(scrape 2>/dev/null | grep ami_sessions)"
scrape 2>/dev/null | grep -Eq '^telephony_queue_depth\{queue="ami/session-[0-9]+-it"\} [0-9]+$' || fail "AMI session queue not listed"
scrape 2>/dev/null | grep -Eq '^telephony_queue_high_water\{queue="eventbus/manager"\} [1-9][0-9]*$' || fail "event bus high water"
exec 7>&-
pass "AMI sessions and queue depth / high-water marks"

sed -i 's/^uri = metrics/uri = stats/' "$WORK/etc/prometheus.conf"
rx "module reload res_prometheus" | grep -q "reloaded successfully" || fail "reload"
scrape prom:s3cret /metrics 2>&1 >/dev/null | grep -q "HTTP 404" || fail "old uri still served"
scrape prom:s3cret /stats 2>&1 >/dev/null | grep -q "HTTP 200" || fail "new uri not served"
pass "reload moves the URI"
stop_daemon
