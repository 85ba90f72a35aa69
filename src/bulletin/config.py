"""Typed configuration, loaded in layers: defaults → bulletin.toml → environment → CLI options.

``load_config(path, overrides)`` returns a frozen ``Config``. ``Overrides`` holds the command-line
options; a value of ``None`` there means "not given" and never replaces a lower layer.

Every setting is checked once all layers are applied: each field declares its rule next to it
(``setting(default, rule)``), and the first value outside its rule is refused with one line naming
where it came from (``bulletin.toml: audio.crossfade``, ``$BULLETIN_SPEED``, ``--speed``) and what
is valid.

Each layer's values are converted by the type of the setting they give (``conversion``, applied by
``layers``): a
setting typed ``Location`` or ``Folder`` is a path, which bulletin.toml gives relative to the
file's own folder, and the environment and the command line relative to the current folder.
Tables nest: ``[voice.gtts]`` is ``Config.voice.gtts``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .conversion import Folder, Location, Sound, Span, Weights
from .fileio import read_user_toml
from .layers import Given, check_tables, from_file, give, refuse_twice_given
from .rules import (
    LAME_BITRATES,
    between,
    folder,
    http_url,
    lame_bitrate,
    one_of,
    optional,
    remote,
    setting,
    sources,
    text,
    timezone,
    user_file,
    weights,
)
from .shows import Show, broker_rule, find_show, read_shows

DEFAULT_CONFIG_FILE = Path("bulletin.toml")
CONFIG_LIMIT = 1024 * 1024  # bytes of bulletin.toml read at most

log = logging.getLogger(__name__)


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
    # the time zone of the times an edition's title and summary give
    timezone: str = setting("UTC", timezone)


@dataclass(frozen=True)
class GttsConfig:
    """Google Translate's voice: the ``[voice.gtts]`` table."""

    lang: str = setting("en", text(100))  # language; [voice] voice, when set, wins
    tld: str = setting("com", text(100))  # accent (Google host's top-level domain)
    slow: bool = False  # slow mode


@dataclass(frozen=True)
class HeadlinesVoiceConfig:
    """The headlines reader, the ``[voice.headlines]`` table: it reads the intro, the rundown, the
    headlines, the transitions and the sign-off, while ``[voice]`` reads the stories. Nothing set
    here: ``[voice]`` reads everything. What is left out is ``[voice]``'s (its voice only when the
    engine is the same: a voice belongs to its engine)."""

    engine: str = setting("", text(100))  # empty: [voice]'s engine
    voice: str = setting("", text(4096))  # empty: as [voice] (same engine), else engine's default
    # 0: [voice]'s speed
    speed: float = setting(0.0, optional(between(0.25, 4.0, "times the voice's natural rate; "
                                                 "0: as [voice]")))

    @property
    def is_set(self) -> bool:
        return bool(self.engine or self.voice or self.speed)


@dataclass(frozen=True)
class VoiceConfig:
    """Which engine speaks, and how."""

    engine: str = setting("piper", text(100))
    voice: str = setting("", text(4096))  # engine-specific; empty means the engine's default
    # 1.0 is the voice's natural rate; 1.2 is 20 % faster
    speed: float = setting(1.0, between(0.25, 4.0, "times the voice's natural rate"))
    # parallel synthesis workers; 0 means one per core
    workers: int = setting(0, between(0, 256, "segments spoken at once; 0: one per core"))
    gtts: GttsConfig = field(default_factory=GttsConfig)
    headlines: HeadlinesVoiceConfig = field(default_factory=HeadlinesVoiceConfig)

    def headlines_reader(self) -> VoiceConfig | None:
        """The settings of the reader of everything but the stories: ``[voice.headlines]`` over
        these; None when ``[voice.headlines]`` is not set or asks for this very reader."""
        table = self.headlines
        if not table.is_set:
            return None
        engine = table.engine or self.engine
        same = engine == self.engine
        reader = replace(self, engine=engine, voice=table.voice or (self.voice if same else ""),
                         speed=table.speed or self.speed, headlines=HeadlinesVoiceConfig())
        return None if reader == replace(self, headlines=HeadlinesVoiceConfig()) else reader


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
    # the music bed under the opening and the sign-off; empty means bulletin's own, "none" none
    bed: Sound = setting("", user_file())
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
class PublishConfig:
    """Where ``bulletin push`` (and ``--push``) sends the site, and the hub it tells."""

    # an rclone remote and path ("s3remote:bucket/podcast", ":sftp,host=...:path"); "" for none
    remote: str = setting("", remote)
    # a WebSub hub told of each push; the feed names it ("" for none)
    websub_hub: str = setting("", optional(http_url))


@dataclass(frozen=True)
class PlayoutConfig:
    """The playout copy: a Broadcast WAV for radio automation, written beside the podcast MP3."""

    # the WAV file to write (replaced atomically each time); "" writes none
    path: Location = setting("", user_file())
    channels: int = setting(1, one_of((1, 2), "mono or stereo"))
    # integrated, EBU R128; the podcast MP3 keeps [audio] loudness
    loudness: float = setting(-23.0, between(-40, -5, "LUFS"))


@dataclass(frozen=True)
class ProofConfig:
    """Proofing by ear (``bulletin proof``) and the review gate a build passes through."""

    # off: builds are not proofed; report: build --json carries the proof; hold: a build whose
    # word error rate is above max_wer is kept as a draft until approved
    mode: str = setting("off", one_of(("off", "report", "hold"), "proofing"))
    max_wer: float = setting(0.15, between(0, 1, "a fraction of the words"))
    max_segment_wer: float = setting(0.34, between(0, 1, "a fraction of a segment's words"))
    model: Location = setting("", folder)  # a faster-whisper model folder; "" for tiny.en


MAX_FEEDS = 100


@dataclass(frozen=True)
class EditionConfig:
    """An edition: the bulletin written from news feeds, to time (``bulletin edition``)."""

    feeds: tuple[Location, ...] = setting((), sources(MAX_FEEDS))  # http(s) URLs or files
    # the whole programme's length, stings included; 0 reads the chosen stories whole
    duration: Span = setting(300.0, between(0, 3 * 3600, "seconds, e.g. 4:30; 0: untimed"))
    stories: int = setting(6, between(1, 50, "stories"))
    max_age: Span = setting(86400.0, between(60, 366 * 86400, "seconds, e.g. 24h or 2d"))
    # feed URL or host -> weight in the ranking (1 when not named)
    weights: Weights = setting((), weights)


@dataclass(frozen=True)
class QueueConfig:
    """The job queue (``bulletin worker``, ``--queue``): Celery over Redis."""

    broker: str = setting("redis://127.0.0.1:6379/0", broker_rule)


@dataclass(frozen=True)
class Config:
    show: ShowConfig = field(default_factory=ShowConfig)
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    script: ScriptConfig = field(default_factory=ScriptConfig)
    edition: EditionConfig = field(default_factory=EditionConfig)
    publish: PublishConfig = field(default_factory=PublishConfig)
    playout: PlayoutConfig = field(default_factory=PlayoutConfig)
    proof: ProofConfig = field(default_factory=ProofConfig)
    queue: QueueConfig = field(default_factory=QueueConfig)
    site: Folder = setting(Path("public"), folder)
    cache_dir: Folder | None = setting(None, folder)  # None: the platform's user cache dir
    # the bulletin.toml that was read, if any (not a setting)
    source: Path | None = field(default=None, metadata={"setting": False})
    # the file's [shows.NAME] tables (not settings: --show applies one)
    shows: tuple[Show, ...] = field(default=(), metadata={"setting": False})

    @property
    def cache_root(self) -> Path:
        """Where bulletin keeps what it can make again (spoken segments, prepared voices, encoded
        programmes): ``cache_dir``, else the platform's user cache folder."""
        if self.cache_dir is not None:
            return self.cache_dir
        import platformdirs

        return Path(platformdirs.user_cache_dir("bulletin")) / "segments"


# Settings that moved: where a file used to give them, and where they live now. The old place is
# still read, with a warning naming the new one.
MOVED: dict[str, str] = {
    "voice.lang": "voice.gtts.lang",
    "voice.tld": "voice.gtts.tld",
    "voice.slow": "voice.gtts.slow",
}


def _sets(setting_: str) -> Any:
    """An ``Overrides`` field that gives ``setting_``; None means "not given"."""
    return field(default=None, metadata={"sets": setting_})


@dataclass(frozen=True)
class Overrides:
    """Settings given as command-line options, each named after its option (``base_url`` is
    ``--base-url``) and declaring the setting it gives. None means "not given": the lower layers
    stand."""

    site: Path | None = _sets("site")
    cache_dir: Path | None = _sets("cache_dir")
    engine: str | None = _sets("voice.engine")
    voice: str | None = _sets("voice.voice")
    speed: float | None = _sets("voice.speed")
    workers: int | None = _sets("voice.workers")
    base_url: str | None = _sets("show.base_url")
    feeds: tuple[str, ...] | None = _sets("edition.feeds")
    duration: str | None = _sets("edition.duration")
    stories: int | None = _sets("edition.stories")
    max_age: str | None = _sets("edition.max_age")
    to: str | None = _sets("publish.remote")
    playout: str | None = _sets("playout.path")
    broker: str | None = _sets("queue.broker")


# Environment variables and the setting each one sets.
ENVIRONMENT: dict[str, str] = {
    "BULLETIN_ENGINE": "voice.engine",
    "BULLETIN_VOICE": "voice.voice",
    "BULLETIN_SPEED": "voice.speed",
    "BULLETIN_WORKERS": "voice.workers",
    "BULLETIN_BASE_URL": "show.base_url",
    "BULLETIN_TITLE": "show.title",
    "BULLETIN_CACHE_DIR": "cache_dir",
    "BULLETIN_REMOTE": "publish.remote",
    "BULLETIN_BROKER": "queue.broker",
}


def load_config(
    path: Path | None = None,
    overrides: Overrides | None = None,
    environ: Mapping[str, str] | None = None,
    show: str | None = None,
) -> Config:
    """Build the Config from defaults, then ``path`` (or ./bulletin.toml if present), then the
    environment (``environ``, default ``os.environ``; see ``ENVIRONMENT``), then the
    ``[shows.NAME]`` table named by ``show`` (``--show``), then ``overrides``.

    Every layer's values go one way: each is converted by its setting's type, then every setting
    is held to its rule. ``InputError`` (one line naming the file, variable or option) when a
    layer cannot be read or a setting breaks its rule.
    """
    environ = os.environ if environ is None else environ
    config = Config()
    given: list[Given] = []
    explicit = path is not None
    path = path if path is not None else DEFAULT_CONFIG_FILE
    if explicit or path.exists():
        document = dict(read_user_toml(path, "config", CONFIG_LIMIT))
        shows = read_shows(document.pop("shows", {}), path)
        given += from_file(document, path, Config, MOVED)
        config = replace(config, source=path, shows=shows)
        refuse_twice_given(given)
    given += [Given(dotted, environ[var], f"${var}")
              for var, dotted in ENVIRONMENT.items() if environ.get(var)]
    for other in config.shows:  # every show is held to the rules, whichever is chosen
        both = [*given, *other.given]
        check_config(_given(config, both), {g.setting: g.where for g in both})
    if show is not None:
        given += find_show(config.shows, show, config.source).given
    given += [Given(option.metadata["sets"], value, f"--{option.name.replace('_', '-')}")
              for option in fields(Overrides)
              if (value := getattr(overrides or Overrides(), option.name)) is not None]
    config = _given(config, given)
    check_config(config, {g.setting: g.where for g in given})
    for moved in (g for g in given if g.moved_from):  # only once all is well: one line per error
        new_table, _, key = moved.setting.rpartition(".")
        log.warning("%s: %s has moved: write it as %s under [%s]", path, moved.moved_from, key,
                    new_table)
    return config


def _given(config: Config, given: list[Given]) -> Config:
    for setting_ in given:
        config = give(config, setting_.setting.split("."), setting_)
    return config


def check_config(config: Config, sources: Mapping[str, str] | None = None) -> None:
    """Hold every setting of ``config`` to the rule its field declares; ``InputError`` for the
    first that breaks it, naming where it was given (``sources``: setting → where)."""
    check_tables(config, "", sources or {})
