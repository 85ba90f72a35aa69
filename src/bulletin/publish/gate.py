"""The review gate: drafts a proof held back, listed, approved or rejected.

``held(proof_wer, config)`` says whether a build's proof keeps it as a draft (``[proof] mode =
"hold"`` and the word error rate above ``max_wer``); ``holding(wer, also)`` is what ``publish``
records in the catalog to keep it so. ``list_all(site)`` → every episode as ``Listed`` (published
or draft, newest first); ``approve(config, guid, now)`` publishes a draft (dated now, in the feed
and on the page); ``reject(config, guid)`` removes it, files and all.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path

from ..config import Config
from ..errors import InputError
from ..feed import Catalog
from ..feed.drafts import drafts, hold, release
from ..models import Episode, Listed
from .site import change_site, remove_episode

Also = Callable[[sqlite3.Connection, Episode], None]


def held(wer: float, config: Config) -> bool:
    """Whether a build whose proof heard ``wer`` is kept as a draft."""
    return config.proof.mode == "hold" and wer > config.proof.max_wer


def holding(wer: float, when: dt.datetime, also: Also | None = None) -> Also:
    """What publishing records to keep the episode a draft (after ``also``, if given)."""
    def record(db: sqlite3.Connection, episode: Episode) -> None:
        if also is not None:
            also(db, episode)
        hold(db, episode.guid, wer, when)
    return record


def list_all(site: Path) -> list[Listed]:
    """Every episode of the site's catalog, newest first, each published or a draft."""
    catalog = Catalog(site, create=False)
    with catalog.reading() as db:
        held_back = drafts(catalog, db)
        return [Listed(e, "draft", held_back[e.guid]) if e.guid in held_back
                else Listed(e, "published") for e in catalog.episodes(db)]


def approve(config: Config, guid: str, now: dt.datetime | None = None) -> Episode:
    """Publish the draft whose guid is (or starts with) ``guid``: dated ``now``, in the feed
    and on the page. An ``InputError`` when it is no draft."""
    now = now or dt.datetime.now(dt.UTC)

    def publish_draft(catalog: Catalog, db: sqlite3.Connection) -> tuple[Episode, list[str]]:
        episode = catalog.find(db, guid)
        if not release(db, episode.guid):
            raise InputError(f"{guid!r}: episode {episode.guid} is published already, not a "
                             "draft")
        return catalog.redate(db, episode, now), []
    return change_site(config, publish_draft, now)


def reject(config: Config, guid: str) -> Episode:
    """Remove the draft whose guid is (or starts with) ``guid``, files and all; an
    ``InputError`` when it is a published episode (``episodes remove`` takes those)."""
    catalog = Catalog(config.site, create=False)
    with catalog.reading() as db:
        episode = catalog.find(db, guid)
        if episode.guid not in drafts(catalog, db):
            raise InputError(f"{guid!r}: episode {episode.guid} is published, not a draft; "
                             "`bulletin episodes remove` takes it out")
    return remove_episode(config, episode.guid)
