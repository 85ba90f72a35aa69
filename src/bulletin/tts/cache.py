"""A content-addressed cache of synthesised segments.

Key: the engine's identity (engine, version, voice, settings) and the spoken text. Each entry is a
16-bit mono WAV file (any player opens it) with one extra chunk holding the SHA-256 of its samples.
Entries are written atomically (``fileio``: a temp file renamed into place); an entry that is
unreadable, truncated or whose samples do not match their checksum counts as a miss, is removed,
and is synthesised again. Location: the folder the pipeline gives it (the config's
``cache_root``: ``cache_dir``, ``$BULLETIN_CACHE_DIR``, else the platform's user cache folder).
"""

from __future__ import annotations

import contextlib
import hashlib
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..fileio import atomic_write_bytes
from .base import Speech

CHECKSUM_CHUNK = b"bsum"
# What clear() may remove: entries, derived voices and programmes, locks, and the temp files of
# writes that were cut short.
CACHE_SUFFIXES = (".wav", ".onnx", ".lock", ".mp3", ".json", ".tmp")


@dataclass(frozen=True)
class CacheInfo:
    path: Path
    entries: int  # cached segments
    bytes: int  # their size on disk
    voice_bytes: int  # files derived from voices (Piper's rewritten graphs)
    render_bytes: int = 0  # encoded programmes kept for unchanged rebuilds (renders/)


def encode_entry(speech: Speech) -> bytes:
    """A WAV file: fmt, our checksum chunk, then the samples."""
    pcm = speech.pcm
    fmt = struct.pack("<HHIIHH", 1, 1, speech.sample_rate, speech.sample_rate * 2, 2, 16)
    chunks = (b"fmt " + struct.pack("<I", len(fmt)) + fmt
              + CHECKSUM_CHUNK + struct.pack("<I", 32) + hashlib.sha256(pcm).digest()
              + b"data" + struct.pack("<I", len(pcm)) + pcm + (b"\0" if len(pcm) % 2 else b""))
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def decode_entry(data: bytes) -> Speech | None:
    """The speech in an entry, or None when the entry is damaged in any way."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    if struct.unpack_from("<I", data, 4)[0] != len(data) - 8:
        return None  # truncated, or something appended
    chunks: dict[bytes, bytes] = {}
    at = 12
    while at + 8 <= len(data):
        name, size = data[at:at + 4], struct.unpack_from("<I", data, at + 4)[0]
        body = data[at + 8:at + 8 + size]
        if len(body) != size:
            return None
        chunks[name] = body
        at += 8 + size + size % 2
    if at != len(data) or not {b"fmt ", CHECKSUM_CHUNK, b"data"} <= chunks.keys():
        return None
    fmt = chunks[b"fmt "]
    if len(fmt) < 16:
        return None
    tag, channels, rate, _, align, bits = struct.unpack_from("<HHIIHH", fmt)
    pcm = chunks[b"data"]
    if (tag, channels, align, bits) != (1, 1, 2, 16) or rate <= 0 or not pcm or len(pcm) % 2:
        return None
    if hashlib.sha256(pcm).digest() != chunks[CHECKSUM_CHUNK]:
        return None
    return Speech(pcm=pcm, sample_rate=rate)


class SegmentCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    @staticmethod
    def key(identity: str, text: str) -> str:
        return hashlib.sha256(f"{identity}\n{text}".encode()).hexdigest()

    @property
    def store(self) -> Path:
        """Where engines keep files derived from their voices (Piper's rewritten graph)."""
        return self.root / "voices"

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.wav"

    def get(self, key: str) -> Speech | None:
        """The cached speech for ``key``; None when absent or damaged (damaged ones are removed)."""
        path = self.path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        speech = decode_entry(data)
        if speech is None:
            path.unlink(missing_ok=True)
        return speech

    def put(self, key: str, speech: Speech) -> None:
        atomic_write_bytes(self.path(key), encode_entry(speech))

    def info(self) -> CacheInfo:
        if not self.root.is_dir():
            return CacheInfo(self.root, 0, 0, 0)
        entries = [f for f in self.root.glob("*/*.wav") if _is_shard(f.parent.name)]
        return CacheInfo(self.root, len(entries), _size(entries),
                         _size(self.store.glob("*.onnx")), _size(self.root.glob("renders/*")))

    def clear(self) -> int:
        """Remove every entry and derived voice file, and nothing else that may share the folder;
        returns how many segments there were."""
        count = self.info().entries
        if not self.root.is_dir():
            return count
        for folder in self.root.iterdir():
            ours = _is_shard(folder.name) or folder.name in ("voices", "renders")
            if folder.is_dir() and ours:
                for item in folder.iterdir():
                    if item.is_file() and item.suffix in CACHE_SUFFIXES:
                        item.unlink(missing_ok=True)
                with contextlib.suppress(OSError):
                    folder.rmdir()  # left alone when something else is inside
        return count


def _size(files: Iterable[Path]) -> int:
    """The bytes of ``files`` (those removed meanwhile count as nothing)."""
    total = 0
    for file in files:
        with contextlib.suppress(OSError):
            total += file.stat().st_size
    return total


def _is_shard(name: str) -> bool:
    return len(name) == 2 and all(c in "0123456789abcdef" for c in name)
