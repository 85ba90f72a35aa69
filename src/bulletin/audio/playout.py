"""The playout copy: the mixed programme as a Broadcast WAV for a radio station's automation.

``write_playout(the_mix, path, info, config)`` → ``LoudnessStats``: the mix brought to
``config.loudness`` LUFS (EBU R128) under a true peak of -1 dBTP by the same chain as the podcast
MP3, rendered as 48 kHz 16-bit PCM (mono, or stereo with ``config.channels = 2``), measured back
with ebur128, and written to ``path`` with a ``bext`` chunk: ``info``'s title, show and time, and
the loudness as measured. The file appears whole or not at all (it is written under a temporary
name beside ``path``, then renamed), so a watch folder never picks up part of one.
``check_destination(path)`` says beforehand, as an ``InputError``, when ``path`` cannot be written.
"""

from __future__ import annotations

import logging
import os
import tempfile
import wave
from pathlib import Path

from ..config import PlayoutConfig
from ..errors import InputError
from ..ffmpeg import LoudnessStats, measure_pcm, remix_wav, render_pcm
from ..fileio import atomic_writer
from ..models import Mix, PlayoutInfo
from ..runner import DEFAULT_RUNNER, CommandRunner
from .bwf import Bext, write_bwf
from .loudness import chain, find_gain

RATE = 48000  # Hz: broadcast's rate
TRUE_PEAK = -1.0  # dBTP: EBU R128's ceiling
TOLERANCE = 0.2  # LU from the target, as measured on the PCM written
ATTEMPTS = 3  # renders at most, each aimed by what the one before measured

log = logging.getLogger(__name__)


def check_destination(path: Path) -> None:
    """An ``InputError`` when the playout copy cannot be written to ``path``: a folder in its
    place, or its folder missing, not a folder, or read-only. (The folder is never created: a
    watch folder that is not there is a mistake to report, not one to make.)"""
    folder = path.parent
    if path.is_dir():
        raise InputError(f"{path}: is a folder; the playout copy needs a file's name, "
                         f"like {path / 'news.wav'}")
    if not folder.is_dir():
        reason = "is not a folder" if folder.exists() else "does not exist"
        raise InputError(f"{path}: cannot write the playout copy: the folder {folder} {reason}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{path}: cannot write the playout copy: the folder {folder} is "
                         "read-only")


def write_playout(the_mix: Mix, path: Path, info: PlayoutInfo, config: PlayoutConfig,
                  runner: CommandRunner = DEFAULT_RUNNER) -> LoudnessStats:
    """Write ``the_mix`` to ``path`` as a Broadcast WAV at ``config.loudness`` LUFS, replacing
    any file there at once; returns the loudness measured on the audio written."""
    check_destination(path)
    with tempfile.TemporaryDirectory(prefix="playout-", dir=the_mix.wav.parent) as work:
        source = _source(the_mix.wav, config.channels, Path(work), runner)
        pcm = Path(work) / "playout.pcm"
        level = _render(source, pcm, config, runner)
        layout = "mono" if config.channels == 1 else "stereo"
        bext = Bext(description=info.title, originator=info.show, origination=info.made,
                    loudness=level.integrated, loudness_range=level.range,
                    max_true_peak=level.true_peak, max_momentary=level.max_momentary,
                    max_short_term=level.max_short_term,
                    coding_history=f"A=PCM,F={RATE},W=16,M={layout},T=bulletin\r\n")
        with atomic_writer(path) as handle:
            write_bwf(handle, pcm, RATE, config.channels, bext)
    return level


def _source(wav: Path, channels: int, work: Path, runner: CommandRunner) -> Path:
    """The mix with the playout copy's number of channels (the mix itself when it has them), so
    that its loudness is found as the copy will measure."""
    with wave.open(str(wav), "rb") as mixed:
        if mixed.getnchannels() == channels:
            return wav
    remixed = work / "source.wav"
    remix_wav(wav, remixed, channels, runner)
    return remixed


def _render(source: Path, pcm: Path, config: PlayoutConfig,
            runner: CommandRunner) -> LoudnessStats:
    """Render ``source`` to the raw PCM file ``pcm`` at the target loudness: the gain found by
    measuring, then corrected by what the render itself measures, until it is on the target."""
    ceiling = TRUE_PEAK
    gain = find_gain(source, config.loudness, ceiling, RATE, runner)
    tried: list[tuple[float, float]] = []
    for _ in range(ATTEMPTS):
        render_pcm(source, pcm, chain(gain, ceiling, RATE), RATE, config.channels, runner)
        level = measure_pcm(pcm, RATE, config.channels, runner)
        miss = config.loudness - level.integrated
        if abs(miss) <= TOLERANCE and level.true_peak <= TRUE_PEAK:
            return level
        if level.true_peak > TRUE_PEAK:  # over the ceiling: limit lower, the slope afresh
            ceiling -= level.true_peak - TRUE_PEAK + 0.1
            tried.clear()
        tried.append((gain.gain, level.integrated))
        gain = gain.correct(miss, tried)
    log.warning("the playout copy measures %.1f LUFS and %.1f dBTP, not %.1f LUFS under %.1f "
                "dBTP", level.integrated, level.true_peak, config.loudness, TRUE_PEAK)
    return level
