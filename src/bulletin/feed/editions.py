"""What a site's catalog remembers between editions: feeds, items and the stories each edition read.

``EditionMemory(site)`` is what an edition asks of it: ``feeds()`` (what to ask each feed with),
``note(...)`` (the feeds' new state and the items seen; when each was first seen and the last
edition) and ``recorder(...)`` (what publishing the edition also records). Below it, functions
take a connection inside one of the catalog's sessions. ``feed_states`` and
``save_feed_states`` keep each feed's last good answer with its ETag and Last-Modified (for a
conditional GET); ``first_seen`` says when each item was first seen (an undated item dates from
then) and forgets items unseen for ``FORGET``; ``record_edition`` notes the stories an edition read
(each as a key and a digest of its text), inside the transaction that publishes it, and
``last_edition`` gives the latest one back, to tell whether anything is new since.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..models import Episode, FeedState
from .catalog import Catalog

FORGET = dt.timedelta(days=30)  # an item no feed has carried for this long is forgotten


@dataclass(frozen=True)
class EditionRecord:
    """An edition as the catalog remembers it: when it was made and what it read."""

    guid: str
    made_at: dt.datetime
    stories: frozenset[tuple[str, str]]  # (story key, digest of the text read)


def feed_states(db: sqlite3.Connection) -> dict[str, FeedState]:
    """Each feed's last good answer, by the source it was read from."""
    return {source: FeedState(etag=etag, last_modified=modified, body=bytes(body))
            for source, etag, modified, body in db.execute(
                "SELECT source, etag, last_modified, body FROM news_feeds")}


def save_feed_states(db: sqlite3.Connection, states: Mapping[str, FeedState],
                     now: dt.datetime) -> None:
    """Remember each feed's latest good answer."""
    db.executemany("INSERT OR REPLACE INTO news_feeds VALUES (?, ?, ?, ?, ?)",
                   [(source, s.etag, s.last_modified, s.body, now.isoformat())
                    for source, s in states.items()])


def first_seen(db: sqlite3.Connection, keys: Iterable[str],
               now: dt.datetime) -> dict[str, dt.datetime]:
    """When each of ``keys`` was first seen (``now`` for a new one, which is remembered)."""
    keys = list(dict.fromkeys(keys))
    stamp = now.isoformat()
    db.executemany("INSERT OR IGNORE INTO news_items VALUES (?, ?, ?)",
                   [(key, stamp, stamp) for key in keys])
    db.executemany("UPDATE news_items SET last_seen = ? WHERE key = ?",
                   [(stamp, key) for key in keys])
    db.execute("DELETE FROM news_items WHERE last_seen < ?", ((now - FORGET).isoformat(),))
    seen: dict[str, dt.datetime] = {}
    for key in keys:
        row = db.execute("SELECT first_seen FROM news_items WHERE key = ?", (key,)).fetchone()
        seen[key] = _moment(row[0] if row else stamp, now)
    return seen


def record_edition(db: sqlite3.Connection, record: EditionRecord) -> None:
    """Note what an edition read (call it in the transaction that publishes the edition)."""
    stories = json.dumps(sorted([key, digest] for key, digest in record.stories))
    db.execute("INSERT OR REPLACE INTO editions VALUES (?, ?, ?)",
               (record.guid, record.made_at.isoformat(), stories))


def last_edition(db: sqlite3.Connection) -> EditionRecord | None:
    """The latest edition this site published, or None before the first."""
    rows = db.execute("SELECT guid, made_at, stories FROM editions").fetchall()
    records = []
    for guid, made_at, stories in rows:
        try:
            pairs = frozenset((str(key), str(digest)) for key, digest in json.loads(stories))
        except (ValueError, TypeError):
            pairs = frozenset()  # unreadable: as if it read nothing, so the next one publishes
        records.append(EditionRecord(guid, _moment(made_at, None), pairs))
    return max(records, key=lambda r: r.made_at, default=None)


def _moment(text: str, default: dt.datetime | None) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return default or dt.datetime.min.replace(tzinfo=dt.UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class EditionMemory:
    """A site's memory of its editions, kept in its catalog (see the module's description)."""

    def __init__(self, site: Path) -> None:
        self.catalog = Catalog(site)

    def feeds(self) -> dict[str, FeedState]:
        """Each feed's last good answer, to ask it again with a conditional GET."""
        with self.catalog.transaction() as db:
            return feed_states(db)

    def note(self, states: Mapping[str, FeedState], keys: Iterable[str], now: dt.datetime,
             ) -> tuple[dict[str, dt.datetime], EditionRecord | None]:
        """Remember the feeds' answers and the items seen (``keys``); when each item was first
        seen, and the last edition published."""
        with self.catalog.transaction() as db:
            save_feed_states(db, states, now)
            return first_seen(db, keys, now), last_edition(db)

    def last(self) -> EditionRecord | None:
        """The last edition published."""
        with self.catalog.transaction() as db:
            return last_edition(db)

    def recorder(self, now: dt.datetime, stories: frozenset[tuple[str, str]],
                 ) -> Callable[[sqlite3.Connection, Episode], None]:
        """What records the edition made ``now`` of ``stories`` as it is published."""
        def record(db: sqlite3.Connection, episode: Episode) -> None:
            record_edition(db, EditionRecord(episode.guid, now, stories))
        return record
