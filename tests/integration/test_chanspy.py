#!/usr/bin/env python3
"""ChanSpy and ExtenSpy through a real telephonyd on Local channels, measured in the audio.

Every spied call is Local/call<X>@test: its ;1 half runs ProbeRecord, saying NEAR Hz (440 unless
told) and recording what it hears (<X>-near.wav); its ;2 half is bridged by Dial to Local/far, whose
;2 half says FAR Hz (1000) and records what the far party hears (<X>-far.wav). A spy is
Local/spy@test: its ;2 half runs ChanSpy/ExtenSpy, its ;1 half says 1600 Hz and records what the
spy hears (<X>-spy.wav). Asterisk's beep is a 700 Hz tone.

Checked: listening hears both parties and not itself, with a beep first (not with q); w: the spied
channel hears the spy and its peer does not; B: both hear it; W: the spy hears nothing; d: 5
switches a listening spy to whisper; g(): only channels whose SPYGROUP shares a group; * moves to
the next channel; digits then # jump to <chanprefix>/<digits>; e() device lists; o (only the
spied channel's voice); v() and # volume (measured levels); E and x(); ExtenSpy picks channels by
exten@context, and S ends a spy that finds none; no spy is ever spied on; ChanSpyStart /
ChanSpyStop carry Spyer*/Spyee* snapshots; core show application and manager show event document
them. The daemon is always stopped.
"""
import math
import os
import struct
import sys
import time
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from amilib import Daemon, check  # noqa: E402

DIALPLAN = r'''[test]
exten => _call.,1,Answer()
 same => n,Set(SPYGROUP=${GRP})
 same => n,Dial(Local/far@test/n)
exten => _70XX,1,Answer()
 same => n,Dial(Local/far@test/n)
exten => far,1,Answer()
 same => n,ProbeRecord(@WORK@/${ID}-far.wav,${SECS},${FAR})
exten => spy,1,ChanSpy(${PREFIX},${OPTS})
 same => n,Set(SPYRESULT=continued)
exten => espy,1,ExtenSpy(${TARGET},${OPTS})
'''
BEEP_HZ, SPY_HZ = 700, 1600


def samples_of(path):
    with wave.open(path) as w:
        assert w.getframerate() == 8000 and w.getsampwidth() == 2, path
        data = w.readframes(w.getnframes())
    return list(struct.unpack('<%dh' % (len(data) // 2), data))


def power(samples, hz):
    """Goertzel: mean power of `hz` (amplitude^2 / 2 for a pure sine)."""
    k = 2 * math.cos(2 * math.pi * hz / 8000.0)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + k * s1 - s2, s1
    n = max(len(samples), 1)
    return (s1 * s1 + s2 * s2 - k * s1 * s2) * 2 / (n * n)


def rms(samples):
    return math.sqrt(sum(x * x for x in samples) / max(len(samples), 1))


def part(samples, start, end=None):
    return samples[int(start * 8000):None if end is None else int(end * 8000)]


class Scenario:
    def __init__(self, d, ami):
        self.d, self.ami = d, ami

    def path(self, name):
        return os.path.join(self.d.work, name)

    def call(self, x, near=440, far=1000, group='', secs=8, exten=None):
        """Starts call X (at extension callX unless told); returns the name of its bridged ;2 half."""
        exten = exten or 'call' + x
        self.ami.originate('Local/%s@test' % exten, 'ProbeRecord', '%s,%d,%d' % (self.path(x + '-near.wav'), secs, near),
                           variables=('__ID=' + x, '__FAR=%d' % far, '__SECS=%d' % secs, 'GRP=' + group))
        prefix = 'Local/%s@test-' % exten
        e = self.ami.wait(lambda e: e.get('Event') == 'BridgeEnter' and e.get('Channel', '').startswith(prefix),
                          'call %s bridged' % x, 15)
        return e['Channel']

    def spy(self, x, options, prefix=None, exten=None, secs=4):
        """Starts a spy recording into X-spy.wav; returns its ;2 half (the spy) name."""
        variables = ['OPTS=' + options]
        if exten:
            variables.append('TARGET=' + exten)
        else:
            variables.append('PREFIX=' + (prefix or 'Local/call%s@' % x))
        where = 'Local/%s@test' % ('espy' if exten else 'spy')

        def halves():
            return [e['Channel'] for e in self.ami.find(lambda e: e.get('Event') == 'Newchannel' and
                                                         e.get('Channel', '').startswith(where + '-') and
                                                         e.get('Channel', '').endswith(';2'))]
        known = len(halves())
        self.ami.originate(where, 'ProbeRecord', '%s,%d,%d' % (self.path(x + '-spy.wav'), secs, SPY_HZ),
                           variables=variables)
        deadline = time.time() + 10
        while len(halves()) <= known:
            assert time.time() < deadline, 'no channel for spy ' + x
            time.sleep(0.02)
        return halves()[known]


def spied_started(ami, spyer, spyee_prefix, timeout=10):
    return ami.wait(lambda e: e.get('Event') == 'ChanSpyStart' and e.get('SpyerChannel') == spyer and
                    e.get('SpyeeChannel', '').startswith(spyee_prefix), 'ChanSpyStart %s -> %s' % (spyer, spyee_prefix),
                    timeout)


def wait_hangup(ami, chan, timeout=20):
    ami.wait(lambda e: e.get('Event') == 'Hangup' and e.get('Channel') == chan, 'hangup of ' + chan, timeout)


def main():
    files = {'extensions.conf': DIALPLAN, 'media_probe.conf': ''}
    with Daemon(files, prefix='telephonyd-chanspy.') as d:
        ami = d.ami()
        s = Scenario(d, ami)

        # --- listen (with the beep), whisper, barge and private whisper, side by side ------------
        spyees, spies = {}, {}
        for x in ('L', 'W', 'B', 'P', 'O'):
            spyees[x] = s.call(x)
        for x, opts in (('L', 'b'), ('W', 'bqw'), ('B', 'bqB'), ('P', 'bqW'), ('O', 'bqo')):
            spies[x] = s.spy(x, opts)
        for x in spies:
            spied_started(ami, spies[x], spyees[x])
        for x in spies:
            wait_hangup(ami, spies[x])
        for x in spyees:
            wait_hangup(ami, spyees[x])
        time.sleep(0.3)
        rec = {}
        for x in spies:
            for who in ('spy', 'near', 'far'):
                rec[x, who] = samples_of(s.path('%s-%s.wav' % (x, who)))

        spy_l = rec['L', 'spy']
        body = part(spy_l, 1.0, 3.5)
        p = {hz: power(body, hz) for hz in (440, 1000, SPY_HZ)}
        check(p[440] > 1e5 and p[1000] > 1e5 and p[SPY_HZ] < p[440] / 100,
              'ChanSpy(b) hears both parties of the bridged call, not its own voice (%s)' % fmt(p))
        beep, quiet = power(part(spy_l, 0, 0.5), BEEP_HZ), power(part(rec['W', 'spy'], 0, 0.5), BEEP_HZ)
        check(beep > 1e5 and quiet < beep / 1000,
              'the spy hears a beep before listening, and none with q (700 Hz: %.0f vs %.0f)' % (beep, quiet))
        start = ami.event('ChanSpyStart', SpyerChannel=spies['L'])
        for k in ('SpyerChannelState', 'SpyerUniqueid', 'SpyerLinkedid', 'SpyeeChannelStateDesc', 'SpyeeUniqueid',
                  'SpyeeLinkedid', 'SpyeeContext', 'SpyeeExten', 'SpyeeCallerIDNum'):
            assert k in start, (k, start)
        check(start['SpyeeChannel'] == spyees['L'] and start['SpyeeChannelStateDesc'] == 'Up' and
              start.get('Privilege', '').startswith('call'),
              'ChanSpyStart names the spy (Spyer*) and the spied channel (Spyee*), class call')
        stop = ami.event('ChanSpyStop', SpyerChannel=spies['L'])
        check(stop['SpyeeChannel'] == spyees['L'], 'ChanSpyStop when the spy hangs up')

        near_w, far_w = part(rec['W', 'near'], 2.0), part(rec['W', 'far'], 2.0)
        pn, pf = power(near_w, SPY_HZ), power(far_w, SPY_HZ)
        check(pn > 1e5 and pf < pn / 1000 and power(far_w, 440) > 1e5,
              'w: the spied channel hears the spy (1600 Hz %.0f), its peer does not (%.0f)' % (pn, pf))
        pw = {hz: power(part(rec['W', 'spy'], 1.0, 3.5), hz) for hz in (440, 1000, SPY_HZ)}
        check(pw[440] > 1e5 and pw[1000] > 1e5 and pw[SPY_HZ] < pw[440] / 100,
              'w: the whispering spy still hears both parties (%s)' % fmt(pw))

        pn, pf = power(part(rec['B', 'near'], 2.0), SPY_HZ), power(part(rec['B', 'far'], 2.0), SPY_HZ)
        check(pn > 1e5 and pf > 1e5, 'B: both parties hear the barging spy (1600 Hz %.0f and %.0f)' % (pn, pf))

        pn, quiet_rms = power(part(rec['P', 'near'], 2.0), SPY_HZ), rms(part(rec['P', 'spy'], 0.5))
        check(pn > 1e5 and quiet_rms < 50,
              'W: the spied channel hears the spy, the spy hears silence (RMS %.1f)' % quiet_rms)

        po = {hz: power(part(rec['O', 'spy'], 1.0, 3.5), hz) for hz in (440, 1000)}
        check(po[440] > 1e5 and po[1000] < po[440] / 1000,
              'o: the spy hears only what the spied channel says (%s)' % fmt(po))

        # --- group filter, ExtenSpy, S with nothing to spy on, * cycling, d modes --------------
        spyees['Gs'] = s.call('Gs', group='sales:east')
        spyees['Gt'] = s.call('Gt', near=1200, far=2000, group='west:support')
        spyees['Ca'] = s.call('Ca', secs=9)
        spyees['Cb'] = s.call('Cb', near=1200, far=2000, secs=9)
        spyees['E'] = s.call('E', near=500, far=1300)
        spyees['D'] = s.call('D', secs=9)
        spies['G'] = s.spy('G', 'bqg(support:other)', prefix='Local/callG')
        spies['Ge'] = s.spy('Ge', 'bqe(SIP/100:Local/callGs@test)', prefix='Local/callG')
        spyees['N1'] = s.call('N1', secs=9, exten='7001')  # first in name order among the bridged
        spyees['N'] = s.call('N', near=1700, far=2300, secs=9, exten='7002')
        spies['N'] = s.spy('N', 'bq', prefix='Local', secs=6)
        spies['E'] = s.spy('E', 'bq', exten='callE@test')
        spies['C'] = s.spy('C', 'bq', prefix='Local/callC', secs=6)
        spies['D'] = s.spy('D', 'bqd', secs=6)
        spyees['V'] = s.call('V', secs=9)
        spies['V'] = s.spy('V', 'bqv(-4)', secs=6)
        spyees['H'] = s.call('H', secs=3)
        spies['H'] = s.spy('H', 'bqE', secs=8)
        spyees['X'] = s.call('X', secs=9)
        spies['X'] = s.spy('X', 'bqx(9)', secs=8)
        spied_started(ami, spies['G'], spyees['Gt'])
        spied_started(ami, spies['E'], 'Local/')
        first = spied_started(ami, spies['C'], 'Local/callCa@')
        for x in ('D', 'V', 'X'):
            spied_started(ami, spies[x], spyees[x])
        before = spied_started(ami, spies['N'], 'Local/')
        assert before['SpyeeChannel'] == spyees['N1'], before
        time.sleep(2.0)
        for spy, digit in ((spies['C'], '*'), (spies['D'], '5'), (spies['V'], '#'), (spies['X'], '9')):
            r = ami.action('PlayDTMF', ('Channel', spy[:-1] + '1'), ('Digit', digit), ('Duration', '100'))
            assert r.get('Response') == 'Success', r
        spied_started(ami, spies['C'], 'Local/callCb@')
        for digit in '7002#':  # digits then #: ChanSpy(Local) moves to Local/7002…
            r = ami.action('PlayDTMF', ('Channel', spies['N'][:-1] + '1'), ('Digit', digit), ('Duration', '80'))
            assert r.get('Response') == 'Success', r
            time.sleep(0.15)
        spied_started(ami, spies['N'], 'Local/7002@test-')
        none = s.spy('N0', 'qS', exten='nosuch@test')
        wait_hangup(ami, none, 5)
        # Spies G, Ge, C, D, V, N still listen at spy@test; Z runs at espy@test itself.
        self_spy = s.spy('Z', 'qS', exten='espy@test')
        other_spies = s.spy('Y', 'qS', exten='spy@test')
        for chan in (self_spy, other_spies):
            wait_hangup(ami, chan, 10)
        check(ami.var(spies['X'], 'SPYRESULT') == 'continued' and
              ami.find(lambda e: e.get('Event') == 'ChanSpyStop' and e.get('SpyerChannel') == spies['X']),
              'x(9): the exit digit ends ChanSpy and the dialplan continues')
        spied_started(ami, spies['H'], spyees['H'])
        wait_hangup(ami, spyees['H'])
        began = time.time()
        wait_hangup(ami, spies['H'], 5)
        check(time.time() - began < 3 and ami.last_var(spies['H'], 'SPYRESULT') == 'continued',
              'E: the spy leaves ChanSpy when the spied call hangs up (after %.1f s)' % (time.time() - began))
        for x in ('G', 'Ge', 'E', 'C', 'D', 'V', 'N'):
            wait_hangup(ami, spies[x])
        time.sleep(0.3)
        check(not ami.find(lambda e: e.get('Event') == 'ChanSpyStart' and e.get('SpyerChannel') == none),
              'ExtenSpy(nosuch@test,qS) finds nothing to spy on and ends (S)')
        # The ;1 halves (ProbeRecord) stand at the same extensions and may be spied on; the spies'
        # own ;2 halves never are, by themselves or by another spy.
        all_spies = set(spies.values()) | {none, self_spy, other_spies}
        starts = ami.find(lambda e: e.get('Event') == 'ChanSpyStart')
        wrong = [(e['SpyerChannel'], e['SpyeeChannel']) for e in starts if e.get('SpyeeChannel') in all_spies]
        looked = [e['SpyeeChannel'] for e in starts if e.get('SpyerChannel') in (self_spy, other_spies)]
        check(not wrong and looked and all(c.endswith(';1') for c in looked),
              'a spy never spies on itself nor on another spy (ExtenSpy(espy@test), ExtenSpy(spy@test) took only '
              'the %d ;1 halves there)' % len(looked))

        g = part(samples_of(s.path('G-spy.wav')), 0.5, 3.5)
        pg = {hz: power(g, hz) for hz in (440, 1000, 1200, 2000)}
        check(pg[1200] > 1e5 and pg[2000] > 1e5 and pg[440] < pg[1200] / 1000 and pg[1000] < pg[2000] / 1000,
              'g(support:other) spies only on the call whose SPYGROUP shares a group (%s)' % fmt(pg))
        assert not ami.find(lambda e: e.get('Event') == 'ChanSpyStart' and e.get('SpyerChannel') == spies['G'] and
                            e.get('SpyeeChannel') == spyees['Gs'])

        ge = part(samples_of(s.path('Ge-spy.wav')), 0.5, 3.5)
        pge = {hz: power(ge, hz) for hz in (440, 1000, 1200, 2000)}
        check(pge[440] > 1e5 and pge[1000] > 1e5 and pge[1200] < pge[440] / 1000,
              'e(SIP/100:Local/callGs@test) spies only on the listed device (%s)' % fmt(pge))

        n = samples_of(s.path('N-spy.wav'))
        pn = {hz: power(part(n, len(n) / 8000.0 - 1.2), hz) for hz in (1700, 2300)}
        check(pn[1700] > 1e5 and pn[2300] > 1e5, 'ChanSpy(Local): 7002# moves the spy to Local/7002… (%s)' % fmt(pn))

        e = part(samples_of(s.path('E-spy.wav')), 0.5, 3.5)
        pe = {hz: power(e, hz) for hz in (500, 1300, 440, 1000)}
        check(pe[500] > 1e5 and pe[1300] > 1e5 and pe[440] < pe[500] / 1000,
              'ExtenSpy(callE@test) listens to the call at that extension (%s)' % fmt(pe))
        starts = ami.find(lambda e: e.get('Event') == 'ChanSpyStart' and e.get('SpyerChannel') == spies['E'])
        assert all(x.get('SpyeeExten') == 'callE' and x.get('SpyeeContext') == 'test' for x in starts), starts

        c = samples_of(s.path('C-spy.wav'))
        early, late = part(c, 0.3, 1.8), part(c, len(c) / 8000.0 - 1.5)
        pa = {hz: power(early, hz) for hz in (440, 1200)}
        pb = {hz: power(late, hz) for hz in (440, 1200)}
        check(first['SpyeeChannel'] == spyees['Ca'] and pa[440] > 100 * pa[1200] and pb[1200] > 100 * pb[440],
              '* moves the spy from the first call to the next (%s, then %s)' % (fmt(pa), fmt(pb)))
        assert ami.find(lambda e: e.get('Event') == 'ChanSpyStop' and e.get('SpyerChannel') == spies['C'] and
                        e.get('SpyeeChannel') == spyees['Ca'])

        v = samples_of(s.path('V-spy.wav'))
        quiet_v, louder_v, plain = rms(part(v, 0.3, 1.8)), rms(part(v, len(v) / 8000.0 - 1.5)), rms(body)
        check(0.2 <= quiet_v / plain <= 0.3 and 1.2 <= louder_v / quiet_v <= 1.45,
              'v(-4) plays the call at 1/4, # raises it a step to 1/3 (%.2f, then %.2f of the plain level)'
              % (quiet_v / plain, louder_v / plain))

        doc = '\n'.join(ami.command('core show application ChanSpy'))
        check('ChanSpy([chanprefix][,options])' in doc and 'whisper' in doc and
              'ExtenSpy(exten[@context][,options])' in '\n'.join(ami.command('core show application ExtenSpy')),
              'core show application ChanSpy / ExtenSpy document them')
        ev_doc = '\n'.join(ami.command('manager show event ChanSpyStart'))
        check('SpyerChannel' in ev_doc and 'ChanSpyStop' in ev_doc, 'manager show event ChanSpyStart documents it')

        wait_hangup(ami, spyees['D'])
        time.sleep(0.3)
        near = samples_of(s.path('D-near.wav'))
        windows = [power(part(near, t / 10.0, t / 10.0 + 0.1), SPY_HZ) > 1e5 for t in range(int(len(near) / 800))]
        whispered = [i for i, w in enumerate(windows) if w]
        check(10 <= len(whispered) <= 50 and whispered == list(range(whispered[0], whispered[-1] + 1)),
              'd: the spy listens until 5 switches it to whisper (%.1f s of whisper in one stretch)'
              % (len(whispered) / 10.0))
    print('1..0 all passed')


def fmt(p):
    return ', '.join('%d Hz %.0f' % (hz, v) for hz, v in sorted(p.items()))


if __name__ == '__main__':
    main()
