"""What every speech engine provides.

An engine is constructed from a ``VoiceConfig`` (raising ``InputError`` for a bad voice or setting and
``ToolError`` when it cannot run here), then ``synthesize(text)`` returns ``Speech``: 16-bit mono PCM.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol

from ..config import VoiceConfig


@dataclass(frozen=True)
class Speech:
    pcm: bytes  # 16-bit signed little-endian mono
    sample_rate: int


@dataclass(frozen=True)
class VoiceInfo:
    engine: str
    voice: str
    description: str
    offline: bool


class Engine(Protocol):
    name: ClassVar[str]
    offline: ClassVar[bool]

    def __init__(self, config: VoiceConfig) -> None: ...

    @property
    def identity(self) -> str:
        """Everything that changes the sound: engine version, voice and settings (the cache key)."""
        ...

    def synthesize(self, text: str) -> Speech: ...

    @classmethod
    def voices(cls) -> list[VoiceInfo]: ...

    @classmethod
    def check(cls) -> str | None:
        """None when usable on this machine now, else the reason it is not."""
        ...
