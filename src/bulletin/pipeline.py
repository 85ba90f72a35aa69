"""The recipe: article → script → speech → mix → export → publish.

``build(sources, config)`` runs every stage once, in order, and returns a ``BuildResult``. Each
collaborator (engine, cache, runner, clock) is a parameter with a default, so tests can swap one.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from . import audio
from .articles import Fetcher, read_articles, read_feeds, read_stories
from .articles.choose import choose_stories, item_key
from .config import Config
from .dates import utc_now
from .editions import EditionResult, StoryRead, digest, local_time, story_seconds
from .errors import InputError
from .feed import Catalog, describe
from .feed.editions import (
    EditionRecord,
    feed_states,
    first_seen,
    last_edition,
    record_edition,
    save_feed_states,
)
from .models import Article, Candidate, Chapter, Clip, Dropped, Episode, Script
from .publish import edition_lock, prepare_site, publish
from .runner import DEFAULT_RUNNER, CommandRunner
from .script import Fit, build_script, edition_planner, fit_to_time, split_sentences
from .templating import render
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
    cache = cache or SegmentCache(config.cache_root)
    clips = synthesize_script(script, engine, cache, progress, config.voice.workers)
    return produce(script, clips, config, now, runner, stage)


def produce(script: Script, clips: Sequence[Clip], config: Config, now: dt.datetime,
            runner: CommandRunner = DEFAULT_RUNNER, stage: Stage = lambda name: None,
            fresh: int | None = None,
            also: Callable[[sqlite3.Connection, Episode], None] | None = None) -> BuildResult:
    """Mix the spoken ``clips`` of ``script``, encode and publish them (the end of every build).
    ``fresh``: how many segments were spoken afresh, when not as the clips say; ``also`` records
    more in the catalog as the episode is published."""
    with tempfile.TemporaryDirectory(prefix="bulletin-") as work:
        stage("Mixing")
        the_mix = audio.mix(clips, script, config.audio, Path(work), runner)
        mp3 = Path(work) / "episode.mp3"
        description = describe(script, the_mix)
        tags = audio.Tags(title=script.title, show=config.show.title, author=config.show.author,
                          date=script.date, description=description, duration=the_mix.duration)
        stage("Encoding")
        level = audio.export(the_mix, mp3, tags, config.audio, runner,
                             config.cache_root / RENDERS)
        stage("Publishing")
        episode = publish(mp3, script, the_mix, description, config, now, runner, also)
    synthesized = sum(1 for clip in clips if not clip.cached) if fresh is None else fresh
    return BuildResult(
        episode=episode, mp3=config.site / episode.audio_file, feed=config.site / "feed.xml",
        segments=len(clips), synthesized=synthesized, cached=len(clips) - synthesized,
        loudness=level.integrated, true_peak=level.true_peak,
    )


def edition(
    feeds: Sequence[str],
    config: Config,
    *,
    engine: Engine | None = None,
    cache: SegmentCache | None = None,
    runner: CommandRunner = DEFAULT_RUNNER,
    clock: Clock = utc_now,
    fetcher: Fetcher | None = None,
    progress: Progress | None = None,
    steps: Callable[[str], Progress] = lambda name: lambda done, total: None,
    stage: Stage = lambda name: None,
) -> EditionResult:
    """Make one edition from the news ``feeds`` (else ``[edition] feeds``), to time, and publish it.

    Feeds → stories chosen → their pages read → nothing new since the last edition? stop → speech
    fitted to the target → mix, encode, publish (noting what was read). Editions of one site take
    turns; each collaborator is a parameter with a default, as in ``build``.
    """
    sources = list(feeds or config.edition.feeds)
    if not sources:
        raise InputError("no news feeds given: name them, or list them in bulletin.toml's "
                         "[edition] feeds")
    prepare_site(config)
    with edition_lock(config.site):
        now = clock()
        catalog = Catalog(config.site)
        with catalog.transaction() as db:
            remembered = feed_states(db)
        news = read_feeds(sources, remembered, progress=steps("Feeds"), **_given(fetcher))
        items = [item for feed in news.feeds for item in feed.items]
        with catalog.transaction() as db:
            save_feed_states(db, news.state, now)
            seen = first_seen(db, [item_key(item) for item in items], now)
            last = last_edition(db)
        candidates, dropped = choose_stories(
            items, now=now, max_age=dt.timedelta(seconds=config.edition.max_age),
            count=config.edition.stories, weights=dict(config.edition.weights),
            first_seen=seen)
        read, unread = read_stories(candidates, progress=steps("Pages"), **_given(fetcher))
        dropped = [*unread, *dropped]
        if not read:
            return EditionResult(published=False, problems=news.problems, dropped=tuple(dropped),
                                 reason=_nothing_to_read(candidates, config))
        told = frozenset((item_key(c.item), digest(a)) for c, a in read)
        if last is not None and told <= last.stories:
            since = local_time(last.made_at, config.show.timezone).strftime("%H:%M")
            return EditionResult(published=False, reason=f"no new stories since {since}",
                                 problems=news.problems)
        script, clips, fit, fresh = _speak_to_time(
            [article for _, article in read], config, local_time(now, config.show.timezone),
            engine or get_engine(config.voice), cache or SegmentCache(config.cache_root),
            runner, progress)
        record = EditionRecord(guid="", made_at=now, stories=told)
        result = produce(script, clips, config, now, runner, stage, fresh, also=lambda db, ep:
                         record_edition(db, replace(record, guid=ep.guid)))
    return EditionResult(
        published=True, build=result, target=config.edition.duration,
        stories=_stories_read(script, read, fit, result.episode.chapters),
        dropped=tuple([*dropped, *(_cut(c, a) for c, a in read[len(script.stories):])]),
        short_by=fit.short_by if fit else 0.0, problems=news.problems)


def _given(fetcher: Fetcher | None) -> dict[str, Fetcher]:
    return {} if fetcher is None else {"fetcher": fetcher}


def _speak_to_time(articles: list[Article], config: Config, when: dt.datetime, engine: Engine,
                   cache: SegmentCache, runner: CommandRunner, progress: Progress | None,
                   ) -> tuple[Script, tuple[Clip, ...], Fit | None, int]:
    """The edition's script, written to ``[edition] duration`` when it has one, and its speech;
    also the fit, and how many segments of the final script were spoken afresh."""
    title = render("edition-title.txt.j2", config.script.templates, show=config.show.title,
                   time=when).strip()
    plan = edition_planner(config, when, title, f"edition|{when.isoformat()}")
    fresh: set[str] = set()

    def speak(script: Script) -> tuple[Clip, ...]:
        clips = synthesize_script(script, engine, cache, progress, config.voice.workers)
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
    return script, clips, fit, sum(1 for clip in clips if clip.segment.spoken in fresh)


def _stories_read(script: Script, read: Sequence[tuple[Candidate, Article]], fit: Fit | None,
                  chapters: Sequence[Chapter]) -> tuple[StoryRead, ...]:
    stories = []
    for number, (story, (candidate, article)) in enumerate(zip(script.stories, read,
                                                              strict=False)):
        total = sum(len(split_sentences(p)) for p in article.paragraphs)
        done = fit.read[number][0] if fit else total
        stories.append(StoryRead(title=story.title, url=article.url or candidate.item.link,
                                 sources=candidate.sources, seconds=story_seconds(story, chapters),
                                 sentences_read=done, sentences_total=total))
    return tuple(stories)


def _cut(candidate: Candidate, article: Article) -> Dropped:
    return Dropped(title=article.title, url=article.url or candidate.item.link,
                   reason="no time left in the edition")


def _nothing_to_read(candidates: Sequence[Candidate], config: Config) -> str:
    if candidates:
        return "no story in the feeds could be read"
    return f"no stories in the feeds newer than {config.edition.max_age / 3600:g} h"
