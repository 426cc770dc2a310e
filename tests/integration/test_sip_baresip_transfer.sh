#!/usr/bin/env bash
# A blind transfer from a real softphone lands in the dialplan: baresip calls 300, which dials a
# Local channel that answers and waits; baresip then transfers the call (its `transfer` command,
# a REFER with Refer-To 301) and the party it was talking to — the Local channel — continues at
# 301 in the phone's context with BLINDTRANSFER naming baresip's channel, as Asterisk does.
# Checked: the 301 log line with BLINDTRANSFER/CHANNEL/location, baresip's own "transferring
# call" line, and its call ended by us after the transfer (NOTIFY sipfrag 200, then BYE).
source "$(dirname "$0")/lib.sh"
require_commands baresip python3
SRC="${TELEPHONY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
PROBE="python3 $SRC/tests/integration/sip_probe.py"
BARESIP_PID=""
bs_cleanup() { [ -n "$BARESIP_PID" ] && kill -KILL "$BARESIP_PID" 2>/dev/null || true; cleanup; }
trap bs_cleanup EXIT

P_SIP=$($PROBE freeport udp); P_PHONE=$($PROBE freeport baresip); P_CTRL=$($PROBE freeport tcp)
rtp_block
PHONE_RTP=$((RTP_START + 50))
mkdir -p "$WORK/etc" "$WORK/phone" "$WORK/heard"
printf '[directories]\nspooldir => spool\nrundir => run\nlogdir => log\n' >"$WORK/etc/telephony.conf"
printf '[logfiles]\nmessages => notice,warning,error\n' >"$WORK/etc/logger.conf"
printf '[general]\nrtpstart=%d\nrtpend=%d\nbindaddr=127.0.0.1\n' $RTP_START $((RTP_START + 49)) >"$WORK/etc/rtp.conf"
cat >"$WORK/etc/extensions.conf" <<'CONF'
[phones]
exten => 300,1,Dial(Local/held@parked,30)
 same => n,Hangup()
exten => 301,1,Log(NOTICE,TRANSFERRED ${BLINDTRANSFER} ON ${CHANNEL} AT ${EXTEN}@${CONTEXT})
 same => n,Hangup()
[parked]
exten => held,1,Answer()
 same => n,Log(NOTICE,HELD UP)
 same => n,Wait(30)
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
python3 - "$WORK/silence.wav" <<'PY'
import sys, wave
w = wave.open(sys.argv[1], "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(b"\0\0" * 8000 * 20); w.close()
PY
sed -e "s|@SIP@|127.0.0.1:$P_PHONE|" -e "s|@CTRL@|127.0.0.1:$P_CTRL|" -e "s|@RTP@|$PHONE_RTP-$((PHONE_RTP + 9))|" \
  -e "s|@WAV@|$WORK/silence.wav|" -e "s|@HEARD@|$WORK/heard|" "$SRC/tests/data/baresip/config.in" >"$WORK/phone/config"
echo "<sip:alice@127.0.0.1:$P_PHONE>;regint=0;audio_codecs=PCMU" >"$WORK/phone/accounts"
start_daemon

baresip -f "$WORK/phone" -e "/dial sip:300@127.0.0.1:$P_SIP" -t 20 </dev/null >"$WORK/baresip.log" 2>&1 &
BARESIP_PID=$!
wait_for 20 grep -q "HELD UP" "$WORK/etc/log/messages" || fail "the call from baresip to 300 did not connect: $(tail -20 "$WORK/baresip.log")"
# The transfer needs baresip's call established (our 200 received) and the phone's channel Up in
# the Dial bridge (the REFER's transferee is its bridged party): wait for both (a fixed second
# after the Local answer raced a loaded box).
wait_for 15 grep -q "Call established" "$WORK/baresip.log" || fail "baresip's call was not established: $(tail -20 "$WORK/baresip.log")"
phone_bridged() { rx "core show channels concise" | awk -F'!' '$1 ~ /^SIP\/phone-/ && $5 == "Up" && $13 != "" {ok = 1} END {exit !ok}'; }
wait_for 10 phone_bridged || fail "the phone's channel is not Up in a bridge: $(rx core show channels concise)"
python3 "$SRC/tests/integration/baresip_ctrl.py" -p "$P_CTRL" -w 2 transfer "sip:301@127.0.0.1:$P_SIP" >"$WORK/ctrl.out" 2>&1 \
  || fail "baresip's ctrl_tcp refused the transfer: $(cat "$WORK/ctrl.out")"
wait_for 15 grep -q "TRANSFERRED" "$WORK/etc/log/messages" \
  || fail "the transferee did not land in 301: $(tail -20 "$WORK/etc/log/messages"; tail -20 "$WORK/baresip.log")"
line=$(grep "TRANSFERRED" "$WORK/etc/log/messages" | tail -1)
grep -q "TRANSFERRED SIP/phone-[0-9a-f]* ON Local/held@parked-[0-9a-f]*;1 AT 301@phones" <<<"$line" \
  || fail "unexpected transfer variables: $line"
grep -q "transferring call" "$WORK/baresip.log" || fail "baresip did not send the transfer: $(tail -20 "$WORK/baresip.log")"
# We end the phone's call after the NOTIFY sipfrag 200 (the transfer succeeded). Asked of the phone
# itself (ctrl_tcp listcalls), not read from its console output: baresip sends its own BYE on the
# NOTIFY too, and when the two BYEs cross it ends the call without printing "terminated".
no_calls() { python3 "$SRC/tests/integration/baresip_ctrl.py" -p "$P_CTRL" -w 0.5 listcalls 2>/dev/null | grep -q 'Active calls (0)'; }
wait_for 10 no_calls || fail "baresip's call was not ended after the transfer: $(tail -20 "$WORK/baresip.log")"
wait_for 5 bash -c "! $TELEPHONYD -C '$WORK/etc' -rx 'core show channels concise' | grep -q '^SIP/phone-'" \
  || fail "the phone's channel outlived the transfer: $(rx core show channels concise)"
pass "blind transfer from baresip: REFER to 301, the Local party continued at 301@phones with BLINDTRANSFER=$(echo "$line" | sed 's/.*TRANSFERRED \([^ ]*\).*/\1/')"
kill "$BARESIP_PID" 2>/dev/null || true
wait "$BARESIP_PID" 2>/dev/null || true
BARESIP_PID=""
stop_daemon
