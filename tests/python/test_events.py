"""Event iterators: fields, filters, 10,000 events under load with none lost or reordered,
bounded queues that count their losses, the asyncio iterator, the end of iteration at stop."""
import asyncio
import sys
import threading
import time
import unittest

import telephony

LOAD = """
[load]
exten => s,1,Answer()
 same => n,Set(i=0)
 same => n,While($[${i} < ${COUNT}])
 same => n,UserEvent(Load,Seq: ${i})
 same => n,Set(i=$[${i} + 1])
 same => n,EndWhile()
 same => n,UserEvent(LoadDone)
 same => n,Hangup()
[short]
exten => s,1,Answer()
 same => n,Wait(0.1)
 same => n,Hangup()
"""


def drain_until(it, pred, timeout=30.0):
    out = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ev = it.get(timeout=1.0)
        if ev is None:
            continue
        out.append(ev)
        if pred(ev):
            return out
    raise AssertionError(f"condition not met within {timeout}s ({len(out)} events)")


def is_load_done(ev):
    return ev.type == "UserEvent" and ev["UserEvent"] == "LoadDone"


class Events(unittest.TestCase):
    def setUp(self):
        self.engine = telephony.Engine(threads=2).start()
        self.addCleanup(self.engine.stop)
        self.engine.load_dialplan(LOAD)

    def test_fields_and_names(self):
        it = self.engine.events()
        r = self.engine.originate("Local/s@short", application="Wait", data="0.1")
        events = drain_until(it, lambda ev: ev.type == "Hangup" and ev["Channel"] == r.channel)
        new = next(ev for ev in events if ev.type == "Newchannel" and ev["Channel"] == r.channel)
        self.assertEqual(new.engine_type, "ChannelCreated")
        self.assertEqual(new["uniqueid"], r.uniqueid)  # case-insensitive, as AMI
        self.assertEqual(new.fields["Uniqueid"], r.uniqueid)
        self.assertEqual(new.headers[0], ("Event", "Newchannel"))
        self.assertIn("ChannelStateDesc", new)
        self.assertIsInstance(new.seq, int)
        self.assertLess(abs(new.time - time.time()), 60)
        hangup = events[-1]
        self.assertEqual((hangup.engine_type, hangup["Cause"], hangup["Cause-txt"]),
                         ("ChannelHungUp", "16", "Normal Clearing"))
        self.assertIn("Newexten", {ev.type for ev in events})  # DialplanStep as AMI names it
        self.assertIn("Hangup", repr(hangup))
        seqs = [ev.seq for ev in events]
        self.assertEqual(seqs, sorted(seqs))

    def test_filter_by_ami_name_or_engine_type(self):
        by_ami = self.engine.events("Hangup")
        by_engine = self.engine.events("ChannelHungUp", "newchannel")
        self.engine.originate("Local/s@short", application="Wait", data="0.1")
        a = drain_until(by_ami, lambda ev: True)
        self.assertEqual(a[0].type, "Hangup")
        b = drain_until(by_engine, lambda ev: ev.type == "Hangup")
        self.assertEqual({ev.type for ev in b}, {"Newchannel", "Hangup"})

    def test_ten_thousand_events_none_lost_or_reordered(self):
        # Every event of the run (~6 per loop iteration), in a queue sized for the burst.
        it = self.engine.events(capacity=200000)
        self.engine.set_global("COUNT", "10000")
        # Two more calls load the engine meanwhile.
        for _ in range(2):
            self.engine.originate("Local/s@short", application="Wait", data="0.1")
        r = self.engine.originate("Local/s@load", application="Wait", data="30", timeout=10)
        self.assertTrue(r.answered)
        events = drain_until(it, is_load_done, 60)
        seqs = [ev.seq for ev in events]
        self.assertEqual(seqs, list(range(seqs[0], seqs[0] + len(seqs))), "a gap or reordering in the bus order")
        loads = [int(ev["Seq"]) for ev in events if ev.type == "UserEvent" and ev["UserEvent"] == "Load"]
        self.assertEqual(loads, list(range(10000)))
        self.assertEqual(it.lost, 0)
        self.assertNotIn("EventsLost", {ev.type for ev in events})
        self.assertGreater(len(events), 40000)  # every Newexten/VarSet of the loop too

    def test_a_full_queue_drops_the_oldest_and_says_how_many(self):
        small = self.engine.events(capacity=100)
        watch = self.engine.events("UserEvent")
        self.engine.set_global("COUNT", "3000")
        self.engine.originate("Local/s@load", application="Wait", data="30", timeout=10)
        drain_until(watch, is_load_done, 60)  # the small queue is not read meanwhile
        events = []
        while True:
            ev = small.get(timeout=0.5)
            if ev is None:
                break
            events.append(ev)
        self.assertGreater(small.lost, 0)
        markers = [ev for ev in events if ev.type == "EventsLost"]
        self.assertTrue(markers)
        self.assertEqual(sum(int(m["Count"]) for m in markers), small.lost)
        # Each marker stands exactly where its events are missing.
        pending = 0
        last = None
        for ev in events:
            if ev.type == "EventsLost":
                pending += int(ev["Count"])
                continue
            if last is not None:
                self.assertEqual(ev.seq - last - 1, pending)
            last, pending = ev.seq, 0
        self.assertTrue(any(is_load_done(ev) for ev in events), "the newest events are kept")

    def test_the_engine_never_waits_for_the_gil(self):
        # Hold the GIL in a busy loop (a long switch interval: no other Python thread gets it)
        # while a call publishes 3,000 events into this thread's iterator. The engine delivers
        # them all meanwhile: neither calls nor event delivery take the GIL.
        it = self.engine.events("UserEvent")
        self.engine.set_global("COUNT", "3000")
        old = sys.getswitchinterval()
        sys.setswitchinterval(30)
        try:
            self.engine.originate("Local/s@load", application="Wait", data="30", timeout=10)
            busy_until = time.time() + 2.0
            while time.time() < busy_until:
                pass
        finally:
            sys.setswitchinterval(old)
        done = drain_until(it, is_load_done, 30)[-1]
        self.assertLess(done.time, busy_until, "the engine waited for the GIL")
        self.assertEqual(it.lost, 0)

    def test_async_iterator(self):
        async def main():
            it = self.engine.aevents("Newchannel", "Hangup")
            r = await self.engine.originate("Local/s@short", application="Wait", data="0.1")
            seen = []
            async for ev in it:
                seen.append((ev.type, ev["Channel"]))
                if ev.type == "Hangup" and ev["Channel"] == r.channel:
                    break
            it.close()
            return r, seen

        r, seen = asyncio.run(main())
        self.assertIn(("Newchannel", r.channel), seen)
        self.assertEqual(seen[-1], ("Hangup", r.channel))

    def test_async_iterator_throughput_keeps_order(self):
        async def main():
            it = self.engine.aevents("UserEvent")
            self.engine.set_global("COUNT", "2000")
            await self.engine.originate("Local/s@load", application="Wait", data="30", timeout=10)
            got = []
            async for ev in it:
                if ev["UserEvent"] == "LoadDone":
                    break
                got.append(int(ev["Seq"]))
            return got

        self.assertEqual(asyncio.run(main()), list(range(2000)))

    def test_iteration_ends_when_the_engine_stops(self):
        it = self.engine.events()
        done = threading.Event()

        def consume():
            for _ in it:
                pass
            done.set()

        t = threading.Thread(target=consume)
        t.start()
        time.sleep(0.2)
        self.engine.stop()
        self.assertTrue(done.wait(5))
        t.join()


if __name__ == "__main__":
    unittest.main()
