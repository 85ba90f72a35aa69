"""Calendar dates, read one way everywhere and taken in UTC.

``parse_date(value, where)`` → the ``date`` that ``value`` names: ``YYYY-MM-DD``, or an ISO 8601
timestamp whose date part is taken as written; an ``InputError`` naming ``where`` otherwise.
``utc_now()`` → this moment in UTC; ``utc_today()`` → today's date in UTC, the day a bulletin built
now is dated (never the machine's local date, so a build at 23:30 in New York and one in London at
04:30 make the same bulletin).
"""

from __future__ import annotations

import datetime as dt

from .errors import InputError


def utc_now() -> dt.datetime:
    """This moment in UTC, to the second: when a build publishes."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def utc_today() -> dt.date:
    return utc_now().date()


def parse_date(value: object, where: str) -> dt.date:
    """The date ``value`` names (a date, or text starting with ``YYYY-MM-DD``), or InputError."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise InputError(f"{where}: date {text[:40]!r} is not a date (use YYYY-MM-DD)") from None
