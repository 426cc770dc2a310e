"""telephony: Python bindings of libtelephony, an embeddable Asterisk-compatible telephony engine.

    import telephony

    with telephony.Engine() as engine:
        engine.load_dialplan('''
    [demo]
    exten => 100,1,Answer()
     same => n,MyApp(hello)
     same => n,Hangup()
    ''')

        async def my_app(chan, args):
            await chan.play("hello-world")
            digits = await chan.read_digits(4, timeout=5)
            chan.set_variable("DIGITS", digits)

        engine.register_application("MyApp", my_app)
        result = engine.originate("Local/100@demo", application="Wait", data="5")
        print(result.reason, result.channel)
        for event in engine.events("Hangup"):
            print(event["Channel"], event["Cause-txt"])

Main names: Engine, Channel, Event, OriginateResult, OriginateReason, ChannelState, HANGUP;
submodules ami (AMI codec and client), dialplan (typed builder), spool (call files).
Errors: Error and its subclasses HangupError, EngineStoppedError, ConfigError, PromptNotFound,
OriginateError, AMIError. See docs/python.md.
"""
from . import _telephony
from ._telephony import (
    AMIError,
    ChannelState,
    ConfigError,
    EngineStoppedError,
    Error,
    Event,
    HangupError,
    OriginateError,
    OriginateReason,
    OriginateResult,
    PromptNotFound,
)
from .channel import Channel
from .engine import CONTINUE, HANGUP, AppResult, Engine, split_args
from .events import AsyncEventIterator, EventIterator
from . import ami, dialplan, spool

__version__ = _telephony.library_version
library_version = _telephony.library_version

__all__ = [
    "Engine", "Channel", "Event", "EventIterator", "AsyncEventIterator", "OriginateResult",
    "OriginateReason", "ChannelState", "AppResult", "HANGUP", "CONTINUE", "split_args",
    "Error", "HangupError", "EngineStoppedError", "ConfigError", "PromptNotFound", "OriginateError",
    "AMIError", "ami", "dialplan", "spool", "library_version",
]
