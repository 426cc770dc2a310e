#!/usr/bin/env python3
"""A call file with `Channel: Zap/g2/5551234` seizes an FXO port of group 2 through telephonyd.

Two FXO ports (fxsks / fxs_ks, group 2, answeronpolarityswitch) on a socket span each have a
tdmphone playing the telephone line. The call file (the old Zap/ name, as the seed call-file
examples use it) makes the driver seize the first free port of group 2: its line sees the loop
close, plays dial tone, and hears 5551234 dialled in DTMF; it then answers with a polarity
reversal, the call counts as answered, the call file's dialplan runs on DAHDI/1-1 and its 700 Hz
tone reaches the line. The other port of the group is never touched. When the dialplan ends the
port releases the line.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tdmkit import Ami, Phone, fail, measure_until, run, tone_at  # noqa: E402


def test_callfile_zap_group(kit):
    socks = kit.path('tdm', 'lines')
    kit.write('system.conf', 'dynamic=sock,%s,2,0\nfxsks=1-2\n' % socks)
    kit.write('chan_dahdi.conf', '[channels]\ncontext=from-pstn\nsignalling=fxs_ks\ngroup=2\n'
                                 'answeronpolarityswitch=yes\ncallerid=asreceived\nchannel => 1-2\n')
    kit.write('extensions.conf', '[answered]\n'
                                 'exten => s,1,Set(ON=${CHANNEL})\n same => n,ProbeTone(700,3)\n same => n,Hangup()\n'
                                 '[from-pstn]\nexten => s,1,Hangup()\n')
    kit.start()
    ami = Ami(kit.ami_port)
    l1 = Phone(kit, os.path.join(socks, '1'), 'line', '--auto-dialtone', name='line1')
    l2 = Phone(kit, os.path.join(socks, '2'), 'line', '--auto-dialtone', name='line2')

    outgoing = os.path.join(kit.etc, 'spool', 'outgoing')
    os.makedirs(outgoing, exist_ok=True)
    tmp = kit.path('zap.call')
    with open(tmp, 'w') as f:
        f.write('Channel: Zap/g2/5551234\nCallerID: "Call File" <100>\nMaxRetries: 0\nWaitTime: 20\n'
                'Context: answered\nExtension: s\nPriority: 1\n')
    os.rename(tmp, os.path.join(outgoing, 'zap.call'))

    l1.wait('hookoff', 10)
    print('ok - the call file seized the first port of group 2')
    deadline = time.time() + 10
    digits = ''
    while digits != '5551234':
        if time.time() > deadline:
            fail('line 1 heard the digits %r, not 5551234' % digits)
        time.sleep(0.1)
        digits = ''.join(e['args'] for e in l1.all('digit'))
    print('ok - the line heard 5551234 dialled in band')

    l1.send('answer')  # the exchange reverses polarity when the called party answers
    step = ami.wait(lambda e: e.get('Event') == 'Newexten' and e.get('Context') == 'answered', 10)
    if not step.get('Channel', '').startswith('DAHDI/1-'):
        fail('the call file ran on %s, not the DAHDI/1 port' % step.get('Channel'))
    time.sleep(0.6)
    m = measure_until(l1, tone_at(700), 1.0)
    if not tone_at(700)(m):
        fail('the line heard %s Hz at %s dBFS, the dialplan plays 700 Hz' % (m.get('freq'), m.get('level')))
    print('ok - answered by polarity reversal; the line hears the dialplan\'s %s Hz' % m['freq'])

    l1.wait('hookon', 10)
    print('ok - the port released the line when the dialplan ended')
    if l2.all('hookoff'):
        fail('port 2 was seized although port 1 was free')
    done = os.path.join(kit.etc, 'spool', 'outgoing_done')
    if os.path.isdir(done) and os.listdir(done):
        pass  # archived when the spooler keeps completed files
    ami.close()


if __name__ == '__main__':
    run(test_callfile_zap_group)
