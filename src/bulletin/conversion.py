"""What a setting's value converts to, by the setting's type, from a file, a variable or an option.

``convert(value, kind, where, base)``: TOML's and the environment's text become ``bool``, ``int``,
``float``, ``str`` or ``Path``; a type marked ``RELATIVE`` (``Location``, ``Folder``, ``Sound``) is
a path that a file gives relative to its own folder (``Sound`` also takes the word ``"none"``, kept
as it is); a ``Span`` is seconds given as a number or as "4:30", "24h"...; a ``tuple`` setting is a
list, and ``Weights`` a table of names and numbers. A value that is none of these is an
``InputError`` naming where it was given (``named``).
"""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path
from typing import Annotated, Any

from .errors import InputError
from .rules import has_control


class _RelativeToFile:
    """Marks a setting's type as a path: bulletin.toml gives it relative to the file's folder;
    the environment and the command line give it relative to the current folder."""

    def __repr__(self) -> str:
        return "RELATIVE"


class _Keeps:
    """Marks the words a path setting keeps as they are, never read as a file's name."""

    def __init__(self, *words: str) -> None:
        self.words = frozenset(words)

    def __repr__(self) -> str:
        return f"KEEPS{sorted(self.words)}"


RELATIVE = _RelativeToFile()
Location = Annotated[str, RELATIVE]  # a file's or folder's path (or a URL); "" means not set
Sound = Annotated[str, RELATIVE, _Keeps("none")]  # a sound file's path; "" bulletin's, "none" none
Folder = Annotated[Path, RELATIVE]  # a folder's path


class _Span:
    """Marks a float setting as a span of time in seconds, given as a number of seconds or as
    text: ``"5:00"`` (M:SS), ``"1:02:03"`` (H:MM:SS), ``"90s"``, ``"30m"``, ``"24h"``, ``"2d"``."""

    def __repr__(self) -> str:
        return "SPAN"


SPAN = _Span()
Span = Annotated[float, SPAN]  # seconds
Weights = tuple[tuple[str, float], ...]  # a TOML table of names and numbers, in the file's order
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_SPAN = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s*([smhdw])|((?:\d+:)?\d+:\d\d(?:\.\d+)?))\s*$",
                   re.IGNORECASE)


def parse_span(value: str) -> float | None:
    """Seconds in ``value`` ("4:30", "1:00:00", "90s", "24h"), or None when it is not a span."""
    found = _SPAN.match(value)
    if not found:
        return None
    number, unit, clock = found.groups()
    if clock is None:
        return float(number) * _UNITS[unit.lower()]
    *bigger, seconds = clock.split(":")  # [hours,] minutes
    if float(seconds) >= 60 or (len(bigger) == 2 and int(bigger[1]) >= 60):
        return None
    total = float(seconds)
    for scale, part in zip((60, 3600), reversed(bigger), strict=False):
        total += scale * int(part)
    return total


def named(where: str, value: Any) -> str:
    """``where`` with the value it gave: ``--speed 0.0``, ``$BULLETIN_SPEED = nan``,
    ``bulletin.toml: audio.crossfade = -1.0``."""
    shown = str(value) if isinstance(value, Path) else repr(value)
    if len(shown) > 80:  # a value pasted by mistake, not one line to read
        shown = f"{shown[:60]}... ({len(shown)} characters)"
    return f"{where} {shown}" if where.startswith("--") else f"{where} = {shown}"


def convert(value: Any, kind: Any, where: str, base: Path | None = None) -> Any:
    """``value``, from a TOML file, the environment (text) or an option, as a setting of type
    ``kind``; ``InputError`` naming ``where`` when it is not one.
    A path (a type marked ``RELATIVE``) given in a file is resolved against ``base``, the file's
    folder; one given elsewhere (``base`` None) is kept as given, relative to the current folder.
    """
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        kind = next(a for a in typing.get_args(kind) if a is not type(None))
    if typing.get_origin(kind) is tuple:
        return _convert_tuple(value, kind, where, base)
    if typing.get_origin(kind) is Annotated:
        if SPAN in kind.__metadata__:
            return _span(value, where)
        if base is not None and RELATIVE in kind.__metadata__:
            value = convert(value, kind.__origin__, where)
            if any(isinstance(mark, _Keeps) and value in mark.words for mark in kind.__metadata__):
                return value
            return type(value)(_resolve(base, str(value)))
        kind = kind.__origin__
    if kind is bool:
        if isinstance(value, str) and value.lower() in ("1", "true", "yes", "0", "false", "no"):
            return value.lower() in ("1", "true", "yes")
        if isinstance(value, bool):
            return value
    elif kind in (int, float):
        if isinstance(value, str):
            try:
                return kind(value)
            except (ValueError, OverflowError):
                pass
        elif isinstance(value, (int,) if kind is int else (int, float)) \
                and not isinstance(value, bool):
            try:
                return kind(value)  # TOML's 1 is a fine float; its 1.5 is not an int
            except OverflowError:  # an integer too large for a float
                pass
    elif kind is str:
        if isinstance(value, str):
            return value
    elif kind is Path and isinstance(value, str | Path):
        if not str(value).strip():
            raise InputError(f"{named(where, str(value))}: must not be empty (a folder)")
        return Path(value)
    type_name = getattr(kind, "__name__", str(kind))
    raise InputError(f"{named(where, value)}: expected {type_name}")


def _span(value: Any, where: str) -> float:
    """A span of time in seconds, from a number of seconds or text such as "4:30" or "24h"."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        seconds = parse_span(value)
        if seconds is not None:
            return seconds
        try:
            return float(value)
        except ValueError:
            pass
    raise InputError(f"{named(where, value)}: expected a span of time, like 4:30 (M:SS), "
                     "1:00:00, 90s, 30m, 24h or 2d")


def _convert_tuple(value: Any, kind: Any, where: str, base: Path | None) -> tuple:
    """A list setting (``tuple[X, ...]``) from a TOML array or the options given, each item
    converted as an X; a table setting (``Weights``) from a TOML table, in the file's order."""
    item = typing.get_args(kind)[0]
    if typing.get_origin(item) is tuple:  # a table: name -> value
        if isinstance(value, dict):
            value = tuple(value.items())
        if not isinstance(value, tuple | list):
            raise InputError(f"{named(where, value)}: expected a table of names and values")
        name_kind, value_kind = typing.get_args(item)
        return tuple((convert(name, name_kind, where),
                      convert(given, value_kind, f"{where}.{name}")) for name, given in value)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise InputError(f"{named(where, value)}: expected a list")
    return tuple(convert(one, item, where, base) for one in value)


def _resolve(base: Path, value: str) -> str:
    """Paths in bulletin.toml are relative to the file that names them."""
    if not value or "://" in value or has_control(value) or Path(value).is_absolute():
        return value  # (a name no file can have is refused by its rule)
    try:
        return str((base / value).resolve())
    except (OSError, RuntimeError):  # a symlink loop: its rule names it
        return str(base / value)
