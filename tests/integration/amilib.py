"""Shared helpers of the Python integration tests: a telephonyd started in the foreground on a
temporary configuration folder with AMI enabled, and a small AMI client that answers actions by
ActionID and keeps every event (with repeated headers such as Output kept in order).

    with Daemon({'extensions.conf': TEXT}) as d:
        ami = d.ami()
        ...

The daemon is always stopped and the folder removed, whatever the test does.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

TELEPHONYD = os.environ.get('TELEPHONYD') or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', '..', 'build', 'bin', 'telephonyd')


class Message(dict):
    """One AMI message: a dict of its headers (the last of a repeated header wins) and `pairs`,
    every header in order."""

    def __init__(self, pairs):
        super().__init__(pairs)
        self.pairs = pairs

    def all(self, key):
        return [v for k, v in self.pairs if k == key]


class Ami:
    def __init__(self, port):
        self.sock = socket.create_connection(('127.0.0.1', port), timeout=10)
        self.buf = b''
        self.events = []
        self.responses = {}
        self.cv = threading.Condition()
        self.seq = 0
        self.sock.recv(256)  # banner
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
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
                pairs = []
                for line in raw.decode(errors='replace').split('\r\n'):
                    if ': ' in line:
                        pairs.append(tuple(line.split(': ', 1)))
                    elif line.endswith(':'):
                        pairs.append((line[:-1], ''))
                m = Message(pairs)
                with self.cv:
                    if 'Response' in m and 'ActionID' in m and 'Event' not in m:
                        self.responses[m['ActionID']] = m
                    else:
                        self.events.append(m)
                    self.cv.notify_all()

    def action(self, name, *headers, timeout=10):
        self.seq += 1
        aid = 'it-%d' % self.seq
        text = 'Action: %s\r\nActionID: %s\r\n' % (name, aid)
        for k, v in headers:
            text += '%s: %s\r\n' % (k, v)
        self.sock.sendall((text + '\r\n').encode())
        with self.cv:
            if not self.cv.wait_for(lambda: aid in self.responses, timeout):
                raise AssertionError('no response to ' + name)
            return self.responses[aid]

    def command(self, line):
        """Output lines of a console command run through AMI."""
        return self.action('Command', ('Command', line)).all('Output')

    def originate(self, channel, app=None, data='', exten=None, context=None, variables=()):
        headers = [('Channel', channel), ('Async', 'true')]
        if app:
            headers += [('Application', app), ('Data', data)]
        else:
            headers += [('Context', context), ('Exten', exten), ('Priority', '1')]
        headers += [('Variable', v) for v in variables]
        r = self.action('Originate', *headers)
        if r.get('Response') != 'Success':
            raise AssertionError('Originate %s: %s' % (channel, r.get('Message')))

    def find(self, pred):
        with self.cv:
            return [e for e in self.events if pred(e)]

    def wait(self, pred, what, timeout=10):
        with self.cv:
            if not self.cv.wait_for(lambda: any(pred(e) for e in self.events), timeout):
                raise AssertionError('never saw ' + what)
            return next(e for e in self.events if pred(e))

    def event(self, name, what=None, timeout=10, **fields):
        """The first event `name` whose headers equal `fields`."""
        return self.wait(lambda e: e.get('Event') == name and all(e.get(k) == v for k, v in fields.items()),
                         what or '%s %s' % (name, fields), timeout)

    def var(self, chan, name, timeout=10):
        """The first value VarSet reported for `name` on `chan`."""
        return self.event('VarSet', '%s on %s' % (name, chan), timeout, Channel=chan, Variable=name).get('Value')

    def last_var(self, chan, name):
        values = [e.get('Value') for e in self.find(
            lambda e: e.get('Event') == 'VarSet' and e.get('Channel') == chan and e.get('Variable') == name)]
        return values[-1] if values else None

    def steps(self, chan):
        return [(e.get('Context'), e.get('Extension'), e.get('Priority'), e.get('Application'), e.get('AppData'))
                for e in self.find(lambda e: e.get('Event') == 'Newexten' and e.get('Channel') == chan)]

    def local_half(self, exten, context, half=2, timeout=10):
        """The name of the ;1 or ;2 channel of the newest Local pair for exten@context."""
        prefix = 'Local/%s@%s-' % (exten, context)
        suffix = ';%d' % half
        e = self.wait(lambda e: e.get('Event') == 'Newchannel' and e.get('Channel', '').startswith(prefix) and
                      e.get('Channel', '').endswith(suffix), 'Local %s for %s@%s' % (suffix, exten, context), timeout)
        return e['Channel']


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Daemon:
    """telephonyd on a temporary etc/ with the given files (name -> text) and AMI user it/itsecret."""

    def __init__(self, files, prefix='telephonyd-it.'):
        self.files = files
        self.prefix = prefix
        self.work = None
        self.proc = None
        self.port = None
        self.clients = []

    def __enter__(self):
        self.work = tempfile.mkdtemp(prefix=self.prefix)
        self.etc = os.path.join(self.work, 'etc')
        os.makedirs(self.etc)
        self.port = free_port()
        files = {
            'telephony.conf': '[directories]\nspooldir => spool\nrundir => run\nlogdir => log\ndbdir => db\n',
            'logger.conf': '[logfiles]\nmessages => notice,warning,error\n',
            'manager.conf': '[general]\nenabled = yes\nbindaddr = 127.0.0.1\nport = %d\n\n'
                            '[it]\nsecret = itsecret\nread = all\nwrite = all\n' % self.port,
        }
        files.update(self.files)
        for name, text in files.items():
            with open(os.path.join(self.etc, name), 'w') as f:
                f.write(text.replace('@WORK@', self.work))
        self.log_path = os.path.join(self.work, 'daemon.log')
        self.log = open(self.log_path, 'w')
        self.proc = subprocess.Popen([TELEPHONYD, '-C', self.etc, '-f'], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while True:
            try:
                socket.create_connection(('127.0.0.1', self.port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline or self.proc.poll() is not None:
                    raise AssertionError('AMI did not listen')
                time.sleep(0.05)
        return self

    def ami(self):
        a = Ami(self.port)
        r = a.action('Login', ('Username', 'it'), ('Secret', 'itsecret'))
        if r.get('Response') != 'Success':
            raise AssertionError('AMI login failed')
        self.clients.append(a)
        return a

    def tail(self, n=3000):
        try:
            with open(self.log_path) as f:
                return f.read()[-n:]
        except OSError:
            return ''

    def __exit__(self, kind, value, tb):
        for a in self.clients:
            try:
                a.sock.close()
            except OSError:
                pass
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if kind is not None:
            sys.stderr.write('--- daemon log\n' + self.tail())
        self.log.close()
        shutil.rmtree(self.work, ignore_errors=True)
        return False


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print('ok -', what)


def equal(got, want, what):
    if got != want:
        raise AssertionError('%s: got %r, want %r' % (what, got, want))
    print('ok -', what, '=', repr(got))
