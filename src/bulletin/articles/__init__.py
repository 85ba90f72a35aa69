"""The articles stage: sources in, cleaned ``Article``s out.

``read_articles(sources, fetcher=..., stdin=...)`` reads each source (a ``.txt``, ``.md`` or
``.html`` file, an ``http(s)://`` URL, or ``-`` for standard input) and cleans it of what a
newsreader would never say (captions, credits, bylines, prompts, links). Inside: ``read`` turns a
source into an ``Article`` by its format, ``fetch`` is bulletin's one HTTP client (bounded in time
and size; its connections, made by ``network``, keep the private-address rule of ``addresses``),
``clean`` drops the page's chrome.

For an edition: ``news.read_feeds`` reads news feeds (``feeds`` parses them) and
``news.read_stories`` reads the chosen stories' pages, falling back to the feed's own text
(``feedtext``), with bounded concurrency and the private-address rule for links from feeds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import BinaryIO

from ..errors import InputError
from ..limits import check_count
from ..models import Article
from .clean import clean_article
from .fetch import Fetcher
from .news import FeedsRead, read_feeds, read_stories
from .read import DEFAULT_FETCHER, read_article


def read_articles(sources: Sequence[str], *, fetcher: Fetcher = DEFAULT_FETCHER,
                  stdin: BinaryIO | None = None) -> list[Article]:
    """The articles of ``sources``, read and cleaned, in the order given.

    In: ``sources``, each a file path, an http(s) URL (fetched with ``fetcher``) or ``-`` (read
    from ``stdin``, else standard input; at most once). Out: one cleaned ``Article`` per source.
    Raises ``InputError`` naming the source when there are none, more than one bulletin holds
    (checked before any is read), or one cannot be read or has no story text left once cleaned.
    """
    if not sources:
        raise InputError("no articles given")
    if list(sources).count("-") > 1:
        raise InputError("-: standard input can be read only once")
    check_count(sources)
    return [clean_article(read_article(source, fetcher=fetcher, stdin=stdin))
            for source in sources]


__all__ = ["FeedsRead", "Fetcher", "read_articles", "read_feeds", "read_stories"]
