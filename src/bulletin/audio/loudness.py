"""Set loudness as podcast platforms measure it (ITU-R BS.1770, through ``ffmpeg``).

``find_gain(src, target, ceiling)`` → ``Gain``: the gain that brings ``src`` to ``target`` LUFS
through the chain (a gentle compressor, the gain, an oversampled true-peak limiter under
``ceiling``), found by measuring and correcting; ``chain(gain, ceiling, rate)`` is that chain as
an ffmpeg filter.
"""

from __future__ import annotations

import math
import wave
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..errors import ToolError
from ..ffmpeg import Loudness, measure_loudness
from ..runner import CommandRunner

TOLERANCE = 0.3  # LU: aim well inside the ±1 LU promise
# dB below the ceiling for the limiter: a 64 kbps encoder's overshoot on limited speech is 0.5 to
# 2.5 dB; the finished MP3 is measured anyway, and this margin makes one encoding enough.
PEAK_MARGIN = 3.0
# Output LU per dB of gain to assume before one has been seen: the compressor and limiter take
# back part of any gain (about a third on speech); each later step uses the slope measured.
FIRST_SLOPE = 0.7
MIN_SLOPE = 0.2  # however flat a measured slope, no step is more than five times the miss
# dB between the two gains tried at once: wide at first, to see the chain's slope over the range
# the answer is likely in; then narrow, near the answer. Two tried gains at most BRACKET dB
# apart on either side of the target give the answer by interpolation (the chain's response is
# smooth, so the error is far below ebur128's 0.1 LU resolution).
FIRST_PROBE = 4.0
PROBE = 1.0
BRACKET = 1.5
# Programmes longer than EXCERPT_FROM seconds find their gain on EXCERPT_SLICES slices of
# EXCERPT_SLICE seconds taken from end to end (a fifth of a ten-minute bulletin).
EXCERPT_FROM = 240.0
EXCERPT_SLICES = 12
EXCERPT_SLICE = 10.0


def chain(gain: Gain, ceiling: float, rate: int) -> str:
    """The ffmpeg filter chain: compressor, ``gain``, true-peak limiter under ``ceiling`` dBTP
    (less ``PEAK_MARGIN``), for audio at ``rate`` Hz."""
    return _chain(gain.gain, ceiling, rate, gain.source.integrated)


def _chain(gain: float, ceiling: float, rate: int, level: float, oversample: int = 4) -> str:
    limit = 10 ** ((ceiling - PEAK_MARGIN) / 20)
    threshold = min(1.0, 10 ** ((level + 8) / 20))
    limiter = f"alimiter=limit={limit:.4f}:attack=2:release=60:level=false:asc=true"
    if oversample > 1:  # limit at a multiple of the rate, so inter-sample (true) peaks are caught
        limiter = f"aresample={rate * oversample},{limiter},aresample={rate}"
    return ",".join([
        # Even out only the loudest syllables (8 dB above the programme's loudness) so the
        # limiter has less to do; then the gain, applied before any limiting.
        f"acompressor=threshold={threshold:.4f}:ratio=2:attack=8:release=150:knee=4",
        f"volume={gain:.2f}dB",
        limiter,
    ])


@dataclass(frozen=True)
class Gain:
    """The gain (dB) that brings a programme to a loudness through the chain, and what is known
    of how the chain responds: ``slope`` output LU per dB of gain (limiting makes it under 1)."""

    gain: float
    slope: float
    source: Loudness  # the programme before the chain

    def correct(self, miss: float, tried: Sequence[tuple[float, float]] = ()) -> Gain:
        """The next gain to try after missing by ``miss`` LU, along the slope seen in ``tried``
        ((gain, loudness) pairs, latest last)."""
        slope = _slope(tried[-2], tried[-1], self.slope) if len(tried) > 1 else self.slope
        return Gain(self.gain + miss / slope, slope, self.source)


def _slope(a: tuple[float, float], b: tuple[float, float], otherwise: float) -> float:
    """Output LU per dB of gain between two tries ((gain, loudness) each), kept within
    [``MIN_SLOPE``, 1]; ``otherwise`` when they tried the same gain."""
    if a[0] == b[0]:
        return otherwise
    return min(1.0, max(MIN_SLOPE, (b[1] - a[1]) / (b[0] - a[0])))


def _trial(src: Path, gain: float, source: Loudness, ceiling: float, rate: int,
           runner: CommandRunner) -> float:
    """The integrated loudness ``src`` comes out at through the chain with ``gain`` dB.

    The limiter runs at the programme's own rate here: what it takes off inter-sample peaks moves
    the integrated loudness by about 0.02 LU (measured on the ten-minute bench bulletin, from
    +10.5 to +20 dB of gain), far inside ebur128's 0.1 LU resolution, at half the cost. The
    programme itself is limited oversampled, and the MP3 is measured."""
    filters = _chain(gain, ceiling, rate, source.integrated, oversample=1)
    return measure_loudness(src, filters, true_peak=False, runner=runner).integrated


def find_gain(src: Path, target: float, ceiling: float, rate: int, runner: CommandRunner,
              rounds: int = 4) -> Gain:
    """Find the gain that brings ``src`` to ``target`` LUFS through the chain, by measuring.

    Each round tries two gains at once (two ffmpeg processes, one per core). Once two tried gains
    less than ``BRACKET`` dB apart land either side of the target, the answer lies between them
    and is read off the line through them; until then the next pair follows the slope seen. A
    long programme is searched on an excerpt (slices from end to end, aimed where the excerpt
    sits relative to the whole), so the whole is processed only once, afterwards."""
    sample = src.with_name(src.stem + "-excerpt.wav")
    if not _excerpt(src, sample):
        sample = src
    with ThreadPoolExecutor(max_workers=2) as pool:
        whole, *part = pool.map(lambda path: measure_loudness(path, true_peak=False,
                                                               runner=runner).integrated,
                                dict.fromkeys([src, sample]))  # the whole and an excerpt at once
        if whole == float("-inf") or whole < -70:
            raise ToolError(f"{src.name}: the mix is silent; nothing to normalise")
        source = Loudness(whole, math.nan)
        if not part or part[0] < -70:  # short, or an excerpt of silences: search the whole
            sample, part = src, [whole]
        aim = target + part[0] - whole
        tried: list[tuple[float, float]] = []  # (gain, loudness it gave)
        guess, slope = target - whole, FIRST_SLOPE
        pair = (guess, guess + FIRST_PROBE)
        for _ in range(rounds):
            levels = pool.map(lambda g: _trial(sample, g, source, ceiling, rate, runner), pair)
            tried.extend(zip(pair, levels, strict=True))
            near = min(tried, key=lambda t: abs(aim - t[1]))
            if abs(aim - near[1]) <= TOLERANCE / 3:
                return Gain(near[0], slope, source)
            low = max((t for t in tried if t[1] < aim), key=lambda t: t[1], default=None)
            high = min((t for t in tried if t[1] > aim), key=lambda t: t[1], default=None)
            if low and high and high[0] > low[0]:
                slope = (high[1] - low[1]) / (high[0] - low[0])
                guess = low[0] + (aim - low[1]) / slope
                if high[0] - low[0] <= BRACKET:
                    break
                pair = (guess - PROBE / 2, guess + PROBE / 2)
                continue
            slope = _slope(tried[-2], tried[-1], slope)
            guess = near[0] + (aim - near[1]) / slope
            # Going up, the chain's slope flattens, so a step along it falls short: probe beyond.
            pair = (guess, guess + math.copysign(PROBE, aim - near[1]))
    return Gain(guess, min(1.0, max(MIN_SLOPE, slope)), source)


def _excerpt(src: Path, dest: Path) -> bool:
    """Write ``EXCERPT_SLICES`` evenly spaced slices of a long WAV to ``dest``; False if short."""
    with wave.open(str(src), "rb") as whole:
        frames, rate = whole.getnframes(), whole.getframerate()
        if frames < EXCERPT_FROM * rate:
            return False
        length = int(EXCERPT_SLICE * rate)
        step = (frames - length) // (EXCERPT_SLICES - 1)
        with wave.open(str(dest), "wb") as part:
            part.setparams(whole.getparams())
            for index in range(EXCERPT_SLICES):
                whole.setpos(index * step)
                part.writeframes(whole.readframes(length))
    return True
