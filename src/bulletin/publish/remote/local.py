"""The site as a push sends it, read at one moment.

``local_site(site, snapshot=True)`` is a context manager giving a ``LocalSite``: every file a push
sends (``feed.xml``, ``index.html``, the cover the feed names, the episode files) with its size,
the feed's public base URL and the cover's site path. It is read under the site's lock, and the
files are hard-linked into a hidden snapshot folder in the site before the lock is let go: a build
publishing meanwhile waits a moment, not for the whole upload, and cannot change what is being
pushed (every site file is replaced by a rename, so a link keeps the version read). A site whose
folder cannot take the snapshot gets a copy in the temporary folder instead. ``snapshot=False``
(a dry run) reads the site in place and writes nothing.

Refused in one line (``InputError``): a site with no feed, a feed that cannot be read, whose URLs
name this machine only (no public base URL), or that lists a file the site lacks. Never sent: the
catalog, hidden files (locks, temporary files, kept-aside feeds), anything else in the folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ...config import Config
from ...errors import InputError
from ...feed import EPISODES_DIR, FEED_FILE, INDEX_FILE
from ...feed.files import CHAPTERS_SUFFIX
from ...feed.recover import FEED_LIMIT, listed_files
from ...feed.rss import is_local
from ..safety import site_lock

EPISODE_SUFFIXES = (".mp3", ".vtt", ".srt", CHAPTERS_SUFFIX)
SNAPSHOT_PREFIX = ".push-"
STALE_SECONDS = 24 * 3600  # a snapshot this old was left by a push that was killed
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass(frozen=True)
class LocalSite:
    """What a push sends: ``sizes`` (site path → bytes) of the files under ``root``."""

    root: Path  # the snapshot (or, for a dry run, the site itself)
    sizes: Mapping[str, int] = field(default_factory=dict)
    base: str = ""  # the feed's public URL of the site's folder, ending in "/"
    cover: str | None = None  # the site path of the cover the feed names (None: elsewhere)


def _links(feed: Path) -> tuple[str, str]:
    """The feed's own URL and its cover's URL."""
    from lxml import etree

    try:
        with feed.open("rb") as handle:
            data = handle.read(FEED_LIMIT + 1)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        channel = etree.fromstring(data, parser).find("channel")
    except (OSError, etree.XMLSyntaxError) as exc:
        raise InputError(f"{feed}: cannot be read as a feed ({exc}); nothing was pushed") from None
    if channel is None or len(data) > FEED_LIMIT:
        raise InputError(f"{feed}: not an RSS feed bulletin made; nothing was pushed")
    self_link = channel.find(f"{ATOM}link[@rel='self']")
    image = channel.find(f"{ITUNES}image")
    return ((self_link.get("href", "") if self_link is not None else ""),
            (image.get("href", "") if image is not None else ""))


def _public_base(feed: Path, url: str, config: Config) -> str:
    """The base URL of the feed at ``url``; an ``InputError`` when it names this machine."""
    if url.endswith("/" + FEED_FILE) and not is_local(url):
        return url[:-len(FEED_FILE)]
    given = config.show.base_url
    hint = (f"it was built before base_url was {given}: build again to push" if not is_local(given)
            else "build again with --base-url (or [show] base_url in bulletin.toml) set to the "
                 "site's public URL, then push")
    raise InputError(f"{feed}: its links point at this machine ({url or 'no URL'}), so no "
                     f"listener could follow them; {hint}")


def _site_files(site: Path, cover: str | None) -> list[str]:
    """The site paths of every file a push sends."""
    names = [name for name in (FEED_FILE, INDEX_FILE, cover) if name and (site / name).is_file()]
    episodes = site / EPISODES_DIR
    if episodes.is_dir():
        for path in sorted(episodes.iterdir()):
            if (path.name.endswith(EPISODE_SUFFIXES) and not path.name.startswith(".")
                    and path.is_file() and not path.is_symlink()):
                names.append(f"{EPISODES_DIR}/{path.name}")
    return names


def _read(site: Path, config: Config) -> tuple[list[str], str, str | None]:
    """The files to send, the base URL and the cover's site path (under the site's lock)."""
    feed = site / FEED_FILE
    url, image = _links(feed)
    base = _public_base(feed, url, config)
    cover = image[len(base):] if image.startswith(base) else None
    if cover is not None and not (cover.startswith("cover.") and "/" not in cover):
        cover = None  # not a cover bulletin put in the site
    names = _site_files(site, cover)
    listed = listed_files(site)
    if listed is None:
        raise InputError(f"{feed}: cannot be read as a feed; nothing was pushed")
    missing = sorted(listed - set(names))
    if missing:
        raise InputError(f"{feed}: lists {missing[0]}, which the site lacks; run bulletin feed "
                         "check; nothing was pushed")
    return names, base, cover


def _clear_stale(site: Path) -> None:
    """Remove snapshots that killed pushes left behind (a day old: no push runs that long)."""
    cutoff = time.time() - STALE_SECONDS
    for old in site.glob(SNAPSHOT_PREFIX + "*"):
        with contextlib.suppress(OSError):
            if old.is_dir() and not old.is_symlink() and old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)


def _snapshot(site: Path, names: list[str]) -> Path:
    """``names`` hard-linked into a new hidden folder in ``site`` (copied into the temporary
    folder when the site cannot take one)."""
    try:
        folder = Path(tempfile.mkdtemp(prefix=SNAPSHOT_PREFIX, dir=site)).resolve()
    except OSError:
        folder = Path(tempfile.mkdtemp(prefix="bulletin-push-")).resolve()
    try:
        (folder / EPISODES_DIR).mkdir()
        for name in names:
            try:
                os.link(site / name, folder / name, follow_symlinks=False)
            except OSError:
                shutil.copyfile(site / name, folder / name)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


@contextlib.contextmanager
def local_site(site: Path, config: Config, *, snapshot: bool = True) -> Iterator[LocalSite]:
    """The site as it is now (see the module's description); the snapshot goes on exit."""
    if not site.is_dir():
        raise InputError(f"{site}: no such site folder; nothing to push")
    if not (site / FEED_FILE).is_file():
        raise InputError(f"{site}: no {FEED_FILE}, so nothing to push; build an episode first")
    if snapshot:
        _clear_stale(site)
    with site_lock(site):
        names, base, cover = _read(site, config)
        root = _snapshot(site, names) if snapshot else site
    try:
        sizes = {name: (root / name).stat().st_size for name in names}
        yield LocalSite(root, sizes, base, cover)
    finally:
        if root != site:
            shutil.rmtree(root, ignore_errors=True)
