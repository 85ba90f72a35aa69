"""How the layers of settings are applied to the config's tables (the work behind ``load_config``).

In: the settings a layer gives (``Given``: a dotted name, a value, where it was given), read from a
TOML document by ``from_file`` (which walks nested tables into the dataclasses their fields hold)
or from the environment and the options. ``give`` puts one into the config, converted by its
field's type (``conversion.convert``); ``check_tables`` holds every setting to the rule its field
declares. Out: a new frozen config, or an ``InputError`` of one line naming where the value came
from.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Mapping
from dataclasses import Field, dataclass, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from .conversion import convert, named
from .errors import InputError


@functools.cache
def _fields(cls: type) -> dict[str, Field[Any]]:
    return {f.name: f for f in fields(cls)}


@functools.cache
def _field_types(cls: type) -> dict[str, Any]:
    """Each field's type, with its ``Annotated`` marks (``RELATIVE``)."""
    hints = typing.get_type_hints(cls, include_extras=True)
    return {f.name: hints[f.name] for f in fields(cls)}


@dataclass(frozen=True)
class Given:
    """One setting given by a layer: its dotted name, its value as given, where it was given
    (``bulletin.toml: voice.speed``, ``$BULLETIN_SPEED``, ``--speed``) and, for a file, the
    folder its paths are relative to."""

    setting: str
    value: Any
    where: str
    base: Path | None = None
    moved_from: str = ""  # the old place a file gave a moved setting in (config.MOVED)


def from_file(table: Mapping[str, Any], path: Path, cls: type, moved: Mapping[str, str],
              prefix: str = "") -> list[Given]:
    """Every setting a TOML document (or one of its tables, ``cls`` at ``prefix``) gives, walking
    nested tables into the dataclasses their fields hold: ``[voice.gtts]`` is ``VoiceConfig.gtts``.
    """
    types_ = {name: kind for name, kind in _field_types(cls).items()
              if _fields(cls)[name].metadata.get("setting", True)}
    base = path.resolve().parent
    given: list[Given] = []
    for key, value in table.items():
        dotted = prefix + key
        kind = types_.get(key)
        if dotted in moved:
            given.append(Given(moved[dotted], value, f"{path}: {dotted}", base, dotted))
        elif kind is None:
            valid = ", ".join(sorted(f"[{prefix}{k}]" if is_dataclass(t) else k
                                     for k, t in types_.items()))
            table_name = f"{prefix[:-1]}: " if prefix else ""
            raise InputError(f"{path}: {table_name}unknown key '{key}' (valid: {valid})")
        elif is_dataclass(kind):
            if not isinstance(value, dict):
                raise InputError(f"{path}: [{dotted}] must be a table")
            given += from_file(value, path, kind, moved, f"{dotted}.")
        else:
            given.append(Given(dotted, value, f"{path}: {dotted}", base))
    return given


def refuse_twice_given(given: list[Given]) -> None:
    """A file that gives a moved setting in both its old and its new place is ambiguous."""
    seen: dict[str, str] = {}
    for setting_ in given:
        if setting_.setting in seen:
            raise InputError(f"{seen[setting_.setting]} and {setting_.where.partition(': ')[2]} "
                             f"are the same setting; keep only {setting_.setting}")
        seen[setting_.setting] = setting_.where


def give(holder: Any, names: list[str], given: Given) -> Any:
    """``holder`` (the Config, or a table of it) with the setting at ``names`` given its value,
    checked against the field's type."""
    name, *rest = names
    if rest:
        return replace(holder, **{name: give(getattr(holder, name), rest, given)})
    kind = _field_types(type(holder))[name]
    return replace(holder, **{name: convert(given.value, kind, given.where, given.base)})


def check_tables(holder: Any, prefix: str, sources: Mapping[str, str]) -> None:
    """Hold each setting of ``holder`` (the Config, or a table of it, at ``prefix``) to its rule;
    ``InputError`` for the first that breaks it, naming where ``sources`` says it was given."""
    tables = []
    for spec in fields(holder):
        value = getattr(holder, spec.name)
        if is_dataclass(value):
            tables.append((value, f"{prefix}{spec.name}."))
            continue
        rule = spec.metadata.get("rule")
        problem = rule(value, holder) if rule else None
        if problem:
            dotted = prefix + spec.name
            where = sources.get(dotted, f"{dotted} (default)")
            raise InputError(f"{named(where, value)}: {problem}")
    for table, table_prefix in tables:  # a table's own settings first, then its tables'
        check_tables(table, table_prefix, sources)
