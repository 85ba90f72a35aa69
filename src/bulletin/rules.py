"""The rules settings are held to, declared beside each field of the config's dataclasses.

What a value converts to before it is held to its rule is ``conversion``'s job.

``setting(default, rule)`` is a dataclass field whose value must pass ``rule``; a ``Rule`` takes
the value and the section holding it (a bit rate depends on the sample rate beside it) and says
what is wrong with it, or returns None. ``config.check_config`` applies them all.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Callable
from dataclasses import field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .fileio import file_kind

Rule = Callable[[Any, Any], "str | None"]
"""A setting's rule: given its value and the section holding it (a rule may depend on another
setting there), what is wrong with the value, or None when it is valid."""


def setting(default: Any, rule: Rule) -> Any:
    """A dataclass field with ``default`` whose values must pass ``rule``."""
    return field(default=default, metadata={"rule": rule})


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def between(low: float, high: float, unit: str) -> Rule:
    """From ``low`` to ``high`` inclusive (NaN and infinities are outside)."""
    def rule(value: float, section: Any) -> str | None:
        if low <= value <= high:
            return None
        return f"must be between {_number(low)} and {_number(high)} ({unit})"
    return rule


def one_of(values: tuple[int, ...], unit: str) -> Rule:
    def rule(value: int, section: Any) -> str | None:
        if value in values:
            return None
        return f"must be one of {', '.join(map(str, values))} ({unit})"
    return rule


# The sample rates LAME (ffmpeg's libmp3lame) encodes, and the constant bit rates (kbps) each
# takes: MPEG-1, MPEG-2 and MPEG-2.5 layer III. Given another, LAME silently picks its nearest.
_MPEG1 = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_MPEG2 = (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_MPEG25 = (8, 16, 24, 32, 40, 48, 56, 64)
LAME_BITRATES: dict[int, tuple[int, ...]] = {
    8000: _MPEG25, 11025: _MPEG25, 12000: _MPEG25, 16000: _MPEG2, 22050: _MPEG2, 24000: _MPEG2,
    32000: _MPEG1, 44100: _MPEG1, 48000: _MPEG1,
}


def lame_bitrate(value: int, audio: Any) -> str | None:
    """A constant bit rate LAME encodes at the section's ``sample_rate``."""
    rates = LAME_BITRATES.get(audio.sample_rate)
    if rates is None or value in rates:
        return None  # an unknown sample rate is refused by its own rule
    return (f"must be a constant bit rate LAME encodes at {audio.sample_rate} Hz: "
            f"{', '.join(map(str, rates))} (kbps)")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_CONTROL_IN_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def has_control(value: str) -> bool:
    """Whether ``value`` holds a control character, a newline or a lone surrogate."""
    return _CONTROL.search(value) is not None


def text(limit: int = 1000, required: bool = False, lines: bool = False) -> Rule:
    """At most ``limit`` characters of text (of several ``lines`` if allowed), not empty when
    ``required``, without control characters (nothing a feed or a file name could not hold)."""
    def rule(value: str, section: Any) -> str | None:
        if required and not value.strip():
            return "must not be empty"
        if len(value) > limit:
            return f"must be at most {limit} characters"
        if (_CONTROL_IN_LINES if lines else _CONTROL).search(value):
            return "must be text without control characters" + ("" if lines else " or newlines")
        return None
    return rule


def http_url(value: str, section: Any) -> str | None:
    """An http(s) URL with a host: the address the site is published at."""
    try:
        parts = urlsplit(value)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a bad port or IPv6 address
        ok = False
    if ok and not _CONTROL.search(value) and " " not in value:
        return None
    return "must be an http(s) URL, like https://example.com/podcast/"


def optional(rule: Rule) -> Rule:
    """``rule``, or empty (not set)."""
    def check(value: str, section: Any) -> str | None:
        return rule(value, section) if value else None
    return check


# A remote's name and a colon, or an on-the-fly remote (":backend," and options, or ":backend:")
_REMOTE = re.compile(r"^(?::[A-Za-z0-9]+[,:]|[A-Za-z0-9_][A-Za-z0-9_. -]*:)")


def remote(value: str, section: Any) -> str | None:
    """An rclone destination: a remote's name (or an on-the-fly ``:backend,opts``), a colon and a
    path (empty for the remote's root)."""
    if not value:
        return None
    if has_control(value) or len(value) > 4096 or not _REMOTE.match(value):
        return ("must be an rclone remote and path, like s3remote:bucket/podcast or "
                ":sftp,host=example.org:/srv/podcast")
    return None


def folder(value: Path | str | None, section: Any) -> str | None:
    """A folder, or a path where one can be made: neither it nor a folder above it is a file.
    (None or "": not set.)"""
    if not value:
        return None
    if isinstance(value, str) and has_control(value):
        return "must be a folder's path, without control characters"
    value = Path(value)
    for place in (value, *value.parents):
        try:
            mode = place.stat().st_mode
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as exc:
            return f"cannot be used ({exc.strerror})"
        except ValueError:
            return "is not a valid folder name"
        if stat.S_ISDIR(mode):
            return None
        kind = "file" if stat.S_ISREG(mode) else file_kind(mode)
        return f"{place} is a {kind}, not a folder"
    return None


def timezone(value: str, section: Any) -> str | None:
    """An IANA time zone name ("UTC", "Europe/London") this machine knows."""
    import zoneinfo

    try:
        if value and not has_control(value):
            zoneinfo.ZoneInfo(value)
            return None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        pass
    return "must be a time zone name this machine knows, like UTC or Europe/London"


def weights(value: tuple[tuple[str, float], ...], section: Any) -> str | None:
    """Feed URLs or host names, each with a weight from 0 to 100."""
    for name, weight in value:
        if not name.strip() or has_control(name) or len(name) > 4096:
            return "must name feed URLs or hosts (text without control characters)"
        if not 0 <= weight <= 100:
            return f"{name}: the weight must be between 0 and 100"
    return None


def sources(limit: int) -> Rule:
    """At most ``limit`` feeds, each an http(s) URL or a file's path."""
    as_text = text(4096, required=True)

    def rule(value: tuple[str, ...], section: Any) -> str | None:
        if len(value) > limit:
            return f"must list at most {limit} feeds"
        for one in value:
            problem = as_text(one, section)
            if problem:
                return f"each feed {problem}"
        return None
    return rule


def user_file(limit: int = 4096) -> Rule:
    """A file's path (or a URL, or empty): text, and when the file exists, a regular file, never
    a FIFO that would block or a device that never ends. (A missing file is reported by the
    stage that reads it, so that commands that do not need it still run.)"""
    as_text = text(limit)

    def rule(value: str, section: Any) -> str | None:
        problem = as_text(value, section)
        if problem or not value or "://" in value:
            return problem
        try:
            mode = Path(value).stat().st_mode
        except (OSError, ValueError):
            return None
        if stat.S_ISREG(mode):
            return None
        return f"must be a regular file, and {value} is a {file_kind(mode)}"
    return rule
