"""telephony.ami against a real telephonyd: login (plain and MD5), actions and responses, list
actions, the event stream, Originate end to end, failures; and the codec on its own."""
import asyncio
import unittest

import telephony
from telephony import ami

from support import ConfigDir, Telephonyd, free_port

DIALPLAN = """
[test]
exten => 100,1,Answer()
 same => n,UserEvent(Reached,Who: ${CALLERID(num)})
 same => n,Wait(0.3)
 same => n,Hangup()
"""


class AgainstTelephonyd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cfg = ConfigDir({"extensions.conf": DIALPLAN}, ami_port=free_port())
        cls.daemon = Telephonyd(cls.cfg)

    @classmethod
    def tearDownClass(cls):
        cls.daemon.stop()
        cls.cfg.close()

    def client(self):
        c = ami.Client("127.0.0.1", self.cfg.ami_port, timeout=5)
        self.addCleanup(c.close)
        return c

    def test_login_ping_and_banner(self):
        c = self.client()
        r = c.login("test", "test")
        self.assertTrue(r.ok, r)
        self.assertTrue(c.banner.startswith("Asterisk Call Manager/"))
        pong = c.send("Ping")
        self.assertEqual(pong["Ping"], "Pong")
        self.assertTrue(pong.action_id)
        self.assertTrue(c.is_open)

    def test_md5_login_and_refusals(self):
        self.assertTrue(self.client().login("test", "test", md5=True).ok)
        with self.assertRaises(telephony.AMIError):
            self.client().login("test", "wrong")
        with self.assertRaises(telephony.AMIError):
            ami.Client("127.0.0.1", free_port(), timeout=1).login("test", "test")
        with self.assertRaises(telephony.AMIError):
            self.client().send("Ping")  # not connected

    def test_errors_come_back_as_responses(self):
        c = self.client()
        c.login("test", "test")
        r = c.send("Hangup", Channel="SIP/nobody-00000000")
        self.assertFalse(r.ok)
        self.assertEqual(r["Response"], "Error")
        self.assertEqual(r["Message"], "No such channel")

    def test_originate_and_events(self):
        c = self.client()
        c.login("test", "test")
        r = c.send("Originate", Channel="Local/100@test", Application="Wait", Data="1", CallerID="Ann <555>",
                   Async="true", ChannelId="ami-py-1")
        self.assertTrue(r.ok, r)
        seen = {}
        for ev in c.events("OriginateResponse", "UserEvent", "Hangup"):
            seen.setdefault(ev.type, ev)
            if ev.type == "Hangup" and ev["Uniqueid"] == "ami-py-1":
                break
        self.assertEqual(seen["OriginateResponse"]["Response"], "Success")
        self.assertEqual(seen["OriginateResponse"]["Uniqueid"], "ami-py-1")
        self.assertEqual(seen["UserEvent"]["Who"], "555")
        self.assertIsNone(seen["Hangup"].engine_type)
        self.assertIsNone(seen["Hangup"].seq)

    def test_list_action_and_command(self):
        c = self.client()
        c.login("test", "test")
        c.send("Originate", Channel="Local/100@test", Application="Wait", Data="2", Async="true")
        items = c.send_list("CoreShowChannels")
        self.assertTrue(items[0].ok)
        self.assertEqual(items[-1]["EventList"], "Complete")
        r = c.send("Command", Command="core show version")
        self.assertIn("telephonyd", "\n".join(r.get_all("Output")).lower() + str(r))

    def test_asyncio(self):
        port = self.cfg.ami_port

        async def main():
            async with ami.Client("127.0.0.1", port) as c:
                await c.login("test", "test")
                await c.send("UserEvent", UserEvent="FromAsync", Key="v")
                async for ev in c.aevents("UserEvent"):
                    if ev["UserEvent"] == "FromAsync":
                        return ev["Key"]

        self.assertEqual(asyncio.run(asyncio.wait_for(main(), 10)), "v")


class Codec(unittest.TestCase):
    def test_action_encode_parse(self):
        m = ami.action("Originate", {"Channel": "Local/1@x"}, Variable=["A=1", "B=2"], Async=True)
        wire = m.encode()
        self.assertEqual(wire, b"Action: Originate\r\nChannel: Local/1@x\r\nVariable: A=1\r\nVariable: B=2\r\n"
                               b"Async: True\r\n\r\n")
        p = ami.Parser(client=False)
        p.feed(wire[:10])
        self.assertEqual(p.messages(), [])
        p.feed(wire[10:] + b"Action: Ping\nActionID: 7\n\n")
        msgs = p.messages()
        self.assertEqual(len(msgs), 2)
        self.assertEqual(msgs[0], m)
        self.assertEqual(msgs[0]["variable"], ["A=1", "B=2"])
        self.assertEqual(msgs[1].action_id, "7")
        self.assertEqual(msgs[1].to_dict(), {"Action": "Ping", "ActionID": "7"})

    def test_rejected_input_names_the_problem(self):
        p = ami.Parser(client=False)
        p.feed(b"Action: Ping\r\nX: " + b"y" * 2000 + b"\r\n\r\n")
        with self.assertRaises(telephony.AMIError) as ctx:
            p.messages()
        self.assertIn("line too long", str(ctx.exception))
        self.assertIn("offset", str(ctx.exception))


if __name__ == "__main__":
    unittest.main()
