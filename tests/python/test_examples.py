"""The example scripts, run as a user runs them, against real (Local) devices started for the
test, with their output checked: examples/paging.py (embedded engine, YAML group, --ami against
telephonyd), examples/originate.py and the same job as call files (examples/callfiles/dial.sh).

Devices are Local channels until the SIP driver lands; the scripts take device strings as
arguments, so the same tests run against SIP phones by changing those strings."""
import csv
import io
import os
import shutil
import subprocess
import textwrap
import unittest

from support import EXAMPLES, ConfigDir, Telephonyd, demo_config, free_port, rms, run_script

PHONES = """
[phones]
; 201-203 answer and record what they hear for 3 s (ProbeRecord of telephonyd's media_probe
; module), 204 is busy, 205 never answers.
exten => _20[1-3],1,Answer()
 same => n,ProbeRecord(${REC}/${EXTEN}.wav,3)
 same => n,Hangup()
exten => 204,1,Busy(5)
exten => 205,1,Ringing()
 same => n,Wait(60)
; The pager: plays a prompt into the page, then hangs up (which ends the page).
exten => announce,1,Answer()
 same => n,Playback(hello-world)
 same => n,Wait(0.5)
 same => n,Hangup()
"""


class Paging(unittest.TestCase):
    def setUp(self):
        if not shutil.which("sox"):
            self.fail("sox is needed (make deps)")
        self.rec = ConfigDir({})
        self.addCleanup(self.rec.close)
        self.cfg = ConfigDir({"extensions.conf": f"[globals]\nREC={self.rec.path}\n" + PHONES,
                              "media_probe.conf": ""}, ami_port=free_port())
        self.addCleanup(self.cfg.close)

    def check_report(self, out, joined, failed):
        for dev in joined:
            self.assertIn(f"answered: {dev}", out)
            self.assertIn(f"joined: {dev}", out)
            self.assertIn(f"left: {dev}", out)
        for dev, status in failed.items():
            self.assertIn(f"not answered: {dev} ({status})", out)
        total = len(joined) + len(failed)
        self.assertIn(f"page result: {len(joined)} of {total} device(s) joined", out)

    def check_heard(self, devices):
        for dev in devices:
            path = os.path.join(self.rec.path, dev.split("/")[1].split("@")[0] + ".wav")
            self.assertTrue(os.path.exists(path), f"{dev} recorded nothing")
            self.assertGreater(rms(path), 0.01, f"{dev} did not hear the announcement")

    def test_engine_mode_partial_page(self):
        devices = ["Local/201@phones", "Local/202@phones", "Local/204@phones", "Local/205@phones"]
        # Ring time 1 s, shorter than the page (the pager's prompt is 1.4 s): 205 times out.
        r = run_script([os.path.join(EXAMPLES, "paging.py"), "--config-dir", self.cfg.path,
                        "--pager", "Local/announce@phones", "--timeout", "1", *devices], timeout=60)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.check_report(r.stdout, ["Local/201@phones", "Local/202@phones"],
                          {"Local/204@phones": "BUSY", "Local/205@phones": "NOANSWER"})
        self.check_heard(["Local/201@phones", "Local/202@phones"])

    def test_yaml_group_everyone_joins(self):
        group = self.cfg.file("group.yaml")
        with open(group, "w") as f:
            f.write(textwrap.dedent("""\
                name: test
                devices: [Local/201@phones, Local/202@phones, Local/203@phones]
                options: q
                timeout: 3
                pager: Local/announce@phones
                """))
        r = run_script([os.path.join(EXAMPLES, "paging.py"), "--config-dir", self.cfg.path, "--group", group],
                       timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.check_report(r.stdout, ["Local/201@phones", "Local/202@phones", "Local/203@phones"], {})

    def test_nobody_answers(self):
        r = run_script([os.path.join(EXAMPLES, "paging.py"), "--config-dir", self.cfg.path, "--pager",
                        "Local/announce@phones", "--timeout", "1", "Local/204@phones", "Local/205@phones"], timeout=60)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("page result: 0 of 2 device(s) joined", r.stdout)

    def test_ami_mode_against_telephonyd(self):
        with Telephonyd(self.cfg):
            r = run_script([os.path.join(EXAMPLES, "paging.py"), "--ami", f"127.0.0.1:{self.cfg.ami_port}",
                            "--user", "test", "--secret", "test", "--pager", "Local/announce@phones",
                            "--timeout", "2", "Local/201@phones", "Local/203@phones", "Local/204@phones"], timeout=60)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("via Asterisk Call Manager/", r.stdout)
        self.check_report(r.stdout, ["Local/201@phones", "Local/203@phones"], {"Local/204@phones": "BUSY"})
        self.check_heard(["Local/201@phones", "Local/203@phones"])

    def test_usage_errors(self):
        r = run_script([os.path.join(EXAMPLES, "paging.py"), "--config-dir", self.cfg.path])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("no devices", r.stderr)


CALLEES = """
[callees]
exten => _1XX,1,Answer()
 same => n,Wait(1)
 same => n,Hangup()
exten => _2XX,1,Busy(5)
exten => _3XX,1,Ringing()
 same => n,Wait(60)
exten => _4XX,1,Set(GLOBAL(TRIED_${EXTEN})=$[0${GLOBAL(TRIED_${EXTEN})} + 1])
 same => n,GotoIf($[${GLOBAL(TRIED_${EXTEN})} < 2]?busy)
 same => n,Answer()
 same => n,Wait(1)
 same => n,Hangup()
 same => n(busy),Busy(5)
[campaign]
exten => s,1,Wait(30)
"""

EXPECTED = {"101": (1, "ANSWERED"), "102": (1, "ANSWERED"), "103": (1, "ANSWERED"), "201": (2, "BUSY"),
            "301": (2, "NO ANSWER"), "401": (2, "ANSWERED")}


class Originate(unittest.TestCase):
    def test_csv_concurrency_retries(self):
        cfg = ConfigDir({"callees.conf": CALLEES, "numbers.csv": "number,name\n" + "".join(
            f"{n},x\n" for n in EXPECTED)})
        self.addCleanup(cfg.close)
        out = cfg.file("results.csv")
        r = run_script([os.path.join(EXAMPLES, "originate.py"), "--dialplan", cfg.file("callees.conf"),
                        cfg.file("numbers.csv"), "--out", out, "--concurrency", "2", "--retries", "1",
                        "--retry-delay", "0.5", "--ring-timeout", "1"], timeout=90)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with open(out) as f:
            rows = list(csv.DictReader(f))
        self.assertEqual([row["number"] for row in rows], list(EXPECTED))
        for row in rows:
            attempts, disposition = EXPECTED[row["number"]]
            self.assertEqual((int(row["attempts"]), row["disposition"]), (attempts, disposition), row)
            if disposition == "ANSWERED":
                self.assertTrue(0.7 <= float(row["duration"]) <= 2.5, row)
            else:
                self.assertEqual(float(row["duration"]), 0.0)
        # The log lines ("<t> start N" / "<t> end N ...") never show more than 2 calls up.
        up = peak = 0
        for line in r.stdout.splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[1] == "start":
                up += 1
                peak = max(peak, up)
            elif len(parts) >= 2 and parts[1] == "end":
                up -= 1
        self.assertEqual(peak, 2)


class CallFilesDriver(unittest.TestCase):
    def test_same_job_as_call_files(self):
        cfg = demo_config()
        self.addCleanup(cfg.close)
        numbers = cfg.file("numbers.csv")
        with open(numbers, "w") as f:
            f.write("number\n101\n201\n301\n401\n")
        with Telephonyd(cfg):
            r = subprocess.run(["bash", os.path.join(EXAMPLES, "callfiles", "dial.sh"), "-C", cfg.path, "-n", "2",
                                "-r", "1", "-d", "1", "-w", "1", numbers], capture_output=True, text=True,
                               timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        rows = {row["number"]: row for row in csv.DictReader(io.StringIO(r.stdout))}
        self.assertEqual(set(rows), {"101", "201", "301", "401"})
        expected = {"101": ("1", "ANSWERED"), "201": ("2", "BUSY"), "301": ("2", "NO ANSWER"), "401": ("2", "ANSWERED")}
        for number, (attempts, disposition) in expected.items():
            self.assertEqual((rows[number]["attempts"], rows[number]["disposition"]), (attempts, disposition),
                             r.stdout)
        self.assertGreaterEqual(float(rows["101"]["duration"]), 1.0)
        archived = os.listdir(cfg.file("spool", "outgoing_done"))
        self.assertEqual(len([n for n in archived if n.endswith(".call")]), 4)


if __name__ == "__main__":
    unittest.main()
