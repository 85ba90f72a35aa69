"""The speech stage: engines behind one ``Engine`` protocol, a segment cache, and synthesis.

``get_engine(config)`` builds the configured engine (``InputError`` for an unknown name, listing the
valid ones); ``synthesize_script(script, engine, cache)`` returns one ``Clip`` per segment.
"""

from __future__ import annotations

from ..config import VoiceConfig
from ..errors import InputError
from .base import Engine, Speech, VoiceInfo
from .cache import SegmentCache
from .gtts_engine import GttsEngine
from .piper_engine import PiperEngine
from .synthesize import synthesize_script

ENGINES: dict[str, type] = {e.name: e for e in (PiperEngine, GttsEngine)}


def get_engine(config: VoiceConfig) -> Engine:
    """Construct the engine ``config.engine`` names; its availability is checked now."""
    try:
        cls = ENGINES[config.engine]
    except KeyError:
        valid = ", ".join(sorted(ENGINES))
        raise InputError(f"unknown engine '{config.engine}' (valid engines: {valid})") from None
    return cls(config)


__all__ = ["ENGINES", "Engine", "SegmentCache", "Speech", "VoiceInfo", "get_engine",
           "synthesize_script"]
