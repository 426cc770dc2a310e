"""Shared helpers of the Python binding tests: paths, temporary config directories, free ports,
a telephonyd started for a test (and always stopped), bounded waits.

ctest sets TELEPHONY_SOURCE_DIR, TELEPHONYD and PYTHONPATH (build/python); run by hand with
    PYTHONPATH=build/python python3 -m unittest discover -s tests/python -v
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest
from typing import Callable, Optional

SOURCE_DIR = os.environ.get("TELEPHONY_SOURCE_DIR") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD_DIR = os.environ.get("TELEPHONY_BUILD_DIR") or os.path.join(SOURCE_DIR, "build")
TELEPHONYD = os.environ.get("TELEPHONYD") or os.path.join(BUILD_DIR, "bin", "telephonyd")
EXAMPLES = os.path.join(SOURCE_DIR, "examples")
SOUNDS = "/usr/share/asterisk/sounds"


def python_env() -> dict:
    """Environment for a child Python that must import the build tree's package."""
    env = dict(os.environ)
    path = os.environ.get("PYTHONPATH") or os.path.join(BUILD_DIR, "python")
    env["PYTHONPATH"] = path
    env["PYTHONUNBUFFERED"] = "1"
    return env


# Free ports and RTP blocks as the integration tests take them (tests/integration/sip_probe.py):
# never inside the span their RTP blocks come from, where a parallel test's daemon binds RTP as
# its calls come up and its SIPp binds fixed media ports; a block held under a lock they honour.
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "integration"))
import sip_probe  # noqa: E402

rtp_block = sip_probe.rtp_block


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    return sip_probe.freeport("udp" if kind == socket.SOCK_DGRAM else "tcp", "127.0.0.1")


def free_baresip_port() -> int:
    """A port for baresip's sip_listen: it binds UDP and TCP there and TLS on the next port, so
    all three must be free (a plain free UDP port once collided with a parallel test)."""
    for _ in range(200):
        port = free_port(socket.SOCK_DGRAM)
        ok = port < 65535
        for p, kind in ((port, socket.SOCK_STREAM), (port + 1, socket.SOCK_STREAM)):
            with socket.socket(socket.AF_INET, kind) as s:
                try:
                    s.bind(("127.0.0.1", p))
                except OSError:
                    ok = False
        if ok:
            return port
    raise RuntimeError("no free port pair for baresip")


def wait_for(pred: Callable[[], bool], timeout: float = 10.0, interval: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(interval)
    return pred()


def require_prompts(test: unittest.TestCase, *names: str) -> None:
    for n in names:
        if not any(os.path.exists(os.path.join(SOUNDS, "en", n + ext)) for ext in (".wav", ".gsm", ".ulaw", ".alaw")):
            test.fail(f"prompt {n} is missing from {SOUNDS}/en (install asterisk-core-sounds-en-wav: make deps)")


class ConfigDir:
    """A temporary Asterisk-style configuration directory (removed on close)."""

    def __init__(self, files: dict[str, str], ami_port: Optional[int] = None) -> None:
        self.path = tempfile.mkdtemp(prefix="telephony-pytest-")
        self.ami_port = ami_port
        base = {
            "telephony.conf": "[directories]\nspooldir => spool\nrundir => run\nlogdir => log\ndbdir => db\n",
            "logger.conf": "[logfiles]\nmessages => error,warning,notice,verbose\n",
        }
        if ami_port is not None:
            base["manager.conf"] = textwrap.dedent(f"""\
                [general]
                enabled = yes
                bindaddr = 127.0.0.1
                port = {ami_port}
                [test]
                secret = test
                read = all
                write = all
                """)
        base.update(files)
        for name, text in base.items():
            with open(os.path.join(self.path, name), "w") as f:
                f.write(textwrap.dedent(text) if name not in files else text)

    def file(self, *parts: str) -> str:
        return os.path.join(self.path, *parts)

    def log(self, name: str = "messages") -> str:
        p = self.file("log", name)
        if not os.path.exists(p):
            return ""
        with open(p) as f:
            return f.read()

    def close(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def demo_config() -> ConfigDir:
    """A copy of examples/config (the demo of `make run`) with AMI and SIP on free ports."""
    port = free_port()
    sip_port = free_port(socket.SOCK_DGRAM)
    files = {}
    src = os.path.join(EXAMPLES, "config")
    for name in os.listdir(src):
        if name.endswith(".conf"):
            with open(os.path.join(src, name)) as f:
                text = f.read()
            if name == "manager.conf":
                text = text.replace("port = 5038", f"port = {port}")
            if name == "pjsip.conf":
                assert "bind = 127.0.0.1:5060" in text, "examples/config/pjsip.conf: transport bind changed"
                text = text.replace("bind = 127.0.0.1:5060", f"bind = 127.0.0.1:{sip_port}")
            files[name] = text
    cfg = ConfigDir(files)
    cfg.ami_port = port
    cfg.sip_port = sip_port
    return cfg


class Telephonyd:
    """telephonyd -f on a ConfigDir; stop() (or the context manager) always ends it."""

    def __init__(self, config: ConfigDir) -> None:
        if not os.access(TELEPHONYD, os.X_OK):
            raise unittest.SkipTest(f"telephonyd is not built ({TELEPHONYD})")
        self.config = config
        self.out = open(config.file("daemon.out"), "w+")
        self.proc = subprocess.Popen([TELEPHONYD, "-C", config.path, "-f"], stdout=self.out, stderr=subprocess.STDOUT)
        ok = wait_for(lambda: os.path.exists(config.file("run", "telephonyd.ctl")) or self.proc.poll() is not None, 10)
        if not ok or self.proc.poll() is not None:
            self.stop()
            raise AssertionError("telephonyd did not start:\n" + self.output())
        if config.ami_port is not None:
            wait_for(lambda: _port_open(config.ami_port), 5)

    def output(self) -> str:
        self.out.flush()
        self.out.seek(0)
        return self.out.read()

    def rx(self, command: str) -> str:
        return subprocess.run([TELEPHONYD, "-C", self.config.path, "-rx", command], capture_output=True, text=True,
                              timeout=10).stdout

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out.close()

    def __enter__(self) -> "Telephonyd":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def rms(path: str) -> float:
    """RMS amplitude (0..1) of a sound file, by sox."""
    out = subprocess.run(["sox", path, "-n", "stat"], capture_output=True, text=True).stderr
    m = re.search(r"RMS\s+amplitude:\s+([0-9.]+)", out)
    return float(m.group(1)) if m else 0.0


def run_script(args: list[str], timeout: float = 60, **kw) -> subprocess.CompletedProcess:
    """Runs a Python script of the repository with the build tree's package."""
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout, env=python_env(),
                          **kw)
