#!/usr/bin/env bash
# A SIP phone changing codec mid-call keeps audio both ways, against SIPp (Debian sip-tester): the
# phone (SIPp UAC, its RTP received by rtp_sink.py) calls into a Dial() bridge with a Local
# channel that plays 1000 Hz and records what it hears. It talks PCMU (a 440 Hz tone), then
# re-INVITEs offering PCMA only and talks PCMA (660 Hz). Checked: the driver updates the channel's
# native formats on the answer (`core show channel` NativeFormats (alaw) after the re-INVITE), the
# phone hears 1000 Hz in PCMU and then in PCMA packets, and the far side records 440 Hz then
# 660 Hz.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sip_lib.sh"
require_commands sox

P_SIP=$($PROBE freeport udp); P_UAC=$($PROBE freeport udp); P_UAC_MEDIA=$($PROBE freeport udp); P_SINK=$($PROBE freeport udp)
rtp_block
mkdir -p "$WORK/etc" "$WORK/rec"
printf '[directories]\nspooldir => spool\nrundir => run\nlogdir => log\n' >"$WORK/etc/telephony.conf"
printf '[logfiles]\nmessages => notice,warning,error\n' >"$WORK/etc/logger.conf"
cat >"$WORK/etc/rtp.conf" <<CONF
[general]
rtpstart=$RTP_START
rtpend=$((RTP_START + 99))
bindaddr=127.0.0.1
CONF
cat >"$WORK/etc/extensions.conf" <<CONF
[cc]
exten => 700,1,Dial(Local/far@cc,20)
exten => far,1,Answer()
 same => n,MixMonitor($WORK/rec/both.wav,r($WORK/rec/heard.wav))
 same => n,PlayTones(1000)
 same => n,Wait(15)
CONF
cat >"$WORK/etc/pjsip.conf" <<CONF
[udp]
type=transport
protocol=udp
bind=127.0.0.1:$P_SIP

[phone]
type=endpoint
context=cc
disallow=all
allow=ulaw,alaw

[phone]
type=identify
endpoint=phone
match=127.0.0.1
CONF
start_daemon

sox -n -r 8000 -c 1 -e u-law "$WORK/tone_ulaw.wav" synth 2.5 sine 440 || fail "sox could not make the test tone"
sox -n -r 8000 -c 1 -e a-law "$WORK/tone_alaw.wav" synth 3 sine 660 || fail "sox could not make the test tone"
python3 "$SRC/tests/integration/rtp_sink.py" $P_SINK "$WORK/phone.wav" 12 >"$WORK/sink.out" &
SIPP_PIDS+=($!)
SINK_PID=$!
wait_for 10 grep -q listening "$WORK/sink.out" || fail "rtp_sink.py did not start"
(cd "$WORK" && exec timeout 40 sipp 127.0.0.1:$P_SIP -sf "$SCEN/uac_reinvite_pcma.xml" -s 700 -key sink_port $P_SINK \
  -d 3500 -i 127.0.0.1 -p $P_UAC -mi 127.0.0.1 -mp $P_UAC_MEDIA -nostdin -m 1 -timeout 30s -timeout_error -trace_err \
  -error_file "$WORK/uac.err" >"$WORK/uac.out" 2>&1) &
UAC_PID=$!
SIPP_PIDS+=($UAC_PID)

# The phone's channel, then its native formats: the endpoint's (ulaw|alaw) answered PCMU, then
# PCMA alone after the re-INVITE.
wait_for 10 bash -c "'$TELEPHONYD' -C '$WORK/etc' -rx 'core show channels concise' | grep -q '^SIP/phone-'" ||
  fail "the phone's call did not come up: $(tail -5 "$WORK/uac.err" 2>/dev/null)"
CHAN=$(rx "core show channels concise" | grep -o '^SIP/phone-[0-9a-f]*' | head -1)
wait_for 3 bash -c "'$TELEPHONYD' -C '$WORK/etc' -rx 'core show channel $CHAN' | grep -Eq 'NativeFormats: +\(ulaw'" ||
  fail "before the re-INVITE: $(rx "core show channel $CHAN" | grep -i format)"
wait_for 8 bash -c "'$TELEPHONYD' -C '$WORK/etc' -rx 'core show channel $CHAN' | grep -Eq 'NativeFormats: +\(alaw\)'" ||
  fail "the re-INVITE to PCMA did not change the channel's native formats: $(rx "core show channel $CHAN" | grep -i format)"
pass "native formats follow negotiation: $CHAN (ulaw|…) at the answer, (alaw) after the re-INVITE"

wait "$UAC_PID" || fail "the phone's call failed: $(tail -5 "$WORK/uac.err" 2>/dev/null)"
wait "$SINK_PID"
heard=$(tail -1 "$WORK/sink.out")
pcma=$(sed -n 's/.*pcma=\([0-9]*\).*/\1/p' <<<"$heard")
packets=$(sed -n 's/.*packets=\([0-9]*\).*/\1/p' <<<"$heard")
[ "${pcma:-0}" -ge 100 ] && [ $((packets - pcma)) -ge 100 ] || fail "the phone's RTP by codec: $heard"
f=$(python3 "$SRC/tests/integration/tone_frequency.py" "$WORK/phone.wav")
g=$(python3 "$SRC/tests/integration/tone_frequency.py" "$WORK/phone-pcma.wav")
near() { [ "$1" -ge $(($2 - $2 / 20)) ] && [ "$1" -le $(($2 + $2 / 20)) ]; }
near "$f" 1000 && near "$g" 1000 || fail "the phone heard $f Hz overall and $g Hz in PCMA (1000 Hz played)"
pass "the phone heard the far side's 1000 Hz in PCMU and then in PCMA ($heard)"

wait_for 10 test -s "$WORK/rec/heard.wav" || fail "the far side's recording is missing"
sleep 1
WINDOWS=$(python3 "$SRC/tests/integration/tone_frequency.py" --windows 0.5 "$WORK/rec/heard.wav")
SHAPE=$(for w in $WINDOWS; do if near "$w" 440; then printf U; elif near "$w" 660; then printf A; else printf .; fi; done)
[[ "$SHAPE" =~ U{3,}.{0,4}A{4,} ]] || fail "what the far side heard by half second (U 440 Hz PCMU, A 660 Hz PCMA): $SHAPE ($WINDOWS)"
pass "the far side heard the phone's 440 Hz over PCMU, then its 660 Hz over PCMA ($SHAPE)"
stop_daemon
