"""A test newsroom: a real HTTP server on 127.0.0.1 that publishes news feeds and their pages.

In: the shared corpus folder (../shared/corpus/html: real news pages and expected.json) and a clock.
Out: a running ``Newsroom`` (the ``newsroom`` fixture, one per test; ``open_newsroom`` for other
scopes) whose feeds are rendered at each request from its items, dated relative to ``now``.

Paths (``newsroom.url(path)``; ``newsroom.story(role)`` gives each corpus page's place in them):
  /news/<page>      each corpus page as written, text/html; /wire/<page> the same page syndicated
  /rss.xml          RSS 2.0 (dc, content:encoded): "syndicated", "shared", "old" (5 days ago),
                    "undated" (no date), GONE (404, content:encoded to fall back on), VANISHED (404,
                    title only), and any corpus page beyond the six roles
  /atom.xml         Atom 1.0: "syndicated" again under /wire/... with utm_* params and another
                    headline (a syndicated duplicate), "shared" (the same link), "tracked"
  /feed.json        JSON Feed 1.1: "tracked" (its link with utm_* params), "brief"
  /rdf.xml          RSS 1.0: "syndicated" and "brief" (the same links as elsewhere)
  /broken.xml       RSS cut off mid-element; /  the front page, HTML (a page given as a feed)
  /slow/<path>      <path>, after ``slow_seconds``; /trickle/<path>: <path>'s body in 64-byte
                    pieces every ``trickle_seconds`` (each read is quick, the whole is not)
  /huge.xml /huge.html   ``oversize`` bytes of feed or page, with no Content-Length
  /bomb.xml /bomb.html   a gzip bomb (about 1 MB that inflates to 1 GiB)
Feeds carry an ETag and Last-Modified and answer 304 to a matching If-None-Match (else to an
If-Modified-Since not before the last change); ``add_item`` changes a feed between requests.
Bodies are gzipped when the client accepts it. Every request is logged (``requests``) and the most
requests in flight at once is kept per Host header (``max_in_flight``); ``latency`` holds each
answer back so concurrent clients overlap. Names under .newsroom.test (``resolve``) reach it too.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from article_server import gzip_bomb
from newsroom_desk import (
    CONTENT_TYPES,
    GONE,
    GONE_PARAGRAPHS,
    ROLES,
    VANISHED,
    Item,
    Story,
    desk,
    filler,
    front_page,
    load_stories,
    render,
)

__all__ = ["FEED_PATHS", "GONE", "GONE_PARAGRAPHS", "ROLES", "VANISHED", "Item", "Newsroom",
           "Request", "Story", "newsroom", "open_newsroom", "resolve"]
FEED_PATHS = ("/rss.xml", "/atom.xml", "/feed.json", "/rdf.xml")
TEST_DOMAIN = ".newsroom.test"  # any name under it is this server (see ``resolve``)


@dataclass
class Request:
    """A request as the newsroom saw it."""

    path: str  # with its query
    host: str  # the Host header, lower-cased
    headers: dict[str, str]  # names lower-cased
    time: float  # time.monotonic() on arrival
    status: int | None = None  # the answer's status, once it starts; None if it never did

    @property
    def user_agent(self) -> str:
        return self.headers.get("user-agent", "")


def resolve(host: str, port: int) -> Sequence[str]:
    """A Fetcher resolver: names under .newsroom.test and numeric hosts; no DNS query ever."""
    if host.endswith(TEST_DOMAIN):
        return ["127.0.0.1"]
    if host.replace(".", "").isdigit():
        return [host]
    raise OSError(f"{host}: not a newsroom name")


class Newsroom:
    """The running server's state and controls. Change attributes from the test's thread."""

    def __init__(self, folder: Path, now: dt.datetime | None = None) -> None:
        self.now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)  # the feeds' clock
        self.stories = load_stories(folder)
        self.feeds = desk(self.stories)
        self.latency = 0.0  # seconds each answer is held back
        self.slow_seconds = 5.0
        self.trickle_seconds = 0.5
        self.oversize = 16 << 20  # more than a feed's 10 MiB cap
        self.compress = True  # gzip bodies for clients that accept it
        self.requests: list[Request] = []
        self.base = ""  # http://127.0.0.1:PORT once serving
        self._versions: Counter[str] = Counter()
        self._in_flight: Counter[str] = Counter()
        self._peak: Counter[str] = Counter()
        self._all_in_flight = self._all_peak = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._pages = {s.path: s.html for s in self.stories}
        self._pages.update({f"/wire/{s.name}": s.html for s in self.stories})

    # --- the API tests use ------------------------------------------------------------------------

    def url(self, path: str, host: str | None = None) -> str:
        """The absolute URL of ``path``; ``host`` names it as e.g. "a.newsroom.test"."""
        return self.base.replace("127.0.0.1", host or "127.0.0.1") + path

    @property
    def host(self) -> str:
        """The Host header requests to ``base`` carry (the key of ``max_in_flight``)."""
        return self.base.split("://", 1)[1]

    def story(self, role: str) -> Story:
        return self.stories[ROLES.index(role)]

    def items(self, feed: str) -> tuple[Item, ...]:
        return tuple(self.feeds[feed][1])

    def add_item(self, feed: str, title: str, link: str | None = None, *, content: str = "",
                 summary: str = "", age: dt.timedelta | None = dt.timedelta(0)) -> Item:
        """Publish a new item first in ``feed``: its next answer has a new ETag and date."""
        with self._lock:
            self._versions[feed] += 1
            item = Item(title, link, content, summary, age,
                        f"newsroom-added-{self._versions[feed]}")
            self.feeds[feed][1].insert(0, item)
        return item

    def hits(self, path: str) -> list[Request]:
        """The requests for ``path`` (query ignored), in order."""
        return [r for r in self.requests if urlsplit(r.path).path == path]

    @property
    def max_in_flight(self) -> dict[str, int]:
        """The most requests each host had in flight at once."""
        return dict(self._peak)

    @property
    def max_in_flight_total(self) -> int:
        """The most requests in flight at once, all hosts together."""
        return self._all_peak

    def body(self, feed: str) -> bytes:
        """``feed`` as it is served now."""
        with self._lock:
            title, items = self.feeds[feed]
            return render(CONTENT_TYPES[feed][0], title, list(items), base=self.base,
                          feed_url=self.url(feed), now=self.now, updated=self.modified(feed))

    def modified(self, feed: str) -> dt.datetime:
        """When ``feed`` last changed: an hour before the clock, a minute later per change."""
        return self.now - dt.timedelta(hours=1) + dt.timedelta(minutes=self._versions[feed])

    # --- serving ----------------------------------------------------------------------------------

    def _arrive(self, handler: BaseHTTPRequestHandler) -> Request:
        host = handler.headers.get("Host", "").lower()
        request = Request(handler.path, host,
                          {k.lower(): v for k, v in handler.headers.items()}, time.monotonic())
        with self._lock:
            self.requests.append(request)
            self._in_flight[host] += 1
            self._peak[host] = max(self._peak[host], self._in_flight[host])
            self._all_in_flight += 1
            self._all_peak = max(self._all_peak, self._all_in_flight)
        return request

    def _answered(self, request: Request, status: int | None) -> None:
        # Counted out as the answer starts: a client cannot send its next request any sooner.
        with self._lock:
            request.status = status
            self._in_flight[request.host] -= 1
            self._all_in_flight -= 1

    def answer(self, handler: _Handler, path: str) -> None:
        """Serve ``path`` (its query already removed) to ``handler``."""
        if self.latency and self._stop.wait(self.latency):
            return
        if path.startswith("/slow/"):
            if self._stop.wait(self.slow_seconds):
                return
            path = path.removeprefix("/slow")
        if path.startswith("/trickle/"):
            status, kind, body, _ = self._resource(handler, path.removeprefix("/trickle"))
            pieces = (body[n:n + 64] for n in range(0, len(body), 64))
            handler.stream(status, kind, self._paced(pieces))
        elif path in ("/huge.xml", "/huge.html"):
            handler.stream(200, CONTENT_TYPES[path][1], filler(path, self.oversize))
        elif path in ("/bomb.xml", "/bomb.html"):
            handler.stream(200, CONTENT_TYPES[path][1], gzip_bomb(), {"Content-Encoding": "gzip"})
        else:
            handler.send(*self._resource(handler, path), compress=self.compress)

    def _resource(self, handler: _Handler, path: str) -> tuple[int, str, bytes, dict[str, str]]:
        """Status, content type, body and headers of an ordinary path."""
        if path in self.feeds:
            return self._feed(handler, path)
        if path == "/broken.xml":
            whole = self.body("/rss.xml")
            return 200, CONTENT_TYPES["/rss.xml"][1], whole[:len(whole) * 3 // 5], {}
        if path == "/":
            return 200, "text/html; charset=utf-8", front_page(self.stories), {}
        if path in self._pages:
            return 200, "text/html; charset=utf-8", self._pages[path], {}
        return 404, "text/html", b"<h1>Not found</h1>", {}

    def _feed(self, handler: _Handler, path: str) -> tuple[int, str, bytes, dict[str, str]]:
        body, modified = self.body(path), self.modified(path)
        etag = f'W/"{hashlib.sha256(body).hexdigest()[:20]}"'
        headers = {"ETag": etag, "Last-Modified": format_datetime(modified, usegmt=True),
                   "Cache-Control": "max-age=300"}
        tags, since = handler.headers.get("If-None-Match"), handler.headers.get("If-Modified-Since")
        if tags is not None:
            unchanged = tags.strip() == "*" or _opaque(etag) in map(_opaque, tags.split(","))
        else:
            unchanged = bool(since) and _date(since) >= modified
        if unchanged:
            return 304, "", b"", headers
        return 200, CONTENT_TYPES[path][1], body, headers

    def _paced(self, pieces: Iterable[bytes]) -> Iterator[bytes]:
        for piece in pieces:
            if self._stop.wait(self.trickle_seconds):
                return
            yield piece


def _opaque(tag: str) -> str:
    """An entity tag without its weak marker, for the weak comparison If-None-Match uses."""
    return tag.strip().removeprefix("W/")


def _date(value: str) -> dt.datetime:
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return dt.datetime.min.replace(tzinfo=dt.UTC)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        room = self.server.newsroom
        self._request: Request | None = room._arrive(self)
        try:
            room.answer(self, urlsplit(self.path).path)
        except OSError:  # the client gave up, as it may
            self.close_connection = True
        finally:
            self._count_out(None)

    def _count_out(self, status: int | None) -> None:
        if self._request is not None:
            self.server.newsroom._answered(self._request, status)
            self._request = None

    def send(self, status: int, kind: str, body: bytes, headers: dict[str, str],
             compress: bool) -> None:
        headers = dict(headers)
        if body and compress and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, mtime=0)
            headers.update({"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
        self._count_out(status)
        self.send_response(status)
        if kind:
            self.send_header("Content-Type", kind)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def stream(self, status: int, kind: str, parts: Iterable[bytes],
               headers: dict[str, str] | None = None) -> None:
        """An answer with no length: the body runs until the connection closes."""
        self._count_out(status)
        self.send_response(status)
        self.send_header("Content-Type", kind)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        for part in parts:
            self.wfile.write(part)
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    newsroom: Newsroom


@contextmanager
def open_newsroom(folder: Path, now: dt.datetime | None = None) -> Iterator[Newsroom]:
    """Serve the newsroom built from ``folder`` on a free port of 127.0.0.1 until the block ends."""
    room = Newsroom(folder, now)
    server = _Server(("127.0.0.1", 0), _Handler)
    server.newsroom = room
    room.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield room
    finally:
        room._stop.set()  # slow and trickling answers end now
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def newsroom(shared_dir: Path) -> Iterator[Newsroom]:
    """A fresh newsroom for one test, its clock now (set ``newsroom.now`` to move it)."""
    with open_newsroom(shared_dir / "corpus" / "html") as room:
        yield room
