"""Text that every published file can carry: control characters out, one line where a line is due.

XML 1.0 cannot carry most C0 control characters at all, lone surrogates cannot be encoded as UTF-8,
and C1 controls and DEL show up as boxes in podcast apps; all of them are dropped. Tabs and line
breaks stay in running text; titles collapse to a single line; only a web address is linked to.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACE = re.compile(r"\s+")


def clean_text(value: object) -> str:
    """``value`` as text without control characters; line breaks normalised to ``\\n``."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def one_line(value: object) -> str:
    """``clean_text`` with every run of whitespace (line breaks too) turned into one space."""
    return _SPACE.sub(" ", clean_text(value)).strip()


def clock(seconds: float) -> str:
    """A time as players show it: m:ss, or h:mm:ss past an hour, in whole seconds."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def web_address(value: object) -> str | None:
    """``value`` when it is an http(s) address with a host, fit to link to; else None (a path, a
    ``javascript:`` link, text with spaces or control characters)."""
    if not isinstance(value, str) or not value or _SPACE.search(value) or _CONTROL.search(value):
        return None
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return None
    return value if parts.scheme.lower() in ("http", "https") and host else None
