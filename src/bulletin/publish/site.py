"""Publish an episode into the site folder: its MP3, the catalog entry, the feed.

In: the exported MP3 (anywhere), the ``Script`` and ``Mix`` it came from, its description, the
``Config`` and the publication time. Out: the ``Episode`` as published. Every file is written atomically; the catalog
change is one transaction, and the feed is rendered from the catalog inside it, so a build killed
at any moment leaves the previous feed and catalog whole.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
import uuid
from pathlib import Path

from ..config import Config
from ..feed import FEED_FILE, Catalog, render_feed
from ..fileio import atomic_copy, atomic_write_bytes, atomic_write_text
from ..models import Episode, Mix, Script
from ..templating import render
from .cover import make_cover

EPISODES_DIR = "episodes"
COVER_FILE = "cover.png"
DESCRIPTION_LIMIT = 4000  # bytes: what Apple Podcasts shows


def slugify(text: str, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "bulletin"


def episode_guid(script: Script) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"bulletin:{script.guid_key}"))


def _clock(seconds: float) -> str:
    total = int(round(seconds))
    return f"{total // 60:02d}:{total % 60:02d}" if total < 3600 else \
        f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def describe(script: Script, the_mix: Mix) -> str:
    """The episode description: the lead paragraph and the stories with their start times."""
    bodies = [s for s in script.stories[0].segments if s.kind == "body"] if script.stories else []
    summary = bodies[0].text if bodies else script.title
    chapters = [{"time": _clock(c.start), "title": c.title} for c in the_mix.chapters]
    text = render("description.txt.j2", "", summary=summary, chapters=chapters,
                  stories=script.stories).strip()
    data = text.encode("utf-8")
    if len(data) > DESCRIPTION_LIMIT:
        text = data[:DESCRIPTION_LIMIT - 3].decode("utf-8", "ignore").rsplit(" ", 1)[0] + "..."
    return text


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


def publish(mp3: Path, script: Script, the_mix: Mix, description: str, config: Config,
            when: dt.datetime) -> Episode:
    """Put ``mp3`` into the site and the catalog; re-render the feed."""
    site = config.site
    digest = hashlib.sha256(mp3.read_bytes()).hexdigest()[:10]
    name = f"{script.date.isoformat()}-{slugify(script.title)}-{digest}.mp3"
    relative = f"{EPISODES_DIR}/{name}"
    atomic_copy(mp3, site / relative)
    episode = Episode(
        guid=episode_guid(script), title=script.title, description=description,
        pub_date=when, audio_file=relative, length=(site / relative).stat().st_size,
        duration=the_mix.duration, chapters=the_mix.chapters, cues=the_mix.cues,
    )
    image = cover_path(config)
    catalog = Catalog(site)
    with catalog.transaction() as db:
        episode, replaced = catalog.upsert(db, episode)
        atomic_write_text(site / FEED_FILE, render_feed(catalog.episodes(db), config.show, image))
    if replaced:
        (site / replaced).unlink(missing_ok=True)
    return episode
