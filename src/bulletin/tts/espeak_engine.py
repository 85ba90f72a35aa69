"""espeak-ng: a small, robotic but fully offline voice, run as a subprocess.

The voice is any name ``espeak-ng -v`` accepts (``en-us``, ``en-gb-scotland``, ``en-us+f3``, ...);
the speaking rate scales espeak-ng's 175 words a minute. Text goes in on stdin, so no text is ever
read as an option.
"""

from __future__ import annotations

import re
import tempfile
import wave
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

from ..config import VoiceConfig
from ..errors import InputError, ToolError
from ..runner import DEFAULT_RUNNER, INSTALL_HINTS, CommandRunner
from .base import Parallel, Speech, VoiceInfo

PROGRAM = "espeak-ng"
DEFAULT_VOICE = "en-us"
BASE_RATE = 175  # espeak-ng's words per minute at speed 1.0
MISSING = f"{PROGRAM} not found; {INSTALL_HINTS[PROGRAM]}"


@lru_cache(maxsize=4)
def _version(runner: CommandRunner) -> str:
    out = runner.run([PROGRAM, "--version"]).stdout.decode("utf-8", "replace")
    found = re.search(r"text-to-speech:\s*(\S+)", out)
    return found.group(1) if found else out.strip().splitlines()[0]


class EspeakEngine:
    name: ClassVar[str] = "espeak"
    offline: ClassVar[bool] = True
    parallel: ClassVar[Parallel] = "threads"  # each segment is its own espeak-ng process
    max_workers: ClassVar[int | None] = None

    def __init__(self, config: VoiceConfig, runner: CommandRunner = DEFAULT_RUNNER) -> None:
        if not runner.available(PROGRAM):
            raise ToolError(f"espeak: {MISSING}")
        if not 0.5 <= config.speed <= 2.5:
            raise InputError(f"voice speed {config.speed}: espeak speaks between 0.5 and 2.5")
        self.runner = runner
        self.voice = config.voice or DEFAULT_VOICE
        if not re.fullmatch(r"[\w()/.+-]+", self.voice):
            raise InputError(f"espeak voice '{self.voice}': not a voice name")
        self.rate = round(BASE_RATE * config.speed)
        try:  # one silent run: espeak-ng refuses a voice it does not have
            runner.run([PROGRAM, "-q", "-v", self.voice, "x"])
        except ToolError:
            raise InputError(f"espeak voice '{self.voice}': espeak-ng has no such voice "
                             "(see `bulletin voices` or `espeak-ng --voices`)") from None

    @property
    def identity(self) -> str:
        return f"espeak-ng {_version(self.runner)} voice={self.voice} rate={self.rate}"

    def load(self, store: Path | None = None) -> None:
        """Nothing to load: espeak-ng starts fresh for each segment."""

    def synthesize(self, text: str) -> Speech:
        with tempfile.TemporaryDirectory(prefix="bulletin-espeak-") as work:
            out = Path(work) / "speech.wav"
            self.runner.run([PROGRAM, "-b", "1", "--stdin", "-v", self.voice,
                             "-s", str(self.rate), "-w", str(out)], input=text.encode("utf-8"))
            try:
                with wave.open(str(out), "rb") as wav:
                    if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
                        raise ToolError("espeak: espeak-ng wrote an unexpected WAV format")
                    return Speech(pcm=wav.readframes(wav.getnframes()),
                                  sample_rate=wav.getframerate())
            except (OSError, EOFError, wave.Error) as exc:
                raise ToolError(f"espeak: cannot read espeak-ng's output ({exc})") from None

    @classmethod
    def voices(cls, runner: CommandRunner = DEFAULT_RUNNER) -> list[VoiceInfo]:
        rows = [VoiceInfo("espeak", DEFAULT_VOICE, "US English (espeak-ng default)", True),
                VoiceInfo("espeak", "en-gb", "British English", True),
                VoiceInfo("espeak", "en-us+f3", "US English, female variant", True)]
        if runner.available(PROGRAM):
            listing = runner.run([PROGRAM, "--voices"]).stdout.decode("utf-8", "replace")
            count = max(0, len(listing.strip().splitlines()) - 1)
            rows.append(VoiceInfo("espeak", "LANG", f"any of espeak-ng's {count} voices "
                                  "(espeak-ng --voices)", True))
        return rows

    @classmethod
    def check(cls) -> str | None:
        return None if DEFAULT_RUNNER.available(PROGRAM) else MISSING
