#!/usr/bin/env bash
# The SIP and RTP families of the Prometheus metrics, scraped over HTTP during and after real SIP
# calls made with SIPp (Debian sip-tester), checked against the calls made:
#  - asterisk_endpoints_count is the configured endpoints (the core's placeholder gives way: one
#    family only), asterisk_endpoints_state online/offline from contacts, channels per endpoint;
#  - telephony_sip_transactions_total{direction,method,response}: N INVITEs answered 200 in,
#    N BYEs, one OPTIONS, one INVITE out refused 486;
#  - telephony_rtp_*: one live stream during a call, packets received consistent with the tone
#    SIPp streamed (2 s = 100 packets of 20 ms per call), packets sent with the call length, no
#    loss on loopback, every ended stream in the jitter histogram.
source "$(dirname "$0")/lib.sh"
require_commands sipp sox
SRC="${TELEPHONY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
PROBE="/usr/bin/python3 $SRC/tests/integration/sip_probe.py"
SCEN="$SRC/tests/data/sipp"
SIPP_PIDS=()
metrics_cleanup() { for p in "${SIPP_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; cleanup; }
trap metrics_cleanup EXIT

P_SIP=$($PROBE freeport udp); P_UAC=$($PROBE freeport udp); P_UAS=$($PROBE freeport udp)
P_MEDIA=$($PROBE freeport udp); HTTP=$($PROBE freeport tcp)
rtp_block
mkdir -p "$WORK/etc"
cat >"$WORK/etc/telephony.conf" <<'CONF'
[directories]
spooldir => spool
rundir => run
logdir => log
CONF
printf '[logfiles]\nmessages => notice,warning,error\n' >"$WORK/etc/logger.conf"
printf '[general]\nenabled = yes\nbindaddr = 127.0.0.1\nbindport = %s\n' "$HTTP" >"$WORK/etc/http.conf"
printf '[general]\nenabled = yes\n' >"$WORK/etc/prometheus.conf"
printf '[general]\nrtpstart=%s\nrtpend=%s\nbindaddr=127.0.0.1\n' $RTP_START $((RTP_START + 99)) >"$WORK/etc/rtp.conf"
cat >"$WORK/etc/extensions.conf" <<'CONF'
[metrics]
exten => 100,1,Answer()
 same => n,PlayTones(440)
 same => n,Wait(20)
 same => n,Hangup()
exten => 200,1,Dial(PJSIP/uas,5)
 same => n,Hangup()
CONF
# Three endpoints: sipp (calls in, identified by address, no AOR: offline), uas (a static
# contact: online) and bob (an AOR nobody registered: offline).
cat >"$WORK/etc/pjsip.conf" <<CONF
[udp]
type=transport
protocol=udp
bind=127.0.0.1:$P_SIP

[sipp]
type=endpoint
context=metrics
disallow=all
allow=ulaw

[sipp]
type=identify
endpoint=sipp
match=127.0.0.1

[uas]
type=endpoint
context=metrics
disallow=all
allow=ulaw
aors=uas

[uas]
type=aor
contact=sip:uas@127.0.0.1:$P_UAS

[bob]
type=endpoint
context=metrics
allow=ulaw
aors=bob

[bob]
type=aor
max_contacts=1
CONF
start_daemon

# scrape.py PORT: the scrape on stdout. scrape.py PORT SAMPLE VALUE: polls (10 s) until the
# sample (name with its labels, as written) has that value; exit 1 with the last value otherwise.
cat >"$WORK/scrape.py" <<'PY'
import sys, time, urllib.request
def scrape():
    return urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode()
if len(sys.argv) == 2:
    sys.stdout.write(scrape())
    sys.exit(0)
deadline, last = time.time() + 10, None
while time.time() < deadline:
    last = next((l.split(' ')[1] for l in scrape().splitlines() if l.split(' ')[0] == sys.argv[2]), None)
    if last == sys.argv[3]:
        sys.exit(0)
    time.sleep(0.05)
sys.stderr.write('%s is %s, want %s\n' % (sys.argv[2], last, sys.argv[3]))
sys.exit(1)
PY
scrape() { /usr/bin/python3 "$WORK/scrape.py" "$HTTP"; }
metric_is() { /usr/bin/python3 "$WORK/scrape.py" "$HTTP" "$1" "$2"; }  # metric_is SAMPLE VALUE (polls)
val() { echo "$body" | awk -v k="$1" '$1 == k {print $2}'; }
idle() { wait_for 15 bash -c "$TELEPHONYD -C $WORK/etc -rx 'core show channels count' | grep -q '^0 active channels'"; }
txn() { val "telephony_sip_transactions_total{direction=\"$1\",method=\"$2\",response=\"$3\"}"; }

# --- endpoints ------------------------------------------------------------------------------------
body=$(scrape) || fail "scrape failed"
[ "$(echo "$body" | grep -c '^# TYPE asterisk_endpoints_count gauge$')" = 1 ] ||
  fail "asterisk_endpoints_count must be one family (the core's placeholder gives way to SIP's)"
[ "$(val asterisk_endpoints_count)" = 3 ] || fail "asterisk_endpoints_count $(val asterisk_endpoints_count), want 3"
[ "$(val 'asterisk_endpoints_state{id="SIP/uas",tech="SIP",resource="uas"}')" = 2 ] || fail "uas (static contact) not online"
[ "$(val 'asterisk_endpoints_state{id="SIP/bob",tech="SIP",resource="bob"}')" = 1 ] || fail "bob (no contact) not offline"
[ "$(val 'asterisk_endpoints_channels_count{id="SIP/sipp",tech="SIP",resource="sipp"}')" = 0 ] || fail "channels of sipp not 0"
[ "$(val telephony_rtp_streams)" = 0 ] && [ "$(val 'telephony_rtp_packets_total{direction="rx"}')" = 0 ] ||
  fail "RTP not idle at start: $(echo "$body" | grep '^telephony_rtp_')"
pass "asterisk_endpoints_count 3 (one family), endpoint states online/offline, RTP families idle"

# --- one OPTIONS, then calls in with media ---------------------------------------------------------
[ "$($PROBE options 127.0.0.1 $P_SIP)" = "SIP/2.0 200 OK" ] || fail "OPTIONS not answered"
sox -n -r 8000 -c 1 -e u-law "$WORK/tone_ulaw.wav" synth 2 sine 440 || fail "sox could not make the test tone"
call_in() {  # call_in NAME MS: one call of MS ms with 2 s of tone from SIPp
  (cd "$WORK" && exec timeout 30 sipp 127.0.0.1:$P_SIP -sf "$SCEN/uac_rtp_tone.xml" -s 100 -i 127.0.0.1 -p $P_UAC \
    -mi 127.0.0.1 -mp $P_MEDIA -d "$2" -nostdin -m 1 -timeout 20s -timeout_error -trace_err \
    -error_file "$WORK/$1.err" >"$WORK/$1.out" 2>&1)
}
CALLS=3
call_in call1 5000 &  # long enough to be looked at
CALL_PID=$!
SIPP_PIDS+=($CALL_PID)
metric_is 'asterisk_endpoints_channels_count{id="SIP/sipp",tech="SIP",resource="sipp"}' 1 2>"$WORK/m.err" ||
  fail "the call is not counted on its endpoint: $(cat "$WORK/m.err")"
metric_is telephony_rtp_streams 1 || fail "no live RTP stream during the call"
# SIPp's stream starts after its ACK, on its own thread: wait for the first packets counted (a
# fixed 0.5 s was short on a loaded box); the call lasts 5 s.
rtp_arrived() { body=$(scrape) && [ "$(val 'telephony_rtp_packets_total{direction="rx"}')" -gt 0 ]; }
wait_for 4 rtp_arrived || true
body=$(scrape)
rx_during=$(val 'telephony_rtp_packets_total{direction="rx"}')
[ "$rx_during" -gt 0 ] || fail "no RTP packets received counted during the call"
[ "$(val asterisk_channels_count)" = 1 ] || fail "asterisk_channels_count $(val asterisk_channels_count) during the call"
wait "$CALL_PID" || fail "call 1 failed: $(tail -5 "$WORK/call1.err" 2>/dev/null)"
pass "during a call: the endpoint has 1 channel, 1 live RTP stream, $rx_during packets received so far"
for i in $(seq 2 $CALLS); do call_in "call$i" 2500 || fail "call $i failed: $(tail -5 "$WORK/call$i.err" 2>/dev/null)"; done
idle || fail "calls did not end"
metric_is telephony_rtp_streams 0 || fail "RTP streams still live after the calls"

body=$(scrape)
[ "$(txn in INVITE 200)" = $CALLS ] || fail "INVITE 200 in: $(txn in INVITE 200), want $CALLS"
[ "$(txn in BYE 200)" = $CALLS ] || fail "BYE 200 in: $(txn in BYE 200), want $CALLS"
[ "$(txn in OPTIONS 200)" = 1 ] || fail "OPTIONS 200 in: $(txn in OPTIONS 200), want 1"
pass "telephony_sip_transactions_total: $CALLS INVITE/200, $CALLS BYE/200, 1 OPTIONS/200 in"

rx=$(val 'telephony_rtp_packets_total{direction="rx"}'); tx=$(val 'telephony_rtp_packets_total{direction="tx"}')
# SIPp streams 2 s of tone per call: 100 packets of 20 ms each.
[ "$rx" -ge $((CALLS * 95)) ] && [ "$rx" -le $((CALLS * 102)) ] || fail "RTP received $rx, want about $((CALLS * 100))"
# We play a tone from the answer to the BYE: 5 + 2.5 + 2.5 s of calls at 50 packets a second.
[ "$tx" -ge 400 ] && [ "$tx" -le 700 ] || fail "RTP sent $tx, want about 500 (10 s of calls)"
[ "$(val 'telephony_rtp_packets_lost_total{direction="rx"}')" = 0 ] || fail "loss on loopback: $(val 'telephony_rtp_packets_lost_total{direction="rx"}')"
[ "$(val telephony_rtp_streams_ended_total)" = $CALLS ] || fail "streams ended $(val telephony_rtp_streams_ended_total)"
[ "$(val telephony_rtp_jitter_seconds_count)" = $CALLS ] || fail "jitter histogram count $(val telephony_rtp_jitter_seconds_count)"
[ "$(val 'telephony_rtp_jitter_seconds_bucket{le="+Inf"}')" = $CALLS ] || fail "jitter +Inf bucket"
[ "$(val 'telephony_rtp_jitter_seconds_bucket{le="0.04"}')" = $CALLS ] || fail "jitter above 40 ms on loopback: $(echo "$body" | grep jitter)"
pass "RTP after $CALLS calls: $rx packets received (tone: $((CALLS * 100))), $tx sent, 0 lost, $CALLS streams in the jitter histogram"

# --- a call out refused ----------------------------------------------------------------------------
sed "s/\[code\]/486/; s/\[reason\]/Busy Here/" "$SCEN/uas_reject.xml" >"$WORK/uas_486.xml"
timeout 30 sipp -sf "$WORK/uas_486.xml" -i 127.0.0.1 -p $P_UAS -nostdin -m 1 -timeout 20s >"$WORK/uas.out" 2>&1 &
UAS_PID=$!
SIPP_PIDS+=($UAS_PID)
sleep 0.3
rx "channel originate Local/200@metrics application Wait 1" >/dev/null
wait "$UAS_PID" || fail "SIPp UAS did not see the call"
idle || fail "the refused call did not end"
metric_is 'telephony_sip_transactions_total{direction="out",method="INVITE",response="486"}' 1 ||
  fail "INVITE out 486 not counted: $(scrape | grep sip_transactions)"
body=$(scrape)
[ "$(txn in INVITE 200)" = $CALLS ] || fail "in INVITE 200 changed"
pass "telephony_sip_transactions_total{direction=\"out\",method=\"INVITE\",response=\"486\"} 1"

rx "module reload" >/dev/null || fail "module reload"
body=$(scrape)
[ "$(echo "$body" | grep -c '^# TYPE asterisk_endpoints_count gauge$')" = 1 ] && [ "$(txn in INVITE 200)" = $CALLS ] &&
  [ "$(val 'telephony_rtp_packets_total{direction="rx"}')" = "$rx" ] || fail "families changed by module reload"
pass "module reload: the SIP and RTP families stay, once, with their counts"
stop_daemon

# --- res_prometheus loaded by hand after start (module load): SIP registers then -------------------
mv "$WORK/etc/prometheus.conf" "$WORK/prometheus.conf"
start_daemon
/usr/bin/python3 "$WORK/scrape.py" "$HTTP" >/dev/null 2>&1 && fail "metrics served without prometheus.conf"
mv "$WORK/prometheus.conf" "$WORK/etc/prometheus.conf"
rx "module load res_prometheus" | grep -q "Loaded" || fail "module load res_prometheus"
body=$(scrape)
[ "$(echo "$body" | grep -c '^# TYPE asterisk_endpoints_count gauge$')" = 1 ] && [ "$(val asterisk_endpoints_count)" = 3 ] &&
  [ "$(val telephony_rtp_streams)" = 0 ] || fail "after module load res_prometheus: $(echo "$body" | grep -E 'endpoints_count|rtp_streams')"
pass "module load res_prometheus after res_pjsip: asterisk_endpoints_count 3 from SIP, RTP families present"
stop_daemon
