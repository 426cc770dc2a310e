#!/usr/bin/env python3
"""VOLUME, PITCH_SHIFT, DENOISE, AGC, MUTEAUDIO, TALK_DETECT and JITTERBUFFER through a real
telephonyd on Local channels, measured in the audio the other half of the call records.

TX cases: the ;2 half (dialplan) sets the function and plays a file; the ;1 half, originated
with ProbeRecord, records what it hears. RX cases: ;1 plays the file (Originate Playback) and ;2
sets the function and records what it reads. Every effect is compared with the same call without
the function, recorded in the same run: VOLUME(TX)=2 doubles the level the peer hears, -2 halves
it, VOLUME(RX)=3 triples it; PITCH_SHIFT moves a 500 Hz tone to 1000 / 750 Hz; DENOISE(tx) lowers
a white-noise floor while the tone stays; AGC(tx) raises a quiet voice-like signal; MUTEAUDIO
silences the named direction; with VOLUME(RX,p) a * from the far party raises the gain a step. TALK_DETECT raises ChannelTalkingStart when a tone starts after
silence and ChannelTalkingStop with a Duration close to the tone's length. JITTERBUFFER: the
request is accepted and read back; a bad one is refused with its reason in the log. The sounds
are made here (Python's wave module); the daemon is always stopped.
"""
import math
import os
import random
import struct
import sys
import time
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from amilib import Daemon, check  # noqa: E402

RATE = 8000


def write_wav(path, samples):
    with wave.open(path, 'wb') as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(struct.pack('<%dh' % len(samples), *[max(-32768, min(32767, int(round(s)))) for s in samples]))


def read_wav(path):
    with wave.open(path) as w:
        data = w.readframes(w.getnframes())
    return list(struct.unpack('<%dh' % (len(data) // 2), data))


def tone(hz, seconds, amplitude):
    return [amplitude * math.sin(2 * math.pi * hz * i / RATE) for i in range(int(seconds * RATE))]


def rms(s):
    return math.sqrt(sum(x * x for x in s) / max(len(s), 1))


def sounding(s, level=200):
    """The part between the first and the last 20 ms block whose peak reaches `level`."""
    blocks = [i for i in range(0, len(s), 160) if max((abs(x) for x in s[i:i + 160]), default=0) >= level]
    return s[blocks[0]:blocks[-1] + 160] if blocks else []


def middle(s):
    return s[len(s) // 4:3 * len(s) // 4]


def frequency(s):
    m = middle(sounding(s))
    crossings = sum(1 for a, b in zip(m, m[1:]) if (a < 0) != (b < 0))
    return crossings / 2 / (len(m) / RATE) if m else 0


def power(samples, hz):
    """Goertzel: the power of `hz` in the samples."""
    k = 2 * math.cos(2 * math.pi * hz / RATE)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + k * s1 - s2, s1
    n = max(len(samples), 1)
    return (s1 * s1 + s2 * s2 - k * s1 * s2) * 2 / (n * n)


# exten -> (direction, function setting or None, sound)
CASES = {
    'plain': ('tx', None, 'tone500'),
    'volup': ('tx', 'VOLUME(TX)=2', 'tone500'),
    'voldown': ('tx', 'VOLUME(tx)=-2', 'tone500'),
    'rxplain': ('rx', None, 'tone500'),
    'rxvol': ('rx', 'VOLUME(RX)=3', 'tone500'),
    'pitch': ('tx', 'PITCH_SHIFT(tx)=highest', 'tone500'),
    'rxpitch': ('rx', 'PITCH_SHIFT(RX)=1.5', 'tone500'),
    'noisy': ('tx', None, 'noisy'),
    'denoise': ('tx', 'DENOISE(tx)=on', 'noisy'),
    'quiet': ('tx', None, 'quiet'),
    'agc': ('tx', 'AGC(tx)=on', 'quiet'),
    'muteout': ('tx', 'MUTEAUDIO(out)=on', 'tone500'),
    'rxmute': ('rx', 'MUTEAUDIO(IN)=on', 'tone500'),
}


def make_sounds(snd):
    os.makedirs(snd)
    write_wav(os.path.join(snd, 'tone500.wav'), tone(500, 2.5, 4000))
    rnd = random.Random(16)
    noise = [rnd.gauss(0, 800) for _ in range(int(3.5 * RATE))]
    t = tone(500, 1.5, 4000) + [0.0] * int(2.0 * RATE)
    write_wav(os.path.join(snd, 'noisy.wav'), [a + b for a, b in zip(t, noise)])
    # A quiet voice-like signal: 200 Hz with harmonics, syllables of 250 ms with short gaps.
    quiet = []
    for i in range(int(4.0 * RATE)):
        on = (i % 2400) < 2000
        x = sum(math.sin(2 * math.pi * 200 * h * i / RATE) / h for h in (1, 2, 3, 4))
        quiet.append(250 * x if on else 0.0)
    write_wav(os.path.join(snd, 'quiet.wav'), quiet)
    write_wav(os.path.join(snd, 'talk.wav'), [0.0] * int(0.6 * RATE) + tone(1000, 1.0, 4000) + [0.0] * int(1.6 * RATE))


def dialplan(work):
    lines = ['[t]']
    for exten, (direction, setting, sound) in CASES.items():
        lines.append('exten => %s,1,Answer()' % exten)
        if setting:
            lines.append(' same => n,Set(%s)' % setting)
        if direction == 'tx':
            lines.append(' same => n,Playback(%s/snd/%s)' % (work, sound))
        else:
            lines.append(' same => n,ProbeRecord(%s/out/%s.wav,5)' % (work, exten))
        lines.append(' same => n,Hangup()')
    lines += [
        '; VOLUME(RX,p): the far party presses * (one step louder: 1 -> 2) before its tone.',
        'exten => volp,1,Answer()',
        ' same => n,Set(VOLUME(RX,p)=1)',
        ' same => n,ProbeRecord(%s/out/volp.wav,5)' % work,
        ' same => n,Hangup()',
        'exten => presser,1,Wait(0.3)',
        ' same => n,SendDTMF(*)',
        ' same => n,Wait(0.3)',
        ' same => n,Playback(%s/snd/tone500)' % work,
        ' same => n,Hangup()',
        'exten => talk,1,Answer()',
        ' same => n,Set(TALK_DETECT(set)=500)',
        ' same => n,Wait(5)',
        'exten => jb,1,Answer()',
        ' same => n,Set(JITTERBUFFER(adaptive)=300,,60)',
        ' same => n,Set(JB1=${JITTERBUFFER(adaptive)})',
        ' same => n,Set(JITTERBUFFER(fixed)=abc)',
        ' same => n,Set(JB2=${JITTERBUFFER(fixed)})',
        ' same => n,Set(JITTERBUFFER(disabled)=)',
        ' same => n,Set(JB3=${JITTERBUFFER(fixed)}.)',
        ' same => n,Hangup()',
    ]
    return '\n'.join(lines) + '\n'


def main():
    with Daemon({'extensions.conf': dialplan('@WORK@'), 'media_probe.conf': ''}, prefix='telephonyd-audiofx.') as d:
        work = d.work
        make_sounds(os.path.join(work, 'snd'))
        os.makedirs(os.path.join(work, 'out'))
        ami = d.ami()
        for exten, (direction, _, sound) in CASES.items():
            if direction == 'tx':
                ami.originate('Local/%s@t' % exten, 'ProbeRecord', '%s/out/%s.wav,5' % (work, exten))
            else:
                ami.originate('Local/%s@t' % exten, 'Playback', '%s/snd/%s' % (work, sound))
        ami.originate('Local/talk@t', 'Playback', '%s/snd/talk' % work)
        ami.originate('Local/volp@t', exten='presser', context='t')
        ami.originate('Local/jb@t', 'Wait', '1')

        def hung_up(exten, half):
            return lambda e: (e.get('Event') == 'Hangup' and e.get('Channel', '').startswith('Local/%s@t-' % exten)
                              and e.get('Channel', '').endswith(half))
        # Both halves: a recording closes when its ProbeRecord returns, before its channel's Hangup
        # (the ;1 half records the tx cases and goes after ;2: a fixed 0.3 s after ;2 raced a busy box).
        for exten in list(CASES) + ['volp']:
            for half in (';2', ';1'):
                ami.wait(hung_up(exten, half), 'the %s call ending (%s)' % (exten, half), 30)
        rec = {e: read_wav(os.path.join(work, 'out', e + '.wav')) for e in list(CASES) + ['volp']}

        def level(e):
            return rms(middle(sounding(rec[e], 100)))
        base, rxbase = level('plain'), level('rxplain')
        check(base > 2000 and rxbase > 2000, 'the plain calls carry the tone (rms %.0f tx, %.0f rx)' % (base, rxbase))
        up, down, rx3 = level('volup') / base, level('voldown') / base, level('rxvol') / rxbase
        check(1.85 <= up <= 2.15, 'VOLUME(TX)=2: the peer hears %.2fx the level' % up)
        check(0.45 <= down <= 0.55, 'VOLUME(tx)=-2: the peer hears %.2fx the level' % down)
        check(2.8 <= rx3 <= 3.2, 'VOLUME(RX)=3: what the channel reads is %.2fx the level' % rx3)
        volp = level('volp') / rxbase
        check(1.85 <= volp <= 2.15, 'VOLUME(RX,p)=1 then * from the far party: %.2fx the level' % volp)

        f0, f_tx, f_rx = frequency(rec['plain']), frequency(rec['pitch']), frequency(rec['rxpitch'])
        check(480 <= f0 <= 520, 'the plain tone measures %.0f Hz' % f0)
        check(900 <= f_tx <= 1100, 'PITCH_SHIFT(tx)=highest: the peer hears %.0f Hz' % f_tx)
        check(690 <= f_rx <= 810, 'PITCH_SHIFT(RX)=1.5: the channel reads %.0f Hz' % f_rx)

        # The noise-only second (the tone played for 1.5 s, the file lasts 3.5 s).
        def floor(e):
            s = rec[e]
            start = next(i for i, x in enumerate(s) if abs(x) > 1500)  # the call's audio starts
            return rms(s[start + int(2.2 * RATE):start + int(3.2 * RATE)]), power(s[start + int(0.5 * RATE):start + int(1.3 * RATE)], 500)
        (n0, p0), (n1, p1) = floor('noisy'), floor('denoise')
        check(n0 > 500 and n1 < n0 / 3, 'DENOISE(tx)=on: the noise floor falls from rms %.0f to %.0f' % (n0, n1))
        check(p1 > p0 / 4, 'DENOISE(tx)=on keeps the tone (power %.0f of %.0f)' % (p1, p0))

        q0, q1 = rms(rec['quiet'][-2 * RATE:]), rms(rec['agc'][-2 * RATE:])
        check(q0 > 50 and q1 > 2 * q0, 'AGC(tx)=on raises a quiet signal: rms %.0f -> %.0f over the last 2 s' % (q0, q1))

        m_out, m_in = rms(rec['muteout']), rms(rec['rxmute'])
        check(len(rec['muteout']) > RATE and m_out < 5, 'MUTEAUDIO(out)=on: the peer hears silence (rms %.1f over %.1f s)'
              % (m_out, len(rec['muteout']) / RATE))
        check(len(rec['rxmute']) > RATE and m_in < 5, 'MUTEAUDIO(IN)=on: the channel reads silence (rms %.1f)' % m_in)

        talker = ami.local_half('talk', 't')
        start = ami.event('ChannelTalkingStart', Channel=talker, timeout=10)
        stop = ami.event('ChannelTalkingStop', Channel=talker, timeout=10)
        check(start.get('Uniqueid') and start.get('ChannelState') == '6', 'ChannelTalkingStart carries the channel snapshot')
        duration = int(stop['Duration'])
        check(940 <= duration <= 1060, 'ChannelTalkingStop after the 1 s tone: Duration %d ms' % duration)
        check(ami.events.index(start) < ami.events.index(stop), 'start comes before stop')

        jb = ami.local_half('jb', 't')
        check(ami.var(jb, 'JB1') == 'adaptive,300,1000,60,no', 'JITTERBUFFER(adaptive)=300,,60 is accepted as Asterisk parses it')
        check(ami.var(jb, 'JB2') == 'adaptive,300,1000,60,no', 'a bad JITTERBUFFER request keeps the previous one')
        check(ami.var(jb, 'JB3') == '.', 'JITTERBUFFER(disabled) removes it')
        messages = os.path.join(d.etc, 'log', 'messages')  # logger.conf's file, in telephony.conf's logdir

        def logged():
            try:
                with open(messages) as f:
                    return "JITTERBUFFER: invalid max_size 'abc'" in f.read()
            except OSError:
                return False
        deadline = time.time() + 5
        while not logged() and time.time() < deadline:
            time.sleep(0.1)
        check(logged(), 'the bad request is logged with its reason (log/messages)')

        out = '\n'.join(ami.command('core show function TALK_DETECT'))
        check('ChannelTalkingStart' in out and 'dsp_silence_threshold' in out, 'core show function TALK_DETECT documents it')
    print('1..0 all passed')


if __name__ == '__main__':
    main()
