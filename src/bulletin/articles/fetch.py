"""Fetch an article page or a news feed over HTTP(S), within limits: bulletin's one HTTP client.

In: an ``http://`` or ``https://`` URL, the media types wanted (``ARTICLE_TYPES`` or
``FEED_TYPES``) and, for a conditional GET, the ETag and Last-Modified of the copy already held.
Out: a ``Page`` (final URL, kind, bytes, the validators to ask with next time, whether it came
from a private address), or one marked ``not_modified`` when the server says the held copy is
current. Every way a fetch can fail (unreachable host, timeout, the deadline, HTTP error, wrong
content type, too large, a redirect loop, a forbidden address) raises ``InputError`` naming the
URL and the reason.

The limits: one wall-clock deadline over the whole fetch (name lookup, connect, TLS, headers, body
and every redirect), a timeout on each network operation, at most ``max_redirects`` redirects,
http and https only, at most one content-encoding layer (gzip or deflate), and a cap on the body's
bytes both as sent and as inflated, checked as they stream. Each host is resolved once and checked
by the private-address rule (``addresses``); the connection goes to exactly the address checked.
A user and password in the URL are sent (as HTTP Basic auth, to that origin only) but never
stored or shown. Proxy settings in the environment are not used: every connection is direct, so
the address rule sees the real address. A feed may be larger than an article page: it has a cap
of its own, ``max_feed_bytes``.
"""

from __future__ import annotations

import base64
import functools
import re
import ssl
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpcore
import httpx

from .. import __version__
from ..errors import InputError
from .addresses import AddressPolicy, AddressRefused, Resolver, kind_of, system_resolver
from .inflate import Inflater
from .network import CheckedBackend, Clock, reason

MAX_BYTES = 5 * 1024 * 1024  # an article page is text; anything larger is not one
FEED_MAX_BYTES = 10 * 1024 * 1024  # a feed carries many stories, some in full

# Media types that carry an article, and how to read each.
ARTICLE_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/markdown": "md",
    "text/x-markdown": "md",
    "text/plain": "txt",
}
# Media types that carry a news feed ("feed"). An HTML or text page given as a feed is fetched too,
# so that the feed reader can say what it is instead of naming a content type.
FEED_TYPES = {
    "application/rss+xml": "feed",
    "application/atom+xml": "feed",
    "application/rdf+xml": "feed",
    "application/feed+json": "feed",
    "application/xml": "feed",
    "text/xml": "feed",
    "application/json": "feed",
    "text/html": "html",
    "text/plain": "txt",
}
ENCODINGS = ("gzip", "x-gzip", "deflate")  # the one layer a page may come in
REDIRECTS = (301, 302, 303, 307, 308)
HEADERS = [
    (b"User-Agent", f"bulletin/{__version__} (+podcast bulletin maker)".encode()),
    (b"Accept-Encoding", b"gzip, deflate"),
]
_CREDENTIALS = re.compile(r"^([a-z][a-z0-9+.-]*://)[^/?#]*@", re.IGNORECASE)


def without_credentials(url: str) -> str:
    """``url`` without a ``user:password@`` part, fit to store or show."""
    return _CREDENTIALS.sub(r"\1", url, count=1)


@dataclass(frozen=True)
class Page:
    """A fetched document: where it ended up, what kind it is and its bytes."""

    url: str  # where the last redirect led, without credentials
    kind: str  # the kind its media type maps to ("html", "md", "txt", "feed"); "" when not_modified
    body: bytes  # empty when not_modified
    source: str  # the URL asked for, without credentials
    etag: str | None = None  # the response's ETag, to ask with next time
    last_modified: str | None = None  # the response's Last-Modified, likewise
    not_modified: bool = False  # HTTP 304: the copy the caller holds is current
    private: bool = False  # the final response came from a private, loopback or link-local address


@dataclass(frozen=True)
class Fetcher:
    """Fetches pages within a per-operation timeout, an overall deadline, a size cap, a bounded
    number of redirects and the private-address rule. ``allow_private`` is for a URL the user
    typed; a URL from a feed or a queued job gets the default, False. ``resolver`` and
    ``network`` (an httpcore network backend, which connects to numeric addresses) are the test
    seams. Tests pass one with short limits; the default suits the real web."""

    timeout: float = 15.0  # seconds allowed for connecting and for each read
    deadline: float = 60.0  # seconds allowed for the whole fetch, redirects included
    max_bytes: int = MAX_BYTES  # an article's cap, as sent and as inflated
    max_feed_bytes: int = FEED_MAX_BYTES  # a feed's cap (when ``kinds`` has "feed"), likewise
    max_redirects: int = 5
    allow_private: bool = False
    resolver: Resolver = system_resolver
    network: httpcore.NetworkBackend = field(default_factory=httpcore.SyncBackend,
                                             compare=False, repr=False)

    def fetch(self, url: str, *, kinds: Mapping[str, str] = ARTICLE_TYPES,
              etag: str | None = None, last_modified: str | None = None) -> Page:
        """Download ``url``, one of the media types of ``kinds``, or raise ``InputError`` saying
        why it cannot be read. With ``etag`` or ``last_modified`` the request is conditional: a
        304 answer gives a ``Page`` marked ``not_modified``, with no body."""
        shown = without_credentials(url)
        want = _Wanted.of(kinds, self)
        conditions = [(b"If-None-Match", etag.encode("latin-1", "replace"))] if etag else []
        if last_modified:
            conditions.append((b"If-Modified-Since",
                               last_modified.encode("latin-1", "replace")))
        target = _parse(url, shown)
        clock = Clock(self.deadline)
        backend = CheckedBackend(self.network, self.resolver, AddressPolicy(self.allow_private),
                                  clock)
        auth, home = _basic_auth(target), _origin(target)
        hop = ""  # what the error names once a redirect has been followed
        try:
            for _ in range(self.max_redirects + 1):
                headers = [(b"Host", target.netloc), *HEADERS, (b"Accept", want.accept),
                           *conditions]
                if auth and _origin(target) == home:
                    headers.append((b"Authorization", auth))
                with httpcore.ConnectionPool(ssl_context=_ssl_context(), retries=0,
                                             network_backend=backend) as pool, \
                        pool.stream("GET", _core_url(target), headers=headers,
                                    extensions={"timeout": self._timeouts()}) as response:
                    location = _location(response)
                    if location is None:
                        return self._page(shown, target, response, want, (etag, last_modified),
                                          private=_private(backend.address))
                hop = f"redirect to {without_credentials(location)}: "
                target = _follow(target, location, shown, hop)
        except AddressRefused as exc:
            raise InputError(f"{shown}: {hop}{exc}") from None
        except httpcore.TimeoutException:
            if clock.binding:
                raise InputError(f"{shown}: gave up after the {self.deadline:g} s deadline") \
                    from None
            raise InputError(f"{shown}: {hop}timed out after {self.timeout:g} s") from None
        except httpcore.ConnectError as exc:
            raise InputError(f"{shown}: {hop}cannot connect ({reason(exc)})") from None
        except (httpcore.NetworkError, httpcore.ProtocolError, ssl.SSLError) as exc:
            raise InputError(f"{shown}: {hop}cannot fetch ({reason(exc)})") from None
        raise InputError(f"{shown}: too many redirects (more than {self.max_redirects})")

    def _page(self, shown: str, target: httpx.URL, response: httpcore.Response, want: _Wanted,
              asked: tuple[str | None, str | None], *, private: bool) -> Page:
        """The final response as a ``Page``. A 304 answers a request made with validators
        (``asked``: the ETag and Last-Modified sent); it has no body, and the validators sent
        still hold unless it gives new ones."""
        unchanged = response.status == 304 and any(asked)
        kind, body = ("", b"") if unchanged else self._read(shown, response, want)
        etag = _header(response, b"etag") or (asked[0] if unchanged else None)
        modified = _header(response, b"last-modified") or (asked[1] if unchanged else None)
        return Page(url=without_credentials(str(target)), kind=kind, body=body, source=shown,
                    etag=etag or None, last_modified=modified or None, not_modified=unchanged,
                    private=private)

    def _timeouts(self) -> dict[str, float]:
        return dict.fromkeys(("connect", "read", "write", "pool"), self.timeout)

    def _read(self, shown: str, response: httpcore.Response, want: _Wanted) -> tuple[str, bytes]:
        """The page's kind and body, once its status, type, encoding and size pass."""
        if not 200 <= response.status < 300:
            reason = response.extensions.get("reason_phrase", b"").decode("latin-1").strip()
            raise InputError(f"{shown}: HTTP {response.status} {reason or 'error'}")
        media = _header(response, b"content-type").split(";")[0].strip().lower()
        kind = want.kinds.get(media)
        if kind is None:
            raise InputError(f"{shown}: content type {media or 'none given'} is not {want.what} "
                             f"(expected {want.expected})")
        length = _header(response, b"content-length")
        if length.isdigit() and int(length) > want.cap:
            raise InputError(f"{shown}: too large for {want.noun} ({int(length)} bytes, "
                             f"limit {want.cap})")
        layers = [name.strip().lower() for name in _header(response, b"content-encoding")
                  .split(",") if name.strip() and name.strip().lower() != "identity"]
        if len(layers) > 1:
            raise InputError(f"{shown}: content encoded more than once ({', '.join(layers)}); "
                             "bulletin reads one layer of gzip or deflate")
        if layers and layers[0] not in ENCODINGS:
            raise InputError(f"{shown}: unsupported content encoding {layers[0]} "
                             "(bulletin reads gzip and deflate)")
        return kind, self._body(shown, response, layers[0] if layers else None, want)

    def _body(self, shown: str, response: httpcore.Response, encoding: str | None,
              want: _Wanted) -> bytes:
        """Read the body as it streams, inflating it if encoded, never past ``want.cap``."""
        cap = want.cap
        inflater = Inflater(encoding) if encoding else None
        parts: list[bytes] = []
        sent = size = 0
        for chunk in response.iter_stream():
            sent += len(chunk)
            if sent > cap:
                raise InputError(f"{shown}: too large for {want.noun} (more than {cap} bytes)")
            if inflater is None:
                parts.append(chunk)
                continue
            try:
                while chunk and not inflater.done:
                    # Ask for one byte more than fits: getting it proves the page too large.
                    part = inflater.inflate(chunk, cap - size + 1)
                    size += len(part)
                    if size > cap:
                        raise InputError(f"{shown}: too large for {want.noun} (more than "
                                         f"{cap} bytes once decompressed)")
                    parts.append(part)
                    chunk = inflater.pending
            except zlib.error as exc:
                raise InputError(f"{shown}: damaged {encoding} data ({exc})") from None
            if inflater.done:
                break  # anything after the end of the compressed data is not read
        return b"".join(parts)


@dataclass(frozen=True)
class _Wanted:
    """What one fetch accepts: its media types, their cap, and the words its errors use."""

    kinds: Mapping[str, str]
    cap: int
    noun: str  # "an article", "a news feed": what a body too large is too large for
    what: str  # what a wrong content type is not
    expected: str  # the kinds, in words
    accept: bytes  # the Accept header

    @staticmethod
    def of(kinds: Mapping[str, str], fetcher: Fetcher) -> _Wanted:
        # What is read second best (plain text; a page given as a feed) is asked for less.
        feed = "feed" in kinds.values()
        weaker = {"txt", "html"} if feed else {"txt"}
        accept = ", ".join(media + (";q=0.8" if kind in weaker else "")
                           for media, kind in kinds.items()).encode()
        if feed:
            return _Wanted(kinds, fetcher.max_feed_bytes, "a news feed", "a news feed",
                           "RSS, Atom or JSON Feed", accept)
        return _Wanted(kinds, fetcher.max_bytes, "an article", "an article page",
                       "HTML, Markdown or plain text", accept)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()


def _parse(url: str, shown: str) -> httpx.URL:
    try:
        target = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise InputError(f"{shown}: invalid URL ({without_credentials(str(exc))})") from None
    return _web(target, f"{shown}: ")


def _follow(target: httpx.URL, location: str, shown: str, hop: str) -> httpx.URL:
    """Where a redirect from ``target`` to ``location`` leads: an http(s) URL, or InputError."""
    try:
        following = target.join(location)
    except httpx.InvalidURL:
        raise InputError(f"{shown}: {hop}invalid URL") from None
    return _web(following, f"{shown}: {hop}")


def _web(target: httpx.URL, where: str) -> httpx.URL:
    """``target`` if it is an http(s) URL with a host, else an InputError after ``where``."""
    if target.scheme not in ("http", "https"):
        raise InputError(f"{where}not an http or https URL")
    if not target.raw_host:
        raise InputError(f"{where}invalid URL (no host)")
    return target


def _core_url(target: httpx.URL) -> httpcore.URL:
    return httpcore.URL(scheme=target.raw_scheme, host=target.raw_host, port=target.port,
                        target=target.raw_path)


def _origin(target: httpx.URL) -> tuple[str, bytes, int | None]:
    return target.scheme, target.raw_host, target.port


def _basic_auth(target: httpx.URL) -> bytes | None:
    if not target.username and not target.password:
        return None
    pair = f"{target.username}:{target.password}".encode()
    return b"Basic " + base64.b64encode(pair)


def _header(response: httpcore.Response, name: bytes) -> str:
    """All of the response's ``name`` headers, joined with commas, as text."""
    values = [value.decode("latin-1") for key, value in response.headers if key.lower() == name]
    return ", ".join(values)


def _private(address: str | None) -> bool:
    """Whether the connection's numeric ``address`` is anything but a public one."""
    return address is not None and kind_of(address) is not None


def _location(response: httpcore.Response) -> str | None:
    """Where a redirect response points, or None for any other response."""
    if response.status not in REDIRECTS:
        return None
    raw = next((value for key, value in response.headers if key.lower() == b"location"), b"")
    try:
        location = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        location = raw.decode("latin-1").strip()
    return location or None
