"""The audio stage: clips in, a finished, tagged MP3 out.

``mix(clips, script, config, workdir)`` → ``Mix``: stings and speech stitched and loudness-normalised
into a WAV, with the cue and chapter times of the finished programme.
``export(mix, mp3, tags, config)`` encodes that WAV once to MP3, checks the loudness of the MP3
itself (correcting and re-encoding if the encoder moved it), and writes ID3v2.3 tags and chapters.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..config import AudioConfig
from ..errors import ToolError
from ..models import Clip, Mix, Script
from ..runner import DEFAULT_RUNNER, CommandRunner
from .encode import encode_mp3
from .loudness import TOLERANCE, Loudness, measure, normalise
from .stings import load_stings
from .stitch import stitch
from .tags import Tags, write_tags


def mix(clips: Sequence[Clip], script: Script, config: AudioConfig, workdir: Path,
        runner: CommandRunner = DEFAULT_RUNNER) -> Mix:
    """Stitch and normalise ``clips`` into ``workdir/mix.wav``."""
    if not clips:
        raise ToolError("mix: no speech to mix")
    stitched = stitch(clips, script.stories, load_stings(config), config.sample_rate,
                      config.crossfade, runner)
    raw = workdir / "stitched.wav"
    stitched.audio.export(raw, format="wav")
    wav = workdir / "mix.wav"
    normalise(raw, wav, config.loudness, config.true_peak, config.sample_rate, runner)
    duration = stitched.audio.frame_count() / config.sample_rate
    return Mix(wav=wav, duration=duration, chapters=stitched.chapters, cues=stitched.cues)


def export(the_mix: Mix, mp3: Path, tags: Tags, config: AudioConfig,
           runner: CommandRunner = DEFAULT_RUNNER) -> Loudness:
    """Encode ``the_mix`` to ``mp3`` with tags; returns the loudness measured on the MP3."""
    encode_mp3(the_mix.wav, mp3, config.bitrate, config.sample_rate, config.channels, runner)
    level = measure(mp3, runner)
    miss = config.loudness - level.integrated
    if abs(miss) > TOLERANCE or level.true_peak > config.true_peak:
        # The encoder's low-pass and overshoot moved the level: aim the PCM to compensate, once.
        corrected = the_mix.wav.with_name("mix-corrected.wav")
        peak_room = min(0.0, config.true_peak - level.true_peak)
        normalise(the_mix.wav, corrected, config.loudness + miss,
                  config.true_peak + peak_room, config.sample_rate, runner)
        encode_mp3(corrected, mp3, config.bitrate, config.sample_rate, config.channels, runner)
        level = measure(mp3, runner)
    write_tags(mp3, tags, the_mix.chapters)
    return level


__all__ = ["Tags", "export", "measure", "mix"]
