"""The episode catalog: a SQLite database in the site folder, the source of truth for the feed.

``Catalog(site)`` opens (or creates) ``site/catalog.sqlite3``. Inside ``transaction()``: ``upsert``
adds an episode or replaces the one with the same guid in place (keeping its first publication date
and episode number), ``remove`` and ``retire`` take episodes out, ``save_settings`` records the show
settings the site was last rendered with; ``episodes()`` lists them newest first. Each change is one
exclusive transaction, so concurrent builds queue instead of losing updates.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..config import ShowConfig
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
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class SiteSettings:
    """What the site's feed and index page were last rendered with."""

    show: ShowConfig
    image: str  # the cover art's site path or URL
    podcast_guid: str = ""  # assigned once the show has a public feed URL; "" until then


def _encode(items: tuple) -> str:
    return json.dumps([[i.__class__.__name__, *i.__dict__.values()] for i in items])


def _chapters(raw: str) -> tuple[Chapter, ...]:
    return tuple(Chapter(*row[1:]) for row in json.loads(raw))


def _cues(raw: str) -> tuple[Cue, ...]:
    return tuple(Cue(*row[1:]) for row in json.loads(raw))


class Catalog:
    def __init__(self, site: Path, create: bool = True) -> None:
        self.path = site / FILENAME
        if not create and not self.path.is_file():
            raise InputError(f"{site}: no bulletin catalog here ({FILENAME} is missing); "
                             "build an episode first or pass --site")
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
    def _session(self, begin: str) -> Iterator[sqlite3.Connection]:
        db = self._connect()
        try:
            db.execute(begin)
            yield db
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """An exclusive write transaction: concurrent builds queue here, losing no update."""
        return self._session("BEGIN IMMEDIATE")

    def reading(self) -> AbstractContextManager[sqlite3.Connection]:
        """A consistent snapshot to read from while builds may be writing."""
        return self._session("BEGIN")

    def upsert(self, db: sqlite3.Connection, episode: Episode) -> tuple[Episode, str | None]:
        """Add or replace ``episode``; returns it (with its kept number and date) and the
        audio file it replaced, if any."""
        row = db.execute("SELECT number, pub_date, audio_file FROM episodes WHERE guid = ?",
                         (episode.guid,)).fetchone()
        if row:
            number, pub_date, old_file = row[0], dt.datetime.fromisoformat(row[1]), row[2]
        else:
            # Numbers keep counting past removed and retired episodes: never one given twice.
            highest = db.execute("SELECT MAX(number) FROM episodes").fetchone()[0] or 0
            last = db.execute("SELECT value FROM settings WHERE key = 'last_number'").fetchone()
            number = max(highest, int(last[0]) if last else 0) + 1
            db.execute("INSERT OR REPLACE INTO settings VALUES ('last_number', ?)", (str(number),))
            pub_date, old_file = episode.pub_date, None
        db.execute(
            "INSERT OR REPLACE INTO episodes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (episode.guid, number, episode.title, episode.description, pub_date.isoformat(),
             episode.audio_file, episode.length, episode.duration,
             _encode(episode.chapters), _encode(episode.cues)),
        )
        kept = dataclasses.replace(episode, pub_date=pub_date, number=number)
        return kept, (old_file if old_file != episode.audio_file else None)

    def remove(self, db: sqlite3.Connection, guid: str) -> Episode | None:
        found = self._rows(db, "WHERE guid = ?", (guid,))
        db.execute("DELETE FROM episodes WHERE guid = ?", (guid,))
        return found[0] if found else None

    def find(self, db: sqlite3.Connection, guid: str) -> Episode:
        """The episode whose guid is ``guid`` or starts with it (when only one does)."""
        pattern = guid.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        found = self._rows(db, "WHERE guid = ? OR guid LIKE ? ESCAPE '\\'", (guid, pattern))
        exact = [e for e in found if e.guid == guid]
        if exact:
            return exact[0]
        if len(found) == 1 and guid:
            return found[0]
        if not found or not guid:
            raise InputError(f"{guid!r}: no episode with this guid in {self.path}")
        raise InputError(f"{guid!r}: matches {len(found)} episodes in {self.path}; "
                         "give more of the guid")

    def retire(self, db: sqlite3.Connection, keep: int) -> list[Episode]:
        """Remove all but the newest ``keep`` episodes (none when ``keep`` is 0); returns them."""
        if keep <= 0:
            return []
        old = self._rows(db)[keep:]
        db.executemany("DELETE FROM episodes WHERE guid = ?", [(e.guid,) for e in old])
        return old

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
        with self.reading() as conn:
            return self._rows(conn)

    def save_settings(self, db: sqlite3.Connection, settings: SiteSettings) -> None:
        """Record the show settings; a podcast:guid, once recorded, is kept for good."""
        show = json.dumps(dataclasses.asdict(settings.show))
        db.execute("INSERT OR REPLACE INTO settings VALUES ('show', ?)", (show,))
        db.execute("INSERT OR REPLACE INTO settings VALUES ('image', ?)", (settings.image,))
        if settings.podcast_guid:
            db.execute("INSERT OR IGNORE INTO settings VALUES ('podcast_guid', ?)",
                       (settings.podcast_guid,))

    def settings(self, db: sqlite3.Connection) -> SiteSettings | None:
        """The recorded settings, or None for a catalog no build has rendered yet."""
        values = dict(db.execute("SELECT key, value FROM settings").fetchall())
        if "show" not in values:
            return None
        stored = json.loads(values["show"])
        known = {f.name for f in dataclasses.fields(ShowConfig)}
        show = ShowConfig(**{k: v for k, v in stored.items() if k in known})
        return SiteSettings(show=show, image=values.get("image", ""),
                            podcast_guid=values.get("podcast_guid", ""))
