#!/usr/bin/env python3
"""Make bulletin's own intro, outro and transition stings and its music bed: WAV files in audio/
(or a folder given).

The sound is synthesised here from tones and seeded noise (no recorded or third-party audio). The
files this writes into audio/ are committed, and they are what every build plays (the package
ships them as ``bulletin/sounds/``); run this script again only to change the sound, then commit
the files.

The bed (``bed.wav``) is four bars of a soft pad over a pulse, Am - F - G - C at 96 beats a minute:
one seamless loop (whatever rings past its end is folded back into its start) that ends on the
tonic, so a bed back-timed to end with the programme ends resolved.
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


BEAT = 60 / 96  # seconds
BAR = 4 * BEAT
# Each bar's chord: the pad's three notes (Hz) and the bass note under them.
CHORDS = [
    ((220.00, 261.63, 329.63), 110.00),  # A minor: A3 C4 E4 over A2
    ((220.00, 261.63, 349.23), 87.31),  # F: A3 C4 F4 over F2
    ((196.00, 246.94, 293.66), 98.00),  # G: G3 B3 D4 over G2
    ((196.00, 261.63, 329.63), 130.81),  # C: G3 C4 E4 over C3, the loop's (and the bed's) end
]
PULSE = [(0, 1.0), (1, 0.55), (2, 0.8), (1, 0.55), (0, 0.9), (1, 0.55), (2, 0.8), (1, 0.55)]
PAD_RELEASE = 0.7  # seconds a chord rings into the next bar
SEED = 13  # the shaker's noise, the same on every run


def _ramp(count: int, rise: float) -> np.ndarray:
    """Rise from 0 to 1 over ``rise`` seconds (a quarter sine), then hold at 1."""
    t = np.arange(count) / RATE
    return np.sin(0.5 * math.pi * np.minimum(1.0, t / rise))


def pad(freqs: tuple[float, ...], length: float) -> np.ndarray:
    """A chord held for ``length`` seconds: two slightly detuned voices of soft harmonics per note,
    swelling in and dying away over ``PAD_RELEASE`` after it ends."""
    count = int((length + PAD_RELEASE) * RATE)
    t = np.arange(count) / RATE
    out = np.zeros(count)
    for freq in freqs:
        for cents in (-4.0, 4.0):
            tuned = freq * 2 ** (cents / 1200)
            out += sum(np.sin(2 * math.pi * tuned * k * t + k) / k ** 2 for k in range(1, 6))
    release = np.clip((length + PAD_RELEASE - t) / PAD_RELEASE, 0.0, 1.0) ** 2
    return out * _ramp(count, 0.35) * release / (2 * len(freqs))


def mallet(freq: float, length: float) -> np.ndarray:
    """A soft struck tone: a sine and its octave, dying away fast."""
    t = np.arange(int(length * RATE)) / RATE
    tone = (np.sin(2 * math.pi * freq * t) * np.exp(-t * 9.0)
            + 0.25 * np.sin(2 * math.pi * freq * 2 * t) * np.exp(-t * 18.0))
    return tone * _ramp(len(t), 0.005)


def bass(freq: float, length: float) -> np.ndarray:
    t = np.arange(int(length * RATE)) / RATE
    tone = np.sin(2 * math.pi * freq * t) + 0.2 * np.sin(2 * math.pi * freq * 2 * t)
    return tone * np.exp(-t * 2.5) * _ramp(len(t), 0.015) * np.clip((length - t) / 0.1, 0, 1)


def shaker(rng: np.random.Generator, length: float) -> np.ndarray:
    """A brushed tick: seeded white noise, its lows taken off (differenced twice), dying fast."""
    noise = np.diff(rng.standard_normal(int(length * RATE) + 2), n=2) / 4
    t = np.arange(len(noise)) / RATE
    return noise * np.exp(-t * 60.0) * _ramp(len(t), 0.002)


def make_bed() -> bytes:
    """The 16-bit mono PCM of the bed at ``RATE``: one loop of four bars, peaking at −6 dBFS."""
    loop = int(round(len(CHORDS) * BAR * RATE))
    out = np.zeros(loop + int(2 * RATE))  # room for what rings past the loop's end
    rng = np.random.default_rng(SEED)

    def add(sound: np.ndarray, at: float, gain: float) -> None:
        start = int(round(at * RATE))
        out[start:start + len(sound)] += gain * sound

    for bar, (freqs, root) in enumerate(CHORDS):
        begin = bar * BAR
        add(pad(freqs, BAR), begin, 1.0)
        for beat in (0, 2):
            add(bass(root, 1.2), begin + beat * BEAT, 0.45)
        for step, (note_, accent) in enumerate(PULSE):
            add(mallet(2 * freqs[note_], 0.6), begin + step * BEAT / 2, 0.22 * accent)
            if step % 2:
                add(shaker(rng, 0.12), begin + step * BEAT / 2, 0.05)
    out[:len(out) - loop] += out[loop:]  # fold the tail into the start: the loop is seamless
    out = out[:loop]
    out *= 10 ** (-6 / 20) / np.max(np.abs(out))
    return (out * 32767).astype(np.int16).tobytes()


def write(path: Path, pcm: bytes) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm)
    print(path)


def main(folder: Path) -> int:
    folder.mkdir(exist_ok=True)
    for kind in NOTES:
        write(folder / f"{kind}.wav", make_sting(kind))
    write(folder / "bed.wav", make_bed())
    return 0


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[1] / "audio"
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else default))
