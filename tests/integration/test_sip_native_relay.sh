#!/usr/bin/env bash
# Native RTP relay between two real phones, proved by counters: baresip "alice" (a 440 Hz
# microphone) calls through telephonyd, Dial() rings baresip "bob" (a 700 Hz microphone) and the
# two SIP legs — on one RTP shard, same codec, nothing tapped — relay RTP without decoding:
# `core show channel` NativeRelay says on, its relayed packet count grows and its delivered
# frames do not, while bob hears alice's 440 Hz. AMI MixMonitor on bob's leg needs decoded audio:
# the relay stops on both legs (the log names the MixMonitor), delivered frames grow, and the
# recording holds both tones; StopMixMonitor lets the relay resume (relayed grows again,
# delivered stops). Also: CHANNEL(rtp,native|relayed) agree; an RFC 4733 digit on a relayed leg
# still reaches its channel (DTMFEnd); alice's hold stops the relay (music on hold towards bob)
# and her resume restarts it; a second call to "carol" (PCMA only) is never relayed (different
# codecs: frames, transcoded). Both phones' recordings carry the other's tone through the phases.
source "$(dirname "$0")/lib.sh"
require_commands baresip sox python3
SRC="${TELEPHONY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
PROBE="python3 $SRC/tests/integration/sip_probe.py"
CTRL="python3 $SRC/tests/integration/baresip_ctrl.py"
PIDS=()
nr_cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -KILL "$p" 2>/dev/null || true; done; cleanup; }
trap nr_cleanup EXIT

P_SIP=$($PROBE freeport udp)
P_AMI=$($PROBE freeport tcp)
rtp_block
RTP_END=$((RTP_START + 49))
mkdir -p "$WORK/etc" "$WORK/rec"
printf '[directories]\nspooldir => spool\nrundir => run\nlogdir => log\n' >"$WORK/etc/telephony.conf"
printf '[logfiles]\nmessages => notice,warning,error,verbose(3)\n' >"$WORK/etc/logger.conf"
printf '[general]\nrtpstart=%s\nrtpend=%s\nbindaddr=127.0.0.1\n' "$RTP_START" "$RTP_END" >"$WORK/etc/rtp.conf"
printf '[general]\nenabled = yes\nport = %s\nbindaddr = 127.0.0.1\n[admin]\nsecret = pw\nread = all\nwrite = all\n' \
  "$P_AMI" >"$WORK/etc/manager.conf"
sox -n -r 8000 -c 1 -b 16 -e signed "$WORK/tone440.wav" synth 60 sine 440 || fail "sox could not make the test tone"
sox -n -r 8000 -c 1 -b 16 -e signed "$WORK/tone700.wav" synth 60 sine 700 || fail "sox could not make the test tone"
cat >"$WORK/etc/extensions.conf" <<CONF
[phones]
exten => native,1,Dial(SIP/bob,30)
exten => transcoded,1,Dial(SIP/carol,30)
CONF

# baresip_conf NAME TONE: a config dir for one baresip (its SIP, ctrl_tcp and RTP ports its own),
# TONE.wav as its microphone, what it hears recorded under NAME/heard; sets PORT_/CTRL_<NAME>.
N_BARESIP=0
baresip_conf() {  # baresip_conf NAME TONE [CODEC]
  local name=$1 tone=$2 codec=${3:-PCMU} dir="$WORK/$1" sip ctrl rtp
  sip=$($PROBE freeport baresip); ctrl=$($PROBE freeport tcp)
  rtp=$((RTP_START + 60 + N_BARESIP * 10)); N_BARESIP=$((N_BARESIP + 1))
  mkdir -p "$dir/heard"
  cat >"$dir/config" <<CONF
poll_method		epoll
sip_listen		127.0.0.1:$sip
net_interface		127.0.0.1
dns_server		127.0.0.1:53
call_max_calls		1
audio_player		alsa,null
audio_alert		alsa,null
audio_source		aufile,$WORK/$tone.wav
rtp_ports		$rtp-$((rtp + 9))
rtcp_mux		no
jitter_buffer_delay	5-10
module_path		/usr/lib/baresip/modules
module			g711.so
module			aufile.so
module			alsa.so
module			sndfile.so
snd_path		$dir/heard
module_tmp		uuid.so
module_tmp		account.so
module_app		contact.so
module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		127.0.0.1:$ctrl
CONF
  echo "<sip:$name@127.0.0.1:$sip>;regint=0;audio_codecs=$codec;answermode=auto" >"$dir/accounts"
  printf -v "PORT_$name" '%s' "$sip"
  printf -v "CTRL_$name" '%s' "$ctrl"
}
start_baresip() {  # start_baresip NAME SECONDS [-e CMD]
  local name=$1 secs=$2; shift 2
  baresip -f "$WORK/$name" -t "$secs" "$@" </dev/null >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
}
frequency() { python3 "$SRC/tests/integration/tone_frequency.py" "$@"; }
near() { [ "$1" -ge $(($2 - $2 / 20)) ] && [ "$1" -le $(($2 + $2 / 20)) ]; }

baresip_conf alice tone440
baresip_conf bob tone700
baresip_conf carol tone700 PCMA
cat >"$WORK/etc/pjsip.conf" <<CONF
[udp]
type=transport
protocol=udp
bind=127.0.0.1:$P_SIP

[phone](!)
type=endpoint
context=phones
disallow=all
allow=ulaw

[alice](phone)

[bob](phone)
aors=bob

[bob]
type=aor
contact=sip:bob@127.0.0.1:$PORT_bob

[carol](phone)
disallow=all
allow=alaw
aors=carol

[carol]
type=aor
contact=sip:carol@127.0.0.1:$PORT_carol
CONF
start_daemon
python3 "$SRC/tests/integration/ami_tap.py" 127.0.0.1 "$P_AMI" admin pw "$WORK/ami.events" "$WORK/ami.ctl" &
PIDS+=($!)
wait_for 15 test -p "$WORK/ami.ctl" || fail "AMI tap did not start"
ami() { python3 "$SRC/tests/integration/ami_tap.py" --send "$WORK/ami.ctl" "$WORK/ami.events" "$@"; }

start_baresip bob 150
start_baresip alice 150 -e "/dial sip:native@127.0.0.1:$P_SIP"
wait_for 20 bash -c "[ \$('$TELEPHONYD' -C '$WORK/etc' -rx 'core show channels concise' | grep -c '!Up!') -ge 2 ]" ||
  fail "the bridged call did not come up: $(rx core show channels; tail -10 "$WORK/alice.log")"
CHANS=$(rx core show channels concise)
A=$(grep -o '^SIP/alice-[0-9a-f]*' <<<"$CHANS") || fail "no channel of alice: $CHANS"
B=$(grep -o '^SIP/bob-[0-9a-f]*' <<<"$CHANS") || fail "no channel of bob: $CHANS"

# relay_state CHANNEL: "on|off RELAYED DELIVERED" from `core show channel`'s NativeRelay line.
relay_state() {
  rx core show channel "$1" | sed -n 's/^ *NativeRelay: \([a-z]*\);relayed=\([0-9]*\);delivered=\([0-9]*\)$/\1 \2 \3/p'
}
both() {  # both on|off: both legs report that state
  [ "$(relay_state "$A" | cut -d' ' -f1)" = "$1" ] && [ "$(relay_state "$B" | cut -d' ' -f1)" = "$1" ]
}
# measure SECONDS: per leg over about that long, packets relayed and frames delivered per second
# ("A_RELAYED A_DELIVERED B_RELAYED B_DELIVERED", each leg's state checked unchanged). Each leg is
# timed from its own first reading to its own last (a console command takes a while on a busy box).
now_ms() { date +%s%3N; }
measure() {
  local a1 b1 a2 b2 ta1 tb1 ta2 tb2
  ta1=$(now_ms); read -r -a a1 <<<"$(relay_state "$A")"; tb1=$(now_ms); read -r -a b1 <<<"$(relay_state "$B")"
  sleep "$1"
  ta2=$(now_ms); read -r -a a2 <<<"$(relay_state "$A")"; tb2=$(now_ms); read -r -a b2 <<<"$(relay_state "$B")"
  [ "${a1[0]}" = "${a2[0]}" ] && [ "${b1[0]}" = "${b2[0]}" ] || fail "the relay state changed while measuring: ${a1[*]} -> ${a2[*]}, ${b1[*]} -> ${b2[*]}"
  echo "$(((a2[1] - a1[1]) * 1000 / (ta2 - ta1))) $(((a2[2] - a1[2]) * 1000 / (ta2 - ta1)))" \
    "$(((b2[1] - b1[1]) * 1000 / (tb2 - tb1))) $(((b2[2] - b1[2]) * 1000 / (tb2 - tb1)))"
}

# --- 1. native: packets relayed, no frame decoded ---------------------------------------------
wait_for 10 both on || fail "the legs did not relay natively: $A $(relay_state "$A"), $B $(relay_state "$B"); $(grep -i 'native\|relay' "$WORK/etc/log/messages" | tail -5)"
sleep 0.5
read -r AR AD BR BD <<<"$(measure 2)"
# 20 ms packets: 50 a second each way; the console command that reads a counter takes a
# variable while on a busy box, so fewer may be measured.
[ "$AR" -ge 25 ] && [ "$BR" -ge 25 ] || fail "native: relayed only $AR ($A) and $BR ($B) packets a second"
[ "$AD" -eq 0 ] && [ "$BD" -eq 0 ] || fail "native: frames were still delivered: $AD ($A), $BD ($B) a second"
pass "native relay: $A relays $AR packets a second and $B $BR, 0 frames delivered on either leg"
grep -q "Native RTP relay started between" "$WORK/etc/log/messages" || fail "no log line for the relay's start"
ami "Action: Getvar" "Channel: $A" "Variable: CHANNEL(rtp,native)" | grep -q "^Value: 1" ||
  fail "CHANNEL(rtp,native) is not 1 while relaying: $(cat "$WORK/ami.last" 2>/dev/null)"
RELAYED=$(ami "Action: Getvar" "Channel: $B" "Variable: CHANNEL(rtp,relayed)" | sed -n 's/^Value: \([0-9]*\).*/\1/p')
[ "${RELAYED:-0}" -gt 0 ] || fail "CHANNEL(rtp,relayed) on $B: '${RELAYED:-}'"
# RFC 4733 digits on a relayed leg still reach the engine as DTMF (bridge features need them).
$CTRL -p "$CTRL_alice" -w 0.3 sndcode "7" >/dev/null || fail "baresip ctrl_tcp sndcode failed"
wait_for 5 bash -c "awk -v RS= '/Event: DTMFEnd/ && /Channel: ${A//\//\\/}\r?\n/' '$WORK/ami.events' | grep -q ." ||
  fail "alice's digit did not reach her channel as DTMF while relayed"
both on || fail "a digit stopped the relay: $(relay_state "$A") $(relay_state "$B")"
pass "an RFC 4733 digit from alice reached $A as DTMFEnd while the legs kept relaying"

# --- 2. MixMonitor on bob's leg: back to frames -------------------------------------------------
ami "Action: MixMonitor" "Channel: $B" "File: $WORK/rec/mixed.wav" \
  "Options: r($WORK/rec/from_bob.wav)t($WORK/rec/to_bob.wav)" | grep -q "Response: Success" ||
  fail "AMI MixMonitor failed: $(cat "$WORK/ami.last" 2>/dev/null)"
wait_for 5 both off || fail "MixMonitor did not stop the relay: $A $(relay_state "$A"), $B $(relay_state "$B")"
ami "Action: Getvar" "Channel: $A" "Variable: CHANNEL(rtp,native)" | grep -q "^Value: 0" ||
  fail "CHANNEL(rtp,native) is not 0 on the frame path: $(cat "$WORK/ami.last" 2>/dev/null)"
grep -q "Native RTP relay of SIP/.* stopped: decoded audio needed: audio hook (MixMonitor) on $B" "$WORK/etc/log/messages" ||
  fail "no log line naming the MixMonitor as the reason: $(grep 'Native RTP' "$WORK/etc/log/messages")"
sleep 0.5
read -r AR AD BR BD <<<"$(measure 3)"
# The decoded path plays out of the jitter buffer one frame per 20 ms timer tick, which a
# loaded box stretches: a steady flow, not the exact 50, is what counts here.
[ "$AD" -ge 15 ] && [ "$BD" -ge 15 ] || fail "decoded path: only $AD ($A) and $BD ($B) frames delivered a second"
[ "$AR" -eq 0 ] && [ "$BR" -eq 0 ] || fail "decoded path: packets still relayed: $AR ($A), $BR ($B) a second"
pass "MixMonitor on $B: relay off on both legs, $AD and $BD frames delivered a second, 0 packets relayed"

# --- 3. StopMixMonitor: native again ----------------------------------------------------------
ami "Action: StopMixMonitor" "Channel: $B" | grep -q "Response: Success" ||
  fail "AMI StopMixMonitor failed: $(cat "$WORK/ami.last" 2>/dev/null)"
wait_for 5 both on || fail "the relay did not resume after StopMixMonitor: $A $(relay_state "$A"), $B $(relay_state "$B")"
sleep 0.5
read -r AR AD BR BD <<<"$(measure 2)"
[ "$AR" -ge 25 ] && [ "$BR" -ge 25 ] && [ "$AD" -eq 0 ] && [ "$BD" -eq 0 ] ||
  fail "after StopMixMonitor: relayed $AR/$BR, delivered $AD/$BD a second"
pass "StopMixMonitor: native relay resumed, $AR and $BR packets relayed a second, 0 frames delivered"

# --- 4. hold: frames (music on hold towards bob) while held, native again after the resume ------
$CTRL -p "$CTRL_alice" -w 0.3 hold >/dev/null || fail "baresip ctrl_tcp hold failed"
wait_for 8 both off || fail "holding did not stop the relay: $(relay_state "$A") $(relay_state "$B")"
sleep 1
$CTRL -p "$CTRL_alice" -w 0.3 resume >/dev/null || fail "baresip ctrl_tcp resume failed"
wait_for 8 both on || fail "the relay did not resume after the hold: $(relay_state "$A") $(relay_state "$B")"
pass "hold from alice: the relay stopped ($(grep -o 'Native RTP relay of .* stopped: .*' "$WORK/etc/log/messages" | tail -1)) and resumed after the resume"
sleep 1

$CTRL -p "$CTRL_alice" -w 0.3 hangup >/dev/null || true
wait_for 10 bash -c "! '$TELEPHONYD' -C '$WORK/etc' -rx 'core show channels concise' | grep -q SIP/" || fail "the call did not end"
sleep 1

# --- 5. different codecs (alice PCMU, carol PCMA): the frame path (transcoding) from the start ----
start_baresip carol 60
sleep 0.5
$CTRL -p "$CTRL_alice" -w 0.3 dial "sip:transcoded@127.0.0.1:$P_SIP" >/dev/null || fail "baresip ctrl_tcp dial failed"
wait_for 20 bash -c "[ \$('$TELEPHONYD' -C '$WORK/etc' -rx 'core show channels concise' | grep -c '!Up!') -ge 2 ]" ||
  fail "the PCMU-PCMA call did not come up: $(rx core show channels; tail -10 "$WORK/carol.log")"
CHANS=$(rx core show channels concise)
A=$(grep -o '^SIP/alice-[0-9a-f]*' <<<"$CHANS") || fail "no channel of alice: $CHANS"
B=$(grep -o '^SIP/carol-[0-9a-f]*' <<<"$CHANS") || fail "no channel of carol: $CHANS"
sleep 1.5
read -r AR AD BR BD <<<"$(measure 2)"
both off && [ "$AR" -eq 0 ] && [ "$BR" -eq 0 ] && [ "$AD" -ge 15 ] && [ "$BD" -ge 15 ] ||
  fail "PCMU to PCMA: $(relay_state "$A") / $(relay_state "$B"), relayed $AR/$BR, delivered $AD/$BD a second"
pass "different codecs (PCMU $A, PCMA $B): no relay, $AD and $BD frames delivered a second"
$CTRL -p "$CTRL_alice" -w 0.3 hangup >/dev/null || true
wait_for 10 bash -c "! '$TELEPHONYD' -C '$WORK/etc' -rx 'core show channels concise' | grep -q SIP/" || fail "the call did not end"

# --- the audio ------------------------------------------------------------------------------------
for f in mixed from_bob to_bob; do [ -s "$WORK/rec/$f.wav" ] || fail "MixMonitor wrote no $f.wav"; done
read -r FROM TO <<<"$(frequency "$WORK/rec/from_bob.wav" "$WORK/rec/to_bob.wav" | tr '\n' ' ')"
near "$FROM" 700 || fail "MixMonitor's read leg (bob's microphone, 700 Hz) measures $FROM Hz"
near "$TO" 440 || fail "MixMonitor's write leg (alice's 440 Hz towards bob) measures $TO Hz"
pass "MixMonitor recorded bob's 700 Hz ($FROM Hz) and alice's 440 Hz on its way to bob ($TO Hz)"
# Each phone's recording, half second by half second: the other's tone from the first packets to
# the hold — through the native, decoded and native again phases (the longest run of windows).
for who in bob:440 alice:700; do
  name=${who%:*} hz=${who#*:}
  heard=$(ls "$WORK/$name"/heard/*dec*.wav 2>/dev/null | head -1)
  [ -n "$heard" ] || fail "$name recorded nothing: $(tail -20 "$WORK/$name.log")"
  WINDOWS=$(frequency --windows 0.5 "$heard")
  SHAPE=$(for f in $WINDOWS; do if near "$f" "$hz"; then printf T; else printf .; fi; done)
  TONAL=$(tr -cd T <<<"$SHAPE" | wc -c)
  [ "$TONAL" -ge 18 ] && [[ "$SHAPE" =~ T{16,} ]] || fail "$name did not hear $hz Hz through the call: $SHAPE ($WINDOWS)"
  pass "$name heard $hz Hz through every phase ($SHAPE)"
done
stop_daemon
