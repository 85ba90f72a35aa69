"""Typed configuration, loaded in layers: defaults → bulletin.toml → environment → CLI options.

``load_config(path, overrides)`` returns a frozen ``Config``. A value of ``None`` in ``overrides``
means "not given on the command line" and never replaces a lower layer.
"""

from __future__ import annotations

import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import InputError
from .fileio import read_user_text

DEFAULT_CONFIG_FILE = Path("bulletin.toml")


@dataclass(frozen=True)
class ShowConfig:
    """The podcast as a whole: what the feed's channel says."""

    title: str = "The Bulletin"
    author: str = "bulletin"
    description: str = "News bulletins read aloud, made with bulletin."
    language: str = "en-us"
    base_url: str = "http://localhost:8000/"
    email: str = ""
    image: str = ""  # path or URL of the cover art; generated when empty
    category: str = "News"
    explicit: bool = False
    copyright: str = ""
    keep_episodes: int = 0  # 0 keeps every episode
    replaced_grace_hours: float = 24.0  # a rebuilt episode's old audio stays this long


@dataclass(frozen=True)
class VoiceConfig:
    """Which engine speaks, and how."""

    engine: str = "piper"
    voice: str = ""  # engine-specific; empty means the engine's default
    speed: float = 1.0  # 1.0 is the voice's natural rate; 1.2 is 20 % faster
    lang: str = "en"  # gTTS language
    tld: str = "com"  # gTTS accent (Google host's top-level domain)
    slow: bool = False  # gTTS slow mode
    workers: int = 0  # parallel synthesis workers; 0 means one per core


@dataclass(frozen=True)
class AudioConfig:
    """How the bulletin is mixed and encoded."""

    bitrate: int = 64  # kbps, constant bit rate
    sample_rate: int = 44100
    channels: int = 1
    loudness: float = -16.0  # integrated LUFS
    true_peak: float = -1.0  # dBTP ceiling
    intro: str = ""  # sting files; empty means the ones shipped with bulletin
    outro: str = ""
    transition: str = ""
    crossfade: float = 0.15  # seconds of overlap where a sting meets speech


@dataclass(frozen=True)
class ScriptConfig:
    """How articles become a spoken script."""

    lexicon: str = ""  # a TOML pronunciation lexicon applied before the rules
    templates: str = ""  # a folder whose templates override the shipped ones


@dataclass(frozen=True)
class Config:
    show: ShowConfig = field(default_factory=ShowConfig)
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    script: ScriptConfig = field(default_factory=ScriptConfig)
    site: Path = Path("public")
    cache_dir: Path | None = None  # None: the platform's user cache dir
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
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in fields(cls)}


def _coerce(value: Any, kind: Any, where: str) -> Any:
    """Check a TOML or environment value against a field's type (environment strings convert)."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        kind = next(a for a in typing.get_args(kind) if a is not type(None))
    if kind is bool:
        if isinstance(value, str) and value.lower() in ("1", "true", "yes", "0", "false", "no"):
            return value.lower() in ("1", "true", "yes")
        if isinstance(value, bool):
            return value
    elif kind in (int, float):
        if isinstance(value, str):
            try:
                return kind(value)
            except ValueError:
                pass
        elif isinstance(value, (int,) if kind is int else (int, float)) \
                and not isinstance(value, bool):
            return kind(value)  # TOML's 1 is a fine float; its 1.5 is not an int
    elif kind is str:
        if isinstance(value, str):
            return value
    elif kind is Path and isinstance(value, str):
        return Path(value)
    type_name = getattr(kind, "__name__", str(kind))
    raise InputError(f"{where}: expected {type_name}, got {value!r}")


def _read_toml(path: Path) -> dict[str, Any]:
    text = read_user_text(path, "config", 1024 * 1024)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML ({exc})") from None


def _apply_table(section: Any, table: Mapping[str, Any], where: str) -> Any:
    types_ = _field_types(type(section))
    changes = {}
    for key, value in table.items():
        if key not in types_:
            valid = ", ".join(sorted(types_))
            raise InputError(f"{where}: unknown key '{key}' (valid keys: {valid})")
        changes[key] = _coerce(value, types_[key], f"{where}.{key}")
    return replace(section, **changes)


def _resolve(base: Path, value: str) -> str:
    """Paths in bulletin.toml are relative to the file that names them."""
    if not value or "://" in value or Path(value).is_absolute():
        return value
    return str((base / value).resolve())


def load_config(
    path: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Build the Config from defaults, then ``path`` (or ./bulletin.toml if present), then the
    environment, then ``overrides`` ({"voice.engine": "gtts", "site": Path(...)}; None = not given).
    """
    environ = os.environ if environ is None else environ
    config = Config()
    explicit = path is not None
    path = path if path is not None else DEFAULT_CONFIG_FILE
    if explicit or path.exists():
        data = _read_toml(path)
        base = path.resolve().parent
        for name, table in data.items():
            if name in SECTIONS:
                if not isinstance(table, dict):
                    raise InputError(f"{path}: [{name}] must be a table")
                section = _apply_table(getattr(config, name), table, f"{path}: {name}")
                config = replace(config, **{name: section})
            elif name in ("site", "cache_dir"):
                value = _coerce(table, Path, f"{path}: {name}")
                config = replace(config, **{name: Path(_resolve(base, str(value)))})
            else:
                valid = ", ".join([*(f"[{s}]" for s in SECTIONS), "site", "cache_dir"])
                raise InputError(f"{path}: unknown key '{name}' (valid: {valid})")
        for section_name, keys in (("audio", ("intro", "outro", "transition")),
                                   ("script", ("lexicon", "templates")),
                                   ("show", ("image",))):
            section = getattr(config, section_name)
            resolved = {k: _resolve(base, getattr(section, k)) for k in keys}
            config = replace(config, **{section_name: replace(section, **resolved)})
        config = replace(config, source=path)

    for var, dotted in ENVIRONMENT.items():
        if environ.get(var):
            config = _set(config, dotted, environ[var], f"${var}")

    for dotted, value in (overrides or {}).items():
        if value is not None:
            config = _set(config, dotted, value, f"--{dotted.split('.')[-1].replace('_', '-')}")
    return config


def _set(config: Config, dotted: str, value: Any, where: str) -> Config:
    if "." not in dotted:
        path_like = dotted in ("site", "cache_dir")
        return replace(config, **{dotted: Path(value) if path_like else value})
    section_name, key = dotted.split(".", 1)
    section = getattr(config, section_name)
    kind = _field_types(type(section))[key]
    return replace(config, **{section_name: replace(section, **{key: _coerce(value, kind, where)})})

