#!/usr/bin/env bash
# baresip (Debian baresip-core) against telephonyd on loopback, beyond the plain call of
# test_sip_baresip_media.sh:
#  - SRTP (SDES) mandatory (baresip mediaenc=srtp-mand: RTP/SAVP; endpoint media_encryption=sdes)
#    and optimistic (mediaenc=srtp: RTP/AVP with a=crypto; media_encryption_optimistic=yes): the
#    engine records baresip's 440 Hz, baresip records our 1000 Hz, and a capture of the engine's
#    RTP ports (tcpdump on lo) shows no plain RTP — every audio packet carries the SRTP tag, none
#    has the bare 160-byte PCMU payload, none decodes as the tones;
#  - RFC 4733 DTMF sent by baresip (ctrl_tcp sndcode) read exactly by Read();
#  - hold/unhold from baresip in a call bridged by Dial() to a second baresip: the held side hears
#    the music-on-hold class (a 700 Hz file) while held, then the caller's 440 Hz again (RTP
#    resumed), measured window by window in its recording.
source "$(dirname "$0")/lib.sh"
require_commands baresip sox python3 tcpdump
SRC="${TELEPHONY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
PROBE="python3 $SRC/tests/integration/sip_probe.py"
CTRL="python3 $SRC/tests/integration/baresip_ctrl.py"
PIDS=()
bs_cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -KILL "$p" 2>/dev/null || true; done; cleanup; }
trap bs_cleanup EXIT

P_SIP=$($PROBE freeport udp)
rtp_block
RTP_END=$((RTP_START + 49))
mkdir -p "$WORK/etc" "$WORK/rec" "$WORK/moh"
printf '[directories]\nspooldir => spool\nrundir => run\nlogdir => log\n' >"$WORK/etc/telephony.conf"
printf '[logfiles]\nmessages => notice,warning,error\n' >"$WORK/etc/logger.conf"
cat >"$WORK/etc/rtp.conf" <<CONF
[general]
rtpstart=$RTP_START
rtpend=$RTP_END
bindaddr=127.0.0.1
CONF
sox -n -r 8000 -c 1 -b 16 -e signed "$WORK/tone440.wav" synth 60 sine 440 || fail "sox could not make the test tone"
sox -n -r 8000 -c 1 -b 16 -e signed "$WORK/moh/hold700.wav" synth 10 sine 700 || fail "sox could not make the hold music"
cat >"$WORK/etc/musiconhold.conf" <<CONF
[default]
mode=files
directory=$WORK/moh
CONF
cat >"$WORK/etc/extensions.conf" <<CONF
[phones]
; SRTP calls: record the phone first (Record() stops tones), then our tone.
exten => _secure.,1,Answer()
 same => n,Record($WORK/rec/\${EXTEN}.wav,0,2,qxk)
 same => n,PlayTones(1000)
 same => n,Wait(2)
 same => n,Log(NOTICE,BARESIP DONE \${EXTEN} SECURE=\${CHANNEL(rtp,secure)} QOS=\${CHANNEL(rtpqos)})
 same => n,Hangup()
exten => dtmf,1,Answer()
 same => n,Log(NOTICE,BARESIP DTMF READY)
 same => n,Read(DIGITS,,4,,,8)
 same => n,Log(NOTICE,BARESIP DTMF DIGITS=\${DIGITS})
 same => n,Hangup()
exten => hold,1,Dial(SIP/held,30)
CONF

# baresip NAME ACCOUNT_PARAMS: a config dir for one baresip instance (its SIP, ctrl_tcp and RTP
# ports its own); prints nothing, sets PORT_<NAME>/CTRL_<NAME>.
N_BARESIP=0
baresip_conf() {
  local name=$1 params=$2 dir="$WORK/$1" sip ctrl rtp
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
audio_source		aufile,$WORK/tone440.wav
rtp_ports		$rtp-$((rtp + 9))
rtcp_mux		no
jitter_buffer_delay	5-10
module_path		/usr/lib/baresip/modules
module			g711.so
module			srtp.so
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
  echo "<sip:$name@127.0.0.1:$sip>;regint=0;audio_codecs=PCMU$params" >"$dir/accounts"
  printf -v "PORT_$name" '%s' "$sip"
  printf -v "CTRL_$name" '%s' "$ctrl"
}
start_baresip() {  # start_baresip NAME SECONDS [-e CMD]: runs in the background; pid in BS_PID
  local name=$1 secs=$2; shift 2
  baresip -f "$WORK/$name" -t "$secs" "$@" </dev/null >"$WORK/$name.log" 2>&1 &
  BS_PID=$!
  PIDS+=($BS_PID)
}
frequency() { python3 "$SRC/tests/integration/tone_frequency.py" "$@"; }
near() { [ "$1" -ge $(($2 - $2 / 20)) ] && [ "$1" -le $(($2 + $2 / 20)) ]; }

baresip_conf held ";answermode=auto"
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

[srtpmand](phone)
media_encryption=sdes

[srtpopt](phone)
media_encryption=sdes
media_encryption_optimistic=yes

[dtmfer](phone)
dtmf_mode=rfc4733

[holder](phone)

[held](phone)
aors=held

[held]
type=aor
contact=sip:held@127.0.0.1:$PORT_held
CONF
start_daemon

# --- SRTP, mandatory and optimistic ------------------------------------------------------------
# The capture: every UDP packet to or from the engine's RTP ports while the two calls run.
tcpdump -i lo -n -U -w "$WORK/rtp.pcap" "udp and portrange $RTP_START-$RTP_END" >"$WORK/tcpdump.log" 2>&1 &
TCPDUMP_PID=$!
PIDS+=($TCPDUMP_PID)
wait_for 5 grep -q "listening on" "$WORK/tcpdump.log" || fail "tcpdump could not capture on lo (it needs CAP_NET_RAW): $(cat "$WORK/tcpdump.log")"

srtp_call() {  # srtp_call ENDPOINT MEDIAENC EXTEN
  local ep=$1 enc=$2 exten=$3
  baresip_conf "$ep" ";mediaenc=$enc"
  start_baresip "$ep" 9 -e "/dial sip:$exten@127.0.0.1:$P_SIP"
  local pid=$BS_PID
  wait_for 20 grep -q "BARESIP DONE $exten " "$WORK/etc/log/messages" || fail "the $enc call did not run: $(tail -20 "$WORK/$ep.log")"
  grep -q "BARESIP DONE $exten SECURE=1 " "$WORK/etc/log/messages" ||
    fail "the $enc call was not secure: $(grep "BARESIP DONE $exten" "$WORK/etc/log/messages")"
  wait_for 15 bash -c "! kill -0 $pid" || fail "baresip did not quit"
  local heard f g
  heard=$(ls "$WORK/$ep"/heard/*dec*.wav 2>/dev/null | head -1)
  [ -n "$heard" ] || fail "baresip ($enc) recorded nothing: $(tail -20 "$WORK/$ep.log")"
  read -r f g <<<"$(frequency "$WORK/rec/$exten.wav" "$heard" | tr '\n' ' ')"
  near "$f" 440 || fail "$enc: baresip's 440 Hz measures $f Hz in the engine's recording"
  near "$g" 1000 || fail "$enc: baresip heard $g Hz instead of our 1000 Hz"
  pass "SRTP $enc (endpoint $ep): baresip's 440 Hz recorded as $f Hz, our 1000 Hz heard as $g Hz, CHANNEL(rtp,secure)=1"
}
srtp_call srtpmand srtp-mand secure1
srtp_call srtpopt srtp secure2
sleep 0.3
kill -INT "$TCPDUMP_PID" 2>/dev/null || true
wait_for 5 bash -c "! kill -0 $TCPDUMP_PID" || fail "tcpdump did not stop"
# The capture read back: RTP-shaped packets (version 2, payload type 0) on the RTP (even) ports.
# Plain PCMU would carry exactly 160 payload bytes per 20 ms and decode to the tones; SRTP adds
# the authentication tag and its payload is noise.
python3 - "$WORK/rtp.pcap" >"$WORK/capture.txt" <<'PY' || fail "plain RTP on the wire: $(cat "$WORK/capture.txt")"
import struct, sys

def ulaw(b):
    b = ~b & 0xFF
    t = (((b & 0x0F) << 3) + 0x84) << ((b & 0x70) >> 4)
    return (0x84 - t) if b & 0x80 else (t - 0x84)

data = open(sys.argv[1], "rb").read()
link = struct.unpack("<I", data[20:24])[0]
off, audio, plain, tonal = 24, 0, 0, 0
while off + 16 <= len(data):
    incl = struct.unpack("<I", data[off + 8 : off + 12])[0]
    pkt = data[off + 16 : off + 16 + incl]
    off += 16 + incl
    ip = pkt[14:] if link == 1 else pkt[4:]  # Ethernet (lo) or BSD loopback
    if not ip or ip[0] >> 4 != 4 or ip[9] != 17:
        continue
    udp = ip[(ip[0] & 0x0F) * 4 :]
    sport, dport = struct.unpack(">HH", udp[:4])
    rtp = udp[8:]
    if sport % 2 or dport % 2 or len(rtp) < 12 or rtp[0] >> 6 != 2 or rtp[1] & 0x7F != 0:
        continue
    audio += 1
    payload = rtp[12 + 4 * (rtp[0] & 0x0F) :]
    if len(payload) == 160:
        plain += 1
    samples = [ulaw(x) for x in payload[:160]]
    crossings = sum(1 for a, b in zip(samples, samples[1:]) if (a < 0) != (b < 0))
    hz = crossings / 2 / (len(samples) / 8000)
    if 400 <= hz <= 480 or 950 <= hz <= 1050:
        tonal += 1
print(f"{audio} audio packets, {plain} with a bare 160-byte payload, {tonal} decoding to a tone")
sys.exit(0 if audio >= 200 and plain == 0 and tonal <= audio // 50 else 1)
PY
pass "capture of the RTP ports during both SRTP calls: $(cat "$WORK/capture.txt")"

# --- DTMF (RFC 4733) from baresip ----------------------------------------------------------------
baresip_conf dtmfer ""
start_baresip dtmfer 12 -e "/dial sip:dtmf@127.0.0.1:$P_SIP"
DTMF_PID=$BS_PID
wait_for 15 grep -q "BARESIP DTMF READY" "$WORK/etc/log/messages" || fail "the DTMF call did not arrive: $(tail -20 "$WORK/dtmfer.log")"
sleep 0.5
$CTRL -p "$CTRL_dtmfer" -w 0.5 sndcode "4*09" >"$WORK/sndcode.out" 2>&1 || fail "baresip ctrl_tcp: $(cat "$WORK/sndcode.out")"
wait_for 10 grep -q "BARESIP DTMF DIGITS=" "$WORK/etc/log/messages" || fail "Read() did not end: $(tail -10 "$WORK/dtmfer.log")"
grep -q "BARESIP DTMF DIGITS=4\*09$" "$WORK/etc/log/messages" ||
  fail "Read() got $(grep -o 'DIGITS=.*' "$WORK/etc/log/messages"), not 4*09"
kill "$DTMF_PID" 2>/dev/null || true
pass "RFC 4733 from baresip (sndcode 4*09) read by Read() exactly: 4*09"

# --- hold and unhold from baresip, music on hold towards the held party -----------------------------
baresip_conf holder ""
start_baresip held 45
start_baresip holder 45 -e "/dial sip:hold@127.0.0.1:$P_SIP"
wait_for 15 bash -c "[ \$('$TELEPHONYD' -C '$WORK/etc' -rx 'core show channels concise' | grep -c '!Up!') -ge 2 ]" ||
  fail "the bridged call did not come up: $(rx core show channels; tail -10 "$WORK/holder.log")"
sleep 3
$CTRL -p "$CTRL_holder" -w 0.3 hold >/dev/null || fail "baresip ctrl_tcp hold failed"
sleep 4
$CTRL -p "$CTRL_holder" -w 0.3 resume >/dev/null || fail "baresip ctrl_tcp resume failed"
# Long enough after the resume for a loaded machine (each ctrl command costs a python start).
sleep 7
$CTRL -p "$CTRL_holder" -w 0.3 hangup >/dev/null || true
wait_for 10 bash -c "! '$TELEPHONYD' -C '$WORK/etc' -rx 'core show channels concise' | grep -q SIP/" || fail "the call did not end"
sleep 1
heard=$(ls "$WORK"/held/heard/*dec*.wav 2>/dev/null | head -1)
[ -n "$heard" ] || fail "the held baresip recorded nothing: $(tail -20 "$WORK/held.log")"
WINDOWS=$(frequency --windows 0.5 "$heard")
# Each window as T (the caller's 440 Hz), M (the 700 Hz music), . (other): T… M… T… expected.
SHAPE=$(for f in $WINDOWS; do
  if near "$f" 440; then printf T; elif near "$f" 700; then printf M; else printf .; fi
done)
[[ "$SHAPE" =~ TTTT[^M]{0,4}M{5,}[^T]{0,4}TTTT ]] || fail "the held party's audio by half second: $SHAPE ($WINDOWS)"
pass "hold from baresip: the bridged party heard 440 Hz, the 700 Hz hold music while held, then 440 Hz again ($SHAPE)"

stop_daemon
