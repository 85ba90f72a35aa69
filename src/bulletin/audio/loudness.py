"""Measure and set loudness as podcast platforms measure it (ITU-R BS.1770, ffmpeg's ebur128).

``measure(path)`` → ``Loudness`` (integrated LUFS, and true peak dBTP unless ``true_peak=False``).
``find_gain(src, target, ceiling)`` → ``Gain``: the gain that brings ``src`` to ``target`` LUFS
through the chain (a gentle compressor, the gain, an oversampled true-peak limiter under
``ceiling``), found by measuring and correcting; ``chain(gain, ceiling, rate)`` is that chain as
an ffmpeg filter, and ``EBUR128``/``read_summary`` measure whatever ffmpeg reads.
"""

from __future__ import annotations

import math
import re
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import ToolError
from ..runner import CommandRunner

TOLERANCE = 0.3  # LU: aim well inside the ±1 LU promise
# dB below the ceiling for the limiter: a 64 kbps encoder's overshoot on limited speech is 0.5 to
# 2.5 dB; the finished MP3 is measured anyway, and this margin makes one encoding enough.
PEAK_MARGIN = 3.0
# Output LU per dB of gain to assume before one has been seen: the compressor and limiter take
# back part of any gain (about a third on speech); each later step uses the slope measured.
FIRST_SLOPE = 0.7
# Programmes longer than EXCERPT_FROM seconds find their gain on EXCERPT_SLICES slices of
# EXCERPT_SLICE seconds taken from end to end (a fifth of a ten-minute bulletin).
EXCERPT_FROM = 240.0
EXCERPT_SLICES = 12
EXCERPT_SLICE = 10.0


@dataclass(frozen=True)
class Loudness:
    integrated: float  # LUFS
    true_peak: float  # dBTP (NaN when not measured)


def measure(path: Path, runner: CommandRunner, true_peak: bool = True) -> Loudness:
    """Integrated loudness and true peak of an audio file, as ebur128 reports them."""
    result = runner.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af",
                         ebur128(true_peak), "-f", "null", "-"])
    return read_summary(result.stderr, path.name, true_peak)


def ebur128(true_peak: bool = True) -> str:
    """The ffmpeg filter that measures; its summary is read by ``read_summary``."""
    return "ebur128=framelog=verbose" + (":peak=true" if true_peak else "")


def read_summary(stderr: bytes, name: str, true_peak: bool = True) -> Loudness:
    """The loudness in the summary ffmpeg's ``ebur128`` filter wrote to ``stderr``."""
    log = stderr.decode("utf-8", "replace")
    summary = log[log.rfind("Summary:"):]
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    found = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    if not integrated or (true_peak and not found):
        raise ToolError(f"ffmpeg: could not measure loudness of {name}")
    return Loudness(float(integrated.group(1)), float(found.group(1)) if found else math.nan)


def chain(gain: Gain, ceiling: float, rate: int) -> str:
    """The ffmpeg filter chain: compressor, ``gain``, true-peak limiter under ``ceiling`` dBTP
    (less ``PEAK_MARGIN``), for audio at ``rate`` Hz."""
    return _chain(gain.gain, ceiling, rate, gain.source.integrated)


def _chain(gain: float, ceiling: float, rate: int, level: float) -> str:
    limit = 10 ** ((ceiling - PEAK_MARGIN) / 20)
    threshold = min(1.0, 10 ** ((level + 8) / 20))
    return ",".join([
        # Even out only the loudest syllables (8 dB above the programme's loudness) so the
        # limiter has less to do; then the gain, applied before any limiting.
        f"acompressor=threshold={threshold:.4f}:ratio=2:attack=8:release=150:knee=4",
        f"volume={gain:.2f}dB",
        # Limit at 4x the rate so inter-sample (true) peaks are caught too.
        f"aresample={rate * 4}",
        f"alimiter=limit={limit:.4f}:attack=2:release=60:level=false:asc=true",
        f"aresample={rate}",
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
        slope = self.slope
        if len(tried) > 1 and tried[-1][0] != tried[-2][0]:
            seen = (tried[-1][1] - tried[-2][1]) / (tried[-1][0] - tried[-2][0])
            slope = min(1.0, max(0.3, seen))
        return Gain(self.gain + miss / slope, slope, self.source)


def _trial(src: Path, gain: Gain, ceiling: float, rate: int, runner: CommandRunner) -> float:
    """The integrated loudness ``src`` comes out at through the chain with ``gain``."""
    result = runner.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(src), "-af",
                         f"{chain(gain, ceiling, rate)},{ebur128(true_peak=False)}",
                         "-f", "null", "-"])
    return read_summary(result.stderr, src.name, true_peak=False).integrated


def find_gain(src: Path, target: float, ceiling: float, rate: int, runner: CommandRunner,
              attempts: int = 6) -> Gain:
    """Find the gain that brings ``src`` to ``target`` LUFS: apply, measure, correct along the
    slope seen. A long programme is searched on an excerpt (slices from end to end, aimed where
    the excerpt sits relative to the whole), so the whole is processed only once, afterwards."""
    source = measure(src, runner, true_peak=False)
    if source.integrated == float("-inf") or source.integrated < -70:
        raise ToolError(f"{src.name}: the mix is silent; nothing to normalise")
    sample = src.with_name(src.stem + "-excerpt.wav")
    if _excerpt(src, sample):
        aim = target + measure(sample, runner, true_peak=False).integrated - source.integrated
    else:
        sample, aim = src, target
    gain = Gain(target - source.integrated, FIRST_SLOPE, source)
    tried: list[tuple[float, float]] = []  # (gain, loudness it gave)
    for _ in range(attempts):
        level = _trial(sample, gain, ceiling, rate, runner)
        tried.append((gain.gain, level))
        if abs(aim - level) <= TOLERANCE / 3:
            break
        gain = gain.correct(aim - level, tried)
    return gain


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
