"""Reading a realistic newsroom over HTTP: every kind of feed, syndicated copies, dead links, broken
and hostile feeds and pages, slow servers, conditional GET and polite fetching.

Each test gets a fresh newsroom (tests/newsroom.py): a real server on 127.0.0.1 whose feeds and
pages are built from the shared corpus. Fetchers here have short limits.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import pytest

from bulletin import __version__
from bulletin.articles.choose import choose_stories
from bulletin.articles.fetch import Fetcher
from bulletin.articles.news import FeedsRead, read_feeds, read_stories
from bulletin.errors import InputError
from bulletin.models import Candidate, FeedItem
from newsroom import FEED_PATHS, GONE, GONE_PARAGRAPHS, VANISHED, Newsroom, resolve
from test_fetch_limits import peak_memory

CAP = 1 << 20  # the test fetcher's cap, for pages and feeds alike


def fetcher(**limits: Any) -> Fetcher:
    """Short limits; names under .newsroom.test reach the newsroom."""
    options = {"timeout": 1.0, "deadline": 3.0, "max_bytes": CAP, "max_feed_bytes": CAP,
               "resolver": resolve}
    return Fetcher(**{**options, **limits})


def read(newsroom: Newsroom, *paths: str, state: Any = None, **limits: Any) -> FeedsRead:
    return read_feeds([newsroom.url(p) for p in paths], state or {}, fetcher=fetcher(**limits))


def item_at(newsroom: Newsroom, path: str, title: str = "A story", content: str = "",
            host: str | None = None) -> FeedItem:
    """An item of a feed the newsroom served (so a local one) linking to ``path`` on ``host``."""
    link = newsroom.url(path, host)
    return FeedItem(id=link, title=title, link=link, feed=newsroom.url("/rss.xml"),
                    published=newsroom.now, content=content, local=True)


def candidate(item: FeedItem) -> Candidate:
    return Candidate(items=(item,), published=item.published or dt.datetime.now(dt.UTC))


def linked(newsroom: Newsroom, path: str) -> FeedItem:
    """The item of /rss.xml, read by bulletin, whose link is ``path``."""
    feed = read(newsroom, "/rss.xml").feeds[0]
    return next(item for item in feed.items if item.link == newsroom.url(path))


def text_of(html: str) -> str:
    return " ".join(lxml.html.fragment_fromstring(html, create_parent=True).text_content().split())


# --- Feeds ----------------------------------------------------------------------------------------

def test_every_kind_of_feed_is_read_with_its_items_links_and_dates(newsroom: Newsroom) -> None:
    result = read(newsroom, *FEED_PATHS)
    assert result.problems == ()
    assert [feed.source for feed in result.feeds] == [newsroom.url(p) for p in FEED_PATHS]
    for feed, path in zip(result.feeds, FEED_PATHS, strict=True):
        title, sent = newsroom.feeds[path]
        assert feed.title == title
        assert feed.local  # served from a loopback address
        assert [i.title for i in feed.items] == [i.title for i in sent]
        assert [i.link for i in feed.items] == [newsroom.url(i.link) for i in sent]
        assert [i.published for i in feed.items] == [
            None if i.age is None else newsroom.now - i.age for i in sent]
        for got, given in zip(feed.items, sent, strict=True):
            if given.content:
                assert text_of(given.content).split(". ")[0] in text_of(got.content)
            else:
                assert got.content == ""


def test_a_broken_feed_and_a_web_page_are_named_and_the_others_read(newsroom: Newsroom) -> None:
    result = read(newsroom, "/rss.xml", "/broken.xml", "/", "/atom.xml")
    assert [feed.source for feed in result.feeds] == [newsroom.url("/rss.xml"),
                                                      newsroom.url("/atom.xml")]
    broken, page = result.problems
    assert broken.startswith(f"{newsroom.url('/broken.xml')}: not a news feed: the XML is cut")
    assert page == f"{newsroom.url('/')}: an HTML page, not a news feed"


def test_when_no_feed_can_be_read_that_is_one_input_error(newsroom: Newsroom) -> None:
    with pytest.raises(InputError) as caught:
        read(newsroom, "/broken.xml", "/", "/missing.xml")
    line = str(caught.value)
    assert "\n" not in line
    assert f"{newsroom.url('/broken.xml')}: not a news feed" in line
    assert "2 more" in line


def test_a_slow_feed_costs_no_more_than_the_fetchers_timeout(newsroom: Newsroom) -> None:
    started = time.monotonic()
    result = read(newsroom, "/slow/rss.xml", "/atom.xml", timeout=1.0)
    assert time.monotonic() - started < 1.0 + 2.0  # far less than the 5 s it would take
    assert [feed.source for feed in result.feeds] == [newsroom.url("/atom.xml")]
    assert result.problems == (f"{newsroom.url('/slow/rss.xml')}: timed out after 1 s",)


def test_a_feed_that_trickles_stops_at_the_deadline(newsroom: Newsroom) -> None:
    started = time.monotonic()
    result = read(newsroom, "/trickle/rss.xml", "/atom.xml", timeout=1.0, deadline=2.0)
    assert time.monotonic() - started < 2.0 + 2.0  # it would take a minute
    assert result.problems == (f"{newsroom.url('/trickle/rss.xml')}: gave up after the 2 s "
                               "deadline",)


@pytest.mark.parametrize("path", ["/huge.xml", "/bomb.xml"])
def test_an_oversized_feed_is_refused_in_bounded_memory(newsroom: Newsroom, path: str) -> None:
    with peak_memory() as peak:
        result = read(newsroom, path, "/atom.xml")
    assert [feed.source for feed in result.feeds] == [newsroom.url("/atom.xml")]
    [line] = result.problems
    assert line.startswith(f"{newsroom.url(path)}: too large for a news feed (more than {CAP} ")
    assert peak() < 8 * CAP, f"reading held {peak()} bytes at once with a {CAP}-byte cap"


def test_a_feed_is_asked_for_again_only_if_changed(newsroom: Newsroom) -> None:
    url = newsroom.url("/rss.xml")
    first = read(newsroom, "/rss.xml")
    second = read(newsroom, "/rss.xml", state=first.state)
    asked = newsroom.hits("/rss.xml")[1]
    assert asked.headers["if-none-match"] == first.state[url].etag == first.feeds[0].etag
    assert asked.headers["if-modified-since"] == first.feeds[0].last_modified
    assert asked.status == 304
    assert second.feeds[0].items == first.feeds[0].items
    newsroom.add_item("/rss.xml", "Ferry timetable published", "/news/ferry-timetable.html",
                      summary="The spring timetable adds two late crossings.")
    third = read(newsroom, "/rss.xml", state=second.state)
    assert newsroom.hits("/rss.xml")[2].status == 200
    assert [i.title for i in third.feeds[0].items] == [
        "Ferry timetable published", *(i.title for i in first.feeds[0].items)]
    assert third.state[url].etag != first.state[url].etag


def test_a_story_in_several_feeds_is_one_candidate_with_each_source(newsroom: Newsroom) -> None:
    # The syndicated copy (another path, utm_* parameters, another headline) merges by its text;
    # the tracked link by its address once its utm_* parameters are gone.
    def page(link: str) -> str:
        return urlsplit(link).path.replace("/wire/", "/news/")

    sources: dict[str, set[str]] = {}  # each page, and the feeds the newsroom lists it in
    for path, (_, sent) in newsroom.feeds.items():
        for item in sent:
            sources.setdefault(page(item.link or ""), set()).add(newsroom.url(path))
    old = newsroom.story("old").path
    items = [item for feed in read(newsroom, *FEED_PATHS).feeds for item in feed.items]
    chosen, dropped = choose_stories(items, now=newsroom.now, max_age=dt.timedelta(days=1),
                                     count=len(items))
    merged = {page(c.items[0].link or ""): {item.feed for item in c.items} for c in chosen}
    assert len(merged) == len(chosen)  # no page is in two candidates
    assert merged == {path: feeds for path, feeds in sources.items() if path != old}
    assert len(merged[newsroom.story("syndicated").path]) == 3
    assert [drop.url for drop in dropped] == [newsroom.url(old)]


# --- Stories --------------------------------------------------------------------------------------

def test_every_corpus_page_is_read_from_the_page_with_its_story_and_no_chrome(
        newsroom: Newsroom) -> None:
    pages = {story.path: story for story in newsroom.stories}
    found: dict[str, FeedItem] = {}
    for feed in read(newsroom, *FEED_PATHS).feeds:
        for item in feed.items:
            found.setdefault(urlsplit(item.link or "").path, item)
    assert set(pages) <= set(found)  # every corpus page is in some feed
    stories, dropped = read_stories([candidate(found[path]) for path in pages],
                                    fetcher=fetcher())
    assert dropped == []
    problems = []
    for (chosen, article), story in zip(stories, pages.values(), strict=True):
        assert chosen.items[0].link == newsroom.url(story.path)
        # The page's own address, not the link: the story came from the page, not the feed.
        assert urlsplit(article.url).netloc == urlsplit(story.expected["url"]).netloc
        text = "\n".join([article.title, *article.paragraphs])
        problems += [f"{story.name}: missing {s!r}" for s in story.expected["with"]
                     if s not in text]
        problems += [f"{story.name}: kept {s!r}" for s in story.expected["without"] if s in text]
    assert problems == []


def test_a_dead_link_falls_back_to_the_items_own_text(newsroom: Newsroom) -> None:
    item = linked(newsroom, GONE)
    stories, dropped = read_stories([candidate(item)], fetcher=fetcher())
    assert dropped == []
    [(_, article)] = stories
    assert article.title == item.title
    assert article.paragraphs == GONE_PARAGRAPHS
    assert [request.status for request in newsroom.hits(GONE)] == [404]  # the page was tried


def test_a_dead_link_with_no_text_is_dropped_with_the_reason(newsroom: Newsroom) -> None:
    item = linked(newsroom, VANISHED)
    stories, dropped = read_stories([candidate(item)], fetcher=fetcher())
    assert stories == []
    [drop] = dropped
    assert (drop.title, drop.url) == (item.title, item.link)
    assert "404" in drop.reason
    assert "\n" not in drop.reason


def test_a_slow_page_costs_no_more_than_the_timeout_and_the_feed_text_is_read(
        newsroom: Newsroom) -> None:
    story = newsroom.stories[0]
    html = "".join(f"<p>{paragraph}</p>" for paragraph in GONE_PARAGRAPHS)
    item = item_at(newsroom, "/slow" + story.path, "Harbour footbridge to close", html)
    started = time.monotonic()
    stories, dropped = read_stories([candidate(item)], fetcher=fetcher(timeout=1.0))
    assert time.monotonic() - started < 1.0 + 2.0
    [(_, article)] = stories
    assert article.paragraphs == GONE_PARAGRAPHS


@pytest.mark.parametrize("path", ["/huge.html", "/bomb.html"])
def test_an_oversized_page_is_refused_in_bounded_memory(newsroom: Newsroom, path: str) -> None:
    with peak_memory() as peak:
        stories, dropped = read_stories([candidate(item_at(newsroom, path))], fetcher=fetcher())
    assert stories == []
    [drop] = dropped
    assert "too large" in drop.reason
    assert "\n" not in drop.reason
    assert peak() < 8 * CAP, f"reading held {peak()} bytes at once with a {CAP}-byte cap"


# --- Politeness -----------------------------------------------------------------------------------

def test_every_request_names_bulletin_and_its_version(newsroom: Newsroom) -> None:
    feeds = read(newsroom, *FEED_PATHS).feeds
    read_stories([candidate(item) for item in feeds[0].items[:2]], fetcher=fetcher())
    agents = {request.user_agent for request in newsroom.requests}
    assert len(newsroom.requests) == len(FEED_PATHS) + 2
    assert [agent.split(" ")[0] for agent in agents] == [f"bulletin/{__version__}"]


def test_never_more_than_two_requests_at_once_to_one_host(newsroom: Newsroom) -> None:
    newsroom.latency = 0.4  # every answer takes a while, so fetches overlap when they can
    read(newsroom, *FEED_PATHS)
    assert newsroom.max_in_flight == {newsroom.host: 2}


def test_two_at_once_per_host_yet_hosts_at_once(newsroom: Newsroom) -> None:
    newsroom.latency = 0.5
    hosts = ["a.newsroom.test", "b.newsroom.test", "127.0.0.1"]
    items = [item_at(newsroom, story.path, story.title, host=host)
             for story in newsroom.stories[:3] for host in hosts]  # 3 a host: more than 2
    stories, dropped = read_stories([candidate(item) for item in items], fetcher=fetcher())
    assert (len(stories), dropped) == (len(items), [])
    assert sorted(newsroom.max_in_flight) == sorted(urlsplit(newsroom.url("/", h)).netloc
                                                    for h in hosts)
    assert set(newsroom.max_in_flight.values()) == {2}
    assert newsroom.max_in_flight_total > 2  # one host's limit does not hold the others back
