"""Event iterators over a bounded subscriber queue (engine events or AMI events)."""
from __future__ import annotations

import collections
from typing import Any, Optional, Sequence

from . import _runtime
from . import _telephony as _core


class _Filter:
    def __init__(self, types: Sequence[str]) -> None:
        self._types = {t.lower() for t in types}

    def __call__(self, ev: "_core.Event") -> bool:
        return not self._types or ev.type.lower() in self._types or (
            ev.engine_type is not None and ev.engine_type.lower() in self._types)


class EventIterator:
    """Blocking iterator of telephony.Event objects; ends when its source stops.

    Events come in the engine's order. The queue is bounded: when it is full the oldest events
    are dropped and an ``EventsLost`` event (field ``Count``) takes their place; ``lost`` counts
    them. ``close()`` (or ``with``) ends the subscription."""

    def __init__(self, stream: "_core._EventStream", types: Sequence[str] = ()) -> None:
        self._stream = stream
        self._buf: collections.deque = collections.deque()
        self._want = _Filter(types)

    def __iter__(self) -> "EventIterator":
        return self

    def __next__(self) -> "_core.Event":
        while True:
            ev = self.get()
            if ev is None:
                raise StopIteration
            return ev

    def get(self, timeout: Optional[float] = None) -> Optional["_core.Event"]:
        """The next event, waiting up to ``timeout`` seconds (None: until one comes or the
        source stops); None on timeout or end."""
        while True:
            while self._buf:
                ev = self._buf.popleft()
                if self._want(ev):
                    return ev
            if self._stream.closed:
                return None
            batch = self._stream.take(4096, timeout)
            if not batch and timeout is not None:
                return None
            self._buf.extend(batch)

    @property
    def lost(self) -> int:
        """Events dropped because the queue was full."""
        return self._stream.lost

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> "EventIterator":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class AsyncEventIterator:
    """``async for`` over telephony.Event objects (same queue rules as EventIterator)."""

    def __init__(self, stream: "_core._EventStream", types: Sequence[str] = ()) -> None:
        self._stream = stream
        self._buf: collections.deque = collections.deque()
        self._want = _Filter(types)

    def __aiter__(self) -> "AsyncEventIterator":
        return self

    async def __anext__(self) -> "_core.Event":
        while True:
            while self._buf:
                ev = self._buf.popleft()
                if self._want(ev):
                    return ev
            batch = self._stream.take(4096, 0.0)
            if batch:
                self._buf.extend(batch)
                continue
            if self._stream.closed:
                raise StopAsyncIteration
            await _runtime.complete(self._stream.ready())

    @property
    def lost(self) -> int:
        return self._stream.lost

    def close(self) -> None:
        self._stream.close()

    async def __aenter__(self) -> "AsyncEventIterator":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.close()
