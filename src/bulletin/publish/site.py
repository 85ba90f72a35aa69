"""Publish an episode into the site folder, and take episodes out of it.

``publish(mp3, script, mix, description, config, when)`` → the ``Episode`` as published: its MP3,
WebVTT and SRT transcripts and JSON chapters in ``episodes/``, its catalog entry, and ``feed.xml``
and ``index.html`` rendered from the catalog. ``remove_episode(config, guid)`` → the removed
``Episode``. Every file is written atomically; each catalog change is one exclusive transaction and
the feed and page are renamed into place inside it, so concurrent builds queue instead of losing an
episode, and a build killed at any moment leaves the previous feed, page and catalog whole. Files
that leave the catalog (replaced, retired or removed episodes) are deleted only after it commits,
and files a killed build left behind are swept once they are an hour old.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import sqlite3
import time
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..config import Config
from ..errors import InputError
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
from ..feed.rss import DESCRIPTION_LIMIT, description_html, feed_url, is_local, podcast_guid
from ..feed.text import clean_text, clock, one_line
from ..fileio import atomic_copy, atomic_write_bytes, atomic_write_text
from ..models import Chapter, Cue, Episode, Mix, Script
from ..templating import render
from .cover import make_cover
from .render import render_site

COVER_FILE = "cover.png"
STALE_TEMP_SECONDS = 3600  # an unused file this old is left over from a build that was killed


def slugify(text: str, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "bulletin"


def episode_guid(script: Script) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"bulletin:{script.guid_key}"))


def _fits(text: str) -> bool:
    return (len(text.encode("utf-8")) <= DESCRIPTION_LIMIT
            and len(description_html(text).encode("utf-8")) <= DESCRIPTION_LIMIT)


def _shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` UTF-8 bytes, with an ellipsis."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    cut = data[:max(0, limit - 3)].decode("utf-8", "ignore")
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip() + "..."


def describe(script: Script, the_mix: Mix) -> str:
    """The episode description: the lead paragraph and the stories with their start times.

    It stays within 4000 bytes (as plain text and as the HTML the feed also carries); the lead is
    shortened first so the list of stories survives, then the list itself if it alone is too long.
    """
    bodies = [s for s in script.stories[0].segments if s.kind == "body"] if script.stories else []
    summary = one_line(bodies[0].text if bodies else script.title)
    chapters = [{"time": clock(c.start), "title": one_line(c.title)} for c in the_mix.chapters]

    def text_with(lead: str, listed: Sequence[dict[str, str]]) -> str:
        return clean_text(render("description.txt.j2", "", summary=lead, chapters=listed,
                                 stories=script.stories)).strip()

    text = text_with(summary, chapters)
    limit = len(summary.encode("utf-8"))
    while not _fits(text) and limit > 0:
        limit = max(0, limit - max(40, (len(text.encode("utf-8")) - DESCRIPTION_LIMIT)))
        text = text_with(_shorten(summary, limit) if limit else "", chapters)
    while not _fits(text) and chapters:
        chapters = chapters[:-1]
        text = text_with("", chapters)
    return text if _fits(text) else _shorten(text, DESCRIPTION_LIMIT // 2)


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


def _sweep(site: Path, episodes: Sequence[Episode]) -> None:
    """Delete what killed builds left behind: temp files, and episode files no episode uses.

    Only files over an hour old go, so a build still running (whose files are seconds old and not
    yet in the catalog) loses nothing.
    """
    cutoff = time.time() - STALE_TEMP_SECONDS
    in_use = {path for e in episodes for path in EpisodeFiles.of(e.audio_file).all}
    candidates = [*site.glob(".*.tmp"), *(site / EPISODES_DIR).glob("*")]
    for path in candidates:
        relative = path.relative_to(site).as_posix()
        if relative in in_use or not (path.name.endswith(".tmp") or path.suffix in
                                      (".mp3", ".vtt", ".srt", ".json")):
            continue
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue


def _settings(catalog: Catalog, db: sqlite3.Connection, config: Config,
              image: str) -> SiteSettings:
    """This build's settings. The podcast:guid is assigned once the feed has a public URL (a
    localhost URL names no podcast in the world) and kept from then on."""
    stored = catalog.settings(db)
    guid = stored.podcast_guid if stored else ""
    if not guid and not is_local(config.show.base_url):
        guid = podcast_guid(feed_url(config.show))
    return SiteSettings(show=config.show, image=image, podcast_guid=guid)


def write_site(site: Path, episodes: Sequence[Episode], settings: SiteSettings) -> None:
    """Render ``feed.xml`` and ``index.html`` from the catalog and rename each into place."""
    files = render_site(episodes, settings)
    atomic_write_text(site / FEED_FILE, files.feed)
    atomic_write_text(site / INDEX_FILE, files.index)


def _delete_files(site: Path, gone: Iterable[Episode], kept: Sequence[Episode]) -> None:
    in_use = {path for e in kept for path in EpisodeFiles.of(e.audio_file).all}
    for episode in gone:
        for path in EpisodeFiles.of(episode.audio_file).all:
            if path not in in_use:
                (site / path).unlink(missing_ok=True)


def _clean_episode(episode: Episode) -> Episode:
    return dataclasses.replace(
        episode, title=one_line(episode.title), description=clean_text(episode.description),
        chapters=tuple(Chapter(one_line(c.title), c.start, c.end) for c in episode.chapters),
        cues=tuple(Cue(one_line(c.text), c.start, c.end) for c in episode.cues))


def write_companions(site: Path, episode: Episode, show_title: str, author: str) -> None:
    """The episode's transcripts (WebVTT, SRT) and JSON chapters beside its MP3."""
    files = EpisodeFiles.of(episode.audio_file)
    atomic_write_text(site / files.vtt, webvtt(episode.cues))
    atomic_write_text(site / files.srt, srt(episode.cues))
    atomic_write_text(site / files.chapters, chapters_json(
        episode.chapters, title=episode.title, podcast=show_title, author=author,
        file_name=Path(files.audio).name))


def publish(mp3: Path, script: Script, the_mix: Mix, description: str, config: Config,
            when: dt.datetime) -> Episode:
    """Put ``mp3`` and its companions into the site and the catalog; re-render feed and page."""
    _check_configured_image(config)
    site = config.site
    digest = hashlib.sha256(mp3.read_bytes()).hexdigest()[:10]
    relative = f"{EPISODES_DIR}/{script.date.isoformat()}-{slugify(script.title)}-{digest}.mp3"
    atomic_copy(mp3, site / relative)
    episode = _clean_episode(Episode(
        guid=episode_guid(script), title=script.title, description=description,
        pub_date=when, audio_file=relative, length=(site / relative).stat().st_size,
        duration=the_mix.duration, chapters=the_mix.chapters, cues=the_mix.cues,
    ))
    write_companions(site, episode, config.show.title, config.show.author)
    image = cover_path(config)
    catalog = Catalog(site)
    with catalog.transaction() as db:
        episode, replaced = catalog.upsert(db, episode)
        retired = catalog.retire(db, config.show.keep_episodes)
        settings = _settings(catalog, db, config, image)
        catalog.save_settings(db, settings)
        episodes = catalog.episodes(db)
        write_site(site, episodes, settings)
    gone = list(retired)
    if replaced:
        gone.append(dataclasses.replace(episode, audio_file=replaced))
    _delete_files(site, gone, episodes)
    _sweep(site, episodes)
    return episode


def remove_episode(config: Config, guid: str) -> Episode:
    """Take the episode whose guid is (or starts with) ``guid`` out of the site, files and all."""
    site = config.site
    catalog = Catalog(site, create=False)
    with catalog.transaction() as db:
        episode = catalog.find(db, guid)
        catalog.remove(db, episode.guid)
        settings = catalog.settings(db) or SiteSettings(show=config.show, image=COVER_FILE)
        episodes = catalog.episodes(db)
        write_site(site, episodes, settings)
    _delete_files(site, [episode], episodes)
    _sweep(site, episodes)
    return episode


def list_episodes(site: Path) -> list[Episode]:
    """The site's episodes, newest first (an error when the site has no catalog)."""
    return Catalog(site, create=False).episodes()
