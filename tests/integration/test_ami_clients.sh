#!/usr/bin/env bash
# telephonyd with manager.conf on a free port, driven by the three real AMI clients users bring:
# python3-panoramisk, npm asterisk-manager and npm asterisk-ami-client. Each logs in, pings,
# sees the UserEvent its own UserEvent action produced, reads `core show version` through
# Command, and logs off. Then AMI Reload with a broken manager.conf keeps the running config.
# Every client runs under `timeout`; the daemon is always stopped.
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
CONF
cat >"$WORK/etc/logger.conf" <<'CONF'
[logfiles]
messages => notice,warning,error
CONF
write_manager_conf() {
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
$1
CONF
}
write_manager_conf ""
"$TELEPHONYD" --check-config -C "$WORK/etc" >"$WORK/check.out" 2>&1 || fail "check-config: $(cat "$WORK/check.out")"
start_daemon
wait_for 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" || fail "AMI is not listening on $PORT"
pass "telephonyd listens for AMI on 127.0.0.1:$PORT"

# --- python3-panoramisk ------------------------------------------------------------------------
cat >"$WORK/panoramisk_check.py" <<'PY'
import asyncio, sys
from panoramisk import Manager

async def main(port):
    loop = asyncio.get_running_loop()
    seen = loop.create_future()
    m = Manager(loop=loop, host='127.0.0.1', port=port, username='it', secret='itsecret',
                ping_delay=60, reconnect_timeout=60)
    def on_user_event(manager, event):
        if event.get('UserEvent') == 'FromPanoramisk' and not seen.done():
            seen.set_result(event)
    m.register_event('UserEvent', on_user_event)
    await m.connect()
    for _ in range(100):
        if m.authenticated:
            break
        await asyncio.sleep(0.05)
    assert m.authenticated, 'login failed'
    pong = await m.send_action({'Action': 'Ping'})
    assert pong.get('Ping') == 'Pong', pong
    ack = await m.send_action({'Action': 'UserEvent', 'UserEvent': 'FromPanoramisk', 'Color': 'green'})
    assert ack.success, ack
    ev = await asyncio.wait_for(seen, 5)
    assert ev.get('Color') == 'green', ev
    assert ev.get('Privilege') == 'user,all', ev
    out = await m.send_action({'Action': 'Command', 'Command': 'core show version'})
    lines = out.get('Output')
    lines = lines if isinstance(lines, list) else [lines]
    assert out.success and lines[0].startswith('libtelephony '), out
    bye = await m.send_action({'Action': 'Logoff'})
    assert bye.get('Response') == 'Goodbye', bye
    m.close()
    print('panoramisk ok:', lines[0])

asyncio.run(main(int(sys.argv[1])))
PY
timeout 20 /usr/bin/python3 "$WORK/panoramisk_check.py" "$PORT" >"$WORK/panoramisk.out" 2>&1 ||
  fail "panoramisk: $(cat "$WORK/panoramisk.out")"
grep -q "panoramisk ok: libtelephony" "$WORK/panoramisk.out" || fail "panoramisk output: $(cat "$WORK/panoramisk.out")"
pass "python3-panoramisk: login, Ping, UserEvent event, Command output, Logoff"

# --- npm asterisk-manager ----------------------------------------------------------------------
cat >"$WORK/asterisk_manager_check.js" <<'JS'
const AsteriskManager = require('asterisk-manager');
const port = Number(process.argv[2]);
const ami = new AsteriskManager(port, '127.0.0.1', 'it', 'itsecret', true);
const fail = (why) => { console.error('FAIL', why); process.exit(1); };
const step = (action) => new Promise((resolve, reject) =>
  ami.action(action, (err, res) => err ? reject(new Error(JSON.stringify(err))) : resolve(res)));
ami.on('error', (e) => fail(e));
const gotEvent = new Promise((resolve) => ami.on('userevent-fromnode', resolve));
(async () => {
  const pong = await step({ action: 'ping' });
  if (pong.ping !== 'Pong') fail('ping: ' + JSON.stringify(pong));
  await step({ action: 'userevent', userevent: 'FromNode', shade: 'teal' });
  const ev = await Promise.race([gotEvent, new Promise((_, rej) => setTimeout(() => rej(new Error('no UserEvent')), 5000))]);
  if (ev.shade !== 'teal') fail('event: ' + JSON.stringify(ev));
  const out = await step({ action: 'command', command: 'core show version' });
  const lines = [].concat(out.output);
  if (out.response !== 'Success' || !String(lines[0]).startsWith('libtelephony ')) fail('command: ' + JSON.stringify(out));
  const bye = await step({ action: 'logoff' });
  if (bye.response !== 'Goodbye') fail('logoff: ' + JSON.stringify(bye));
  console.log('asterisk-manager ok:', lines[0]);
  ami.disconnect();
  process.exit(0);
})().catch(fail);
JS
timeout 20 node "$WORK/asterisk_manager_check.js" "$PORT" >"$WORK/am.out" 2>&1 || fail "asterisk-manager: $(cat "$WORK/am.out")"
grep -q "asterisk-manager ok: libtelephony" "$WORK/am.out" || fail "asterisk-manager output: $(cat "$WORK/am.out")"
pass "npm asterisk-manager: login, ping, UserEvent event, command output, logoff"

# --- npm asterisk-ami-client -------------------------------------------------------------------
cat >"$WORK/ami_client_check.js" <<'JS'
const AmiClient = require('asterisk-ami-client');
const port = Number(process.argv[2]);
const client = new AmiClient({ reconnect: false, keepAlive: false });
const fail = (why) => { console.error('FAIL', why); process.exit(1); };
(async () => {
  await client.connect('it', 'itsecret', { host: '127.0.0.1', port });
  const gotEvent = new Promise((resolve) => client.on('UserEvent', (e) => { if (e.UserEvent === 'FromAmiClient') resolve(e); }));
  const pong = await client.action({ Action: 'Ping' }, true);
  if (pong.Ping !== 'Pong') fail('ping: ' + JSON.stringify(pong));
  const ack = await client.action({ Action: 'UserEvent', UserEvent: 'FromAmiClient', Size: 'xl' }, true);
  if (ack.Response !== 'Success') fail('userevent: ' + JSON.stringify(ack));
  const ev = await Promise.race([gotEvent, new Promise((_, rej) => setTimeout(() => rej(new Error('no UserEvent')), 5000))]);
  if (ev.Size !== 'xl') fail('event: ' + JSON.stringify(ev));
  const out = await client.action({ Action: 'Command', Command: 'core show version' }, true);
  if (out.Response !== 'Success' || !String(out.Output).startsWith('libtelephony ')) fail('command: ' + JSON.stringify(out));
  console.log('asterisk-ami-client ok:', out.Output);
  client.disconnect();
  process.exit(0);
})().catch(fail);
JS
timeout 20 node "$WORK/ami_client_check.js" "$PORT" >"$WORK/aac.out" 2>&1 || fail "asterisk-ami-client: $(cat "$WORK/aac.out")"
grep -q "asterisk-ami-client ok: libtelephony" "$WORK/aac.out" || fail "asterisk-ami-client output: $(cat "$WORK/aac.out")"
pass "npm asterisk-ami-client: login, Ping, UserEvent event, Command output, disconnect"

# --- Reload over AMI: a broken manager.conf is refused with file:line and changes nothing -------
write_manager_conf "colour = red"
cat >"$WORK/reload_check.py" <<'PY'
import socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=5)
def send(text):
    s.sendall(text.replace('\n', '\r\n').encode() + b'\r\n')
def read_until(marker):
    buf = b''
    while marker.encode() not in buf:
        chunk = s.recv(4096)
        if not chunk:
            break
        buf += chunk
    return buf.decode()
read_until('\r\n')
send('Action: Login\nUsername: it\nSecret: itsecret\nEvents: off\n')
read_until('Authentication accepted')
send('Action: Reload\nActionID: r1\nModule: manager\n')
print(read_until('ActionID: r1\r\nMessage:').split('ActionID: r1\r\n', 1)[1].split('\r\n\r\n')[0])
PY
out=$(timeout 10 /usr/bin/python3 "$WORK/reload_check.py" "$PORT" 2>&1) || fail "reload check: $out"
grep -q "manager.conf:11: unknown option 'colour' for manager user \[it\]" <<<"$out" || fail "broken reload reply: $out"
timeout 20 /usr/bin/python3 "$WORK/panoramisk_check.py" "$PORT" >"$WORK/panoramisk2.out" 2>&1 ||
  fail "login after a broken reload: $(cat "$WORK/panoramisk2.out")"
pass "AMI Reload with a broken manager.conf answers Error with file:line and keeps the running config"

stop_daemon
pgrep -f "telephonyd -C $WORK/etc" >/dev/null && fail "a telephonyd process is left"
echo "all AMI client checks passed"
