"""The speech stage: engines behind one ``Engine`` protocol, a segment cache, and synthesis.

``get_engine(config)`` builds the configured engine (``InputError`` for an unknown name, listing the
valid ones); ``headlines_engine(config)`` the engine of ``[voice.headlines]``, the second reader,
or None when there is none; ``synthesize_script(script, engine, cache, progress, workers,
headlines)`` returns one ``Clip`` per segment, synthesising only what the cache lacks, several
segments at once, each segment read by its reader.
"""

from __future__ import annotations

from ..config import VoiceConfig
from ..errors import InputError
from .base import Engine, Speech, VoiceInfo
from .cache import CacheInfo, SegmentCache
from .espeak_engine import EspeakEngine
from .gtts_engine import GttsEngine
from .piper_engine import PiperEngine
from .synthesize import synthesize_script

ENGINES: dict[str, type[Engine]] = {e.name: e for e in (PiperEngine, GttsEngine, EspeakEngine)}


def get_engine(config: VoiceConfig) -> Engine:
    """Construct the engine ``config.engine`` names; its voice and settings are checked now."""
    return _construct(config, "")


def headlines_engine(config: VoiceConfig) -> Engine | None:
    """Construct the engine of the headlines reader (``[voice.headlines]`` over ``[voice]``), or
    None when ``[voice]`` reads everything; a bad setting of it is refused naming the table."""
    reader = config.headlines_reader()
    return None if reader is None else _construct(reader, "voice.headlines")


def _construct(config: VoiceConfig, table: str) -> Engine:
    try:
        cls = ENGINES[config.engine]
    except KeyError:
        valid = ", ".join(sorted(ENGINES))
        where = f"{table}.engine: " if table else ""
        raise InputError(f"{where}unknown engine '{config.engine}' (valid engines: {valid})"
                         ) from None
    if not table:
        return cls(config)
    try:
        return cls(config)
    except InputError as exc:
        raise InputError(f"{table}: {exc}") from None


__all__ = ["ENGINES", "CacheInfo", "Engine", "SegmentCache", "Speech", "VoiceInfo", "get_engine",
           "headlines_engine", "synthesize_script", "voice_table"]


def voice_table() -> list[tuple[VoiceInfo, str | None]]:
    """Every engine's voices with None when usable on this machine right now, else the reason."""
    rows: list[tuple[VoiceInfo, str | None]] = []
    for cls in ENGINES.values():
        problem = cls.check()
        rows.extend((info, problem) for info in cls.voices())
    return rows
