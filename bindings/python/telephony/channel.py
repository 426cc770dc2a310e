"""telephony.Channel: one leg of a call."""
from __future__ import annotations

from typing import Any, Awaitable, Optional, Union

from . import _runtime
from . import _telephony as _core


class Channel:
    """One leg of a call: its identity, state and variables, and the operations that drive it.

    Identity and variables read the engine directly. ``answer``, ``play``, ``read_digits`` and
    ``hangup`` block in plain code and return an awaitable inside a running asyncio event loop
    (``await chan.play("hello-world")`` in an ``async def`` application). They raise HangupError
    once the channel is hung up — and, for the channel an application was given, once the
    dialplan has moved on without it (the caller hung up, an AMI Redirect took the call).

    ``play`` and ``read_digits`` read the channel's media: use them on a channel your application
    runs, not on one the dialplan or a bridge is driving at the same time.
    """

    __slots__ = ("_h",)

    def __init__(self, handle: "_core._ChannelHandle") -> None:
        self._h = handle

    # ---- identity ----------------------------------------------------------------------------

    @property
    def name(self) -> str:
        """"SIP/alice-00000001", "Local/100@demo-00000002;2" ..."""
        return self._h.name

    @property
    def uniqueid(self) -> str:
        return self._h.uniqueid

    @property
    def linkedid(self) -> str:
        """The uniqueid of the call's first channel (shared by every leg of one call)."""
        return self._h.linkedid

    @property
    def state(self) -> "_core.ChannelState":
        """ChannelState.UP, RINGING, DOWN ... (``.text``: Asterisk's "Up", "Ringing")."""
        return self._h.state

    @property
    def caller_id(self) -> tuple[str, str]:
        """(name, number) of the caller."""
        return self._h.caller

    @property
    def context(self) -> str:
        return self._h.snapshot["context"]

    @property
    def exten(self) -> str:
        return self._h.snapshot["exten"]

    @property
    def priority(self) -> int:
        return self._h.snapshot["priority"]

    @property
    def language(self) -> str:
        return self._h.snapshot["language"]

    @property
    def hung_up(self) -> bool:
        """True once the channel is hung up (or its application call was abandoned)."""
        return self._h.gone

    # ---- variables ---------------------------------------------------------------------------

    def get_variable(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """A channel variable, or a dialplan function read when ``name`` is ``FUNC(args)``
        (``chan.get_variable("CALLERID(num)")``). ``default`` when the variable is unset."""
        value = self._h.get_variable(name)
        return default if value is None else value

    def set_variable(self, name: str, value: Any) -> None:
        """Sets a channel variable (``_NAME``/``__NAME`` are inherited by channels this one
        dials), or writes a dialplan function (``chan.set_variable("CALLERID(name)", "Bob")``)."""
        self._h.set_variable(name, str(value))

    def variables(self) -> dict[str, str]:
        """Every channel variable."""
        return dict(self._h.variables())

    # ---- call control ------------------------------------------------------------------------

    def answer(self) -> Union[None, Awaitable[None]]:
        """Answers the channel."""
        return _runtime.complete(self._h.answer())

    def hangup(self, cause: int = 16) -> Union[None, Awaitable[None]]:
        """Hangs the channel up with a Q.850 cause (16 normal clearing, 17 busy, 21 rejected...)."""
        return _runtime.complete(self._h.hangup(int(cause)))

    def play(self, prompt: str, interrupt: str = "") -> Union[str, Awaitable[str]]:
        """Plays a prompt ("hello-world", "digits/5", "a&b" for several, or a path) in the
        channel's language, answering the channel first if it is not up (as Playback()). A
        digit of ``interrupt`` ("#", "0123456789*#", "any") stops it: the digit is returned,
        else ''. Raises PromptNotFound when no file exists for the prompt."""
        return _runtime.complete(self._h.play(prompt, interrupt))

    def read_digits(self, n: int, timeout: float = 5.0, terminator: str = "#") -> Union[str, Awaitable[str]]:
        """Collects up to ``n`` DTMF digits, waiting ``timeout`` seconds for each; a digit of
        ``terminator`` ends early and is not included. Returns the digits received ('' if none)."""
        return _runtime.complete(self._h.read_digits(int(n), float(timeout), terminator))

    # ---- identity protocol -------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Channel) and other.uniqueid == self.uniqueid

    def __hash__(self) -> int:
        return hash(self.uniqueid)

    def __repr__(self) -> str:
        return f"<telephony.Channel {self.name} {self.state.text}>"
