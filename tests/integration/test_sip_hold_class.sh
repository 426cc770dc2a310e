#!/usr/bin/env bash
# Music on hold class on a SIP hold, against SIPp (Debian sip-tester) on loopback: a phone (SIPp
# UAC) calls a second phone through Dial(); the dialed leg's CHANNEL(musicclass) is set to `jazz`
# by the b() predial Gosub. The caller holds (re-INVITE sendonly) for 4 s: the Hold reaches the
# dialed SIP leg through Channel::write -> indicate(), and its phone (SIPp UAS answering towards
# rtp_sink.py) must hear the jazz class (900 Hz), not `default` (700 Hz), then silence again.
source "$(dirname "$0")/lib.sh"
require_commands sipp sox python3
SRC="${TELEPHONY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
PROBE="python3 $SRC/tests/integration/sip_probe.py"
SCEN="$SRC/tests/data/sipp"
PIDS=()
hc_cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; cleanup; }
trap hc_cleanup EXIT

P_SIP=$($PROBE freeport udp); P_UAC=$($PROBE freeport udp); P_UAS=$($PROBE freeport udp)
P_UAC_MEDIA=$($PROBE freeport udp); P_UAS_MEDIA=$($PROBE freeport udp); P_SINK=$($PROBE freeport udp)
rtp_block
mkdir -p "$WORK/etc" "$WORK/moh/default" "$WORK/moh/jazz"
printf '[directories]\nspooldir => spool\nrundir => run\nlogdir => log\n' >"$WORK/etc/telephony.conf"
printf '[logfiles]\nmessages => notice,warning,error\n' >"$WORK/etc/logger.conf"
cat >"$WORK/etc/rtp.conf" <<CONF
[general]
rtpstart=$RTP_START
rtpend=$((RTP_START + 99))
bindaddr=127.0.0.1
CONF
sox -n -r 8000 -c 1 -b 16 -e signed "$WORK/moh/default/hold700.wav" synth 10 sine 700 || fail "sox could not make the hold music"
sox -n -r 8000 -c 1 -b 16 -e signed "$WORK/moh/jazz/hold900.wav" synth 10 sine 900 || fail "sox could not make the hold music"
cat >"$WORK/etc/musiconhold.conf" <<CONF
[default]
mode=files
directory=$WORK/moh/default

[jazz]
mode=files
directory=$WORK/moh/jazz
CONF
cat >"$WORK/etc/extensions.conf" <<CONF
[hc]
exten => 600,1,Dial(SIP/listener,20,b(setmoh^s^1))
[setmoh]
exten => s,1,Set(CHANNEL(musicclass)=jazz)
 same => n,Return()
CONF
cat >"$WORK/etc/pjsip.conf" <<CONF
[udp]
type=transport
protocol=udp
bind=127.0.0.1:$P_SIP

[holder]
type=endpoint
context=hc
disallow=all
allow=ulaw

[holder]
type=identify
endpoint=holder
match=127.0.0.1

[listener]
type=endpoint
context=hc
disallow=all
allow=ulaw
aors=listener

[listener]
type=aor
contact=sip:listener@127.0.0.1:$P_UAS
CONF
start_daemon

(exec timeout 30 sipp -sf "$SCEN/uas_answer_sink.xml" -key sink_port $P_SINK -i 127.0.0.1 -p $P_UAS -mi 127.0.0.1 \
  -mp $P_UAS_MEDIA -nostdin -m 1 -timeout 20s -trace_err -error_file "$WORK/uas.err" >"$WORK/uas.out" 2>&1) &
UAS_PID=$!
PIDS+=($UAS_PID)
sleep 0.3
python3 "$SRC/tests/integration/rtp_sink.py" $P_SINK "$WORK/heard.wav" 9 >"$WORK/sink.out" &
SINK_PID=$!
PIDS+=($SINK_PID)
wait_for 10 grep -q listening "$WORK/sink.out" || fail "rtp_sink.py did not start"
timeout 30 sipp 127.0.0.1:$P_SIP -sf "$SCEN/uac_rtp_hold_long.xml" -s 600 -d 4000 -i 127.0.0.1 -p $P_UAC \
  -mi 127.0.0.1 -mp $P_UAC_MEDIA -nostdin -m 1 -timeout 20s -timeout_error -trace_err -error_file "$WORK/uac.err" \
  >"$WORK/uac.out" 2>&1 || fail "the holding phone's call failed: $(tail -5 "$WORK/uac.err" 2>/dev/null)"
wait "$UAS_PID" || fail "the listening phone (SIPp UAS) saw a failed call: $(tail -5 "$WORK/uas.err" 2>/dev/null)"
wait "$SINK_PID"
WINDOWS=$(python3 "$SRC/tests/integration/tone_frequency.py" --windows 0.5 "$WORK/heard.wav")
near() { [ "$1" -ge $(($2 - $2 / 20)) ] && [ "$1" -le $(($2 + $2 / 20)) ]; }
SHAPE=$(for f in $WINDOWS; do
  if near "$f" 900; then printf J; elif near "$f" 700; then printf D; elif [ "$f" = 0 ]; then printf _; else printf .; fi
done)
[[ "$SHAPE" =~ J{5,} ]] || fail "the held party did not hear the jazz class (900 Hz): $SHAPE ($WINDOWS; $(cat "$WORK/sink.out"))"
[[ "$SHAPE" == *D* ]] && fail "the held party heard the default class (700 Hz): $SHAPE"
pass "hold: the dialed SIP phone heard its CHANNEL(musicclass) jazz (900 Hz) while held, never default ($SHAPE)"
stop_daemon
