#!/usr/bin/env bash
# AMD() through telephonyd on recorded greetings: espeak-ng speaks a person's "Hello?" and an
# answering machine's long greeting, sox adds the silence around them (and makes a silent line).
# The callee half of a Local pair plays a greeting; the dialer half runs AMD() with amd.conf's
# settings and logs AMDSTATUS/AMDCAUSE. A broken amd.conf reload is refused with file:line and the
# running settings stay.
source "$(dirname "$0")/lib.sh"
command -v espeak-ng >/dev/null || fail "espeak-ng is missing (make deps)"
command -v sox >/dev/null || fail "sox is missing (make deps)"
mkdir -p "$WORK/etc" "$WORK/snd"
speak() {  # speak <name> <text>: 8 kHz mono slin with 0.3 s before and 3 s after
  espeak-ng -w "$WORK/snd/$1-raw.wav" "$2" || fail "espeak-ng failed"
  sox "$WORK/snd/$1-raw.wav" -r 8000 -c 1 -b 16 "$WORK/snd/$1.wav" pad 0.3 3 || fail "sox failed"
}
speak human "Hello?"
speak person "Yes, hello."
speak machine "Hi, you have reached the voicemail of John Smith. I cannot take your call right now. Please leave your name and number after the tone, and I will call you back."
sox -n -r 8000 -c 1 -b 16 "$WORK/snd/silent.wav" trim 0 4 || fail "sox could not make silence"

cat >"$WORK/etc/telephony.conf" <<'CONF'
[directories]
spooldir => spool
rundir => run
logdir => log
CONF
cat >"$WORK/etc/logger.conf" <<'CONF'
[logfiles]
messages => notice,warning,error
calls => verbose
CONF
cat >"$WORK/etc/amd.conf" <<'CONF'
[general]
initial_silence = 2500
greeting = 1500
after_greeting_silence = 800
total_analysis_time = 5000
min_word_length = 100
between_words_silence = 50
maximum_number_of_words = 2
silence_threshold = 256
maximum_word_length = 5000
CONF
cat >"$WORK/etc/extensions.conf" <<CONF
[callee]
exten => _[a-z].,1,Answer()
 same => n,Playback($WORK/snd/\${EXTEN})
 same => n,Wait(2)
[dialer]
exten => amd,1,Set(C=\${CHANNEL})
 same => n,Set(WHO=\${CUT(C,@,1)})
 same => n,AMD()
 same => n,Verbose(0,AMD \${CUT(WHO,/,2)} \${AMDSTATUS} \${AMDCAUSE})
exten => words5,1,Set(C=\${CHANNEL})
 same => n,Set(WHO=\${CUT(C,@,1)})
 same => n,AMD(,,,,,,5)
 same => n,Verbose(0,AMD5 \${CUT(WHO,/,2)} \${AMDSTATUS} \${AMDCAUSE})
CONF
LOG="$WORK/etc/log/calls"
"$TELEPHONYD" --check-config -C "$WORK/etc" >"$WORK/check.out" 2>&1 || fail "check-config: $(cat "$WORK/check.out")"
start_daemon

amd_of() {  # amd_of <greeting> [dialer extension] -> "STATUS CAUSE"
  local ext=${2:-amd} tag=AMD
  [ "$ext" = words5 ] && tag=AMD5
  rx "channel originate Local/$1@callee extension $ext@dialer" >/dev/null || fail "originate $1"
  wait_for 10 grep -q "$tag $1 " "$LOG" || fail "no AMD result for $1"
  grep "$tag $1 " "$LOG" | tail -1 | sed "s/.*$tag $1 //"
}
r=$(amd_of human)
[[ $r == "HUMAN HUMAN-800-800" ]] || fail "'Hello?' then silence gave: $r"
pass "a person's 'Hello?' then silence: AMDSTATUS=HUMAN AMDCAUSE=$r"
r=$(amd_of person)
[[ $r == "HUMAN HUMAN-800-800" ]] || fail "'Yes, hello.' then silence gave: $r"
pass "'Yes, hello.' (two words): HUMAN ($r)"
r=$(amd_of machine)
[[ $r == "MACHINE MAXWORDS-3-2" ]] || fail "the voicemail greeting gave: $r"
pass "an answering machine's greeting: AMDSTATUS=MACHINE AMDCAUSE=${r#MACHINE }"
r=$(amd_of silent)
[[ $r == "MACHINE INITIALSILENCE-2500-2500" ]] || fail "a silent line gave: $r"
pass "a line that says nothing: MACHINE (${r#MACHINE })"
r=$(amd_of machine words5)
[[ $r == MACHINE\ LONGGREETING-* ]] || fail "with maximumNumberOfWords=5 the greeting gave: $r"
pass "AMD(,,,,,,5): arguments override amd.conf; the long greeting is ${r#MACHINE }"

printf '[general]\ngreeting = long\n' >"$WORK/etc/amd.conf"
out=$(rx "module reload" 2>&1 || true)
grep -q "amd.conf:2" <<<"$out" || fail "a broken amd.conf reload was not reported with file:line: $out"
r=$(amd_of human)
[[ $r == "HUMAN HUMAN-800-800" ]] || fail "after the refused reload: $r"
pass "a broken amd.conf reload names amd.conf:2 and the running settings stay"
rx "core show application AMD" | grep -q "AMDCAUSE" || fail "core show application AMD"
stop_daemon
