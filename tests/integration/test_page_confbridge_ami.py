#!/usr/bin/env python3
"""Page() is a ConfBridge conference, seen through telephonyd and the real python3-panoramisk
client as an Asterisk AMI user sees it:

- ConfbridgeStart names the conference by a number; ConfbridgeJoin for the caller (Admin) and for
  each paged phone (Muted: Yes);
- ConfbridgeListRooms and ConfbridgeList list the page in progress with each user's flags, and so
  does `confbridge list <conf>` through Command;
- ConfbridgeUnmute / ConfbridgeMute / ConfbridgeKick work on a paged phone (events, replies);
- the caller hanging up ends it: ConfbridgeLeave for everybody, ConfbridgeEnd.
The paged phones are Local channels whose other half answers and waits. The daemon is always
stopped.
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
[page]
exten => go,1,Page(Local/201@phones&Local/202@phones,q)

[phones]
exten => _2XX,1,Answer()
 same => n,Wait(60)
"""


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print('ok -', what)


class Events:
    def __init__(self):
        self.all = []
        self.changed = asyncio.Event()

    def on_event(self, manager, event):
        self.all.append(dict(event))
        self.changed.set()

    def named(self, name):
        return [e for e in self.all if e.get('Event') == name]

    async def wait(self, pred, what, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            hits = [e for e in self.all if pred(e)]
            if hits:
                return hits
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError('never saw ' + what)
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except asyncio.TimeoutError:
                pass

    async def wait_count(self, name, n, what, extra=lambda e: True, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            hits = [e for e in self.all if e.get('Event') == name and extra(e)]
            if len(hits) >= n:
                return hits
            if time.monotonic() > deadline:
                raise AssertionError('never saw %d %s (%s): %s' % (n, name, what, hits))
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), 0.2)
            except asyncio.TimeoutError:
                pass


def as_list(r):
    return r if isinstance(r, list) else [r]


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

    r = await m.send_action({'Action': 'Originate', 'Channel': 'Local/go@page', 'Application': 'Wait',
                             'Data': '60', 'Async': 'true'})
    r = r[0] if isinstance(r, list) else r  # panoramisk waits for OriginateResponse after an async ack
    check(r.get('Response') == 'Success', 'Originate of the paging call queued')

    start = (await events.wait(lambda e: e.get('Event') == 'ConfbridgeStart', 'ConfbridgeStart'))[0]
    conf = start.get('Conference', '')
    check(conf.isdigit(), 'ConfbridgeStart names the page conference by a number: %r' % conf)
    check(start.get('BridgeUniqueid') and start.get('BridgeName') == conf, 'with the bridge snapshot: %s' % start)
    joins = await events.wait_count('ConfbridgeJoin', 3, 'caller and two phones', lambda e: e.get('Conference') == conf)
    pager = [j for j in joins if j.get('Channel', '').startswith('Local/go@page-')]
    phones = [j for j in joins if j.get('Channel', '').startswith('Local/20')]
    check(len(pager) == 1 and pager[0].get('Admin') == 'Yes' and pager[0].get('Muted') == 'No',
          'the caller joins as admin, unmuted: %s' % pager)
    check(len(phones) == 2 and all(p.get('Muted') == 'Yes' and p.get('Admin') == 'No' for p in phones),
          'each paged phone joins muted: %s' % phones)
    phone1 = next(p['Channel'] for p in phones if p['Channel'].startswith('Local/201@'))

    rooms = as_list(await m.send_action({'Action': 'ConfbridgeListRooms'}))
    items = [e for e in rooms if e.get('Event') == 'ConfbridgeListRooms']
    check(len(items) == 1 and items[0].get('Conference') == conf and items[0].get('Parties') == '3'
          and items[0].get('Marked') == '1', 'ConfbridgeListRooms shows the page: %s' % items)

    users = as_list(await m.send_action({'Action': 'ConfbridgeList', 'Conference': conf}))
    listed = {e.get('Channel'): e for e in users if e.get('Event') == 'ConfbridgeList'}
    check(len(listed) == 3, 'ConfbridgeList lists three users: %s' % list(listed))
    p1 = listed[phone1]
    check(p1.get('Muted') == 'Yes' and p1.get('EndMarked') == 'Yes' and p1.get('MarkedUser') == 'No',
          'a paged phone is muted and end_marked: %s' % p1)
    caller = listed[pager[0]['Channel']]
    check(caller.get('MarkedUser') == 'Yes' and caller.get('Admin') == 'Yes', 'the caller is marked: %s' % caller)

    out = await m.send_action({'Action': 'Command', 'Command': 'confbridge list ' + conf})
    lines = out.get('Output')
    lines = lines if isinstance(lines, list) else str(lines).split('\n')
    flags = {l.split()[0]: l.split()[1] for l in lines if l.startswith('Local/')}
    check(flags.get(phone1) == 'Em' and flags.get(pager[0]['Channel']) == 'AM',
          'confbridge list %s shows the flags: %s' % (conf, flags))

    r = await m.send_action({'Action': 'ConfbridgeUnmute', 'Conference': conf, 'Channel': phone1})
    check(r.get('Response') == 'Success' and r.get('Message') == 'User unmuted', 'ConfbridgeUnmute: %s' % dict(r))
    await events.wait(lambda e: e.get('Event') == 'ConfbridgeUnmute' and e.get('Channel') == phone1, 'ConfbridgeUnmute')
    r = await m.send_action({'Action': 'ConfbridgeMute', 'Conference': conf, 'Channel': phone1})
    check(r.get('Response') == 'Success' and r.get('Message') == 'User muted', 'ConfbridgeMute: %s' % dict(r))
    await events.wait(lambda e: e.get('Event') == 'ConfbridgeMute' and e.get('Channel') == phone1, 'ConfbridgeMute')
    r = await m.send_action({'Action': 'ConfbridgeKick', 'Conference': conf, 'Channel': phone1})
    check(r.get('Response') == 'Success' and r.get('Message') == 'User kicked', 'ConfbridgeKick: %s' % dict(r))
    await events.wait(lambda e: e.get('Event') == 'ConfbridgeLeave' and e.get('Channel') == phone1, 'phone1 leaves')
    await events.wait(lambda e: e.get('Event') == 'Hangup' and e.get('Channel') == phone1, 'the kicked phone is hung up')
    rooms = as_list(await m.send_action({'Action': 'ConfbridgeListRooms'}))
    items = [e for e in rooms if e.get('Event') == 'ConfbridgeListRooms']
    check(items and items[0].get('Parties') == '2', 'the page goes on with the caller and phone2: %s' % items)

    r = await m.send_action({'Action': 'Hangup', 'Channel': pager[0]['Channel']})
    check(r.get('Response') == 'Success', 'the caller hangs up')
    await events.wait(lambda e: e.get('Event') == 'ConfbridgeEnd' and e.get('Conference') == conf, 'ConfbridgeEnd')
    check(len([e for e in events.named('ConfbridgeLeave') if e.get('Conference') == conf]) == 3,
          'ConfbridgeLeave for every user')
    r = await m.send_action({'Action': 'ConfbridgeListRooms'})
    check(as_list(r)[0].get('Message') == 'No active conferences.', 'no conference is left')
    m.close()


def main():
    # telephonyd on a temporary etc/ with AMI user it/itsecret (amilib.Daemon stops it and
    # prints its log if the scenario fails).
    with Daemon({'extensions.conf': EXTENSIONS}, prefix='telephonyd-pageami.') as d:
        asyncio.run(asyncio.wait_for(scenario(d.port), 60))
    print('all Page-as-ConfBridge AMI checks passed')


if __name__ == '__main__':
    main()
