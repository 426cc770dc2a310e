#!/usr/bin/env python3
"""Three-way calling and flash-hook transfer on a DAHDI phone port (threewaycalling=yes,
transfer=yes), driven by tdmphone over the socket span and measured in what each phone hears.

Alice (port 1) calls Bob (2), who says 600 Hz. Alice flashes: Bob is held (he hears nothing of
Alice, who says 1000 Hz) and Alice hears the recall dial tone; she dials Carol (3), who says
1400 Hz. A second flash conferences the three: each hears the other two. A third flash drops
Carol, Alice and Bob talk again. Then Alice flashes, dials Carol again and hangs up: Bob and Carol
are transferred to each other (both enter one new bridge, BridgeEnter events; the log says so),
and hear each other. Last, a flash while still dialling drops the incomplete call and returns to Bob, and
hanging up while dialling rings Alice back for the held Bob.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tdmkit import Ami, Phone, analog_features, fail, has_freq, hears, run, silent  # noqa: E402


def test_threeway(kit):
    socks = analog_features(kit, 3)
    kit.start()
    ami = Ami(kit.ami_port)
    alice = Phone(kit, os.path.join(socks, '1'), name='alice')
    bob = Phone(kit, os.path.join(socks, '2'), 'phone', '--auto-answer', '1', name='bob')
    carol = Phone(kit, os.path.join(socks, '3'), 'phone', '--auto-answer', '1', name='carol')

    alice.send('offhook')
    time.sleep(0.4)
    alice.send('dial 2')
    bob.wait('answered', 15)
    bob.send('tone 600')
    time.sleep(0.6)
    hears(alice, [600], 'two-party call')

    # Flash: Bob held, recall dial tone.
    alice.send('flash 300')
    time.sleep(0.8)
    m = alice.measure(0.5)
    if not (has_freq(m, 350) or has_freq(m, 440)):
        fail('after the flash Alice should hear the recall dial tone (350+440 Hz): %s' % m)
    print('ok - flash: Alice hears the recall dial tone (%s/%s Hz)' % (m['freq'], m.get('freq2')))
    alice.send('dial 3')
    carol.wait('answered', 15)
    carol.send('tone 1400')
    alice.send('tone 1000')
    time.sleep(0.6)
    hears(alice, [1400], 'second call', absent=[600])
    hears(carol, [1000], 'second call', absent=[600])
    m = bob.measure(0.6)
    if not silent(m):
        fail('Bob is held: he should hear silence, heard %s' % m)
    print('ok - second call: Alice and Carol hear each other, held Bob hears silence (%s dBFS)' % m['level'])

    # Second flash: the conference.
    alice.send('flash 300')
    time.sleep(1.0)
    hears(alice, [600, 1400], 'conference')
    hears(bob, [1000, 1400], 'conference')
    hears(carol, [1000, 600], 'conference')
    print('ok - conference: each of the three hears the other two')

    # Third flash: Carol is dropped.
    alice.send('flash 300')
    carol.wait('loopopen', 5)
    time.sleep(0.6)
    hears(alice, [600], 'after dropping Carol', absent=[1400])
    hears(bob, [1000], 'after dropping Carol')
    print('ok - flash in the conference drops Carol (loop current drop); Alice and Bob talk again')
    carol.send('onhook')
    time.sleep(1.5)  # the on-hook counts after rxflash

    # Flash-hook transfer: flash, dial Carol, hang up.
    alice.send('flash 300')
    time.sleep(0.6)
    alice.send('dial 3')
    carol.wait('answered', 15)
    carol.send('tone 1400')
    time.sleep(0.6)
    hears(alice, [1400], 'before the transfer')
    alice.send('onhook')
    entered = {}
    for who in ('DAHDI/2-', 'DAHDI/3-'):
        entered[who] = ami.wait(lambda e: e.get('Event') == 'BridgeEnter' and e.get('Channel', '').startswith(who)
                                and e.get('BridgeCreator') == 'DAHDI transfer', 10)
    if entered['DAHDI/2-']['BridgeUniqueid'] != entered['DAHDI/3-']['BridgeUniqueid']:
        fail('Bob and Carol entered different bridges: %s' % entered)
    time.sleep(0.8)
    hears(bob, [1400], 'transferred')
    hears(carol, [600], 'transferred')
    if 'Transferring DAHDI/2-' not in kit.tail(300):
        fail('the log does not name the transfer')
    print('ok - on-hook transfers: Bob and Carol are bridged (%s); they hear each other' % entered['DAHDI/2-']['BridgeUniqueid'])
    bob.send('onhook')
    carol.wait('loopopen', 5)
    ami.wait(lambda e: e.get('Event') == 'Hangup' and e.get('Channel', '').startswith('DAHDI/3-'), 10)
    if [e for e in ami.events('Hangup') if e.get('Channel', '').startswith('DAHDI/1-')] == []:
        fail('Alice\'s calls did not end')
    print('ok - Bob hangs up, Carol gets the disconnect')
    carol.send('onhook')
    time.sleep(1.5)

    # Flash while dialling: the incomplete call is dropped, back to the held call.
    alice.send('offhook')
    time.sleep(0.4)
    alice.send('dial 2')
    bob.wait('answered', 15)
    bob.send('tone 600')
    alice.send('flash 300')
    time.sleep(0.8)
    alice.send('flash 300')
    time.sleep(0.8)
    hears(alice, [600], 'flash while dialling', absent=[350])
    if 'Dumping incomplete call on DAHDI/1-' not in kit.tail(100):
        fail('the log does not say the incomplete call was dropped')
    print('ok - a flash while dialling drops the incomplete call and returns to Bob')

    # Hanging up while dialling the second call: the phone rings back for the held call.
    alice.send('flash 300')
    time.sleep(0.8)
    alice.send('onhook')
    alice.wait('ring', 5, lambda e: e['args'].startswith('on'))
    alice.send('offhook')
    alice.send('tone 1000')  # dialling replaced her tone
    time.sleep(0.6)
    hears(alice, [600], 'rung back')
    hears(bob, [1000], 'rung back')
    print('ok - on-hook while dialling: Alice\'s phone rings back and she talks to Bob again')
    alice.send('onhook')
    bob.wait('loopopen', 5)
    ami.close()


if __name__ == '__main__':
    run(test_threeway)
