"""The one ffmpeg module: decoding, measuring, encoding and probing real audio made with lavfi."""

from __future__ import annotations

import array
import math

import pytest

from bulletin.errors import ToolError
from bulletin.ffmpeg import (
    decode_pcm,
    encode_mp3,
    measure_loudness,
    probe_seconds,
    resample_pcm,
)


def tone(runner, path, seconds=2.0, rate=44100, volume="0dB"):
    runner.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i",
                f"sine=frequency=440:duration={seconds}", "-af", f"volume={volume}",
                "-ar", str(rate), "-ac", "1", str(path)])
    return path


def test_files_named_like_protocols_or_options_are_read_as_files(runner, tmp_path):
    for name in ("pipe:1.wav", "http:x.wav", "-i.wav"):
        wav = tone(runner, tmp_path / "made.wav", seconds=1.0)
        odd = wav.rename(tmp_path / name)
        pcm = decode_pcm(odd, 44100, runner=runner)
        assert abs(len(pcm) / 2 / 44100 - 1.0) < 0.01, name
        assert measure_loudness(odd, runner=runner).integrated < 0, name


def test_decoding_mp3_bytes_and_resampling_pcm_keep_the_length(runner, tmp_path):
    mp3 = tmp_path / "tone.mp3"
    runner.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "sine=d=3", "-ar", "24000",
                "-b:a", "32k", str(mp3)])
    pcm = decode_pcm(mp3.read_bytes(), 24000, "mp3", runner)
    assert abs(len(pcm) / 2 / 24000 - 3.0) < 0.1
    up = resample_pcm(pcm, 24000, 48000, runner)
    assert abs(len(up) - 2 * len(pcm)) <= 256
    samples = array.array("h", up)
    assert max(abs(s) for s in samples) > 1000, "the resampled tone is still there"


def test_measure_loudness_sees_a_6_db_step(runner, tmp_path):
    loud = measure_loudness(tone(runner, tmp_path / "a.wav"), runner=runner)
    quiet = measure_loudness(tone(runner, tmp_path / "b.wav", volume="-6dB"), runner=runner)
    assert abs((loud.integrated - quiet.integrated) - 6.0) < 0.2
    assert loud.true_peak > quiet.true_peak
    through = measure_loudness(tmp_path / "a.wav", "volume=-6dB", true_peak=False, runner=runner)
    assert abs(through.integrated - quiet.integrated) < 0.2 and math.isnan(through.true_peak)


def test_the_mp3_is_written_and_measured_whatever_its_name(runner, tmp_path):
    wav = tone(runner, tmp_path / "tone.wav", seconds=8.0)
    mp3 = tmp_path / "it's a | [strange]: name.mp3"
    level = encode_mp3(wav, mp3, "volume=-6dB", 64, 44100, 1, runner)
    assert mp3.read_bytes()[:2] == b"\xff\xfb"  # MPEG audio from the first byte: no tags yet
    assert b"Info" in mp3.read_bytes()[:200]  # the header that gives players the duration
    again = measure_loudness(mp3, runner=runner)  # the file, measured on its own afterwards
    assert abs(level.integrated - again.integrated) <= 0.1
    assert abs(level.true_peak - again.true_peak) <= 0.1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([wav.name, mp3.name])
    assert abs(probe_seconds(mp3, runner) - 8.0) < 0.1


def test_probe_counts_the_frames_a_truncated_mp3_still_has(runner, tmp_path):
    wav = tone(runner, tmp_path / "tone.wav", seconds=10.0)
    mp3 = tmp_path / "whole.mp3"
    encode_mp3(wav, mp3, "anull", 64, 44100, 1, runner)
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(mp3.read_bytes()[: mp3.stat().st_size // 2])
    assert abs(probe_seconds(cut, runner) - 5.0) < 0.3  # the Info header still claims 10 s


def test_what_is_not_audio_fails_as_a_tool_error_naming_ffmpeg(runner, tmp_path):
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"not audio at all")
    with pytest.raises(ToolError, match="^ffmpeg failed"):
        decode_pcm(junk, 44100, runner=runner)
    with pytest.raises(ToolError, match="^ffprobe"):
        probe_seconds(junk, runner)
