#!/usr/bin/env python3
"""Local channel optimisation, LocalOptimizeAway and ExtensionStatus through a real telephonyd and
python3-panoramisk.

A (Local/start;2) dials Local/mid@test/n, whose ;2 dials C (Local/end;1, whose ;2 sends 1000 Hz):
the /n pair stays in the media path until LocalOptimizeAway, which answers as Asterisk does and
then moves C into A's bridge in mid;1's place (LocalOptimizationBegin, BridgeEnter with
SwapUniqueid, LocalOptimizationEnd Success: Yes), hangs both mid halves up, and the call goes on:
what A's originator records still holds the 1000 Hz after the move. The same call without /n
optimises by itself. The hint on Local/mid@test pushes ExtensionStatus as the pair comes and goes,
and the CDR of A continues with C as its Party B after the swap. The daemon is always stopped.
"""
import asyncio
import math
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import wave

from panoramisk import Manager

TELEPHONYD = os.environ.get('TELEPHONYD') or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', '..', 'build', 'bin', 'telephonyd')


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def originated(r):
    """An async Originate's answer: panoramisk returns the ack with the OriginateResponse event."""
    return r[0] if isinstance(r, list) else r


def ok(msg):
    print('ok -', msg, flush=True)


def power_1k(path, start, length):
    with wave.open(path) as w:
        data = w.readframes(w.getnframes())
    x = struct.unpack('<%dh' % (len(data) // 2), data)[int(start * 8000):int((start + length) * 8000)]
    k = 2 * math.cos(2 * math.pi * 1000 / 8000.0)
    s1 = s2 = 0.0
    for v in x:
        s1, s2 = v + k * s1 - s2, s1
    n = max(len(x), 1)
    return (s1 * s1 + s2 * s2 - k * s1 * s2) * 2 / (n * n), len(x)


async def connect(port):
    loop = asyncio.get_running_loop()
    m = Manager(loop=loop, host='127.0.0.1', port=port, username='it', secret='itsecret',
                ping_delay=60, reconnect_timeout=60)
    await m.connect()
    for _ in range(100):
        if m.authenticated:
            break
        await asyncio.sleep(0.05)
    assert m.authenticated, 'login failed'
    return m


async def scenario(port, work):
    m = await connect(port)
    act = m.send_action
    events = []
    m.register_event('*', lambda manager, ev: events.append(dict(ev)))

    def seen(name, **fields):
        return [e for e in events if e.get('Event') == name and all(e.get(k) == v for k, v in fields.items())]

    async def until(pred, timeout=8):
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = pred()
            if got:
                return got
            await asyncio.sleep(0.05)
        return None

    r = await act({'Action': 'LocalOptimizeAway'})
    assert r.response == 'Error' and r.message == "'Channel' not specified.", r
    r = await act({'Action': 'LocalOptimizeAway', 'Channel': 'Local/nosuch@test-00000099;1'})
    assert r.response == 'Error' and r.message == 'Channel does not exist.', r
    ok('LocalOptimizeAway errors answer as Asterisk')

    # --- /n: stays until LocalOptimizeAway ----------------------------------------------------------
    heard = os.path.join(work, 'heard.wav')
    r = await act({'Action': 'Originate', 'Channel': 'Local/start@test', 'Application': 'ProbeRecord',
                   'Data': heard + ',6', 'Variable': 'TARGET=Local/mid@test/n', 'Async': 'true'})
    r = originated(r)
    assert r.success, r

    def bridged(prefix):
        return [e for e in seen('BridgeEnter') if e.get('Channel', '').startswith(prefix)]

    assert await until(lambda: bridged('Local/mid@test') and bridged('Local/end@test')), events[-8:]
    mid1 = [e['Channel'] for e in bridged('Local/mid@test') if e['Channel'].endswith(';1')][0]
    mid2 = mid1[:-1] + '2'
    a_bridge = [e for e in bridged('Local/mid@test') if e['Channel'] == mid1][0]['BridgeUniqueid']
    await asyncio.sleep(1.0)
    assert not seen('LocalOptimizationBegin'), 'a /n pair optimised itself'
    status = await until(lambda: seen('ExtensionStatus', Exten='mid', Context='test'))
    assert status and status[0]['Hint'] == 'Local/mid@test' and status[0]['Status'] in ('1', '8', '9'), status
    ok('a /n pair stays in the media path; the hint on it pushed ExtensionStatus %s (%s)'
       % (status[0]['Status'], status[0]['StatusText']))

    r = await act({'Action': 'LocalOptimizeAway', 'Channel': mid1})
    assert r.success and r.message == 'Queued channel to be optimized away', r
    end = await until(lambda: seen('LocalOptimizationEnd', LocalOneChannel=mid1))
    assert end and end[0]['Success'] == 'Yes', end
    begin = seen('LocalOptimizationBegin', LocalOneChannel=mid1)
    assert begin and begin[0]['LocalTwoChannel'] == mid2 and begin[0]['DestUniqueId'] == a_bridge, begin
    assert begin[0]['Id'] == end[0]['Id'] and begin[0]['SourceChannel'].startswith('Local/end@test'), begin
    c = begin[0]['SourceChannel']
    swap = [e for e in seen('BridgeEnter', Channel=c) if e.get('BridgeUniqueid') == a_bridge]
    assert swap and swap[0].get('SwapUniqueid') == begin[0]['LocalOneUniqueid'], swap
    assert await until(lambda: seen('Hangup', Channel=mid1) and seen('Hangup', Channel=mid2)), 'mid halves still up'
    idle = await until(lambda: [e for e in seen('ExtensionStatus', Exten='mid') if e['Status'] == '0'])
    assert idle and idle[-1]['StatusText'] == 'Idle', seen('ExtensionStatus')
    ok('LocalOptimizeAway: %s moved into A\'s bridge in %s\'s place (SwapUniqueid), both halves hung up, '
       'the hint went back to Idle' % (c, mid1))

    # The call goes on without the pair: A's originator kept hearing C's 1000 Hz to the end.
    assert await until(lambda: seen('Hangup', Channel=c), 12), 'C never hung up'
    # The recording is complete once its ProbeRecord returned, before the originator's own Hangup
    # (a fixed 0.3 s after C's raced a busy box).
    assert await until(lambda: [e for e in seen('Hangup') if e.get('Channel', '').startswith('Local/start@test-')
                                and e['Channel'].endswith(';1')], 12), 'the recording originator never hung up'
    p_early, n = power_1k(heard, 0.5, 1.0)
    p_late, n_late = power_1k(heard, 4.0, 1.0)
    assert n_late > 4000 and p_early > 1e5 and p_late > 1e5, (p_early, p_late, n_late)
    ok('audio flows after the optimisation: 1000 Hz before (%.0f) and after (%.0f) the move' % (p_early, p_late))

    cdrs = await until(lambda: [e for e in seen('Cdr') if e.get('DestinationChannel') == c
                                and e['Channel'].startswith('Local/start@test')])
    assert cdrs and cdrs[0]['Disposition'] == 'ANSWERED', seen('Cdr')
    before = [e for e in seen('Cdr') if e.get('DestinationChannel') == mid1]
    assert before and before[0]['Channel'] == cdrs[0]['Channel'], 'no record of A with the Local half: %s' % seen('Cdr')
    # mid;2's own record with C (posted when C left its bridge) is Asterisk's second record.
    assert [e for e in seen('Cdr') if e.get('DestinationChannel') == c and e['Channel'] == mid2], seen('Cdr')
    ok('CDR: A -> %s until the swap, then A -> %s (ANSWERED)' % (mid1, c))

    # --- without /n: by itself ------------------------------------------------------------------------
    events.clear()
    r = await act({'Action': 'Originate', 'Channel': 'Local/start@test', 'Application': 'ProbeRecord',
                   'Data': os.path.join(work, 'heard2.wav') + ',3', 'Variable': 'TARGET=Local/mid@test',
                   'Async': 'true'})
    r = originated(r)
    assert r.success, r
    end = await until(lambda: seen('LocalOptimizationEnd'))
    assert end and end[0]['Success'] == 'Yes', end
    ok('a pair without /n optimises itself once both halves are bridged')
    m.close()


def main():
    work = tempfile.mkdtemp(prefix='telephonyd-localopt-')
    etc = os.path.join(work, 'etc')
    os.makedirs(etc)
    port = free_port()
    files = {
        'telephony.conf': '[directories]\nspooldir => spool\nrundir => run\nlogdir => log\n',
        'logger.conf': '[logfiles]\nmessages => notice,warning,error,verbose\n',
        'manager.conf': '[general]\nport = %d\nbindaddr = 127.0.0.1\n[it]\nsecret = itsecret\nread = all\n'
                        'write = all\n' % port,
        'media_probe.conf': '',
        'cdr.conf': '[general]\nenable = yes\n',
        'extensions.conf': '[test]\n'
                           'exten => start,1,Dial(${TARGET})\n'
                           'exten => mid,hint,Local/mid@test\n'
                           'exten => mid,1,Dial(Local/end@test)\n'
                           'exten => end,1,Answer()\n'
                           ' same => n,ProbeTone(1000,5.5)\n'
                           ' same => n,Hangup()\n',
    }
    for name, text in files.items():
        with open(os.path.join(etc, name), 'w') as f:
            f.write(text)
    log = open(os.path.join(work, 'daemon.log'), 'w')
    proc = subprocess.Popen([TELEPHONYD, '-C', etc, '-f'], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(('127.0.0.1', port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        asyncio.run(asyncio.wait_for(scenario(port, work), 60))
    except BaseException:
        log.flush()
        sys.stderr.write(open(os.path.join(work, 'daemon.log')).read()[-6000:])
        raise
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(work, ignore_errors=True)
    print('1..0 all passed')


if __name__ == '__main__':
    main()
