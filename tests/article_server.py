"""A real HTTP server on 127.0.0.1 that serves article pages, and misbehaves on request.

Paths: /article.html (a news page), /article.md, /article.txt, /moved (redirects to the article),
/loop (redirects to itself), /slow (answers after a delay), /huge (more bytes than any article),
/pdf (a non-article content type), /empty.html (a page with no article), anything else → 404.
Hostile ones: /dribble (headers at one byte a second) and /to-dribble (a redirect to it),
/gzip.html, /deflate.html and /raw-deflate.html (the article, compressed once), /bomb.html (1 GiB
of zeros, gzipped), /double-bomb.html (the same, gzipped twice: 2.7 kB), /brotli.html (an encoding
bulletin does not take), /to-link-local (redirects to the cloud metadata address), /to-file
(redirects to file:///etc/passwd), /to-credentials (redirects to the article with a user and
password in the URL), /members.txt (needs HTTP Basic auth reader:s3cret) and /headers.txt (an
article whose one paragraph is the User-Agent it was asked with).
"""

from __future__ import annotations

import base64
import functools
import struct
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARTICLE_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Night ferry returns to Kestrel Bay | Estuary Echo</title>
<meta property="og:title" content="Night ferry returns to Kestrel Bay">
<meta property="og:site_name" content="Estuary Echo">
<meta name="author" content="Ana Ortiz">
<meta property="article:published_time" content="2026-11-20T08:00:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article>
<h1>Night ferry returns to Kestrel Bay</h1>
<p>The night ferry across the Kestrel estuary will run again from the spring, after residents
voted by a wide margin to bring it back twelve years after it stopped.</p>
<figure><img src="/slipway.jpg" alt="A rusting slipway under floodlights">
<figcaption>The old slipway on Quay Street.</figcaption></figure>
<p>Councillors said the late boats would help nurses, cooks and cleaners who finish work after
the last bus, and who now face a long ride around the water.</p>
<p>"This gives me back an hour of my night," said Priya Nair, a nurse on the north shore, who
cycles around the estuary after every late shift.</p>
<p>The operator will be chosen in January, and the first crossings are planned for April.</p>
</article>
<footer><p>Sign up for our newsletter</p><p>Copyright Estuary Echo. All rights reserved.</p>
</footer></body></html>
"""

ARTICLE_MD = """---
title: Ferry vote passes
source: Estuary Echo
date: 2026-11-20
url: https://echo.example/ferry
---

The ferry vote passed on Tuesday evening.
"""

EMPTY_HTML = ("<!doctype html><html><head><title>Menu</title></head><body>"
              "<nav><a href='/'>Home</a></nav></body></html>")


_MIB = bytes(1 << 20)
BOMB_BYTES = 1 << 30  # what the bombs inflate to
LINK_LOCAL = "169.254.169.254"  # a cloud metadata service's address: never contacted by tests
MEMBER = ("reader", "s3cret")


def _deflated_mib() -> bytes:
    """One MiB of zeros as raw deflate, ending on a full flush so copies can follow each other."""
    squeeze = zlib.compressobj(6, zlib.DEFLATED, -15)
    return squeeze.compress(_MIB) + squeeze.flush(zlib.Z_FULL_FLUSH)


def gzip_bomb() -> Iterator[bytes]:
    """A gzip stream of BOMB_BYTES zeros, made as it is sent (about 1 MB, never held whole)."""
    yield b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    burst = _deflated_mib() * 64  # 66 kB that inflate to 64 MiB: a client's whole read
    for _ in range(BOMB_BYTES >> 26):
        yield burst
    yield zlib.compressobj(6, zlib.DEFLATED, -15).flush()  # the empty last block
    yield struct.pack("<II", _zeros_crc(), BOMB_BYTES & 0xFFFFFFFF)


@functools.cache
def _zeros_crc() -> int:
    crc = 0
    for _ in range(BOMB_BYTES >> 20):
        crc = zlib.crc32(_MIB, crc)
    return crc


@functools.cache
def double_gzip_bomb() -> bytes:
    """The gzip bomb gzipped again: a few kB that inflate to 1 MB, then to 1 GiB."""
    squeeze = zlib.compressobj(6, zlib.DEFLATED, 31)
    return b"".join([*(squeeze.compress(part) for part in gzip_bomb()), squeeze.flush()])


def compressed(data: bytes, wbits: int) -> bytes:
    """``data`` gzipped (wbits 31), zlib-wrapped (15) or as raw deflate (-15)."""
    squeeze = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return squeeze.compress(data) + squeeze.flush()


class _Handler(BaseHTTPRequestHandler):
    slow_seconds = 3.0

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _stream(self, parts: Iterable[bytes], headers: dict[str, str]) -> None:
        """A 200 response with no length: the body runs until the connection closes."""
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        try:
            for part in parts:
                self.wfile.write(part)
        except OSError:  # the client stopped reading, as it should
            pass
        self.close_connection = True

    def _dribble(self) -> None:
        """Headers at one byte a second: no read waits long, yet the answer takes a minute."""
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n")
            for byte in b"X-Dribble: " + b"." * 60 + b"\r\n":
                self.wfile.write(bytes([byte]))
                time.sleep(1.0)
            body = b"Too late\n\nThis answer took a minute.\n"
            self.wfile.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        except OSError:  # the client gave up, as it should
            pass
        self.close_connection = True

    def _hostile(self, path: str) -> bool:
        """Serve one of the hostile paths; False when ``path`` is not one."""
        port = self.server.server_address[1]
        if path == "/dribble":
            self._dribble()
        elif path == "/to-dribble":
            self._send(302, b"", "text/html", {"Location": "/dribble"})
        elif path in ("/gzip.html", "/deflate.html", "/raw-deflate.html"):
            encoding, wbits = {"/gzip.html": ("gzip", 31), "/deflate.html": ("deflate", 15),
                               "/raw-deflate.html": ("deflate", -15)}[path]
            self._send(200, compressed(ARTICLE_HTML.encode(), wbits), "text/html",
                       {"Content-Encoding": encoding})
        elif path == "/bomb.html":
            self._stream(gzip_bomb(), {"Content-Type": "text/html", "Content-Encoding": "gzip"})
        elif path == "/double-bomb.html":
            self._send(200, double_gzip_bomb(), "text/html", {"Content-Encoding": "gzip, gzip"})
        elif path == "/brotli.html":
            self._send(200, b"\x0b\x02\x80hello\x03", "text/html", {"Content-Encoding": "br"})
        elif path == "/to-link-local":
            self._send(302, b"", "text/html",
                       {"Location": f"http://{LINK_LOCAL}/latest/meta-data/"})
        elif path == "/to-file":
            self._send(302, b"", "text/html", {"Location": "file:///etc/passwd"})
        elif path == "/to-credentials":
            self._send(302, b"", "text/html", {
                "Location": f"http://{MEMBER[0]}:{MEMBER[1]}@127.0.0.1:{port}/article.html"})
        elif path == "/members.txt":
            token = base64.b64encode(":".join(MEMBER).encode()).decode()
            if self.headers.get("Authorization") == f"Basic {token}":
                self._send(200, b"Members only\n\nThe ferry board met.\n", "text/plain")
            else:
                self._send(401, b"who are you?", "text/plain",
                           {"WWW-Authenticate": 'Basic realm="members"'})
        elif path == "/headers.txt":
            agent = self.headers.get("User-Agent", "none").encode()
            self._send(200, b"Headers\n\n" + agent + b"\n", "text/plain")
        else:
            return False
        return True

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = self.path.split("?")[0]
        if self._hostile(path):
            return
        if path == "/article.html":
            self._send(200, ARTICLE_HTML.encode(), "text/html; charset=utf-8")
        elif path == "/article.md":
            self._send(200, ARTICLE_MD.encode(), "text/markdown; charset=utf-8")
        elif path == "/article.txt":
            self._send(200, b"Ferry vote passes\n\nThe vote passed on Tuesday.\n",
                       "text/plain; charset=utf-8")
        elif path == "/empty.html":
            self._send(200, EMPTY_HTML.encode(), "text/html")
        elif path == "/moved":
            self._send(301, b"", "text/html", {"Location": "/article.html"})
        elif path == "/loop":
            self._send(302, b"", "text/html", {"Location": "/loop"})
        elif path == "/slow":
            time.sleep(self.slow_seconds)
            self._send(200, ARTICLE_HTML.encode(), "text/html")
        elif path == "/huge":
            # No Content-Length: the client must stop reading at its cap by itself.
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            chunk = b"<p>" + b"more words " * 9000 + b"</p>\n"
            try:
                for _ in range(200):  # about 20 MB if nobody stops reading
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True
        elif path == "/pdf":
            self._send(200, b"%PDF-1.4 not an article", "application/pdf")
        else:
            self._send(404, b"<h1>Not found</h1>", "text/html")


@contextmanager
def serve(handler: type[BaseHTTPRequestHandler] | None = None) -> Iterator[str]:
    """Run the server (this module's, or one answering with ``handler``) on a free port of
    127.0.0.1 until the block ends; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler or _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
