#!/usr/bin/env python3
"""The ALSA console channel through telephonyd, with no sound card: the test writes an asoundrc
whose PCMs are ALSA's `file` plugin over `null` (playback goes to a raw file; capture reads a raw
file), points telephonyd's HOME at it, and configures console.conf's [dsp] device on them at
48 kHz (the driver resamples to and from its 16 kHz channels).

1. The dialplan dials Console/dsp (autoanswer): what the far end (a Local channel saying 1 kHz)
   plays is found, measured, in the playback file; the 700 Hz wav fed as capture is heard at the
   far end. The log shows the console ringing and auto-answering.
2. `console dial 600@test` calls from the console into the dialplan; `console show devices`,
   `console active`, mute and hangup answer as chan_console's do.
"""
import os
import sys
import time
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tdmkit import Ami, dominant, fail, loudest_window, near, raw_s16, rms, run, wav_samples, write_wav  # noqa: E402


def test_console_alsa(kit):
    rate = 48000
    play_raw, cap_raw = kit.path('speaker.raw'), kit.path('mic.raw')
    # The capture side: a wav (as a user would have) turned into the raw stream the file plugin reads.
    mic_wav = kit.path('mic.wav')
    write_wav(mic_wav, 700, 8, rate=rate, amp=9000)
    with wave.open(mic_wav) as w, open(cap_raw, 'wb') as out:
        out.write(w.readframes(w.getnframes()))
    with open(kit.path('.asoundrc'), 'w') as f:
        f.write('pcm.tel_out { type file; slave.pcm "null"; file "%s"; format "raw" }\n'
                'pcm.tel_in { type file; slave.pcm "null"; file "/dev/null"; infile "%s"; format "raw" }\n'
                % (play_raw, cap_raw))
    kit.env['HOME'] = kit.work
    kit.write('console.conf', '[general]\ncontext=test\ncallerid="Console" <999>\n'
                              '[dsp]\ninput_device=tel_in\noutput_device=tel_out\nautoanswer=yes\nsamplerate=48000\n'
                              'noisesuppress=no\n')
    rec = kit.path('far.wav')
    rec2 = kit.path('fromconsole.wav')
    kit.write('extensions.conf', '[test]\n'
                                 'exten => console,1,Dial(Console/dsp,10)\n same => n,Hangup()\n'
                                 'exten => far,1,ProbeRecord(%s,3,1000)\n same => n,Hangup()\n'
                                 'exten => 600,1,ProbeRecord(%s,2,440)\n same => n,Hangup()\n' % (rec, rec2))
    kit.start()
    ami = Ami(kit.ami_port)

    out = kit.rx('channel originate Local/console@test extension far@test')
    ami.wait(lambda e: e.get('Event') == 'Newstate' and e.get('Channel') == 'Console/dsp'
             and e.get('ChannelStateDesc') == 'Up', 10)
    ami.wait(lambda e: e.get('Event') == 'Hangup' and e.get('Channel') == 'Console/dsp', 15)
    time.sleep(0.3)
    log = kit.tail(200)
    if "Call to device 'dsp' on console" not in log or 'Auto-answered' not in log:
        fail('the log does not show the console ringing and auto-answering')
    print('ok - Dial(Console/dsp) rang the console and autoanswer answered it')

    speaker = loudest_window(raw_s16(play_raw), rate, 0.5)
    f = dominant(speaker[::6], rate // 6, 200, 3000, 10)
    if not near(f, 1000, 20) or rms(speaker) < 500:
        fail('the playback file holds %s Hz at RMS %.0f, the far end said 1000 Hz' % (f, rms(speaker)))
    print('ok - the far end\'s 1 kHz is in the playback file (%d Hz, RMS %.0f)' % (f, rms(speaker)))
    r, far = wav_samples(rec)
    far = loudest_window(far, r, 0.5)
    f = dominant(far, r, 200, 3000, 10)
    if not near(f, 700, 20) or rms(far) < 500:
        fail('the far end heard %s Hz at RMS %.0f, the capture wav is 700 Hz' % (f, rms(far)))
    print('ok - the 700 Hz capture wav is heard at the far end (%d Hz, RMS %.0f)' % (f, rms(far)))

    devices = kit.rx('console show devices')
    if 'Device Name: dsp' not in devices or 'Input Device:     tel_in' not in devices:
        fail('console show devices:\n' + devices)
    if "'dsp'" not in kit.rx('console active'):
        fail('console active does not name dsp')
    out = kit.rx('console dial 600@test')
    if 'No such extension' in out:
        fail(out)
    ami.wait(lambda e: e.get('Event') == 'Newexten' and e.get('Channel') == 'Console/dsp' and e.get('Exten') == '600', 10)
    ami.wait(lambda e: e.get('Event') == 'Hangup' and e.get('Channel') == 'Console/dsp' and e.get('Exten') == '600', 15)
    r, got = wav_samples(rec2)
    got = loudest_window(got, r, 0.5)
    if not near(dominant(got, r, 200, 3000, 10), 700, 20):
        fail('the dialplan did not hear the console microphone on a console dial call')
    print('ok - console dial 600@test: the dialplan hears the microphone')
    if 'No such extension' not in kit.rx('console dial 999@nowhere'):
        fail('console dial to a missing extension did not say so')
    if 'No call to hang up' not in kit.rx('console hangup'):
        fail('console hangup without a call did not say so')
    if 'Muted' not in kit.rx('console mute'):
        fail('console mute did not answer')
    ami.close()


if __name__ == '__main__':
    run(test_console_alsa)
