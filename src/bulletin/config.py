"""Typed configuration, loaded in layers: defaults → bulletin.toml → environment → CLI options.

``load_config(path, overrides)`` returns a frozen ``Config``. A value of ``None`` in ``overrides``
means "not given on the command line" and never replaces a lower layer.

Every setting is checked once all layers are applied: each field declares its rule next to it
(``setting(default, rule)``), and the first value outside its rule is refused with one line naming
where it came from (``bulletin.toml: audio.crossfade``, ``$BULLETIN_SPEED``, ``--speed``) and what
is valid.

A setting whose type is marked ``RELATIVE`` (``Location``, ``Folder``) is a path: bulletin.toml
gives it relative to the file's own folder, the environment and the command line relative to the
current folder.
"""

from __future__ import annotations

import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Annotated, Any

from .errors import InputError
from .fileio import read_user_toml
from .rules import (
    LAME_BITRATES,
    between,
    folder,
    has_control,
    http_url,
    lame_bitrate,
    one_of,
    setting,
    text,
    user_file,
)

DEFAULT_CONFIG_FILE = Path("bulletin.toml")
CONFIG_LIMIT = 1024 * 1024  # bytes of bulletin.toml read at most


class _RelativeToFile:
    """Marks a setting's type as a path: bulletin.toml gives it relative to the file's folder;
    the environment and the command line give it relative to the current folder."""

    def __repr__(self) -> str:
        return "RELATIVE"


RELATIVE = _RelativeToFile()
Location = Annotated[str, RELATIVE]  # a file's or folder's path (or a URL); "" means not set
Folder = Annotated[Path, RELATIVE]  # a folder's path


@dataclass(frozen=True)
class ShowConfig:
    """The podcast as a whole: what the feed's channel says."""

    title: str = setting("The Bulletin", text(required=True))
    author: str = setting("bulletin", text())
    description: str = setting("News bulletins read aloud, made with bulletin.",
                               text(10_000, lines=True))
    language: str = setting("en-us", text(35))
    base_url: str = setting("http://localhost:8000/", http_url)
    email: str = setting("", text(320))
    # path or URL of the cover art; generated when empty
    image: Location = setting("", user_file())
    category: str = setting("News", text(200))
    explicit: bool = False
    copyright: str = setting("", text())
    keep_episodes: int = setting(0, between(0, 1_000_000, "episodes; 0 keeps every one"))
    # how long a replaced episode's old audio stays for listeners still streaming it
    replaced_grace_hours: float = setting(24.0, between(0, 8760, "hours"))


@dataclass(frozen=True)
class VoiceConfig:
    """Which engine speaks, and how."""

    engine: str = setting("piper", text(100))
    voice: str = setting("", text(4096))  # engine-specific; empty means the engine's default
    # 1.0 is the voice's natural rate; 1.2 is 20 % faster
    speed: float = setting(1.0, between(0.25, 4.0, "times the voice's natural rate"))
    lang: str = setting("en", text(100))  # gTTS language
    tld: str = setting("com", text(100))  # gTTS accent (Google host's top-level domain)
    slow: bool = False  # gTTS slow mode
    # parallel synthesis workers; 0 means one per core
    workers: int = setting(0, between(0, 256, "segments spoken at once; 0: one per core"))


@dataclass(frozen=True)
class AudioConfig:
    """How the bulletin is mixed and encoded."""

    bitrate: int = setting(64, lame_bitrate)  # kbps, constant bit rate
    sample_rate: int = setting(44100, one_of(tuple(LAME_BITRATES), "Hz"))
    channels: int = setting(1, one_of((1, 2), "mono or stereo"))
    loudness: float = setting(-16.0, between(-40, -5, "LUFS"))  # integrated
    true_peak: float = setting(-1.0, between(-9, 0, "dBTP"))  # ceiling
    # sting files; empty means the ones shipped with bulletin
    intro: Location = setting("", user_file())
    outro: Location = setting("", user_file())
    transition: Location = setting("", user_file())
    # seconds of overlap where a sting meets speech: at most the silence before speech (0.35 s)
    # and some, and never longer than the shortest sting shipped (0.9 s)
    crossfade: float = setting(0.15, between(0, 0.5, "seconds"))


@dataclass(frozen=True)
class ScriptConfig:
    """How articles become a spoken script."""

    # a TOML pronunciation lexicon applied before the rules
    lexicon: Location = setting("", user_file())
    templates: Location = setting("", folder)  # a folder whose templates override the shipped ones


@dataclass(frozen=True)
class Config:
    show: ShowConfig = field(default_factory=ShowConfig)
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    script: ScriptConfig = field(default_factory=ScriptConfig)
    site: Folder = setting(Path("public"), folder)
    cache_dir: Folder | None = setting(None, folder)  # None: the platform's user cache dir
    source: Path | None = None  # the bulletin.toml that was read, if any


SECTIONS: dict[str, type] = {
    "show": ShowConfig,
    "voice": VoiceConfig,
    "audio": AudioConfig,
    "script": ScriptConfig,
}

# Environment variables and the setting each one sets.
ENVIRONMENT: dict[str, str] = {
    "BULLETIN_ENGINE": "voice.engine",
    "BULLETIN_VOICE": "voice.voice",
    "BULLETIN_SPEED": "voice.speed",
    "BULLETIN_WORKERS": "voice.workers",
    "BULLETIN_BASE_URL": "show.base_url",
    "BULLETIN_TITLE": "show.title",
    "BULLETIN_CACHE_DIR": "cache_dir",
}


def _field_types(cls: type) -> dict[str, Any]:
    """Each field's type, with its ``Annotated`` marks (``RELATIVE``)."""
    hints = typing.get_type_hints(cls, include_extras=True)
    return {f.name: hints[f.name] for f in fields(cls)}


def _named(where: str, value: Any) -> str:
    """``where`` with the value it gave: ``--speed 0.0``, ``$BULLETIN_SPEED = nan``,
    ``bulletin.toml: audio.crossfade = -1.0``."""
    shown = str(value) if isinstance(value, Path) else repr(value)
    if len(shown) > 80:  # a value pasted by mistake, not one line to read
        shown = f"{shown[:60]}... ({len(shown)} characters)"
    return f"{where} {shown}" if where.startswith("--") else f"{where} = {shown}"


def _coerce(value: Any, kind: Any, where: str, base: Path | None = None) -> Any:
    """Check a TOML or environment value against a field's type (environment strings convert).
    A path (a type marked ``RELATIVE``) given in a file is resolved against ``base``, the file's
    folder; one given elsewhere (``base`` None) is kept as given, relative to the current folder.
    """
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        kind = next(a for a in typing.get_args(kind) if a is not type(None))
    if typing.get_origin(kind) is Annotated:
        if base is not None and RELATIVE in kind.__metadata__:
            value = _coerce(value, kind.__origin__, where)
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
            raise InputError(f"{_named(where, str(value))}: must not be empty (a folder)")
        return Path(value)
    type_name = getattr(kind, "__name__", str(kind))
    raise InputError(f"{_named(where, value)}: expected {type_name}")


def _apply_table(section: Any, table: Mapping[str, Any], where: str, base: Path) -> Any:
    types_ = _field_types(type(section))
    changes = {}
    for key, value in table.items():
        if key not in types_:
            valid = ", ".join(sorted(types_))
            raise InputError(f"{where}: unknown key '{key}' (valid keys: {valid})")
        changes[key] = _coerce(value, types_[key], f"{where}.{key}", base)
    return replace(section, **changes)


def _resolve(base: Path, value: str) -> str:
    """Paths in bulletin.toml are relative to the file that names them."""
    if not value or "://" in value or has_control(value) or Path(value).is_absolute():
        return value  # (a name no file can have is refused by its rule)
    try:
        return str((base / value).resolve())
    except (OSError, RuntimeError):  # a symlink loop: its rule names it
        return str(base / value)


def load_config(
    path: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Build the Config from defaults, then ``path`` (or ./bulletin.toml if present), then the
    environment, then ``overrides`` ({"voice.engine": "gtts", "site": Path(...)}; None = not given).

    ``InputError`` (one line naming the file, variable or option) when a layer cannot be read or
    a setting breaks its rule.
    """
    environ = os.environ if environ is None else environ
    config = Config()
    sources: dict[str, str] = {}  # each setting given, and where: "bulletin.toml: audio.bitrate"
    explicit = path is not None
    path = path if path is not None else DEFAULT_CONFIG_FILE
    if explicit or path.exists():
        data = read_user_toml(path, "config", CONFIG_LIMIT)
        base = path.resolve().parent
        for name, table in data.items():
            if name in SECTIONS:
                if not isinstance(table, dict):
                    raise InputError(f"{path}: [{name}] must be a table")
                section = _apply_table(getattr(config, name), table, f"{path}: {name}", base)
                config = replace(config, **{name: section})
                sources.update({f"{name}.{key}": f"{path}: {name}.{key}" for key in table})
            elif name in ("site", "cache_dir"):
                value = _coerce(table, _field_types(Config)[name], f"{path}: {name}", base)
                config = replace(config, **{name: value})
                sources[name] = f"{path}: {name}"
            else:
                valid = ", ".join([*(f"[{s}]" for s in SECTIONS), "site", "cache_dir"])
                raise InputError(f"{path}: unknown key '{name}' (valid: {valid})")
        config = replace(config, source=path)

    for var, dotted in ENVIRONMENT.items():
        if environ.get(var):
            config = _set(config, dotted, environ[var], f"${var}")
            sources[dotted] = f"${var}"

    for dotted, value in (overrides or {}).items():
        if value is not None:
            option = f"--{dotted.split('.')[-1].replace('_', '-')}"
            config = _set(config, dotted, value, option)
            sources[dotted] = option
    check_config(config, sources)
    return config


def _set(config: Config, dotted: str, value: Any, where: str) -> Config:
    if "." not in dotted:
        kind = _field_types(Config)[dotted]
        return replace(config, **{dotted: _coerce(value, kind, where)})
    section_name, key = dotted.split(".", 1)
    section = getattr(config, section_name)
    kind = _field_types(type(section))[key]
    return replace(config, **{section_name: replace(section, **{key: _coerce(value, kind, where)})})


def check_config(config: Config, sources: Mapping[str, str] | None = None) -> None:
    """Hold every setting of ``config`` to the rule its field declares; ``InputError`` for the
    first that breaks it, naming where it was given (``sources``: setting → where)."""
    sources = sources or {}
    holders = [("", config), *((f"{name}.", getattr(config, name)) for name in SECTIONS)]
    for prefix, holder in holders:
        for spec in fields(holder):
            rule = spec.metadata.get("rule")
            value = getattr(holder, spec.name)
            problem = rule(value, holder) if rule else None
            if problem:
                dotted = prefix + spec.name
                where = sources.get(dotted, f"{dotted} (default)")
                raise InputError(f"{_named(where, value)}: {problem}")
