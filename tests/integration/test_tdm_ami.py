#!/usr/bin/env python3
"""chan_dahdi's AMI through telephonyd, with tdmphones on socket spans.

Span alarms: the line simulator on span 2 reports a red alarm; AMI sends SpanAlarm and Alarm (per
channel, reportalarms=all), `dahdi show status` and DAHDIShowStatus say RED, DAHDIShowChannels says
Red Alarm for the channel, and the clear comes back as SpanAlarmClear/AlarmClear. DND: DAHDIDNDon
publishes DNDState and DeviceStateChange (BUSY) and a call to the line gets BUSY; DAHDIDNDoff
undoes it. Device state: the hint
on DAHDI/2 reads idle, then in use while its phone is off-hook. DAHDIDialOffhook turns into DTMF on
the call, DAHDITransfer flashes, DAHDIHangup ends the call, DAHDIRestart rebuilds the system, and
bad requests get Asterisk's error messages.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tdmkit import Ami, Phone, fail, run  # noqa: E402


def test_dahdi_ami(kit):
    phones, lines = kit.path('tdm', 'phones'), kit.path('tdm', 'lines')
    kit.write('system.conf', 'dynamic=sock,%s,2,0\ndynamic=sock,%s,1,0\nfxoks=1-2\nfxsks=3\n' % (phones, lines))
    kit.write('chan_dahdi.conf', '[channels]\nreportalarms=all\nusecallerid=no\ncontext=phones\nsignalling=fxo_ks\n'
                                 'description=desk phones\nchannel => 1-2\n'
                                 'context=from-pstn\nsignalling=fxs_ks\ndescription=PSTN line\nchannel => 3\n')
    kit.write('extensions.conf', '[phones]\n'
                                 'exten => 201,hint,DAHDI/2\n'
                                 'exten => 201,1,Dial(DAHDI/2,5)\n same => n,Set(RESULT=${DIALSTATUS})\n same => n,Hangup()\n'
                                 'exten => 300,1,Answer()\n same => n,Wait(30)\n'
                                 '[from-pstn]\nexten => s,1,Hangup()\n')
    kit.start()
    ami = Ami(kit.ami_port)
    p1 = Phone(kit, os.path.join(phones, '1'), name='p1')
    p2 = Phone(kit, os.path.join(phones, '2'), name='p2')
    line = Phone(kit, os.path.join(lines, '1'), 'line', name='line')

    status = ami.list_action('DAHDIShowStatus', 'DAHDIShowStatusComplete')
    if [s.get('Alarms') for s in status] != ['OK', 'OK']:
        fail('DAHDIShowStatus: %s' % status)
    line.send('alarm red')
    span = ami.wait(lambda e: e.get('Event') == 'SpanAlarm', 5)
    chan = ami.wait(lambda e: e.get('Event') == 'Alarm', 5)
    if span.get('Span') != '2' or span.get('Alarm') != 'Red Alarm' or chan.get('DAHDIChannel') != '3':
        fail('alarm events: %s / %s' % (span, chan))
    span2 = [l for l in kit.rx('dahdi show status').splitlines() if l.startswith('   2 ')]
    if not span2 or 'sock/lines' not in span2[0] or 'RED' not in span2[0]:
        fail('dahdi show status:\n' + kit.rx('dahdi show status'))
    chans = {c['DAHDIChannel']: c for c in ami.list_action('DAHDIShowChannels', 'DAHDIShowChannelsComplete')}
    if chans['3'].get('Alarm') != 'Red Alarm' or chans['1'].get('Alarm') != 'No Alarm':
        fail('DAHDIShowChannels alarms: %s' % chans)
    line.send('alarm clear')
    ami.wait(lambda e: e.get('Event') == 'SpanAlarmClear' and e.get('Span') == '2', 5)
    ami.wait(lambda e: e.get('Event') == 'AlarmClear' and e.get('DAHDIChannel') == '3', 5)
    print('ok - span alarm: SpanAlarm/Alarm events, RED in dahdi show status and the AMI lists, then cleared')

    r = ami.action('DAHDIDNDon', DAHDIChannel='2')
    if r.get('Response') != 'Success' or r.get('Message') != 'DND Enabled':
        fail('DAHDIDNDon: %s' % r)
    ami.wait(lambda e: e.get('Event') == 'DNDState' and e.get('DAHDIChannel') == '2' and e.get('Status') == 'enabled', 5)
    # The line pushes its device state (no channel exists): DND is BUSY for hints and Page's `s`.
    ami.wait(lambda e: e.get('Event') == 'DeviceStateChange' and e.get('Device') == 'DAHDI/2' and e.get('State') == 'BUSY', 5)
    p1.send('offhook', 'wait 0.3', 'dial 201')
    ami.wait(lambda e: e.get('Event') == 'VarSet' and e.get('Variable') == 'RESULT' and e.get('Value') == 'BUSY', 15)
    if p2.all('ring'):
        fail('a line in DND rang')
    ami.action('DAHDIDNDoff', DAHDIChannel='2')
    ami.wait(lambda e: e.get('Event') == 'DNDState' and e.get('Status') == 'disabled', 5)
    ami.wait(lambda e: e.get('Event') == 'DeviceStateChange' and e.get('Device') == 'DAHDI/2' and e.get('State') == 'NOT_INUSE', 5)
    p1.send('onhook')
    print('ok - DND: DNDState and DeviceStateChange (BUSY, NOT_INUSE) events, a call to the line in DND gets BUSY')

    time.sleep(1.5)  # rxflash: the on-hook counts after 1.25 s
    st = ami.action('ExtensionState', Exten='201', Context='phones')
    if st.get('Status') != '0':
        fail('hint DAHDI/2 idle: %s' % st)
    p2.send('offhook')
    # The hook reaches the line through the phone and the span, then the hint: asked again for a
    # while (0.3 s once was short on a loaded box).
    deadline = time.time() + 5
    while True:
        st = ami.action('ExtensionState', Exten='201', Context='phones')
        if st.get('Status') == '1' or time.time() >= deadline:
            break
        time.sleep(0.1)
    if st.get('Status') != '1':
        fail('hint DAHDI/2 with the phone off-hook: %s' % st)
    p2.send('onhook')
    print('ok - device state: the hint on DAHDI/2 goes idle -> in use with the phone')

    time.sleep(1.5)
    p1.send('offhook', 'wait 0.3', 'dial 300')
    up = ami.wait(lambda e: e.get('Event') == 'Newexten' and e.get('Exten') == '300' and e.get('Application') == 'Wait', 15)
    name = up['Channel']
    r = ami.action('DAHDIDialOffhook', DAHDIChannel='1', Number='42')
    if r.get('Response') != 'Success':
        fail('DAHDIDialOffhook: %s' % r)
    ami.wait(lambda e: e.get('Event') == 'DTMFBegin' and e.get('Channel') == name and e.get('Digit') == '4', 5)
    r = ami.action('DAHDITransfer', DAHDIChannel='1')
    if r.get('Response') != 'Success':
        fail('DAHDITransfer: %s' % r)
    r = ami.action('DAHDIHangup', DAHDIChannel='1')
    if r.get('Response') != 'Success':
        fail('DAHDIHangup: %s' % r)
    ami.wait(lambda e: e.get('Event') == 'Hangup' and e.get('Channel') == name, 5)
    print('ok - DAHDIDialOffhook (DTMF on %s), DAHDITransfer, DAHDIHangup' % name)

    for action, fields, message in [('DAHDIDNDon', {}, 'No channel specified'),
                                    ('DAHDIDNDon', {'DAHDIChannel': '99'}, 'No such channel'),
                                    ('DAHDIDialOffhook', {'DAHDIChannel': '1'}, 'No number specified')]:
        r = ami.action(action, **fields)
        if r.get('Response') != 'Error' or r.get('Message') != message:
            fail('%s %s: %s' % (action, fields, r))
    r = ami.action('DAHDIRestart', timeout=15)
    if r.get('Response') != 'Success':
        fail('DAHDIRestart: %s' % r)
    if 'FXS Kewlstart' not in kit.rx('dahdi show channels'):
        fail('no channels after restart')
    print('ok - errors as Asterisk words them; DAHDIRestart rebuilt the system')
    ami.close()


if __name__ == '__main__':
    run(test_dahdi_ami)
