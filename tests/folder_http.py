"""A plain HTTP server over a folder, as a storage's public website serves what was pushed to it.

In: a folder (a remote's, see remotes.py) and the host name listeners use for it.
Out: ``serving_folder(folder, host)`` runs a ``FolderServer`` on 127.0.0.1 in a thread until the
block ends. It answers ``http://127.0.0.1:PORT/path`` directly, and ``http://HOST/path`` when a
client uses it as its HTTP proxy (``FolderServer.env()`` for a client program, ``get`` in this
process): a site built with ``base_url = FolderServer.base_url`` has feed URLs that are not local
(bulletin refuses to push a feed of local URLs) yet reach this server and nothing else; a request
for any other host is answered 404, never forwarded. Files carry an ETag (a hash of their bytes)
that a conditional GET is answered by, as object stores do.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


@dataclass
class FolderServer:
    """A running server over ``folder``; ``requests`` holds (method, target, status) of each."""

    folder: Path
    host: str  # the name in the site's URLs
    port: int
    requests: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def base_url(self) -> str:
        """The URL listeners know the folder by: build sites with it (and a path under it)."""
        return f"http://{self.host}/"

    @property
    def proxy(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """Variables that send a client program's HTTP requests here (requests, urllib, curl)."""
        return {"http_proxy": self.proxy, "HTTP_PROXY": self.proxy, "no_proxy": "",
                "NO_PROXY": ""}

    def get(self, url: str) -> bytes:
        """The body at ``url`` (under ``base_url``), fetched through this server as a proxy."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": self.proxy}))
        with opener.open(url, timeout=30) as answer:
            return answer.read()

    def downloads(self, suffix: str) -> list[str]:
        """The targets of whole (200) GET answers whose path ends with ``suffix``."""
        return [target for method, target, status in self.requests
                if method == "GET" and status == 200 and urlsplit(target).path.endswith(suffix)]


class _Handler(SimpleHTTPRequestHandler):
    server: _Server
    _target = ""  # the request target as the client sent it

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.server.served.requests.append((self.command, self._target, int(code)))

    def _local(self) -> bool:
        """Make ``self.path`` the path to serve; False (answered 404) for a host not ours."""
        self._target = self.path
        if "://" in self.path:
            parts = urlsplit(self.path)
            if parts.scheme != "http" or (parts.hostname or "") != self.server.served.host or \
                    parts.port not in (None, 80):
                self.send_error(404, "not this server's host")
                return False
            self.path = parts.path + (f"?{parts.query}" if parts.query else "")
        return True

    def send_head(self):  # noqa: ANN201 - http.server's: a file to copy, or None
        """A file's ETag is a hash of its bytes, as object stores give: a client that has it gets
        304 (the stdlib's If-Modified-Since alone misses two versions within one second)."""
        self._etag = ""
        path = Path(self.translate_path(self.path))
        if path.is_file():
            tag = f'"{hashlib.sha256(path.read_bytes()).hexdigest()[:32]}"'
            if self.headers.get("If-None-Match") == tag:
                self.send_response(304)
                self.send_header("ETag", tag)
                self.end_headers()
                return None
            self._etag = tag
        return super().send_head()

    def end_headers(self) -> None:
        if getattr(self, "_etag", ""):
            self.send_header("ETag", self._etag)
            self._etag = ""
        super().end_headers()

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self._local():
            super().do_GET()

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's name
        if self._local():
            super().do_HEAD()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    served: FolderServer


@contextmanager
def serving_folder(folder: Path, host: str) -> Iterator[FolderServer]:
    """Serve ``folder`` on a free port of 127.0.0.1 until the block ends."""
    server = _Server(("127.0.0.1", 0), functools.partial(_Handler, directory=str(folder)))
    server.served = FolderServer(folder, host, server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
