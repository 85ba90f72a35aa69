"""What a rebuild may replace: never, unasked, an episode built from an edited script.

A producer's edits live in the episode built from their script, not in the articles: building the
same bulletin again (from the articles, or from another script) would replace them unseen. In: the
site's catalog and the guid of the episode about to be published. ``replaceable(catalog, db,
guid, replace)`` → the episode it replaces (None for a new one), inside the transaction that
publishes; ``check_replace(site, guid, replace)`` asks the same before anything is spoken. Either
raises an ``InputError`` (one line, exit 2) when that episode was built from an edited script and
``replace`` (``bulletin build --replace``) was not given.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..errors import InputError
from ..feed import Catalog
from ..feed.catalog import READY
from ..feed.text import one_line
from ..models import Episode


def replaceable(catalog: Catalog, db: sqlite3.Connection, guid: str,
                replace: bool = False) -> Episode | None:
    """The episode of ``guid`` that publishing would replace, if any; an ``InputError`` when it
    was built from an edited script and ``replace`` is not given."""
    before = catalog.get(db, guid)
    if before is None or replace:
        return before
    edited = catalog.edited_at(db, guid)
    if edited is not None:
        raise InputError(f"{catalog.site}: episode #{before.number} \"{one_line(before.title)}\" "
                         f"was built from an edited script ({edited:%Y-%m-%d %H:%M} UTC); "
                         "building it again would replace the edited version: give --replace "
                         "to replace it anyway")
    return before


def check_replace(site: Path, guid: str, replace: bool = False) -> None:
    """Before a build speaks: the refusal ``replaceable`` would raise, from a snapshot of the
    site's catalog (nothing when the site has no episodes yet)."""
    if replace or Catalog.unopened(site).state() != READY:
        return
    catalog = Catalog(site, create=False)
    with catalog.reading() as db:
        replaceable(catalog, db, guid)
