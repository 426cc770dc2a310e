"""Ctrl-C: SIGINT to a script with calls up stops it cleanly — every channel hung up (its `h`
extension runs), exit status 130, no traceback — whether it blocks in plain code or in asyncio."""
import signal
import subprocess
import sys
import textwrap
import time
import unittest

from support import ConfigDir, python_env, wait_for

DIALPLAN = """
[long]
exten => 100,1,Answer()
 same => n,Verbose(0,CALL UP ${CHANNEL})
 same => n,Wait(60)
exten => app,1,Answer()
 same => n,Verbose(0,CALL UP ${CHANNEL})
 same => n,PyWait()
exten => h,1,Verbose(0,HANGUP RAN ${CHANNEL})
"""

SYNC_SCRIPT = """
import sys, telephony
try:
    with telephony.Engine(config_dir=sys.argv[1], threads=2) as engine:
        events = engine.events()
        for _ in range(3):
            engine.originate("Local/100@long", application="Wait", data="60")
        print("READY", flush=True)
        for ev in events:  # blocks in the engine, GIL released
            pass
except KeyboardInterrupt:
    print("INTERRUPTED", flush=True)
    sys.exit(130)
"""

ASYNC_SCRIPT = """
import asyncio, sys, telephony

async def py_wait(chan, args):
    await chan.read_digits(1, timeout=60)

async def main():
    async with telephony.Engine(config_dir=sys.argv[1], threads=2) as engine:
        engine.register_application("PyWait", py_wait)
        for _ in range(3):
            await engine.originate("Local/app@long", application="Wait", data="60")
        print("READY", flush=True)
        async for ev in engine.aevents():
            pass

try:
    asyncio.run(main())
except KeyboardInterrupt:
    print("INTERRUPTED", flush=True)
    sys.exit(130)
"""


class CtrlC(unittest.TestCase):
    def run_child(self, script):
        cfg = ConfigDir({"extensions.conf": DIALPLAN, "logger.conf": "[logfiles]\ncalls => verbose\n"})
        self.addCleanup(cfg.close)
        proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(script), cfg.path], env=python_env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        log = lambda: cfg.log("calls")  # noqa: E731
        self.assertTrue(wait_for(lambda: log().count("CALL UP") >= 3 or proc.poll() is not None, 15),
                        "calls did not come up: " + log())
        self.assertIsNone(proc.poll(), proc.stderr.read() if proc.poll() is not None else "")
        time.sleep(0.2)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
        elapsed = time.monotonic() - t0
        self.assertEqual(proc.returncode, 130, f"stdout: {out}\nstderr: {err}")
        self.assertIn("INTERRUPTED", out)
        self.assertNotIn("Traceback", err)
        self.assertLess(elapsed, 4.0)
        self.assertEqual(log().count(": HANGUP RAN"), 3, log())
        return elapsed

    def test_plain_script_blocked_in_an_event_iterator(self):
        self.run_child(SYNC_SCRIPT)

    def test_asyncio_script_with_a_coroutine_application(self):
        self.run_child(ASYNC_SCRIPT)


if __name__ == "__main__":
    unittest.main()
