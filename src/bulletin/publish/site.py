"""Publish an episode into the site folder, and take episodes out of it.

``prepare_site(config, rebuild_catalog)`` checks, before anything is spoken, that the site can be
written and that its catalog is sound (rebuilding a lost one from the feed when asked).
``publish(programme, config)`` → ``Published``: the ``Episode`` as published (its MP3, WebVTT and
SRT transcripts and JSON chapters in ``episodes/``, its catalog entry, and ``feed.xml`` and
``index.html`` rendered from the catalog) and the one of the same guid it replaced, as it was; an
episode built from an edited script is replaced only when asked (``rebuilds``; ``check_rebuild``
asks before anything is spoken). ``remove_episode(config, guid)`` → the removed ``Episode``. Every
file is written atomically. The new audio must last as long as its chapters say before anything is
replaced. Each catalog change is one exclusive transaction, made while holding the site's lock; the
feed and page are renamed into place just before it commits and put back if the commit fails, so
concurrent builds queue instead of losing an episode, a full disk publishes nothing (and leaves no
new audio behind), and a build killed at any moment leaves the previous feed, page and catalog
whole. Audio a rebuild replaced stays for ``[show] replaced_grace_hours`` (listeners may be
streaming it); retired and removed episodes' files go once the catalog commits; files a killed build
left behind are swept once they are an hour old; a file the feed lists is never swept.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import sqlite3
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..errors import InputError, ToolError
from ..feed import (
    EPISODES_DIR,
    FEED_FILE,
    INDEX_FILE,
    Catalog,
    EpisodeFiles,
    SiteSettings,
    chapters_json,
    srt,
    webvtt,
)
from ..feed.artwork import artwork_problems
from ..feed.drafts import drafts
from ..feed.recover import listed_files
from ..feed.rss import feed_url, is_local, podcast_guid
from ..feed.text import clean_text, one_line, web_address
from ..ffmpeg import probe_seconds
from ..fileio import atomic_copy, atomic_write_bytes, atomic_write_text
from ..models import Chapter, Cue, Episode, Programme, Script
from ..runner import DEFAULT_RUNNER, CommandRunner
from . import safety
from .cover import make_cover
from .rebuilds import check_replace, replaceable
from .render import render_site
from .safety import (
    catalog_guard,
    check_writable,
    delete,
    files_of,
    replacing,
    site_lock,
    sweep,
    write_errors,
)

COVER_FILE = "cover.png"
AUDIO_TOLERANCE = 1.0  # seconds the encoded audio may differ from the length its chapters give


def slugify(text: str, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "bulletin"


@dataclass(frozen=True)
class Published:
    """An episode as published, and the one of the same guid it replaced (as it was), if any."""

    episode: Episode
    replaced: Episode | None = None


def episode_guid(script: Script) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"bulletin:{script.guid_key}"))


def check_rebuild(config: Config, script: Script, replace: bool = False) -> None:
    """Before a build speaks: an ``InputError`` when publishing ``script`` would replace an
    episode built from an edited script and ``replace`` is not given."""
    check_replace(config.site, episode_guid(script), replace)


def _check_configured_image(config: Config) -> None:
    image = config.show.image
    if not image or "://" in image:
        return
    try:
        data = Path(image).read_bytes()
    except OSError as exc:
        raise InputError(f"{image}: cannot read the cover art ({exc.strerror})") from None
    problems = artwork_problems(data)
    if problems:
        raise InputError(f"{image}: unusable as cover art: {'; '.join(problems)}")


def cover_path(config: Config) -> str:
    """The cover art's site path or URL; generated into the site when none is configured."""
    image = config.show.image
    if image and "://" in image:
        return image
    site = config.site
    if image:
        source = Path(image)
        target = site / f"cover{source.suffix.lower()}"
        if not target.exists() or target.read_bytes() != source.read_bytes():
            atomic_copy(source, target)
        return target.name
    target = site / COVER_FILE
    marker = site / ".cover-title"
    if not target.exists() or not marker.exists() or marker.read_text() != config.show.title:
        atomic_write_bytes(target, make_cover(config.show.title))
        atomic_write_text(marker, config.show.title)
    return COVER_FILE


def cover_image(config: Config) -> bytes | None:
    """The cover art's bytes, for the MP3 to embed: the configured image file, else the cover made
    for the show (the site's own when it is made already). None for a cover given as a URL, or a
    file that cannot be read (publishing names what is wrong with it)."""
    image = config.show.image
    if image:
        if "://" in image:
            return None
        try:
            return Path(image).read_bytes()
        except OSError:
            return None
    try:
        if (config.site / ".cover-title").read_text() == config.show.title:
            return (config.site / COVER_FILE).read_bytes()
    except OSError:
        pass  # not made yet
    return make_cover(config.show.title)


def _settings(catalog: Catalog, db: sqlite3.Connection, config: Config,
              image: str) -> SiteSettings:
    """This build's settings. The podcast:guid is assigned once the feed has a public URL (a
    localhost URL names no podcast in the world) and kept from then on."""
    guid = catalog.podcast_guid(db)
    if not guid and not is_local(config.show.base_url):
        guid = podcast_guid(feed_url(config.show))
    return SiteSettings(show=config.show, image=image, podcast_guid=guid,
                        hub=config.publish.websub_hub)


def site_files(episodes: Sequence[Episode], settings: SiteSettings) -> dict[str, str]:
    """``feed.xml`` and ``index.html`` rendered from the catalog, by site path."""
    files = render_site(episodes, settings)
    return {FEED_FILE: files.feed, INDEX_FILE: files.index}


def _clean_episode(episode: Episode) -> Episode:
    return dataclasses.replace(
        episode, title=one_line(episode.title), description=clean_text(episode.description),
        chapters=tuple(Chapter(one_line(c.title), c.start, c.end, web_address(c.url))
                       for c in episode.chapters),
        cues=tuple(Cue(one_line(c.text), c.start, c.end) for c in episode.cues))


def write_companions(site: Path, episode: Episode, show_title: str, author: str) -> None:
    """The episode's transcripts (WebVTT, SRT) and JSON chapters beside its MP3."""
    files = EpisodeFiles.of(episode.audio_file)
    atomic_write_text(site / files.vtt, webvtt(episode.cues))
    atomic_write_text(site / files.srt, srt(episode.cues))
    atomic_write_text(site / files.chapters, chapters_json(
        episode.chapters, title=episode.title, podcast=show_title, author=author,
        file_name=Path(files.audio).name))


def check_length(programme: Programme, runner: CommandRunner = DEFAULT_RUNNER) -> None:
    """A ``ToolError`` unless its MP3 plays as long as its chapters (or the mix) say: a mix gone
    wrong (a bad setting) must not replace a good episode."""

    expected = max((c.end for c in programme.chapters), default=programme.duration)
    mp3 = programme.mp3
    actual = probe_seconds(mp3, runner)
    if abs(actual - expected) > AUDIO_TOLERANCE:
        raise ToolError(f"{mp3.name}: the new audio lasts {actual:.1f} s but its chapters end at "
                        f"{expected:.1f} s; check the [audio] settings; nothing was published")


def prepare_site(config: Config, rebuild_catalog: bool = False) -> None:
    """Before a build speaks anything: an ``InputError`` when the site is read-only, or its
    catalog unreadable, or missing or empty while the site has a feed or episodes. With
    ``rebuild_catalog``, such a catalog is first rebuilt from the feed and the episode files."""
    site = config.site
    check_writable(site)
    if not site.is_dir():
        return
    if rebuild_catalog:
        with site_lock(site), write_errors(site):
            safety.rebuild_catalog(site)
    catalog_guard(site)


def _copy_in(mp3: Path, site: Path, episode: Episode, config: Config,
             created: list[Path]) -> None:
    """The MP3 and its companions into ``episodes/``; ``created`` gains each file that is new."""
    names = EpisodeFiles.of(episode.audio_file)
    created.extend(site / name for name in names.all if not (site / name).exists())
    atomic_copy(mp3, site / names.audio)
    write_companions(site, episode, config.show.title, config.show.author)


def _grace(config: Config) -> dt.timedelta:
    return dt.timedelta(hours=max(0.0, config.show.replaced_grace_hours))


def _commit_site(site: Path, catalog: Catalog, db: sqlite3.Connection,
                 settings: SiteSettings) -> tuple[list[Episode], set[str], set[str]]:
    """Render the feed and page from the catalog, put them in place and commit; the old ones come
    back if the commit fails. Returns the episodes, what the feed listed before, and the files
    that must stay (the episodes', replaced audio still in its grace period)."""
    episodes = catalog.episodes(db)
    keep = files_of([e.audio_file for e in episodes]) | files_of(catalog.replaced(db))
    before = listed_files(site)
    held = drafts(catalog, db)  # in the catalog, their files kept, but not in the feed or page
    shown = [e for e in episodes if e.guid not in held]
    with replacing(site, site_files(shown, settings)):
        catalog.commit(db)
    return episodes, before if before is not None else set(), keep


def _tidy(site: Path, gone: list[str], keep: set[str], listed_before: set[str]) -> None:
    """After a commit: delete the files of ``gone`` audio, then leftovers of killed builds;
    nothing that ``keep`` names, and nothing the feed lists."""
    listed = listed_files(site)
    if listed is None:
        return  # the feed cannot be read: delete nothing rather than something it lists
    delete(site, gone, keep | listed)
    sweep(site, keep | listed | listed_before)


def publish(programme: Programme, config: Config, runner: CommandRunner = DEFAULT_RUNNER,
            also: Callable[[sqlite3.Connection, Episode], None] | None = None,
            replace: bool = False) -> Published:
    """Put ``programme``'s MP3 and its companions into the site and the catalog, dated when it
    was made; re-render feed and page.
    ``also(db, episode)`` records more in the catalog, in the transaction that publishes;
    ``replace`` lets it replace an episode built from an edited script."""
    _check_configured_image(config)
    check_length(programme, runner)
    mp3, script, when = programme.mp3, programme.script, programme.made_at
    site = config.site
    check_writable(site)
    with write_errors(site):
        site.mkdir(parents=True, exist_ok=True)
        with site_lock(site):  # the catalog exists before any episode file does
            catalog_guard(site)
            catalog = Catalog(site)
    digest = hashlib.sha256(mp3.read_bytes()).hexdigest()[:10]
    relative = f"{EPISODES_DIR}/{script.date.isoformat()}-{slugify(script.title)}-{digest}.mp3"
    episode = _clean_episode(Episode(
        guid=episode_guid(script), title=script.title, description=programme.description,
        pub_date=when, audio_file=relative, length=mp3.stat().st_size,
        duration=programme.duration, chapters=programme.chapters, cues=programme.cues,
    ))
    created: list[Path] = []
    try:
        with write_errors(site):
            _copy_in(mp3, site, episode, config, created)
            image = cover_path(config)
            with site_lock(site), catalog.transaction() as db:
                if catalog.is_empty(db):  # as it was checked, unless it was lost meanwhile
                    catalog_guard(site)
                before = replaceable(catalog, db, episode.guid, replace)
                episode, replaced = catalog.upsert(db, episode)
                catalog.note_edited(db, episode.guid, script.edited, when)
                if also is not None:
                    also(db, episode)
                if replaced:
                    catalog.keep_replaced(db, replaced, when)
                retired = catalog.retire(db, config.show.keep_episodes)
                due = catalog.replaced_due(db, when - _grace(config))
                settings = _settings(catalog, db, config, image)
                catalog.save_settings(db, settings)
                _, listed_before, keep = _commit_site(site, catalog, db, settings)
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        raise
    _tidy(site, [e.audio_file for e in retired] + due, keep, listed_before)
    return Published(episode, before)


def change_site(config: Config, change: Callable[[Catalog, sqlite3.Connection],
                                                 tuple[Episode, list[str]]],
                now: dt.datetime | None = None) -> Episode:
    """Make one ``change`` to a published site's catalog (it returns the episode it changed and
    the audio files no longer needed), then render the feed and page again and tidy the files,
    under the site's lock; ``now`` (default: the clock) also ends the grace period of audio
    replaced long enough ago. What removing, approving and rejecting an episode share."""
    site = config.site
    now = now or dt.datetime.now(dt.UTC)
    catalog = Catalog(site, create=False)
    check_writable(site)
    with write_errors(site), site_lock(site), catalog.transaction() as db:
        episode, gone = change(catalog, db)
        due = catalog.replaced_due(db, now - _grace(config))
        settings = catalog.settings(db) or SiteSettings(show=config.show, image=COVER_FILE)
        _, listed_before, keep = _commit_site(site, catalog, db, settings)
    _tidy(site, [*gone, *due], keep, listed_before)
    return episode


def remove_episode(config: Config, guid: str, now: dt.datetime | None = None) -> Episode:
    """Take the episode whose guid is (or starts with) ``guid`` out of the site, files and all."""
    def remove(catalog: Catalog, db: sqlite3.Connection) -> tuple[Episode, list[str]]:
        episode = catalog.find(db, guid)
        catalog.remove(db, episode.guid)
        return episode, [episode.audio_file]
    return change_site(config, remove, now)


def list_episodes(site: Path) -> list[Episode]:
    """The site's episodes, newest first (an error when the site has no catalog)."""
    return Catalog(site, create=False).episodes()
