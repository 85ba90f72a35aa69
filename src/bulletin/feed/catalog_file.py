"""The catalog's SQLite file: opening it (read-only where the site cannot be written), telling a
missing, empty or foreign file from a catalog, sessions, and what SQLite's failures mean.

``CatalogFile(site)`` opens (or creates) ``site/catalog.sqlite3``; with ``create=False`` it only
opens one that exists. ``transaction()`` is one exclusive write transaction (concurrent builds
queue here), ``reading()`` a consistent snapshot; ``CatalogFile.unopened(site).state()`` tells
MISSING, EMPTY or READY, writing nothing. A file that is not a bulletin catalog (not SQLite, cut
short, tables or columns missing) is a ``NotACatalog`` (an ``InputError``) naming it; a full disk or
an I/O failure is a ``ToolError``. In a folder this process cannot write, the file is opened
read-only (SQLite's ``mode=ro``, or ``immutable`` when no write-ahead log is pending).
``catalog.Catalog`` adds the episodes and settings kept in it.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import ClassVar, Self

from ..errors import BulletinError, InputError, ToolError

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
# What editions remember: each feed's last answer (for a conditional GET), when each item was
# first seen (an undated item dates from then), and the stories each edition read.
EDITIONS = """
CREATE TABLE IF NOT EXISTS news_feeds (
    source TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    body BLOB NOT NULL,
    read_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS news_items (
    key TEXT PRIMARY KEY,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS editions (
    guid TEXT PRIMARY KEY,
    made_at TEXT NOT NULL,
    stories TEXT NOT NULL
);
"""
# Episodes built from a script its producer edited: a rebuild replaces them only when asked to.
EDITED = """
CREATE TABLE IF NOT EXISTS edited (
    guid TEXT PRIMARY KEY,
    built_at TEXT NOT NULL
);
"""
# Episodes held back by the review gate (their proof's word error rate): in the catalog, their
# files in place, but not in the feed or on the page until approved.
DRAFTS = """
CREATE TABLE IF NOT EXISTS drafts (
    guid TEXT PRIMARY KEY,
    wer REAL NOT NULL,
    held_at TEXT NOT NULL
);
"""
# Tables added after the first catalogs: each write session creates them when they are missing.
ADDED = REPLACED + EDITIONS + EDITED + DRAFTS
MAGIC = b"SQLite format 3\x00"
# SQLite's result codes that mean the machine failed (exit 1), not that the file is wrong.
RESOURCE_ERRORS = ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_NOMEM",
                   "SQLITE_INTERRUPT")
ACCESS_ERRORS = ("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")

MISSING, EMPTY, READY = "missing", "empty", "ready"


class NotACatalog(InputError, ValueError):
    """The file is there but is no bulletin catalog: not SQLite, cut short, of another schema, or
    with rows that cannot be read (a ValueError too, as an unreadable row always was)."""


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


class CatalogFile:
    """One site's catalog file, opened and checked (see the module's description)."""

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
    def unopened(cls, site: Path) -> Self:
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
            elif not writing:
                db.execute("PRAGMA query_only=ON")  # a reader never changes the file
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
            db.executescript(SCHEMA + ADDED)

    # Sessions

    @contextmanager
    def _session(self, begin: str, writing: bool) -> Iterator[sqlite3.Connection]:
        with self._connection(writing) as db:
            try:
                db.execute(begin)
                if writing:  # catalogs from before these tables existed gain them here
                    for table in ADDED.split(";"):
                        if table.strip():
                            db.execute(table)
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

    def has_table(self, db: sqlite3.Connection, table: str) -> bool:
        """Whether the catalog has ``table`` yet (one added later appears at the first write)."""
        return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                          (table,)).fetchone() is not None

    def is_empty(self, db: sqlite3.Connection) -> bool:
        """No episode and no settings: a catalog no build has committed to (or one emptied)."""
        return not db.execute("SELECT (SELECT COUNT(*) FROM episodes) + "
                              "(SELECT COUNT(*) FROM settings)").fetchone()[0]
