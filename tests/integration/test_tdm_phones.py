#!/usr/bin/env python3
"""Two analog phones on socket-span FXS ports through telephonyd.

Phone A (DAHDI/1) goes off-hook and hears dial tone (350+440 Hz, measured), dials 1, 0, 2 in band
(the dialplan also has extension 10: the driver waits matchdigit_timeout after "10", then the 2
arrives and the call runs 102 - overlap dialling with the dialplan's match-more). Extension 102
dials DAHDI/2: phone B rings with the cadence indications.conf gives (1000 on / 2000 off, not the
built-in 2000/4000), gets Bell 202 caller ID with A's name and number in the first pause, answers,
and both directions carry audio (A says 1 kHz and hears B's 600 Hz and vice versa). A hangs up:
B, a kewlstart phone, sees the loop current drop. AMI shows the DAHDIChannel events and
DAHDIShowChannels lists both lines with their signalling.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tdmkit import Ami, Phone, fail, has_freq, measure_until, near, run, tone_at  # noqa: E402


def test_two_phones(kit):
    socks = kit.path('tdm', 'phones')
    kit.write('system.conf', 'dynamic=sock,%s,2,0\nfxoks=1-2\nloadzone=us\ndefaultzone=us\n' % socks)
    kit.write('chan_dahdi.conf', '[channels]\ncontext=phones\nsignalling=fxo_ks\nusecallerid=yes\n'
                                 'callerid="Alice Smith" <201>\nchannel => 1\n'
                                 'callerid="Bob Jones" <202>\nchannel => 2\n')
    kit.write('indications.conf', '[general]\ncountry=us\n[us]\ndescription=test copy of us, faster bell\n'
                                  'ringcadence=1000,2000\ndial=350+440\nbusy=480+620/500,0/500\n'
                                  'ring=440+480/2000,0/4000\ncongestion=480+620/250,0/250\n'
                                  'dialrecall=!350+440/100,!0/100,350+440\n')
    kit.write('extensions.conf', '[phones]\n'
                                 'exten => 10,1,Set(REACHED=10)\n same => n,Hangup()\n'
                                 'exten => 102,1,Set(REACHED=102)\n same => n,Dial(DAHDI/2,20)\n same => n,Hangup()\n')
    kit.start()
    ami = Ami(kit.ami_port)
    a = Phone(kit, os.path.join(socks, '1'), name='A')
    b = Phone(kit, os.path.join(socks, '2'), name='B')

    a.send('offhook')
    time.sleep(0.3)
    m = a.measure(0.6)
    if not (has_freq(m, 350) and has_freq(m, 440)):
        fail('A heard %s Hz / %s Hz as dial tone, not 350+440' % (m.get('freq'), m.get('freq2')))
    print('ok - phone A off-hook hears dial tone %s+%s Hz at %s dBFS' % (m['freq'], m['freq2'], m['level']))

    # 1 and 0, then a pause shorter than matchdigit_timeout (3 s), then 2.
    a.send('dial 10', 'wait 1.5', 'dial 2')
    step = ami.wait(lambda e: e.get('Event') == 'Newexten' and e.get('Channel', '').startswith('DAHDI/1-')
                    and e.get('Application') == 'Set', 15)
    if step.get('Exten') != '102':
        fail('the dialplan ran %s, not 102 (digits were cut at the ambiguous "10")' % step.get('Exten'))
    if not a.all('measure') or m.get('level') is None:
        fail('no measurement')
    print('ok - in-band digits 1 0 2 reached extension 102 (after the ambiguous 10)')

    on1 = b.wait('ring', 10, lambda e: e['args'] == 'on')
    off1 = b.wait('ring', 5, lambda e: e['args'] == 'off')
    cid = b.wait('cid', 5)
    on2 = b.wait('ring', 5, lambda e: e['args'] == 'on')
    ring_ms, pause_ms = off1['t'] - on1['t'], on2['t'] - off1['t']
    if not (near(ring_ms, 1000, 250) and near(pause_ms, 2000, 250)):
        fail('B rang %d ms on / %d ms off, indications.conf says 1000/2000' % (ring_ms, pause_ms))
    print('ok - phone B rings %d ms on, %d ms off (indications.conf ringcadence=1000,2000)' % (ring_ms, pause_ms))
    if cid.get('number') != '201' or 'Alice' not in cid['args'] or cid.get('standard') != 'bell':
        fail('B got caller ID %r' % cid['args'])
    if not (off1['t'] <= cid['t'] <= on2['t']):
        fail('caller ID came at %d ms, not between the first ring (ends %d) and the second (%d)'
             % (cid['t'], off1['t'], on2['t']))
    print('ok - caller ID between the rings: %s' % cid['args'])

    b.send('offhook')
    ami.wait(lambda e: e.get('Event') == 'Newstate' and e.get('Channel', '').startswith('DAHDI/2-')
             and e.get('ChannelStateDesc') == 'Up', 5)
    a.send('tone 1000')
    b.send('tone 600')
    time.sleep(0.5)
    ma, mb = measure_until(a, tone_at(600), 1.0), measure_until(b, tone_at(1000), 1.0)
    if not tone_at(600)(ma):
        fail('A hears %s Hz at %s dBFS, B says 600 Hz' % (ma.get('freq'), ma.get('level')))
    if not tone_at(1000)(mb):
        fail('B hears %s Hz at %s dBFS, A says 1000 Hz' % (mb.get('freq'), mb.get('level')))
    print('ok - audio both ways: A hears %s Hz, B hears %s Hz' % (ma['freq'], mb['freq']))

    chans = ami.list_action('DAHDIShowChannels', 'DAHDIShowChannelsComplete')
    by_chan = {c.get('DAHDIChannel'): c for c in chans}
    if by_chan.get('1', {}).get('Signalling') != 'FXO Kewlstart' or not by_chan.get('2', {}).get('Channel', '').startswith('DAHDI/2-'):
        fail('DAHDIShowChannels: %s' % chans)
    created = [e.get('DAHDIChannel') for e in ami.events('DAHDIChannel')]
    if '1' not in created or '2' not in created:
        fail('DAHDIChannel events for %s' % created)
    print('ok - AMI: DAHDIShowChannels and DAHDIChannel events for both lines')

    a.send('silence', 'onhook')
    b.wait('loopopen', 5)
    print('ok - A hung up: B (kewlstart) saw the loop current drop')
    b.send('onhook')
    ami.wait(lambda e: e.get('Event') == 'Hangup' and e.get('Channel', '').startswith('DAHDI/2-'), 5)
    out = kit.rx('dahdi show channels')
    if 'FXO Kewlstart' not in out:
        fail('dahdi show channels:\n' + out)
    ami.close()


if __name__ == '__main__':
    run(test_two_phones)
