"""The episode catalog: a SQLite database in the site folder, the source of truth for the feed.

``Catalog(site)`` opens (or creates) ``site/catalog.sqlite3``; ``Catalog(site, create=False)`` only
opens one that exists. Inside ``transaction()``: ``upsert`` adds an episode or replaces the one with
the same guid in place (keeping its first publication date and episode number), ``remove`` and
``retire`` take episodes out, ``save_settings`` records the show settings the site was last rendered
with, ``keep_replaced``/``replaced_due`` remember audio a rebuild replaced until its grace period is
over; ``episodes()`` lists them newest first. Each change is one exclusive transaction, so
concurrent builds queue instead of losing updates.

A file that is not a bulletin catalog (not SQLite, truncated, tables or columns missing, rows that
do not decode) is a ``NotACatalog`` (an ``InputError``) naming it; a full disk or an I/O failure
is a ``ToolError``.
A catalog in a folder this process cannot write is opened read-only (SQLite's ``mode=ro``, or
``immutable`` when no write-ahead log is pending), so a read-only site can still be listed and
served. ``Catalog.unopened(site).state()`` tells a missing or empty catalog from a ready one,
writing nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from ..config import ShowConfig
from ..errors import BulletinError, InputError, ToolError
from ..models import Chapter, Cue, Episode

FILENAME = "catalog.sqlite3"

COLUMNS = {
    "episodes": ("guid", "number", "title", "description", "pub_date", "audio_file", "length",
                 "duration", "chapters", "cues"),
    "settings": ("key", "value"),
}
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
# Audio (with its companions) that a rebuild replaced, kept for listeners still streaming it.
REPLACED = """
CREATE TABLE IF NOT EXISTS replaced (
    audio_file TEXT PRIMARY KEY,
    replaced_at TEXT NOT NULL
);
"""
MAGIC = b"SQLite format 3\x00"
# SQLite's result codes that mean the machine failed (exit 1), not that the file is wrong.
RESOURCE_ERRORS = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_NOMEM",
                   "SQLITE_INTERRUPT")
ACCESS_ERRORS = ("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")

MISSING, EMPTY, READY = "missing", "empty", "ready"


class NotACatalog(InputError, ValueError):
    """The file is there but is no bulletin catalog: not SQLite, cut short, of another schema, or
    with rows that cannot be read (a ValueError too, as an unreadable row always was)."""


@dataclass(frozen=True)
class SiteSettings:
    """What the site's feed and index page were last rendered with."""

    show: ShowConfig
    image: str  # the cover art's site path or URL
    podcast_guid: str = ""  # assigned once the show has a public feed URL; "" until then


def _encode(items: tuple) -> str:
    return json.dumps([[i.__class__.__name__, *i.__dict__.values()] for i in items])


def _decode(raw: str, kind: type[Chapter] | type[Cue]) -> tuple:
    """Chapters or cues as stored: ``[[kind, text, start, end], ...]``; ValueError if not."""
    rows = json.loads(raw)
    if not isinstance(rows, list):
        raise ValueError("not a list")
    items = []
    for row in rows:
        if not (isinstance(row, list) and len(row) == 4 and isinstance(row[1], str)
                and all(isinstance(n, int | float) and not isinstance(n, bool) for n in row[2:])):
            raise ValueError(f"{row!r} is not [kind, text, start, end]")
        items.append(kind(*row[1:]))
    return tuple(items)


def is_writable(folder: Path) -> bool:
    """Whether this process may create and replace files in ``folder`` (False on a read-only mount
    or an immutable folder, even for root)."""
    return os.access(folder, os.W_OK | os.X_OK)


def _header_problem(path: Path) -> str | None:
    """What is wrong with the file's SQLite header, read without SQLite: None when it is sound."""
    with path.open("rb") as handle:
        header = handle.read(100)
    if not header.startswith(MAGIC) or len(header) < 100:
        return "not an SQLite database"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    size = path.stat().st_size
    if page_size < 512 or page_size & (page_size - 1):
        return "not an SQLite database (bad page size)"
    log = path.with_name(path.name + "-wal")
    if log.is_file() and log.stat().st_size:
        return None  # a checkpoint cut short may have left the file short: the log completes it
    if header[24:28] == header[92:96] and size < pages * page_size:
        return f"truncated: {size} of its {pages * page_size} bytes are there"
    if size % page_size:
        return f"truncated: {size} bytes is not a whole number of {page_size}-byte pages"
    return None


class Catalog:
    """The episodes and show settings of one site (see the module's description)."""

    # Test seam: PRAGMAs run on every connection (e.g. ``PRAGMA max_page_count`` for a full disk).
    pragmas: ClassVar[tuple[str, ...]] = ()

    def __init__(self, site: Path, create: bool = True) -> None:
        self._locate(site)
        if not self.path.is_file():
            if not create and (site / "feed.xml").is_file():
                raise InputError(f"{site}: {FILENAME} is missing, though the site has a feed; "
                                 "`bulletin build --rebuild-catalog` rebuilds it from feed.xml")
            if not create:
                raise InputError(f"{site}: no bulletin catalog here ({FILENAME} is missing); "
                                 "build an episode first or pass --site")
            self._create()
            return
        _, tables = self._examine()
        if not tables:
            if not create:
                raise InputError(f"{self.path}: the catalog is empty; `bulletin build "
                                 "--rebuild-catalog` rebuilds it from feed.xml")
            self._create()

    def _locate(self, site: Path) -> None:
        self.site = site
        self.path = site / FILENAME
        self.read_only = site.is_dir() and not (
            is_writable(site) and (not self.path.exists() or os.access(self.path, os.W_OK)))

    @classmethod
    def unopened(cls, site: Path) -> Catalog:
        """The site's catalog, not yet looked at (for ``state``)."""
        catalog = cls.__new__(cls)
        catalog._locate(site)
        return catalog

    def state(self) -> str:
        """MISSING, EMPTY (no bytes, no tables, or no episode and no setting) or READY, writing
        nothing; an ``InputError`` naming the problem when the file is not a bulletin catalog."""
        if not self.path.is_file():
            return MISSING
        return self._examine()[0]

    # Opening

    def _connect(self, writing: bool = False) -> sqlite3.Connection:
        if self.read_only:
            pending = self.path.with_name(FILENAME + "-wal")
            mode = "mode=ro" if pending.is_file() and pending.stat().st_size else "immutable=1"
            db = sqlite3.connect(f"{self.path.resolve().as_uri()}?{mode}", uri=True, timeout=60,
                                 isolation_level=None)
        else:
            db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        try:
            if writing and not self.read_only:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=FULL")
            for pragma in self.pragmas:
                db.execute(pragma)
        except BaseException:
            db.close()
            raise
        return db

    @contextmanager
    def _connection(self, writing: bool = False) -> Iterator[sqlite3.Connection]:
        """A connection, closed on the way out, with SQLite's errors turned into one-line ones."""
        try:
            db = self._connect(writing)
        except sqlite3.Error as exc:
            raise self.failure(exc) from None
        try:
            yield db
        except sqlite3.Error as exc:
            raise self.failure(exc) from None
        finally:
            db.close()  # sqlite3's context manager commits but never closes

    def failure(self, exc: sqlite3.Error) -> BulletinError:
        """The one-line error an SQLite failure on this catalog means."""
        name = getattr(exc, "sqlite_errorname", "") or ""
        if name.startswith(RESOURCE_ERRORS) or "disk is full" in str(exc):
            return ToolError(f"{self.path}: cannot write the catalog ({exc})")
        if name.startswith(ACCESS_ERRORS):
            return InputError(f"{self.path}: cannot open the catalog for writing ({exc}); "
                              "is the site read-only?")
        return NotACatalog(f"{self.path}: not a bulletin catalog ({exc})")

    def _examine(self) -> tuple[str, bool]:
        """EMPTY or READY, and whether the tables are there; an InputError naming what is wrong
        when this is no bulletin catalog."""
        if not self.path.stat().st_size:
            return EMPTY, False
        problem = _header_problem(self.path)
        if problem:
            raise NotACatalog(f"{self.path}: not a bulletin catalog ({problem})")
        with self._connection() as db:
            tables = {row[0] for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables:
                return EMPTY, False
            for table, wanted in COLUMNS.items():
                if table not in tables:
                    raise NotACatalog(f"{self.path}: not a bulletin catalog (no table '{table}')")
                found = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
                missing = [c for c in wanted if c not in found]
                if missing:
                    raise NotACatalog(f"{self.path}: not a bulletin catalog (table '{table}' has "
                                     f"no column {', '.join(repr(c) for c in missing)})")
            return (EMPTY if self.is_empty(db) else READY), True

    def _create(self) -> None:
        if self.read_only:
            raise InputError(f"{self.site}: the site is read-only; cannot create its catalog")
        self.site.mkdir(parents=True, exist_ok=True)
        with self._connection(writing=True) as db:
            db.executescript(SCHEMA + REPLACED)

    # Sessions

    @contextmanager
    def _session(self, begin: str, writing: bool) -> Iterator[sqlite3.Connection]:
        with self._connection(writing) as db:
            try:
                db.execute(begin)
                if writing:
                    db.execute(REPLACED)  # catalogs from before the table existed gain it here
                yield db
                if db.in_transaction:
                    db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """An exclusive write transaction: concurrent builds queue here, losing no update. It
        commits when the block ends, unless the block committed it itself (``commit``)."""
        if self.read_only:
            raise InputError(f"{self.site}: the site is read-only; cannot change its catalog")
        return self._session("BEGIN IMMEDIATE", writing=True)

    def reading(self) -> AbstractContextManager[sqlite3.Connection]:
        """A consistent snapshot to read from while builds may be writing."""
        return self._session("BEGIN", writing=False)

    def commit(self, db: sqlite3.Connection) -> None:
        """Commit the transaction now (a full disk shows up here as a ``ToolError``)."""
        try:
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise self.failure(exc) from None

    # Episodes

    def upsert(self, db: sqlite3.Connection, episode: Episode) -> tuple[Episode, str | None]:
        """Add or replace ``episode``; returns it (with its kept number and date) and the
        audio file it replaced, if any."""
        row = db.execute("SELECT number, pub_date, audio_file FROM episodes WHERE guid = ?",
                         (episode.guid,)).fetchone()
        if row:
            number, pub_date, old_file = row[0], dt.datetime.fromisoformat(row[1]), row[2]
        else:
            number, pub_date, old_file = self._next_number(db), episode.pub_date, None
        kept = dataclasses.replace(episode, pub_date=pub_date, number=number)
        self._insert(db, kept)
        db.execute("DELETE FROM replaced WHERE audio_file = ?", (episode.audio_file,))
        return kept, (old_file if old_file != episode.audio_file else None)

    def _next_number(self, db: sqlite3.Connection) -> int:
        """Numbers keep counting past removed and retired episodes: never one given twice."""
        highest = db.execute("SELECT MAX(number) FROM episodes").fetchone()[0] or 0
        number = max(highest, self._last_number(db)) + 1
        db.execute("INSERT OR REPLACE INTO settings VALUES ('last_number', ?)", (str(number),))
        return number

    def _last_number(self, db: sqlite3.Connection) -> int:
        last = db.execute("SELECT value FROM settings WHERE key = 'last_number'").fetchone()
        try:
            return int(last[0]) if last else 0
        except ValueError:
            raise NotACatalog(f"{self.path}: not a bulletin catalog (last_number is "
                             f"{last[0]!r})") from None

    def _insert(self, db: sqlite3.Connection, episode: Episode) -> None:
        db.execute(
            "INSERT OR REPLACE INTO episodes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (episode.guid, episode.number, episode.title, episode.description,
             episode.pub_date.isoformat(), episode.audio_file, episode.length, episode.duration,
             _encode(episode.chapters), _encode(episode.cues)),
        )

    def recover(self, db: sqlite3.Connection, episode: Episode) -> None:
        """Put back an episode recovered from the feed, with the number it had there."""
        self._insert(db, episode)
        if episode.number > self._last_number(db):
            db.execute("INSERT OR REPLACE INTO settings VALUES ('last_number', ?)",
                       (str(episode.number),))

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
        return [self._episode(r) for r in rows]

    def _episode(self, r: tuple) -> Episode:
        field = "the row"
        try:
            field = "pub_date"
            pub_date = dt.datetime.fromisoformat(r[4])
            field = "chapters"
            chapters = _decode(r[8], Chapter)
            field = "cues"
            cues = _decode(r[9], Cue)
            field = "the row"
            return Episode(guid=str(r[0]), number=int(r[1]), title=str(r[2]),
                           description=str(r[3]), pub_date=pub_date, audio_file=str(r[5]),
                           length=int(r[6]), duration=float(r[7]), chapters=chapters, cues=cues)
        except (TypeError, ValueError) as exc:  # json's decode error is a ValueError
            raise NotACatalog(f"{self.path}: not a bulletin catalog (episode {r[0]!r}: {field} "
                             f"cannot be read: {exc})") from None

    def episodes(self, db: sqlite3.Connection | None = None) -> list[Episode]:
        """Every episode, newest first."""
        if db is not None:
            return self._rows(db)
        with self.reading() as conn:
            return self._rows(conn)

    def is_empty(self, db: sqlite3.Connection) -> bool:
        """No episode and no settings: a catalog no build has committed to (or one emptied)."""
        return not db.execute("SELECT (SELECT COUNT(*) FROM episodes) + "
                              "(SELECT COUNT(*) FROM settings)").fetchone()[0]

    # Replaced audio, kept for a grace period

    def keep_replaced(self, db: sqlite3.Connection, audio_file: str, when: dt.datetime) -> None:
        """Remember that ``audio_file`` was replaced at ``when`` (its files stay for now)."""
        db.execute("INSERT OR REPLACE INTO replaced VALUES (?, ?)",
                   (audio_file, when.isoformat()))

    def replaced(self, db: sqlite3.Connection) -> list[str]:
        """Every replaced audio file still kept."""
        return [row[0] for row in db.execute("SELECT audio_file FROM replaced")]

    def replaced_due(self, db: sqlite3.Connection, before: dt.datetime) -> list[str]:
        """Forget the replaced audio files replaced before ``before``; returns them."""
        if before.tzinfo is None:
            before = before.replace(tzinfo=dt.UTC)
        due = []
        for audio_file, when in db.execute("SELECT audio_file, replaced_at FROM replaced"):
            try:
                moment = dt.datetime.fromisoformat(when)
            except ValueError:
                moment = before  # unreadable: due now
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
            if moment <= before:
                due.append(audio_file)
        db.executemany("DELETE FROM replaced WHERE audio_file = ?", [(f,) for f in due])
        return due

    # Settings

    def save_settings(self, db: sqlite3.Connection, settings: SiteSettings) -> None:
        """Record the show settings; a podcast:guid, once recorded, is kept for good."""
        show = json.dumps(dataclasses.asdict(settings.show))
        db.execute("INSERT OR REPLACE INTO settings VALUES ('show', ?)", (show,))
        db.execute("INSERT OR REPLACE INTO settings VALUES ('image', ?)", (settings.image,))
        self.save_podcast_guid(db, settings.podcast_guid)

    def save_podcast_guid(self, db: sqlite3.Connection, guid: str) -> None:
        if guid:
            db.execute("INSERT OR IGNORE INTO settings VALUES ('podcast_guid', ?)", (guid,))

    def podcast_guid(self, db: sqlite3.Connection) -> str:
        """The show's podcast:guid once one was recorded, else ""."""
        row = db.execute("SELECT value FROM settings WHERE key = 'podcast_guid'").fetchone()
        return str(row[0]) if row else ""

    def settings(self, db: sqlite3.Connection) -> SiteSettings | None:
        """The recorded settings, or None for a catalog no build has rendered yet."""
        values = dict(db.execute("SELECT key, value FROM settings").fetchall())
        if "show" not in values:
            return None
        try:
            stored = json.loads(values["show"])
            known = {f.name for f in dataclasses.fields(ShowConfig)}
            show = ShowConfig(**{k: v for k, v in stored.items() if k in known})
        except (TypeError, ValueError, AttributeError) as exc:
            raise NotACatalog(f"{self.path}: not a bulletin catalog (the show settings cannot be "
                             f"read: {exc})") from None
        return SiteSettings(show=show, image=str(values.get("image", "")),
                            podcast_guid=str(values.get("podcast_guid", "")))

