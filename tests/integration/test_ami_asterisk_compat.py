#!/usr/bin/env python3
"""AMI behaviours that clients written against Asterisk rely on, through telephonyd and the real
python3-panoramisk client:

- Setvar / Getvar without Channel write and read global variables, the same ones GLOBAL() and
  [globals] use; a global set from the dialplan is announced as VarSet with Channel: none.
- VarSet's Value is C-escaped as Asterisk escapes it (Set(X="a") arrives as Value: \\"a\\"), and
  so are CallerIDName/ConnectedLineName in channel snapshots; Newexten's AppData and UserEvent
  headers go out as they are, as Asterisk sends them.
The daemon is always stopped.
"""
import asyncio
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from amilib import Daemon  # noqa: E402


try:
    from panoramisk import Manager
except ImportError:
    sys.exit("FAIL: this test needs the python3 module 'panoramisk' (Debian package python3-panoramisk); "
             "run 'make deps'")

EXTENSIONS = r"""
[globals]
COLOR=red

[compat]
exten => 1,1,Answer()
 same => n,Set(SEEN=${GLOBAL(FROMAMI)}|${FROMAMI}|${COLOR})
 same => n,Set(GLOBAL(FROMDIALPLAN)=dp-${COLOR})
 same => n,Set(QUOTED="a")
 same => n,Set(CALLERID(name)=O'Brien)
 same => n,UserEvent(Compat,Note: it's 100%)
 same => n,Wait(20)
"""


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print('ok -', what)


class Events:
    """Every event panoramisk delivers, with a wait for the first one matching a predicate."""

    def __init__(self):
        self.all = []
        self.changed = asyncio.Event()

    def on_event(self, manager, event):
        self.all.append(dict(event))
        self.changed.set()

    async def wait(self, pred, what, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            for e in self.all:
                if pred(e):
                    return e
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError('never saw ' + what)
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except asyncio.TimeoutError:
                pass


async def scenario(port):
    loop = asyncio.get_running_loop()
    m = Manager(loop=loop, host='127.0.0.1', port=port, username='it', secret='itsecret',
                ping_delay=60, reconnect_timeout=60)
    events = Events()
    m.register_event('*', events.on_event)
    await m.connect()
    for _ in range(100):
        if m.authenticated:
            break
        await asyncio.sleep(0.05)
    check(m.authenticated, 'panoramisk logged in')

    # --- globals without a channel ------------------------------------------------------------
    r = await m.send_action({'Action': 'Getvar', 'Variable': 'COLOR'})
    check(r.get('Response') == 'Success' and r.get('Value') == 'red',
          'Getvar without Channel reads the [globals] value: %s' % dict(r))
    r = await m.send_action({'Action': 'Setvar', 'Variable': 'FROMAMI', 'Value': 'from-ami'})
    check(r.get('Response') == 'Success' and r.get('Message') == 'Variable Set',
          'Setvar without Channel sets a global: %s' % dict(r))
    e = await events.wait(lambda e: e.get('Event') == 'VarSet' and e.get('Variable') == 'FROMAMI', 'VarSet FROMAMI')
    check(e.get('Channel') == 'none' and e.get('Uniqueid') == 'none' and e.get('Value') == 'from-ami',
          'the global VarSet names no channel, as Asterisk: %s' % e)
    r = await m.send_action({'Action': 'Getvar', 'Variable': 'GLOBAL(FROMAMI)'})
    check(r.get('Value') == 'from-ami', 'GLOBAL(FROMAMI) reads what Setvar wrote')

    # --- a call: GLOBAL() in the dialplan, escaping -------------------------------------------
    r = await m.send_action({'Action': 'Originate', 'Channel': 'Local/1@compat', 'Application': 'Wait',
                             'Data': '20', 'Async': 'true'})
    r = r[0] if isinstance(r, list) else r  # panoramisk waits for OriginateResponse after an async ack
    check(r.get('Response') == 'Success', 'Originate Local/1@compat queued')
    seen = await events.wait(lambda e: e.get('Event') == 'VarSet' and e.get('Variable') == 'SEEN', 'VarSet SEEN')
    chan = seen.get('Channel')
    check(seen.get('Value') == 'from-ami|from-ami|red',
          'the dialplan sees the AMI global as ${GLOBAL(FROMAMI)} and ${FROMAMI}: %s' % seen.get('Value'))
    e = await events.wait(lambda e: e.get('Event') == 'VarSet' and e.get('Variable') == 'FROMDIALPLAN',
                          'VarSet FROMDIALPLAN')
    check(e.get('Channel') == 'none' and e.get('Value') == 'dp-red', 'Set(GLOBAL(x)=...) is a global VarSet')
    r = await m.send_action({'Action': 'Getvar', 'Variable': 'FROMDIALPLAN'})
    check(r.get('Value') == 'dp-red', 'Getvar without Channel reads the global the dialplan set')

    e = await events.wait(lambda e: e.get('Event') == 'VarSet' and e.get('Variable') == 'QUOTED', 'VarSet QUOTED')
    check(e.get('Value') == '\\"a\\"', 'Set(QUOTED="a") arrives as Value: \\"a\\" (got %r)' % e.get('Value'))
    e = await events.wait(lambda e: e.get('Event') == 'Newexten' and e.get('Channel') == chan
                          and e.get('Application') == 'Set' and e.get('AppData', '').startswith('QUOTED'),
                          'Newexten of Set(QUOTED=...)')
    check(e.get('AppData') == 'QUOTED="a"', 'Newexten AppData is sent as it is (got %r)' % e.get('AppData'))
    r = await m.send_action({'Action': 'Getvar', 'Channel': chan, 'Variable': 'QUOTED'})
    check(r.get('Value') == '"a"', 'Getvar answers the value itself (got %r)' % r.get('Value'))

    e = await events.wait(lambda e: e.get('Event') == 'UserEvent' and e.get('UserEvent') == 'Compat', 'UserEvent')
    check(e.get('Note') == "it's 100%", "UserEvent headers are sent as they are (got %r)" % e.get('Note'))
    check(e.get('CallerIDName') == "O\\'Brien",
          "CallerIDName is escaped as in Asterisk's channel snapshot (got %r)" % e.get('CallerIDName'))

    r = await m.send_action({'Action': 'Hangup', 'Channel': chan})
    check(r.get('Response') == 'Success', 'Hangup')
    m.close()


def main():
    # telephonyd on a temporary etc/ with AMI user it/itsecret (amilib.Daemon stops it and
    # prints its log if the scenario fails).
    with Daemon({'extensions.conf': EXTENSIONS}, prefix='telephonyd-compat.') as d:
        asyncio.run(asyncio.wait_for(scenario(d.port), 60))
    print('all AMI compatibility checks passed')


if __name__ == '__main__':
    main()
