#!/usr/bin/env python3
"""Make bulletin's own intro, outro and transition stings: WAV files in audio/ (or a folder given).

The sound is synthesised here from tones (no recorded or third-party audio). The files this writes
into audio/ are committed, and they are what every build plays (the package ships them as
``bulletin/sounds/``); run this script again only to change the sound, then commit the files.
"""

from __future__ import annotations

import math
import sys
import wave
from pathlib import Path

import numpy as np

RATE = 44100

# (start time s, frequency Hz, length s): a bright rising figure in, a settling one out.
NOTES = {
    "intro": [(0.00, 523.25, 1.6), (0.18, 659.25, 1.5), (0.36, 783.99, 1.4), (0.54, 1046.5, 2.0)],
    "outro": [(0.00, 1046.5, 1.4), (0.20, 783.99, 1.5), (0.40, 659.25, 1.6), (0.60, 523.25, 2.2)],
    "transition": [(0.00, 783.99, 0.7), (0.12, 1046.5, 0.8)],
}


def note(freq: float, length: float) -> np.ndarray:
    t = np.arange(int(length * RATE)) / RATE
    # A soft bell: a few inharmonic partials that die away at different rates.
    tone = (np.sin(2 * math.pi * freq * t) * np.exp(-t * 2.2)
            + 0.35 * np.sin(2 * math.pi * freq * 2.01 * t) * np.exp(-t * 4.0)
            + 0.12 * np.sin(2 * math.pi * freq * 3.02 * t) * np.exp(-t * 7.0))
    attack = np.minimum(1.0, t / 0.008)
    release = np.minimum(1.0, (length - t) / 0.25)
    return tone * attack * np.clip(release, 0.0, 1.0)


def make_sting(kind: str) -> bytes:
    """The 16-bit mono PCM of one sting at ``RATE``, peaking at −6 dBFS."""
    notes = NOTES[kind]
    total = max(start + length for start, _, length in notes)
    out = np.zeros(int(total * RATE) + 1)
    for start, freq, length in notes:
        wave_ = note(freq, length)
        offset = int(start * RATE)
        out[offset:offset + len(wave_)] += wave_
    out *= 10 ** (-6 / 20) / np.max(np.abs(out))
    return (out * 32767).astype(np.int16).tobytes()


def main(folder: Path) -> int:
    folder.mkdir(exist_ok=True)
    for kind in NOTES:
        path = folder / f"{kind}.wav"
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(make_sting(kind))
        print(path)
    return 0


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[1] / "audio"
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else default))
