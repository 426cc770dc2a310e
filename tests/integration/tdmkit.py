"""Shared pieces of the TDM and console integration tests: a telephonyd on a temp config dir,
tdmphone processes driven line by line, a small AMI client, and tone checks.

Everything started here is stopped by Kit.close() (the tests call it in `finally`)."""
import math
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
TELEPHONYD = os.environ.get('TELEPHONYD') or os.path.join(ROOT, 'build', 'bin', 'telephonyd')
BIN = os.environ.get('TELEPHONY_BIN') or os.path.dirname(TELEPHONYD)
TDMPHONE = os.path.join(BIN, 'tdmphone')


def fail(msg):
    raise AssertionError(msg)


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Phone:
    """One tdmphone: commands on stdin, events ("<ms> <name> <args>") read by a thread."""

    def __init__(self, kit, socket_path, role='phone', *extra, name=None):
        if not os.path.exists(TDMPHONE):
            fail('tdmphone is missing: build the tdmphone target (%s)' % TDMPHONE)
        self.name = name or os.path.basename(socket_path)
        args = [TDMPHONE, '--socket', socket_path, '--role', role, '--name', self.name] + list(extra)
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, bufsize=1)
        kit.procs.append(self.proc)
        self.events = []
        self.cv = threading.Condition()
        self.cursor = 0
        threading.Thread(target=self._read, daemon=True).start()
        self.wait('ready', 5)

    def _read(self):
        for line in self.proc.stdout:
            parts = line.strip().split(' ', 2)
            if len(parts) < 2 or not parts[0].isdigit():
                continue
            ev = {'t': int(parts[0]), 'event': parts[1], 'args': parts[2] if len(parts) > 2 else ''}
            # key=value pairs; a value runs until the next " key=" (caller ID names have spaces)
            for k, v in re.findall(r'(\w+)=(.*?)(?= \w+=|$)', ev['args']):
                ev.setdefault(k, v)
            with self.cv:
                self.events.append(ev)
                self.cv.notify_all()

    def send(self, *commands):
        for c in commands:
            self.proc.stdin.write(c + '\n')
        self.proc.stdin.flush()

    def wait(self, name, timeout=10, pred=None):
        """The next event called `name` (after the previous wait's match) for which pred holds."""
        deadline = time.time() + timeout
        with self.cv:
            while True:
                for i in range(self.cursor, len(self.events)):
                    ev = self.events[i]
                    if ev['event'] == name and (pred is None or pred(ev)):
                        self.cursor = i + 1
                        return ev
                left = deadline - time.time()
                if left <= 0:
                    fail('%s: no "%s" event within %ss; saw %s' % (self.name, name, timeout,
                                                                  [e['event'] + ' ' + e['args'] for e in self.events[-12:]]))
                self.cv.wait(left)

    def all(self, name):
        with self.cv:
            return [e for e in self.events if e['event'] == name]

    def measure(self, seconds=0.6):
        self.send('measure %s' % seconds)
        return self.wait('measure', seconds + 5)

    def close(self):
        if self.proc.poll() is None:
            try:
                self.send('quit')
                self.proc.wait(2)
            except Exception:
                self.proc.kill()


class Ami:
    def __init__(self, port, user='test', secret='secret'):
        self.sock = socket.create_connection(('127.0.0.1', port), timeout=10)
        self.buf = b''
        self.msgs = []
        self.cv = threading.Condition()
        self.seq = 0
        threading.Thread(target=self._read, daemon=True).start()
        r = self.action('Login', Username=user, Secret=secret)
        if r.get('Response') != 'Success':
            fail('AMI login failed: %s' % r)

    def _read(self):
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            self.buf += data
            while b'\r\n\r\n' in self.buf:
                raw, self.buf = self.buf.split(b'\r\n\r\n', 1)
                msg = {}
                for line in raw.decode(errors='replace').split('\r\n'):
                    if ': ' in line:
                        k, v = line.split(': ', 1)
                        msg.setdefault(k, v)
                with self.cv:
                    self.msgs.append(msg)
                    self.cv.notify_all()

    def action(self, name, timeout=10, **fields):
        self.seq += 1
        aid = 'a%d' % self.seq
        lines = ['Action: %s' % name, 'ActionID: %s' % aid] + ['%s: %s' % kv for kv in fields.items()]
        self.sock.sendall(('\r\n'.join(lines) + '\r\n\r\n').encode())
        return self.wait(lambda m: m.get('ActionID') == aid and 'Response' in m, timeout)

    def list_action(self, name, complete, timeout=10, **fields):
        self.seq += 1
        aid = 'a%d' % self.seq
        lines = ['Action: %s' % name, 'ActionID: %s' % aid] + ['%s: %s' % kv for kv in fields.items()]
        self.sock.sendall(('\r\n'.join(lines) + '\r\n\r\n').encode())
        self.wait(lambda m: m.get('ActionID') == aid and m.get('Event') == complete, timeout)
        with self.cv:
            return [m for m in self.msgs if m.get('ActionID') == aid and 'Event' in m and m.get('Event') != complete]

    def wait(self, pred, timeout=10, since=0):
        """The first message (from index `since` of everything received) matching `pred`."""
        deadline = time.time() + timeout
        with self.cv:
            while True:
                for m in self.msgs[since:]:
                    if pred(m):
                        return m
                left = deadline - time.time()
                if left <= 0:
                    fail('AMI: nothing matched within %ss; last: %s' % (timeout, self.msgs[-5:]))
                self.cv.wait(left)

    def events(self, name):
        with self.cv:
            return [m for m in self.msgs if m.get('Event') == name]

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Kit:
    """A temp config dir, telephonyd on it, and cleanup of everything started."""

    def __init__(self, name):
        self.work = tempfile.mkdtemp(prefix='tdm-it-%s.' % name)
        self.etc = os.path.join(self.work, 'etc')
        os.makedirs(self.etc)
        self.procs = []
        self.daemon = None
        self.ami_port = free_port()
        self.env = dict(os.environ)
        self.write('telephony.conf', '[directories]\nspooldir => spool\nrundir => run\nlogdir => log\n'
                                     'astdbdir => db\nrecordingsdir => rec\n')
        self.write('manager.conf', '[general]\nenabled=yes\nport=%d\nbindaddr=127.0.0.1\n\n'
                                   '[test]\nsecret=secret\nread=all\nwrite=all\n' % self.ami_port)
        self.write('media_probe.conf', '')

    def path(self, *p):
        return os.path.join(self.work, *p)

    def write(self, name, text):
        with open(os.path.join(self.etc, name), 'w') as f:
            f.write(text)

    def start(self):
        self.log = open(self.path('daemon.log'), 'w')
        self.daemon = subprocess.Popen([TELEPHONYD, '-C', self.etc, '-f'], stdout=self.log, stderr=subprocess.STDOUT,
                                       env=self.env)
        self.procs.append(self.daemon)
        ctl = os.path.join(self.etc, 'run', 'telephonyd.ctl')
        deadline = time.time() + 15
        while not os.path.exists(ctl):
            if self.daemon.poll() is not None:
                fail('telephonyd exited at start:\n' + self.tail())
            if time.time() > deadline:
                fail('telephonyd did not create its control socket')
            time.sleep(0.05)

    def rx(self, command):
        return subprocess.run([TELEPHONYD, '-C', self.etc, '-rx', command], capture_output=True, text=True,
                              timeout=10).stdout

    def tail(self, n=60):
        try:
            with open(self.path('daemon.log')) as f:
                return ''.join(f.readlines()[-n:])
        except OSError:
            return ''

    def close(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                if p is self.daemon:
                    p.terminate()
                    try:
                        p.wait(3)
                    except subprocess.TimeoutExpired:
                        p.kill()
                else:
                    p.kill()
            try:
                p.wait(2)
            except Exception:
                pass
        if os.environ.get('KEEP_WORK'):
            print('work dir kept:', self.work)
        else:
            shutil.rmtree(self.work, ignore_errors=True)


def near(value, target, tol):
    return abs(float(value) - target) <= tol


def has_freq(ev, hz, tol=25):
    """A tdmphone measure event holds `hz` as its first or second peak."""
    return near(ev.get('freq', 0), hz, tol) or near(ev.get('freq2', 0), hz, tol)


def write_wav(path, freq, seconds, rate=8000, amp=8000):
    with wave.open(path, 'wb') as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b''.join(struct.pack('<h', int(amp * math.sin(2 * math.pi * freq * i / rate)))
                               for i in range(int(rate * seconds))))


def raw_s16(path):
    with open(path, 'rb') as f:
        data = f.read()
    return struct.unpack('<%dh' % (len(data) // 2), data[:len(data) // 2 * 2])


def goertzel(samples, rate, freq):
    k = 2 * math.cos(2 * math.pi * freq / rate)
    s1 = s2 = 0.0
    for x in samples:
        s0 = x + k * s1 - s2
        s2, s1 = s1, s0
    return (s1 * s1 + s2 * s2 - k * s1 * s2) / max(1, len(samples)) ** 2 * 2


def dominant(samples, rate, lo=100, hi=3500, step=10):
    best, best_p = 0, -1
    for f in range(lo, hi, step):
        p = goertzel(samples, rate, f)
        if p > best_p:
            best, best_p = f, p
    return best


def rms(samples):
    return math.sqrt(sum(x * x for x in samples) / max(1, len(samples)))


def wav_samples(path):
    with wave.open(path, 'rb') as w:
        data = w.readframes(w.getnframes())
        return w.getframerate(), struct.unpack('<%dh' % (len(data) // 2), data)


def loudest_window(samples, rate, seconds=0.5):
    """The `seconds` long slice with the most energy (skips silence before and after a call)."""
    n = int(rate * seconds)
    if len(samples) <= n:
        return samples
    best, best_e = 0, -1
    for start in range(0, len(samples) - n, n // 4):
        e = sum(x * x for x in samples[start:start + n:8])
        if e > best_e:
            best, best_e = start, e
    return samples[best:best + n]


def run(test):
    """Runs test(kit) with a fresh Kit, prints the daemon log on failure, exits non-zero."""
    kit = Kit(test.__name__)
    try:
        test(kit)
        print('ok - %s' % test.__name__)
    except AssertionError as e:
        print('FAIL: %s' % e)
        print('--- daemon log\n' + kit.tail())
        kit.close()
        sys.exit(1)
    kit.close()


def analog_features(kit, ports=4, extra=''):
    """Phone ports 1..ports on a socket span with chan_dahdi's flash features on (three-way
    calling, flash-hook transfer, call waiting with caller ID), callers named Alice, Bob, Carol,
    Dave…; a tone zone whose call-waiting tone repeats after 2 s (the test waits less), and a
    dialplan where a one-digit number dials that port and logs DIALSTATUS. Returns the socket dir."""
    socks = kit.path('tdm', 'phones')
    names = ['Alice', 'Bob', 'Carol', 'Dave', 'Erin', 'Frank']
    kit.write('system.conf', 'dynamic=sock,%s,%d,0\nfxoks=1-%d\n' % (socks, ports, ports))
    conf = ('[channels]\ncontext=phones\nsignalling=fxo_ks\nusecallerid=yes\nthreewaycalling=yes\ntransfer=yes\n'
            'callwaiting=yes\ncallwaitingcallerid=yes\n' + extra)
    for n in range(1, ports + 1):
        conf += 'callerid="%s" <100%d>\nchannel => %d\n' % (names[n - 1], n, n)
    kit.write('chan_dahdi.conf', conf)
    kit.write('indications.conf', '[general]\ncountry=fast\n\n[fast]\ndescription=us tones, short cadences\n'
                                  'ringcadence=1000,2000\ndial=350+440\nbusy=480+620/500,0/500\n'
                                  'ring=440+480/1000,0/2000\ncongestion=480+620/250,0/250\n'
                                  'callwaiting=440/300,0/2000\n'
                                  'dialrecall=!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100,!0/100,350+440\n')
    kit.write('extensions.conf', '[phones]\nexten => _X,1,Dial(DAHDI/${EXTEN},20)\n'
                                 ' same => n,Log(NOTICE,DIALDONE ${CHANNEL} ${DIALSTATUS})\n same => n,Hangup()\n')
    return socks


def silent(ev, db=-45):
    """A tdmphone measure event of silence (or near it)."""
    level = ev.get('level', '-inf')
    return level == '-inf' or float(level) < db


def tone_at(hz, tol=15, db=-40):
    """A predicate on a measure event: `hz` is its main frequency, at least `db` dBFS loud."""
    def ok(m):
        level = m.get('level')
        return near(m.get('freq', 0), hz, tol) and level not in (None, '-inf') and float(level) >= db
    return ok


def measure_until(phone, good, seconds=0.6, within=5.0):
    """Measures `phone` in windows of `seconds` until good(measurement) or `within` seconds
    passed, and returns the last measurement (the audio path may still be switching when a
    loaded box's first window starts)."""
    deadline = time.time() + within
    while True:
        m = phone.measure(seconds)
        if good(m) or time.time() >= deadline:
            return m


def hears(phone, freqs, what, absent=(), within=5.0):
    """Measures what `phone` hears: every frequency of `freqs` among its two peaks, none of `absent`.
    Measured again (0.6 s windows) until it does or `within` seconds passed: after a flash, an
    answer or a hang-up the audio path may still be switching when a loaded box's first window
    starts (the fixed pause before a check was the only margin)."""
    deadline = time.time() + within
    while True:
        m = phone.measure(0.6)
        missing = [f for f in freqs if not has_freq(m, f)]
        extra = [f for f in absent if has_freq(m, f)]
        if (not missing and not extra) or time.time() >= deadline:
            break
    for f in missing:
        fail('%s: %s should hear %s Hz, heard %s/%s Hz at %s dBFS' % (what, phone.name, f, m.get('freq'), m.get('freq2'),
                                                                     m.get('level')))
    for f in extra:
        fail('%s: %s should not hear %s Hz: %s' % (what, phone.name, f, m))
    return m
