#!/usr/bin/env bash
# A second real softphone, linphonec (Debian linphone-cli), against telephonyd on loopback:
#  - it REGISTERs as bob with digest authentication (401 challenge, then 200; the contact shows
#    in `pjsip show contacts`);
#  - for each codec of the matrix (ulaw, alaw, g722, opus — the endpoint's allow= is changed by
#    `pjsip reload` between rounds, so the registration must survive the reload) it calls in (the
#    dialplan answers, records the phone, then plays a tone; its INVITEs are challenged and must
#    carry digest credentials) and is called (an originate to SIP/bob reaches its registered
#    contact; linphonec auto-answers with -a);
#  - audio is checked both ways by measuring a known tone: the phone's (its "microphone" is a wav
#    file) in the engine's recording, ours (PlayTones) in linphonec's recording; the codec our 200
#    (call in) and our INVITE (call out) put first is checked in linphonec's log of the SDP;
#  - wideband: over G.722 and opus both tones are 6000 Hz, which only a wideband path carries (an
#    8 kHz leg cuts at 4 kHz: silence or an alias at 2000 Hz), so the recordings at the channel's
#    rate (16 / 48 kHz) and linphonec's prove the bandwidth both ways.
# linphonec reads its commands from a FIFO (the recipe in tests/data/linphone/README.md).
source "$(dirname "$0")/lib.sh"
require_commands linphonec sox python3
SRC="${TELEPHONY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
PROBE="python3 $SRC/tests/integration/sip_probe.py"
LP_PID=""
LP_HOLDER=""
lp_cleanup() {
  for p in $LP_PID $LP_HOLDER; do kill -KILL "$p" 2>/dev/null || true; done
  cleanup
}
trap lp_cleanup EXIT

P_SIP=$($PROBE freeport udp); P_PHONE=$($PROBE freeport udp)
rtp_block
PHONE_RTP=$((RTP_START + 60))
mkdir -p "$WORK/etc" "$WORK/rec" "$WORK/lp/home/.local/share/linphone" "$WORK/heard"
printf '[directories]\nspooldir => spool\nrundir => run\nlogdir => log\n' >"$WORK/etc/telephony.conf"
printf '[logfiles]\nmessages => notice,warning,error\n' >"$WORK/etc/logger.conf"
cat >"$WORK/etc/rtp.conf" <<CONF
[general]
rtpstart=$RTP_START
rtpend=$((RTP_START + 49))
bindaddr=127.0.0.1
CONF
# Extension 1N is called by the phone, 2N runs on the phone's leg when we call it (N the round);
# each records into a file named by the extension (a .wav follows the channel's rate: 16 kHz for
# G.722, 48 kHz for opus, so a wideband tone survives). Our tone: 1000 Hz in the narrowband rounds
# (1, 2), 6000 Hz in the wideband ones.
cat >"$WORK/etc/extensions.conf" <<CONF
[phones]
; Called by the phone: record it first (Record() stops tones, as a prompt would), then our tone.
exten => _1X,1,Answer()
 same => n,Record($WORK/rec/\${EXTEN}.wav,0,2,qxk)
 same => n,PlayTones(\${IF(\$[\${EXTEN:1} > 2]?6000:1000)})
 same => n,Wait(2)
 same => n,Log(NOTICE,LINPHONE DONE \${EXTEN} QOS=\${CHANNEL(rtpqos)})
 same => n,Hangup()
; The phone answered our call: the same on its leg.
exten => _2X,1,Record($WORK/rec/\${EXTEN}.wav,0,2,qxk)
 same => n,PlayTones(\${IF(\$[\${EXTEN:1} > 2]?6000:1000)})
 same => n,Wait(2)
 same => n,Log(NOTICE,LINPHONE DONE \${EXTEN} QOS=\${CHANNEL(rtpqos)})
 same => n,Hangup()
CONF
endpoint_conf() {  # endpoint_conf CODEC: pjsip.conf with bob allowing only CODEC
  cat >"$WORK/etc/pjsip.conf" <<CONF
[udp]
type=transport
protocol=udp
bind=127.0.0.1:$P_SIP

[bob]
type=endpoint
context=phones
disallow=all
allow=$1
auth=bob
aors=bob

[bob]
type=auth
auth_type=userpass
username=bob
password=linphone-secret

[bob]
type=aor
max_contacts=1
remove_existing=yes
CONF
}
endpoint_conf ulaw
sed -e "s/@SIP_PORT@/$P_PHONE/g" -e "s/@RTP_PORT@/$PHONE_RTP/g" -e "s/@SERVER_PORT@/$P_SIP/g" \
  -e "s/@PASSWORD@/linphone-secret/g" "$SRC/tests/data/linphone/linphonerc.template" >"$WORK/lp/linphonerc"
sox -n -r 16000 -c 1 -b 16 -e signed "$WORK/tone440.wav" synth 8 sine 440 || fail "sox could not make the test tone"
sox -n -r 16000 -c 1 -b 16 -e signed "$WORK/tone6000.wav" synth 8 sine 6000 || fail "sox could not make the test tone"
start_daemon

# linphonec: commands through a FIFO held open by a sleeping writer; its own pid kept (never a
# wrapper's: killing a wrapper would leave linphonec running).
mkfifo "$WORK/lp/in"
sleep 300 >"$WORK/lp/in" &
LP_HOLDER=$!
(cd "$WORK/lp" && HOME="$WORK/lp/home" exec linphonec -c "$WORK/lp/linphonerc" -a -d 6 -l "$WORK/lp/lp.log" \
  <"$WORK/lp/in" >"$WORK/lp/out" 2>&1) &
LP_PID=$!
lp() { echo "$*" >"$WORK/lp/in"; }
lp_why() { tail -5 "$WORK/lp/out"; grep -E "^(SIP/2.0|INVITE|BYE|ACK|REGISTER) " "$WORK/lp/lp.log" | tail -8; }

# --- registration with digest --------------------------------------------------------------------
wait_for 15 bash -c "'$TELEPHONYD' -C '$WORK/etc' -rx 'pjsip show contacts' | grep -q 'bob/sip:bob@127.0.0.1:$P_PHONE'" \
  || fail "linphonec did not register: $(rx pjsip show contacts; lp_why)"
grep -q "^SIP/2.0 401 Unauthorized" "$WORK/lp/lp.log" || fail "linphonec was not challenged: $(lp_why)"
grep -Eq '^Authorization: +Digest .*username="bob"' "$WORK/lp/lp.log" || fail "linphonec sent no digest: $(lp_why)"
pass "linphonec registered as bob: 401 challenge, digest REGISTER, contact listed"
lp "soundcard use files"

frequency() { python3 "$SRC/tests/integration/tone_frequency.py" "$@"; }
near() { [ "$1" -ge $(($2 - $2 / 20)) ] && [ "$1" -le $(($2 + $2 / 20)) ]; }
done_count() { grep -c "LINPHONE DONE" "$WORK/etc/log/messages" 2>/dev/null || true; }
# The codec (encoding name) of the first payload type our 200 (call in) or INVITE (call out) put first, as linphonec logged it.
wire_payload() {
  python3 - "$WORK/lp/lp.log" "$1" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
want = sys.argv[2]  # "200" or "INVITE": the last such message from the engine with SDP
msgs = re.split(r"\n(?=SIP/2.0 \d{3} |[A-Z]+ sip:\S+ SIP/2.0\r?\n)", text)
best = ""
for m in msgs:
    first = m.split("\n", 1)[0]
    if (want == "200" and first.startswith("SIP/2.0 200") or want == "INVITE" and first.startswith("INVITE ")) \
            and "m=audio" in m and "s=libtelephony" in m:
        pt = re.search(r"m=audio \d+ RTP/AVP ([0-9 ]+)", m).group(1).split()[0]
        rtpmap = re.search(r"a=rtpmap:%s ([^/\s]+)" % pt, m)
        best = rtpmap.group(1) if rtpmap else {"0": "PCMU", "8": "PCMA", "9": "G722"}.get(pt, pt)
print(best)
PY
}

# One round N: the phone calls extension 1N, then is called into 2N; both recordings of the engine
# and both files the phone recorded are measured.   round N CODEC WIRE_NAME PHONE_WAV PHONE_HZ OUR_HZ
round() {
  local r=$1 codec=$2 pt=$3 wav=$4 hz=$5 ours=$6 n
  endpoint_conf "$codec"
  rx "pjsip reload" >/dev/null || fail "pjsip reload for $codec failed"
  lp "play $wav"
  # --- call in
  n=$(done_count)
  lp "record $WORK/heard/1$r.wav"
  lp "call sip:1$r@127.0.0.1:$P_SIP"
  wait_for 25 bash -c "[ \$(grep -c 'LINPHONE DONE' '$WORK/etc/log/messages') -gt $n ]" ||
    fail "$codec call in did not finish: $(lp_why)"
  wait_for 5 bash -c "! '$TELEPHONYD' -C '$WORK/etc' -rx 'core show channels concise' | grep -q ." || fail "the call in stayed up"
  sleep 0.5
  [ "$(wire_payload 200)" = "$pt" ] || fail "$codec call in: our 200 answered with codec '$(wire_payload 200)', not $pt"
  # --- called, auto-answer
  n=$(done_count)
  lp "record $WORK/heard/2$r.wav"
  rx "channel originate SIP/bob extension 2$r@phones" >/dev/null || fail "originate to linphonec failed"
  wait_for 25 bash -c "[ \$(grep -c 'LINPHONE DONE' '$WORK/etc/log/messages') -gt $n ]" ||
    fail "$codec call out did not finish: $(lp_why)"
  wait_for 5 bash -c "! '$TELEPHONYD' -C '$WORK/etc' -rx 'core show channels concise' | grep -q ." || fail "the call out stayed up"
  sleep 0.5
  [ "$(wire_payload INVITE)" = "$pt" ] || fail "$codec call out: our INVITE put codec '$(wire_payload INVITE)' first, not $pt"
  local f_in f_out g_in g_out
  read -r f_in f_out g_in g_out <<<"$(frequency "$WORK/rec/1$r.wav" "$WORK/rec/2$r.wav" "$WORK/heard/1$r.wav" "$WORK/heard/2$r.wav" | tr '\n' ' ')"
  near "$f_in" "$hz" || fail "$codec call in: the phone's $hz Hz measures $f_in Hz in the engine's recording"
  near "$f_out" "$hz" || fail "$codec call out: the phone's $hz Hz measures $f_out Hz in the engine's recording"
  near "$g_in" "$ours" || fail "$codec call in: linphonec heard $g_in Hz instead of our $ours Hz"
  near "$g_out" "$ours" || fail "$codec call out: linphonec heard $g_out Hz instead of our $ours Hz"
  pass "$codec ($pt), linphonec calling in and called: its $hz Hz recorded as $f_in/$f_out Hz, our $ours Hz heard as $g_in/$g_out Hz"
}

round 1 ulaw PCMU "$WORK/tone440.wav" 440 1000
round 2 alaw PCMA "$WORK/tone440.wav" 440 1000
round 3 g722 G722 "$WORK/tone6000.wav" 6000 6000
round 4 opus opus "$WORK/tone6000.wav" 6000 6000
# Its calls in were challenged too: an INVITE from linphonec carrying digest credentials.
python3 - "$WORK/lp/lp.log" <<'PY2' || fail "linphonec's INVITEs were never challenged and authorized"
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
msgs = re.split(r"\n(?=SIP/2.0 \d{3} |[A-Z]+ sip:\S+ SIP/2.0\r?\n)", text)
sys.exit(0 if any(m.startswith("INVITE sip:1") and re.search(r"\nAuthorization: +Digest ", m) for m in msgs) else 1)
PY2
pass "linphonec's calls in were challenged (401) and carried digest credentials"

lp "quit"
wait_for 10 bash -c "! kill -0 $LP_PID" || fail "linphonec did not quit"
LP_PID=""
stop_daemon
