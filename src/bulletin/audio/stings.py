"""The intro, outro and transition stings a build plays.

``load_stings(config)`` → ``Stings``: the sting files the config names, or else bulletin's own, the
WAV files in the repository's ``audio/`` folder (made from tones by ``scripts/make_stings.py``, and
shipped inside the package as ``bulletin/sounds/``), each decoded to mono at the mix's sample rate.
``load_sound(path, kind, what, rate)`` reads any of bulletin's sounds that way (the bed too).
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from pydub import AudioSegment

from ..config import AudioConfig
from ..errors import InputError, ToolError
from ..ffmpeg import decode_pcm
from ..runner import DEFAULT_RUNNER, CommandRunner

KINDS = ("intro", "outro", "transition")


def shipped_sting(kind: str) -> Path:
    """The path of bulletin's own ``kind`` sting or bed (``audio/<kind>.wav`` in the
    repository)."""
    return Path(str(files("bulletin") / "sounds" / f"{kind}.wav"))


@dataclass(frozen=True)
class Stings:
    intro: AudioSegment
    outro: AudioSegment
    transition: AudioSegment


def _decode(source: Path, rate: int, runner: CommandRunner) -> bytes:
    """16-bit mono PCM at ``rate``: read directly when the file already is that, else by ffmpeg."""
    try:
        with wave.open(str(source), "rb") as wav:
            if (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, rate):
                return wav.readframes(wav.getnframes())
    except (wave.Error, EOFError):
        pass  # not a plain PCM WAV: ffmpeg decodes whatever it is
    return decode_pcm(source, rate, runner=runner)


def load_sound(path: str, kind: str, what: str, rate: int, runner: CommandRunner) -> bytes:
    """16-bit mono PCM at ``rate`` of the file ``path``, or of bulletin's own ``kind`` sound when
    ``path`` is empty; ``InputError`` naming the file and ``what`` it is for when it cannot be."""
    file = Path(path) if path else shipped_sting(kind)
    if not file.is_file():
        raise InputError(f"{file}: {what} not found")
    try:
        pcm = _decode(file, rate, runner)
    except ToolError as exc:
        if not runner.available("ffmpeg"):
            raise
        raise InputError(f"{file}: cannot decode {what} ({exc})") from None
    if not pcm:
        raise InputError(f"{file}: {what} is empty")
    return pcm


def _load(path: str, kind: str, rate: int, runner: CommandRunner) -> AudioSegment:
    pcm = load_sound(path, kind, f"{kind} sting", rate, runner)
    return AudioSegment(data=pcm, sample_width=2, frame_rate=rate, channels=1)


def load_stings(config: AudioConfig, runner: CommandRunner = DEFAULT_RUNNER) -> Stings:
    """The intro, outro and transition stings as mono AudioSegments at the mix's sample rate."""
    rate = config.sample_rate
    return Stings(intro=_load(config.intro, "intro", rate, runner),
                  outro=_load(config.outro, "outro", rate, runner),
                  transition=_load(config.transition, "transition", rate, runner))
