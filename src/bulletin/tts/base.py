"""What every speech engine provides.

An engine is constructed from a ``VoiceConfig`` (raising ``InputError`` for a bad voice or setting
and ``ToolError`` when it cannot run here); ``synthesize(text)`` gives ``Speech`` (16-bit mono PCM).
``parallel`` says how segments may be spoken at once: ``"processes"`` (CPU-bound work; the engine is
pickled to each worker process, which calls ``load(store)`` before each segment: loading happens
once, later calls do nothing),
``"threads"`` (waiting on a service or a subprocess), or ``"serial"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal, Protocol

from ..config import VoiceConfig
from ..models import Speech

Parallel = Literal["processes", "threads", "serial"]


@dataclass(frozen=True)
class VoiceInfo:
    engine: str
    voice: str
    description: str
    offline: bool


class Engine(Protocol):
    name: ClassVar[str]
    offline: ClassVar[bool]
    parallel: ClassVar[Parallel]
    max_workers: ClassVar[int | None]  # segments in flight at once at most; None: no own limit

    def __init__(self, config: VoiceConfig) -> None: ...

    @property
    def identity(self) -> str:
        """Everything that changes the sound: engine version, voice and settings (the cache key)."""
        ...

    def load(self, store: Path | None = None) -> None:
        """Get ready to speak in this process (``store``: a folder for files made from voices)."""
        ...

    def synthesize(self, text: str) -> Speech: ...

    @classmethod
    def voices(cls) -> list[VoiceInfo]: ...

    @classmethod
    def check(cls) -> str | None:
        """None when usable on this machine now, else the reason it is not."""
        ...
