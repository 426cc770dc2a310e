#!/usr/bin/env python3
"""Python binding benchmarks, each a ratio to a C++ baseline measured in the same run.

1. Application invocations: one call loops N times over an application that sets a channel
   variable — the C++ Set() against the same thing written in Python (plain, then async).
2. Calls: short calls (Local channel, answer, the application once, hang up) placed one after
   the other by Originate() in a dialplan loop (no Python in the driver) — Set() against the
   Python application; the difference of the per-call times is the Python overhead per call.
3. Event delivery: the rate at which a Python iterator (plain, then asyncio) receives events
   from a source as fast as the bus (UserEvents published in a tight loop on an engine thread)
   against the rate that source publishes with no subscriber at all.

    PYTHONPATH=build/python python3 benchmarks/bench_python.py [--quick]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time

try:
    import telephony
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "python"))
    import telephony

APPS = ("Set", "PySet", "APySet")
# One loop context and one call context per application (an application's name cannot come from
# a variable: pbx_config reads `${X}(...)` as all name).
DIALPLAN = "".join(f"""
[loop-{app}]
exten => s,1,Set(i=0)
 same => n,While($[${{i}} < ${{COUNT}}])
 same => n,{app}(X=${{i}})
 same => n,Set(i=$[${{i}} + 1])
 same => n,EndWhile()
 same => n,UserEvent(LoopDone)
[call-{app}]
exten => s,1,Answer()
 same => n,{app}(X=1)
 same => n,Hangup()
[drive-{app}]
exten => s,1,Set(i=0)
 same => n,While($[${{i}} < ${{COUNT}}])
 same => n,Originate(Local/s@call-{app},app,Wait,0)
 same => n,Set(i=$[${{i}} + 1])
 same => n,EndWhile()
 same => n,UserEvent(DriveDone)
""" for app in APPS) + """
"""


def py_set(chan, args):
    name, _, value = args[0].partition("=")
    chan.set_variable(name, value)


async def apy_set(chan, args):
    name, _, value = args[0].partition("=")
    chan.set_variable(name, value)


def wait_user_event(it, name, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ev = it.get(timeout=1.0)
        if ev is not None and ev.type == "UserEvent" and ev["UserEvent"] == name:
            return
    raise RuntimeError(f"no {name} within {timeout}s")


def invocations(engine, app, count):
    engine.set_global("COUNT", str(count))
    done = engine.events("UserEvent")
    t0 = time.perf_counter()
    engine.originate(f"Local/s@loop-{app}", application="Wait", data="600", timeout=600)
    wait_user_event(done, "LoopDone")
    elapsed = time.perf_counter() - t0
    done.close()
    return count / elapsed


def calls(engine, app, count):
    engine.set_global("COUNT", str(count))
    done = engine.events("UserEvent")
    t0 = time.perf_counter()
    engine.originate(f"Local/s@drive-{app}", application="Wait", data="600", timeout=600)
    wait_user_event(done, "DriveDone")
    # The driver's own pair and the last call may still be ending: wait for them too.
    while engine._host.channel_count > 2:
        time.sleep(0.001)
    elapsed = time.perf_counter() - t0
    done.close()
    return count / elapsed


def publish_rate(engine, count):
    start = engine._host.published_events
    t0 = time.perf_counter()
    engine._host._emit_user_events("E", count)
    while engine._host.published_events < start + count:
        time.sleep(0.0005)
    return count / (time.perf_counter() - t0)


def delivery_rate(engine, count):
    it = engine.events("UserEvent", capacity=count + 100)
    t0 = time.perf_counter()
    engine._host._emit_user_events("E", count)
    got = 0
    while got < count:
        ev = it.get(timeout=30)
        if ev is None:
            raise RuntimeError("events stopped")
        if int(ev["N"]) != got:
            raise RuntimeError(f"event {ev['N']} arrived as number {got}")
        got += 1
    elapsed = time.perf_counter() - t0
    if it.lost:
        raise RuntimeError(f"lost {it.lost}")
    it.close()
    return count / elapsed


async def async_delivery_rate(engine, count):
    it = engine.aevents("UserEvent", capacity=count + 100)
    t0 = time.perf_counter()
    engine._host._emit_user_events("E", count)
    got = 0
    async for ev in it:
        if int(ev["N"]) != got:
            raise RuntimeError(f"event {ev['N']} arrived as number {got}")
        got += 1
        if got == count:
            break
    elapsed = time.perf_counter() - t0
    if it.lost:
        raise RuntimeError(f"lost {it.lost}")
    it.close()
    return count / elapsed


def best_interleaved(variants, repeat):
    """Best rate of each variant, the variants measured in turn in every round, so that a change
    of machine load during the run weighs on all of them alike."""
    rates = [0.0] * len(variants)
    for _ in range(repeat):
        for i, f in enumerate(variants):
            rates[i] = max(rates[i], f())
    return rates


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true", help="smaller counts (a smoke run)")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    n_inv = 5000 if a.quick else 40000
    n_calls = 500 if a.quick else 4000
    n_events = 20000 if a.quick else 200000
    repeat = 1 if a.quick else 5
    print(f"python {sys.version.split()[0]}, telephony {telephony.__version__}, engine threads {a.threads}, "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    with telephony.Engine(threads=a.threads) as engine:
        engine.register_application("PySet", py_set)
        engine.register_application("APySet", apy_set)
        engine.load_dialplan(DIALPLAN)

        cpp, py, apy = best_interleaved([lambda a=a: invocations(engine, a, n_inv) for a in APPS], repeat)
        print(f"BM_AppInvocations  cpp_per_s={cpp:,.0f} python_per_s={py:,.0f} async_per_s={apy:,.0f} "
              f"ratio_python={py / cpp:.3f} ratio_async={apy / cpp:.3f} "
              f"overhead_us_python={1e6 / py - 1e6 / cpp:.1f} overhead_us_async={1e6 / apy - 1e6 / cpp:.1f}")

        cpp_c, py_c, apy_c = best_interleaved([lambda a=a: calls(engine, a, n_calls) for a in APPS], repeat)
        print(f"BM_Calls  cpp_calls_per_s={cpp_c:,.0f} python_calls_per_s={py_c:,.0f} async_calls_per_s={apy_c:,.0f} "
              f"ratio_python={py_c / cpp_c:.3f} ratio_async={apy_c / cpp_c:.3f} "
              f"overhead_us_per_call_python={1e6 / py_c - 1e6 / cpp_c:.1f} "
              f"overhead_us_per_call_async={1e6 / apy_c - 1e6 / cpp_c:.1f}")

        base, sync_rate, async_rate = best_interleaved(
            [lambda: publish_rate(engine, n_events), lambda: delivery_rate(engine, n_events),
             lambda: asyncio.run(async_delivery_rate(engine, n_events))], repeat)
        print(f"BM_EventDelivery  published_per_s={base:,.0f} python_iterator_per_s={sync_rate:,.0f} "
              f"asyncio_iterator_per_s={async_rate:,.0f} ratio_iterator={sync_rate / base:.3f} "
              f"ratio_asyncio={async_rate / base:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
