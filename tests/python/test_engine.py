"""telephony.Engine: life cycle, configuration, dialplan loading, originate, channels, variables."""
import os
import pathlib
import threading
import time
import unittest

import telephony
from telephony.dialplan import DialplanBuilder

from support import ConfigDir, demo_config, wait_for

DIALPLAN = """
[test]
exten => answer,1,Answer()
 same => n,Set(SEEN=yes)
 same => n,Wait(0.3)
 same => n,Hangup()
exten => busy,1,Busy(2)
exten => ring,1,Ringing()
 same => n,Wait(30)
exten => long,1,Answer()
 same => n,Wait(30)
[after]
exten => s,1,Set(ARRIVED=${CHANNEL})
 same => n,UserEvent(Arrived,Where: after)
 same => n,Wait(0.2)
"""


class EngineLifeCycle(unittest.TestCase):
    def test_start_stop_context_manager(self):
        engine = telephony.Engine(threads=2)
        self.assertFalse(engine.running)
        with engine as e:
            self.assertIs(e, engine)
            self.assertTrue(engine.running)
        self.assertFalse(engine.running)
        engine.stop()  # idempotent
        with self.assertRaises(telephony.EngineStoppedError):
            engine.start()

    def test_state_directory_of_a_code_engine_is_removed(self):
        with telephony.Engine(threads=1) as engine:
            spool = engine.spool_dir
            self.assertTrue(os.path.isdir(os.path.join(spool, "outgoing")))
        self.assertFalse(os.path.exists(spool))

    def test_config_dir_loads_like_telephonyd(self):
        cfg = ConfigDir({"extensions.conf": "[from-config]\nexten => s,1,Answer()\n same => n,Wait(0.2)\n"})
        self.addCleanup(cfg.close)
        with telephony.Engine(config_dir=cfg.path, threads=2) as engine:
            self.assertEqual(engine.config_dir, cfg.path)
            self.assertIn("from-config", engine.command("dialplan show"))
            r = engine.originate("Local/s@from-config", application="Wait", data="0.1")
            self.assertEqual(r.reason, telephony.OriginateReason.ANSWERED)
            self.assertEqual(os.path.realpath(engine.spool_dir), os.path.realpath(cfg.file("spool")))

    def test_the_demo_configuration_loads(self):
        cfg = demo_config()
        self.addCleanup(cfg.close)
        with telephony.Engine(config_dir=cfg.path, threads=1) as engine:
            self.assertIn("_4XX", engine.command("dialplan show callees"))
            self.assertEqual(engine.ami_port, cfg.ami_port)

    def test_a_broken_config_dir_names_file_and_line(self):
        # extensions.conf is lenient at start (bad lines are skipped with a warning, as pbx_config
        # does); manager.conf is not.
        cfg = ConfigDir({"manager.conf": "[general]\nenabled = yes\nport = notaport\nbindaddr = 127.0.0.1\n"})
        self.addCleanup(cfg.close)
        with self.assertRaises(telephony.ConfigError) as ctx:
            telephony.Engine(config_dir=cfg.path)
        errors = ctx.exception.errors
        self.assertTrue(errors)
        self.assertTrue(all("manager.conf:" in e for e in errors[:-1]), errors)
        self.assertIsInstance(ctx.exception, ValueError)

    def test_help_is_useful(self):
        doc = telephony.Engine.__doc__ + (telephony.Engine.originate.__doc__ or "")
        for word in ("config_dir", "context manager", "OriginateResult", "GIL"):
            self.assertIn(word, doc)


class Dialplans(unittest.TestCase):
    def setUp(self):
        self.engine = telephony.Engine(threads=2).start()
        self.addCleanup(self.engine.stop)

    def test_text_file_and_builder(self):
        self.engine.load_dialplan(DIALPLAN)
        self.assertIn("answer", self.engine.command("dialplan show test"))
        path = pathlib.Path(self.engine.dirs["run"]) / "x.conf"
        path.write_text("[from-file]\nexten => s,1,NoOp()\n")
        self.engine.load_dialplan(path)
        self.assertIn("from-file", self.engine.command("dialplan show"))
        self.engine.load_dialplan(str(path))
        b = DialplanBuilder()
        b.set_global("GREETING", "hi")
        (b.context("built").extension("100").step("Answer").step("Set", "X=${GREETING}", label="set")
         .step("Hangup"))
        b.context("built").include("test")
        self.engine.load_dialplan(b)
        shown = self.engine.command("dialplan show built")
        self.assertIn("Set(X=${GREETING})", shown)
        self.assertIn("(set)", shown)
        self.assertEqual(self.engine.get_global("GREETING"), "hi")

    def test_errors_keep_the_running_plan(self):
        self.engine.load_dialplan(DIALPLAN)
        with self.assertRaises(telephony.ConfigError) as ctx:
            self.engine.load_dialplan("[bad]\nsame => n,NoOp()\nexten => _[,1,NoOp()\n", name="bad.conf")
        self.assertGreaterEqual(len(ctx.exception.errors), 2)
        self.assertTrue(all(e.startswith("bad.conf:") for e in ctx.exception.errors), ctx.exception.errors)
        self.assertIn("answer", self.engine.command("dialplan show test"))

    def test_builder_refuses_duplicates(self):
        b = DialplanBuilder()
        ext = b.context("c").extension("1").at(1, "NoOp")
        with self.assertRaises(ValueError):
            ext.at(1, "NoOp")
        with self.assertRaises(ValueError):
            b.context("c").extension("_[").step("NoOp")
        plan = b.build()
        self.assertEqual(plan.contexts, ["c"])
        self.assertTrue(plan.exists("c", "1", 1))
        with self.assertRaises(RuntimeError):
            b.context("d")


class Originate(unittest.TestCase):
    def setUp(self):
        self.engine = telephony.Engine(threads=2).start()
        self.addCleanup(self.engine.stop)
        self.engine.load_dialplan(DIALPLAN)

    def test_outcomes(self):
        e = self.engine
        r = e.originate("Local/answer@test", application="Wait", data="0.2")
        self.assertTrue(r.answered)
        self.assertEqual(r.reason, telephony.OriginateReason.ANSWERED)
        self.assertTrue(r.channel.startswith("Local/answer@test-") and r.channel.endswith(";1"), r.channel)
        self.assertTrue(r.uniqueid)
        r = e.originate("Local/busy@test", application="Wait", data="1")
        self.assertEqual(r.reason, telephony.OriginateReason.BUSY)
        self.assertFalse(r)
        r = e.originate("Local/ring@test", application="Wait", data="1", timeout=0.5)
        self.assertEqual(r.reason, telephony.OriginateReason.NO_ANSWER)
        self.assertIn("ringing", r.reason.text.lower())  # Asterisk's reason text

    def test_to_context_with_variables_and_caller_id(self):
        events = self.engine.events("UserEvent", "VarSet")
        r = self.engine.originate("Local/answer@test", context="after", exten="s", variables={"CAMPAIGN": "x1"},
                                  caller_id='"Front desk" <100>', channel_id="orig-test-1")
        self.assertTrue(r.answered)
        self.assertEqual(r.uniqueid, "orig-test-1")
        seen = {}
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and "UserEvent" not in seen:
            ev = events.get(timeout=1)
            if ev is not None and ev.get("Uniqueid") == "orig-test-1":
                seen[ev.type] = ev
        self.assertEqual(seen["UserEvent"]["UserEvent"], "Arrived")
        self.assertEqual(seen["UserEvent"]["Where"], "after")
        self.assertEqual(seen["UserEvent"]["CallerIDNum"], "100")
        self.assertEqual(seen["UserEvent"]["Context"], "after")

    def test_refused_requests_raise(self):
        with self.assertRaises(telephony.OriginateError):
            self.engine.originate("Nope/1", application="Wait")
        with self.assertRaises(telephony.OriginateError):
            self.engine.originate("Local/answer@test", application="NoSuchApp")
        with self.assertRaises(telephony.OriginateError):
            self.engine.originate("Local/answer@test")  # nowhere to go

    def test_the_gil_is_released_while_waiting(self):
        ticks = []
        stop = threading.Event()

        def spin():
            while not stop.is_set():
                ticks.append(1)
                time.sleep(0.001)

        t = threading.Thread(target=spin)
        t.start()
        try:
            before = len(ticks)
            self.engine.originate("Local/ring@test", application="Wait", timeout=0.5)
            self.assertGreater(len(ticks) - before, 50)  # the other thread ran throughout
        finally:
            stop.set()
            t.join()


class Channels(unittest.TestCase):
    def setUp(self):
        self.engine = telephony.Engine(threads=2).start()
        self.addCleanup(self.engine.stop)
        self.engine.load_dialplan(DIALPLAN)

    def test_list_variables_functions_hangup(self):
        e = self.engine
        hangups = e.events("Hangup")
        r = e.originate("Local/long@test", application="Wait", data="30")
        chan = e.channel(r.channel)
        self.assertIsNotNone(chan)
        self.assertEqual(e.channel(r.uniqueid), chan)
        names = {c.name for c in e.channels()}
        self.assertIn(r.channel, names)
        self.assertIn(r.channel.replace(";1", ";2"), names)
        self.assertEqual(chan.state, telephony.ChannelState.UP)
        self.assertEqual(chan.state.text, "Up")
        chan.set_variable("COLOR", "blue")
        self.assertEqual(chan.get_variable("COLOR"), "blue")
        self.assertIsNone(chan.get_variable("NOPE"))
        self.assertEqual(chan.get_variable("NOPE", "x"), "x")
        self.assertEqual(chan.variables()["COLOR"], "blue")
        chan.set_variable("CALLERID(name)", "Bob")
        self.assertEqual(chan.get_variable("CALLERID(name)"), "Bob")
        self.assertEqual(chan.caller_id[0], "Bob")
        self.assertEqual(chan.get_variable("LEN(hello)"), "5")
        with self.assertRaises(telephony.Error):
            chan.get_variable("NOSUCHFUNC(x)")
        chan.hangup(cause=17)
        ev = None
        while True:
            ev = hangups.get(timeout=5)
            if ev is None or ev["Channel"] == r.channel:
                break
        self.assertIsNotNone(ev)
        self.assertEqual(ev["Cause"], "17")
        self.assertTrue(wait_for(lambda: chan.hung_up, 5))
        with self.assertRaises(telephony.HangupError):
            chan.answer()
        self.assertTrue(wait_for(lambda: not e.channels(), 5))

    def test_command_user_event_globals(self):
        e = self.engine
        events = e.events("UserEvent")
        e.user_event("Hello", Key="value")
        ev = events.get(timeout=5)
        self.assertEqual((ev.type, ev["UserEvent"], ev["Key"]), ("UserEvent", "Hello", "value"))
        self.assertIn("Wait", e.command("core show applications"))
        with self.assertRaises(telephony.Error):
            e.command("no such command")
        e.set_global("G1", "v")
        self.assertEqual(e.get_global("G1"), "v")
        e.log("a line from Python")


if __name__ == "__main__":
    unittest.main()
