"""Ctrl-C, noticed once for the whole program and reported in one line.

``install()`` (first thing the command does) makes SIGINT raise ``KeyboardInterrupt`` as usual
and remembers that it came; ``happened()`` says whether it has. An error raised after Ctrl-C (a
program killed by the same signal, a module whose loading was cut short) is a consequence of it,
so it is reported as the interrupt. ``report()`` writes "bulletin: interrupted" once and exits
with status 130.
"""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType
from typing import NoReturn

_came = threading.Event()
_said = threading.Event()


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    _came.set()
    raise KeyboardInterrupt


def install() -> None:
    signal.signal(signal.SIGINT, _on_sigint)


def happened() -> bool:
    return _came.is_set()


def report() -> NoReturn:
    _came.set()
    if not _said.is_set():
        _said.set()
        sys.stderr.write("bulletin: interrupted\n")
        sys.stderr.flush()
    raise SystemExit(130)
