"""The command runner: programs joined in a pipeline, and errors that name the real cause."""

from __future__ import annotations

import pytest

from bulletin.audio.encode import encode_mp3
from bulletin.audio.loudness import measure
from bulletin.errors import ToolError
from bulletin.runner import CommandRunner


def test_a_pipeline_feeds_each_program_from_the_one_before(runner):
    *_, last = runner.pipe(["printf", "harbour ferry"], ["tr", "a-z", "A-Z"], ["rev"])
    assert last.stdout == b"YRREF RUOBRAH"


def test_a_failing_stage_is_named_not_the_pipe_it_broke(runner):
    with pytest.raises(ToolError) as raised:
        runner.pipe(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "sine=d=600",
                     "-f", "s16le", "-"],
                    ["sh", "-c", "head -c 1000 >/dev/null; echo 'disk full' >&2; exit 3"])
    assert str(raised.value) == "sh failed (exit 3): disk full"


def test_a_missing_program_is_reported_before_anything_runs(tmp_path):
    with pytest.raises(ToolError, match="no-such-program: not found"):
        CommandRunner().pipe(["touch", str(tmp_path / "ran")], ["no-such-program"])
    assert not (tmp_path / "ran").exists()


def test_the_mp3_is_written_and_measured_whatever_its_name(runner, tmp_path):
    wav = tmp_path / "tone.wav"
    runner.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i",
                "sine=frequency=440:duration=8", "-ar", "44100", "-ac", "1", str(wav)])
    mp3 = tmp_path / "it's a | [strange]: name.mp3"
    level = encode_mp3(wav, mp3, "volume=-6dB", 64, 44100, 1, runner)
    assert mp3.read_bytes()[:2] == b"\xff\xfb"  # MPEG audio from the first byte: no tags yet
    assert b"Info" in mp3.read_bytes()[:200]  # the header that gives players the duration
    again = measure(mp3, runner)  # the file, measured on its own afterwards
    assert abs(level.integrated - again.integrated) <= 0.1
    assert abs(level.true_peak - again.true_peak) <= 0.1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([wav.name, mp3.name])
