#!/usr/bin/env bash
# Early media through Dial(), against SIPp (Debian sip-tester) on loopback: a phone (SIPp UAC,
# its RTP received by rtp_sink.py) calls a number the engine dials at a "carrier" (SIPp UAS) that
# answers 183 with SDP, plays a 1000 Hz announcement for 3 s and refuses with 486. The phone must
# get a 183 with SDP (no 180 after it), hear the carrier's tone before any answer (measured in
# what reached its RTP port), and then the 486; DIALSTATUS is BUSY.
source "$(dirname "$0")/lib.sh"
require_commands sipp sox python3
SRC="${TELEPHONY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
PROBE="python3 $SRC/tests/integration/sip_probe.py"
SCEN="$SRC/tests/data/sipp"
PIDS=()
em_cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; cleanup; }
trap em_cleanup EXIT

P_SIP=$($PROBE freeport udp); P_UAC=$($PROBE freeport udp); P_UAS=$($PROBE freeport udp)
P_UAC_MEDIA=$($PROBE freeport udp); P_UAS_MEDIA=$($PROBE freeport udp); P_SINK=$($PROBE freeport udp)
rtp_block
mkdir -p "$WORK/etc"
cat >"$WORK/etc/telephony.conf" <<'CONF'
[directories]
spooldir => spool
rundir => run
logdir => log
CONF
cat >"$WORK/etc/logger.conf" <<'CONF'
[logfiles]
messages => notice,warning,error
CONF
cat >"$WORK/etc/rtp.conf" <<CONF
[general]
rtpstart=$RTP_START
rtpend=$((RTP_START + 99))
bindaddr=127.0.0.1
CONF
cat >"$WORK/etc/extensions.conf" <<CONF
[em]
exten => 400,1,Dial(SIP/carrier,15)
 same => n,Log(NOTICE,EARLY DIALSTATUS=\${DIALSTATUS} QOS=\${CHANNEL(rtpqos)})
 same => n,Hangup(17)
CONF
cat >"$WORK/etc/pjsip.conf" <<CONF
[udp]
type=transport
protocol=udp
bind=127.0.0.1:$P_SIP

[phone]
type=endpoint
context=em
disallow=all
allow=ulaw

[phone]
type=identify
endpoint=phone
match=127.0.0.1

[carrier]
type=endpoint
context=em
disallow=all
allow=ulaw
aors=carrier

[carrier]
type=aor
contact=sip:carrier@127.0.0.1:$P_UAS
CONF
start_daemon

sox -n -r 8000 -c 1 -e u-law "$WORK/tone1000_ulaw.wav" synth 4 sine 1000 || fail "sox could not make the test tone"
(cd "$WORK" && exec timeout 30 sipp -sf "$SCEN/uas_early_media.xml" -i 127.0.0.1 -p $P_UAS -mi 127.0.0.1 \
  -mp $P_UAS_MEDIA -nostdin -m 1 -timeout 20s -trace_err -error_file "$WORK/uas.err" >"$WORK/uas.out" 2>&1) &
PIDS+=($!)
UAS_PID=$!
sleep 0.3
python3 "$SRC/tests/integration/rtp_sink.py" $P_SINK "$WORK/heard.wav" 8 >"$WORK/sink.out" &
SINK_PID=$!
PIDS+=($SINK_PID)
wait_for 10 grep -q listening "$WORK/sink.out" || fail "rtp_sink.py did not start"
timeout 30 sipp 127.0.0.1:$P_SIP -sf "$SCEN/uac_early_media.xml" -s 400 -key sink_port $P_SINK -i 127.0.0.1 \
  -p $P_UAC -mi 127.0.0.1 -mp $P_UAC_MEDIA -nostdin -m 1 -timeout 20s -timeout_error -trace_err -trace_msg \
  -message_file "$WORK/uac.msg" -error_file "$WORK/uac.err" >"$WORK/uac.out" 2>&1 ||
  fail "the calling phone did not get 183 with SDP then 486: $(tail -5 "$WORK/uac.err" 2>/dev/null)"
wait "$UAS_PID" || fail "the carrier (SIPp UAS) saw a failed call: $(tail -5 "$WORK/uas.err" 2>/dev/null)"
grep -q "^SIP/2.0 180" "$WORK/uac.msg" && fail "a 180 reached the phone after the 183 (early media would stop)"
wait_for 10 grep -q "EARLY DIALSTATUS" "$WORK/etc/log/messages" || fail "the dialplan did not continue after Dial"
grep -q "EARLY DIALSTATUS=BUSY " "$WORK/etc/log/messages" || fail "DIALSTATUS: $(grep EARLY "$WORK/etc/log/messages")"
wait "$SINK_PID"
heard=$(cat "$WORK/sink.out")
packets=$(sed -n 's/.*packets=\([0-9]*\).*/\1/p' <<<"$heard")
[ "${packets:-0}" -ge 100 ] || fail "the phone received ${packets:-0} RTP packets of early media (3 s sent: 150): $heard; $(grep EARLY "$WORK/etc/log/messages")"
f=$(python3 "$SRC/tests/integration/tone_frequency.py" "$WORK/heard.wav")
[ "$f" -ge 950 ] && [ "$f" -le 1050 ] || fail "what the phone heard before the 486 measures $f Hz (the carrier played 1000 Hz)"
pass "early media: 183 with SDP to the phone, no 180 after it, $packets packets of the carrier's tone heard as $f Hz before the 486; DIALSTATUS=BUSY"
stop_daemon
