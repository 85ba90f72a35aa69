"""The audio stage: clips in, a finished, tagged MP3 out.

``mix(clips, script, config, workdir)`` → ``Mix``: stings and speech stitched into a WAV, with the
cue and chapter times of the finished programme; ``overhead(config)`` says beforehand how long the
mix makes a programme beyond its speech.
``export(mix, mp3, tags, config)`` normalises loudness, encodes once from PCM to MP3 while
measuring the MP3 itself (correcting and re-encoding if the encoder moved it), and writes ID3v2.3
tags and chapters.
``write_playout(mix, path, info, config)`` writes the playout copy, a Broadcast WAV for radio
automation (``check_destination(path)`` says beforehand whether it can).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path

from ..config import AudioConfig
from ..errors import ToolError
from ..ffmpeg import Loudness, encode_mp3
from ..fileio import atomic_copy, atomic_write_bytes, atomic_write_text
from ..models import Clip, Mix, Script
from ..runner import DEFAULT_RUNNER, CommandRunner
from .loudness import chain, find_gain
from .playout import check_destination, write_playout
from .stings import load_stings
from .stitch import stitch, surround
from .tags import Tags, write_tags

MP3_TOLERANCE = 0.5  # LU from the target, as measured on the finished MP3
# LU the encoder's low-pass usually takes off speech: the first aim above the target, corrected
# by what the MP3 measures.
ENCODER_LOSS = 0.4
RENDER_SCHEME = "2"  # changes whenever the processing below changes what comes out


def mix(clips: Sequence[Clip], script: Script, config: AudioConfig, workdir: Path,
        runner: CommandRunner = DEFAULT_RUNNER) -> Mix:
    """Stitch ``clips`` with the stings into ``workdir/stitched.wav``."""
    if not clips:
        raise ToolError("mix: no speech to mix")
    stitched = stitch(clips, script.stories, load_stings(config, runner), config.sample_rate,
                      config.crossfade, runner)
    wav = workdir / "stitched.wav"
    stitched.audio.export(wav, format="wav")
    duration = stitched.audio.frame_count() / config.sample_rate
    return Mix(wav=wav, duration=duration, chapters=stitched.chapters, cues=stitched.cues)


def overhead(config: AudioConfig, runner: CommandRunner = DEFAULT_RUNNER) -> Callable[[int], float]:
    """The seconds ``mix`` will add around the speech of a programme of n stories (stings, lead-ins,
    less crossfades), for writing a bulletin to time."""
    stings = load_stings(config, runner)
    return lambda stories: surround(stings, stories, config.crossfade)


def _render_key(the_mix: Mix, config: AudioConfig) -> str:
    """What the encoded audio depends on: the stitched samples and every audio setting."""
    digest = hashlib.sha256(f"{RENDER_SCHEME}|{config!r}|".encode())
    with the_mix.wav.open("rb") as wav:
        for block in iter(lambda: wav.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export(the_mix: Mix, mp3: Path, tags: Tags, config: AudioConfig,
           runner: CommandRunner = DEFAULT_RUNNER, store: Path | None = None,
           attempts: int = 4) -> Loudness:
    """Normalise, encode once to ``mp3`` and tag it; returns the loudness measured on the MP3.

    The encoder's low-pass lowers loudness a little and its overshoot raises peaks, so the MP3
    itself is measured and, when outside the target, the PCM is aimed to compensate and encoded
    again. With a ``store`` folder, a programme already encoded from the same samples with the
    same settings (a rebuild of an unchanged bulletin) is reused from it.
    """
    kept = store / f"{_render_key(the_mix, config)}.mp3" if store else None
    level = _reuse(kept, mp3)
    if level is not None:
        write_tags(mp3, tags, the_mix.chapters)
        return level
    ceiling = config.true_peak
    gain = find_gain(the_mix.wav, config.loudness + ENCODER_LOSS, ceiling, config.sample_rate,
                     runner)
    level = Loudness(math.nan, math.nan)
    tried: list[tuple[float, float]] = []
    for _ in range(attempts):
        level = encode_mp3(the_mix.wav, mp3, chain(gain, ceiling, config.sample_rate),
                           config.bitrate, config.sample_rate, config.channels, runner)
        tried.append((gain.gain, level.integrated))
        if _acceptable(level, config):
            break
        over = level.true_peak - (config.true_peak - 0.2)
        if over > 0:  # the encoder overshot the ceiling: limit lower, and start the slope afresh
            ceiling -= over
            tried.clear()
        gain = gain.correct(config.loudness - level.integrated, tried)
    if kept is not None and _acceptable(level, config):
        atomic_copy(mp3, kept)
        note = {"sha256": hashlib.sha256(mp3.read_bytes()).hexdigest(),
                "integrated": level.integrated, "true_peak": level.true_peak}
        atomic_write_text(kept.with_suffix(".json"), json.dumps(note))
    write_tags(mp3, tags, the_mix.chapters)
    return level


def _reuse(kept: Path | None, mp3: Path) -> Loudness | None:
    """Copy a stored programme to ``mp3`` when it is whole (its checksum matches); its level."""
    if kept is None or not kept.is_file():
        return None
    try:
        note = json.loads(kept.with_suffix(".json").read_text())
        data = kept.read_bytes()
        if hashlib.sha256(data).hexdigest() != note["sha256"]:
            return None
        level = Loudness(float(note["integrated"]), float(note["true_peak"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # damaged or half-written: encode afresh
    atomic_write_bytes(mp3, data)
    return level


def _acceptable(level: Loudness, config: AudioConfig) -> bool:
    return (abs(config.loudness - level.integrated) <= MP3_TOLERANCE
            and level.true_peak <= config.true_peak - 0.1)


__all__ = ["Loudness", "Tags", "check_destination", "export", "mix", "overhead",
           "write_playout"]
