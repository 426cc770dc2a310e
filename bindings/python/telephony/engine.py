"""telephony.Engine: an embedded telephony engine (libtelephony) driven from Python."""
from __future__ import annotations

import asyncio
import atexit
import enum
import inspect
import os
import shutil
import tempfile
import threading
import weakref
from typing import Any, Awaitable, Callable, Mapping, Optional, Union

from . import _runtime
from . import _telephony as _core
from .channel import Channel
from .events import AsyncEventIterator, EventIterator

PathLike = Union[str, "os.PathLike[str]"]


class AppResult(enum.Enum):
    """What a dialplan application returns: CONTINUE (the next priority; also what returning None
    means) or HANGUP (the dialplan ends, ``h`` runs)."""

    CONTINUE = "continue"
    HANGUP = "hangup"


HANGUP = AppResult.HANGUP
CONTINUE = AppResult.CONTINUE

_live_engines: "weakref.WeakSet[Engine]" = weakref.WeakSet()


@atexit.register
def _stop_live_engines() -> None:
    # A script that ends (or dies of Ctrl-C) without stop(): hang every channel up on the way out.
    for engine in list(_live_engines):
        engine.stop()


class Engine:
    """An embedded telephony engine: channels, dialplan, applications, events.

    Made from an Asterisk-style configuration directory (``Engine(config_dir="examples/config")``
    loads telephony.conf, extensions.conf, manager.conf, confbridge.conf ... exactly as telephonyd
    does) or from code (``Engine()``: Local channels, the dialplan applications, Page/ConfBridge
    and call files, with its state in a temporary directory; load a dialplan with
    ``load_dialplan``). ``threads`` is the number of engine threads (default: one per CPU).

    Use it as a context manager (``with Engine() as engine:`` or ``async with``): leaving the
    block — normally, by an exception, or by Ctrl-C — stops the engine with every channel hung up.

    Operations that drive calls (``originate``, and Channel's ``answer``/``play``/
    ``read_digits``/``hangup``) block in plain code and return an awaitable inside a running
    asyncio event loop. The GIL is released whenever engine code runs; Python callbacks run on
    worker threads (plain functions) or an event loop (coroutine functions), never on an engine
    thread, so a slow or raising callback never holds up other calls. Exceptions in callbacks go
    to the engine log with their traceback.
    """

    def __init__(self, config_dir: Optional[PathLike] = None, threads: Optional[int] = None, *,
                 sounds_dir: Optional[PathLike] = None, state_dir: Optional[PathLike] = None,
                 system_name: str = "", function_timeout: float = 1.0, max_python_threads: int = 256) -> None:
        """Creates (does not start) an engine.

        config_dir: an Asterisk-style configuration directory; None builds the engine from code.
        threads: engine threads (None: one per CPU; telephony.conf's ``threads`` otherwise).
        sounds_dir: prompts (default: Debian's /usr/share/asterisk/sounds).
        state_dir: engines made from code keep spool/, run/, db/, log/ here (default: a temporary
            directory removed by stop()).
        function_timeout: how long the dialplan waits for a Python dialplan function (seconds).
        max_python_threads: bound of the worker threads that run plain Python callbacks.

        Raises ConfigError (with .errors) when the configuration directory is refused.
        """
        self._owned_state: Optional[str] = None
        if config_dir is None and state_dir is None:
            self._owned_state = tempfile.mkdtemp(prefix="telephony-")
            state_dir = self._owned_state
        self.config_dir = os.fspath(config_dir) if config_dir is not None else None
        self._host = _core._EngineHost(self.config_dir, threads, os.fspath(state_dir) if state_dir else "",
                                       os.fspath(sounds_dir) if sounds_dir else None, system_name, function_timeout)
        self._apps: dict[str, Callable[..., Any]] = {}
        self._functions: dict[str, tuple[Optional[Callable[..., Any]], Optional[Callable[..., Any]]]] = {}
        self._workers = _runtime.WorkerPool(self._host.workers, self._run_item, maximum=max_python_threads)
        self._host.set_dispatcher(self._run_function)
        self._lock = threading.Lock()
        self._started = False
        self._stopped = False
        self._app_loop: Optional[asyncio.AbstractEventLoop] = None
        self._app_loop_thread: Optional[threading.Thread] = None
        self._app_inbox: Optional[_core._Inbox] = None
        self._tasks: dict[int, asyncio.Task] = {}
        _live_engines.add(self)

    # ---- life cycle --------------------------------------------------------------------------

    def start(self) -> "Engine":
        """Starts the engine threads (idempotent). Called from a running event loop, coroutine
        applications run on that loop; otherwise on a loop thread of the engine's own."""
        with self._lock:
            if self._stopped:
                raise _core.EngineStoppedError("a stopped engine cannot be started again")
            if self._started:
                return self
            self._started = True
        self._workers.start()
        loop = _runtime.running_loop()
        if loop is not None:
            self._attach_app_loop(loop, owned=False)
        elif any(inspect.iscoroutinefunction(fn) for fn in self._apps.values()):
            self._ensure_app_loop()
        self._host.start()
        return self

    def stop(self, grace: float = 2.0) -> None:
        """Hangs every channel up (waiting up to ``grace`` seconds before forcing), stops the
        engine threads, ends pending operations with EngineStoppedError and every event iterator,
        cancels running coroutine applications. Idempotent."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        self._host.stop(grace)
        self._workers.stop(timeout=1.0)
        loop, inbox = self._app_loop, self._app_inbox
        if loop is not None and inbox is not None:
            if self._app_loop_thread is not None:
                loop.call_soon_threadsafe(self._cancel_tasks_and_stop, loop)
                if self._app_loop_thread is not threading.current_thread():
                    self._app_loop_thread.join(2.0)
            else:
                _runtime.unwatch_inbox(loop, inbox)
                if not loop.is_closed():
                    loop.call_soon_threadsafe(self._cancel_tasks)
        if self._owned_state:
            shutil.rmtree(self._owned_state, ignore_errors=True)
        _live_engines.discard(self)

    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        return self._host.running

    def __enter__(self) -> "Engine":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    async def __aenter__(self) -> "Engine":
        return self.start()

    async def __aexit__(self, *exc: Any) -> None:
        # Stopping waits for channels to go; keep this loop free meanwhile so that coroutine
        # applications see their cancellation.
        await asyncio.get_running_loop().run_in_executor(None, self.stop)

    def __repr__(self) -> str:
        state = "running" if self.running else ("stopped" if self._stopped else "created")
        where = self.config_dir or "from code"
        return f"<telephony.Engine {where} {state}, {self._host.channel_count} channels>"

    # ---- dialplan ----------------------------------------------------------------------------

    def load_dialplan(self, path_or_text: Union[PathLike, Any], *, name: str = "<string>") -> None:
        """Replaces the dialplan (calls in progress keep the one they started on).

        Accepts a path (str or os.PathLike) to an extensions.conf-style file, the text of one
        (a str holding a newline, or starting with '[' or ';'), or a telephony.dialplan.
        DialplanBuilder. Raises ConfigError listing every error with file:line; the running
        dialplan is kept then."""
        from .dialplan import DialplanBuilder

        if isinstance(path_or_text, DialplanBuilder):
            self._host.install_dialplan(path_or_text._build())
        elif isinstance(path_or_text, _core._Dialplan):
            self._host.install_dialplan(path_or_text)
        elif isinstance(path_or_text, os.PathLike):
            self._host.load_dialplan_file(os.fspath(path_or_text))
        elif isinstance(path_or_text, str):
            text = path_or_text
            if "\n" in text or text.lstrip().startswith(("[", ";")):
                self._host.load_dialplan_text(text, name)
            else:
                self._host.load_dialplan_file(text)
        else:
            raise TypeError("load_dialplan() takes a path, dialplan text or a DialplanBuilder")

    def register_application(self, name: str, fn: Callable[[Channel, list[str]], Any], *,
                             synopsis: Optional[str] = None, description: Optional[str] = None) -> None:
        """Makes ``fn`` the dialplan application ``name`` (replacing one of that name).

        ``fn(chan, args)`` gets the Channel and the application's arguments split at commas, as
        Asterisk splits them (``MyApp(a,b)`` -> ``["a", "b"]``). It may be a plain function (run on
        a worker thread; channel operations block) or a coroutine function (``async def``; run on
        the event loop; ``await chan.answer()``, ``await chan.play("hello-world")``, ``await
        chan.read_digits(4)``). Returning HANGUP ends the dialplan; anything else continues.
        When the channel hangs up first the dialplan moves on at once: a coroutine is cancelled,
        a plain function gets HangupError from its next channel operation. A raising application
        is logged with its traceback and the call is hung up. The docstring becomes the help of
        ``core show application <name>``."""
        doc = inspect.getdoc(fn) or ""
        coroutine = inspect.iscoroutinefunction(fn)
        self._apps[name.lower()] = fn
        self._host.register_application(name, coroutine, synopsis or (doc.splitlines()[0] if doc else ""),
                                        description or doc)
        if coroutine and self._started:
            self._ensure_app_loop()

    def register_function(self, name: str, read: Optional[Callable[[Optional[Channel], str], Any]] = None,
                          write: Optional[Callable[[Optional[Channel], str, str], None]] = None, *,
                          synopsis: Optional[str] = None, description: Optional[str] = None) -> None:
        """Makes ``read``/``write`` the dialplan function ``name``: ``${NAME(args)}`` calls
        ``read(chan, args)`` (its result becomes text); ``Set(NAME(args)=value)`` calls
        ``write(chan, args, value)``. ``chan`` is None when there is no channel (AMI Getvar).
        They run on a worker thread while the dialplan waits at most ``function_timeout``; an
        exception is logged with its traceback and the dialplan gets an error (empty value)."""
        if read is None and write is None:
            raise ValueError("register_function() needs read=, write= or both")
        doc = inspect.getdoc(read or write) or ""
        self._functions[name.lower()] = (read, write)
        self._host.register_function(name, read is not None, write is not None,
                                     synopsis or (doc.splitlines()[0] if doc else ""), description or doc)

    def get_global(self, name: str) -> Optional[str]:
        """A dialplan global variable ([globals], Set(GLOBAL(x)=...)), or None."""
        return self._host.get_global(name)

    def set_global(self, name: str, value: str) -> None:
        self._host.set_global(name, str(value))

    # ---- calls -------------------------------------------------------------------------------

    def originate(self, channel: str, *, application: Optional[str] = None, data: str = "",
                  context: Optional[str] = None, exten: Optional[str] = None, priority: int = 1,
                  timeout: float = 30, variables: Optional[Mapping[str, str]] = None,
                  caller_id: Optional[str] = None, account: str = "",
                  channel_id: str = "") -> Union["_core.OriginateResult", Awaitable["_core.OriginateResult"]]:
        """Places a call to ``channel`` ("Local/100@demo", "SIP/alice") and, once it answers,
        runs ``application(data)`` on it or sends it to ``context``/``exten``/``priority`` (exten
        defaults to "s", context to "default"). ``timeout``: seconds to ring. ``variables`` are
        set on the new channel first (``FUNC(args)`` names write functions); ``caller_id`` as in
        call files: ``"Name" <number>``.

        Returns an OriginateResult (.reason: OriginateReason.ANSWERED, BUSY, NO_ANSWER,
        CONGESTION, HANGUP, FAILURE; .channel: the new channel's name) as soon as the call is
        answered or has failed — not when it ends. Blocks in plain code; awaitable inside an
        event loop. Raises OriginateError when the request is refused before dialing (unknown
        technology, no such application ...)."""
        pairs = [(str(k), str(v)) for k, v in (variables or {}).items()]
        op = self._host.originate(channel, application, data, context, exten, priority, float(timeout), pairs,
                                  caller_id, account, channel_id)
        return _runtime.complete(op)

    def channels(self) -> list[Channel]:
        """The live channels."""
        return [Channel(h) for h in self._host.channels()]

    def channel(self, name_or_uniqueid: str) -> Optional[Channel]:
        """A live channel by name or uniqueid, or None."""
        h = self._host.find_channel(name_or_uniqueid)
        return Channel(h) if h is not None else None

    # ---- events ------------------------------------------------------------------------------

    def events(self, *types: str, capacity: int = 65536) -> EventIterator:
        """Iterates over the engine's events from now on, as telephony.Event objects, in the
        engine's order. ``types`` filters by AMI name ("Hangup", "DialEnd") or engine type
        ("ChannelHungUp"). The queue holds ``capacity`` events; beyond that the oldest are dropped
        and an ``EventsLost`` event (field Count) says how many. Ends when the engine stops."""
        return EventIterator(self._host.subscribe(list(types), capacity))

    def aevents(self, *types: str, capacity: int = 65536) -> AsyncEventIterator:
        """The same as events(), as an asyncio async iterator (``async for ev in ...``)."""
        return AsyncEventIterator(self._host.subscribe(list(types), capacity))

    def user_event(self, name: str, channel: Optional[Channel] = None, **headers: str) -> None:
        """Publishes a UserEvent (as the UserEvent() application does): AMI clients and event
        iterators receive ``UserEvent: name`` with the headers."""
        self._host.user_event(name, channel._h if channel is not None else None,
                              [(k, str(v)) for k, v in headers.items()])

    # ---- operations --------------------------------------------------------------------------

    def command(self, line: str) -> str:
        """Runs a console command ("core show channels", "dialplan show demo") and returns its
        output; raises telephony.Error when the command fails or is unknown."""
        status, output = self._host.command(line)
        if status != 0:
            raise _core.Error(output.strip() or f"command failed: {line}")
        return output

    def log(self, message: str, level: str = "notice") -> None:
        """Writes a line to the engine log (source "python"); level: error, warning, notice,
        verbose, debug."""
        levels = {"error": 0, "warning": 1, "notice": 2, "verbose": 3, "debug": 4}
        self._host.log(levels[level.lower()], message)

    @property
    def spool_dir(self) -> str:
        """The spool directory: call files go into its ``outgoing`` subdirectory (see
        telephony.spool.CallFile.write)."""
        return os.fspath(self._host.dirs["spool"])

    @property
    def dirs(self) -> dict[str, str]:
        """The engine's directories: config, spool, sounds, run, db, log, recordings."""
        return {k: os.fspath(v) for k, v in self._host.dirs.items()}

    @property
    def ami_port(self) -> Optional[int]:
        """The AMI port when manager.conf is loaded (a config directory), else None."""
        return self._host.ami_port

    # ---- Python callbacks (worker threads and the application loop) --------------------------

    def _run_item(self, item: Any) -> None:
        if isinstance(item, _core._AppCall):
            self._run_sync_app(item)
        elif isinstance(item, _core._FunctionCall):
            self._run_function(item)

    def _log_exception(self, where: str, exc: BaseException) -> None:
        try:
            self._host.log(_runtime.LOG_ERROR, _runtime.format_exception(where, exc))
        except Exception:  # the engine is gone: nowhere left to log
            pass

    def _app_for(self, call: Any) -> Optional[Callable[..., Any]]:
        fn = self._apps.get(call.application.lower())
        if fn is None:
            self._host.log(_runtime.LOG_ERROR, f"{call.application}: no Python function is registered")
        return fn

    def _run_sync_app(self, call: Any) -> None:
        if call.abandoned:
            call.finish(True)
            return
        fn = self._app_for(call)
        handle = call.channel()
        if fn is None or handle is None:
            call.finish(True)
            return
        hangup = False
        try:
            hangup = fn(Channel(handle), split_args(call.data)) is HANGUP
        except (_core.HangupError, _core.EngineStoppedError):
            hangup = True
        except BaseException as exc:
            self._log_exception(f"application {call.application} on {handle.name}", exc)
            hangup = True
        call.finish(hangup)

    def _run_function(self, call: Any) -> None:
        read, write = self._functions.get(call.name.lower(), (None, None))
        handle = call.channel()
        chan = Channel(handle) if handle is not None else None
        try:
            if call.value is None:
                if read is None:
                    call.fail("not readable")
                    return
                value = read(chan, call.args)
                call.succeed("" if value is None else str(value))
            else:
                if write is None:
                    call.fail("not writable")
                    return
                write(chan, call.args, call.value)
                call.succeed("")
        except BaseException as exc:
            self._log_exception(f"function {call.name}({call.args})", exc)
            call.fail(f"{type(exc).__name__}: {exc}")

    def _ensure_app_loop(self) -> None:
        if self._app_loop is not None:
            return
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            loop.run_forever()
            loop.close()

        self._app_loop_thread = threading.Thread(target=run, name="telephony-apps", daemon=True)
        self._app_loop_thread.start()
        ready.wait()
        self._attach_app_loop(loop, owned=True)

    def _attach_app_loop(self, loop: asyncio.AbstractEventLoop, owned: bool) -> None:
        self._app_loop = loop
        self._app_inbox = _core._Inbox()
        _runtime.watch_inbox(loop, self._app_inbox, self._drain_apps)
        self._host.set_app_inbox(self._app_inbox)

    def _drain_apps(self) -> None:
        inbox = self._app_inbox
        if inbox is None:
            return
        for call in inbox.take(4096, 0.0):
            task = self._tasks.get(call.id)
            if task is not None:
                if call.abandoned:
                    task.cancel()  # the channel hung up: cancel at the await it is in
                continue
            if call.finished:
                continue
            if call.abandoned:
                call.finish(True)
                continue
            fn = self._app_for(call)
            handle = call.channel()
            if fn is None or handle is None:
                call.finish(True)
                continue
            task = asyncio.get_running_loop().create_task(self._run_async_app(call, fn, Channel(handle)))
            self._tasks[call.id] = task

    async def _run_async_app(self, call: Any, fn: Callable[..., Any], chan: Channel) -> None:
        hangup = False
        try:
            hangup = (await fn(chan, split_args(call.data))) is HANGUP
        except (asyncio.CancelledError, _core.HangupError, _core.EngineStoppedError):
            hangup = True
        except BaseException as exc:
            self._log_exception(f"application {call.application} on {chan.name}", exc)
            hangup = True
        finally:
            self._tasks.pop(call.id, None)
            call.finish(hangup)

    def _cancel_tasks(self) -> None:
        for task in list(self._tasks.values()):
            task.cancel()

    def _cancel_tasks_and_stop(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._app_inbox is not None:
            loop.remove_reader(self._app_inbox.fileno())
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()

        async def finish() -> None:
            if tasks:
                await asyncio.wait(tasks, timeout=1.0)
            loop.stop()

        loop.create_task(finish())


def split_args(data: str) -> list[str]:
    """Splits application data at commas as Asterisk does (not inside quotes or brackets;
    a backslash escapes the next character; quotes are removed)."""
    return _core._split_args(data)
