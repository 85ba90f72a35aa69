"""ffmpeg and ffprobe, the one way bulletin uses them: every command line either program runs is
written here, and runs through the ``CommandRunner`` (which logs it and raises with its stderr).

- ``decode_pcm(source, rate)`` → 16-bit mono PCM at ``rate`` from an audio file, or from encoded
  bytes (``fmt`` names their format, e.g. ``"mp3"``); ``resample_pcm(pcm, rate, target)``.
- ``measure_loudness(path, filters)`` → ``Loudness``: integrated LUFS and true peak, as ebur128
  measures ``path`` (after ``filters``, when given).
- ``encode_mp3(wav, mp3, filters, ...)`` → the ``Loudness`` of the MP3 it writes: the filters, the
  encoder and the measurement of the encoded stream run at once, as one pipeline.
- ``probe_seconds(path)`` → how long an MP3 really plays, from its frames counted by ffprobe.
- ``remix_wav(wav, dest, channels)`` writes ``wav`` with that many channels; ``render_pcm(wav,
  dest, filters, rate, channels)`` writes it through ``filters`` as raw 16-bit PCM; and
  ``measure_pcm(pcm, rate, channels)`` → ``LoudnessStats``: everything EBU R128 (and a Broadcast
  WAV's ``bext`` chunk) reports of that PCM, as ebur128 measures it.
- ``file_arg(path)`` names a file so that ffmpeg reads no protocol or option into the name.

Loudness is bulletin's own measure (ITU-R BS.1770 through ebur128), as podcast platforms measure it.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ToolError
from .runner import DEFAULT_RUNNER, CommandRunner

FFMPEG = ("ffmpeg", "-hide_banner", "-nostdin")
QUIET = ("-loglevel", "error")


@dataclass(frozen=True)
class Loudness:
    integrated: float  # LUFS
    true_peak: float  # dBTP (NaN when not measured)


@dataclass(frozen=True)
class LoudnessStats:
    """A programme's loudness as EBU R128 describes it (the figures a ``bext`` chunk carries)."""

    integrated: float  # LUFS
    range: float  # LU (loudness range, LRA)
    true_peak: float  # dBTP, the highest
    max_momentary: float  # LUFS, the loudest 400 ms
    max_short_term: float  # LUFS, the loudest 3 s


def file_arg(path: Path) -> str:
    """``path`` as ffmpeg should read it: always a plain file, whatever its name holds (a name
    like ``pipe:1`` or ``http:x`` would otherwise be taken for a protocol)."""
    return "file:" + str(path.absolute())


def _tee_output(path: Path) -> str:
    """``path`` as one output of ffmpeg's tee muxer, whose syntax gives ``\\ | '`` a meaning."""
    text = file_arg(path)
    for special in "\\|'":
        text = text.replace(special, "\\" + special)
    return text


def _pcm(rate: int, channels: int = 1) -> list[str]:
    return ["-f", "s16le", "-ar", str(rate), "-ac", str(channels)]


def decode_pcm(source: Path | bytes, rate: int, fmt: str = "",
               runner: CommandRunner = DEFAULT_RUNNER) -> bytes:
    """16-bit mono PCM at ``rate`` from the audio file ``source``, or from encoded ``source`` bytes
    in the container format ``fmt`` (such as "mp3")."""
    if isinstance(source, bytes):
        where, data = ["-f", fmt, "-i", "pipe:0"], source
    else:
        where, data = ["-i", file_arg(source)], None
    return runner.run([*FFMPEG, *QUIET, *where, *_pcm(rate), "pipe:1"], input=data).stdout


def resample_pcm(pcm: bytes, rate: int, target: int,
                 runner: CommandRunner = DEFAULT_RUNNER) -> bytes:
    """16-bit mono ``pcm`` at ``rate`` Hz, resampled to ``target`` Hz."""
    return runner.run([*FFMPEG, *QUIET, *_pcm(rate), "-i", "pipe:0",
                       "-af", f"aresample={target}:filter_size=64", *_pcm(target), "pipe:1"],
                      input=pcm).stdout


def ebur128(true_peak: bool = True) -> str:
    """The ffmpeg filter that measures loudness; ``read_summary`` reads what it reports."""
    return "ebur128=framelog=verbose" + (":peak=true" if true_peak else "")


def read_summary(stderr: bytes, name: str, true_peak: bool = True) -> Loudness:
    """The loudness in the summary ffmpeg's ``ebur128`` filter wrote to ``stderr``."""
    log = stderr.decode("utf-8", "replace")
    summary = log[log.rfind("Summary:"):]
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    found = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    if not integrated or (true_peak and not found):
        raise ToolError(f"ffmpeg: could not measure loudness of {name}")
    return Loudness(float(integrated.group(1)), float(found.group(1)) if found else math.nan)


def measure_loudness(path: Path, filters: str = "", true_peak: bool = True,
                     runner: CommandRunner = DEFAULT_RUNNER) -> Loudness:
    """Integrated loudness (and true peak, unless ``true_peak=False``) of ``path``, after
    ``filters`` when given: how the file, or the file through that chain, would measure."""
    chain = ",".join(f for f in (filters, ebur128(true_peak)) if f)
    result = runner.run([*FFMPEG, "-nostats", "-i", file_arg(path), "-af", chain,
                         "-f", "null", "-"])
    return read_summary(result.stderr, path.name, true_peak)


def encode_mp3(wav: Path, mp3: Path, filters: str, bitrate: int, rate: int, channels: int,
               runner: CommandRunner = DEFAULT_RUNNER) -> Loudness:
    """Write ``wav`` through ``filters`` to ``mp3`` (CBR ``bitrate`` kbps, with an Info header so
    players know the exact duration, no tags); returns the loudness of the MP3 as written.

    Three programs run at once, each on a core of its own: one applies the filters, one encodes
    and writes the file and a copy of its stream (the tee muxer), one measures that copy.
    """
    pcm = _pcm(rate, channels)
    bare = "id3v2_version=0:write_id3v1=0"  # tags are written afterwards, by mutagen
    *_, measured = runner.pipe(
        [*FFMPEG, *QUIET, "-i", file_arg(wav), "-af", filters, *pcm, "-"],
        [*FFMPEG, *QUIET, "-y", *pcm, "-i", "-", "-map", "0:a", "-map_metadata", "-1",
         "-c:a", "libmp3lame", "-b:a", f"{bitrate}k", "-f", "tee",
         f"[f=mp3:write_xing=1:{bare}]{_tee_output(mp3)}|[f=mp3:write_xing=0:{bare}]pipe:1"],
        [*FFMPEG, "-nostats", "-f", "mp3", "-i", "-", "-af", ebur128(), "-f", "null", "-"],
    )
    return read_summary(measured.stderr, mp3.name)


def probe_seconds(path: Path, runner: CommandRunner = DEFAULT_RUNNER) -> float:
    """How long an MP3 really plays: its frames counted by ffprobe (not the header's claim,
    which a truncated file keeps)."""
    result = runner.run(["ffprobe", "-v", "error", "-select_streams", "a:0", "-count_packets",
                         "-show_entries", "stream=nb_read_packets,sample_rate", "-of", "json",
                         file_arg(path)])
    streams = json.loads(result.stdout or b"{}").get("streams") or [{}]
    frames, rate = streams[0].get("nb_read_packets"), streams[0].get("sample_rate")
    if not frames or not rate:
        raise ToolError(f"ffprobe: {path.name} has no audio stream")
    rate = int(rate)
    return int(frames) * (1152 if rate >= 32000 else 576) / rate


def remix_wav(wav: Path, dest: Path, channels: int, runner: CommandRunner = DEFAULT_RUNNER) -> None:
    """Write ``wav`` to the 16-bit WAV ``dest`` with ``channels`` channels (mono goes to both
    channels of stereo; stereo is mixed down to mono)."""
    runner.run([*FFMPEG, *QUIET, "-y", "-i", file_arg(wav), "-map_metadata", "-1",
                "-ac", str(channels), "-c:a", "pcm_s16le", "-f", "wav", file_arg(dest)])


def render_pcm(wav: Path, dest: Path, filters: str, rate: int, channels: int,
               runner: CommandRunner = DEFAULT_RUNNER) -> None:
    """Write ``wav`` through ``filters`` to ``dest`` as raw 16-bit little-endian PCM at ``rate``
    Hz with ``channels`` channels, interleaved."""
    runner.run([*FFMPEG, *QUIET, "-y", "-i", file_arg(wav), "-af", filters,
                *_pcm(rate, channels), file_arg(dest)])


_FRAME = re.compile(r"\bM:\s*(-?[\d.]+|-?inf|nan)\s+S:\s*(-?[\d.]+|-?inf|nan)")


def measure_pcm(pcm: Path, rate: int, channels: int,
                runner: CommandRunner = DEFAULT_RUNNER) -> LoudnessStats:
    """The loudness of the raw 16-bit PCM file ``pcm`` (``rate`` Hz, ``channels`` channels):
    integrated, range and true peak from ebur128's summary, and the loudest momentary and
    short-term values from its log of every 100 ms."""
    result = runner.run([*FFMPEG, "-nostats", *_pcm(rate, channels), "-i", file_arg(pcm),
                         "-af", "ebur128=framelog=info:peak=true", "-f", "null", "-"])
    level = read_summary(result.stderr, pcm.name)
    log = result.stderr.decode("utf-8", "replace")
    summary = log[log.rfind("Summary:"):]
    found = re.search(r"LRA:\s+(-?[\d.]+) LU", summary)
    frames = [(float(m), float(s)) for m, s in _FRAME.findall(log[:log.rfind("Summary:")])]
    if not found or not frames:
        raise ToolError(f"ffmpeg: could not measure the loudness range of {pcm.name}")
    return LoudnessStats(integrated=level.integrated, range=float(found.group(1)),
                         true_peak=level.true_peak, max_momentary=max(m for m, _ in frames),
                         max_short_term=max(s for _, s in frames))
