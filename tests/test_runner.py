"""The command runner: programs joined in a pipeline, and errors that name the real cause."""

from __future__ import annotations

import pytest

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
