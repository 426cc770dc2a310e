#!/usr/bin/env bash
# Page() through telephonyd: a caller pages 10 devices reached as Local channels; each device's far
# side records what it hears while saying a 1 kHz tone of its own, the caller says 440 Hz and
# records what it hears (media_probe.conf enables the ProbeRecord test application). Checked with
# sox: every device heard 440 Hz, the caller heard nothing from the devices (they are muted
# ConfBridge users); the page recording (option r, the conference's recorder) holds the caller;
# with `d` the caller hears a device.
source "$(dirname "$0")/lib.sh"
require_commands sox
REC="$WORK/rec"
mkdir -p "$WORK/etc" "$REC"
cat >"$WORK/etc/telephony.conf" <<'CONF'
[directories]
spooldir => spool
rundir => run
logdir => log
CONF
: >"$WORK/etc/media_probe.conf"
DEVICES=""
for i in $(seq 1 10); do DEVICES="${DEVICES:+$DEVICES&}Local/dev$i@paged"; done
cat >"$WORK/etc/extensions.conf" <<CONF
[globals]
REC=$REC
[pager]
exten => page,1,Page($DEVICES&nodevice,qr)
 same => n,NoOp(never: Page does not continue)
exten => duplex,1,Page(Local/dup1@paged&Local/dup2@paged,dq)
[phone]
exten => talk,1,ProbeRecord(\${REC}/caller.wav,3,440)
 same => n,Hangup()
exten => talkd,1,ProbeRecord(\${REC}/caller-d.wav,3,440)
 same => n,Hangup()
[paged]
exten => _dev.,1,ProbeRecord(\${REC}/\${EXTEN}.wav,10,1000)
exten => _dup.,1,ProbeRecord(\${REC}/\${EXTEN}.wav,10,1000)
CONF

# stat <file> <field> over the middle second of the file (after joins, before hangups).
stat_of() { sox "$1" -n trim 1 1 stat 2>&1 | awk -F: -v k="$2" '$1 ~ k {gsub(/ /, "", $2); print $2}'; }
near() { awk -v v="$1" -v t="$2" -v tol="$3" 'BEGIN { exit !(v >= t - tol && v <= t + tol) }'; }
below() { awk -v v="$1" -v t="$2" 'BEGIN { exit !(v < t) }'; }
above() { awk -v v="$1" -v t="$2" 'BEGIN { exit !(v > t) }'; }

start_daemon
rx "core show application Page" | grep -q "Page series of phones" || fail "Page is not registered"

rx "channel originate Local/page@pager extension talk@phone" >/dev/null || fail "originate failed"
wait_for 10 test -s "$REC/caller.wav" || fail "the caller recorded nothing"
# The caller's probe ends after 3 s; the page then ends and every device is hung up.
wait_for 10 bash -c "[ \$($TELEPHONYD -C $WORK/etc -rx 'core show channels' | grep -c 'Local/dev') = 0 ]" \
  || fail "paged devices still up after the caller left"
sleep 0.3
for i in $(seq 1 10); do
  f="$REC/dev$i.wav"
  [ -s "$f" ] || fail "device $i recorded nothing"
  freq=$(stat_of "$f" "Rough")
  rms=$(stat_of "$f" "RMS.*amplitude")
  near "$freq" 440 25 || fail "device $i heard ${freq} Hz, not the caller's 440 Hz"
  above "$rms" 0.05 || fail "device $i heard only RMS $rms"
done
pass "10 Local devices were paged and each recorded the caller's 440 Hz tone"
rms=$(stat_of "$REC/caller.wav" "RMS.*amplitude")
below "$rms" 0.005 || fail "the caller heard RMS $rms from devices that should be muted"
pass "the caller heard nothing from the muted devices (RMS $rms)"
grep -q "nodevice" "$WORK/daemon.log" || fail "no warning for the device without '/'"
pass "a device without '/' is warned about and skipped"
# r records through the page conference's recorder: confbridge-<conference number>-<time>.wav.
room=$(ls "$WORK"/etc/spool/monitor/confbridge-*.wav 2>/dev/null | head -1)
[ -n "$room" ] || fail "no page recording (option r): $(ls "$WORK"/etc/spool/monitor 2>&1)"
near "$(stat_of "$room" "Rough")" 440 25 || fail "the page recording does not hold the caller's tone"
pass "option r recorded the page ($(basename "$room"))"

rx "channel originate Local/duplex@pager extension talkd@phone" >/dev/null || fail "originate (duplex) failed"
wait_for 10 bash -c "[ -s $REC/caller-d.wav ] && [ \$($TELEPHONYD -C $WORK/etc -rx 'core show channels' | grep -c 'Local/dup') = 0 ]" \
  || fail "duplex page did not end"
sleep 0.3
freq=$(stat_of "$REC/caller-d.wav" "Rough")
near "$freq" 1000 60 || fail "with d the caller heard ${freq} Hz, not the devices' 1000 Hz"
pass "with d the caller hears the devices (${freq} Hz)"
stop_daemon
