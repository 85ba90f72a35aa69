"""The episode catalog: a SQLite database in the site folder, the source of truth for the feed.

``Catalog(site)`` opens (or creates) ``site/catalog.sqlite3``. ``upsert`` adds an episode or replaces
the one with the same guid in place (keeping its first publication date and episode number);
``episodes()`` lists them newest first. Each change is one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import InputError
from ..models import Chapter, Cue, Episode

FILENAME = "catalog.sqlite3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS episodes (
    guid TEXT PRIMARY KEY,
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    pub_date TEXT NOT NULL,
    audio_file TEXT NOT NULL,
    length INTEGER NOT NULL,
    duration REAL NOT NULL,
    chapters TEXT NOT NULL,
    cues TEXT NOT NULL
);
"""


def _encode(items: tuple) -> str:
    return json.dumps([[i.__class__.__name__, *i.__dict__.values()] for i in items])


def _chapters(raw: str) -> tuple[Chapter, ...]:
    return tuple(Chapter(*row[1:]) for row in json.loads(raw))


def _cues(raw: str) -> tuple[Cue, ...]:
    return tuple(Cue(*row[1:]) for row in json.loads(raw))


class Catalog:
    def __init__(self, site: Path) -> None:
        self.path = site / FILENAME
        site.mkdir(parents=True, exist_ok=True)
        try:
            db = self._connect()
            try:
                db.executescript(SCHEMA)
            finally:
                db.close()  # sqlite3's context manager commits but never closes
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{self.path}: not a bulletin catalog ({exc})") from None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        return db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """An exclusive write transaction: concurrent builds queue here instead of losing updates."""
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            yield db
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    def upsert(self, db: sqlite3.Connection, episode: Episode) -> tuple[Episode, str | None]:
        """Add or replace ``episode``; returns it (with its kept number/date) and any replaced file."""
        row = db.execute("SELECT number, pub_date, audio_file FROM episodes WHERE guid = ?",
                         (episode.guid,)).fetchone()
        if row:
            number, pub_date, old_file = row[0], dt.datetime.fromisoformat(row[1]), row[2]
        else:
            number = (db.execute("SELECT MAX(number) FROM episodes").fetchone()[0] or 0) + 1
            pub_date, old_file = episode.pub_date, None
        db.execute(
            "INSERT OR REPLACE INTO episodes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (episode.guid, number, episode.title, episode.description, pub_date.isoformat(),
             episode.audio_file, episode.length, episode.duration,
             _encode(episode.chapters), _encode(episode.cues)),
        )
        kept = Episode(**{**episode.__dict__, "pub_date": pub_date, "number": number})
        return kept, (old_file if old_file != episode.audio_file else None)

    def remove(self, db: sqlite3.Connection, guid: str) -> Episode | None:
        found = [e for e in self._rows(db, "WHERE guid = ?", (guid,))]
        db.execute("DELETE FROM episodes WHERE guid = ?", (guid,))
        return found[0] if found else None

    def _rows(self, db: sqlite3.Connection, where: str = "", args: tuple = ()) -> list[Episode]:
        rows = db.execute(
            "SELECT guid, number, title, description, pub_date, audio_file, length, duration,"
            f" chapters, cues FROM episodes {where} ORDER BY pub_date DESC, number DESC", args
        ).fetchall()
        return [Episode(guid=r[0], number=r[1], title=r[2], description=r[3],
                        pub_date=dt.datetime.fromisoformat(r[4]), audio_file=r[5], length=r[6],
                        duration=r[7], chapters=_chapters(r[8]), cues=_cues(r[9])) for r in rows]

    def episodes(self, db: sqlite3.Connection | None = None) -> list[Episode]:
        """Every episode, newest first."""
        if db is not None:
            return self._rows(db)
        conn = self._connect()
        try:
            return self._rows(conn)
        finally:
            conn.close()
