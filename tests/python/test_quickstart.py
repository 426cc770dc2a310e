"""docs/quickstart.md §2, "With a SIP phone", run as written: the test takes the doc's baresip
block itself and runs it with bash against a telephonyd on a copy of examples/config. What it
changes, and nothing else: the ports (telephonyd's 5060 and the phone's 5062 become free ones),
HOME (a temporary directory, where the block writes ~/.baresip), the sound card (ALSA's `null`
device for the speaker, a wav for the microphone, plus baresip's sndfile module recording what the
phone hears) and `-t` (baresip quits by
itself). Each change must apply, so a doc that drifts from the test fails it.

Checked: alice registers with the demo password, the call to 100 runs the demo greeting (the
daemon's console shows "Welcome to Example Corp: call from 201 on SIP/alice-..."), and the
greeting's energy is in baresip's recording of what it heard."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from baresip import make_tone, require_tools
from support import SOUNDS, SOURCE_DIR, Telephonyd, demo_config, free_baresip_port, rms, wait_for


def doc_block() -> str:
    with open(os.path.join(SOURCE_DIR, "docs", "quickstart.md")) as f:
        doc = f.read()
    section = doc[doc.index("### With a SIP phone"):]
    m = re.search(r"```sh\n(.*?)\n```", section, re.S)
    assert m, "docs/quickstart.md: no ```sh block under 'With a SIP phone'"
    return m.group(1)


def replace(text: str, old: str, new: str) -> str:
    assert old in text, f"docs/quickstart.md's baresip block no longer contains {old!r}"
    return text.replace(old, new)


def wav_seconds(path: str) -> float:
    out = subprocess.run(["soxi", "-D", path], capture_output=True, text=True)
    return float(out.stdout.strip() or 0)


class QuickstartFirstCall(unittest.TestCase):
    def test_baresip_block_of_the_doc(self):
        require_tools(self, "soxi")
        if not os.path.exists(os.path.join(SOUNDS, "en", "hello-world.wav")):
            self.fail("prompt hello-world is missing (asterisk-core-sounds-en-wav: make deps)")
        cfg = demo_config()
        self.addCleanup(cfg.close)
        home = tempfile.mkdtemp(prefix="quickstart-home-")
        self.addCleanup(shutil.rmtree, home, True)
        heard = os.path.join(home, "heard")
        os.mkdir(heard)
        phone_port = free_baresip_port()
        block = doc_block()
        block = replace(block, "127.0.0.1:5060", f"127.0.0.1:{cfg.sip_port}")
        block = replace(block, "127.0.0.1:5062", f"127.0.0.1:{phone_port}")
        # The microphone is a wav (ALSA's null capture is not paced: it would flood RTP).
        mic = make_tone(os.path.join(home, "mic.wav"), 440, 20)
        block = replace(block, "audio_source\talsa,default", f"audio_source\taufile,{mic}")
        block = replace(block, "alsa,default", "alsa,null")
        block = replace(block, "module_app\tmenu.so\n",
                        f"module_app\tmenu.so\nmodule\t\taufile.so\nmodule\t\tsndfile.so\nsnd_path\t{heard}\n")
        block = replace(block, 'baresip -f ~/.baresip -e "/dial 100"', 'exec baresip -f ~/.baresip -e "/dial 100" -t 8 </dev/null')
        env = dict(os.environ, HOME=home)
        with Telephonyd(cfg) as daemon:
            log = open(os.path.join(home, "baresip.log"), "w+")
            self.addCleanup(log.close)
            proc = subprocess.Popen(["bash", "-e", "-c", block], env=env, stdout=log, stderr=subprocess.STDOUT)
            self.addCleanup(lambda: proc.poll() is None and (proc.kill(), proc.wait()))
            registered = wait_for(lambda: "alice" in daemon.rx("pjsip show contacts"), 8, 0.2)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.seek(0)
            phone_log = log.read()
            out = daemon.output()
        self.assertEqual(proc.returncode, 0, phone_log)
        self.assertTrue(registered, "alice did not register:\n" + phone_log)
        self.assertRegex(out, r"Welcome to Example Corp: call from 201 on SIP/alice-[0-9a-f]{8}", out[-2000:])
        files = [os.path.join(heard, n) for n in os.listdir(heard) if "dec" in n and n.endswith(".wav")]
        self.assertEqual(len(files), 1, f"{os.listdir(heard)}\n{phone_log}")
        # hello-world is 1.4 s of speech (Wait(1) after it sends no RTP, so it is not recorded).
        self.assertTrue(1.0 <= wav_seconds(files[0]) <= 3.0, wav_seconds(files[0]))
        self.assertGreater(rms(files[0]), 0.01, "baresip heard silence instead of the greeting")


if __name__ == "__main__":
    unittest.main()
