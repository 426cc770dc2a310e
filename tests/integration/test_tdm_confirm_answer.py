#!/usr/bin/env python3
"""Dial option `c` (confirm answer) on an exchange line: the line gives no answer supervision
(no polarity reversal, no call progress), so chan_dahdi counts the call as answered only when
the far end sends # — until then the dialplan waits and the line's audio (the called party's
"press #" prompt) already reaches the caller.

An FXO port (fxs_ks) on a socket span, a tdmphone as the line. `channel originate
DAHDI/1c/5551234` seizes it and dials; 2 s later the call is still not answered (no Newexten in
the answer context, the channel not Up); the line sends # in DTMF and the dialplan runs, its
700 Hz reaching the line. Without `c` the same line is answered as soon as the digits are out
(Asterisk's default for analog lines).
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tdmkit import Ami, Phone, fail, hears, run  # noqa: E402


def dialled(line, number, timeout=10):
    deadline = time.time() + timeout
    while ''.join(e['args'] for e in line.all('digit')) != number:
        if time.time() > deadline:
            fail('the line heard %r, not %s' % (''.join(e['args'] for e in line.all('digit')), number))
        time.sleep(0.1)


def test_confirm_answer(kit):
    socks = kit.path('tdm', 'lines')
    kit.write('system.conf', 'dynamic=sock,%s,1,0\nfxsks=1\n' % socks)
    kit.write('chan_dahdi.conf', '[channels]\ncontext=from-pstn\nsignalling=fxs_ks\nchannel => 1\n')
    kit.write('extensions.conf', '[answered]\nexten => s,1,ProbeTone(700,3)\n same => n,Hangup()\n'
                                 '[from-pstn]\nexten => s,1,Hangup()\n')
    kit.start()
    ami = Ami(kit.ami_port)
    line = Phone(kit, os.path.join(socks, '1'), 'line', '--auto-dialtone', name='line')

    kit.rx('channel originate DAHDI/1c/5551234 extension s@answered')
    line.wait('hookoff', 10)
    dialled(line, '5551234')
    time.sleep(2.0)
    if ami.events('Newexten'):
        fail('with option c the call was answered before the far end sent #: %s' % ami.events('Newexten')[0])
    state = kit.rx('core show channels')
    if 'DAHDI/1-' not in state or ' Up ' in state:
        fail('the DAHDI channel should exist and not be Up yet:\n%s' % state)
    print('ok - option c: dialled 5551234, not answered 2 s later')
    line.send('dial #')
    step = ami.wait(lambda e: e.get('Event') == 'Newexten' and e.get('Context') == 'answered', 10)
    time.sleep(0.6)
    hears(line, [700], 'after #')
    print('ok - the line sent #: answered, the dialplan runs on %s and the line hears 700 Hz' % step['Channel'])
    line.wait('hookon', 10)
    line.events.clear()
    line.cursor = 0
    time.sleep(0.5)

    before = len(ami.events('Newexten'))
    kit.rx('channel originate DAHDI/1/5551234 extension s@answered')
    line.wait('hookoff', 10)
    dialled(line, '5551234')
    ami.wait(lambda e: e.get('Event') == 'Newexten' and e.get('Context') == 'answered' and
             len(ami.events('Newexten')) > before, 5)
    print('ok - without c the line counts as answered once dialled')
    line.wait('hookon', 10)
    ami.close()


if __name__ == '__main__':
    run(test_confirm_answer)
