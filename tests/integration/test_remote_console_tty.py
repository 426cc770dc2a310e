#!/usr/bin/env python3
"""`telephonyd -r` on a terminal (a pty): tab completion of command words and of channel names,
history with the Up arrow (also across sessions, from ~/.telephonyd_history), and line editing.
The daemon is always stopped."""
import os
import pty
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time

TELEPHONYD = os.environ.get('TELEPHONYD') or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', '..', 'build', 'bin', 'telephonyd')


class Tty:
    def __init__(self, etc, home):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ['HOME'] = home
            os.execv(TELEPHONYD, [TELEPHONYD, '-C', etc, '-r'])
        self.out = b''

    def read_until(self, needle, timeout=5):
        deadline = time.time() + timeout
        while needle.encode() not in self.out:
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError('did not see %r in %r' % (needle, self.out[-600:]))
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    self.out += os.read(self.fd, 4096)
                except OSError:
                    break
        return self.out

    def send(self, text):
        os.write(self.fd, text.encode())

    def mark(self):
        self.out = b''

    def close(self):
        try:
            self.send('\x04')
            os.waitpid(self.pid, 0)
        except OSError:
            pass


def main():
    work = tempfile.mkdtemp(prefix='telephonyd-tty-')
    etc = os.path.join(work, 'etc')
    home = os.path.join(work, 'home')
    os.makedirs(etc)
    os.makedirs(home)
    with open(os.path.join(etc, 'telephony.conf'), 'w') as f:
        f.write('[directories]\nspooldir => spool\nrundir => run\nlogdir => log\n')
    with open(os.path.join(etc, 'extensions.conf'), 'w') as f:
        f.write('[t]\nexten => 1,1,Answer()\n same => n,Wait(20)\n')
    daemon = subprocess.Popen([TELEPHONYD, '-C', etc, '-f'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        sock = os.path.join(etc, 'run', 'telephonyd.ctl')
        deadline = time.time() + 10
        while not os.path.exists(sock) and time.time() < deadline:
            time.sleep(0.05)
        subprocess.run([TELEPHONYD, '-C', etc, '-rx', 'channel originate Local/1@t application Wait 20'], check=True,
                       stdout=subprocess.DEVNULL)
        t = Tty(etc, home)
        t.read_until('telephonyd*CLI> ')
        # One candidate: completed with a blank.
        t.mark()
        t.send('core show upt\t')
        t.read_until('core show uptime ')
        t.send('\r')
        t.read_until('System uptime:')
        print('ok - Tab completes a unique command word')
        # Several candidates: extended to their common prefix, a second Tab lists them.
        t.mark()
        t.send('core show chan\t')
        t.read_until('core show channel')
        t.send('\t')
        t.read_until('channel  channels')
        print('ok - Tab extends to the common prefix, then lists the candidates')
        # The command's own completer: live channel names.
        t.send(' Loc\t')
        out = t.read_until(';')
        assert b'Local/1@t-' in out, out
        t.send('\x15')  # Ctrl-U clears the line
        print('ok - Tab completes channel names for core show channel')
        # Up arrow recalls the previous command; Enter runs it again.
        t.mark()
        t.send('\x1b[A\r')
        t.read_until('System uptime:')
        print('ok - Up arrow recalls the last command')
        t.close()
        hist = open(os.path.join(home, '.telephonyd_history')).read().split('\n')
        assert 'core show uptime' in hist, hist
        # A new session starts with the saved history.
        t = Tty(etc, home)
        t.read_until('telephonyd*CLI> ')
        t.mark()
        t.send('\x1b[A\r')
        t.read_until('System uptime:')
        t.close()
        print('ok - history persists in ~/.telephonyd_history')
    finally:
        daemon.terminate()
        try:
            daemon.wait(5)
        except subprocess.TimeoutExpired:
            daemon.kill()
        shutil.rmtree(work, ignore_errors=True)
    print('1..0 all passed')


if __name__ == '__main__':
    main()
