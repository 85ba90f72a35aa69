"""The progress a long command shows on a terminal, and nothing on a pipe.

``Progress(enabled)`` is a context manager; calling it with ``(done, total)`` moves the speech bar,
``steps(name)`` gives another counted bar (fetching feeds, then pages), and ``stage(name)`` shows
each later stage by name (mixing, encoding, publishing). It draws with
rich on standard error only when that is a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


class Progress:
    """Rich progress on a terminal (a bar while speaking, then each later stage by name);
    nothing at all otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.bar: Any = None
        self.task: Any = None
        self.speaking: Any = None

    def __enter__(self) -> Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("{task.description:<10}"), BarColumn(),
                                TextColumn("{task.fields[counts]}"), TimeRemainingColumn(),
                                console=Console(stderr=True), transient=True)
            self.bar.__enter__()
        return self

    def _switch(self, description: str, total: int | None) -> Any:
        if self.task is not None:
            self.bar.refresh()  # draw the finished step once before it gives way
            self.bar.update(self.task, visible=False)
        self.task = self.bar.add_task(description, total=total, counts="")
        return self.task

    def __call__(self, done: int, total: int) -> None:
        """Speech progress: ``done`` of ``total`` segments."""
        if self.bar is None:
            return
        if self.speaking is None:
            self.speaking = self._switch("Speaking", total)
        self.bar.update(self.speaking, completed=done, total=total, counts=f"{done}/{total}")

    def steps(self, name: str) -> Callable[[int, int], None]:
        """A bar of its own for counted steps (fetching feeds, then pages): call it with
        ``(done, total)``."""
        task: list[Any] = []

        def update(done: int, total: int) -> None:
            if self.bar is None:
                return
            if not task:
                task.append(self._switch(name, total))
            self.bar.update(task[0], completed=done, total=total, counts=f"{done}/{total}")
        return update

    def stage(self, name: str) -> None:
        """A stage without steps to count (mixing, encoding, publishing)."""
        if self.bar is not None:
            self._switch(name, None)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)
