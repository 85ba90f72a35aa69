"""Serve a published site over HTTP so podcast apps and browsers on a phone can use it.

``make_server(site, host, port)`` → a bound ``SiteServer`` (``port=0`` picks a free port); its
``serve_forever()`` answers GET and HEAD with byte ranges (``Accept-Ranges``, 206 with
``Content-Range``, 416 for a range past the end), the MIME types podcast apps expect, and never a
file outside the site: paths are percent-decoded once, ``..``/hidden segments are refused and
symlinks must resolve inside the site. Only the site's own kinds of file are served (no catalog).
Connections are bounded (``idle_timeout``, ``max_connections``: see ``connections``), and the
server only reads the site, so it serves one on read-only storage too.

A site built for this machine only (``base_url`` on localhost) links to ``localhost``, which a phone
cannot reach; when this server is reached at another address (another port, or every interface),
it renders ``feed.xml`` and ``index.html`` from the catalog for its own URL instead, keeping the
show's podcast:guid. A site with a public ``base_url`` is served exactly as published.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import sys
from email.utils import formatdate
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import BinaryIO, TextIO
from urllib.parse import unquote, urlsplit

from ..errors import BulletinError, InputError
from ..feed import FEED_FILE, INDEX_FILE, Catalog, SiteSettings
from ..feed.catalog import FILENAME as CATALOG_FILE
from ..feed.chapters import MIME_TYPE as CHAPTERS_MIME
from ..feed.drafts import drafts
from ..feed.files import CHAPTERS_SUFFIX
from ..feed.rss import is_local
from .announce import is_loopback_host, lan_address, url_host
from .connections import IDLE_TIMEOUT, MAX_CONNECTIONS, BoundedHandler, BoundedHTTPServer
from .ranges import ByteRange, RangeNotSatisfiable, parse_range
from .render import render_site

MIME_TYPES = {
    ".mp3": "audio/mpeg",
    ".xml": "application/rss+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
CHAPTERS_TYPE = f"{CHAPTERS_MIME}; charset=utf-8"
CHUNK = 64 * 1024


def mime_type(name: str) -> str | None:
    """The Content-Type of a site file by its name; None for files the site never serves."""
    if name.endswith(CHAPTERS_SUFFIX):
        return CHAPTERS_TYPE
    return MIME_TYPES.get(Path(name).suffix.lower())


# A catalog that cannot be read (one line each), or rows or settings that do not decode.
UNREADABLE = (BulletinError, sqlite3.DatabaseError, ValueError, TypeError, KeyError)


class SiteServer(BoundedHTTPServer):
    """A threading HTTP server bound to one site folder, with bounded connections."""

    allow_reuse_address = True

    def __init__(self, site: Path, host: str, port: int, log: TextIO | None,
                 idle_timeout: float = IDLE_TIMEOUT, max_connections: int = MAX_CONNECTIONS,
                 ) -> None:
        self.site = site.resolve()
        self.log = log
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), SiteHandler, idle_timeout, max_connections)
        self.host = host
        self.port = self.server_address[1]
        self.everywhere = host in ("", "0.0.0.0", "::")
        reachable = lan_address() if self.everywhere else host
        self.own_url = f"http://{url_host(reachable)}:{self.port}/"
        try:
            self.catalog = (Catalog(self.site, create=False)
                            if (self.site / CATALOG_FILE).is_file() else None)
            self.rewrite_to = self._rewrite_target()
        except BulletinError:  # already one line naming the catalog
            self.server_close()
            raise
        except UNREADABLE as exc:
            self.server_close()
            raise InputError(f"{self.site / CATALOG_FILE}: not a bulletin catalog "
                             f"({exc})") from None

    def _settings(self) -> SiteSettings | None:
        if self.catalog is None:
            return None
        with self.catalog.reading() as db:
            return self.catalog.settings(db)

    def _rewrite_target(self) -> str | None:
        settings = self._settings()
        if settings is None or not is_local(settings.show.base_url):
            return None
        base = urlsplit(settings.show.base_url)
        same_port = (base.port or 80) == self.port
        if same_port and not self.everywhere and is_loopback_host(self.host):
            return None
        return self.own_url

    @property
    def base_url(self) -> str:
        """The URL the site's links use as served: the rewritten one, else the site's own."""
        if self.rewrite_to:
            return self.rewrite_to
        settings = self._settings()
        return settings.show.base_url if settings else self.own_url

    @property
    def feed_url(self) -> str:
        base = self.base_url
        return base + FEED_FILE if base.endswith("/") else base + "/" + FEED_FILE

    def rendered(self, name: str) -> bytes | None:
        """``feed.xml``/``index.html`` rendered for this server's URL, when it rewrites them."""
        if not self.rewrite_to or self.catalog is None or name not in (FEED_FILE, INDEX_FILE):
            return None
        try:
            with self.catalog.reading() as db:
                settings = self.catalog.settings(db)
                held = drafts(self.catalog, db)
                episodes = [e for e in self.catalog.episodes(db) if e.guid not in held]
        except UNREADABLE as exc:  # serve the file as published rather than nothing
            self.log_line(f"{self.catalog.path}: cannot be read ({exc}); serving {name} as "
                          "published")
            return None
        if settings is None:
            return None
        files = render_site(episodes, settings, base_url=self.rewrite_to)
        return (files.feed if name == FEED_FILE else files.index).encode("utf-8")


class SiteHandler(BoundedHandler):
    server: SiteServer
    protocol_version = "HTTP/1.1"
    server_version = "bulletin"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        if self.server.log is not None:
            self.server.log.write(f"{self.address_string()} {format % args}\n")
            self.server.log.flush()

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._answer(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(body=False)

    def _relative(self) -> str | None:
        """The request's path inside the site, or None when it may not be served."""
        raw = urlsplit(self.path).path
        if not raw.startswith("/"):
            return None
        decoded = unquote(raw, errors="strict")
        if "\x00" in decoded or "\\" in decoded:
            return None
        parts = [p for p in decoded.split("/") if p]
        if any(p in (".", "..") or p.startswith(".") for p in parts):
            return None
        if not parts or decoded.endswith("/"):
            parts.append(INDEX_FILE)
        return "/".join(parts)

    def _file(self, relative: str) -> Path | None:
        candidate = self.server.site / relative
        try:
            real = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not real.is_relative_to(self.server.site) or not real.is_file():
            return None
        return real

    def _answer(self, body: bool) -> None:
        try:
            relative = self._relative()
        except UnicodeDecodeError:
            relative = None
        content_type = mime_type(relative) if relative else None
        if relative is None or content_type is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        rendered = self.server.rendered(relative)
        if rendered is not None:
            self._send(BytesIO(rendered), len(rendered), content_type, body, None)
            return
        path = self._file(relative)
        if path is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        try:
            handle = path.open("rb")
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        with handle:
            stat = os.fstat(handle.fileno())  # the file opened, even if a build replaces it now
            self._send(handle, stat.st_size, content_type, body, stat.st_mtime)

    def _send(self, source: BinaryIO, size: int, content_type: str, body: bool,
              mtime: float | None) -> None:
        try:
            wanted = parse_range(self.headers.get("Range"), size)
        except RangeNotSatisfiable:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            return
        start, length = 0, size
        if wanted is not None:
            start, length = wanted.start, wanted.end - wanted.start + 1
            self.send_response(HTTPStatus.PARTIAL_CONTENT)
            self.send_header("Content-Range", f"bytes {wanted.start}-{wanted.end}/{size}")
        else:
            self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        if mtime is not None:
            self.send_header("Last-Modified", formatdate(mtime, usegmt=True))
        self.send_header("Cache-Control", "no-cache" if content_type.startswith(
            ("application/rss", "text/html")) else "public, max-age=3600")
        self.end_headers()
        if not body or length == 0:
            return
        source.seek(start)
        try:
            remaining = length
            while remaining > 0:
                chunk = source.read(min(CHUNK, remaining))
                if not chunk:  # shorter than promised: only closing tells the client
                    self.close_connection = True
                    break
                self.wfile.write(chunk)
                remaining -= len(chunk)
        except OSError:  # the client went away, or stopped reading for the idle timeout
            self.close_connection = True


def make_server(site: Path, host: str = "127.0.0.1", port: int = 8000,
                log: TextIO | None = sys.stderr, *, idle_timeout: float = IDLE_TIMEOUT,
                max_connections: int = MAX_CONNECTIONS) -> SiteServer:
    """Bind a server for ``site`` on ``host``:``port``; call ``serve_forever()`` to run it.

    It answers at most ``max_connections`` connections at once (one thread each) and closes a
    connection that has not sent a complete request for ``idle_timeout`` seconds."""
    if not site.is_dir():
        raise InputError(f"{site}: no such site folder (build an episode first or pass --site)")
    try:
        return SiteServer(site, host, port, log, idle_timeout, max_connections)
    except socket.gaierror:
        raise InputError(f"--host {host}: not an address or host name of this machine") from None
    except OverflowError:
        raise InputError(f"--port {port}: not a port number (0 to 65535)") from None
    except OSError as exc:
        where = f"{url_host(host)}:{port}"
        raise InputError(f"{where}: cannot listen there ({exc.strerror})") from None


__all__ = ["ByteRange", "RangeNotSatisfiable", "SiteServer", "make_server", "mime_type",
           "parse_range"]
