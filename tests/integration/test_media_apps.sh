#!/usr/bin/env bash
# Media applications through telephonyd: a prompt played by one half of a Local pair is recorded
# by the other (Record with k keeps it on hangup) and measured with sox; Background jumps on a
# digit sent by SendDTMF; musiconhold.conf loads and a broken reload is refused; help text.
source "$(dirname "$0")/lib.sh"
require_commands sox soxi
require_prompts hello-world beep
mkdir -p "$WORK/etc" "$WORK/out" "$WORK/etc/moh/calm"
cp "$SOUNDS_EN/beep.wav" "$WORK/etc/moh/calm/beep.wav"
cat >"$WORK/etc/telephony.conf" <<'CONF'
[directories]
spooldir => spool
rundir => run
logdir => log
datadir => .
CONF
cat >"$WORK/etc/logger.conf" <<'CONF'
[logfiles]
console => notice,warning,error,verbose
calls => verbose
CONF
cat >"$WORK/etc/musiconhold.conf" <<'CONF'
[calm]
mode=files
directory=moh/calm
CONF
cat >"$WORK/etc/extensions.conf" <<CONF
[media]
exten => play,1,Answer()
 same => n,Playback(hello-world)
 same => n,Verbose(0,PLAYED \${PLAYBACKSTATUS})
 same => n,Hangup()
exten => menu,1,Answer()
 same => n,Background(demo-congrats)
 same => n,Verbose(0,MENU NOT INTERRUPTED)
exten => 7,1,Verbose(0,MENU CHOSE 7)
 same => n,MusicOnHold(calm,0.3)
 same => n,Hangup()
[rec]
exten => 1,1,Answer()
 same => n,Record($WORK/out/heard.wav,0,10,qk)
exten => h,1,Verbose(0,RECORDED \${RECORD_STATUS})
[dtmf]
exten => 1,1,Wait(0.5)
 same => n,SendDTMF(7)
 same => n,Wait(2)
CONF
LOG="$WORK/etc/log/calls"
start_daemon

rx "channel originate Local/play@media extension 1@rec" >/dev/null || fail "originate"
wait_for 10 grep -q "RECORDED HANGUP" "$LOG" || fail "the recording side did not finish"
grep -q "PLAYED SUCCESS" "$LOG" || fail "PLAYBACKSTATUS not SUCCESS"
secs=$(soxi -D "$WORK/out/heard.wav") || fail "sox cannot read the recording"
awk -v s="$secs" 'BEGIN { exit !(s > 1.30 && s < 1.50) }' || fail "recording lasts $secs s, the prompt 1.40 s"
[ "$(soxi -r "$WORK/out/heard.wav")" = 8000 ] || fail "recording rate"
pass "Playback on one side of a Local pair is recorded on the other with the prompt's duration ($secs s)"

rx "channel originate Local/menu@media extension 1@dtmf" >/dev/null || fail "originate menu"
wait_for 10 grep -q "MENU CHOSE 7" "$LOG" || fail "Background did not jump on the digit"
grep -q "MENU NOT INTERRUPTED" "$LOG" && fail "Background ran to its end"
pass "SendDTMF on one side interrupts Background on the other, which continues at that extension"

rx "core show application Record" | grep -q "RECORD_STATUS" || fail "core show application Record"
rx "core show application Background" | grep -q "BACKGROUNDSTATUS" || fail "core show application Background"
pass "media applications show their documentation"

printf '[calm]\nmode=custom\napplication=/bin/mpg123\n' >"$WORK/etc/musiconhold.conf"
out=$(rx "module reload" 2>&1 || true)
grep -q "musiconhold.conf:1" <<<"$out" || fail "broken musiconhold.conf reload not reported: $out"
pass "a broken musiconhold.conf reload names file:line"
stop_daemon
