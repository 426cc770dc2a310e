#!/usr/bin/env bash
# Prompts on a machine set up in different ways, through telephonyd:
#  - no prompts for the default language: one warning at start naming the package to install, and
#    Playback of a prompt logs every path it tried;
#  - only a voice folder (en_US_f_Allison, what asterisk-core-sounds-en-wav installs without the
#    `en` link): `en` prompts play from it, and there is no warning;
#  - a missing prompt names the paths tried, under the voice folder too.
source "$(dirname "$0")/lib.sh"
require_prompts hello-world
mkdir -p "$WORK/etc" "$WORK/nosounds" "$WORK/voice/en_US_f_Allison"
cp "$SOUNDS_EN/hello-world.wav" "$WORK/voice/en_US_f_Allison/"
cat >"$WORK/etc/logger.conf" <<'CONF'
[logfiles]
console => notice,warning,error,verbose
calls => notice,warning,error,verbose
CONF
cat >"$WORK/etc/extensions.conf" <<'CONF'
[media]
exten => play,1,Answer()
 same => n,Playback(hello-world)
 same => n,Verbose(0,PLAYED hello-world ${PLAYBACKSTATUS})
 same => n,Playback(no-such-prompt)
 same => n,Verbose(0,PLAYED no-such-prompt ${PLAYBACKSTATUS})
 same => n,Hangup()
[sink]
exten => 1,1,Answer()
 same => n,Wait(5)
CONF
with_sounds() {
  cat >"$WORK/etc/telephony.conf" <<CONF
[directories]
spooldir => spool
rundir => run
logdir => log
soundsdir => $1
CONF
  rm -f "$WORK/etc/log/calls"
}
LOG="$WORK/etc/log/calls"

# --- no prompts at all -------------------------------------------------------------------------
with_sounds "$WORK/nosounds"
start_daemon
wait_for 5 grep -q "ready" "$WORK/daemon.log" || fail "telephonyd did not start"
n=$(grep -c "prompts of the default language 'en' are missing" "$WORK/daemon.log" || true)
[ "$n" = 1 ] || fail "expected one start warning about missing prompts, got $n"
grep "prompts of the default language" "$WORK/daemon.log" | grep -q "asterisk-core-sounds-en" ||
  fail "the start warning does not name the package to install"
grep "prompts of the default language" "$WORK/daemon.log" | grep -q "$WORK/nosounds/en/hello-world" ||
  fail "the start warning does not say where it looked"
rx "channel originate Local/play@media extension 1@sink" >/dev/null || fail "originate"
wait_for 10 grep -q "PLAYED no-such-prompt" "$LOG" || fail "the call did not finish its prompts"
grep -q "PLAYED hello-world FAILED" "$LOG" || fail "Playback of a missing prompt is not FAILED: $(cat "$LOG")"
grep "prompt 'hello-world' not found" "$LOG" | grep -q "tried $WORK/nosounds/en/hello-world.\*, $WORK/nosounds/hello-world.\*" ||
  fail "Playback does not name the paths it tried: $(grep -i 'not found' "$LOG")"
[ "$(grep -c "prompts of the default language" "$WORK/daemon.log")" = 1 ] || fail "the start warning was repeated"
stop_daemon
pass "no prompts: one start warning naming asterisk-core-sounds-en; Playback names the paths it tried"

# --- only the voice folder en_US_f_Allison ------------------------------------------------------
with_sounds "$WORK/voice"
start_daemon
wait_for 5 grep -q "ready" "$WORK/daemon.log" || fail "telephonyd did not start"
grep -q "prompts of the default language" "$WORK/daemon.log" && fail "warned although en_US_f_Allison has the prompts"
rx "channel originate Local/play@media extension 1@sink" >/dev/null || fail "originate"
wait_for 10 grep -q "PLAYED no-such-prompt" "$LOG" || fail "the call did not finish its prompts"
grep -q "PLAYED hello-world SUCCESS" "$LOG" || fail "hello-world did not play from en_US_f_Allison: $(cat "$LOG")"
grep -q "PLAYED no-such-prompt FAILED" "$LOG" || fail "a missing prompt is not FAILED"
grep "prompt 'no-such-prompt' not found" "$LOG" |
  grep -q "tried $WORK/voice/en_US_f_Allison/no-such-prompt.\*, $WORK/voice/no-such-prompt.\*" ||
  fail "the paths tried do not name the voice folder: $(grep -i 'not found' "$LOG")"
stop_daemon
pass "only en_US_f_Allison: en prompts play from it, no warning, missing ones name the paths tried"
