"""What a build and an edition report: ``BuildResult`` (the episode and how it was made) and
``EditionResult`` (an edition made, holding its build, or not and why; ``StoryRead`` for each
story), each as the command prints it (``lines``) and as its ``--json`` (``summary``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .feed.text import duration_text
from .models import Dropped, Episode, Proof
from .proof import summary as proof_summary


@dataclass(frozen=True)
class BuildResult:
    episode: Episode
    mp3: Path
    feed: Path
    segments: int
    synthesized: int
    cached: int
    loudness: float
    true_peak: float
    playout: Path | None = None  # the playout copy written, if any
    replaced: Episode | None = None  # the episode of the same guid it replaced, as it was
    proof: Proof | None = None  # what proofing it by ear heard ([proof] mode report or hold)
    draft: bool = False  # held back by the review gate

    def summary(self) -> dict[str, object]:
        """The one-object summary ``bulletin build --json`` prints."""
        return {
            "mp3": str(self.mp3),
            "duration": round(self.episode.duration, 3),
            "segments": self.segments,
            "synthesized": self.synthesized,
            "cached": self.cached,
            "feed": str(self.feed),
            "guid": self.episode.guid,
            "loudness": self.loudness,
            "true_peak": self.true_peak,
            **({"playout": str(self.playout)} if self.playout else {}),
            "replaced": self.replaced and {"guid": self.replaced.guid,
                                           "number": self.replaced.number,
                                           "title": self.replaced.title,
                                           "file": self.replaced.audio_file},
            **({"proof": proof_summary(self.proof)} if self.proof else {}),
            "status": "draft" if self.draft else "published",
        }

    def lines(self) -> list[str]:
        """What ``bulletin build`` prints: the MP3 (how long, how much spoken), the episode it
        replaced, the feed and the playout copy."""
        played = [str(self.playout)] if self.playout else []
        replaced = [f"replaced episode #{self.replaced.number} \"{self.replaced.title}\" "
                    f"({self.replaced.guid})"] if self.replaced else []
        return [f"{self.mp3}  ({duration_text(self.episode.duration)}, {self.synthesized} "
                f"synthesised, {self.cached} cached)", *replaced, str(self.feed), *played]


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
    build: BuildResult | None = None  # when published
    target: float = 0.0
    stories: tuple[StoryRead, ...] = ()
    dropped: tuple[Dropped, ...] = ()
    short_by: float = 0.0  # seconds the news fell short of the target
    problems: tuple[str, ...] = ()  # feeds that could not be read, one line each

    def summary(self) -> dict[str, object]:
        """The one-object summary ``bulletin edition --json`` prints."""
        dropped = [{"title": d.title, "url": d.url, "reason": d.reason} for d in self.dropped]
        if not self.published or self.build is None:
            return {"published": False, "reason": self.reason, "dropped": dropped,
                    "problems": list(self.problems)}
        return {
            **self.build.summary(),
            "published": True,
            "target": self.target,
            "short_by": round(self.short_by, 1),
            "stories": [{"title": s.title, "url": s.url, "sources": list(s.sources),
                         "seconds": round(s.seconds, 1), "sentences_read": s.sentences_read,
                         "sentences_total": s.sentences_total} for s in self.stories],
            "dropped": dropped,
            "problems": list(self.problems),
        }

    def lines(self) -> list[str]:
        """What ``bulletin edition`` prints: why nothing was published, or the MP3, each story
        read, what was left out, and the feed."""
        if not self.published or self.build is None:
            return [self.reason]
        built, *rest = self.build.lines()
        lines = [built]
        for story in self.stories:
            sources = len(story.sources)
            lines.append(f"  {duration_text(story.seconds):>5}  {story.title}  "
                         f"({story.sentences_read}/{story.sentences_total} sentences; "
                         f"{sources} source{'s' if sources != 1 else ''})")
        lines += [f"  left out: {dropped.title}: {dropped.reason}" for dropped in self.dropped]
        if self.short_by:
            lines.append(f"  short of the target by {duration_text(self.short_by)}: "
                         "not enough news")
        return [*lines, *rest]
