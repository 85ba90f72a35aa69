"""Byte ranges (RFC 9110, section 14): which bytes of a file a Range header asks for.

``parse_range(header, size)`` → the one ``ByteRange`` to send (206), None to send the whole file
(200), or it raises ``RangeNotSatisfiable`` (416). Positions may have any number of digits: a
position past the end is past the end, however long it is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_RANGE = re.compile(r"(?P<first>[0-9]*)-(?P<last>[0-9]*)")


@dataclass(frozen=True)
class ByteRange:
    """Bytes ``start`` to ``end`` of a file, both included."""

    start: int
    end: int  # inclusive


class RangeNotSatisfiable(Exception):
    """The Range header asks only for bytes the file does not have: the answer is 416."""


def _digits(number: str) -> str:
    return number.lstrip("0") or "0"


def _position(number: str, size: int) -> int:
    """A byte position written with any number of digits, capped at ``size`` (everything past the
    end is past the end), so int() never meets thousands of digits."""
    digits = _digits(number)
    return size if len(digits) > len(str(size)) else min(int(digits), size)


def _before(last: str, first: str) -> bool:
    """Whether the position ``last`` comes before ``first`` (both decimal, any length)."""
    a, b = _digits(last), _digits(first)
    return (len(a), a) < (len(b), b)


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The single byte range of a ``size``-byte file that a Range header asks for, or None to
    send the whole file: no header, another unit, several ranges, or bad syntax, all of which RFC
    9110 lets a server ignore. Raises ``RangeNotSatisfiable`` when no byte of the file is asked
    for (a first byte past the end, ``bytes=-0``, any range of an empty file). Positions of any
    length are read: one past the end is simply past it."""
    if not header:
        return None
    unit, _, spec = header.strip().partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    match = _RANGE.fullmatch(spec.strip())
    if not match or not (match["first"] or match["last"]):
        return None
    first, last = match["first"], match["last"]
    if not first:  # the last N bytes
        length = _position(last, size)
        if length == 0:
            raise RangeNotSatisfiable
        return ByteRange(size - length, size - 1)
    if last and _before(last, first):
        return None
    start = _position(first, size)
    if start >= size:
        raise RangeNotSatisfiable
    end = min(_position(last, size), size - 1) if last else size - 1
    return ByteRange(start, end)


__all__ = ["ByteRange", "RangeNotSatisfiable", "parse_range"]
