"""What a build reports: ``BuildResult``, its episode and how it was made, as ``bulletin build``
prints it (``lines``) and as its ``--json`` (``summary``). An edition's report (``editions``)
holds one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .feed.text import duration_text
from .models import Episode, Proof
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
