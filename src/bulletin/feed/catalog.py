"""The episode catalog: the source of truth for the feed, kept in ``catalog_file``'s SQLite file.

``Catalog(site)`` opens (or creates) ``site/catalog.sqlite3``. Inside ``transaction()``: ``upsert``
adds an episode or replaces the one with the same guid in place (keeping its first publication date
and episode number), ``remove`` and ``retire`` take episodes out, ``save_settings`` records the show
settings the site was last rendered with, ``keep_replaced``/``replaced_due`` remember audio a
rebuild replaced until its grace period is over, ``note_edited``/``edited_at`` remember which
episodes were built from a script its producer edited; ``episodes()`` lists them newest first,
``get`` finds one by its guid. Rows that do not decode are a ``NotACatalog`` naming the file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from dataclasses import dataclass

from ..config import ShowConfig
from ..errors import InputError
from ..models import Chapter, Cue, Episode
from .catalog_file import (
    COLUMNS,
    EMPTY,
    FILENAME,
    MISSING,
    READY,
    CatalogFile,
    NotACatalog,
    is_writable,
)

__all__ = ["EMPTY", "FILENAME", "MISSING", "READY", "Catalog", "NotACatalog", "SiteSettings",
           "is_writable"]


@dataclass(frozen=True)
class SiteSettings:
    """What the site's feed and index page were last rendered with."""

    show: ShowConfig
    image: str  # the cover art's site path or URL
    podcast_guid: str = ""  # assigned once the show has a public feed URL; "" until then
    hub: str = ""  # the WebSub hub the feed names ("" for none)


def _encode(items: tuple[Chapter, ...] | tuple[Cue, ...]) -> str:
    """Chapters or cues as JSON objects, each value under its field's name (a field left at
    None, such as the url of a chapter that is no story's, is left out)."""
    return json.dumps([{name: value for name, value in dataclasses.asdict(item).items()
                        if value is not None} for item in items])


def _decode(raw: str, kind: type[Chapter] | type[Cue]) -> tuple:
    """Chapters or cues as stored: ``[{"title" or "text": …, "start": …, "end": …}, …]``, a
    chapter perhaps with its ``"url"`` (or, as catalogs made before 0.1.1 hold them, ``[[kind,
    text, start, end], …]``); ValueError if not."""
    rows = json.loads(raw)
    if not isinstance(rows, list):
        raise ValueError("not a list")
    fields = dataclasses.fields(kind)
    names = [f.name for f in fields]
    text, *times = required = [f.name for f in fields if f.default is dataclasses.MISSING]
    items = []
    for row in rows:
        if isinstance(row, list) and len(row) == len(required) + 1:
            row = dict(zip(required, row[1:], strict=True))  # the older form: [kind, *values]
        if not (isinstance(row, dict) and set(required) <= set(row) <= set(names)
                and isinstance(row[text], str)
                and all(isinstance(row[t], int | float) and not isinstance(row[t], bool)
                        for t in times)
                and all(isinstance(row[n], str) for n in row if n not in required)):
            raise ValueError(f"{row!r} is not {{{', '.join(names)}}}")
        items.append(kind(**row))
    return tuple(items)


class Catalog(CatalogFile):
    """The episodes and show settings of one site (see the module's description)."""

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
        db.execute("DELETE FROM drafts WHERE guid = ?", (episode.guid,))  # held again if need be
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
        row = {**dataclasses.asdict(episode), "pub_date": episode.pub_date.isoformat(),
               "chapters": _encode(episode.chapters), "cues": _encode(episode.cues)}
        names = COLUMNS["episodes"]
        db.execute(f"INSERT OR REPLACE INTO episodes ({', '.join(names)}) "
                   f"VALUES ({', '.join(':' + name for name in names)})", row)

    def recover(self, db: sqlite3.Connection, episode: Episode) -> None:
        """Put back an episode recovered from the feed, with the number it had there."""
        self._insert(db, episode)
        if episode.number > self._last_number(db):
            db.execute("INSERT OR REPLACE INTO settings VALUES ('last_number', ?)",
                       (str(episode.number),))

    def get(self, db: sqlite3.Connection, guid: str) -> Episode | None:
        """The episode whose guid is ``guid``, if there is one."""
        found = self._rows(db, "WHERE guid = ?", (guid,))
        return found[0] if found else None

    def remove(self, db: sqlite3.Connection, guid: str) -> Episode | None:
        found = self.get(db, guid)
        db.execute("DELETE FROM episodes WHERE guid = ?", (guid,))
        db.execute("DELETE FROM edited WHERE guid = ?", (guid,))
        db.execute("DELETE FROM drafts WHERE guid = ?", (guid,))
        return found

    def redate(self, db: sqlite3.Connection, episode: Episode, when: dt.datetime) -> Episode:
        """``episode`` published again ``when`` (a draft approved), as the catalog now has it."""
        db.execute("UPDATE episodes SET pub_date = ? WHERE guid = ?",
                   (when.isoformat(), episode.guid))
        return dataclasses.replace(episode, pub_date=when)

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
        for table in ("edited", "drafts"):
            db.executemany(f"DELETE FROM {table} WHERE guid = ?", [(e.guid,) for e in old])
        return old

    def _rows(self, db: sqlite3.Connection, where: str = "", args: tuple = ()) -> list[Episode]:
        names = COLUMNS["episodes"]
        rows = db.execute(f"SELECT {', '.join(names)} FROM episodes {where} "
                          "ORDER BY pub_date DESC, number DESC", args).fetchall()
        return [self._episode(dict(zip(names, row, strict=True))) for row in rows]

    def _episode(self, row: dict) -> Episode:
        """The episode a row holds, each value read by its column's name."""
        field = "the row"
        try:
            field = "pub_date"
            pub_date = dt.datetime.fromisoformat(row["pub_date"])
            field = "chapters"
            chapters = _decode(row["chapters"], Chapter)
            field = "cues"
            cues = _decode(row["cues"], Cue)
            field = "the row"
            return Episode(guid=str(row["guid"]), number=int(row["number"]),
                           title=str(row["title"]), description=str(row["description"]),
                           pub_date=pub_date, audio_file=str(row["audio_file"]),
                           length=int(row["length"]), duration=float(row["duration"]),
                           chapters=chapters, cues=cues)
        except (TypeError, ValueError) as exc:  # json's decode error is a ValueError
            raise NotACatalog(f"{self.path}: not a bulletin catalog (episode {row['guid']!r}: "
                             f"{field} cannot be read: {exc})") from None

    def episodes(self, db: sqlite3.Connection | None = None) -> list[Episode]:
        """Every episode, newest first."""
        if db is not None:
            return self._rows(db)
        with self.reading() as conn:
            return self._rows(conn)

    # Episodes built from an edited script

    def note_edited(self, db: sqlite3.Connection, guid: str, edited: bool,
                    when: dt.datetime) -> None:
        """Remember whether the episode ``guid`` was built (at ``when``) from an edited script."""
        if edited:
            db.execute("INSERT OR REPLACE INTO edited VALUES (?, ?)", (guid, when.isoformat()))
        else:
            db.execute("DELETE FROM edited WHERE guid = ?", (guid,))

    def edited_at(self, db: sqlite3.Connection, guid: str) -> dt.datetime | None:
        """When the episode ``guid`` was built from an edited script; None if it was not (or the
        catalog is older than this record)."""
        if not self.has_table(db, "edited"):
            return None
        row = db.execute("SELECT built_at FROM edited WHERE guid = ?", (guid,)).fetchone()
        if row is None:
            return None
        try:
            return dt.datetime.fromisoformat(row[0])
        except (TypeError, ValueError):
            raise NotACatalog(f"{self.path}: not a bulletin catalog (episode {guid!r}: its "
                              f"edit time {row[0]!r} cannot be read)") from None

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
        db.execute("INSERT OR REPLACE INTO settings VALUES ('websub_hub', ?)", (settings.hub,))
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
                            podcast_guid=str(values.get("podcast_guid", "")),
                            hub=str(values.get("websub_hub", "")))
