"""Fetch an article page over HTTP(S), within limits.

In: an ``http://`` or ``https://`` URL. Out: a ``Page`` (final URL, media type, bytes). Every way a
fetch can fail (unreachable host, timeout, HTTP error, wrong content type, too large, a redirect
loop) raises ``InputError`` naming the URL and the reason.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from .. import __version__
from ..errors import InputError

MAX_BYTES = 5 * 1024 * 1024  # an article page is text; anything larger is not one

# Media types that carry an article, and how to read each.
ARTICLE_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/markdown": "md",
    "text/x-markdown": "md",
    "text/plain": "txt",
}


@dataclass(frozen=True)
class Page:
    """A fetched document: where it ended up, what kind it is and its bytes."""

    url: str
    kind: str  # "html", "md" or "txt"
    body: bytes


@dataclass(frozen=True)
class Fetcher:
    """Fetches pages with a per-operation timeout, an overall deadline, a size cap and a bounded
    number of redirects. Tests pass one with short limits; the default suits the real web."""

    timeout: float = 15.0  # seconds allowed for connecting and for each read
    deadline: float = 60.0  # seconds allowed for the whole download
    max_bytes: int = MAX_BYTES
    max_redirects: int = 5

    def fetch(self, url: str) -> Page:
        """Download ``url`` or raise ``InputError`` saying why it cannot be read."""
        headers = {"User-Agent": f"bulletin/{__version__} (+podcast bulletin maker)",
                   "Accept": "text/html, application/xhtml+xml, text/markdown, text/plain;q=0.8"}
        try:
            with httpx.Client(follow_redirects=True, max_redirects=self.max_redirects,
                              timeout=httpx.Timeout(self.timeout), headers=headers) as client, \
                    client.stream("GET", url) as response:
                return self._read(url, response)
        except httpx.TooManyRedirects:
            raise InputError(f"{url}: too many redirects (more than {self.max_redirects})") \
                from None
        except httpx.TimeoutException:
            raise InputError(f"{url}: timed out after {self.timeout:g} s") from None
        except httpx.UnsupportedProtocol:
            raise InputError(f"{url}: not an http or https URL") from None
        except httpx.InvalidURL as exc:
            raise InputError(f"{url}: invalid URL ({exc})") from None
        except httpx.ConnectError as exc:
            raise InputError(f"{url}: cannot connect ({_reason(exc)})") from None
        except httpx.HTTPError as exc:
            raise InputError(f"{url}: cannot fetch ({_reason(exc)})") from None

    def _read(self, url: str, response: httpx.Response) -> Page:
        if response.status_code >= 400:
            reason = response.reason_phrase or "error"
            raise InputError(f"{url}: HTTP {response.status_code} {reason}")
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        kind = ARTICLE_TYPES.get(media)
        if kind is None:
            shown = media or "none given"
            raise InputError(f"{url}: content type {shown} is not an article page "
                             "(expected HTML, Markdown or plain text)")
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            raise InputError(f"{url}: too large for an article ({int(length)} bytes, "
                             f"limit {self.max_bytes})")
        started = time.monotonic()
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise InputError(f"{url}: too large for an article (more than "
                                 f"{self.max_bytes} bytes)")
            if time.monotonic() - started > self.deadline:
                raise InputError(f"{url}: download took longer than {self.deadline:g} s")
            chunks.append(chunk)
        return Page(url=str(response.url), kind=kind, body=b"".join(chunks))


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__
