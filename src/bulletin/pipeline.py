"""The recipe: article → script → speech → mix → export (and the playout copy) → publish.

``build(sources, config)`` runs every stage once, in order, and returns a ``BuildResult``.
``edition(feeds, config)`` makes the bulletin from news feeds, written to time, and returns an
``EditionResult`` (the judgements it makes on the way are in ``editions``). Each is made of
halves that a job queue may run on different machines: what needs the site (``plan_edition``;
``release``, ``release_edition``) and the speech, which does not (``speak``, ``speak_edition``:
script to ``Programme``, an encoded MP3 ready to publish). ``push(config)`` sends
the site to ``[publish] remote`` and returns a ``PushResult``. Each collaborator
(engine, cache, runner, clock, fetcher) is a parameter with a default, so tests can swap one.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import sqlite3
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from . import audio
from .articles import Fetcher, read_articles, read_feeds, read_stories
from .articles.choose import choose_stories, item_key
from .config import Config
from .dates import utc_now
from .editions import (
    EditionResult,
    choosing,
    digest,
    local_time,
    nothing_new,
    speak_to_time,
    told_meanwhile,
)
from .errors import InputError
from .feed import FEED_FILE, describe
from .feed.editions import EditionMemory
from .feed.rss import feed_url
from .models import Clip, Episode, Mix, Planned, PlayoutInfo, Programme, Proof, Script
from .proof import find_episode, proof_audio, write_fixes
from .publish import check_rebuild, cover_image, edition_lock, gate, prepare_site, publish
from .publish.remote import PushResult, push_site, push_target
from .publish.websub import ping_hub
from .results import BuildResult
from .runner import DEFAULT_RUNNER, CommandRunner
from .script import build_script
from .tts import Engine, SegmentCache, get_engine, headlines_engine, synthesize_script

log = logging.getLogger(__name__)
RENDERS = "renders"  # the cache folder of encoded programmes an unchanged rebuild reuses
Clock = Callable[[], dt.datetime]
Progress = Callable[[int, int], None]  # (segments spoken, of how many)
Stage = Callable[[str], None]  # told the name of each later stage as it starts


def build(
    sources: Sequence[str],
    config: Config,
    *,
    script: Script | None = None,
    engine: Engine | None = None,
    headlines: Engine | None = None,
    cache: SegmentCache | None = None,
    runner: CommandRunner = DEFAULT_RUNNER,
    clock: Clock = utc_now,
    progress: Progress | None = None,
    stage: Stage = lambda name: None,
    rebuild_catalog: bool = False,
    replace: bool = False,
) -> BuildResult:
    """Build one bulletin from ``sources`` (or a ready ``script``) and publish it into the site.

    The site is checked first (writable, its catalog sound, no episode built from an edited script
    replaced unless ``replace``), so nothing is spoken for a build that could not be published;
    ``rebuild_catalog`` rebuilds a lost catalog from the feed.
    ``engine`` reads the stories, ``headlines`` the rest (default: ``[voice.headlines]``'s reader,
    when it is set).
    """
    prepare_site(config, rebuild_catalog)
    if config.playout.path:
        audio.check_destination(Path(config.playout.path))
    now = clock()
    script = script or build_script(read_articles(sources), config, now.date())
    check_rebuild(config, script, replace)
    with tempfile.TemporaryDirectory(prefix="bulletin-") as work:
        programme = speak(script, config, Path(work), now, engine=engine, headlines=headlines,
                          cache=cache, runner=runner, progress=progress, stage=stage)
        return release(programme, config, runner, stage, replace=replace)


def speak(script: Script, config: Config, work: Path, now: dt.datetime, *,
          engine: Engine | None = None, headlines: Engine | None = None,
          cache: SegmentCache | None = None, runner: CommandRunner = DEFAULT_RUNNER,
          progress: Progress | None = None, stage: Stage = lambda name: None) -> Programme:
    """A build's speech half, which needs no site: ``script`` spoken, mixed and encoded into
    ``work`` (see ``make``)."""
    engine = engine or get_engine(config.voice)
    headlines = headlines or headlines_engine(config.voice)
    cache = cache or SegmentCache(config.cache_root)
    clips = synthesize_script(script, engine, cache, progress, config.voice.workers, headlines)
    return make(script, clips, config, now, work, runner, stage)


def make(script: Script, clips: Sequence[Clip], config: Config, now: dt.datetime, work: Path,
         runner: CommandRunner = DEFAULT_RUNNER, stage: Stage = lambda name: None,
         fresh: int | None = None, target: float = 0.0) -> Programme:
    """Mix the spoken ``clips`` of ``script`` and encode them into ``work``, with the playout
    copy and the proof when asked for, and whether the review gate holds it. ``fresh``: how many
    segments were spoken afresh, when not as the clips say; ``target``: the seconds the programme
    is to last, its sign-off back-timed to end on them (0: as long as it is)."""
    stage("Mixing")
    the_mix = audio.mix(clips, script, config.audio, work, runner, target)
    mp3 = work / "episode.mp3"
    description = describe(script, the_mix)
    tags = audio.Tags(title=script.title, show=config.show.title, author=config.show.author,
                      date=script.date, description=description, duration=the_mix.duration,
                      cover=cover_image(config))
    stage("Encoding")
    level = audio.export(the_mix, mp3, tags, config.audio, runner, config.cache_root / RENDERS)
    playout = _playout(the_mix, script, config, now, runner, stage)
    proofed = _proof(mp3, the_mix, config, stage)
    synthesized = sum(1 for clip in clips if not clip.cached) if fresh is None else fresh
    return Programme(
        mp3=mp3, script=script, made_at=now, duration=the_mix.duration,
        chapters=the_mix.chapters, cues=the_mix.cues, description=description,
        loudness=level.integrated, true_peak=level.true_peak, segments=len(clips),
        synthesized=synthesized, playout=playout, proof=proofed,
        draft=proofed is not None and gate.held(proofed.wer, config))


def release(programme: Programme, config: Config, runner: CommandRunner = DEFAULT_RUNNER,
            stage: Stage = lambda name: None,
            also: Callable[[sqlite3.Connection, Episode], None] | None = None,
            replace: bool = False) -> BuildResult:
    """Publish ``programme`` into the site (a draft when the gate held it): the end of every
    build. ``also`` records more in the catalog as it is published; ``replace`` may replace an
    episode built from an edited script."""
    if programme.draft and programme.proof is not None:
        also = gate.holding(programme.proof.wer, programme.made_at, also)
    stage("Publishing")
    published = publish(programme, config, runner, also, replace)
    episode = published.episode
    return BuildResult(
        episode=episode, mp3=config.site / episode.audio_file, feed=config.site / "feed.xml",
        segments=programme.segments, synthesized=programme.synthesized,
        cached=programme.segments - programme.synthesized, loudness=programme.loudness,
        true_peak=programme.true_peak, playout=programme.playout,
        replaced=published.replaced, proof=programme.proof, draft=programme.draft,
    )


def _proof(mp3: Path, the_mix: Mix, config: Config, stage: Stage) -> Proof | None:
    """The build's proof by ear, unless ``[proof] mode`` is off (before it is published, so
    that the gate can hold it)."""
    if config.proof.mode == "off":
        return None
    stage("Proofing")
    return proof_audio(mp3, the_mix.cues, config)


def proof(config: Config, episode: str | None = None, suggest: bool = True,
          fix: bool = False) -> tuple[Episode, Proof, Path | None]:
    """Proof a published episode (a guid or MP3 path; the latest when None): with ``suggest``,
    respellings for its suspect words, and with ``fix`` those heard right written into the
    lexicon. Returns the episode, the proof and the lexicon written (if any)."""
    found = find_episode(config, episode)
    voice = functools.partial(get_engine, config.voice)  # loaded only if a word needs it
    proofed = proof_audio(config.site / found.audio_file, found.cues, config,
                          voice if suggest or fix else None)
    fixes = {s.word: s.suggestion for s in proofed.suspects if s.suggestion}
    written = write_fixes(fixes, config) if fix and fixes else None
    return found, proofed, written


def _playout(the_mix: Mix, script: Script, config: Config, now: dt.datetime,
             runner: CommandRunner, stage: Stage) -> Path | None:
    """Write the playout copy when ``[playout] path`` (or ``--playout``) names one: before the
    episode is published, so that an edition whose copy failed is made again next time."""
    if not config.playout.path:
        return None
    stage("Playout copy")
    path = Path(config.playout.path)
    info = PlayoutInfo(title=script.title, show=config.show.title,
                       made=local_time(now, config.show.timezone))
    audio.write_playout(the_mix, path, info, config.playout, runner)
    return path


def edition(
    feeds: Sequence[str],
    config: Config,
    *,
    engine: Engine | None = None,
    headlines: Engine | None = None,
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
    prepare_site(config)
    if config.playout.path:
        audio.check_destination(Path(config.playout.path))
    with edition_lock(config.site):
        planned = plan_edition(feeds, config, clock=clock, fetcher=fetcher, steps=steps)
        if isinstance(planned, EditionResult):
            return planned
        with tempfile.TemporaryDirectory(prefix="bulletin-") as work:
            programme, told = speak_edition(planned, config, Path(work), engine=engine,
                                            headlines=headlines, cache=cache, runner=runner,
                                            progress=progress, stage=stage)
            return release_edition(programme, told, planned, config, runner, stage)


def plan_edition(feeds: Sequence[str], config: Config, *, clock: Clock = utc_now,
                 fetcher: Fetcher | None = None,
                 steps: Callable[[str], Progress] = lambda name: lambda done, total: None,
                 ) -> Planned | EditionResult:
    """An edition's first half, in the site (whose memory says what was told before; hold its
    ``edition_lock``): the ``feeds`` (else ``[edition] feeds``) read, stories chosen and their
    pages read, as ``Planned``; or, when there is nothing new to tell, the ``EditionResult``
    saying why."""
    sources = list(feeds or config.edition.feeds)
    if not sources:
        raise InputError("no news feeds given: name them, or list them in bulletin.toml's "
                         "[edition] feeds")
    fetching = {} if fetcher is None else {"fetcher": fetcher}
    now = clock()
    memory = EditionMemory(config.site)
    news = read_feeds(sources, memory.feeds(), progress=steps("Feeds"), **fetching)
    seen, last = memory.note(news.state, [item_key(item) for item in news.items], now)
    candidates, dropped = choose_stories(news.items, **choosing(config.edition, now, seen))
    read, unread = read_stories(candidates, progress=steps("Pages"), **fetching)
    told = frozenset((item_key(candidate.item), digest(article)) for candidate, article in read)
    why = nothing_new(read, candidates, told, last, config)
    if why:
        return EditionResult(published=False, reason=why, problems=news.problems,
                             dropped=(*unread, *dropped))
    return Planned(made_at=now, read=tuple(read), told=told, dropped=(*unread, *dropped),
                   problems=tuple(news.problems))


def speak_edition(planned: Planned, config: Config, work: Path, *,
                  engine: Engine | None = None, headlines: Engine | None = None,
                  cache: SegmentCache | None = None, runner: CommandRunner = DEFAULT_RUNNER,
                  progress: Progress | None = None, stage: Stage = lambda name: None,
                  ) -> tuple[Programme, EditionResult]:
    """An edition's speech, which needs no site: the stories ``planned`` written to time,
    spoken, mixed and encoded into ``work``; with what the edition will report once published."""
    now = planned.made_at
    spoken = speak_to_time(planned.read, config, now, engine or get_engine(config.voice),
                           cache or SegmentCache(config.cache_root), runner, progress,
                           headlines or headlines_engine(config.voice))
    programme = make(spoken.script, spoken.clips, config, now, work, runner, stage,
                     spoken.fresh, target=config.edition.duration if spoken.fit else 0.0)
    return programme, spoken.result(programme.chapters, config, planned.dropped,
                                    planned.problems)


def release_edition(programme: Programme, told: EditionResult, planned: Planned, config: Config,
                    runner: CommandRunner = DEFAULT_RUNNER,
                    stage: Stage = lambda name: None) -> EditionResult:
    """Publish an edition's ``programme``, noting in the site's memory what it told; nothing
    when another edition told all it tells while it was spoken (a race the queue allows)."""
    memory = EditionMemory(config.site)
    why = told_meanwhile(planned.told, memory.last(), planned.made_at, config)
    if why:
        return replace(told, published=False, reason=why, stories=())
    built = release(programme, config, runner, stage,
                    also=memory.recorder(planned.made_at, planned.told))
    return replace(told, build=built)


def push(config: Config, *, runner: CommandRunner = DEFAULT_RUNNER, dry_run: bool = False,
         progress: Progress | None = None) -> PushResult:
    """Push the site to ``[publish] remote`` (``--to``, ``$BULLETIN_REMOTE``): media, pages, the
    feed, then deletions; ``progress`` is told (files done, of how many). An ``InputError`` when
    no remote is set. When the feed changed and ``[publish] websub_hub`` is set, the hub is told
    (a hub that cannot be told is a warning: the push itself succeeded)."""
    result = push_site(config.site, push_target(config), config, runner=runner, dry_run=dry_run,
                       progress=progress)
    hub = config.publish.websub_hub
    if hub and not dry_run and FEED_FILE in result.uploaded:  # the feed changed: tell the hub
        problem = ping_hub(hub, feed_url(config.show))
        if problem:
            log.warning("warning: %s", problem)
        else:
            result = replace(result, hub=hub)
    return result


def push_after(config: Config, published: bool,
               progress: Progress | None = None) -> PushResult | None:
    """The push a build or an edition asked for (``--push``) once it is done: when it published,
    or when the site already has a feed even though nothing new was published (so a push that
    failed before catches up); None when there is nothing to push."""
    if not published and not (config.site / FEED_FILE).is_file():
        return None
    return push(config, progress=progress)
