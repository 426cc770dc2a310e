"""The typed dialplan builder: the same snapshot extensions.conf becomes, built from code.

    from telephony.dialplan import DialplanBuilder

    plan = DialplanBuilder()
    plan.set_global("COMPANY", "Example Corp")
    demo = plan.context("demo")
    (demo.extension("100")
        .step("Answer")
        .step("Playback", "hello-world", label="greet")
        .step("Hangup"))
    demo.extension("_2XX").step("Dial", "Local/${EXTEN}@phones,20")
    demo.include("other")
    engine.load_dialplan(plan)

Every step is validated as it is added (bad patterns, duplicate priorities or labels raise
ValueError naming them); load_dialplan() swaps the whole plan in at once.
"""
from __future__ import annotations

from typing import Optional, Union

from . import _telephony as _core

Dialplan = _core._Dialplan
Dialplan.__doc__ = ("A frozen dialplan snapshot: .contexts, .exists(context, exten, priority), .show(what) "
                    "(the text of `dialplan show`), .warnings.")


class ExtensionBuilder:
    """The priorities of one extension of one context."""

    def __init__(self, builder: "DialplanBuilder", context: str, exten: str) -> None:
        self._b = builder
        self.context = context
        self.exten = exten

    def step(self, application: str, data: str = "", *, label: str = "") -> "ExtensionBuilder":
        """Adds the next priority (1 for the first, then last + 1), like ``same => n,...``."""
        number = self._b._core().last_priority(self.context, self.exten) + 1
        return self.at(number, application, data, label=label)

    def at(self, priority: int, application: str, data: str = "", *, label: str = "") -> "ExtensionBuilder":
        """Adds priority ``priority`` explicitly, like ``exten => 100,5,...``."""
        self._b._core().add_priority(self.context, self.exten, int(priority), application, data, label)
        return self

    def hint(self, devices: str) -> "ExtensionBuilder":
        """``exten => 100,hint,SIP/alice``: the device state this extension reports."""
        self._b._core().add_hint(self.context, self.exten, devices)
        return self


class ContextBuilder:
    """One context: extensions, includes and ignore patterns."""

    def __init__(self, builder: "DialplanBuilder", name: str) -> None:
        self._b = builder
        self.name = name

    def extension(self, exten: str) -> ExtensionBuilder:
        """An extension (a number, a name, or a pattern "_NXX"; "100/5551234" for caller-ID
        matching)."""
        return ExtensionBuilder(self._b, self.name, exten)

    def include(self, context: str, when: Optional[str] = None) -> "ContextBuilder":
        """``include => context[,times,weekdays,mdays,months]``."""
        self._b._core().add_include(self.name, context if when is None else f"{context},{when}")
        return self

    def ignore_pattern(self, pattern: str) -> "ContextBuilder":
        self._b._core().add_ignore_pattern(self.name, pattern)
        return self


class DialplanBuilder:
    """Builds a dialplan from code; pass it to Engine.load_dialplan()."""

    def __init__(self, *, autofallthrough: bool = True) -> None:
        self._builder: Optional[_core._DialplanBuilder] = _core._DialplanBuilder()
        self._builder.set_autofallthrough(autofallthrough)

    def _core(self) -> "_core._DialplanBuilder":
        if self._builder is None:
            raise RuntimeError("this DialplanBuilder was already loaded; make a new one")
        return self._builder

    def context(self, name: str) -> ContextBuilder:
        """The context ``name`` (created on first use; asking again returns the same context)."""
        self._core().add_context(name)
        return ContextBuilder(self, name)

    def add(self, context: str, exten: str, priority: Union[int, str], application: str, data: str = "", *,
            label: str = "") -> "DialplanBuilder":
        """One priority, extensions.conf-style: ``priority`` is a number or "n" (next)."""
        self.context(context)
        ext = ExtensionBuilder(self, context, exten)
        if priority == "n":
            ext.step(application, data, label=label)
        else:
            ext.at(int(priority), application, data, label=label)
        return self

    def set_global(self, name: str, value: str) -> "DialplanBuilder":
        """A [globals] variable."""
        self._core().set_global(name, str(value))
        return self

    def _build(self) -> "_core._Dialplan":
        plan = self._core().build()
        self._builder = None
        return plan

    def build(self) -> "_core._Dialplan":
        """Freezes the builder into a dialplan snapshot (``.contexts``, ``.exists()``,
        ``.show()`` — the text of `dialplan show`). Engine.load_dialplan() does this itself."""
        return self._build()
