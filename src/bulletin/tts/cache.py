"""A content-addressed cache of synthesised segments.

Key: the engine's identity (engine, version, voice, settings) and the spoken text. Entries are WAV
files written atomically; an unreadable or truncated entry counts as a miss and is replaced.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from .base import Speech


def default_cache_dir() -> Path:
    env = os.environ.get("BULLETIN_CACHE_DIR")
    return Path(env) if env else Path(platformdirs.user_cache_dir("bulletin")) / "segments"


@dataclass(frozen=True)
class CacheInfo:
    path: Path
    entries: int
    bytes: int


class SegmentCache:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root or default_cache_dir()

    @staticmethod
    def key(identity: str, text: str) -> str:
        return hashlib.sha256(f"{identity}\n{text}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.wav"

    def get(self, key: str) -> Speech | None:
        path = self._path(key)
        try:
            with wave.open(str(path), "rb") as wav:
                if wav.getnchannels() != 1 or wav.getsampwidth() != 2:
                    return None
                frames = wav.getnframes()
                pcm = wav.readframes(frames)
                rate = wav.getframerate()
        except (OSError, EOFError, wave.Error):
            return None
        if frames == 0 or len(pcm) != frames * 2:
            return None  # truncated: the header promises more than the file holds
        return Speech(pcm=pcm, sample_rate=rate)

    def put(self, key: str, speech: Speech) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".wav")
        try:
            with os.fdopen(fd, "wb") as handle, wave.open(handle, "wb") as wav:
                wav.setnchannels(1)
                wav.setsampwidth(2)
                wav.setframerate(speech.sample_rate)
                wav.writeframes(speech.pcm)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def info(self) -> CacheInfo:
        files = list(self.root.glob("*/*.wav")) if self.root.exists() else []
        return CacheInfo(self.root, len(files), sum(f.stat().st_size for f in files))

    def clear(self) -> int:
        count = self.info().entries
        if self.root.exists():
            shutil.rmtree(self.root)
        return count
