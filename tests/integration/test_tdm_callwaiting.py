#!/usr/bin/env python3
"""Call waiting on a DAHDI phone port (callwaiting=yes, callwaitingcallerid=yes), driven by tdmphone
over the socket span.

Alice (port 1) talks to Bob (2), who says 600 Hz. Dave (4) calls Alice: instead of BUSY, Dave hears
ringback and Alice hears the call-waiting tone of the zone (indications.conf `callwaiting`,
440 Hz for 300 ms, here repeated after 2 s) over her call — measured in her recording: frequency,
burst length and repeat period. After the first tone comes the CAS (2130 + 2750 Hz); Alice's phone
answers it with DTMF D, as a type 2 caller-ID phone does, and decodes the FSK caller ID that
follows: Dave's number and name. A flash answers Dave (Bob is held and hears nothing of Alice);
another flash goes back to Bob. Dave's Dial() gets DialEnd with DialStatus ANSWER (not BUSY).
Dave hangs up: Alice still talks to Bob. Carol (3) calls and waits; Alice hangs up: Bob is
disconnected and Alice's phone rings back for Carol, whom she answers by going off-hook.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tdmkit import (Ami, Phone, analog_features, fail, goertzel, has_freq, hears, near, run, silent,  # noqa: E402
                    wav_samples)


def tone_bursts(samples, rate, freq, other):
    """(start, length) in ms of the runs of 10 ms blocks where `freq` dominates `other`."""
    n = rate // 100
    on = []
    for i in range(0, len(samples) - n, n):
        block = samples[i:i + n]
        energy = sum(x * x for x in block) / n
        on.append(energy > 1e4 and goertzel(block, rate, freq) > 4 * goertzel(block, rate, other))
    bursts, start = [], None
    for i, v in enumerate(on + [False]):
        if v and start is None:
            start = i
        elif not v and start is not None:
            bursts.append((start * 10, (i - start) * 10))
            start = None
    return [b for b in bursts if b[1] >= 150]  # shorter runs: FSK energy near 440 Hz


def test_callwaiting(kit):
    socks = analog_features(kit, 4)
    kit.start()
    ami = Ami(kit.ami_port)
    alice = Phone(kit, os.path.join(socks, '1'), name='alice')
    bob = Phone(kit, os.path.join(socks, '2'), 'phone', '--auto-answer', '1', name='bob')
    dave = Phone(kit, os.path.join(socks, '4'), name='dave')
    carol = Phone(kit, os.path.join(socks, '3'), name='carol')

    alice.send('offhook')
    time.sleep(0.4)
    alice.send('dial 2')
    bob.wait('answered', 15)
    bob.send('tone 600')
    time.sleep(0.5)
    hears(alice, [600], 'two-party call')
    heard = kit.path('alice.wav')
    alice.send('record %s' % heard)

    dave.send('offhook')
    time.sleep(0.4)
    dave.send('dial 1')
    cas = alice.wait('cas', 10)
    cid = alice.wait('cid', 5)
    if cid.get('number') != '1004' or cid.get('name') != 'Dave':
        fail('call-waiting caller ID: %s, expected Dave <1004>' % cid)
    print('ok - Alice\'s phone heard the CAS, acknowledged with DTMF D and decoded Dave <1004> (%s, %s)'
          % (cid.get('format'), cid.get('standard')))
    m = dave.measure(1.2)
    if not (has_freq(m, 440) or has_freq(m, 480)) and not silent(m, -60):
        fail('Dave should hear ringback (or its pause), heard %s' % m)
    time.sleep(2.6)  # the second call-waiting tone (2 s after the first)
    alice.send('stoprecord')
    time.sleep(0.3)
    rate, samples = wav_samples(heard)
    bursts = tone_bursts(samples, rate, 440, 600)
    if len(bursts) < 2:
        fail('expected two call-waiting tones in Alice\'s recording, found %s' % bursts)
    first, second = bursts[0], bursts[1]
    if not (240 <= first[1] <= 360 and 240 <= second[1] <= 360):
        fail('call-waiting tones should last 300 ms: %s' % bursts)
    period = second[0] - first[0]
    # 300 ms tone + 50 ms pause + 80 ms CAS, then the zone's 2000 ms silence.
    if not 2250 <= period <= 2650:
        fail('the call-waiting tone should repeat after about 2.43 s, repeated after %d ms' % period)
    block = samples[int(first[0] * rate / 1000) + 40:int((first[0] + first[1]) * rate / 1000) - 40]
    f = max(range(300, 700, 5), key=lambda hz: goertzel(block, rate, hz))
    if not near(f, 440, 10):
        fail('the call-waiting tone measures %d Hz' % f)
    print('ok - call-waiting tone: %d Hz, %d ms and %d ms, repeated after %d ms, over Bob\'s 600 Hz'
          % (f, first[1], second[1], period))
    if any(e.get('Event') == 'Hangup' and e.get('Channel', '').startswith('DAHDI/4-') for e in ami.msgs):
        fail('Dave\'s call ended instead of waiting')

    # Flash: Dave is answered, Bob held.
    alice.send('flash 300')
    time.sleep(0.8)
    dave.send('tone 1800')
    alice.send('tone 1000')
    time.sleep(0.6)
    hears(alice, [1800], 'answered the waiting call', absent=[600])
    hears(dave, [1000], 'answered the waiting call')
    m = bob.measure(0.6)
    if not silent(m):
        fail('Bob is held: he should hear silence, heard %s' % m)
    end = ami.wait(lambda e: e.get('Event') == 'DialEnd' and e.get('Channel', '').startswith('DAHDI/4-'), 5)
    if end.get('DialStatus') != 'ANSWER' or not end.get('DestChannel', '').startswith('DAHDI/1-'):
        fail('Dave\'s Dial should be answered by DAHDI/1: %s' % end)
    print('ok - flash: Alice answers Dave (DialEnd %s DialStatus=ANSWER), held Bob hears silence' % end['DestChannel'])

    # Flash again: back to Bob.
    alice.send('flash 300')
    time.sleep(0.8)
    hears(alice, [600], 'back to Bob', absent=[1800])
    hears(bob, [1000], 'back to Bob')
    m = dave.measure(0.6)
    if not silent(m):
        fail('Dave is held now: he should hear silence, heard %s' % m)
    print('ok - second flash: back to Bob, Dave held')

    dave.send('onhook')
    ami.wait(lambda e: e.get('Event') == 'Hangup' and e.get('Channel', '').startswith('DAHDI/4-'), 10)
    time.sleep(0.5)
    hears(alice, [600], 'after Dave hung up')
    print('ok - Dave hangs up; Alice still talks to Bob')

    carol.send('offhook')
    time.sleep(0.4)
    carol.send('dial 1')
    cid = alice.wait('cid', 10)
    if cid.get('number') != '1003':
        fail('the second waiting call should show Carol <1003>: %s' % cid)
    alice.send('onhook')
    bob.wait('loopopen', 5)
    alice.wait('ring', 5, lambda e: e['args'].startswith('on'))
    alice.send('offhook')
    alice.send('tone 1000')  # her CAS acknowledgement (DTMF D) replaced her tone
    carol.send('tone 1400')
    time.sleep(0.6)
    hears(alice, [1400], 'rung back for Carol')
    hears(carol, [1000], 'rung back for Carol')
    print('ok - Alice hangs up with Carol waiting: Bob is disconnected, the phone rings, Alice answers Carol')
    alice.send('onhook')
    carol.wait('loopopen', 5)
    ami.close()


if __name__ == '__main__':
    run(test_callwaiting)
