#!/usr/bin/env bash
# A real softphone calls in with audio both ways: baresip (Debian baresip-core) dials an extension
# that answers, plays a 1000 Hz tone and records what the phone sends (a 440 Hz wav as its
# microphone). Checked: the engine's recording measures 440 Hz and baresip's own recording of
# what it heard (sndfile module) measures 1000 Hz — PCMU RTP both ways through rtp::MediaSession.
source "$(dirname "$0")/lib.sh"
require_commands baresip sox python3
SRC="${TELEPHONY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
PROBE="python3 $SRC/tests/integration/sip_probe.py"
BARESIP_PID=""
bs_cleanup() { [ -n "$BARESIP_PID" ] && kill -KILL "$BARESIP_PID" 2>/dev/null || true; cleanup; }
trap bs_cleanup EXIT

P_SIP=$($PROBE freeport udp); P_PHONE=$($PROBE freeport baresip); P_CTRL=$($PROBE freeport tcp)
rtp_block
PHONE_RTP=$((RTP_START + 50))
mkdir -p "$WORK/etc" "$WORK/rec" "$WORK/phone" "$WORK/heard"
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
rtpend=$((RTP_START + 49))
bindaddr=127.0.0.1
CONF
cat >"$WORK/etc/extensions.conf" <<CONF
[phones]
; Record() stops tones (as a prompt would), so the phone is recorded first, then hears ours.
exten => 101,1,Answer()
 same => n,Record($WORK/rec/phone.wav,0,2,qxk)
 same => n,PlayTones(1000)
 same => n,Wait(2)
 same => n,Log(NOTICE,PHONE QOS=\${CHANNEL(rtpqos)})
 same => n,Hangup()
CONF
cat >"$WORK/etc/pjsip.conf" <<CONF
[udp]
type=transport
protocol=udp
bind=127.0.0.1:$P_SIP

[phone]
type=endpoint
context=phones
disallow=all
allow=ulaw

[phone]
type=identify
endpoint=phone
match=127.0.0.1
CONF
sox -n -r 8000 -c 1 -b 16 -e signed "$WORK/tone440.wav" synth 6 sine 440 || fail "sox could not make the test tone"
sed -e "s|@SIP@|127.0.0.1:$P_PHONE|" -e "s|@CTRL@|127.0.0.1:$P_CTRL|" -e "s|@RTP@|$PHONE_RTP-$((PHONE_RTP + 9))|" \
  -e "s|@WAV@|$WORK/tone440.wav|" -e "s|@HEARD@|$WORK/heard|" "$SRC/tests/data/baresip/config.in" >"$WORK/phone/config"
echo "<sip:alice@127.0.0.1:$P_PHONE>;regint=0;audio_codecs=PCMU" >"$WORK/phone/accounts"
start_daemon

baresip -f "$WORK/phone" -e "/dial sip:101@127.0.0.1:$P_SIP" -t 9 </dev/null >"$WORK/baresip.log" 2>&1 &
BARESIP_PID=$!
wait_for 20 grep -q "PHONE QOS" "$WORK/etc/log/messages" || fail "the call from baresip did not run: $(tail -20 "$WORK/baresip.log")"
wait_for 15 bash -c "! kill -0 $BARESIP_PID" || fail "baresip did not quit"
BARESIP_PID=""

frequency() { python3 "$SRC/tests/integration/tone_frequency.py" "$1"; }
near() { [ "$1" -ge $(($2 - $2 / 20)) ] && [ "$1" -le $(($2 + $2 / 20)) ]; }

[ -s "$WORK/rec/phone.wav" ] || fail "the engine's recording of the phone is missing"
f=$(frequency "$WORK/rec/phone.wav")
near "$f" 440 || fail "the phone's 440 Hz measures $f Hz in the engine's recording"
heard=$(ls "$WORK"/heard/*dec*.wav 2>/dev/null | head -1)
[ -n "$heard" ] || fail "baresip recorded nothing: $(ls "$WORK/heard"; tail -20 "$WORK/baresip.log")"
g=$(frequency "$heard")
near "$g" 1000 || fail "baresip heard $g Hz instead of our 1000 Hz tone"
pass "baresip call in: its 440 Hz recorded by the engine as $f Hz, our 1000 Hz heard by baresip as $g Hz"
stop_daemon
