"""Read an edition's news feeds, then its stories: concurrently, politely, within limits.

``read_feeds(sources, state)``: each source is an http(s) URL (fetched with a conditional GET
from what ``state`` remembers of it; a 304 re-reads the remembered body) or a file path (a local
feed). In: the sources and the ``FeedState`` of each URL read before, keyed by the URL without
credentials. Out: ``FeedsRead``: the feeds read, in the order given, one problem line per feed
that could not be, and the state to remember. Only when no feed at all can be read is that an
``InputError``.

``read_stories(candidates)``: for each candidate, its item's page is fetched and read as any
article is; when that fails or says less than the item's own text, the feed's text is the story.
Out: the candidates read with their ``Article``s, and a ``Dropped`` (with a one-line reason) for
each that gave no story, both in the order given.

Politeness: at most ``MAX_FETCHES`` fetches at once, at most ``MAX_PER_HOST`` to one host. The
private-address rule: a feed's own address was typed by the user, so it may be private; a link
found in a feed may reach a private, loopback or link-local address only when that feed was local
(read from a file or from a private address). Only http and https links are fetched.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import zip_longest
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar
from urllib.parse import urlsplit

import lxml.etree
import lxml.html

from ..errors import InputError
from ..fileio import read_user_bytes
from ..models import Article, Candidate, Dropped, Feed, FeedItem, FeedState
from .clean import clean_article
from .feeds import parse_feed
from .feedtext import feed_article
from .fetch import FEED_MAX_BYTES, FEED_TYPES, Fetcher, without_credentials
from .read import canonical_url, is_url, parse

MAX_FETCHES = 8  # fetches at once
MAX_PER_HOST = 2  # fetches at once to one host
# A page that says less than this share of the feed's own text is not the whole story (a teaser,
# a paywall, a consent wall): the feed's text is read instead. The page wins otherwise, as the
# reader extracts it more cleanly than a feed's markup gives it.
TOO_LITTLE = 0.5
DEFAULT_FETCHER = Fetcher()  # its limits are used; the rule above sets allow_private per fetch
Progress = Callable[[int, int], None]  # (done, total), called as each fetch ends
T = TypeVar("T")


@dataclass(frozen=True)
class FeedsRead:
    """The feeds an edition could read, a line for each it could not, and what to remember."""

    feeds: tuple[Feed, ...]  # in the order given
    problems: tuple[str, ...]  # one InputError line per broken or unreachable feed
    # Per feed URL (without credentials) that has a validator: its new state, or the state held
    # before when it could not be read this time. File feeds have none.
    state: Mapping[str, FeedState] = field(default_factory=lambda: MappingProxyType({}),
                                           hash=False)

    @property
    def items(self) -> list[FeedItem]:
        """Every item of every feed read, feed by feed in the order given."""
        return [item for feed in self.feeds for item in feed.items]


def read_feeds(sources: Sequence[str], state: Mapping[str, FeedState], *,
               fetcher: Fetcher = DEFAULT_FETCHER,
               progress: Progress | None = None) -> FeedsRead:
    """The feeds of ``sources`` (each read once), or ``InputError`` when none can be read."""
    if not sources:
        raise InputError("no news feeds given")
    unique = list(dict.fromkeys(sources))
    typed = replace(fetcher, allow_private=True)  # the user named these addresses
    outcomes = _bounded([(_host(source), partial(_read_feed, source, state, typed))
                         for source in unique], progress)
    feeds = tuple(feed for feed, _, _ in outcomes if feed is not None)
    problems = tuple(problem for _, problem, _ in outcomes if problem is not None)
    if not feeds:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InputError(f"no feed could be read: {problems[0]}{more}")
    remembered = {key: held for _, _, (key, held) in outcomes if held is not None}
    return FeedsRead(feeds=feeds, problems=problems, state=MappingProxyType(remembered))


def _read_feed(source: str, state: Mapping[str, FeedState], fetcher: Fetcher,
               ) -> tuple[Feed | None, str | None, tuple[str, FeedState | None]]:
    """One feed, or the line saying why not; and what to remember of it."""
    shown = without_credentials(source)
    held = state.get(shown)
    try:
        if not is_url(source):
            if "://" in source:
                raise InputError(f"{shown}: not an http or https URL")
            data = read_user_bytes(Path(source), "news feed", FEED_MAX_BYTES)
            return parse_feed(data, source, local=True), None, (shown, None)
        asked = held if held is not None and held.body else None
        page = fetcher.fetch(source, kinds=FEED_TYPES, etag=asked and asked.etag,
                             last_modified=asked and asked.last_modified)
        body = asked.body if page.not_modified and asked else page.body
        feed = parse_feed(body, shown, local=page.private, etag=page.etag,
                          last_modified=page.last_modified)
    except InputError as exc:
        return None, str(exc), (shown, held)
    fresh = FeedState(page.etag, page.last_modified, body) if page.etag or page.last_modified \
        else None
    return feed, None, (shown, fresh)


def read_stories(candidates: Sequence[Candidate], *, fetcher: Fetcher = DEFAULT_FETCHER,
                 progress: Progress | None = None,
                 ) -> tuple[list[tuple[Candidate, Article]], list[Dropped]]:
    """Each candidate's story, read from its page or else from its feed, or why it has none."""
    outcomes = _bounded([(_host(candidate.item.link), partial(_read_story, candidate.item,
                                                              fetcher))
                         for candidate in candidates], progress)
    read: list[tuple[Candidate, Article]] = []
    dropped: list[Dropped] = []
    for candidate, outcome in zip(candidates, outcomes, strict=True):
        if isinstance(outcome, Article):
            read.append((candidate, outcome))
        else:
            dropped.append(outcome)
    return read, dropped


def _read_story(item: FeedItem, fetcher: Fetcher) -> Article | Dropped:
    page, page_problem = _from_page(item, fetcher)
    told: Article | None = None
    told_problem = "none"
    if item.content.strip() or item.summary.strip():
        try:
            told = feed_article(item)
        except InputError as exc:
            told_problem = _reason(exc, item.link or item.feed)
    if page is not None and (told is None or _words(page) >= TOO_LITTLE * _words(told)):
        return page
    if told is not None:  # the page's own address and name still hold when it was read
        return told if page is None else replace(told, url=page.url, site=page.site or told.site)
    return Dropped(title=item.title or item.link or item.feed, url=item.link,
                   reason=f"page: {page_problem}; feed text: {told_problem}")


def _from_page(item: FeedItem, fetcher: Fetcher) -> tuple[Article | None, str]:
    """The story as the item's page has it (titled as the item), or why there is none."""
    if not item.link:
        return None, "no link"
    if not is_url(item.link):
        return None, "not an http or https link"
    shown = without_credentials(item.link)
    try:
        page = replace(fetcher, allow_private=item.local).fetch(item.link)
        # Cleaned under the page's headline first, which the page may repeat as its first line.
        article = clean_article(parse(page.body, page.kind, page.source, page.url))
        if item.title.strip():
            article = clean_article(replace(article, title=item.title))
    except InputError as exc:
        return None, _reason(exc, shown)
    canonical = _canonical(page.body, page.url) if page.kind == "html" else None
    return replace(article, url=canonical or shown,
                   site=_site_name(article.site, page.url) or item.feed_title,
                   date=article.date or (item.published.date() if item.published else None)), ""


def _canonical(body: bytes, base: str) -> str | None:
    """The page's own address for itself (see ``read.canonical_url``)."""
    try:
        tree = lxml.html.fromstring(body)
    except (ValueError, lxml.etree.ParserError):
        return None
    return canonical_url(tree, base)


def _site_name(site: str | None, url: str) -> str | None:
    """The page's name for its site; not the host name the reader falls back to."""
    if not site:
        return None
    try:
        address = urlsplit(url)
    except ValueError:
        return site
    hosts = {name.lower().removeprefix("www.") for name in (address.netloc, address.hostname or "")}
    return None if site.lower().removeprefix("www.") in hosts else site


def _reason(exc: InputError, source: str) -> str:
    """An InputError's line without the source it starts with."""
    text = str(exc)
    return text[len(source) + 2:] if text.startswith(f"{source}: ") else text


def _words(article: Article) -> int:
    return sum(len(paragraph.split()) for paragraph in article.paragraphs)


def _host(source: str | None) -> str | None:
    """The host a fetch of ``source`` goes to first, or None when it is not fetched."""
    if not source or not is_url(source):
        return None
    try:
        return (urlsplit(source).hostname or "").lower() or None
    except ValueError:
        return None


def _bounded(jobs: Sequence[tuple[str | None, Callable[[], T]]],
             progress: Progress | None) -> list[T]:
    """Each job's result, in order: at most MAX_FETCHES run at once, MAX_PER_HOST per host.
    Jobs start host by host in turn, so that one busy host does not hold every worker."""
    if not jobs:
        return []
    gates = {host: threading.Semaphore(MAX_PER_HOST) for host, _ in jobs if host}

    def run(index: int) -> T:
        host, job = jobs[index]
        if host is None:
            return job()
        with gates[host]:
            return job()

    by_host: dict[str | None, list[int]] = {}
    for index, (host, _) in enumerate(jobs):
        by_host.setdefault(host, []).append(index)
    order = [i for turn in zip_longest(*by_host.values()) for i in turn if i is not None]
    results: dict[int, T] = {}
    pool = ThreadPoolExecutor(max_workers=min(MAX_FETCHES, len(jobs)),
                              thread_name_prefix="bulletin-fetch")
    try:
        futures = {pool.submit(run, index): index for index in order}
        for done, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if progress is not None:
                progress(done, len(jobs))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return [results[index] for index in range(len(jobs))]
