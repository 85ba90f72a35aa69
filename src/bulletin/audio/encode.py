"""Encode the mixed WAV to MP3 once, from PCM, and measure the MP3 as it is written.

``encode_mp3(wav, mp3, filters, ...)`` → ``Loudness`` of the MP3. Three programs run at once, each
on a core of its own: ffmpeg applies ``filters`` to the WAV, a second ffmpeg encodes the result
(constant bit rate, with a Xing/Info header so players know the exact duration) and writes the
MP3 file and a copy of its stream, and a third decodes that copy and measures it with ``ebur128``.
"""

from __future__ import annotations

from pathlib import Path

from ..runner import CommandRunner
from .loudness import Loudness, ebur128, read_summary


def encode_mp3(wav: Path, mp3: Path, filters: str, bitrate: int, rate: int, channels: int,
               runner: CommandRunner) -> Loudness:
    """Write ``wav`` through ``filters`` to ``mp3`` (CBR ``bitrate`` kbps); the MP3's loudness."""
    pcm = ["-f", "s16le", "-ar", str(rate), "-ac", str(channels)]
    bare = "id3v2_version=0:write_id3v1=0"  # tags are written afterwards, by mutagen
    *_, measured = runner.pipe(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", str(wav), "-af", filters,
         *pcm, "-"],
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *pcm, "-i", "-", "-map", "0:a",
         "-map_metadata", "-1", "-c:a", "libmp3lame", "-b:a", f"{bitrate}k", "-f", "tee",
         f"[f=mp3:write_xing=1:{bare}]{_escape(mp3)}|[f=mp3:write_xing=0:{bare}]pipe:1"],
        ["ffmpeg", "-hide_banner", "-nostats", "-f", "mp3", "-i", "-", "-af", ebur128(),
         "-f", "null", "-"],
    )
    return read_summary(measured.stderr, mp3.name)


def _escape(path: Path) -> str:
    """``path`` as one output of ffmpeg's tee muxer: a plain file whatever its name holds."""
    text = str(path.absolute())
    for special in "\\|'":
        text = text.replace(special, "\\" + special)
    return "file:" + text
