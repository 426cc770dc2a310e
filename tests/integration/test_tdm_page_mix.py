#!/usr/bin/env python3
"""Page() to a mix of device technologies through telephonyd: a DAHDI phone on a socket span,
the ALSA console (file/null PCMs, as test_console_alsa.py), a Local channel and a SIP phone
(baresip, registered to the same telephonyd, answering by itself). The pager says
440 Hz; every paged device must hear it: the DAHDI phone (auto-answers on the first ring) measures
it, the console's playback file holds it, the Local device records it, and baresip's own
recording of the RTP it received (sndfile module) holds it. Then Page's `s` option skips DAHDI/1,
whose phone is off-hook (the line's device state is in use), and still pages DAHDI/2.

(Local devices are not in the `s` page: the Local driver reports no device state yet, so Page's
`s` treats them as UNKNOWN and skips them, as docs/page.md says.)
"""
import glob
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sip_probe import freeport, freeport_baresip, rtp_block  # noqa: E402
from tdmkit import (Ami, Phone, dominant, fail, free_port, loudest_window, measure_until, near, raw_s16, rms,  # noqa: E402
                    run, tone_at, wav_samples, write_wav)

MIX = ['DAHDI/2', 'Console/dsp', 'Local/dev@paged', 'SIP/alice']
HELD = []  # the RTP block's lock, held for the whole test


def sip_phone_config(kit):
    """pjsip.conf for telephonyd and a baresip config dir for `alice` (auto-answer, PCMU, records
    what it hears into <work>/heard), as tests/integration/test_sip_baresip_media.sh runs it."""
    # SIP and RTP ports out of other tests' way (a block by pid could be a parallel test's).
    p_sip, p_phone, p_ctrl = freeport('udp', '127.0.0.1'), freeport_baresip(), free_port()
    rtp, lock = rtp_block()
    HELD.append(lock)
    kit.write('rtp.conf', '[general]\nrtpstart=%d\nrtpend=%d\nbindaddr=127.0.0.1\n' % (rtp, rtp + 49))
    kit.write('pjsip.conf', '[udp]\ntype=transport\nprotocol=udp\nbind=127.0.0.1:%d\n\n'
                            '[alice]\ntype=endpoint\ncontext=phones\ndisallow=all\nallow=ulaw\naors=alice\n\n'
                            '[alice]\ntype=aor\nmax_contacts=1\n' % p_sip)
    conf = kit.path('baresip')
    os.makedirs(conf)
    os.makedirs(kit.path('heard'))
    silence = kit.path('silence.wav')
    write_wav(silence, 1000, 20, amp=0)  # the phone's microphone: silence, so only the page is heard
    with open(os.path.join(conf, 'config'), 'w') as f:
        f.write('poll_method epoll\nsip_listen 127.0.0.1:%d\nnet_interface 127.0.0.1\n'
                'call_max_calls 1\naudio_player alsa,null\naudio_alert alsa,null\naudio_source aufile,%s\n'
                'rtp_ports %d-%d\nrtcp_mux no\njitter_buffer_delay 5-10\nmodule_path /usr/lib/baresip/modules\n'
                'module g711.so\nmodule aufile.so\nmodule alsa.so\nmodule sndfile.so\nsnd_path %s\n'
                'module_tmp uuid.so\nmodule_tmp account.so\nmodule_app menu.so\nmodule_app ctrl_tcp.so\n'
                'ctrl_tcp_listen 127.0.0.1:%d\n'
                % (p_phone, silence, rtp + 50, rtp + 59, kit.path('heard'), p_ctrl))
    with open(os.path.join(conf, 'accounts'), 'w') as f:
        f.write('<sip:alice@127.0.0.1:%d>;regint=300;answermode=auto;audio_codecs=PCMU\n' % p_sip)
    # No digest auth: baresip 1.0's libre answers a 401 that offers both MD5 and SHA-256 challenges
    # with "Register: Function not implemented" (the registrar offers both, RFC 8760).
    return conf


def start_sip_phone(kit, conf):
    if not shutil.which('baresip'):
        fail('baresip is missing (Debian package baresip-core, in scripts/deps.sh)')
    log = open(kit.path('baresip.log'), 'w')
    proc = subprocess.Popen(['baresip', '-f', conf, '-t', '60'], stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT)
    kit.procs.append(proc)
    deadline = time.time() + 15
    while 'alice' not in kit.rx('pjsip show contacts'):
        if time.time() > deadline:
            with open(kit.path('baresip.log')) as f:
                fail('baresip did not register as alice: %s' % f.read()[-1500:])
        time.sleep(0.2)
    return proc


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
                                 'exten => page,1,Page(%s,q,10)\n'
                                 'exten => pages,1,Page(DAHDI/1&DAHDI/2,sq,10)\n'
                                 '[phone]\nexten => talk,1,ProbeTone(440,6)\n same => n,Hangup()\n'
                                 'exten => short,1,ProbeTone(440,2)\n same => n,Hangup()\n'
                                 '[paged]\nexten => dev,1,ProbeRecord(%s,10)\n'
                                 '[phones]\nexten => _X.,1,Wait(20)\n' % ('&'.join(MIX), local_rec))
    baresip_conf = sip_phone_config(kit)
    kit.start()
    ami = Ami(kit.ami_port)
    sip_phone = start_sip_phone(kit, baresip_conf)
    print('ok - baresip registered to telephonyd as SIP/alice')
    busy = Phone(kit, os.path.join(socks, '1'), name='busy')
    paged = Phone(kit, os.path.join(socks, '2'), 'phone', '--auto-answer', '1', name='paged')

    kit.rx('channel originate Local/page@pager extension talk@phone')
    paged.wait('answered', 10)
    time.sleep(1.0)
    m = measure_until(paged, tone_at(440), 1.0)
    if not tone_at(440)(m):
        fail('the DAHDI phone heard %s Hz at %s dBFS, the pager says 440 Hz' % (m.get('freq'), m.get('level')))
    print('ok - DAHDI/2 auto-answered and hears the page (%s Hz)' % m['freq'])
    ami.wait(lambda e: e.get('Event') == 'Hangup' and e.get('Channel') == 'Console/dsp', 15)
    ami.wait(lambda e: e.get('Event') == 'Hangup' and e.get('Channel', '').startswith('Local/dev@paged')
             and e.get('Channel', '').endswith(';2'), 15)
    deadline = time.time() + 5
    while not os.path.exists(local_rec) and time.time() < deadline:
        time.sleep(0.1)

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
    ami.wait(lambda e: e.get('Event') == 'Hangup' and e.get('Channel', '').startswith('SIP/alice-'), 15)
    heard = []
    deadline = time.time() + 5
    while not heard and time.time() < deadline:  # sndfile closes its file when the call ends
        heard = glob.glob(kit.path('heard', '*dec*.wav'))
        time.sleep(0.2)
    if not heard:
        fail('baresip recorded nothing of the page: %s' % os.listdir(kit.path('heard')))
    time.sleep(0.5)
    r, sip = wav_samples(heard[0])
    sip = loudest_window(sip, r, 0.5)
    f = dominant(sip, r, 200, 3000, 10)
    if not near(f, 440, 20) or rms(sip) < 300:
        fail('the SIP phone heard %s Hz at RMS %.0f, not the page' % (f, rms(sip)))
    print('ok - SIP/alice (baresip) heard the page in its RTP (%d Hz, RMS %.0f)' % (f, rms(sip)))
    sip_phone.terminate()

    # Page's s: DAHDI/1's phone is off-hook (in use), so only DAHDI/2 is paged.
    # Both lines' states must have settled before the page: DAHDI/2 idle again (its on-hook counts
    # after rxflash, 1.25 s), DAHDI/1 in use (fixed pauses of 1.5 s and 0.5 s were the margin).
    since = len(ami.msgs)
    paged.send('onhook')
    time.sleep(1.5)  # rxflash: the on-hook counts after 1.25 s
    ami.wait(lambda e: e.get('Event') == 'DeviceStateChange' and e.get('Device') == 'DAHDI/2'
             and e.get('State') == 'NOT_INUSE', 10, since)
    since = len(ami.msgs)
    busy.send('offhook')
    ami.wait(lambda e: e.get('Event') == 'DeviceStateChange' and e.get('Device') == 'DAHDI/1'
             and e.get('State') == 'INUSE', 10, since)
    before, since = len(ami.events('DialBegin')), len(ami.msgs)
    kit.rx('channel originate Local/pages@pager extension short@phone')
    paged.wait('answered', 10)
    # This page's hang-up of DAHDI/2, not the first page's (matched at once, it let the check below
    # run before this page's DialBegin had arrived on a loaded box).
    ami.wait(lambda e: e.get('Event') == 'Hangup' and e.get('Channel', '').startswith('DAHDI/2-'), 15, since)
    dialed = [e.get('DialString', '') + e.get('DestChannel', '') for e in ami.events('DialBegin')[before:]]
    if any('DAHDI/1' in d for d in dialed) or busy.all('ring'):
        fail('Page s dialled DAHDI/1 although its phone was off-hook: %s' % dialed)
    if not any('DAHDI/2' in d for d in dialed):
        fail('Page s did not dial DAHDI/2: %s' % dialed)
    if 'Skipping DAHDI/1: device state is INUSE' not in kit.tail(200):
        fail('the log does not say why DAHDI/1 was skipped')
    print('ok - option s skipped DAHDI/1 (off-hook: INUSE) and paged DAHDI/2')
    ami.close()


if __name__ == '__main__':
    run(test_page_mix)
