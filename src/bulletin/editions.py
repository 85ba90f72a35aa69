"""What an edition reports, and the small judgements its recipe (``pipeline.edition``) makes.

``EditionResult`` is what ``bulletin edition`` prints (``summary()`` for ``--json``);
``StoryRead`` is one story as the edition read it. ``story_key`` and ``digest`` identify a story
and the text read of it, to tell whether anything is new since the last edition; ``local_time``
gives a moment in the show's time zone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass

from .models import Article, Chapter, Dropped, Story


@dataclass(frozen=True)
class StoryRead:
    """One story of an edition: what it is, where from, and how much of it was read."""

    title: str
    url: str | None
    sources: tuple[str, ...]
    seconds: float
    sentences_read: int
    sentences_total: int


@dataclass(frozen=True)
class EditionResult:
    """An edition made (``build`` holds what a build reports) or not (``reason`` says why)."""

    published: bool
    reason: str = ""
    build: object | None = None  # the pipeline's BuildResult when published
    target: float = 0.0
    stories: tuple[StoryRead, ...] = ()
    dropped: tuple[Dropped, ...] = ()
    short_by: float = 0.0  # seconds the news fell short of the target
    problems: tuple[str, ...] = ()  # feeds that could not be read, one line each

    def summary(self) -> dict[str, object]:
        """The one-object summary ``bulletin edition --json`` prints."""
        if not self.published or self.build is None:
            return {"published": False, "reason": self.reason,
                    "problems": list(self.problems)}
        return {
            **self.build.summary(),  # type: ignore[attr-defined]
            "published": True,
            "target": self.target,
            "short_by": round(self.short_by, 1),
            "stories": [{"title": s.title, "url": s.url, "sources": list(s.sources),
                         "seconds": round(s.seconds, 1), "sentences_read": s.sentences_read,
                         "sentences_total": s.sentences_total} for s in self.stories],
            "dropped": [{"title": d.title, "url": d.url, "reason": d.reason}
                        for d in self.dropped],
            "problems": list(self.problems),
        }


def local_time(moment: dt.datetime, timezone: str) -> dt.datetime:
    """``moment`` in the show's ``timezone``."""
    return moment.astimezone(zoneinfo.ZoneInfo(timezone))


def digest(article: Article) -> str:
    """A short fingerprint of the text read of a story: a changed story has another."""
    text = "\n".join((article.title, *article.paragraphs))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def story_seconds(story: Story, chapters: Sequence[Chapter]) -> float:
    """How long ``story`` lasts in the programme: its chapter's length (0 when it has none)."""
    return next((c.end - c.start for c in chapters if c.title == story.title), 0.0)
