"""Dialplan applications and functions written in Python: plain and coroutine applications,
channel operations, hangup while Python runs, slow and raising callbacks, functions."""
import asyncio
import threading
import time
import unittest

import telephony

from support import ConfigDir, require_prompts, wait_for

DIALPLAN = """
[apps]
exten => sync,1,Answer()
 same => n,SyncApp(a,b\\,c,"d,e")
 same => n,Set(AFTER=${RESULT})
 same => n,UserEvent(Done,Result: ${RESULT})
exten => async,1,AsyncApp(x)
 same => n,UserEvent(Done,Result: ${RESULT})
exten => stop,1,Stopper()
 same => n,UserEvent(Done,Result: not reached)
exten => h,1,UserEvent(Hangup,Result: ${RESULT})
[keys]
; the far end of the application's Local channel: answers, then keys 1234# once the application
; has played its beep (0.43 s) and reads (Wait(1) left a loaded box too little for that)
exten => s,1,Answer()
 same => n,Wait(2)
 same => n,SendDTMF(1234#9)
 same => n,Wait(5)
exten => quiet,1,Answer()
 same => n,Wait(30)
[funcs]
exten => s,1,Set(X=${PYREAD(abc)})
 same => n,Set(PYWRITE(key)=${X}!)
 same => n,Set(Y=${PYSLOW()})
 same => n,Set(Z=${PYRAISE()})
 same => n,UserEvent(Done,X: ${X},Y: [${Y}],Z: [${Z}])
"""


def wait_user_event(events, name, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ev = events.get(timeout=max(0.01, deadline - time.monotonic()))
        if ev is not None and ev.type == "UserEvent" and ev["UserEvent"] == name:
            return ev
    raise AssertionError(f"no UserEvent {name} within {timeout}s")


class Applications(unittest.TestCase):
    def setUp(self):
        self.cfg = ConfigDir({})
        self.addCleanup(self.cfg.close)
        # From a config directory, so that the log goes to log/messages (logger.conf).
        self.engine = telephony.Engine(config_dir=self.cfg.path, threads=2)
        self.addCleanup(self.engine.stop)

    def start(self):
        self.engine.start()
        self.engine.load_dialplan(DIALPLAN)

    def test_sync_application_args_variables_and_threads(self):
        seen = {}

        def sync_app(chan, args):
            """Records what it got. Second line of help."""
            seen["args"] = args
            seen["thread"] = threading.current_thread().name
            seen["state"] = chan.state
            chan.set_variable("RESULT", "sync-ok")

        self.engine.register_application("SyncApp", sync_app)
        self.start()
        events = self.engine.events("UserEvent")
        self.engine.originate("Local/sync@apps", application="Wait", data="2")
        ev = wait_user_event(events, "Done")
        self.assertEqual(ev["Result"], "sync-ok")
        self.assertEqual(seen["args"], ["a", "b,c", "d,e"])
        self.assertTrue(seen["thread"].startswith("telephony-worker"), seen["thread"])
        self.assertEqual(seen["state"], telephony.ChannelState.UP)
        help_text = self.engine.command("core show application SyncApp")
        self.assertIn("Records what it got.", help_text)

    def test_async_application_answer_play_read_digits(self):
        require_prompts(self, "beep")
        seen = {}

        async def async_app(chan, args):
            seen["loop"] = asyncio.get_running_loop() is not None
            await chan.answer()
            seen["played"] = await chan.play("beep")
            seen["digits"] = await chan.read_digits(6, timeout=3)
            chan.set_variable("RESULT", seen["digits"])

        self.engine.register_application("AsyncApp", async_app)
        self.start()
        events = self.engine.events("UserEvent")
        # The application runs on ;1 (originate's channel, sent to apps,async); ;2 runs [keys] and
        # sends the digits.
        r = self.engine.originate("Local/s@keys", context="apps", exten="async")
        self.assertTrue(r.answered)
        ev = wait_user_event(events, "Done")
        self.assertEqual(ev["Result"], "1234")
        self.assertEqual(seen["played"], "")
        self.assertEqual(seen["digits"], "1234")

    def test_application_returning_hangup_ends_the_dialplan(self):
        self.engine.register_application("Stopper", lambda chan, args: telephony.HANGUP)
        self.start()
        events = self.engine.events("UserEvent")
        self.engine.originate("Local/stop@apps", application="Wait", data="2")
        ev = wait_user_event(events, "Hangup")
        self.assertEqual(ev.type, "UserEvent")

    def test_raising_application_is_logged_with_traceback_and_hangs_up(self):
        def broken(chan, args):
            raise RuntimeError("deliberate failure in a Python application")

        self.engine.register_application("Stopper", broken)
        self.start()
        events = self.engine.events("UserEvent")
        self.engine.originate("Local/stop@apps", application="Wait", data="2")
        wait_user_event(events, "Hangup")
        self.assertTrue(wait_for(lambda: "deliberate failure" in self.cfg.log(), 5), self.cfg.log())
        log = self.cfg.log()
        self.assertIn("Traceback (most recent call last)", log)
        self.assertIn("in broken", log)
        self.assertIn("application Stopper", log)

    def test_slow_sync_application_does_not_stall_other_calls(self):
        release = threading.Event()

        def slow(chan, args):
            if args == ["slow"]:
                release.wait(10)  # holds its worker thread, not an engine thread
            chan.set_variable("RESULT", args[0])

        self.engine.register_application("SyncApp", slow)
        self.start()
        self.engine.load_dialplan(DIALPLAN.replace("SyncApp(a,b\\,c,\"d,e\")", "SyncApp(${KIND})"))
        events = self.engine.events("UserEvent")
        self.engine.originate("Local/sync@apps", application="Wait", data="20", variables={"__KIND": "slow"})
        t0 = time.monotonic()
        for i in range(5):
            self.engine.originate("Local/sync@apps", application="Wait", data="2", variables={"__KIND": f"fast{i}"})
        results = set()
        while len(results) < 5:
            results.add(wait_user_event(events, "Done", 5)["Result"])
        self.assertEqual(results, {f"fast{i}" for i in range(5)})
        self.assertLess(time.monotonic() - t0, 4)
        release.set()
        self.assertEqual(wait_user_event(events, "Done", 5)["Result"], "slow")

    def test_worker_pool_grows_when_calls_wait_and_not_before(self):
        # Plain callbacks run on a pool of worker threads (2 to start). Calls one after another
        # never make it grow; four blocking callbacks at once do (a queued call that waited 5 ms
        # with every worker busy adds one), and all four run at the same time.
        release = threading.Event()
        running = set()
        lock = threading.Lock()

        def app(chan, args):
            if args[0].startswith("block"):
                with lock:
                    running.add(args[0])
                release.wait(10)
            chan.set_variable("RESULT", args[0])

        self.engine.register_application("SyncApp", app)
        self.start()
        self.engine.load_dialplan(DIALPLAN.replace("SyncApp(a,b\\,c,\"d,e\")", "SyncApp(${KIND})"))
        pool = self.engine._workers
        events = self.engine.events("UserEvent")
        for i in range(10):
            self.engine.originate("Local/sync@apps", application="Wait", data="1", variables={"__KIND": f"quick{i}"})
            self.assertEqual(wait_user_event(events, "Done", 5)["Result"], f"quick{i}")
        self.assertEqual(pool.spawned, 2, "sequential calls made the pool grow")
        t0 = time.monotonic()
        for i in range(4):
            self.engine.originate("Local/sync@apps", application="Wait", data="20", variables={"__KIND": f"block{i}"})
        self.assertTrue(wait_for(lambda: len(running) == 4, 5), f"only {sorted(running)} ran at once")
        self.assertLess(time.monotonic() - t0, 3)
        self.assertGreaterEqual(pool.size, 4)
        self.assertLessEqual(pool.spawned, 2 + 4)
        release.set()
        done = {wait_user_event(events, "Done", 5)["Result"] for _ in range(4)}
        self.assertEqual(done, {f"block{i}" for i in range(4)})

    def test_hangup_cancels_a_coroutine_and_abandons_a_sync_application(self):
        cancelled = threading.Event()
        running = threading.Event()
        late = {}

        async def waits_forever(chan, args):
            await chan.answer()
            running.set()
            try:
                await asyncio.sleep(60)  # not a channel operation: only cancellation ends it
            except asyncio.CancelledError:
                cancelled.set()
                raise

        started = threading.Event()

        def sync_sleeper(chan, args):
            started.set()
            time.sleep(0.5)
            try:
                chan.play("beep")
            except telephony.HangupError as exc:
                late["error"] = exc

        self.engine.register_application("AsyncApp", waits_forever)
        self.engine.register_application("SyncApp", sync_sleeper)
        self.start()
        r = self.engine.originate("Local/quiet@keys", application="AsyncApp")
        self.assertTrue(running.wait(5))
        self.engine.channel(r.channel).hangup()
        self.assertTrue(cancelled.wait(5), "the coroutine was not cancelled")
        r = self.engine.originate("Local/quiet@keys", application="SyncApp")
        self.assertTrue(started.wait(5))
        self.engine.channel(r.channel).hangup()
        self.assertTrue(wait_for(lambda: self.engine.channel(r.channel) is None, 2),
                        "the channel waited for the Python application")
        self.assertTrue(wait_for(lambda: "error" in late, 5))
        self.assertIsInstance(late["error"], telephony.HangupError)


class Functions(unittest.TestCase):
    def setUp(self):
        self.cfg = ConfigDir({})
        self.addCleanup(self.cfg.close)
        self.engine = telephony.Engine(config_dir=self.cfg.path, threads=2, function_timeout=0.5)
        self.addCleanup(self.engine.stop)

    def test_read_write_slow_raising(self):
        store = {}

        def pyread(chan, args):
            """Upper-cases its argument."""
            return args.upper() + ":" + chan.get_variable("CHANNEL(name)", "")[:5]

        def pywrite(chan, args, value):
            store[args] = value

        def pyslow(chan, args):
            time.sleep(2)
            return "late"

        def pyraise(chan, args):
            raise KeyError("deliberate failure in a Python function")

        e = self.engine
        e.register_function("PYREAD", read=pyread)
        e.register_function("PYWRITE", write=pywrite)
        e.register_function("PYSLOW", read=pyslow)
        e.register_function("PYRAISE", read=pyraise)
        with self.assertRaises(ValueError):
            e.register_function("NOTHING")
        e.start()
        e.load_dialplan(DIALPLAN)
        events = e.events("UserEvent")
        e.originate("Local/s@funcs", application="Wait", data="3")
        ev = wait_user_event(events, "Done")
        self.assertEqual(ev["X"], "ABC:Local")
        self.assertEqual(store, {"key": "ABC:Local!"})
        self.assertEqual(ev["Y"], "[]")  # timed out: empty value, logged
        self.assertEqual(ev["Z"], "[]")
        self.assertTrue(wait_for(lambda: "deliberate failure in a Python function" in self.cfg.log(), 5))
        log = self.cfg.log()
        self.assertIn("PYSLOW: the Python function did not return within 500 ms", log)
        self.assertIn("Traceback", log)
        self.assertIn("Upper-cases its argument.", e.command("core show function PYREAD"))

    def test_function_called_from_python_runs_inline(self):
        self.engine.register_function("PYREAD", read=lambda chan, args: f"inline:{threading.current_thread().name}")
        self.engine.start()
        self.engine.load_dialplan("[w]\nexten => s,1,Answer()\n same => n,Wait(5)\n")
        r = self.engine.originate("Local/s@w", application="Wait", data="5")
        chan = self.engine.channel(r.channel)
        self.assertEqual(chan.get_variable("PYREAD(x)"), f"inline:{threading.current_thread().name}")


if __name__ == "__main__":
    unittest.main()
