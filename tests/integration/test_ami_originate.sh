#!/usr/bin/env bash
# AMI Originate through telephonyd with the three real clients users bring: python3-panoramisk,
# npm asterisk-manager and npm asterisk-ami-client. Each sends an Async Originate of
# Local/100@test into an extension that answers, waits and hangs up, resolves with the
# OriginateResponse event (Response: Success, Reason 4, its own ActionID) and sees the call's
# Newchannel, Newexten and Hangup events. Every client runs under `timeout`; the daemon is stopped.
source "$(dirname "$0")/lib.sh"
NODE_PATH="${NODE_PATH:-$(cd "$(dirname "$0")/../.." && pwd)/build/node_modules}"
export NODE_PATH
require_python3_modules panoramisk
require_node_modules asterisk-manager asterisk-ami-client
mkdir -p "$WORK/etc"
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$WORK/etc/telephony.conf" <<'CONF'
[directories]
spooldir => spool
rundir => run
logdir => log
dbdir => db
CONF
cat >"$WORK/etc/logger.conf" <<'CONF'
[logfiles]
messages => notice,warning,error
CONF
cat >"$WORK/etc/extensions.conf" <<'CONF'
[test]
exten => 100,1,Answer()
 same => n,Wait(0.3)
 same => n,Hangup()
exten => park,1,Wait(1)
CONF
cat >"$WORK/etc/manager.conf" <<CONF
[general]
enabled = yes
bindaddr = 127.0.0.1
port = $PORT

[it]
secret = itsecret
permit = 127.0.0.1/32
read = all
write = all
CONF
start_daemon
wait_for 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" || fail "AMI is not listening on $PORT"

# --- python3-panoramisk ------------------------------------------------------------------------
cat >"$WORK/panoramisk_originate.py" <<'PY'
import asyncio, sys
from panoramisk import Manager

async def main(port):
    loop = asyncio.get_running_loop()
    seen = {'Newchannel': set(), 'Newexten': set(), 'Hangup': set()}
    m = Manager(loop=loop, host='127.0.0.1', port=port, username='it', secret='itsecret',
                ping_delay=60, reconnect_timeout=60)
    def on_event(manager, event):
        name = event.get('Event')
        if name in seen and event.get('Channel', '').startswith('Local/100@test-'):
            seen[name].add(event.get('Channel') + '|' + event.get('Application', ''))
    m.register_event('*', on_event)
    await m.connect()
    for _ in range(100):
        if m.authenticated:
            break
        await asyncio.sleep(0.05)
    assert m.authenticated, 'login failed'
    res = await asyncio.wait_for(m.send_action({
        'Action': 'Originate', 'Channel': 'Local/100@test', 'Context': 'test', 'Exten': 'park',
        'Priority': '1', 'Async': 'true', 'CallerID': 'Pano <201>', 'Variable': 'FROM=panoramisk'}), 10)
    res = res if isinstance(res, list) else [res]
    assert res[0].get('Message') == 'Originate successfully queued', res
    ev = [r for r in res if r.get('Event') == 'OriginateResponse']
    assert ev, res
    ev = ev[0]
    assert ev.get('Response') == 'Success' and ev.get('Reason') == '4', ev
    assert ev.get('ActionID') == res[0].get('ActionID'), ev
    for _ in range(100):
        if all(seen.values()) and any(s.endswith('|Wait') for s in seen['Newexten']):
            break
        await asyncio.sleep(0.05)
    assert seen['Newchannel'] and seen['Hangup'], seen
    assert any(s.endswith('|Answer') for s in seen['Newexten']), seen
    m.close()
    print('panoramisk originate ok:', ev.get('Channel'))

asyncio.run(main(int(sys.argv[1])))
PY
timeout 20 /usr/bin/python3 "$WORK/panoramisk_originate.py" "$PORT" >"$WORK/pano.out" 2>&1 ||
  fail "panoramisk: $(cat "$WORK/pano.out")"
grep -q "panoramisk originate ok: Local/100@test-" "$WORK/pano.out" || fail "panoramisk output: $(cat "$WORK/pano.out")"
pass "python3-panoramisk: Async Originate -> OriginateResponse Success/Reason 4, Newchannel/Newexten/Hangup"

# --- npm asterisk-manager ----------------------------------------------------------------------
cat >"$WORK/am_originate.js" <<'JS'
const AsteriskManager = require('asterisk-manager');
const port = Number(process.argv[2]);
const ami = new AsteriskManager(port, '127.0.0.1', 'it', 'itsecret', true);
const fail = (why) => { console.error('FAIL', why); process.exit(1); };
const seen = { newchannel: 0, newexten: 0, hangup: 0 };
ami.on('error', (e) => fail(e));
ami.on('managerevent', (e) => {
  if (String(e.channel || '').startsWith('Local/100@test-') && e.event.toLowerCase() in seen) seen[e.event.toLowerCase()]++;
});
const response = new Promise((resolve) => ami.on('originateresponse', resolve));
setTimeout(() => fail('timeout: ' + JSON.stringify(seen)), 15000);
ami.action({ action: 'originate', channel: 'Local/100@test', context: 'test', exten: 'park', priority: 1,
             async: 'true', actionid: 'node-am-1' }, (err, res) => {
  if (err) fail(JSON.stringify(err));
  if (res.message !== 'Originate successfully queued') fail('response: ' + JSON.stringify(res));
});
(async () => {
  const ev = await response;
  if (ev.response !== 'Success' || ev.reason !== '4' || ev.actionid !== 'node-am-1') fail('event: ' + JSON.stringify(ev));
  while (!(seen.newchannel && seen.newexten && seen.hangup)) await new Promise((r) => setTimeout(r, 50));
  console.log('asterisk-manager originate ok:', ev.channel);
  ami.disconnect();
  process.exit(0);
})().catch(fail);
JS
timeout 20 node "$WORK/am_originate.js" "$PORT" >"$WORK/am.out" 2>&1 || fail "asterisk-manager: $(cat "$WORK/am.out")"
grep -q "asterisk-manager originate ok: Local/100@test-" "$WORK/am.out" || fail "asterisk-manager output: $(cat "$WORK/am.out")"
pass "npm asterisk-manager: Async Originate -> OriginateResponse Success/Reason 4, Newchannel/Newexten/Hangup"

# --- npm asterisk-ami-client -------------------------------------------------------------------
cat >"$WORK/aac_originate.js" <<'JS'
const AmiClient = require('asterisk-ami-client');
const port = Number(process.argv[2]);
const client = new AmiClient({ reconnect: false, keepAlive: false });
const fail = (why) => { console.error('FAIL', why); process.exit(1); };
const seen = { Newchannel: 0, Newexten: 0, Hangup: 0 };
setTimeout(() => fail('timeout: ' + JSON.stringify(seen)), 15000);
(async () => {
  await client.connect('it', 'itsecret', { host: '127.0.0.1', port });
  client.on('event', (e) => {
    if (String(e.Channel || '').startsWith('Local/100@test-') && e.Event in seen) seen[e.Event]++;
  });
  const response = new Promise((resolve) => client.on('OriginateResponse', resolve));
  const ack = await client.action({ Action: 'Originate', Channel: 'Local/100@test', Application: 'Wait',
                                    Data: '1', Async: 'true', ActionID: 'aac-1' }, true);
  if (ack.Response !== 'Success') fail('ack: ' + JSON.stringify(ack));
  const ev = await response;
  if (ev.Response !== 'Success' || ev.Reason !== '4' || ev.ActionID !== 'aac-1') fail('event: ' + JSON.stringify(ev));
  while (!(seen.Newchannel && seen.Newexten && seen.Hangup)) await new Promise((r) => setTimeout(r, 50));
  console.log('asterisk-ami-client originate ok:', ev.Channel);
  client.disconnect();
  process.exit(0);
})().catch(fail);
JS
timeout 20 node "$WORK/aac_originate.js" "$PORT" >"$WORK/aac.out" 2>&1 || fail "asterisk-ami-client: $(cat "$WORK/aac.out")"
grep -q "asterisk-ami-client originate ok: Local/100@test-" "$WORK/aac.out" || fail "asterisk-ami-client output: $(cat "$WORK/aac.out")"
pass "npm asterisk-ami-client: Async Originate -> OriginateResponse Success/Reason 4, Newchannel/Newexten/Hangup"
stop_daemon >/dev/null
