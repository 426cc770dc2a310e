#!/usr/bin/env python3
"""Call a list of numbers with a concurrency limit and retries, and write what happened.

Reads a CSV of numbers (first column, or the column named "number"), calls each through the
device template (--device, default Local/{number}@callees), connects answered calls to a context
(--context/--exten) or an application (--application/--data), retries busy and unanswered calls
after a delay, and writes a result CSV: number,attempts,disposition,duration.

    examples/originate.py --config-dir examples/config numbers.csv --out results.csv
    # SIP through a trunk: only the device template changes
    examples/originate.py --config-dir /etc/telephony --device 'SIP/{number}@trunk' numbers.csv

disposition is ANSWERED, BUSY, NO ANSWER, CONGESTION or FAILED (as CDRs say it); duration is
the seconds from answer to hangup (0 for calls not answered). At most --concurrency calls are up
at once; a busy or unanswered number is tried again --retries times, --retry-delay seconds apart.
The same job written as call files for telephonyd: examples/callfiles/.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import os
import pathlib
import sys
import time
import uuid

try:
    import telephony
except ImportError:  # run from a checkout: use the build tree's package
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "python"))
    import telephony

R = telephony.OriginateReason
DISPOSITION = {R.ANSWERED: "ANSWERED", R.BUSY: "BUSY", R.NO_ANSWER: "NO ANSWER", R.CONGESTION: "CONGESTION"}
RETRY_ON = {"BUSY", "NO ANSWER"}


def read_numbers(path: str) -> list[str]:
    with open(path, newline="") as f:
        rows = [r for r in csv.reader(f) if r and r[0].strip() and not r[0].lstrip().startswith("#")]
    if rows and "number" in [c.strip().lower() for c in rows[0]]:
        col = [c.strip().lower() for c in rows[0]].index("number")
        return [r[col].strip() for r in rows[1:] if len(r) > col and r[col].strip()]
    return [r[0].strip() for r in rows]


class Campaign:
    def __init__(self, engine: telephony.Engine, args: argparse.Namespace) -> None:
        self.engine = engine
        self.args = args
        self.slots = asyncio.Semaphore(args.concurrency)
        self.hangups: dict[str, asyncio.Future] = {}
        self.t0 = time.monotonic()

    def log(self, text: str) -> None:
        print(f"{time.monotonic() - self.t0:8.3f} {text}", flush=True)

    async def watch_hangups(self, events: "telephony.AsyncEventIterator") -> None:
        async for ev in events:
            fut = self.hangups.pop(ev.get("Uniqueid", ""), None)
            if fut is not None and not fut.done():
                fut.set_result(ev.time)

    async def attempt(self, number: str) -> tuple[str, float]:
        """One call: (disposition, duration)."""
        uid = "orig-" + uuid.uuid4().hex[:16]
        hangup = asyncio.get_running_loop().create_future()
        self.hangups[uid] = hangup  # before dialing: the hangup may come at once
        a = self.args
        where = {"application": a.application, "data": a.data} if a.application else {"context": a.context,
                                                                                     "exten": a.exten}
        async with self.slots:
            self.log(f"start {number}")
            try:
                r = await self.engine.originate(a.device.format(number=number), timeout=a.ring_timeout,
                                                channel_id=uid, caller_id=a.caller_id,
                                                variables={"NUMBER": number}, **where)
            except telephony.OriginateError as exc:
                self.hangups.pop(uid, None)
                self.log(f"end {number} FAILED ({exc})")
                return "FAILED", 0.0
            disposition = DISPOSITION.get(r.reason, "FAILED")
            if disposition != "ANSWERED":
                self.hangups.pop(uid, None)
                self.log(f"end {number} {disposition}")
                return disposition, 0.0
            answered_at = time.time()
            ended_at = await hangup  # the slot stays taken while the call is up
            self.log(f"end {number} ANSWERED")
            return "ANSWERED", max(0.0, ended_at - answered_at)

    async def call(self, number: str) -> tuple[str, int, str, float]:
        attempts = 0
        while True:
            attempts += 1
            disposition, duration = await self.attempt(number)
            if disposition not in RETRY_ON or attempts > self.args.retries:
                return number, attempts, disposition, duration
            self.log(f"retry {number} in {self.args.retry_delay:g}s")
            await asyncio.sleep(self.args.retry_delay)

    async def run(self, numbers: list[str]) -> list[tuple[str, int, str, float]]:
        # Subscribed before the first call is placed, so no hangup can slip by.
        watcher = asyncio.create_task(self.watch_hangups(self.engine.aevents("Hangup")))
        try:
            return await asyncio.gather(*(self.call(n) for n in numbers))
        finally:
            watcher.cancel()


async def run(args: argparse.Namespace, numbers: list[str]) -> list[tuple[str, int, str, float]]:
    engine = telephony.Engine(config_dir=args.config_dir) if args.config_dir else telephony.Engine()
    async with engine:
        if args.dialplan:
            engine.load_dialplan(pathlib.Path(args.dialplan))
        return await Campaign(engine, args).run(numbers)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("numbers", help="CSV file of numbers")
    p.add_argument("--out", default="-", help="result CSV (default: standard output)")
    p.add_argument("--device", default="Local/{number}@callees", help="dial string template")
    p.add_argument("--concurrency", type=int, default=5, help="calls up at once (default 5)")
    p.add_argument("--retries", type=int, default=2, help="retries of busy/unanswered numbers (default 2)")
    p.add_argument("--retry-delay", type=float, default=30, help="seconds between attempts (default 30)")
    p.add_argument("--ring-timeout", type=float, default=30, help="seconds to ring (default 30)")
    p.add_argument("--caller-id", default='"Campaign" <1000>', help='caller id ("Name" <number>)')
    p.add_argument("--context", default="campaign", help="where answered calls go (default campaign)")
    p.add_argument("--exten", default="s", help="extension in --context (default s)")
    p.add_argument("--application", help="run this application on answered calls instead")
    p.add_argument("--data", default="", help="the application's arguments")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--config-dir", help="run an engine on this configuration directory")
    mode.add_argument("--dialplan", help="run an engine with this extensions.conf-style file")
    args = p.parse_args(argv)
    if args.concurrency < 1:
        p.error("--concurrency must be at least 1")
    numbers = read_numbers(args.numbers)
    try:
        results = asyncio.run(run(args, numbers))
    except KeyboardInterrupt:
        print("interrupted: every channel was hung up", file=sys.stderr)
        return 130
    except telephony.ConfigError as exc:
        print(f"originate.py: {exc}", file=sys.stderr)
        return 2
    if args.out == "-":
        write_results(sys.stdout, results)
    else:
        with open(args.out, "w", newline="") as f:
            write_results(f, results)
    return 0


def write_results(out, results: list[tuple[str, int, str, float]]) -> None:
    w = csv.writer(out)
    w.writerow(["number", "attempts", "disposition", "duration"])
    for number, attempts, disposition, duration in results:
        w.writerow([number, attempts, disposition, f"{duration:.1f}"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
