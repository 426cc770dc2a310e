"""baresip phones for the Python tests: a headless baresip (Debian baresip-core) made from
tests/data/baresip/config.in (the template tests/integration/test_sip_baresip_media.sh uses too),
registered to a telephonyd with digest auth, answering by itself, sending a wav and recording what
it hears (sndfile module). Every phone is stopped by its own PID and its directory removed."""
from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest
from typing import Optional

from support import SOURCE_DIR, free_baresip_port, free_port, rtp_block, wait_for

TEMPLATE = os.path.join(SOURCE_DIR, "tests", "data", "baresip", "config.in")
TONE_FREQUENCY = os.path.join(SOURCE_DIR, "tests", "integration", "tone_frequency.py")


def require_tools(test: unittest.TestCase, *tools: str) -> None:
    for tool in ("baresip", "sox", *tools):
        if not shutil.which(tool):
            package = {"baresip": "baresip-core"}.get(tool, tool)
            test.fail(f"{tool} is needed (Debian package {package}: make deps)")


def make_tone(path: str, hz: int, seconds: float) -> str:
    """A 16-bit 8 kHz mono sine wav (sox)."""
    subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", "-e", "signed", path, "synth", str(seconds),
                    "sine", str(hz), "vol", "0.5"], check=True)
    return path


def frequency(path: str) -> int:
    """The tone's frequency in a wav (tests/integration/tone_frequency.py), 0 for silence."""
    out = subprocess.run([sys.executable, TONE_FREQUENCY, path], capture_output=True, text=True, check=True)
    return int(out.stdout.strip() or 0)


def rtp_range(size: int = 10) -> tuple[str, object]:
    """A range of `size` UDP ports for baresip's rtp_ports, in a block no other test holds (baresip
    binds them only when a call comes up: ports merely free now were once taken meanwhile by a
    parallel test's daemon or SIPp), and the lock that holds the block."""
    start, lock = rtp_block()
    return f"{start}-{start + size - 1}", lock


def fill_template(sip: str, ctrl: str, rtp: str, wav: str, heard: str) -> str:
    with open(TEMPLATE) as f:
        text = f.read()
    for key, value in {"SIP": sip, "CTRL": ctrl, "RTP": rtp, "WAV": wav, "HEARD": heard}.items():
        text = text.replace(f"@{key}@", value)
    return text


class Phone:
    """One baresip registered as `user` (password `password`) at 127.0.0.1:registrar_port
    (register=False: not registering, reached at a static contact), answering every call at once
    (answer=False: ringing until the caller gives up), sending `wav`."""

    def __init__(self, user: str, password: str, registrar_port: int, wav: str, register: bool = True,
                 answer: bool = True) -> None:
        self.user = user
        self.dir = tempfile.mkdtemp(prefix=f"baresip-{user}-")
        self.heard_dir = os.path.join(self.dir, "heard")
        os.mkdir(self.heard_dir)
        self.sip_port = free_baresip_port()
        rtp, self.rtp_lock = rtp_range()
        with open(os.path.join(self.dir, "config"), "w") as f:
            f.write(fill_template(f"127.0.0.1:{self.sip_port}", f"127.0.0.1:{free_port()}", rtp, wav,
                                  self.heard_dir))
        with open(os.path.join(self.dir, "accounts"), "w") as f:
            f.write(f"<sip:{user}@127.0.0.1:{registrar_port}>;auth_pass={password};regint={600 if register else 0};"
                    f"answermode={'auto' if answer else 'manual'};audio_codecs=PCMU\n")
        self.log_path = os.path.join(self.dir, "baresip.log")
        self.proc: Optional[subprocess.Popen] = None

    def start(self) -> "Phone":
        log = open(self.log_path, "w")
        self.proc = subprocess.Popen(["baresip", "-f", self.dir], stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=subprocess.STDOUT)
        log.close()
        return self

    def log(self) -> str:
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def heard(self) -> list[str]:
        """What the phone heard, one wav per call (sndfile's dump-*-dec.wav), oldest first."""
        return sorted(glob.glob(os.path.join(self.heard_dir, "*dec*.wav")), key=os.path.getmtime)

    def wait_heard(self, timeout: float = 10) -> list[str]:
        """Waits until the phone's recordings are complete (sndfile finalises them at hangup)."""
        wait_for(lambda: bool(self.heard()) and all(os.path.getsize(p) > 44 for p in self.heard()), timeout)
        return self.heard()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            # The first SIGTERM un-REGISTERs and waits for the answer; a second one skips that.
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def close(self) -> None:
        self.stop()
        self.rtp_lock.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def registered(daemon, *users: str) -> bool:
    """True once `pjsip show contacts` of the daemon lists a contact of every user."""
    out = daemon.rx("pjsip show contacts")
    return all(f"{u}/sip:" in out or f"{u}/" in out for u in users)
