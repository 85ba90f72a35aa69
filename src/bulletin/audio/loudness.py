"""Measure and set loudness the way podcast platforms measure it (ITU-R BS.1770 via ffmpeg's ebur128).

``measure(path)`` → ``Loudness`` (integrated LUFS, true peak dBTP).
``normalise(src, dest, target, ceiling)`` writes ``dest`` at ``target`` LUFS with true peaks under
``ceiling``: measure, apply gain through a gentle compressor and an oversampled peak limiter, measure
again, and correct until it is within tolerance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ToolError
from ..runner import CommandRunner

TOLERANCE = 0.3  # LU: aim well inside the ±1 LU promise, since MP3 encoding moves things a little
PEAK_MARGIN = 1.5  # dB below the ceiling for the limiter, for the MP3 encoder's overshoot


@dataclass(frozen=True)
class Loudness:
    integrated: float  # LUFS
    true_peak: float  # dBTP


def measure(path: Path, runner: CommandRunner) -> Loudness:
    """Integrated loudness and true peak of an audio file, as ebur128 reports them."""
    result = runner.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af",
                         "ebur128=peak=true:framelog=verbose", "-f", "null", "-"])
    log = result.stderr.decode("utf-8", "replace")
    summary = log[log.rfind("Summary:"):]
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    if not integrated or not peak:
        raise ToolError(f"ffmpeg: could not measure loudness of {path.name}")
    return Loudness(float(integrated.group(1)), float(peak.group(1)))


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
class Normalised:
    level: Loudness  # as measured on the output
    source: Loudness  # as measured on the input
    gain: float  # the gain (dB) that got there


def normalise(src: Path, dest: Path, target: float, ceiling: float, rate: int,
              runner: CommandRunner, attempts: int = 4,
              start: Normalised | None = None) -> Normalised:
    """Write ``src`` to ``dest`` (16-bit WAV) at ``target`` LUFS, true peak ≤ ``ceiling``.

    ``start``, an earlier result for the same ``src``, is where the search for the gain begins.
    """
    before = start.source if start else measure(src, runner)
    if before.integrated == float("-inf") or before.integrated < -70:
        raise ToolError(f"{src.name}: the mix is silent; nothing to normalise")
    gain = start.gain + (target - start.level.integrated) if start else target - before.integrated
    result = before
    tried: list[tuple[float, float]] = []  # (gain, loudness it gave)
    for _ in range(attempts):
        runner.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", str(src),
                    "-af", _chain(gain, ceiling, rate, before.integrated), "-ar", str(rate), "-ac", "1",
                    "-c:a", "pcm_s16le", str(dest)])
        result = measure(dest, runner)
        tried.append((gain, result.integrated))
        miss = target - result.integrated
        if abs(miss) <= TOLERANCE and result.true_peak <= ceiling - 0.3:
            break
        # Compression and limiting make gain less than decibel-for-decibel: follow the slope seen.
        slope = 1.0
        if len(tried) > 1 and tried[-1][0] != tried[-2][0]:
            slope = (tried[-1][1] - tried[-2][1]) / (tried[-1][0] - tried[-2][0])
            slope = min(1.0, max(0.3, slope))
        gain += miss / slope
    return Normalised(level=result, source=before, gain=tried[-1][0])
