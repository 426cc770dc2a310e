#!/usr/bin/env bash
# The operator's console and logs (issue 14): every console command with its output checked, the
# verbose trace of a real call (Local channels through Dial) on the console and in logger.conf
# files, `core set verbose/debug`, log rotation, dialplan edits, manager show *, module
# load/unload, core reload and `core restart gracefully`.
source "$(dirname "$0")/lib.sh"
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$WORK/etc"
cat >"$WORK/etc/telephony.conf" <<'CONF'
[directories]
spooldir => spool
rundir => run
logdir => log
[options]
verbose = 3
CONF
cat >"$WORK/etc/logger.conf" <<'CONF'
[general]
dateformat = %F %T
rotatestrategy = rotate
[logfiles]
console => notice,warning,error,verbose
messages => notice,warning,error,verbose
trace1 => verbose(1)
dtmf => dtmf
CONF
cat >"$WORK/etc/manager.conf" <<CONF
[general]
enabled = yes
port = $PORT
bindaddr = 127.0.0.1
[it]
secret = itsecret
read = all
write = all
CONF
cat >"$WORK/etc/extensions.conf" <<'CONF'
[test]
exten => 100,1,Answer()
 same => n,Goto(test,101,1)
exten => 101,1,Dial(Local/200@test,5)
 same => n,Hangup()
exten => 200,1,Ringing()
 same => n,Wait(0.3)
 same => n,Answer()
 same => n,Wait(4)
 same => n,Hangup()
exten => 300,1,Answer()
 same => n,Wait(30)
exten => 300,hint,Local/300@test
exten => 500,1,Answer()
 same => n,SendDTMF(42)
CONF

start_daemon
MSG="$WORK/etc/log/messages"

# --- a real call and its verbose trace --------------------------------------------------------
rx "channel originate Local/100@test application Wait 6" >/dev/null || fail "originate"
wait_for 5 bash -c "$TELEPHONYD -C $WORK/etc -rx 'core show channels' | grep -q 'Dial(Local/200@test,5)'" \
  || fail "call did not reach Dial: $(rx core show channels)"
out=$(rx "core show channels")
# Both Local halves carry exten@context:1 as Asterisk's unreal channels do (core_unreal.c).
grep -Eq '^Local/100@test-[0-9a-f]{8};1 +100@test:1 +Up +Wait\(6\)' <<<"$out" || fail "core show channels ;1 line: $out"
grep -Eq '^Local/100@test-[0-9a-f]{8};2 +101@test:1 +Up +Dial\(Local/200@test,5\)' <<<"$out" || fail "core show channels ;2 line: $out"
grep -q "^4 active channels" <<<"$out" || fail "channel count: $out"
grep -q "^1 active call$" <<<"$out" || fail "call count: $out"
pass "core show channels during a call (Asterisk's columns)"
CH2=$(echo "$out" | grep -Eo '^Local/100@test-[0-9a-f]{8};2')
conc=$(rx "core show channels concise")
grep -q "^$CH2!test!101!1!Up!Dial!Local/200@test,5!" <<<"$conc" || fail "concise: $conc"
[ "$(echo "$conc" | grep "^$CH2!" | awk -F'!' '{print NF}')" = 14 ] || fail "concise has not 14 fields: $conc"
verb=$(rx "core show channels verbose")
# The header check once failed in CI although the header it printed matches; a here-string of the
# first line leaves no early-exiting pipe reader (head) whose writer could die of SIGPIPE under
# pipefail.
grep -Eq '^Channel +Context +Extension +Prio +State +Application +Data +CallerID +Duration +Accountcode +PeerAccount +BridgeID' \
  <<<"${verb%%$'\n'*}" || fail "verbose header: $verb"
echo "$verb" | grep -E "^$CH2 " | grep -Eq ' test +101 +1 Up +Dial +Local/200@test,5 .* [0-9]{2}:[0-9]{2}:[0-9]{2} ' || fail "verbose row: $verb"
rx "core show channels count" | grep -q "^4 active channels" || fail "count"
pass "core show channels concise|verbose|count"
show=$(rx "core show channel $CH2")
for want in " -- General --" "           Name: $CH2" "           Type: Local" "          State: Up (6)" \
            " --   PBX   --" "        Context: test" "      Extension: 101" "    Application: Dial" \
            "           Data: Local/200@test,5" "      Variables:" "      Bridge ID: "; do
  grep -qF -- "$want" <<<"$show" || fail "core show channel lacks '$want': $show"
done
rx "core show channel Nope/x" >/dev/null && fail "unknown channel exited 0"
rxf "core show channel Nope/x" | grep -q "Nope/x is not a known channel" || fail "unknown channel message"
pass "core show channel <name>"
calls=$(rx "core show calls")
[ "$calls" = "$(printf '1 active call\n%s' "$(echo "$calls" | tail -1)")" ] || fail "core show calls: $calls"
grep -Eq '^[0-9]+ calls? processed$' <<<"$calls" || fail "core show calls: $calls"
rx "core show calls uptime seconds" | grep -Eq '^System uptime: [0-9]+$' || fail "calls uptime seconds"
pass "core show calls [uptime [seconds]]"
wait_for 10 bash -c "$TELEPHONYD -C $WORK/etc -rx 'core show channels count' | grep -q '^0 active channels'" || fail "call did not end"
for line in \
  '    -- Executing \[100@test:1\] Answer\("Local/100@test-[0-9a-f]{8};2", ""\) in new stack' \
  '    -- Goto \(test,101,1\)' \
  '    -- Executing \[101@test:1\] Dial\("Local/100@test-[0-9a-f]{8};2", "Local/200@test,5"\) in new stack' \
  '    -- Called Local/200@test' \
  '    -- Local/200@test-[0-9a-f]{8};1 is ringing' \
  '    -- Local/200@test-[0-9a-f]{8};1 answered Local/100@test-[0-9a-f]{8};2' \
  "  == Spawn extension \(test, 200, 5\) exited non-zero on 'Local/200@test-[0-9a-f]{8};2'"; do
  grep -Eq "^$line\$" "$WORK/daemon.log" || fail "console trace lacks: $line"
  bare=${line#"    -- "}; bare=${bare#"  == "}
  grep -Eq "^\[[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\] VERBOSE\[[0-9]+\] [a-z_]+: $bare\$" "$MSG" || fail "messages lacks: $bare"
done
grep -q "Executing \[" "$WORK/etc/log/trace1" && fail "verbose(1) file got level-3 lines"
grep -q "Spawn extension" "$WORK/etc/log/trace1" && fail "verbose(1) file got level-2 lines"
pass "verbose trace of a real call (console with prefixes, messages file with dateformat, verbose(n) honoured)"

# --- the DTMF level -------------------------------------------------------------------------------
rx "channel originate Local/500@test application Wait 2" >/dev/null
wait_for 5 grep -q "DTMF end '2' received on Local/500@test-" "$WORK/etc/log/dtmf" || fail "no DTMF lines: $(cat "$WORK/etc/log/dtmf" 2>/dev/null)"
grep -Eq "^\[[0-9-]+ [0-9:]+\] DTMF\[[0-9]+\] channel: DTMF begin '4' received on Local/500@test-[0-9a-f]{8};1$" "$WORK/etc/log/dtmf" || fail "DTMF begin line: $(cat "$WORK/etc/log/dtmf")"
grep -Eq "DTMF end '4' sent on Local/500@test-[0-9a-f]{8};2, duration [0-9]+ ms$" "$WORK/etc/log/dtmf" || fail "DTMF sent line: $(cat "$WORK/etc/log/dtmf")"
grep -q "] DTMF\[" "$MSG" && fail "DTMF lines leaked into messages"
wait_for 10 bash -c "$TELEPHONYD -C $WORK/etc -rx 'core show channels count' | grep -q '^0 active channels'" || fail "DTMF call did not end"
pass "dtmf level: digits begin/end, received and sent, in their own channel"

# --- core set verbose / debug -------------------------------------------------------------------
[ "$(rx core set verbose 1)" = "Verbosity was 3 and is now 1" ] || fail "set verbose: $(rx core set verbose 1)"
[ "$(rx core set verbose atleast 0)" = "Verbosity is at least 1" ] || fail "atleast"
before=$(grep -c "Executing \[" "$MSG")
rx "channel originate Local/200@test application Wait 1" >/dev/null
wait_for 10 bash -c "$TELEPHONYD -C $WORK/etc -rx 'core show channels count' | grep -q '^0 active channels'" || fail "call 2 did not end"
[ "$(grep -c "Executing \[" "$MSG")" = "$before" ] || fail "verbose 1 still wrote level-3 lines"
[ "$(rx core set verbose 3)" = "Verbosity was 1 and is now 3" ] || fail "set verbose back"
[ "$(rx core set debug 2)" = "Core debug was 0 and is now 2" ] || fail "set debug: $(rx core set debug 2)"
[ "$(rx core set debug off)" = "Core debug is now OFF" ] || fail "debug off"
rx "core set verbose lots" >/dev/null && fail "bad level accepted"
rxf "core set verbose lots" | grep -q "^Usage: core set verbose" || fail "usage not shown"
pass "core set verbose|debug (a lower verbosity silences the trace)"

# --- logger show channels / rotate / reload -----------------------------------------------------
lsc=$(rx "logger show channels")
# Asterisk's %-35.35s: long paths are cut at 35 characters.
grep -Fq "$(printf '%-35.35s File     default    Enabled   - NOTICE WARNING ERROR VERBOSE ' "$MSG")" <<<"$lsc" || fail "logger show channels file row: $lsc"
grep -Fq "$(printf '%-35.35s File     default    Enabled   - VERBOSE(1) ' "$WORK/etc/log/trace1")" <<<"$lsc" || fail "verbose(1) row: $lsc"
grep -Eq "^ +Console +default +Enabled +- NOTICE WARNING ERROR VERBOSE $" <<<"$lsc" || fail "console row: $lsc"
pass "logger show channels"
first=$(head -1 "$MSG")
[ "$(rx logger rotate)" = "Log files rotated and reopened." ] || fail "logger rotate"
[ -f "$MSG.0" ] && [ "$(head -1 "$MSG.0")" = "$first" ] || fail "messages.0 is not the old file"
wait_for 3 grep -q "Log files rotated (3)" "$MSG" || fail "new messages file not written after rotate"
rx "logger rotate" >/dev/null
[ -f "$MSG.1" ] && [ "$(head -1 "$MSG.1")" = "$first" ] && grep -q "Log files rotated (3)" "$MSG.0" || fail "second rotate did not shift .0 to .1"
pass "logger rotate (rotatestrategy=rotate: messages -> .0 -> .1)"
[ "$(rx logger reload)" = "Logger channels reloaded." ] || fail "logger reload"
printf '[logfiles]\nmessages => notice,nonsense\n' >"$WORK/etc/logger.conf.bad"
cp "$WORK/etc/logger.conf" "$WORK/logger.good"; cp "$WORK/etc/logger.conf.bad" "$WORK/etc/logger.conf"; rm "$WORK/etc/logger.conf.bad"
out=$(rx logger reload) && fail "broken logger reload exited 0"
grep -q "logger.conf:2: unknown log level 'nonsense'" <<<"$out" || fail "broken reload message: $out"
cp "$WORK/logger.good" "$WORK/etc/logger.conf"
pass "logger reload (a broken file keeps the running channels)"

# --- dialplan add / remove / show / reload --------------------------------------------------------
[ "$(rx 'dialplan add extension 400,1,NoOp(added) into test')" = "Extension '400@test' priority 1 added into 'test' context" ] \
  || fail "dialplan add: $(rx 'dialplan add extension 400,1,NoOp(added) into test')"
rx "dialplan show 400@test" | grep -q "1. NoOp(added)" || fail "added priority not shown: $(rx dialplan show 400@test)"
rx "dialplan add extension 400,1,NoOp(again) into test" >/dev/null && fail "duplicate add accepted"
rxf "dialplan add extension 400,1,NoOp(again) into test" | grep -q "That extension and priority already exist" || fail "dup message"
rx "dialplan add extension 400,1,NoOp,replaced into test replace" >/dev/null || fail "replace"
rx "dialplan show 400@test" | grep -q "1. NoOp(replaced)" || fail "replace not applied"
[ "$(rx 'dialplan remove extension 400@test 1')" = "Extension 400@test with priority 1 removed" ] || fail "remove priority"
rx "dialplan remove extension 400@test" >/dev/null && fail "removing a gone extension exited 0"
rx "dialplan add extension 401,1,NoOp into test" >/dev/null
[ "$(rx 'dialplan remove extension 401@test')" = "Whole extension 401@test removed" ] || fail "remove whole"
rx "dialplan show test" | grep -q "'100' =>" || fail "dialplan show test"
[ "$(rx dialplan reload)" = "Dialplan reloaded." ] || fail "dialplan reload"
pass "dialplan add|remove extension, show, reload"

hints=$(rx "core show hints")
grep -Fq "$(printf '%20s@%-20.20s: %-20.20s  State:%-15.15s Presence:%-15.15s Watchers %2d' 300 test Local/300@test Idle not_set 0)" <<<"$hints" \
  && grep -q "^- 1 hints registered$" <<<"$hints" || fail "core show hints: $hints"
pass "core show hints"

# --- manager show * (a logged-in session is listed) ------------------------------------------------
exec 7<>/dev/tcp/127.0.0.1/$PORT
printf 'Action: Login\r\nUsername: it\r\nSecret: itsecret\r\n\r\n' >&7
wait_for 5 bash -c "$TELEPHONYD -C $WORK/etc -rx 'manager show connected' | grep -q '^  it '" || fail "manager show connected: $(rx manager show connected)"
conn=$(rx "manager show connected")
echo "$conn" | head -1 | grep -Eq '^  Username +IP Address +Start +Elapsed +Queued +MaxQueue +ReadPerms +WritePerms$' || fail "connected header: $conn"
grep -Eq '^  it +127\.0\.0\.1 +[0-9]+ +[0-9]+ ' <<<"$conn" || fail "connected row: $conn"
grep -q "^1 users connected.$" <<<"$conn" || fail "connected count: $conn"
rx "core show taskprocessors" | grep -Eq '^ami/session-[0-9]+-it +[0-9]+ +[0-9]+ +[0-9]+ +0 +10000$' || fail "taskprocessors: $(rx core show taskprocessors)"
rx "core show taskprocessors" | grep -Eq '^eventbus/manager +[0-9]+ +[0-9]+ +[0-9]+ +0 +262144$' || fail "taskprocessors eventbus: $(rx core show taskprocessors)"
pass "manager show connected; core show taskprocessors lists the bus subscribers and AMI sessions"
exec 7>&-
users=$(rx "manager show users")
[ "$users" = "$(printf '\nusername\n--------\nit\n-------------------\n1 manager users configured.')" ] || fail "manager show users: $users"
user=$(rx "manager show user it")
grep -q "^          username: it$" <<<"$user" && grep -q "^            secret: <Set>$" <<<"$user" \
  && grep -q "^         read perm: system,call,log,verbose,command,agent,user,config,dtmf,reporting,cdr,dialplan,originate,agi,cc,aoc,test,security,message$" <<<"$user" \
  || fail "manager show user: $user"
rx "manager show user nobody" >/dev/null && fail "unknown user exited 0"
pass "manager show users|user"
cmds=$(rx "manager show commands")
for a in Originate Hangup Status Command ShowDialPlan DialplanExtensionAdd Login; do
  grep -Eq "^  $a +[A-Z]" <<<"$cmds" || fail "manager show commands lacks $a"
done
help=$(rx "manager show command Originate")
grep -q "^\[Syntax\]" <<<"$help" && grep -q "^Action: Originate" <<<"$help" && grep -q "^\[Synopsis\]" <<<"$help" || fail "manager show command: $help"
evs=$(rx "manager show events")
for e in Newchannel Hangup DialBegin Cdr FullyBooted BridgeEnter VarSet; do grep -qw "$e" <<<"$evs" || fail "manager show events lacks $e"; done
eh=$(rx "manager show event Hangup")
grep -q "Info about event 'Hangup'" <<<"$eh" && grep -q "Cause-txt" <<<"$eh" && grep -q "^\[Class\]" <<<"$eh" \
  && grep -q "^call$" <<<"$eh" || fail "manager show event Hangup: $eh"
rx "manager show event Nope" >/dev/null && fail "unknown event exited 0"
pass "manager show commands|command|events|event (from the documentation data)"

# --- module load / unload / reload, core reload ----------------------------------------------------
[ "$(rx module unload manager)" = "Unloaded manager" ] || fail "module unload manager"
( exec 8<>/dev/tcp/127.0.0.1/$PORT ) 2>/dev/null && fail "AMI still listening after unload"
rx "module show" | grep -q "^manager " && fail "module show still lists manager"
[ "$(rx module load manager.so)" = "Loaded manager" ] || fail "module load manager"
wait_for 3 bash -c "exec 8<>/dev/tcp/127.0.0.1/$PORT" || fail "AMI not listening after load"
rx "module load manager" >/dev/null && fail "loading a loaded module exited 0"
rxf "module load nosuch" | grep -q "no such module" || fail "unknown module"
rx "module unload logger" >/dev/null && fail "logger unloaded"
rxf "module unload logger" | grep -q "the daemon needs it" || fail "unload logger message"
out=$(rx "core reload")
grep -q "Module 'pbx_config' reloaded successfully." <<<"$out" && grep -q "Module 'logger' reloaded successfully." <<<"$out" \
  || fail "core reload: $out"
pass "module load|unload, core reload"

# --- core restart gracefully -----------------------------------------------------------------------
rx "channel originate Local/300@test application Wait 30" >/dev/null
wait_for 5 bash -c "$TELEPHONYD -C $WORK/etc -rx 'core show channels count' | grep -q '^2 active channels'" || fail "long call did not start"
up1=$(rx "core show uptime seconds" | head -1 | grep -Eo '[0-9]+')
[ "$(rx core restart gracefully)" = "Refusing new calls; restarting when the last channel is gone" ] || fail "restart gracefully"
rx "core show settings" | grep -q "Accepting calls: *No" || fail "still accepting calls"
sleep 1
rx "core show channels count" | grep -q '^2 active channels' || fail "the call was cut by a graceful restart"
rx "channel request hangup all" >/dev/null
sleep 1
wait_for 10 bash -c "$TELEPHONYD -C $WORK/etc -rx 'core show settings' 2>/dev/null | grep -q 'Accepting calls: *Yes'" || fail "no restart after the last channel"
kill -0 "$DAEMON_PID" || fail "restart changed the pid"
grep -q "restarting: hanging up" "$WORK/daemon.log" || fail "no restart log line"
up2=$(rx "core show uptime seconds" | head -1 | grep -Eo '[0-9]+')
[ "$up2" -le 3 ] || fail "uptime not reset by restart ($up1 -> $up2)"
pass "core restart gracefully waits for the last call, then restarts in the same process"

stop_daemon
