"""What a push does, decided before it does anything.

``plan_push(local, remote_sizes, remote_md5)`` → ``Plan``: the uploads in the order they must go
(media, then pages, then the feed), each a group of files sharing their HTTP headers, and the
deletions that follow the feed. In: the ``LocalSite``, the remote's sizes of the files a push
looks at, and the MD5 of those remote pages whose size matches the site's.

An episode file on the remote with the same name and size is never sent again (its name carries a
hash of the audio: same name, same bytes); a page or feed is sent unless its MD5 shows it is the
same. Deleted: only what bulletin owns and the site no longer has, i.e. files under ``episodes/``
and an old cover (``cover.png``, ``cover.jpg``, ``cover.jpeg``) the feed no longer names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ...feed import EPISODES_DIR, FEED_FILE, INDEX_FILE
from ...feed.chapters import MIME_TYPE as CHAPTERS_TYPE
from ...feed.files import CHAPTERS_SUFFIX
from .local import LocalSite

IMMUTABLE = "public, max-age=31536000, immutable"  # content-hashed names never change
SHORT = "public, max-age=300"  # the feed, the page and the cover change under the same name
# Each kind of file: the end of its name, its Content-Type, its Cache-Control (first match wins).
KINDS = (
    (".mp3", "audio/mpeg", IMMUTABLE),
    (".vtt", "text/vtt", IMMUTABLE),
    (".srt", "application/x-subrip", IMMUTABLE),
    (CHAPTERS_SUFFIX, CHAPTERS_TYPE, IMMUTABLE),
    (".png", "image/png", SHORT),
    (".jpg", "image/jpeg", SHORT),
    (".jpeg", "image/jpeg", SHORT),
    (".html", "text/html", SHORT),
    (".xml", "application/rss+xml", SHORT),
)
_KIND_ORDER = [*((f"Content-Type: {t}", f"Cache-Control: {c}") for _, t, c in KINDS),
               (f"Cache-Control: {SHORT}",)]
OLD_COVERS = ("cover.png", "cover.jpg", "cover.jpeg")  # the names bulletin has given a cover
BATCH_FILES = 100  # files uploaded by one rclone run at most
BATCH_BYTES = 512 * 1024 * 1024  # and bytes


@dataclass(frozen=True)
class Upload:
    """One rclone run: ``paths`` sent with the same headers, in the push's ``step``."""

    step: str  # "media", "pages" or "feed"
    paths: tuple[str, ...]
    headers: tuple[str, ...]
    size: int


@dataclass(frozen=True)
class Plan:
    uploads: tuple[Upload, ...]  # in the order they must go
    deletions: tuple[str, ...]  # after the feed
    unchanged: tuple[str, ...]  # already on the remote as they are in the site

    @property
    def uploaded(self) -> tuple[str, ...]:
        return tuple(path for upload in self.uploads for path in upload.paths)


def _headers(path: str) -> tuple[str, ...]:
    """The HTTP headers ``path`` is stored with (none that rclone would not guess for a kind of
    file bulletin does not make)."""
    for suffix, content_type, cache in KINDS:
        if path.endswith(suffix):
            return (f"Content-Type: {content_type}", f"Cache-Control: {cache}")
    return (f"Cache-Control: {SHORT}",)


def _md5(local: LocalSite, path: str) -> str:
    return hashlib.md5((local.root / path).read_bytes(), usedforsecurity=False).hexdigest()


def _groups(step: str, paths: Sequence[str], local: LocalSite) -> list[Upload]:
    """``paths`` in runs of one kind each, in order of kind, each within the batch limits."""
    runs: list[Upload] = []
    for kind in sorted(set(map(_headers, paths)), key=_KIND_ORDER.index):
        batch: list[str] = []
        for path in (p for p in paths if _headers(p) == kind):
            size = sum(local.sizes[p] for p in batch)
            if batch and (len(batch) >= BATCH_FILES or size + local.sizes[path] > BATCH_BYTES):
                runs.append(Upload(step, tuple(batch), kind, size))
                batch = []
            batch.append(path)
        runs.append(Upload(step, tuple(batch), kind, sum(local.sizes[p] for p in batch)))
    return runs


def plan_push(local: LocalSite, remote_sizes: Mapping[str, int],
              remote_md5: Mapping[str, str]) -> Plan:
    """The uploads and deletions that make the remote what the site is (see the module)."""
    media = [p for p in local.sizes if p.startswith(EPISODES_DIR + "/")]
    pages = [p for p in (local.cover, INDEX_FILE) if p in local.sizes]
    send_media = [p for p in media if remote_sizes.get(p) != local.sizes[p]]
    send_pages = [p for p in (*pages, FEED_FILE)
                  if remote_sizes.get(p) != local.sizes[p] or remote_md5.get(p) != _md5(local, p)]
    uploads = [*_groups("media", send_media, local),
               *_groups("pages", [p for p in send_pages if p != FEED_FILE], local),
               *_groups("feed", [p for p in send_pages if p == FEED_FILE], local)]
    ours = [p for p in remote_sizes if p.startswith(EPISODES_DIR + "/") or p in OLD_COVERS]
    deletions = sorted(p for p in ours if p not in local.sizes and p != local.cover)
    sent = {*send_media, *send_pages}
    return Plan(uploads=tuple(uploads), deletions=tuple(deletions),
                unchanged=tuple(sorted(p for p in local.sizes if p not in sent)))
