"""Encode the mixed WAV to MP3 once, from PCM: constant bit rate with a Xing/Info header."""

from __future__ import annotations

from pathlib import Path

from ..runner import CommandRunner


def encode_mp3(wav: Path, mp3: Path, bitrate: int, rate: int, channels: int,
               runner: CommandRunner) -> None:
    """Write ``mp3`` (CBR ``bitrate`` kbps, an Info header so players know the exact duration)."""
    runner.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", str(wav),
                "-map_metadata", "-1", "-c:a", "libmp3lame", "-b:a", f"{bitrate}k",
                "-ar", str(rate), "-ac", str(channels), "-write_xing", "1",
                "-id3v2_version", "0", "-write_id3v1", "0", "-f", "mp3", str(mp3)])
