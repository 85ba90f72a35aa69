"""Values as a job carries them from one machine to the next: frozen dataclasses to JSON-able data
and back, by the types their fields declare.

In: a value of the model (``Article``, ``Candidate``, ``Script``, ``Proof``, ``Programme``…).
Out: ``to_wire(value)``, plain JSON data (dataclasses as objects, tuples as lists, dates as ISO
text, paths as text, bytes as base64); ``from_wire(type, data)`` makes the value again, so that
``from_wire(type(v), to_wire(v)) == v``. JSON, not pickle: a broker's message is never code.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
import types
import typing
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import InputError


def to_wire(value: Any) -> Any:
    """``value`` as plain JSON data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {spec.name: to_wire(getattr(value, spec.name))
                for spec in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list | frozenset | set):
        return [to_wire(one) for one in value]
    if isinstance(value, Mapping):
        return {str(key): to_wire(one) for key, one in value.items()}
    if isinstance(value, dt.date):  # a datetime too
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def from_wire(kind: Any, data: Any) -> Any:
    """The value of type ``kind`` that ``data`` (from ``to_wire``) describes; an ``InputError``
    when it does not fit."""
    try:
        return _make(kind, data)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise InputError(f"job: a {getattr(kind, '__name__', kind)} that does not fit ({exc})"
                         ) from None


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def _make(kind: Any, data: Any) -> Any:
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind is Any:
        return data
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        return _make(next(arg for arg in args if arg is not type(None)), data)
    if dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        return kind(**{spec.name: _make(hints[spec.name], data[spec.name])
                       for spec in dataclasses.fields(kind) if spec.name in data})
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_make(args[0], one) for one in data)
        return tuple(_make(arg, one) for arg, one in zip(args, data, strict=True))
    if origin in (frozenset, set):
        return origin(_make(args[0], one) for one in data)
    if origin in (list,):
        return [_make(args[0], one) for one in data]
    if origin in (dict, Mapping, typing.Mapping) or kind is dict:
        return {key: _make(args[1] if args else Any, one) for key, one in data.items()}
    if kind is dt.datetime:
        return dt.datetime.fromisoformat(data)
    if kind is dt.date:
        return dt.date.fromisoformat(data)
    if kind is Path:
        return Path(data)
    if kind is bytes:
        return base64.b64decode(data)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(data)
    if kind is float:
        return float(data)
    return data
