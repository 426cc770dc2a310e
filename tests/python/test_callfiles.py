"""telephony.spool: call files written from Python, dialed by the engine's spooler (watched
directory), read back with the spooler's journal; the parser's refusals."""
import os
import time
import unittest

import telephony
from telephony.spool import CallFile, wait_done

DIALPLAN = """
[dest]
exten => 100,1,Answer()
 same => n,Wait(0.2)
 same => n,Hangup()
exten => 200,1,Busy(2)
[after]
exten => s,1,UserEvent(CallFileAnswered,Room: ${ROOM})
 same => n,Hangup()
exten => failed,1,UserEvent(CallFileFailed,Room: ${ROOM},Reason: ${REASON})
"""


class CallFiles(unittest.TestCase):
    def setUp(self):
        self.engine = telephony.Engine(threads=2).start()
        self.addCleanup(self.engine.stop)
        self.engine.load_dialplan(DIALPLAN)

    def test_written_dialed_archived(self):
        events = self.engine.events("UserEvent")
        cf = CallFile(channel="Local/100@dest", context="after", extension="s", variables={"ROOM": "101"},
                      caller_id='"Desk" <100>', archive=True)
        path = cf.write(self.engine.spool_dir, "wake-101.call")
        self.assertTrue(path.endswith("outgoing/wake-101.call"))
        ev = events.get(timeout=10)
        self.assertEqual((ev["UserEvent"], ev["Room"]), ("CallFileAnswered", "101"))
        done = wait_done(self.engine.spool_dir, "wake-101.call", timeout=10)
        self.assertIsNotNone(done)
        self.assertEqual((done.status, done.attempts, done.channel), ("Completed", 1, "Local/100@dest"))
        self.assertFalse(os.path.exists(path))

    def test_retries_then_expires(self):
        events = self.engine.events("UserEvent")
        CallFile(channel="Local/200@dest", context="after", extension="s", max_retries=1, retry_time=1,
                 variables={"ROOM": "7"}, archive=True).write(self.engine.spool_dir, "busy.call")
        done = wait_done(self.engine.spool_dir, "busy.call", timeout=15)
        self.assertEqual((done.status, done.attempts), ("Expired", 2))
        reasons = []
        while len(reasons) < 2:
            ev = events.get(timeout=5)
            self.assertIsNotNone(ev)
            if ev["UserEvent"] == "CallFileFailed":
                reasons.append(ev["Reason"])
        self.assertEqual(reasons, ["5", "5"])  # busy, on each attempt

    def test_scheduled_file_waits_for_its_time(self):
        t0 = time.time()
        CallFile(channel="Local/100@dest", application="Wait", data="0.1", archive=True).write(
            self.engine.spool_dir, "later.call", when=t0 + 1.5)
        self.assertIsNone(wait_done(self.engine.spool_dir, "later.call", timeout=0.8))
        done = wait_done(self.engine.spool_dir, "later.call", timeout=10)
        self.assertEqual(done.status, "Completed")
        self.assertGreaterEqual(time.time() - t0, 1.4)

    def test_text_and_parse_round_trip(self):
        cf = CallFile(channel="SIP/alice", application="Playback", data="hello-world", max_retries=2,
                      variables={"A": "1", "B": "x=y"}, caller_id='"Bob" <202>')
        back = CallFile.parse(cf.text())
        self.assertEqual((back.channel, back.application, back.data, back.max_retries, back.variables, back.caller_id),
                         ("SIP/alice", "Playback", "hello-world", 2, {"A": "1", "B": "x=y"}, '"Bob" <202>'))
        with self.assertRaises(telephony.ConfigError) as ctx:
            CallFile.parse("Application: Wait\n", "broken.call")
        self.assertIn("broken.call", str(ctx.exception))
        with self.assertRaises(ValueError):
            CallFile(channel="SIP/x").text()


if __name__ == "__main__":
    unittest.main()
