#!/usr/bin/env bash
# The codec matrix with baresip (Debian baresip-core): for PCMU, PCMA, G.722 and opus, a baresip
# allowing only that codec calls in (the dialplan records it, then plays a tone) and is called
# (auto-answer; the same on its leg). Audio is checked both ways by measuring known tones: the
# engine's recordings and baresip's own (sndfile module). Over G.722 and opus both tones are
# 6000 Hz, which only a wideband leg carries (an 8 kHz leg cuts at 4 kHz), proving the bandwidth.
# Each endpoint allows one codec; baresip is identified by its From user (bs_<codec>).
source "$(dirname "$0")/lib.sh"
require_commands baresip sox python3
SRC="${TELEPHONY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
PROBE="python3 $SRC/tests/integration/sip_probe.py"
PIDS=()
bs_cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -KILL "$p" 2>/dev/null || true; done; cleanup; }
trap bs_cleanup EXIT

P_SIP=$($PROBE freeport udp)
rtp_block
CODECS="ulaw:PCMU:440:1000 alaw:PCMA:440:1000 g722:G722:6000:6000 opus:opus:6000:6000"
mkdir -p "$WORK/etc" "$WORK/rec"
printf '[directories]\nspooldir => spool\nrundir => run\nlogdir => log\n' >"$WORK/etc/telephony.conf"
printf '[logfiles]\nmessages => notice,warning,error\n' >"$WORK/etc/logger.conf"
cat >"$WORK/etc/rtp.conf" <<CONF
[general]
rtpstart=$RTP_START
rtpend=$((RTP_START + 49))
bindaddr=127.0.0.1
CONF
# 7<codec> is called by baresip, 8<codec> runs on baresip's leg when we call it; our tone
# is TONE_<codec> (a global), the recording is named by the extension. A .wav follows the
# channel's rate (16 kHz for G.722, 48 kHz for opus), so a 6000 Hz tone survives.
{
  echo "[globals]"
  for c in $CODECS; do IFS=: read -r name _ _ ours <<<"$c"; echo "TONE_$name=$ours"; done
  echo "[phones]"
  echo "exten => _7.,1,Answer()"
  echo " same => n,Record($WORK/rec/\${EXTEN}.wav,0,2,qxk)"
  echo " same => n,PlayTones(\${TONE_\${EXTEN:1}})"
  echo " same => n,Wait(2)"
  echo " same => n,Log(NOTICE,BARESIP DONE \${EXTEN})"
  echo " same => n,Hangup()"
  echo "exten => _8.,1,Record($WORK/rec/\${EXTEN}.wav,0,2,qxk)"
  echo " same => n,PlayTones(\${TONE_\${EXTEN:1}})"
  echo " same => n,Wait(2)"
  echo " same => n,Log(NOTICE,BARESIP DONE \${EXTEN})"
  echo " same => n,Hangup()"
} >"$WORK/etc/extensions.conf"
printf '[udp]\ntype=transport\nprotocol=udp\nbind=127.0.0.1:%s\n' "$P_SIP" >"$WORK/etc/pjsip.conf"
sox -n -r 8000 -c 1 -b 16 -e signed "$WORK/tone440.wav" synth 30 sine 440 || fail "sox could not make the test tone"
# baresip's aufile wants the codec's own rate and channels: 16 kHz mono for G.722, 48 kHz
# stereo for opus.
sox -n -r 16000 -c 1 -b 16 -e signed "$WORK/tone6000_g722.wav" synth 30 sine 6000 || fail "sox could not make the test tone"
sox -n -r 48000 -c 2 -b 16 -e signed "$WORK/tone6000_opus.wav" synth 30 sine 6000 gain -3 || fail "sox could not make the test tone"
i=0
for c in $CODECS; do
  IFS=: read -r name wire theirs _ <<<"$c"
  dir="$WORK/bs_$name"; mkdir -p "$dir/heard"
  sip=$($PROBE freeport baresip); rtp=$((RTP_START + 60 + i * 10)); i=$((i + 1))
  wav="$WORK/tone440.wav"; [ "$theirs" = 6000 ] && wav="$WORK/tone6000_$name.wav"
  cat >"$dir/config" <<CONF
poll_method		epoll
sip_listen		127.0.0.1:$sip
net_interface		127.0.0.1
dns_server		127.0.0.1:53
call_max_calls		1
audio_player		alsa,null
audio_alert		alsa,null
audio_source		aufile,$wav
rtp_ports		$rtp-$((rtp + 9))
rtcp_mux		no
jitter_buffer_delay	5-10
module_path		/usr/lib/baresip/modules
module			g711.so
module			g722.so
module			opus.so
module			aufile.so
module			alsa.so
module			sndfile.so
snd_path		$dir/heard
module_tmp		uuid.so
module_tmp		account.so
module_app		contact.so
module_app		menu.so
CONF
  echo "<sip:bs_$name@127.0.0.1:$sip>;regint=0;answermode=auto;audio_codecs=$wire" >"$dir/accounts"
  cat >>"$WORK/etc/pjsip.conf" <<CONF

[bs_$name]
type=endpoint
context=phones
disallow=all
allow=$name
aors=bs_$name

[bs_$name]
type=aor
contact=sip:bs_$name@127.0.0.1:$sip
CONF
done
start_daemon

frequency() { python3 "$SRC/tests/integration/tone_frequency.py" "$@"; }
near() { [ "$1" -ge $(($2 - $2 / 20)) ] && [ "$1" -le $(($2 + $2 / 20)) ]; }
done_count() { grep -c "BARESIP DONE" "$WORK/etc/log/messages" 2>/dev/null || true; }

for c in $CODECS; do
  IFS=: read -r name wire theirs ours <<<"$c"
  dir="$WORK/bs_$name"
  baresip -f "$dir" -t 25 -e "/dial sip:7$name@127.0.0.1:$P_SIP" </dev/null >"$WORK/bs_$name.log" 2>&1 &
  pid=$!
  PIDS+=($pid)
  wait_for 20 grep -q "BARESIP DONE 7$name$" "$WORK/etc/log/messages" || fail "$wire call in did not run: $(tail -20 "$WORK/bs_$name.log")"
  wait_for 5 bash -c "! '$TELEPHONYD' -C '$WORK/etc' -rx 'core show channels concise' | grep -q SIP/" || fail "$wire call in stayed up"
  sleep 0.5
  rx "channel originate SIP/bs_$name extension 8$name@phones" >/dev/null || fail "originate to baresip ($wire) failed"
  wait_for 20 grep -q "BARESIP DONE 8$name$" "$WORK/etc/log/messages" || fail "$wire call out did not run: $(tail -20 "$WORK/bs_$name.log")"
  sleep 0.5
  kill "$pid" 2>/dev/null || true; sleep 0.2; kill "$pid" 2>/dev/null || true
  wait_for 10 bash -c "! kill -0 $pid" || fail "baresip did not quit"
  mapfile -t heard < <(ls -tr "$dir"/heard/*dec*.wav 2>/dev/null)
  [ "${#heard[@]}" -eq 2 ] || fail "$wire: baresip recorded ${#heard[@]} calls: $(ls "$dir/heard"; tail -20 "$WORK/bs_$name.log")"
  read -r f_in f_out g_in g_out <<<"$(frequency "$WORK/rec/7$name.wav" "$WORK/rec/8$name.wav" "${heard[0]}" "${heard[1]}" | tr '\n' ' ')"
  near "$f_in" "$theirs" || fail "$wire call in: baresip's $theirs Hz measures $f_in Hz in the engine's recording"
  near "$f_out" "$theirs" || fail "$wire call out: baresip's $theirs Hz measures $f_out Hz in the engine's recording"
  near "$g_in" "$ours" || fail "$wire call in: baresip heard $g_in Hz instead of our $ours Hz"
  near "$g_out" "$ours" || fail "$wire call out: baresip heard $g_out Hz instead of our $ours Hz"
  pass "$wire with baresip, calling in and called: its $theirs Hz recorded as $f_in/$f_out Hz, our $ours Hz heard as $g_in/$g_out Hz"
done
stop_daemon
