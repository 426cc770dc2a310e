"""Call files: write them for the spooler to dial, read back what it made of them.

The spooler (telephonyd's, or any Engine's) watches ``<spool>/outgoing``. ``CallFile.write()``
writes a file atomically (to a temporary name beside the spool, then renamed in), optionally
for later (the file's mtime is when it is dialed). With ``archive=True`` the finished file lands
in ``<spool>/outgoing_done`` carrying the spooler's journal — ``attempts`` and ``status``
("Completed", "Expired", "Failed") — which ``CallFile.read()`` and ``wait_done()`` give back.
"""
from __future__ import annotations

import dataclasses
import itertools
import os
import time
from typing import Optional, Union

from . import _telephony as _core

PathLike = Union[str, "os.PathLike[str]"]
_serial = itertools.count(1)


@dataclasses.dataclass
class CallFile:
    """One call file (Asterisk's format). ``channel`` is dialed; once it answers it runs
    ``application``(``data``) or goes to ``context``/``extension``/``priority``."""

    channel: str
    application: str = ""
    data: str = ""
    context: str = "default"
    extension: str = ""
    priority: Union[int, str] = 1
    caller_id: str = ""
    max_retries: int = 0
    retry_time: int = 300
    wait_time: int = 45
    account: str = ""
    variables: dict[str, str] = dataclasses.field(default_factory=dict)
    archive: bool = False
    always_delete: bool = True
    early_media: bool = False
    codecs: str = ""
    # Read back from the spooler's journal lines.
    attempts: int = 0
    status: str = ""
    warnings: list[str] = dataclasses.field(default_factory=list)

    def text(self) -> str:
        """The file's text."""
        if not self.application and not self.extension:
            raise ValueError("a call file needs application= or extension=")
        lines = [f"Channel: {self.channel}"]
        if self.caller_id:
            lines.append(f"CallerID: {self.caller_id}")
        lines += [f"MaxRetries: {self.max_retries}", f"RetryTime: {self.retry_time}", f"WaitTime: {self.wait_time}"]
        if self.account:
            lines.append(f"Account: {self.account}")
        if self.application:
            lines.append(f"Application: {self.application}")
            if self.data:
                lines.append(f"Data: {self.data}")
        else:
            lines += [f"Context: {self.context}", f"Extension: {self.extension}", f"Priority: {self.priority}"]
        for k, v in self.variables.items():
            lines.append(f"Set: {k}={v}")
        if self.codecs:
            lines.append(f"Codecs: {self.codecs}")
        if self.early_media:
            lines.append("EarlyMedia: yes")
        lines.append(f"Archive: {'yes' if self.archive else 'no'}")
        if not self.always_delete:
            lines.append("AlwaysDelete: no")
        return "\n".join(lines) + "\n"

    def write(self, spool_dir: PathLike, name: Optional[str] = None, *, when: Optional[float] = None) -> str:
        """Drops the file into ``<spool_dir>/outgoing`` atomically and returns its path.
        ``name`` defaults to a unique ``call-<pid>-<n>.call``; ``when`` (a time.time() value)
        schedules it: the spooler dials it then, as it does for a future mtime."""
        spool_dir = os.fspath(spool_dir)
        outgoing = os.path.join(spool_dir, "outgoing")
        os.makedirs(outgoing, exist_ok=True)
        name = name or f"call-{os.getpid()}-{next(_serial)}.call"
        tmp = os.path.join(spool_dir, f".{name}.tmp")
        with open(tmp, "w") as f:
            f.write(self.text())
        if when is not None:
            os.utime(tmp, (when, when))
        final = os.path.join(outgoing, name)
        os.rename(tmp, final)  # same filesystem: the spooler never sees a half-written file
        return final

    @classmethod
    def parse(cls, text: str, name: str = "<call file>") -> "CallFile":
        """Parses call-file text with the spooler's own rules; ConfigError (file:line) when it
        would refuse it. ``attempts`` counts the StartRetry lines of the round the last Status
        line closed (for a finished file: the attempts it took), else of the running round."""
        d = _core._parse_call_file(text, name)
        if d["status"]:
            d["attempts"] = _attempts_of_last_round(text)
        return cls(channel=d["channel"], application=d["application"], data=d["data"], context=d["context"],
                   extension=d["extension"], priority=d["priority"], caller_id=d["caller_id"],
                   max_retries=d["max_retries"], retry_time=d["retry_time"], wait_time=d["wait_time"],
                   account=d["account"], variables=dict(d["variables"]), archive=d["archive"],
                   always_delete=d["always_delete"], early_media=d["early_media"], codecs=d["codecs"],
                   attempts=d["attempts"], status=d["status"], warnings=list(d["warnings"]))

    @classmethod
    def read(cls, path: PathLike) -> "CallFile":
        with open(path) as f:
            return cls.parse(f.read(), os.fspath(path))


def _attempts_of_last_round(text: str) -> int:
    rounds = [0]
    for line in text.splitlines():
        key = line.split(":", 1)[0].strip().lower()
        if key == "startretry":
            rounds[-1] += 1
        elif key == "status":
            rounds.append(0)
    return rounds[-2] if len(rounds) > 1 else rounds[-1]


def wait_done(spool_dir: PathLike, name: str, timeout: float = 60.0) -> Optional[CallFile]:
    """Waits for the archived copy of call file ``name`` in ``<spool_dir>/outgoing_done`` (the file
    needs ``archive=True``) and returns it with its attempts and status; None on timeout."""
    done = os.path.join(os.fspath(spool_dir), "outgoing_done", os.path.basename(name))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(done):
            cf = CallFile.read(done)
            if cf.status:
                return cf
        time.sleep(0.05)
    return None
