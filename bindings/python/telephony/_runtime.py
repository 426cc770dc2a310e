"""The Python side of the engine boundary (see bindings/python/src/inbox.hpp for the C++ side).

Engine threads never take the GIL. They queue work in inboxes; the threads here take it and run
the Python part with the GIL held:

* ``WorkerPool``: threads that run plain callbacks (synchronous dialplan applications, dialplan
  functions). It grows by one whenever a worker starts a callback and no other worker is idle, so
  a slow callback never delays the next one; idle workers above the minimum leave after a while.
* ``LoopBridge``: one per asyncio event loop; its inbox's eventfd is watched with ``add_reader``,
  and operations finished by engine threads complete their asyncio futures there.
* ``complete(op)``: the one rule for every engine operation — wait for it (GIL released, Ctrl-C
  honoured) in plain code, or hand back an awaitable when an event loop is running here.
"""
from __future__ import annotations

import asyncio
import itertools
import threading
import time
import traceback
import weakref
from typing import Any, Callable, Optional

from . import _telephony as _core

LOG_ERROR, LOG_WARNING, LOG_NOTICE, LOG_VERBOSE, LOG_DEBUG = range(5)


def running_loop() -> Optional[asyncio.AbstractEventLoop]:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class LoopBridge:
    """Completes asyncio futures of engine operations on one event loop."""

    _bridges: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopBridge]" = weakref.WeakKeyDictionary()
    _lock = threading.Lock()

    @classmethod
    def of(cls, loop: asyncio.AbstractEventLoop) -> "LoopBridge":
        with cls._lock:
            bridge = cls._bridges.get(loop)
            if bridge is None:
                bridge = cls(loop)
                cls._bridges[loop] = bridge
            return bridge

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.inbox = _core._Inbox()
        self._futures: dict[int, asyncio.Future] = {}
        self._tokens = itertools.count(1)
        watch_inbox(loop, self.inbox, self._drain)

    def future(self, op: "_core._Operation") -> asyncio.Future:
        fut = self.loop.create_future()
        token = next(self._tokens)
        self._futures[token] = fut
        op.watch(self.inbox, token)
        return fut

    def _drain(self) -> None:
        for op in self.inbox.take(4096, 0.0):
            fut = self._futures.pop(op.token, None)
            if fut is None or fut.done():
                continue
            try:
                fut.set_result(op.result())
            except BaseException as exc:  # the operation's own error (HangupError ...)
                fut.set_exception(exc)


def watch_inbox(loop: asyncio.AbstractEventLoop, inbox: "_core._Inbox", drain: Callable[[], None]) -> None:
    """Calls ``drain`` on ``loop`` whenever ``inbox`` has items (from any thread)."""
    if running_loop() is loop:
        loop.add_reader(inbox.fileno(), drain)
    else:
        loop.call_soon_threadsafe(loop.add_reader, inbox.fileno(), drain)


def unwatch_inbox(loop: asyncio.AbstractEventLoop, inbox: "_core._Inbox") -> None:
    if loop.is_closed():
        return
    if running_loop() is loop:
        loop.remove_reader(inbox.fileno())
    else:
        try:
            loop.call_soon_threadsafe(loop.remove_reader, inbox.fileno())
        except RuntimeError:  # the loop closed meanwhile
            pass


def complete(op: "_core._Operation") -> Any:
    """The value of ``op``: waited for in plain code, an awaitable inside a running event loop."""
    loop = running_loop()
    if loop is None:
        return op.wait()
    return LoopBridge.of(loop).future(op)


class WorkerPool:
    """Threads that take items from an inbox and hand each to ``handler`` (GIL held).

    ``minimum`` workers wait from the start. The pool grows by one worker when a queued item has
    waited ``grow_after`` seconds with every worker busy (a supervisor thread watches for that
    with the GIL released), up to ``maximum``, so a burst of short callbacks is absorbed by the
    workers there are while a slow callback never holds the next call up for long; a worker idle
    for ``idle_seconds`` leaves while more than ``minimum`` remain."""

    def __init__(self, inbox: "_core._Inbox", handler: Callable[[Any], None], *, minimum: int = 2,
                 maximum: int = 256, idle_seconds: float = 30.0, grow_after: float = 0.005,
                 name: str = "telephony-worker") -> None:
        self.inbox = inbox
        self.handler = handler
        self.minimum = max(1, minimum)
        self.maximum = max(self.minimum, maximum)
        self.idle_seconds = idle_seconds
        self.grow_after = grow_after
        self.name = name
        self._lock = threading.Lock()
        self._threads: set[threading.Thread] = set()
        self._serial = itertools.count(1)
        self._supervisor: Optional[threading.Thread] = None
        self.spawned = 0  # workers started in all (the pool's growth, for tests and diagnostics)

    @property
    def size(self) -> int:
        with self._lock:
            return len(self._threads)

    def start(self) -> None:
        for _ in range(self.minimum):
            self._spawn()
        # A daemon thread like the workers; stop() (or the engine's atexit hook) closes the inbox,
        # which ends its wait, and joins it before the interpreter finalises.
        self._supervisor = threading.Thread(target=self._supervise, name=f"{self.name}-supervisor", daemon=True)
        self._supervisor.start()

    def _spawn(self) -> bool:
        with self._lock:
            if len(self._threads) >= self.maximum or self.inbox.closed:
                return False
            # Daemon threads: a callback stuck forever must not keep the interpreter alive.
            t = threading.Thread(target=self._run, name=f"{self.name}-{next(self._serial)}", daemon=True)
            self._threads.add(t)
            self.spawned += 1
            self.inbox.expect_taker()
        t.start()
        return True

    def _supervise(self) -> None:
        while not self.inbox.closed:
            if self.inbox.wait_stalled(self.grow_after, 0.5) and not self._spawn():
                # At the maximum: the queue drains as workers finish; look again later.
                time.sleep(self.grow_after)

    def _run(self) -> None:
        me = threading.current_thread()
        try:
            while True:
                items = self.inbox.take(1, self.idle_seconds)
                if not items:
                    if self.inbox.closed:
                        return
                    with self._lock:
                        if len(self._threads) > self.minimum:
                            return
                    continue
                self.handler(items[0])
        finally:
            with self._lock:
                self._threads.discard(me)

    def stop(self, timeout: float = 1.0) -> None:
        """Closes the inbox and waits up to ``timeout`` in total for the workers (and the
        supervisor) to leave."""
        self.inbox.close()
        with self._lock:
            threads = list(self._threads)
        if self._supervisor is not None:
            threads.append(self._supervisor)
        deadline = time.monotonic() + timeout
        for t in threads:
            if t is not threading.current_thread():
                t.join(max(0.0, deadline - time.monotonic()))


def format_exception(where: str, exc: BaseException) -> str:
    return f"{where} raised:\n" + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip()
