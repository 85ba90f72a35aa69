"""bulletin's own stings, synthesised from tones: nothing here is recorded or borrowed.

``make_sting(kind)`` returns 16-bit mono PCM at 44.1 kHz for "intro", "outro" or "transition";
``load_stings(config)`` returns the configured sting files, or these generated ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydub import AudioSegment

from ..config import AudioConfig
from ..errors import InputError, ToolError
from ..runner import DEFAULT_RUNNER, CommandRunner

RATE = 44100

# (start time s, frequency Hz, length s): a bright rising figure in, a settling one out.
_NOTES = {
    "intro": [(0.00, 523.25, 1.6), (0.18, 659.25, 1.5), (0.36, 783.99, 1.4), (0.54, 1046.5, 2.0)],
    "outro": [(0.00, 1046.5, 1.4), (0.20, 783.99, 1.5), (0.40, 659.25, 1.6), (0.60, 523.25, 2.2)],
    "transition": [(0.00, 783.99, 0.7), (0.12, 1046.5, 0.8)],
}


def _note(freq: float, length: float) -> np.ndarray:
    t = np.arange(int(length * RATE)) / RATE
    # A soft bell: a few inharmonic partials that die away at different rates.
    tone = (np.sin(2 * math.pi * freq * t) * np.exp(-t * 2.2)
            + 0.35 * np.sin(2 * math.pi * freq * 2.01 * t) * np.exp(-t * 4.0)
            + 0.12 * np.sin(2 * math.pi * freq * 3.02 * t) * np.exp(-t * 7.0))
    attack = np.minimum(1.0, t / 0.008)
    release = np.minimum(1.0, (length - t) / 0.25)
    return tone * attack * np.clip(release, 0.0, 1.0)


def make_sting(kind: str) -> bytes:
    """The PCM of one of bulletin's stings, peaking at −6 dBFS."""
    notes = _NOTES[kind]
    total = max(start + length for start, _, length in notes)
    out = np.zeros(int(total * RATE) + 1)
    for start, freq, length in notes:
        wave = _note(freq, length)
        offset = int(start * RATE)
        out[offset:offset + len(wave)] += wave
    out *= 10 ** (-6 / 20) / np.max(np.abs(out))
    return (out * 32767).astype(np.int16).tobytes()


@dataclass(frozen=True)
class Stings:
    intro: AudioSegment
    outro: AudioSegment
    transition: AudioSegment


def _decode(source: Path | bytes, rate: int, runner: CommandRunner) -> bytes:
    """16-bit mono PCM at ``rate`` from an audio file, or from our own PCM at ``RATE``."""
    if isinstance(source, bytes):
        if rate == RATE:
            return source
        args, data = ["-f", "s16le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0"], source
    else:
        args, data = ["-i", str(source)], None
    return runner.run(["ffmpeg", "-hide_banner", "-loglevel", "error", *args, "-f", "s16le",
                       "-ac", "1", "-ar", str(rate), "pipe:1"], input=data).stdout


def _load(path: str, kind: str, rate: int, runner: CommandRunner) -> AudioSegment:
    if not path:
        pcm = _decode(make_sting(kind), rate, runner)
    else:
        file = Path(path)
        if not file.is_file():
            raise InputError(f"{path}: {kind} sting not found")
        try:
            pcm = _decode(file, rate, runner)
        except ToolError as exc:
            if not runner.available("ffmpeg"):
                raise
            raise InputError(f"{path}: cannot decode {kind} sting ({exc})") from None
        if not pcm:
            raise InputError(f"{path}: {kind} sting is empty")
    return AudioSegment(data=pcm, sample_width=2, frame_rate=rate, channels=1)


def load_stings(config: AudioConfig, runner: CommandRunner = DEFAULT_RUNNER) -> Stings:
    """The intro, outro and transition stings as mono AudioSegments at the mix's sample rate."""
    rate = config.sample_rate
    return Stings(intro=_load(config.intro, "intro", rate, runner),
                  outro=_load(config.outro, "outro", rate, runner),
                  transition=_load(config.transition, "transition", rate, runner))
