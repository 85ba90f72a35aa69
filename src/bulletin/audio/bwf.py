"""The Broadcast WAV container (EBU Tech 3285, version 2), written with the standard library.

``write_bwf(handle, pcm, rate, channels, bext)`` writes to an open binary ``handle`` a RIFF/WAVE
file of three chunks: ``fmt `` (16-bit PCM), ``bext`` (``Bext``: what the programme is, who made
it and when, and its loudness in hundredths) and ``data`` (the bytes of the raw PCM file ``pcm``).
"""

from __future__ import annotations

import datetime as dt
import shutil
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import ToolError

BEXT_VERSION = 2
NOT_GIVEN = 0x7FFF  # the spec's value for a loudness field left unset
WAVE_FORMAT_PCM = 1
BITS = 16
MAX_RIFF = 0xFFFFFFFF  # a RIFF chunk's size is 32 bits: larger needs RF64

# The fixed part of the bext chunk, field by field in the spec's order: Description (256),
# Originator (32), OriginatorReference (32), OriginationDate (10), OriginationTime (8),
# TimeReference (low and high 32 bits), Version, UMID (64), LoudnessValue, LoudnessRange,
# MaxTruePeakLevel, MaxMomentaryLoudness, MaxShortTermLoudness (int16 each), Reserved (180).
BEXT_LAYOUT = struct.Struct("<256s32s32s10s8sIIH64s5h180s")  # 602 bytes

# Punctuation that has a plain ASCII equal (the bext text fields are ASCII).
_ASCII = str.maketrans({"‘": "'", "’": "'", "‚": ",", "“": '"', "”": '"', "„": '"',
                        "–": "-", "—": "-", "−": "-", "…": "...", "\u00a0": " "})


@dataclass(frozen=True)
class Bext:
    """What a ``bext`` chunk says: the loudness figures are as measured (LUFS, LU, dBTP)."""

    description: str
    originator: str
    origination: dt.datetime  # the time of day as the station keeps it
    loudness: float
    loudness_range: float
    max_true_peak: float
    max_momentary: float
    max_short_term: float
    coding_history: str = ""


def ascii_field(text: str, size: int) -> bytes:
    """``text`` as at most ``size`` bytes of printable ASCII: accents dropped, typographic
    punctuation made plain, anything else a question mark (NUL-padded by ``struct``)."""
    plain = unicodedata.normalize("NFKD", text.translate(_ASCII))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    plain = "".join(c if " " <= c <= "~" else "?" for c in " ".join(plain.split()))
    return plain.encode("ascii")[:size]


def hundredths(value: float) -> int:
    """A loudness figure as the spec stores it: hundredths, in an int16 (unset when unknown)."""
    if value != value:  # NaN: not measured
        return NOT_GIVEN
    return max(-32768, min(32766, round(value * 100)))


def bext_chunk(bext: Bext) -> bytes:
    """The ``bext`` chunk's body: 602 bytes, then the coding history (NUL-padded to an even
    length, so no RIFF pad byte follows)."""
    when = bext.origination
    fixed = BEXT_LAYOUT.pack(
        ascii_field(bext.description, 256), ascii_field(bext.originator, 32), b"",
        when.strftime("%Y-%m-%d").encode("ascii"), when.strftime("%H:%M:%S").encode("ascii"),
        0, 0, BEXT_VERSION, b"",
        *(hundredths(v) for v in (bext.loudness, bext.loudness_range, bext.max_true_peak,
                                  bext.max_momentary, bext.max_short_term)),
        b"")
    history = bext.coding_history.encode("ascii", "replace")
    if len(history) % 2:
        history += b"\0"
    return fixed + history


def _chunk(name: bytes, body_size: int) -> bytes:
    return name + struct.pack("<I", body_size)


def write_bwf(handle: BinaryIO, pcm: Path, rate: int, channels: int, bext: Bext) -> None:
    """Write a Broadcast WAV to ``handle``: ``fmt ``, ``bext``, then ``data`` holding the raw
    16-bit little-endian PCM file ``pcm`` (``rate`` Hz, ``channels`` interleaved)."""
    size = pcm.stat().st_size
    block = channels * BITS // 8
    if size % block:
        raise ToolError(f"{pcm.name}: not whole 16-bit frames of {channels} channel(s)")
    fmt = struct.pack("<HHIIHH", WAVE_FORMAT_PCM, channels, rate, rate * block, block, BITS)
    extension = bext_chunk(bext)
    riff = 4 + 8 + len(fmt) + 8 + len(extension) + 8 + size
    if riff > MAX_RIFF:
        raise ToolError(f"{pcm.name}: too long for a WAV file ({size} bytes of audio)")
    handle.write(_chunk(b"RIFF", riff) + b"WAVE")
    handle.write(_chunk(b"fmt ", len(fmt)) + fmt)
    handle.write(_chunk(b"bext", len(extension)) + extension)
    handle.write(_chunk(b"data", size))
    with pcm.open("rb") as source:
        shutil.copyfileobj(source, handle, 1024 * 1024)
