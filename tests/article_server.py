"""A real HTTP server on 127.0.0.1 that serves article pages, and misbehaves on request.

Paths: /article.html (a news page), /article.md, /article.txt, /moved (redirects to the article),
/loop (redirects to itself), /slow (answers after a delay), /huge (more bytes than any article),
/pdf (a non-article content type), /empty.html (a page with no article), anything else → 404.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
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

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = self.path.split("?")[0]
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
def serve() -> Iterator[str]:
    """Run the server on a free port of 127.0.0.1; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
