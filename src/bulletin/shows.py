"""Shows: the ``[shows.NAME]`` tables of bulletin.toml, each a show with settings of its own.

In: the ``shows`` table of a TOML document (``read_shows(table, path)``). Out: a tuple of ``Show``,
each holding its name, its ``schedule`` (a cron expression, "" for none) and the settings its table
gives, as ``Given`` entries of the config's own settings (``title`` is ``show.title``, ``feeds``
``edition.feeds``...), so that ``config.load_config`` applies them over the top-level ones and holds
them to the same rules, with the same one-line errors naming ``bulletin.toml: shows.NAME.KEY``.
``cron_rule`` and ``broker_rule`` are the rules of a schedule and of a broker's URL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .conversion import named
from .errors import InputError
from .layers import Given
from .rules import has_control

# a show's key -> the setting it gives
SHOW_KEYS: dict[str, str] = {
    "title": "show.title",
    "feeds": "edition.feeds",
    "duration": "edition.duration",
    "stories": "edition.stories",
    "engine": "voice.engine",
    "voice": "voice.voice",
    "site": "site",
    "remote": "publish.remote",
}
SCHEDULE = "schedule"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
# minute, hour, day of month, month, day of week: each *, a number, a range, a list, a step
_CRON_FIELD = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$")
_CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))


@dataclass(frozen=True)
class Show:
    """One ``[shows.NAME]`` table: its name, its cron ``schedule`` and the settings it gives."""

    name: str
    schedule: str = ""
    given: tuple[Given, ...] = ()


def cron_rule(value: str) -> str | None:
    """What is wrong with a cron expression of five fields ("0 * * * *"), or None."""
    parts = value.split()
    if len(parts) != 5:
        return "must be a cron expression of five fields: minute hour day month weekday"
    for part, (low, high), name in zip(parts, _CRON_RANGES,
                                       ("minute", "hour", "day", "month", "weekday"),
                                       strict=True):
        numbers = [int(n) for n in re.findall(r"(?<![/\d])\d+", part)]
        if not _CRON_FIELD.match(part) or any(not low <= n <= high for n in numbers):
            return f"its {name} field {part!r} must be *, */N, or numbers {low}-{high}"
    return None


def broker_rule(value: str, section: Any) -> str | None:
    """A Redis URL: redis://host:port/db (rediss:// with TLS)."""
    if has_control(value) or len(value) > 2000:
        return "must be a redis:// URL on one line"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError:
        return "must be a redis:// URL, e.g. redis://127.0.0.1:6379/0"
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        return "must be a redis:// URL, e.g. redis://127.0.0.1:6379/0"
    return None


def read_shows(table: Any, path: Path) -> tuple[Show, ...]:
    """The shows a bulletin.toml's ``[shows]`` table describes, each table's keys checked."""
    if not isinstance(table, Mapping):
        raise InputError(f"{path}: [shows] must hold a table for each show ([shows.NAME])")
    base = path.resolve().parent
    shows = []
    for name, keys in table.items():
        where = f"{path}: shows.{name}"
        if not _NAME.match(name):
            raise InputError(f"{where}: a show's name is letters, digits, - and _ (64 at most)")
        if not isinstance(keys, Mapping):
            raise InputError(f"{path}: [shows.{name}] must be a table")
        given, schedule = [], ""
        for key, value in keys.items():
            if key == SCHEDULE:
                problem = (None if isinstance(value, str) else "expected str") or cron_rule(value)
                if problem:
                    raise InputError(f"{named(f'{where}.{key}', value)}: {problem}")
                schedule = " ".join(value.split())
            elif key in SHOW_KEYS:
                given.append(Given(SHOW_KEYS[key], value, f"{where}.{key}", base))
            else:
                valid = ", ".join(sorted((*SHOW_KEYS, SCHEDULE)))
                raise InputError(f"{path}: shows.{name}: unknown key '{key}' (valid: {valid})")
        shows.append(Show(name, schedule, tuple(given)))
    return tuple(shows)


def find_show(shows: tuple[Show, ...], name: str, source: Path | None) -> Show:
    """The show called ``name``; an ``InputError`` naming the shows there are when none is."""
    for show in shows:
        if show.name == name:
            return show
    where = source or "bulletin.toml"
    known = ", ".join(show.name for show in shows) or "none"
    raise InputError(f"--show {name}: no [shows.{name}] in {where} (shows: {known})")
