#!/usr/bin/env python3
"""Write bulletin's own intro, outro and transition stings into audio/ as WAV files.

The sound is synthesised from tones by ``bulletin.audio.stings.make_sting`` (no third-party audio);
these files are what a build uses when the config names no other stings.
"""

from __future__ import annotations

import sys
import wave
from pathlib import Path

from bulletin.audio.stings import RATE, make_sting

KINDS = ("intro", "outro", "transition")


def main(folder: Path) -> int:
    folder.mkdir(exist_ok=True)
    for kind in KINDS:
        path = folder / f"{kind}.wav"
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(make_sting(kind))
        print(path)
    return 0


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[1] / "audio"
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else default))
