"""The recipe: article → script → speech → mix → export → publish.

``build(sources, config)`` runs every stage once, in order, and returns a ``BuildResult``. Each
collaborator (engine, cache, runner, clock) is a parameter with a default, so tests can swap one.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import audio
from .articles import read_articles
from .config import Config
from .dates import utc_now
from .feed import describe
from .models import Episode, Script
from .publish import prepare_site, publish
from .runner import DEFAULT_RUNNER, CommandRunner
from .script import build_script
from .tts import Engine, SegmentCache, get_engine, synthesize_script

RENDERS = "renders"  # the cache folder of encoded programmes an unchanged rebuild reuses
Clock = Callable[[], dt.datetime]
Progress = Callable[[int, int], None]  # (segments spoken, of how many)
Stage = Callable[[str], None]  # told the name of each later stage as it starts


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
        }


def build(
    sources: Sequence[str],
    config: Config,
    *,
    script: Script | None = None,
    engine: Engine | None = None,
    cache: SegmentCache | None = None,
    runner: CommandRunner = DEFAULT_RUNNER,
    clock: Clock = utc_now,
    progress: Progress | None = None,
    stage: Stage = lambda name: None,
    rebuild_catalog: bool = False,
) -> BuildResult:
    """Build one bulletin from ``sources`` (or a ready ``script``) and publish it into the site.

    The site is checked first (writable, its catalog sound), so nothing is spoken for a build
    that could not be published; ``rebuild_catalog`` rebuilds a lost catalog from the feed.
    """
    prepare_site(config, rebuild_catalog)
    now = clock()
    script = script or build_script(read_articles(sources), config, now.date())
    engine = engine or get_engine(config.voice)
    root = config.cache_root  # spoken segments, prepared voices and encoded programmes
    cache = cache or SegmentCache(root)
    clips = synthesize_script(script, engine, cache, progress, config.voice.workers)
    with tempfile.TemporaryDirectory(prefix="bulletin-") as work:
        stage("Mixing")
        the_mix = audio.mix(clips, script, config.audio, Path(work), runner)
        mp3 = Path(work) / "episode.mp3"
        description = describe(script, the_mix)
        tags = audio.Tags(title=script.title, show=config.show.title, author=config.show.author,
                          date=script.date, description=description, duration=the_mix.duration)
        stage("Encoding")
        level = audio.export(the_mix, mp3, tags, config.audio, runner, root / RENDERS)
        stage("Publishing")
        episode = publish(mp3, script, the_mix, description, config, now, runner)
    cached = sum(1 for clip in clips if clip.cached)
    return BuildResult(
        episode=episode, mp3=config.site / episode.audio_file, feed=config.site / "feed.xml",
        segments=len(clips), synthesized=len(clips) - cached, cached=cached,
        loudness=level.integrated, true_peak=level.true_peak,
    )
