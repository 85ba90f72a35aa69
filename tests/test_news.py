"""Reading an edition's feeds and stories over the network: conditional GET, feeds that fail while
others are read, at most two fetches to a host at once (eight in all), a page read else the feed's
own text, a story dropped with its reason, and links from a public feed kept off private addresses.

A real HTTP server on 127.0.0.1 (``Desk``) serves every feed and page and counts the requests it
is serving at once, per host. Made-up public names (``news.example``, ``h3.example``) resolve to
made-up public addresses, which ``Dialer`` connects to that server; it fails the test on any other
address, so nothing leaves this machine.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpcore
import pytest

from article_server import ARTICLE_HTML, EMPTY_HTML
from bulletin.articles.fetch import ARTICLE_TYPES, FEED_TYPES, Fetcher
from bulletin.articles.news import MAX_FETCHES, MAX_PER_HOST, read_feeds, read_stories
from bulletin.errors import InputError
from bulletin.models import Article, Candidate, Dropped, FeedItem, FeedState

PUBLIC = {"news.example": "93.184.216.34",
          **{f"h{n}.example": f"93.184.217.{n + 1}" for n in range(12)}}
WHEN = dt.datetime(2025, 3, 4, 9, 30, tzinfo=dt.UTC)


@dataclass
class Route:
    body: bytes
    type: str = "application/rss+xml"
    status: int = 200
    delay: float = 0.0
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class Desk:
    """What the server serves (by path, whatever the host), and what it saw."""

    port: int = 0
    routes: dict[str, Route] = field(default_factory=dict)
    seen: list[tuple[str, str, dict[str, str], int]] = field(default_factory=list)
    active: Counter[str] = field(default_factory=Counter)
    peak: Counter[str] = field(default_factory=Counter)  # most requests at once, per host
    peak_total: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def paths(self) -> list[str]:
        return [path for _, path, _, _ in self.seen]

    def answer(self, host: str, path: str, headers: dict[str, str]) -> tuple[Route, int]:
        route = self.routes.get(path) or Route(b"<h1>Not found</h1>", "text/html", 404)
        with self.lock:
            self.active[host] += 1
            self.peak[host] = max(self.peak[host], self.active[host])
            self.peak_total = max(self.peak_total, sum(self.active.values()))
        time.sleep(route.delay)
        unchanged = route.status == 200 and (
            (route.etag and headers.get("If-None-Match") == route.etag)
            or (route.last_modified and headers.get("If-Modified-Since") == route.last_modified))
        status = 304 if unchanged else route.status
        with self.lock:
            self.active[host] -= 1
            self.seen.append((host, path, headers, status))
        return route, status


class _Handler(BaseHTTPRequestHandler):
    desk: Desk

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        host = self.headers.get("Host", "").rsplit(":", 1)[0]
        route, status = self.desk.answer(host, self.path, dict(self.headers.items()))
        body = b"" if status == 304 else route.body
        self.send_response(status)
        self.send_header("Content-Type", route.type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (("ETag", route.etag), ("Last-Modified", route.last_modified)):
            if value:
                self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def desk() -> Iterator[Desk]:
    served = Desk()
    handler = type("Handler", (_Handler,), {"desk": served})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    served.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class Dialer(httpcore.NetworkBackend):
    """Connects the made-up public addresses and 127.0.0.1 to the desk; fails on any other."""

    def __init__(self, port: int) -> None:
        self.port = port

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None, socket_options: Any = None,
                    ) -> httpcore.NetworkStream:
        if host in PUBLIC.values():
            host, port = "127.0.0.1", self.port
        if host != "127.0.0.1":
            pytest.fail(f"the fetcher dialled {host}: only the desk may be contacted")
        return httpcore.SyncBackend().connect_tcp(host, port, timeout, local_address,
                                                  socket_options)


def resolve(host: str, port: int) -> Sequence[str]:
    if host in PUBLIC:
        return [PUBLIC[host]]
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    return [info[4][0] for info in found]


@pytest.fixture
def fetcher(desk: Desk) -> Fetcher:
    """Short limits; the private-address rule as it comes (read_feeds and read_stories set it)."""
    return Fetcher(timeout=2.0, deadline=6.0, resolver=resolve, network=Dialer(desk.port))


def rss(title: str, items: Sequence[dict[str, str]]) -> bytes:
    """An RSS 2.0 feed; each item's keys: title, link, content (HTML), summary."""
    def item(fields: dict[str, str]) -> str:
        parts = [f"<title>{html.escape(fields['title'])}</title>",
                 f"<pubDate>{format_datetime(WHEN)}</pubDate>"]
        if "link" in fields:
            parts.append(f"<link>{html.escape(fields['link'])}</link>")
        if "summary" in fields:
            parts.append(f"<description>{html.escape(fields['summary'])}</description>")
        if "content" in fields:
            parts.append(f"<content:encoded>{html.escape(fields['content'])}</content:encoded>")
        return "<item>" + "".join(parts) + "</item>\n"
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
            f"<title>{html.escape(title)}</title>\n" + "".join(map(item, items))
            + "</channel></rss>\n").encode()


STORY = ("The harbour board voted on Monday to reopen the old ferry slip at Kestrel Bay, after a "
         "survey found its timbers sound enough for another thirty years of crossings.",
         "Boats will run every half hour from April, the board said, and a single fare will cost "
         "the same as the bus around the estuary.")
CONTENT = "".join(f"<p>{p}</p>" for p in STORY)


# --- Fetching a feed ------------------------------------------------------------------------------

def test_a_feed_is_fetched_as_a_feed_and_not_as_an_article(desk: Desk, fetcher: Fetcher) -> None:
    desk.routes["/feed.xml"] = Route(rss("Bay news", [{"title": "T", "link": "/t"}]))
    desk.routes["/report.pdf"] = Route(b"%PDF-1.4", "application/pdf")
    typed = replace(fetcher, allow_private=True)
    page = typed.fetch(f"{desk.base}/feed.xml", kinds=FEED_TYPES)
    assert (page.kind, page.body) == ("feed", desk.routes["/feed.xml"].body)
    with pytest.raises(InputError, match=r"content type application/rss\+xml is not an article"):
        typed.fetch(f"{desk.base}/feed.xml", kinds=ARTICLE_TYPES)
    with pytest.raises(InputError, match=r"^\S+/report.pdf: content type application/pdf is not "
                                         r"a news feed \(expected RSS, Atom or JSON Feed\)$"):
        typed.fetch(f"{desk.base}/report.pdf", kinds=FEED_TYPES)
    assert "application/rss+xml" in desk.seen[0][2]["Accept"]


def test_a_feed_has_a_size_cap_of_its_own(desk: Desk, fetcher: Fetcher) -> None:
    body = rss("Big", [{"title": f"Story {n}", "content": CONTENT} for n in range(300)])
    desk.routes["/big.xml"] = Route(body)
    typed = replace(fetcher, allow_private=True, max_bytes=len(body) // 2,
                    max_feed_bytes=len(body) * 2)
    assert typed.fetch(f"{desk.base}/big.xml", kinds=FEED_TYPES).body == body
    smaller = replace(typed, max_feed_bytes=len(body) // 2)
    with pytest.raises(InputError, match=rf"too large for a news feed \({len(body)} bytes"):
        smaller.fetch(f"{desk.base}/big.xml", kinds=FEED_TYPES)


def test_a_page_says_whether_it_came_from_a_private_address(desk: Desk, fetcher: Fetcher) -> None:
    desk.routes["/feed.xml"] = Route(rss("Bay news", [{"title": "T", "link": "/t"}]))
    typed = replace(fetcher, allow_private=True)
    assert typed.fetch(f"{desk.base}/feed.xml", kinds=FEED_TYPES).private
    assert not typed.fetch("http://news.example/feed.xml", kinds=FEED_TYPES).private


def test_a_conditional_get_reuses_the_body_it_remembers(desk: Desk, fetcher: Fetcher) -> None:
    url = f"{desk.base}/feed.xml"
    validators = {"etag": '"first"', "last_modified": "Tue, 04 Mar 2025 09:30:00 GMT"}
    desk.routes["/feed.xml"] = Route(rss("Bay news", [{"title": "Ferry", "link": "/ferry"}]),
                                     **validators)
    first = read_feeds([url], {}, fetcher=fetcher)
    assert first.state[url] == FeedState('"first"', validators["last_modified"],
                                         desk.routes["/feed.xml"].body)
    again = read_feeds([url], first.state, fetcher=fetcher)
    _, _, asked, status = desk.seen[-1]
    assert (asked["If-None-Match"], asked["If-Modified-Since"], status) == (
        '"first"', validators["last_modified"], 304)
    assert again.feeds[0].items == first.feeds[0].items
    assert again.state[url] == first.state[url]
    # The feed changes: the server sends it whole, with a new ETag, and that is remembered.
    desk.routes["/feed.xml"] = Route(rss("Bay news", [{"title": "Bridge", "link": "/bridge"}]),
                                     etag='"second"')
    changed = read_feeds([url], again.state, fetcher=fetcher)
    assert [item.title for item in changed.feeds[0].items] == ["Bridge"]
    assert changed.state[url].etag == '"second"' and desk.seen[-1][3] == 200


# --- Reading feeds --------------------------------------------------------------------------------

def test_broken_feeds_are_named_and_the_rest_are_read_in_order(desk: Desk, fetcher: Fetcher,
                                                               tmp_path: Path) -> None:
    desk.routes["/a.xml"] = Route(rss("Feed A", [{"title": "A1", "link": "/a1"}]), delay=0.3)
    desk.routes["/page.html"] = Route(ARTICLE_HTML.encode(), "text/html")
    desk.routes["/c.json"] = Route(json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "Feed C",
        "items": [{"id": "c1", "url": "/c1", "content_html": CONTENT}]}).encode(),
        "application/feed+json")
    local = tmp_path / "b.xml"
    local.write_bytes(rss("Feed B", [{"title": "B1", "link": "https://news.example/b1"}]))
    sources = [f"{desk.base}/a.xml", f"{desk.base}/gone.xml", str(tmp_path / "missing.xml"),
               f"{desk.base}/page.html", str(local), f"{desk.base}/c.json"]
    got = read_feeds(sources, {}, fetcher=fetcher)
    assert [feed.title for feed in got.feeds] == ["Feed A", "Feed B", "Feed C"]
    assert got.feeds[2].items[0].link == f"{desk.base}/c1"
    assert got.problems == (f"{desk.base}/gone.xml: HTTP 404 Not Found",
                            f"{tmp_path / 'missing.xml'}: news feed file not found",
                            f"{desk.base}/page.html: an HTML page, not a news feed")
    assert got.feeds[1].local and got.feeds[1].items[0].local  # read from a file
    assert got.feeds[0].local  # served from 127.0.0.1


def test_no_feed_read_at_all_is_an_error(desk: Desk, fetcher: Fetcher, tmp_path: Path) -> None:
    sources = [f"{desk.base}/gone.xml", str(tmp_path / "missing.xml"), "ftp://news.example/f"]
    with pytest.raises(InputError) as caught:
        read_feeds(sources, {}, fetcher=fetcher)
    assert str(caught.value) == (f"no feed could be read: {desk.base}/gone.xml: HTTP 404 Not Found"
                                 " (and 2 more)")


def test_at_most_two_fetches_to_one_host_at_once(desk: Desk, fetcher: Fetcher) -> None:
    for n in range(6):
        desk.routes[f"/{n}.xml"] = Route(rss(f"Feed {n}", [{"title": "T", "link": "/t"}]),
                                         delay=0.3)
    done: list[tuple[int, int]] = []
    got = read_feeds([f"{desk.base}/{n}.xml" for n in range(6)], {}, fetcher=fetcher,
                     progress=lambda *step: done.append(step))
    assert desk.peak["127.0.0.1"] == MAX_PER_HOST
    assert [feed.title for feed in got.feeds] == [f"Feed {n}" for n in range(6)]
    assert done == [(n, 6) for n in range(1, 7)]


def test_at_most_eight_fetches_at_once_in_the_order_given(desk: Desk, fetcher: Fetcher) -> None:
    hosts = [host for host in PUBLIC if host.startswith("h")]
    sources = []
    for n in range(2 * len(hosts)):
        # Later feeds answer sooner: the order given must not be the order finished.
        desk.routes[f"/{n}.xml"] = Route(rss(f"Feed {n}", [{"title": "T", "link": "/t"}]),
                                         delay=0.6 - n * 0.02)
        sources.append(f"http://{hosts[n % len(hosts)]}/{n}.xml")
    got = read_feeds(sources, {}, fetcher=fetcher)
    assert [feed.title for feed in got.feeds] == [f"Feed {n}" for n in range(len(sources))]
    assert MAX_PER_HOST < desk.peak_total <= MAX_FETCHES
    assert max(desk.peak.values()) <= MAX_PER_HOST


# --- Reading stories ------------------------------------------------------------------------------

def candidates(*items: FeedItem) -> list[Candidate]:
    return [Candidate(items=(item,), published=WHEN) for item in items]


def item(link: str | None, title: str = "Ferry slip to reopen", **fields: Any) -> FeedItem:
    return FeedItem(id=link or title, title=title, link=link, feed="https://news.example/feed",
                    feed_title="Bay News", published=WHEN, **fields)


def story(found: tuple[list[tuple[Candidate, Article]], list[Dropped]]) -> Article:
    read, dropped = found
    assert dropped == [] and len(read) == 1
    return read[0][1]


def test_real_pages_are_read_and_titled_as_their_items(desk: Desk, fetcher: Fetcher,
                                                       shared_dir: Path) -> None:
    folder = shared_dir / "corpus" / "html"
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    for name in expected:
        desk.routes[f"/{name}"] = Route((folder / name).read_bytes(), "text/html; charset=utf-8")
    items = [item(f"{desk.base}/{name}", title=f"Story {n}", local=True)
             for n, name in enumerate(expected)]
    read, dropped = read_stories(candidates(*items), fetcher=fetcher)
    assert dropped == []
    for (candidate, article), (name, wanted) in zip(read, expected.items(), strict=True):
        text = "\n".join(article.paragraphs)
        assert article.title == candidate.item.title
        assert [s for s in wanted["with"] if s not in text] == [], name
        assert [s for s in wanted["without"] if s in text] == [], name


def test_a_page_gives_its_canonical_address_and_its_site_name(desk: Desk,
                                                              fetcher: Fetcher) -> None:
    canonical = "https://echo.example/news/ferry-returns"
    desk.routes["/ferry.html"] = Route(ARTICLE_HTML.replace(
        "<head>", f'<head><link rel="canonical" href="{canonical}">').encode(), "text/html")
    bare = ARTICLE_HTML.replace('<meta property="og:site_name" content="Estuary Echo">', "")
    desk.routes["/bare.html"] = Route(bare.replace("| Estuary Echo", "").encode(), "text/html")
    link = f"{desk.base}/bare.html"
    read, _ = read_stories(candidates(item(f"{desk.base}/ferry.html", local=True),
                                      item(link, local=True)), fetcher=fetcher)
    assert [(a.url, a.site) for _, a in read] == [(canonical, "Estuary Echo"), (link, "Bay News")]
    assert read[0][1].title == "Ferry slip to reopen"
    assert "Night ferry returns to Kestrel Bay" not in read[0][1].paragraphs  # the page's h1


@pytest.mark.parametrize("page", ["missing", "menu"])
def test_the_feed_text_stands_in_for_a_page_that_fails(page: str, desk: Desk,
                                                       fetcher: Fetcher) -> None:
    desk.routes["/menu.html"] = Route(EMPTY_HTML.encode(), "text/html")
    link = f"{desk.base}/{page}.html"
    article = story(read_stories(candidates(item(link, content=CONTENT, local=True)),
                                 fetcher=fetcher))
    assert article.paragraphs == STORY
    assert (article.title, article.url, article.site, article.date) == (
        "Ferry slip to reopen", link, "Bay News", WHEN.date())


def test_the_page_is_the_story_unless_it_says_less_than_half_the_feed_text(
        desk: Desk, fetcher: Fetcher) -> None:
    desk.routes["/ferry.html"] = Route(ARTICLE_HTML.encode(), "text/html")  # about 100 words
    link = f"{desk.base}/ferry.html"
    somewhat = CONTENT + "".join(f"<p>Point {n} was made at the meeting.</p>" for n in range(12))
    for feed_text in (f"<p>{STORY[0]}</p>", somewhat):  # shorter, then somewhat longer
        page = story(read_stories(candidates(item(link, content=feed_text, local=True)),
                                  fetcher=fetcher))
        assert page.paragraphs[0].startswith("The night ferry across the Kestrel estuary")
    longer = CONTENT + "".join(f"<p>Point {n} was made at the meeting by a member of the board, "
                               "who spoke at some length about it.</p>" for n in range(14))
    told = story(read_stories(candidates(item(link, content=longer, local=True)),
                              fetcher=fetcher))
    assert told.paragraphs[:2] == STORY


def test_a_story_with_no_page_and_no_feed_text_is_dropped_with_why(desk: Desk,
                                                                  fetcher: Fetcher) -> None:
    link = f"{desk.base}/gone.html"
    read, dropped = read_stories(candidates(item(link, local=True), item(None, title="Linkless"),
                                            item("ftp://news.example/f", title="By FTP")),
                                 fetcher=fetcher)
    assert read == []
    assert dropped == [Dropped("Ferry slip to reopen", link, "page: HTTP 404 Not Found; "
                               "feed text: none"),
                       Dropped("Linkless", None, "page: no link; feed text: none"),
                       Dropped("By FTP", "ftp://news.example/f",
                               "page: not an http or https link; feed text: none")]
    assert desk.paths() == ["/gone.html"]


def test_the_feed_text_is_read_as_a_listener_would_hear_it(fetcher: Fetcher) -> None:
    content = (f"<div><h2>Ferry slip</h2><p>{STORY[0]}<br>\n{STORY[1]}</p>"
               "<figure><img src='x.jpg'><figcaption>The slip at dawn.</figcaption></figure>"
               "<script>track()</script><ul><li>Boats every half hour.</li>"
               "<li>Fares as the bus.</li></ul>Read more at https://news.example/more</div>")
    told = story(read_stories(candidates(item(None, content=content)), fetcher=fetcher))
    # (the subheading is not read: issue 15)
    assert told.paragraphs == (" ".join(STORY), "Boats every half hour.", "Fares as the bus.")
    plain = story(read_stories(candidates(item(None, summary="One line.\n\nAnother line.")),
                               fetcher=fetcher))
    assert plain.paragraphs == ("One line.", "Another line.")


# --- The private-address rule ---------------------------------------------------------------------

def private_link_feed(desk: Desk, **content: str) -> bytes:
    desk.routes["/ferry.html"] = Route(ARTICLE_HTML.encode(), "text/html")
    return rss("Bay News", [{"title": "Ferry slip to reopen", "link": f"{desk.base}/ferry.html",
                             **content}])


def test_a_public_feed_may_not_lead_to_a_private_address(desk: Desk, fetcher: Fetcher) -> None:
    desk.routes["/feed.xml"] = Route(private_link_feed(desk))
    desk.routes["/told.xml"] = Route(private_link_feed(desk, content=CONTENT))
    got = read_feeds(["http://news.example/feed.xml", "http://news.example/told.xml"], {},
                     fetcher=fetcher)
    assert not any(feed.local for feed in got.feeds)
    bare, told = (feed.items[0] for feed in got.feeds)
    read, dropped = read_stories(candidates(bare, told), fetcher=fetcher)
    assert [(d.url, d.reason) for d in dropped] == [(
        f"{desk.base}/ferry.html", "page: refused 127.0.0.1 (127.0.0.1), a loopback address: only "
        "a URL typed on the command line may reach a private address; feed text: none")]
    assert [article.paragraphs for _, article in read] == [STORY]  # the feed's own text
    assert "/ferry.html" not in desk.paths()  # never asked for


def test_a_local_feed_may_lead_to_a_private_address(desk: Desk, fetcher: Fetcher,
                                                    tmp_path: Path) -> None:
    desk.routes["/feed.xml"] = Route(private_link_feed(desk))
    path = tmp_path / "feed.xml"
    path.write_bytes(private_link_feed(desk))
    got = read_feeds([str(path), f"{desk.base}/feed.xml"], {}, fetcher=fetcher)
    assert all(feed.local for feed in got.feeds)
    read, dropped = read_stories(candidates(*(feed.items[0] for feed in got.feeds)),
                                 fetcher=fetcher)
    assert dropped == []
    assert all(a.paragraphs[0].startswith("The night ferry across") for _, a in read)
    assert desk.paths().count("/ferry.html") == 2


def test_stories_too_are_fetched_two_to_a_host(desk: Desk, fetcher: Fetcher) -> None:
    for n in range(5):
        desk.routes[f"/{n}.html"] = Route(ARTICLE_HTML.encode(), "text/html", delay=0.3)
    items = [item(f"{desk.base}/{n}.html", title=f"Story {n}", local=True) for n in range(5)]
    read, _ = read_stories(candidates(*items), fetcher=fetcher)
    assert [article.title for _, article in read] == [f"Story {n}" for n in range(5)]
    assert desk.peak["127.0.0.1"] == MAX_PER_HOST
