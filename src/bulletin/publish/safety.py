"""What keeps a published site whole while a build or a removal changes it.

``check_writable(site)`` refuses a read-only site in one line, before any work. ``site_lock(site)``
orders the writers of one site (an advisory lock on its folder). ``catalog_guard(site)`` refuses to
build over a catalog that is missing or empty while the site still has a feed or episodes (a build
would drop them all); ``rebuild_catalog(site)`` brings such a catalog back from ``feed.xml`` and the
episode files. ``replacing(site, files)`` puts new versions of files in place and, when the block
fails (a commit that did not happen), puts the old ones back. ``write_errors(site)`` turns a failed
write into one line: a full disk is a ``ToolError``, a read-only site an ``InputError``.
``sweep(site, ...)`` deletes files no one needs any more, never one the feed lists.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import secrets
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from ..errors import InputError, ToolError
from ..feed import EPISODES_DIR, FEED_FILE, INDEX_FILE, Catalog, EpisodeFiles
from ..feed.catalog import FILENAME, MISSING, READY, NotACatalog, is_writable
from ..feed.recover import recover
from ..fileio import atomic_writer

log = logging.getLogger(__name__)

LOCK_TIMEOUT = 120.0  # seconds a writer waits for another to finish with the site
STALE_SECONDS = 3600  # an unused file this old is left over from a build that was killed
BACKUP_SUFFIX = ".prev"  # the feed and page as they were, until the catalog commits
REBUILD_HINT = "pass --rebuild-catalog to rebuild it from feed.xml and the episode files"
SWEPT_SUFFIXES = (".mp3", ".vtt", ".srt", ".json")


def check_writable(site: Path) -> None:
    """An ``InputError`` when bulletin cannot publish into ``site``: a file in its place, or a
    read-only folder (mount, permissions or immutable files)."""
    if site.exists() and not site.is_dir():
        raise InputError(f"{site}: not a folder, so no site can be published into it")
    folder = site
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    blocked = [] if is_writable(folder) else [folder]
    for name in (EPISODES_DIR, FILENAME, FEED_FILE, INDEX_FILE):
        path = site / name
        if path.exists() and not os.access(path, os.W_OK | (os.X_OK if path.is_dir() else 0)):
            blocked.append(path)
    if blocked:
        raise InputError(f"{site}: the site is read-only ({blocked[0]} cannot be written); "
                         "nothing was built or changed")


def _hold(fd: int, wait: float, busy: str) -> None:
    """Take the advisory lock on ``fd``, waiting up to ``wait`` seconds; a ``ToolError`` saying
    ``busy`` when another process keeps it longer. A filesystem without locks is let through (the
    catalog's own SQLite lock still orders what is committed)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise ToolError(busy) from None
            time.sleep(0.05)
        except OSError:
            return


@contextlib.contextmanager
def site_lock(site: Path) -> Iterator[None]:
    """Hold the site for one writer at a time (builds and removals queue here)."""
    fd = os.open(site, os.O_RDONLY)
    try:
        _hold(fd, LOCK_TIMEOUT, f"{site}: another bulletin has held the site for "
                                f"{LOCK_TIMEOUT:.0f} s; try again later")
        yield
    finally:
        os.close(fd)  # releases the lock


EDITION_LOCK = ".edition.lock"  # held by the edition being made, so that editions queue
EDITION_WAIT = 3600.0  # seconds an edition waits for the one before it to finish


@contextlib.contextmanager
def edition_lock(site: Path, wait: float = EDITION_WAIT) -> Iterator[None]:
    """Hold the site for one edition at a time, from reading the feeds to publishing: a second
    edition started meanwhile waits, then finds what the first published (and that nothing is new
    since). Builds and removals still come in between, under ``site_lock``."""
    with write_errors(site):
        site.mkdir(parents=True, exist_ok=True)
        fd = os.open(site / EDITION_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _hold(fd, wait, f"{site}: another edition has been running for {wait:.0f} s; "
                        "try again later")
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def write_errors(site: Path) -> Iterator[None]:
    """A failed write into the site as one line: no space is a ToolError, no permission (or a
    read-only filesystem) an InputError."""
    try:
        yield
    except OSError as exc:
        where = exc.filename or site
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise InputError(f"{site}: the site is read-only ({where}: {exc.strerror})") from None
        raise ToolError(f"{where}: cannot write into the site ({exc.strerror})") from None


def _refusal(site: Path, state: str) -> str | None:
    """Why a build must not go on over a catalog in ``state`` (None when it may)."""
    if state == READY:
        return None
    has_feed = (site / FEED_FILE).is_file()
    has_audio = state == MISSING and any((site / EPISODES_DIR).glob("*.mp3"))
    if not (has_feed or has_audio):
        return None
    what = "missing" if state == MISSING else "empty"
    has = "a feed" if has_feed else "episodes"
    return (f"{site}: the catalog ({FILENAME}) is {what} but the site has {has}; a build would "
            f"drop every episode; {REBUILD_HINT}")


def catalog_guard(site: Path) -> None:
    """Check the site's catalog before a build writes anything: an ``InputError`` when it is
    unreadable, or missing or empty while the site has a feed or episodes."""
    try:
        state = Catalog.unopened(site).state()
        if state == READY:
            Catalog(site, create=False).episodes()  # every row can be read
    except NotACatalog as exc:
        raise InputError(f"{exc}; {REBUILD_HINT}") from None
    refusal = _refusal(site, state)
    if refusal:
        raise InputError(refusal)


def rebuild_catalog(site: Path) -> int | None:
    """Rebuild a missing, empty or unreadable catalog from the feed and the episode files (an
    unreadable one is kept aside as ``catalog.sqlite3.broken-<time>``). Returns how many episodes
    came back, or None when the catalog was sound and was left as it is."""
    try:
        if Catalog.unopened(site).state() == READY:
            Catalog(site, create=False).episodes()
            return None
    except NotACatalog:
        stamp = time.strftime("%Y%m%dT%H%M%S")
        for suffix in ("", "-wal", "-shm"):
            old = site / (FILENAME + suffix)
            if old.exists():
                os.replace(old, site / f"{FILENAME}.broken-{stamp}{suffix}")
    found = recover(site)
    for line in found.skipped:
        log.warning("%s: left out of the rebuilt catalog: %s", site / FEED_FILE, line)
    catalog = Catalog(site)
    with catalog.transaction() as db:
        if catalog.is_empty(db):
            for episode in found.episodes:
                catalog.recover(db, episode)
            catalog.save_podcast_guid(db, found.podcast_guid)
    return len(found.episodes)


def _keep_aside(target: Path, backup: Path) -> None:
    try:
        os.link(target, backup)  # no data is copied: it works on a full disk
    except OSError:
        shutil.copy2(target, backup)


@contextlib.contextmanager
def replacing(site: Path, files: Mapping[str, str]) -> Iterator[None]:
    """Put ``files`` (site path → text) in place, each atomically; when the block raises, put back
    what was there before (or remove what was not)."""
    token = secrets.token_hex(4)
    existed = {name: (site / name).is_file() for name in files}
    backups: dict[str, Path] = {}
    try:
        for name in files:
            if existed[name]:
                backups[name] = site / f".{name}.{token}{BACKUP_SUFFIX}"
                _keep_aside(site / name, backups[name])
        with contextlib.ExitStack() as stack:
            handles = {name: stack.enter_context(atomic_writer(site / name)) for name in files}
            for name, text in files.items():
                handles[name].write(text.encode("utf-8"))
        yield
    except BaseException:
        for name in files:
            with contextlib.suppress(OSError):
                if name in backups:
                    os.replace(backups[name], site / name)
                elif not existed[name]:
                    (site / name).unlink(missing_ok=True)
        raise
    finally:
        for backup in backups.values():
            backup.unlink(missing_ok=True)


def files_of(audio_files: Iterable[str]) -> set[str]:
    """Every site path of the episodes whose audio files are ``audio_files``."""
    return {path for audio in audio_files for path in EpisodeFiles.of(audio).all}


def delete(site: Path, audio_files: Iterable[str], keep: set[str]) -> None:
    """Delete the files of the episodes whose audio is ``audio_files``, except those in ``keep``."""
    for path in sorted(files_of(audio_files) - keep):
        with contextlib.suppress(OSError):
            (site / path).unlink(missing_ok=True)


def sweep(site: Path, keep: set[str]) -> None:
    """Delete what killed builds left behind: temp files, kept-aside feeds and pages, and episode
    files not in ``keep``; only once they are an hour old, so a running build loses nothing."""
    cutoff = time.time() - STALE_SECONDS
    candidates = [*site.glob(".*.tmp"), *site.glob(f".*{BACKUP_SUFFIX}"),
                  *(site / EPISODES_DIR).glob("*")]
    for path in candidates:
        relative = path.relative_to(site).as_posix()
        if relative in keep or not path.name.endswith((".tmp", BACKUP_SUFFIX, *SWEPT_SUFFIXES)):
            continue
        try:
            info = path.stat()
            # a kept-aside copy is a new link to an old file: its ctime says when it was made
            moment = info.st_ctime if path.name.endswith(BACKUP_SUFFIX) else info.st_mtime
            if path.is_file() and moment < cutoff:
                path.unlink()
        except OSError:
            continue
