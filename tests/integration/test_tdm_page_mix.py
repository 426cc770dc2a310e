#!/usr/bin/env python3
"""Page() to a mix of device technologies through telephonyd: two DAHDI phones on a socket span,
the ALSA console (file/null PCMs, as test_console_alsa.py) and a Local channel. The pager says
440 Hz; every paged device must hear it: the DAHDI phone (auto-answers on the first ring) measures
it, the console's playback file holds it, the Local device records it. Page's `s` option skips
DAHDI/1, whose phone is off-hook: the driver pushes the line's state (in use), so the device is
not NOT_INUSE and is not dialled.

The device list is one string; a SIP device joins the mix by adding `&SIP/<peer>` once SIP lands.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tdmkit import Ami, Phone, dominant, fail, loudest_window, near, raw_s16, rms, run, wav_samples  # noqa: E402

DEVICES = ['DAHDI/1', 'DAHDI/2', 'Console/dsp', 'Local/dev@paged']


def test_page_mix(kit):
    socks = kit.path('tdm', 'phones')
    kit.write('system.conf', 'dynamic=sock,%s,2,0\nfxoks=1-2\n' % socks)
    kit.write('chan_dahdi.conf', '[channels]\ncontext=phones\nsignalling=fxo_ks\nusecallerid=no\nchannel => 1-2\n')
    play_raw, cap_raw = kit.path('speaker.raw'), kit.path('mic.raw')
    open(cap_raw, 'wb').close()  # the console microphone hears nothing
    with open(kit.path('.asoundrc'), 'w') as f:
        f.write('pcm.tel_out { type file; slave.pcm "null"; file "%s"; format "raw" }\n'
                'pcm.tel_in { type file; slave.pcm "null"; file "/dev/null"; infile "%s"; format "raw" }\n'
                % (play_raw, cap_raw))
    kit.env['HOME'] = kit.work
    kit.write('console.conf', '[dsp]\ninput_device=tel_in\noutput_device=tel_out\nautoanswer=yes\nsamplerate=16000\n')
    local_rec = kit.path('local.wav')
    kit.write('extensions.conf', '[pager]\n'
                                 'exten => page,1,Page(%s,sq,10)\n'
                                 '[phone]\nexten => talk,1,ProbeTone(440,6)\n same => n,Hangup()\n'
                                 '[paged]\nexten => dev,1,ProbeRecord(%s,10)\n'
                                 '[phones]\nexten => _X.,1,Wait(20)\n' % ('&'.join(DEVICES), local_rec))
    kit.start()
    ami = Ami(kit.ami_port)
    busy = Phone(kit, os.path.join(socks, '1'), name='busy')
    paged = Phone(kit, os.path.join(socks, '2'), 'phone', '--auto-answer', '1', name='paged')
    busy.send('offhook')  # in use: Page's s option must skip DAHDI/1
    time.sleep(0.5)

    kit.rx('channel originate Local/page@pager extension talk@phone')
    paged.wait('answered', 10)
    time.sleep(1.0)
    m = paged.measure(1.0)
    if not near(m.get('freq', 0), 440, 15) or float(m['level']) < -40:
        fail('the DAHDI phone heard %s Hz at %s dBFS, the pager says 440 Hz' % (m.get('freq'), m.get('level')))
    print('ok - DAHDI/2 auto-answered and hears the page (%s Hz)' % m['freq'])
    ami.wait(lambda e: e.get('Event') == 'Hangup' and e.get('Channel') == 'Console/dsp', 15)
    time.sleep(0.5)

    speaker = loudest_window(raw_s16(play_raw), 16000, 0.5)
    f = dominant(speaker[::2], 8000, 200, 3000, 10)
    if not near(f, 440, 20) or rms(speaker) < 300:
        fail('the console played %s Hz at RMS %.0f, not the page' % (f, rms(speaker)))
    print('ok - Console/dsp played the page (%d Hz)' % f)
    r, local = wav_samples(local_rec)
    local = loudest_window(local, r, 0.5)
    if not near(dominant(local, r, 200, 3000, 10), 440, 20) or rms(local) < 300:
        fail('the Local device did not hear the page')
    print('ok - Local/dev@paged heard the page')

    dialed = [e.get('DialString') or e.get('DestChannel', '') for e in ami.events('DialBegin')]
    if any(d.startswith('DAHDI/1') for d in dialed):
        fail('Page dialled DAHDI/1 although its phone was off-hook (s option): %s' % dialed)
    if busy.all('ring'):
        fail('the off-hook phone rang')
    if not any('DAHDI/2' in d for d in dialed) or not any('Console/dsp' in d for d in dialed):
        fail('Page did not dial the other devices: %s' % dialed)
    print('ok - option s skipped DAHDI/1 (off-hook, in use); dialled: %s' % ', '.join(sorted(set(dialed))))
    ami.close()


if __name__ == '__main__':
    run(test_page_mix)
