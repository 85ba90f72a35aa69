"""Drafts: episodes the review gate held back, kept in the catalog's ``drafts`` table.

In: a catalog and an open connection. ``hold(db, guid, wer, when)`` marks an episode a draft,
``release(db, guid)`` publishes it; ``drafts(catalog, db)`` → ``{guid: wer}`` of every draft
(none in a catalog older than the table). The feed and the page leave drafts out; their files stay.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from .catalog import Catalog


def hold(db: sqlite3.Connection, guid: str, wer: float, when: dt.datetime) -> None:
    """Keep the episode ``guid`` (whose proof heard ``wer``) as a draft."""
    db.execute("INSERT OR REPLACE INTO drafts VALUES (?, ?, ?)", (guid, wer, when.isoformat()))


def release(db: sqlite3.Connection, guid: str) -> bool:
    """Take the episode ``guid`` out of the drafts; whether it was one."""
    return db.execute("DELETE FROM drafts WHERE guid = ?", (guid,)).rowcount > 0


def drafts(catalog: Catalog, db: sqlite3.Connection) -> dict[str, float]:
    """Every draft's guid and the word error rate it was held for."""
    if not catalog.has_table(db, "drafts"):
        return {}
    return {str(guid): float(wer) for guid, wer in db.execute("SELECT guid, wer FROM drafts")}
