#!/usr/bin/env bash
# AGI through telephonyd with the AGI libraries users bring, each driving a real call on a Local
# pair whose other half is the caller (it sends DTMF and records what it hears):
#   - a Perl script on Debian's Asterisk::AGI (libasterisk-agi-perl) run by AGI(): answer, GET DATA
#     answered with DTMF, SET/GET VARIABLE, DATABASE PUT/GET, CHANNEL STATUS, EXEC, STREAM FILE
#     (the recording on the caller side lasts the prompt's 1.4 s), VERBOSE;
#   - npm's ding-dong as a FastAGI server (agi://127.0.0.1:port/ivr): the same kind of session;
#   - python3-panoramisk driving AGI(agi:async) through the AMI AGI action, reading AsyncAGIStart,
#     AsyncAGIExec (URL-encoded Result) and AsyncAGIEnd.
# Then `agi show commands` and `agi set debug on` at the console. Every client runs under
# `timeout`; the daemon and the FastAGI server are always stopped.
source "$(dirname "$0")/lib.sh"
NODE_PATH="${NODE_PATH:-$(cd "$(dirname "$0")/../.." && pwd)/build/node_modules}"
export NODE_PATH
perl -MAsterisk::AGI -e 1 2>/dev/null || fail "Perl module Asterisk::AGI is missing (Debian package libasterisk-agi-perl; make deps)"
node -e "require('ding-dong')" 2>/dev/null || fail "npm package ding-dong is missing under $NODE_PATH (make deps)"
/usr/bin/python3 -c "import panoramisk" 2>/dev/null || fail "python3-panoramisk is missing (make deps)"
command -v soxi >/dev/null || fail "sox (soxi) is missing (make deps)"

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
AMI_PORT=$(free_port)
FAST_PORT=$(free_port)
mkdir -p "$WORK/etc/agi" "$WORK/out"
NODE_PID=""
stop_node() { [ -n "$NODE_PID" ] && kill "$NODE_PID" 2>/dev/null; NODE_PID=""; }
trap 'stop_node; cleanup' EXIT

cat >"$WORK/etc/telephony.conf" <<'CONF'
[directories]
spooldir => spool
rundir => run
logdir => log
dbdir => db
agidir => agi
CONF
cat >"$WORK/etc/logger.conf" <<'CONF'
[logfiles]
messages => notice,warning,error
calls => verbose
CONF
cat >"$WORK/etc/manager.conf" <<CONF
[general]
enabled = yes
bindaddr = 127.0.0.1
port = $AMI_PORT

[it]
secret = itsecret
read = all
write = all
CONF
cat >"$WORK/etc/extensions.conf" <<CONF
[agi]
exten => perl,1,Answer()
 same => n,AGI(call.pl,$WORK/out/perl.txt)
 same => n,Verbose(0,PERL DONE \${AGISTATUS} [\${PERLVAR}] \${DB(agitest/perl)})
 same => n,Hangup()
exten => fast,1,Answer()
 same => n,AGI(agi://127.0.0.1:$FAST_PORT/ivr,hello)
 same => n,Verbose(0,FAST DONE \${AGISTATUS} [\${NODEVAR}] \${DB(agitest/node)})
 same => n,Hangup()
exten => async,1,Answer()
 same => n,AGI(agi:async,py)
 same => n,Verbose(0,ASYNC DONE \${AGISTATUS} [\${PYVAR}])
 same => n,Hangup()
[caller]
exten => perl,1,Wait(0.8)
 same => n,SendDTMF(42#)
 same => n,Record($WORK/out/perl-heard.wav,0,6,qk)
exten => fast,1,Wait(0.8)
 same => n,SendDTMF(73#)
 same => n,Record($WORK/out/fast-heard.wav,0,6,qk)
exten => async,1,Wait(10)
CONF

# --- the Perl script (Asterisk::AGI) -----------------------------------------------------------
cat >"$WORK/etc/agi/call.pl" <<'PERL'
#!/usr/bin/perl
use strict;
use warnings;
use Asterisk::AGI;
my $AGI = Asterisk::AGI->new;
my %env = $AGI->ReadParse();
open(my $out, '>', $ARGV[0]) or die "cannot write $ARGV[0]";
$out->autoflush(1);
print $out "request=$env{request} channel=$env{channel} arg1=$env{arg_1}\n";
print $out "answer=" . $AGI->answer() . "\n";
my $digits = $AGI->get_data('beep', 5000, 4);
print $out "digits=$digits\n";
$AGI->set_variable('PERLVAR', "perl got $digits");
print $out "var=" . $AGI->get_variable('PERLVAR') . "\n";
print $out "full=" . $AGI->get_full_variable('${PERLVAR}-${EXTEN}') . "\n";
print $out "dbput=" . $AGI->database_put('agitest', 'perl', $digits) . "\n";
print $out "dbget=" . $AGI->database_get('agitest', 'perl') . "\n";
print $out "status=" . $AGI->channel_status($env{channel}) . "\n";
print $out "exec=" . $AGI->exec('Wait', '0.6') . "\n";
print $out "stream=" . $AGI->stream_file('hello-world') . "\n";
$AGI->verbose('perl agi finished', 1);
close $out;
PERL
chmod 755 "$WORK/etc/agi/call.pl"

# --- the FastAGI server (ding-dong) ------------------------------------------------------------
cat >"$WORK/fastagi.js" <<'JS'
const AGIServer = require('ding-dong');
const fs = require('fs');
const [port, outFile] = process.argv.slice(2);
const handler = async (context) => {
  const lines = [];
  try {
    const vars = await context.onEvent('variables');
    lines.push(`network=${vars.agi_network} script=${vars.agi_network_script} arg1=${vars.agi_arg_1}`);
    let r = await context.answer();
    lines.push(`answer=${r.code} ${r.result}`);
    r = await context.getData('beep', 5000, 4);
    const digits = r.result;
    lines.push(`digits=${digits}`);
    await context.setVariable('NODEVAR', `node got ${digits}`);
    r = await context.getVariable('NODEVAR');
    lines.push(`var=${r.value}`);
    r = await context.databasePut('agitest', 'node', digits);
    lines.push(`dbput=${r.result}`);
    r = await context.exec('Wait', '0.6');
    lines.push(`exec=${r.result}`);
    r = await context.streamFile('hello-world');
    lines.push(`stream=${r.code} ${r.result}`);
    r = await context.getVariable('NOT_SET_ANYWHERE');
    lines.push(`unset=${r.result}`);
    // Not 'FROB NICATE' here: ding-dong only parses "NNN result=" lines, so a 510 reply never
    // resolves its promise (the 510 is checked with panoramisk below and in the unit tests).
  } catch (e) {
    lines.push(`error=${e}`);
  }
  fs.writeFileSync(outFile, lines.join('\n') + '\n');
  await context.end();
};
AGIServer(handler).start(Number(port), '127.0.0.1');
JS
node "$WORK/fastagi.js" "$FAST_PORT" "$WORK/out/node.txt" >"$WORK/node.log" 2>&1 &
NODE_PID=$!
wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$FAST_PORT" || fail "the ding-dong FastAGI server did not listen: $(cat "$WORK/node.log")"

"$TELEPHONYD" --check-config -C "$WORK/etc" >"$WORK/check.out" 2>&1 || fail "check-config: $(cat "$WORK/check.out")"
start_daemon
LOG="$WORK/etc/log/calls"

# --- Perl -------------------------------------------------------------------------------------
rx "channel originate Local/perl@agi extension perl@caller" >/dev/null || fail "originate perl"
wait_for 15 grep -q "PERL DONE" "$LOG" || fail "the Perl AGI call did not finish: $(cat "$WORK/out/perl.txt" 2>/dev/null)"
grep -q "PERL DONE SUCCESS \[perl got 42\] 42" "$LOG" || fail "after the Perl AGI: $(grep 'PERL DONE' "$LOG")"
P="$WORK/out/perl.txt"
grep -q "^request=call.pl channel=Local/perl@agi-[0-9a-f]*;2 arg1=$WORK/out/perl.txt$" "$P" || fail "perl env: $(head -1 "$P")"
for want in "answer=0" "digits=42" "var=perl got 42" "full=perl got 42-perl" "dbput=1" "dbget=42" "status=6" \
            "exec=0" "stream=0"; do
  grep -qx "$want" "$P" || fail "perl: expected '$want' in: $(tr '\n' '|' <"$P")"
done
grep -q "call.pl,$WORK/out/perl.txt: perl agi finished" "$LOG" || fail "VERBOSE from the Perl script not logged"
wait_for 5 test -s "$WORK/out/perl-heard.wav" || fail "the caller's recording is missing"
secs=$(soxi -D "$WORK/out/perl-heard.wav")
awk -v s="$secs" 'BEGIN { exit !(s > 1.30 && s < 1.50) }' || fail "the caller heard $secs s, the prompt lasts 1.40 s"
pass "Asterisk::AGI (Perl) script: answer, GET DATA with the caller's DTMF 42, variables, AstDB, EXEC, STREAM FILE heard for $secs s"

# --- ding-dong (FastAGI) ----------------------------------------------------------------------
rx "channel originate Local/fast@agi extension fast@caller" >/dev/null || fail "originate fast"
wait_for 15 grep -q "FAST DONE" "$LOG" || fail "the FastAGI call did not finish: $(cat "$WORK/node.log")"
grep -q "FAST DONE SUCCESS \[node got 73\] 73" "$LOG" || fail "after FastAGI: $(grep 'FAST DONE' "$LOG")"
N="$WORK/out/node.txt"
wait_for 5 test -s "$N" || fail "ding-dong wrote no results"
for want in "network=yes script=ivr arg1=hello" "answer=200 0" "digits=73" "var=node got 73" "dbput=1" "exec=0" \
            "stream=200 0 endpos=1[0-9]{4}" "unset=0"; do
  grep -qxE "$want" "$N" || fail "ding-dong: expected '$want' in: $(tr '\n' '|' <"$N")"
done
secs=$(soxi -D "$WORK/out/fast-heard.wav")
awk -v s="$secs" 'BEGIN { exit !(s > 1.30 && s < 1.50) }' || fail "the FastAGI caller heard $secs s, the prompt lasts 1.40 s"
pass "ding-dong FastAGI server: network env, GET DATA with DTMF 73, variables, AstDB, EXEC, STREAM FILE ($secs s)"
stop_node

# --- panoramisk (async AGI over AMI) ---------------------------------------------------------
cat >"$WORK/async.py" <<'PY'
import asyncio, sys
from urllib.parse import unquote
from panoramisk import Manager, actions

async def main(port):
    loop = asyncio.get_running_loop()
    m = Manager(loop=loop, host='127.0.0.1', port=port, username='it', secret='itsecret',
                ping_delay=60, reconnect_timeout=60)
    started, ended = loop.create_future(), loop.create_future()
    results = {}
    got = asyncio.Event()
    def on_start(manager, e):
        if e.get('Channel', '').startswith('Local/async@agi') and not started.done():
            started.set_result(e)
    def on_exec(manager, e):
        results[e.get('CommandId', '')] = e.get('Result')  # panoramisk URL-decodes Result itself
        got.set()
    def on_end(manager, e):
        if not ended.done():
            ended.set_result(e)
    m.register_event('AsyncAGIStart', on_start)
    m.register_event('AsyncAGIExec', on_exec)
    m.register_event('AsyncAGIEnd', on_end)
    await m.connect()
    for _ in range(100):
        if m.authenticated:
            break
        await asyncio.sleep(0.05)
    assert m.authenticated, 'login failed'
    r = await m.send_action({'Action': 'Originate', 'Channel': 'Local/async@agi', 'Exten': 'async',
                             'Context': 'caller', 'Priority': '1', 'Async': 'false'})
    start = await asyncio.wait_for(started, 10)
    chan = start['Channel']
    env = unquote(start['Env'])
    assert env.startswith('agi_request: async\nagi_channel: ' + chan + '\n'), env
    assert 'agi_arg_1: py\n' in env, env
    assert start.get('Privilege') == 'agi,all', start
    cmds = [('c1', 'ANSWER'), ('c2', 'SET VARIABLE PYVAR "from panoramisk"'), ('c3', 'GET VARIABLE PYVAR'),
            ('c4', 'STREAM FILE beep ""'), ('c5', 'NO SUCH COMMAND'), ('c6', 'ASYNCAGI BREAK')]
    for cid, cmd in cmds:
        # An explicit Action (not panoramisk's Command helper, which waits for an old-style
        # SubEvent): the reply is the ack, the result comes as an AsyncAGIExec event.
        ack = await m.send_action(actions.Action({'Action': 'AGI', 'Channel': chan, 'Command': cmd,
                                                  'CommandID': cid}), as_list=False)
        assert ack.get('Message') == 'Added AGI command to queue', ack
        for _ in range(100):
            if cid in results:
                break
            got.clear()
            try:
                await asyncio.wait_for(got.wait(), 0.1)
            except asyncio.TimeoutError:
                pass
        assert cid in results, 'no AsyncAGIExec for ' + cid
    await asyncio.wait_for(ended, 10)
    bad = await m.send_action({'Action': 'AGI', 'Channel': 'Local/nobody@x-1;2', 'Command': 'NOOP'})
    assert bad.get('Response') == 'Error' and bad.get('Message') == 'Channel Local/nobody@x-1;2 does not exist.', bad
    m.close()
    for cid, _ in cmds:
        print(cid, repr(results[cid]))

asyncio.run(main(int(sys.argv[1])))
PY
timeout 30 /usr/bin/python3 "$WORK/async.py" "$AMI_PORT" >"$WORK/async.out" 2>&1 || fail "panoramisk async AGI: $(cat "$WORK/async.out")"
# panoramisk URL-decodes Result and strips the trailing newline (the %0A is checked in the unit tests).
for want in "c1 '200 result=0'\$" "c2 '200 result=1'\$" "c3 '200 result=1 \\(from panoramisk\\)'\$" \
            "c4 '200 result=0 endpos=[0-9]+'\$" "c5 '510 Invalid or unknown command'\$" "c6 '200 result=0'\$"; do
  grep -qE "^$want" "$WORK/async.out" || fail "async AGI result: expected $want in $(cat "$WORK/async.out")"
done
wait_for 10 grep -q "ASYNC DONE SUCCESS \[from panoramisk\]" "$LOG" || fail "after async AGI: $(grep 'ASYNC DONE' "$LOG")"
pass "panoramisk drives AGI(agi:async): AsyncAGIStart Env, AGI actions, AsyncAGIExec results, ASYNCAGI BREAK"

# --- console -----------------------------------------------------------------------------------
rx "agi show commands" | grep -qE "Yes +DATABASE GET +Gets database value" || fail "agi show commands"
rx "agi show commands topic get data" | grep -q "GET DATA FILE TO PLAY \[TIMEOUT\] \[MAXDIGITS\]" || fail "agi show commands topic"
rx "agi set debug on" | grep -q "AGI Debugging Enabled" || fail "agi set debug on"
rx "core show application EAGI" | grep -q "file descriptor 3" || fail "core show application EAGI"
pass "agi show commands [topic], agi set debug on, core show application EAGI"
stop_daemon
