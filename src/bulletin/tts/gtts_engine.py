"""gTTS: Google Translate's online voice. Needs internet access; MP3 is decoded to PCM with ffmpeg."""

from __future__ import annotations

import importlib.metadata
import io
from typing import ClassVar

from ..config import VoiceConfig
from ..errors import ToolError
from ..runner import DEFAULT_RUNNER, CommandRunner
from .base import Speech, VoiceInfo

SAMPLE_RATE = 24000


class GttsEngine:
    name: ClassVar[str] = "gtts"
    offline: ClassVar[bool] = False

    def __init__(self, config: VoiceConfig, runner: CommandRunner = DEFAULT_RUNNER) -> None:
        self.lang = config.voice or config.lang
        self.tld = config.tld
        self.slow = config.slow
        self.runner = runner
        problem = self.check()
        if problem:
            raise ToolError(f"gtts: {problem}")

    @property
    def identity(self) -> str:
        version = importlib.metadata.version("gTTS")
        return f"gtts {version} lang={self.lang} tld={self.tld} slow={self.slow}"

    def synthesize(self, text: str) -> Speech:
        from gtts import gTTS, gTTSError

        buffer = io.BytesIO()
        try:
            gTTS(text, lang=self.lang, tld=self.tld, slow=self.slow).write_to_fp(buffer)
        except gTTSError as exc:
            raise ToolError(
                f"gtts: {exc}; gTTS needs internet access, or use --engine piper"
            ) from None
        decoded = self.runner.run(
            ["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", "pipe:0",
             "-f", "s16le", "-ac", "1", "-ar", str(SAMPLE_RATE), "pipe:1"],
            input=buffer.getvalue(),
        )
        return Speech(pcm=decoded.stdout, sample_rate=SAMPLE_RATE)

    @classmethod
    def voices(cls) -> list[VoiceInfo]:
        return [VoiceInfo("gtts", "en", "Google Translate voice (online)", False)]

    @classmethod
    def check(cls) -> str | None:
        try:
            import gtts  # noqa: F401
        except ImportError:
            return "not installed (pip install gtts)"
        return None
