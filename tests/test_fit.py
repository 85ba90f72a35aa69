"""Writing to time: the fit chooses whole sentences, shares time by rank, and the mix lands on it.

The fake engine speaks a tone whose length follows the text, so these run in seconds; the real
Piper editions are in test_edition.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bulletin import audio
from bulletin.config import Config
from bulletin.models import Article
from bulletin.script import edition_planner, fit_to_time, split_sentences
from bulletin.tts import SegmentCache, synthesize_script

WHEN = dt.datetime(2026, 12, 2, 14, 0, tzinfo=dt.UTC)
WORDS = ["harbour", "council", "ferry", "timetable", "weather", "warning", "repairs", "tide",
         "bridge", "school", "market", "volunteers", "budget", "museum", "rail", "station",
         "festival"]


def story(rank: int, sentences: int, paragraphs: int = 3) -> Article:
    """An article of ``sentences`` distinct sentences of varied length, in a few paragraphs."""
    said = []
    for n in range(sentences):
        words = [WORDS[(rank * 7 + n * 3 + k) % len(WORDS)] for k in range(6 + (n * 5) % 11)]
        said.append(f"Story {rank} sentence {n + 1} says {' '.join(words)}.")
    size = -(-len(said) // paragraphs)
    return Article(title=f"Headline number {rank} about the {WORDS[rank]}",
                   paragraphs=tuple(" ".join(said[i:i + size]) for i in range(0, len(said), size)),
                   source=f"story-{rank}.txt", url=f"https://news.example/{rank}")


class Speaker:
    """Speaks scripts with the fake engine through the real cache, counting what is new."""

    def __init__(self, engine, cache: SegmentCache) -> None:
        self.engine, self.cache = engine, cache

    def __call__(self, script):
        return [c.speech.duration for c in synthesize_script(script, self.engine, self.cache)]


def fitted(articles, target, engine, tmp_path: Path, runner):
    config = Config()
    plan = edition_planner(config, WHEN, "Edition", "edition|test")
    speaker = Speaker(engine, SegmentCache(tmp_path / "cache"))
    fit = fit_to_time(articles, target, plan, speaker, audio.overhead(config.audio, runner))
    clips = synthesize_script(fit.script, engine, speaker.cache)
    the_mix = audio.mix(clips, fit.script, config.audio, tmp_path, runner)
    return fit, the_mix


def test_sentences_are_not_split_after_titles_initials_or_acronyms() -> None:
    text = ("Dr. Ray met J. K. Doe at St. Mary's in the U.S. capital on Jan. 5. The talks "
            "went well. It is 3.5 km away.")
    assert split_sentences(text) == [
        "Dr. Ray met J. K. Doe at St. Mary's in the U.S. capital on Jan. 5.",
        "The talks went well.", "It is 3.5 km away."]


@pytest.mark.parametrize("target", [45.0, 60.0, 100.0, 180.0])
def test_the_mixed_programme_ends_on_the_target(target, fake_engine, tmp_path, runner) -> None:
    articles = [story(rank, 14) for rank in range(6)]
    fit, the_mix = fitted(articles, target, fake_engine, tmp_path, runner)
    assert abs(the_mix.duration - target) <= 2.0, (the_mix.duration, fit.read)
    assert abs(fit.seconds - the_mix.duration) < 0.1  # the fit knew the programme's length
    for number, story_ in enumerate(fit.script.stories):
        body = [s.text for s in story_.segments if s.kind == "body"]
        # read from the top, in whole sentences
        expected = split_sentences(" ".join(articles[number].paragraphs))[:len(body)]
        assert body == expected


def test_the_lead_story_gets_the_most_time_and_the_last_goes_first(fake_engine, tmp_path,
                                                                    runner) -> None:
    articles = [story(rank, 14) for rank in range(6)]
    fit, the_mix = fitted(articles, 60.0, fake_engine, tmp_path, runner)
    read = [n for n, _ in fit.read]
    assert len(fit.script.stories) < 6 and fit.cut  # not all fit in a minute
    assert [a.title for a in fit.cut] == [a.title for a in articles[len(read):]]
    assert read[0] == max(read) and read[0] > read[-1]
    assert all(n >= 1 for n in read)  # at least the headline and the first sentence


def test_not_enough_news_gives_a_shorter_edition_and_says_by_how_much(fake_engine, tmp_path,
                                                                      runner) -> None:
    articles = [story(rank, 2, paragraphs=1) for rank in range(2)]
    fit, the_mix = fitted(articles, 180.0, fake_engine, tmp_path, runner)
    assert fit.read == ((2, 2), (2, 2))  # everything is read
    assert fit.short_by > 60 and the_mix.duration < 120
    assert abs((180.0 - 2.0 - fit.short_by) - the_mix.duration) < 0.5


def test_a_longer_fit_speaks_only_the_sentences_it_adds(fake_engine, tmp_path, runner) -> None:
    articles = [story(rank, 14) for rank in range(4)]
    cache = SegmentCache(tmp_path / "cache")
    config = Config()
    plan = edition_planner(config, WHEN, "Edition", "edition|test")
    first = fit_to_time(articles, 60.0, plan, Speaker(fake_engine, cache),
                        audio.overhead(config.audio, runner))
    fake_engine.calls.clear()
    second = fit_to_time(articles, 120.0, plan, Speaker(fake_engine, cache),
                         audio.overhead(config.audio, runner))
    before = {s.spoken for s in first.script.segments}
    after = {s.spoken for s in second.script.segments}
    assert fake_engine.calls  # something new was said ...
    assert not set(fake_engine.calls) & before  # ... and nothing already spoken was said again
    assert set(fake_engine.calls) >= after - before - {s.spoken for s in second.script.segments
                                                       if s.kind == "rundown"}
