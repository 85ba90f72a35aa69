"""Measure and set loudness as podcast platforms measure it (ITU-R BS.1770, ffmpeg's ebur128).

``measure(path)`` → ``Loudness`` (integrated LUFS, and true peak dBTP unless ``true_peak=False``).
``normalise(src, dest, target, ceiling)`` writes ``dest`` at ``target`` LUFS with true peaks held
under ``ceiling`` by a gentle compressor and an oversampled peak limiter: measure, apply, measure
again, and correct along the slope seen until it is within tolerance.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ToolError
from ..runner import CommandRunner

TOLERANCE = 0.3  # LU: aim well inside the ±1 LU promise
# dB below the ceiling for the limiter: a 64 kbps encoder's overshoot on limited speech is 0.5 to
# 2.5 dB; the finished MP3 is measured anyway, and this margin makes one encoding usually enough.
PEAK_MARGIN = 2.5
# Output LU per dB of gain to assume before one has been seen: the compressor and limiter take
# back part of any gain (about a third on speech); each later step uses the slope measured.
FIRST_SLOPE = 0.7


@dataclass(frozen=True)
class Loudness:
    integrated: float  # LUFS
    true_peak: float  # dBTP (NaN when not measured)


def measure(path: Path, runner: CommandRunner, true_peak: bool = True) -> Loudness:
    """Integrated loudness and true peak of an audio file, as ebur128 reports them."""
    peak = ":peak=true" if true_peak else ""
    result = runner.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af",
                         f"ebur128=framelog=verbose{peak}", "-f", "null", "-"])
    log = result.stderr.decode("utf-8", "replace")
    summary = log[log.rfind("Summary:"):]
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    found = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    if not integrated or (true_peak and not found):
        raise ToolError(f"ffmpeg: could not measure loudness of {path.name}")
    return Loudness(float(integrated.group(1)), float(found.group(1)) if found else math.nan)


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
    level: Loudness  # integrated loudness measured on the output
    source: Loudness  # as measured on the input
    gain: float  # the gain (dB) that got there
    slope: float  # output LU per dB of gain, as seen (limiting makes it less than 1)


def normalise(src: Path, dest: Path, target: float, ceiling: float, rate: int,
              runner: CommandRunner, attempts: int = 4,
              start: Normalised | None = None) -> Normalised:
    """Write ``src`` to ``dest`` (16-bit WAV) at ``target`` LUFS, true peak under ``ceiling``.

    ``start``, an earlier result for the same ``src``, is where the search for the gain begins.
    """
    before = start.source if start else measure(src, runner, true_peak=False)
    if before.integrated == float("-inf") or before.integrated < -70:
        raise ToolError(f"{src.name}: the mix is silent; nothing to normalise")
    slope = start.slope if start else FIRST_SLOPE
    gain = (start.gain + (target - start.level.integrated) / slope if start
            else target - before.integrated)
    tried: list[tuple[float, float]] = []  # (gain, loudness it gave)
    result = before
    for _ in range(attempts):
        runner.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", str(src),
                    "-af", _chain(gain, ceiling, rate, before.integrated), "-ar", str(rate),
                    "-ac", "1", "-c:a", "pcm_s16le", str(dest)])
        result = measure(dest, runner, true_peak=False)
        tried.append((gain, result.integrated))
        miss = target - result.integrated
        if abs(miss) <= TOLERANCE:
            break
        # Compression and limiting make gain less than decibel-for-decibel: follow the slope seen.
        if len(tried) > 1 and tried[-1][0] != tried[-2][0]:
            seen = (tried[-1][1] - tried[-2][1]) / (tried[-1][0] - tried[-2][0])
            slope = min(1.0, max(0.3, seen))
        gain += miss / slope
    return Normalised(level=result, source=before, gain=tried[-1][0], slope=slope)
