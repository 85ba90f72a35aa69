"""espeak-ng through a subprocess: voice and rate options, and a clear error without the binary."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bulletin.config import VoiceConfig
from bulletin.errors import InputError, ToolError
from bulletin.runner import CommandRunner
from bulletin.tts.espeak_engine import EspeakEngine

SENTENCE = "The night ferry returns to Kestrel Bay in April."


def seconds(speech) -> float:
    return len(speech.pcm) / 2 / speech.sample_rate


def test_speaks_a_sentence():
    speech = EspeakEngine(VoiceConfig(engine="espeak")).synthesize(SENTENCE)
    assert speech.sample_rate == 22050
    assert 1.5 < seconds(speech) < 6


def test_rate_follows_speed():
    normal = EspeakEngine(VoiceConfig(engine="espeak")).synthesize(SENTENCE)
    double = EspeakEngine(VoiceConfig(engine="espeak", speed=2.0)).synthesize(SENTENCE)
    assert 0.4 < seconds(double) / seconds(normal) < 0.65


def test_voice_changes_the_sound():
    us = EspeakEngine(VoiceConfig(engine="espeak")).synthesize(SENTENCE)
    gb = EspeakEngine(VoiceConfig(engine="espeak", voice="en-gb")).synthesize(SENTENCE)
    assert us.pcm != gb.pcm
    assert "voice=en-gb" in EspeakEngine(VoiceConfig(engine="espeak", voice="en-gb")).identity


def test_text_is_never_read_as_options():
    speech = EspeakEngine(VoiceConfig(engine="espeak")).synthesize("--help -w /tmp/x says hello")
    assert seconds(speech) > 1


def test_unknown_voice_is_an_input_error(cli, write_article):
    with pytest.raises(InputError, match="espeak voice 'nosuch'"):
        EspeakEngine(VoiceConfig(engine="espeak", voice="nosuch"))
    article = write_article("a.txt", "Title", "A paragraph.")
    result = cli("build", article, "--engine", "espeak", "--voice", "nosuch")
    assert result.exit_code == 2
    assert result.stderr.startswith("bulletin: espeak voice 'nosuch': espeak-ng has no such voice")
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_binary_is_a_clear_tool_error(cli, write_article, tmp_path, monkeypatch):
    bare = tmp_path / "bin"
    bare.mkdir()
    for tool in ("ffmpeg", "ffprobe"):  # everything but espeak-ng
        found = shutil.which(tool)
        assert found
        (bare / tool).symlink_to(found)
    monkeypatch.setenv("PATH", str(bare))
    with pytest.raises(ToolError, match="espeak-ng not found; install it with: apt-get install"):
        EspeakEngine(VoiceConfig(engine="espeak"), CommandRunner())
    article = write_article("a.txt", "Title", "A paragraph.")
    result = cli("build", article, "--engine", "espeak")
    assert result.exit_code == 1
    assert result.stderr.strip() == ("bulletin: espeak: espeak-ng not found; "
                                     "install it with: apt-get install espeak-ng")
    assert not Path("public").exists()
