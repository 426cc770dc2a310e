#!/usr/bin/env bash
# SIP calls carry media, against SIPp (Debian sip-tester) on loopback:
#  - call in with RTP: SIPp streams a 440 Hz µ-law tone and one RFC 4733 key press; the dialplan
#    records the call (the file must hold 440 Hz) and Read() must get the digit "1";
#  - call out with RTP: the engine calls SIPp's UAS, which checks our offer, answers PCMU and
#    streams a 1000 Hz tone; we send a tone for 1 s (counted) and record SIPp's (1000 Hz);
#  - the phone holds (re-INVITE sendonly) and resumes: answered recvonly, then sendrecv;
#  - a codec mismatch is answered 488 with a Warning naming both sides, logged, and no channel
#    is created.
source "$(dirname "$0")/lib.sh"
require_commands sipp sox python3
SRC="${TELEPHONY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
PROBE="python3 $SRC/tests/integration/sip_probe.py"
SCEN="$SRC/tests/data/sipp"
SIPP_PIDS=()
media_cleanup() { for p in "${SIPP_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; cleanup; }
trap media_cleanup EXIT

P_SIP=$($PROBE freeport udp); P_UAC=$($PROBE freeport udp); P_UAS=$($PROBE freeport udp)
P_UAC_MEDIA=$($PROBE freeport udp); P_UAS_MEDIA=$($PROBE freeport udp)
# An RTP range of our own (even start), away from the ports SIPp was given.
rtp_block
mkdir -p "$WORK/etc" "$WORK/rec"
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
[media]
; Call in: record 2 s of what the caller sends, then read one RFC 4733 digit.
exten => 100,1,Answer()
 same => n,Record($WORK/rec/in.wav,0,2,qxk)
 same => n,Read(DIGIT,,1,,,4)
 same => n,Log(NOTICE,MEDIA-IN DIGIT=\${DIGIT} QOS=\${CHANNEL(rtpqos)})
 same => n,Wait(5)
 same => n,Hangup()
; Held and resumed by the phone (uac_rtp_hold.xml).
exten => 300,1,Answer()
 same => n,Wait(10)
 same => n,Hangup()
; Call out (the answered SIPp leg runs this): a tone out for 1 s, then SIPp's tone recorded.
exten => 200,1,PlayTones(400)
 same => n,Wait(1)
 same => n,Record($WORK/rec/out.wav,0,2,qxk)
 same => n,Log(NOTICE,MEDIA-OUT QOS=\${CHANNEL(rtpqos)})
 same => n,Hangup()
CONF
cat >"$WORK/etc/pjsip.conf" <<CONF
[udp]
type=transport
protocol=udp
bind=127.0.0.1:$P_SIP

[sipp]
type=endpoint
context=media
disallow=all
allow=ulaw
dtmf_mode=rfc4733

[sipp]
type=identify
endpoint=sipp
match=127.0.0.1

[uas]
type=endpoint
context=media
disallow=all
allow=ulaw,alaw
aors=uas

[uas]
type=aor
contact=sip:uas@127.0.0.1:$P_UAS
CONF
start_daemon

frequency() { python3 "$SRC/tests/integration/tone_frequency.py" "$1"; }
near() { [ "$1" -ge $(($2 - $2 / 20)) ] && [ "$1" -le $(($2 + $2 / 20)) ]; }

# --- call in: tone and RFC 4733 digit ------------------------------------------------------------
sox -n -r 8000 -c 1 -e u-law "$WORK/tone_ulaw.wav" synth 4 sine 440 || fail "sox could not make the test tone"
ln -s "$SRC/tests/data/rtp" "$WORK/pcap"
(cd "$WORK" && timeout 30 sipp 127.0.0.1:$P_SIP -sf "$SCEN/uac_rtp_tone_dtmf.xml" -s 100 -i 127.0.0.1 -p $P_UAC \
  -mi 127.0.0.1 -mp $P_UAC_MEDIA -nostdin -m 1 -timeout 20s -timeout_error -trace_err -error_file "$WORK/in.err" \
  >"$WORK/in.out" 2>&1) || fail "call in with RTP failed: $(tail -5 "$WORK/in.err" 2>/dev/null)"
wait_for 10 grep -q "MEDIA-IN" "$WORK/etc/log/messages" || fail "the call-in dialplan did not finish"
grep -q "MEDIA-IN DIGIT=1 " "$WORK/etc/log/messages" || fail "Read() did not get the RFC 4733 digit: $(grep MEDIA-IN "$WORK/etc/log/messages")"
grep -Eq "MEDIA-IN .*rxcount=[1-9][0-9]" "$WORK/etc/log/messages" || fail "no RTP counted: $(grep MEDIA-IN "$WORK/etc/log/messages")"
[ -s "$WORK/rec/in.wav" ] || fail "the call-in recording is missing"
f=$(frequency "$WORK/rec/in.wav")
near "$f" 440 || fail "the recording of SIPp's 440 Hz tone measures $f Hz"
pass "call in: PCMU answered, SIPp's 440 Hz RTP recorded as $f Hz, RFC 4733 digit 1 read by Read()"

# --- call out: our offer, SIPp's answer and tone ------------------------------------------------
sox -n -r 8000 -c 1 -e u-law "$WORK/tone1000_ulaw.wav" synth 5 sine 1000 || fail "sox could not make the test tone"
(cd "$WORK" && exec timeout 30 sipp -sf "$SCEN/uas_rtp_tone.xml" -i 127.0.0.1 -p $P_UAS -mi 127.0.0.1 -mp $P_UAS_MEDIA \
  -nostdin -m 1 -timeout 20s -trace_err -error_file "$WORK/out.err" >"$WORK/out.out" 2>&1) &
UAS_PID=$!
SIPP_PIDS+=($UAS_PID)
sleep 0.3
rx "channel originate SIP/uas extension 200@media" >/dev/null || fail "originate to SIPp failed"
wait_for 15 grep -q "MEDIA-OUT" "$WORK/etc/log/messages" || fail "the call-out dialplan did not finish"
wait "$UAS_PID" || fail "SIPp's UAS saw a failed call: $(tail -5 "$WORK/out.err" 2>/dev/null)"
# 1 s of our tone is 50 packets of 20 ms; SIPp's 2 s recorded are 100.
grep -Eq "MEDIA-OUT .*rxcount=[1-9][0-9]{2}.*txcount=([4-9][0-9]|[1-9][0-9]{2})" "$WORK/etc/log/messages" ||
  fail "RTP counters of the call out: $(grep MEDIA-OUT "$WORK/etc/log/messages")"
[ -s "$WORK/rec/out.wav" ] || fail "the call-out recording is missing"
f=$(frequency "$WORK/rec/out.wav")
near "$f" 1000 || fail "SIPp's 1000 Hz tone measures $f Hz"
pass "call out: INVITE with our offer, SIPp's PCMU answer applied, our RTP sent, SIPp's 1000 Hz recorded as $f Hz"

# --- hold and unhold by the phone ---------------------------------------------------------------
timeout 30 sipp 127.0.0.1:$P_SIP -sf "$SCEN/uac_rtp_hold.xml" -s 300 -i 127.0.0.1 -p $P_UAC \
  -mi 127.0.0.1 -mp $P_UAC_MEDIA -nostdin -m 1 -timeout 20s -timeout_error -trace_err -error_file "$WORK/hold.err" \
  >"$WORK/hold.out" 2>&1 || fail "hold/unhold: $(tail -5 "$WORK/hold.err" 2>/dev/null)"
pass "hold: re-INVITE sendonly answered recvonly, sendrecv answered sendrecv"

# --- codec mismatch -------------------------------------------------------------------------------
timeout 30 sipp 127.0.0.1:$P_SIP -sf "$SCEN/uac_invite_codec_mismatch.xml" -s 100 -i 127.0.0.1 -p $P_UAC \
  -mi 127.0.0.1 -mp $P_UAC_MEDIA -nostdin -m 1 -timeout 20s -timeout_error -trace_err -error_file "$WORK/488.err" \
  >"$WORK/488.out" 2>&1 || fail "codec mismatch: no 488 with the Warning: $(tail -5 "$WORK/488.err" 2>/dev/null)"
wait_for 5 grep -q "media negotiation failed.*Incompatible media format: offered PCMA/8000,G729/8000; endpoint sipp allows ulaw" \
  "$WORK/etc/log/messages" || fail "the mismatch was not logged: $(grep -i negotiation "$WORK/etc/log/messages")"
rx "core show channels" | grep -q "^0 active channels" || fail "a refused call left a channel: $(rx core show channels)"
pass "codec mismatch: 488 with Warning 305 naming PCMA/G729 and the endpoint's ulaw; logged; no channel"

stop_daemon
