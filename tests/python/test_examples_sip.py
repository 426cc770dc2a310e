"""The example scripts against SIP phones: two baresip phones (tests/python/baresip.py) as the demo
accounts alice and bob of examples/config/pjsip.conf.

- examples/paging.py --ami pages `SIP/alice SIP/bob` on a telephonyd running a copy of
  examples/config (free ports): both phones register with digest auth, answer, join the page and
  are hung up when the pager leaves; the pager's announcement is a 1000 Hz tone, measured in what
  each phone recorded.
- examples/originate.py calls SIP/alice (answers), SIP/bob (rings, never answers: retried) and
  SIP/carol (no such endpoint: fails at once) and writes the result CSV."""
import csv
import os
import socket
import unittest

from baresip import Phone, frequency, make_tone, registered, require_tools
from support import EXAMPLES, Telephonyd, demo_config, rms, run_script, wait_for

PASSWORDS = {"alice": "alice-demo-secret", "bob": "bob-demo-secret"}


def near(measured: int, expected: int) -> bool:
    return abs(measured - expected) <= expected // 20


class PagingSipPhones(unittest.TestCase):
    def setUp(self):
        require_tools(self)
        self.cfg = demo_config()
        self.addCleanup(self.cfg.close)
        self.mic = make_tone(self.cfg.file("mic440.wav"), 440, 60)
        self.tone = make_tone(self.cfg.file("page-tone.wav"), 1000, 2)

    def phone(self, user: str) -> Phone:
        p = Phone(user, PASSWORDS[user], self.cfg.sip_port, self.mic)
        self.addCleanup(p.close)
        return p.start()

    def test_page_two_registered_phones(self):
        with Telephonyd(self.cfg) as daemon:
            alice, bob = self.phone("alice"), self.phone("bob")
            self.assertTrue(wait_for(lambda: registered(daemon, "alice", "bob"), 15),
                            "phones did not register:\n" + daemon.rx("pjsip show contacts") + alice.log() + bob.log())
            r = run_script([os.path.join(EXAMPLES, "paging.py"), "--ami", f"127.0.0.1:{self.cfg.ami_port}",
                            "--user", "demo", "--secret", "demo", "--prompt", self.tone[:-4], "--hold", "0.5",
                            "--timeout", "5", "SIP/alice", "SIP/bob"], timeout=60)
            out = r.stdout + r.stderr
            self.assertEqual(r.returncode, 0, out + daemon.output()[-3000:])
        for dev in ("SIP/alice", "SIP/bob"):
            for what in ("answered", "joined", "left"):
                self.assertIn(f"{what}: {dev}", r.stdout)
        self.assertIn("page result: 2 of 2 device(s) joined", r.stdout)
        for phone in (alice, bob):
            heard = phone.wait_heard()
            self.assertEqual(len(heard), 1, f"{phone.user}: {heard}\n{phone.log()}")
            f = frequency(heard[0])
            self.assertTrue(near(f, 1000), f"{phone.user} heard {f} Hz, not the page's 1000 Hz")


class OriginateSipPhones(unittest.TestCase):
    def test_csv_to_sip_phones(self):
        require_tools(self)
        cfg = demo_config()
        self.addCleanup(cfg.close)
        mic = make_tone(cfg.file("mic440.wav"), 440, 60)
        # The engine runs inside originate.py, so the phones cannot register before it starts:
        # they are reached at static contacts (aor contact=), as a desk phone without
        # registration would be. alice answers at once, bob rings and is never answered.
        alice = Phone("alice", PASSWORDS["alice"], cfg.sip_port, mic, register=False)
        bob = Phone("bob", PASSWORDS["bob"], cfg.sip_port, mic, register=False, answer=False)
        for p in (alice, bob):
            self.addCleanup(p.close)
        with open(cfg.file("pjsip.conf")) as f:
            text = f.read()
        for p in (alice, bob):
            text = text.replace(f"[{p.user}](phone-aor)\n",
                                f"[{p.user}](phone-aor)\ncontact = sip:{p.user}@127.0.0.1:{p.sip_port}\n")
        with open(cfg.file("pjsip.conf"), "w") as f:
            f.write(text)
        numbers = cfg.file("numbers.csv")
        with open(numbers, "w") as f:
            f.write("number,name\nalice,Alice\nbob,Bob\ncarol,nobody\n")
        alice.start()
        bob.start()
        out = cfg.file("results.csv")
        r = run_script([os.path.join(EXAMPLES, "originate.py"), "--config-dir", cfg.path, "--device", "SIP/{number}",
                        numbers, "--out", out, "--retries", "1", "--retry-delay", "0.5", "--ring-timeout", "2",
                        "--application", "Playback", "--data", "hello-world"], timeout=90)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr + alice.log())
        with open(out) as f:
            rows = {row["number"]: row for row in csv.DictReader(f)}
        got = {n: (int(row["attempts"]), row["disposition"]) for n, row in rows.items()}
        self.assertEqual(got, {"alice": (1, "ANSWERED"), "bob": (2, "NO ANSWER"), "carol": (1, "FAILED")},
                         r.stdout + r.stderr)
        self.assertGreater(float(rows["alice"]["duration"]), 0.5, rows["alice"])  # hello-world is 1.4 s
        self.assertIn("retry bob in 0.5s", r.stdout)
        self.assertNotIn("retry alice", r.stdout)
        # alice really heard the call: the greeting's energy in her recording.
        heard = alice.wait_heard()
        self.assertEqual(len(heard), 1, alice.log())
        self.assertGreater(rms(heard[0]), 0.01, "alice heard silence")


if __name__ == "__main__":
    unittest.main()
