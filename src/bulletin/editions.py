"""The judgements an edition's recipe (``pipeline.edition``) makes, and what it reports.

``choosing(settings, now, seen)`` gives ``choose_stories`` its settings; ``nothing_new(...)`` says
why an edition publishes nothing (no story readable, none new or changed since the last edition),
or "" when it goes on; ``speak_to_time(read, ...)`` plans the stories read, written to
``[edition] duration``, speaks them and returns ``Spoken``; ``Spoken.result`` is the
``EditionResult`` that ``bulletin edition`` prints (``summary()`` for ``--json``). ``digest`` tells
a changed story by the text read of it; ``local_time`` is a moment in the show's time zone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from . import audio
from .config import Config, EditionConfig
from .feed.editions import EditionRecord
from .models import Article, Candidate, Chapter, Clip, Dropped, Script, Story
from .results import EditionResult, StoryRead
from .runner import CommandRunner
from .script import Fit, edition_planner, fit_to_time, split_sentences
from .templating import render
from .tts import Engine, SegmentCache, synthesize_script
from .tts.synthesize import Progress

Read = Sequence[tuple[Candidate, Article]]


def local_time(moment: dt.datetime, timezone: str) -> dt.datetime:
    """``moment`` in the show's ``timezone``."""
    return moment.astimezone(zoneinfo.ZoneInfo(timezone))


def digest(article: Article) -> str:
    """A short fingerprint of the text read of a story: a changed story has another."""
    text = "\n".join((article.title, *article.paragraphs))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def choosing(settings: EditionConfig, now: dt.datetime,
             seen: Mapping[str, dt.datetime]) -> dict[str, Any]:
    """``choose_stories``'s settings for an edition made ``now``."""
    return {"now": now, "max_age": dt.timedelta(seconds=settings.max_age),
            "count": settings.stories, "weights": dict(settings.weights), "first_seen": seen}


def nothing_new(read: Read, candidates: Sequence[Candidate], told: frozenset[tuple[str, str]],
                last: EditionRecord | None, config: Config) -> str:
    """Why this edition publishes nothing, or "" when it has news to tell."""
    if not candidates:
        return f"no stories in the feeds newer than {_span(config.edition.max_age)}"
    if not read:
        return "no story in the feeds could be read"
    if last is not None and told <= last.stories:
        since = local_time(last.made_at, config.show.timezone).strftime("%H:%M")
        return f"no new stories since {since}"
    return ""


def told_meanwhile(told: frozenset[tuple[str, str]], last: EditionRecord | None,
                   made_at: dt.datetime, config: Config) -> str:
    """Why an edition made at ``made_at`` and about to be published publishes nothing after all:
    another (``last``, not this one published before) told all it tells while it was spoken; or
    ""."""
    if last is None or last.made_at == made_at or not told <= last.stories:
        return ""
    since = local_time(last.made_at, config.show.timezone).strftime("%H:%M")
    return f"no new stories since {since} (told meanwhile by another edition)"


def _span(seconds: float) -> str:
    return f"{seconds / 3600:g} h" if seconds >= 3600 else f"{seconds / 60:g} min"


@dataclass(frozen=True)
class Spoken:
    """An edition's script and speech, with the fit that chose them."""

    script: Script
    clips: tuple[Clip, ...]
    fresh: int  # segments of the script spoken afresh (not from the cache)
    fit: Fit | None  # None when untimed
    read: tuple[tuple[Candidate, Article], ...]

    def result(self, chapters: Sequence[Chapter], config: Config, dropped: Sequence[Dropped],
               problems: Sequence[str]) -> EditionResult:
        """What the edition will report, its ``build`` to come once it is published (its
        ``chapters`` say how long each story lasts)."""
        told = len(self.script.stories)
        cut = [Dropped(title=a.title, url=a.url or c.item.link,
                       reason="no time left in the edition") for c, a in self.read[told:]]
        return EditionResult(
            published=True, target=config.edition.duration,
            stories=self._stories(chapters), dropped=(*dropped, *cut),
            short_by=self.fit.short_by if self.fit else 0.0, problems=tuple(problems))

    def _stories(self, chapters: Sequence[Chapter]) -> tuple[StoryRead, ...]:
        stories = []
        for number, (story, (candidate, article)) in enumerate(zip(self.script.stories,
                                                                  self.read, strict=False)):
            total = sum(len(split_sentences(p)) for p in article.paragraphs)
            done = self.fit.read[number][0] if self.fit else total
            stories.append(StoryRead(
                title=story.title, url=article.url or candidate.item.link,
                sources=candidate.sources, seconds=_seconds(story, chapters),
                sentences_read=done, sentences_total=total))
        return tuple(stories)


def _seconds(story: Story, chapters: Sequence[Chapter]) -> float:
    """How long ``story`` lasts in the programme: its chapter's length (0 when it has none)."""
    return next((c.end - c.start for c in chapters if c.title == story.title), 0.0)


def speak_to_time(read: Read, config: Config, now: dt.datetime, engine: Engine,
                  cache: SegmentCache, runner: CommandRunner,
                  progress: Progress | None = None, headlines: Engine | None = None) -> Spoken:
    """The stories ``read`` planned (their other sources credited), written to ``[edition]
    duration`` when it has one (else read whole), and spoken (the stories by ``engine``, the rest
    by ``headlines`` when given); titled with the show and the time of ``now`` in the show's time
    zone."""
    when = local_time(now, config.show.timezone)
    title = render("edition-title.txt.j2", config.script.templates, show=config.show.title,
                   time=when).strip()
    plan = edition_planner(config, when, title, f"edition|{now.isoformat()}")
    articles = [replace(article, also=candidate.sources) for candidate, article in read]
    fresh: set[str] = set()

    def speak(script: Script) -> tuple[Clip, ...]:
        clips = synthesize_script(script, engine, cache, progress, config.voice.workers,
                                  headlines)
        fresh.update(clip.segment.spoken for clip in clips if not clip.cached)
        return clips

    fit = None
    if config.edition.duration:
        fit = fit_to_time(articles, config.edition.duration, plan,
                          lambda script: [clip.speech.duration for clip in speak(script)],
                          audio.overhead(config.audio, runner))
        script = fit.script
    else:
        script = plan(articles, split_sentences)
    clips = speak(script)
    return Spoken(script=script, clips=clips, fit=fit, read=tuple(read),
                  fresh=sum(1 for clip in clips if clip.segment.spoken in fresh))
