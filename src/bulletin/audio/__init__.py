"""The audio stage: clips in, a finished, tagged MP3 out.

``mix(clips, script, config, workdir)`` → ``Mix``: stings and speech stitched into a WAV, with the
cue and chapter times of the finished programme.
``export(mix, mp3, tags, config)`` normalises loudness, encodes once from PCM to MP3, measures the
MP3 itself (correcting and re-encoding if the encoder moved it), and writes ID3v2.3 tags and chapters.
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
    """Stitch ``clips`` with the stings into ``workdir/stitched.wav``."""
    if not clips:
        raise ToolError("mix: no speech to mix")
    stitched = stitch(clips, script.stories, load_stings(config), config.sample_rate,
                      config.crossfade, runner)
    wav = workdir / "stitched.wav"
    stitched.audio.export(wav, format="wav")
    duration = stitched.audio.frame_count() / config.sample_rate
    return Mix(wav=wav, duration=duration, chapters=stitched.chapters, cues=stitched.cues)


def export(the_mix: Mix, mp3: Path, tags: Tags, config: AudioConfig,
           runner: CommandRunner = DEFAULT_RUNNER, attempts: int = 3) -> Loudness:
    """Normalise, encode once to ``mp3`` and tag it; returns the loudness measured on the MP3.

    The encoder's low-pass lowers loudness a little and its overshoot raises peaks, so the MP3
    itself is measured and, when outside the target, the PCM is aimed to compensate and encoded again.
    """
    normalised = the_mix.wav.with_name("normalised.wav")
    aim, ceiling = config.loudness, config.true_peak
    level = Loudness(float("nan"), float("nan"))
    done = None
    for _ in range(attempts):
        done = normalise(the_mix.wav, normalised, aim, ceiling, config.sample_rate, runner,
                         start=done)
        encode_mp3(normalised, mp3, config.bitrate, config.sample_rate, config.channels, runner)
        level = measure(mp3, runner)
        miss = config.loudness - level.integrated
        over = level.true_peak - (config.true_peak - 0.1)
        if abs(miss) <= TOLERANCE and over <= 0:
            break
        aim += miss
        ceiling -= max(0.0, over + 0.2)
    write_tags(mp3, tags, the_mix.chapters)
    return level
