"""telephony.ami: the AMI codec and a client for telephonyd (or Asterisk).

    from telephony import ami

    with ami.Client("127.0.0.1", 5038) as c:
        c.login("demo", "demo")
        r = c.send("Originate", Channel="Local/100@demo", Application="Wait", Data="2")
        print(r.ok, r["Message"])
        for ev in c.events("Hangup"):
            print(ev["Channel"], ev["Cause-txt"])
            break

Calls block in plain code and are awaitable inside an asyncio event loop (``await c.login(...)``,
``async for ev in c.aevents()``). Events are telephony.Event objects, like the engine's, so code
that reads an embedded engine's events reads telephonyd's the same way. The connection has its
own thread (never holding the GIL); events are queued from the moment it opens (bounded:
overflow drops the oldest and yields an EventsLost event).
"""
from __future__ import annotations

from typing import Any, Awaitable, Mapping, Optional, Union

from . import _runtime
from . import _telephony as _core
from .events import AsyncEventIterator, EventIterator

Message = _core.Message
Parser = _core.Parser
AMIError = _core.AMIError
Event = _core.Event

__all__ = ["Client", "Message", "Parser", "AMIError", "Event", "action"]


def action(name: str, fields: Optional[Mapping[str, Any]] = None, **kw: Any) -> Message:
    """An action message: ``Action: name`` then the fields in order. A list or tuple value
    repeats the header (``Variable=["A=1", "B=2"]``)."""
    m = Message()
    m.add("Action", name)
    for source in (fields or {}), kw:
        for key, value in source.items():
            if isinstance(value, (list, tuple)):
                for v in value:
                    m.add(key, str(v))
            elif value is not None:
                m.add(key, str(value))
    return m


class Client:
    """An AMI connection. ``login()`` connects first when needed."""

    def __init__(self, host: str = "127.0.0.1", port: int = 5038, *, timeout: float = 5.0,
                 event_capacity: int = 65536) -> None:
        self._c = _core._AmiConnection(host, int(port), float(timeout), int(event_capacity))

    @property
    def banner(self) -> str:
        """What the server said first ("Asterisk Call Manager/5.0.0")."""
        return self._c.banner

    @property
    def is_open(self) -> bool:
        return self._c.is_open

    def connect(self) -> Union[None, Awaitable[None]]:
        """Connects and reads the banner; AMIError when that fails."""
        return _runtime.complete(self._c.connect())

    def login(self, username: str, secret: str, *, events: bool = True,
              md5: bool = False) -> Union[Message, Awaitable[Message]]:
        """Logs in (plain secret, or an MD5 challenge with md5=True); returns the response.
        AMIError when the server refuses."""
        return _runtime.complete(self._c.login(username, secret, events, md5))

    def send(self, name: str, fields: Optional[Mapping[str, Any]] = None, /,
             **kw: Any) -> Union[Message, Awaitable[Message]]:
        """Sends action ``name`` with the fields and returns its Response (whatever it says:
        check ``.ok``). An ActionID is added unless given. AMIError when no response came."""
        return _runtime.complete(self._c.send(action(name, fields, **kw)))

    def send_list(self, name: str, fields: Optional[Mapping[str, Any]] = None, /,
                  **kw: Any) -> Union[list[Message], Awaitable[list[Message]]]:
        """A list action (Status, CoreShowChannels ...): the response, every item, and the
        ``EventList: Complete`` event."""
        return _runtime.complete(self._c.send_list(action(name, fields, **kw)))

    def events(self, *types: str) -> EventIterator:
        """Iterates over the events received (filtered by Event name when ``types`` are given).
        One stream per client: several iterators share it. Ends when the connection closes."""
        return EventIterator(self._c.events, types)

    def aevents(self, *types: str) -> AsyncEventIterator:
        return AsyncEventIterator(self._c.events, types)

    def close(self) -> None:
        self._c.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    async def __aenter__(self) -> "Client":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<telephony.ami.Client {self._c.host}:{self._c.port} {'open' if self.is_open else 'closed'}>"
