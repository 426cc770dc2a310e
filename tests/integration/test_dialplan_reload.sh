#!/usr/bin/env bash
# telephonyd with an extensions.conf: `dialplan show`, an edit applied by `dialplan reload`, a
# broken edit refused with file:line while the old plan still shows, --check-config errors.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/etc"
cat >"$WORK/etc/telephony.conf" <<'CONF'
[directories]
spooldir => spool
rundir => run
logdir => log
CONF
printf '[logfiles]\nmessages => notice,warning,error\n' >"$WORK/etc/logger.conf"
cat >"$WORK/etc/extensions.conf" <<'CONF'
[general]
autofallthrough=yes
[globals]
TRUNK=SIP/provider
[default]
exten => 100,1,Answer()
 same => n(greet),NoOp(hello)
 same => n,Hangup()
include => internal
[internal]
exten => _2XX,1,NoOp(internal ${EXTEN})
CONF

"$TELEPHONYD" --check-config -C "$WORK/etc" >"$WORK/check.out" 2>&1 || fail "--check-config rejected a good extensions.conf: $(cat "$WORK/check.out")"
pass "--check-config accepts a good extensions.conf"

start_daemon
out=$(rx "dialplan show")
grep -q "\[ Context 'default' created by 'pbx_config' \]" <<<"$out" || fail "dialplan show: $out"
grep -Eq "^  '100' => +1\. Answer\(\) +\[extensions.conf:6\]$" <<<"$out" || fail "dialplan show line: $out"
grep -q "2(greet). NoOp(hello)" <<<"$out" || fail "label not shown: $out"
grep -q "Include =>        'internal'" <<<"$out" || fail "include not shown: $out"
grep -q -- "-= 2 extensions (4 priorities) in 2 contexts. =-" <<<"$out" || fail "totals: $out"
rx "dialplan show 250@internal" | grep -q "'_2XX' =>" || fail "dialplan show exten@ctx"
out=$(rx "dialplan show nowhere") && fail "unknown context exited 0"
grep -q "There is no existence of 'nowhere' context" <<<"$out" || fail "unknown context message: $out"
rx "core show application Gosub" | grep -q "Jump to label, saving return address" || fail "Gosub not documented"
rx "core show function TIMEOUT" | grep -q "Gets or sets timeouts on the channel" || fail "TIMEOUT not documented"
pass "dialplan show in Asterisk's layout; apps and functions documented"

cat >>"$WORK/etc/extensions.conf" <<'CONF'
exten => 300,1,NoOp(added)
CONF
rx "dialplan reload" | grep -q "Dialplan reloaded." || fail "dialplan reload"
rx "dialplan show internal" | grep -q "'300' =>" || fail "reloaded extension not shown: $(rx dialplan show internal)"
pass "dialplan reload applies an edit"

cp "$WORK/etc/extensions.conf" "$WORK/good.conf"
cat >>"$WORK/etc/extensions.conf" <<'CONF'
exten => 300,1,NoOp(duplicate)
exten => 301,nope,NoOp
CONF
out=$(rx "dialplan reload") && fail "broken reload exited 0"
grep -q "extensions.conf:13: duplicate priority 1 of extension '300'" <<<"$out" || fail "duplicate not reported: $out"
grep -q "extensions.conf:14: invalid priority/label 'nope'" <<<"$out" || fail "second error not reported: $out"
rx "dialplan show internal" | grep -q "NoOp(added)" || fail "old plan not kept"
rx "dialplan show internal" | grep -q "duplicate" && fail "broken plan applied"
out=$(rx "module reload pbx_config") && fail "module reload of a broken file exited 0"
grep -q "extensions.conf:13:" <<<"$out" || fail "module reload message: $out"
pass "a broken reload is refused with every file:line and the old plan stays"

"$TELEPHONYD" --check-config -C "$WORK/etc" >"$WORK/check.out" 2>&1 && fail "--check-config accepted a broken extensions.conf"
grep -q "extensions.conf:13: duplicate priority" "$WORK/check.out" || fail "check-config: $(cat "$WORK/check.out")"
grep -q "extensions.conf:14: invalid priority/label" "$WORK/check.out" || fail "check-config 2nd: $(cat "$WORK/check.out")"
pass "--check-config reports extensions.conf errors"

stop_daemon
echo "all dialplan reload checks passed"
