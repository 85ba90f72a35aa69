"""Credit the sources: each story keeps its site's name and its own address, and the show notes,
the chapters, the page and the intro say them.

Pages come from the shared corpus (real news pages) or are written here, served on 127.0.0.1.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import lxml.html
import pytest

BBC = "bbc.com.52241221.html"
TELEGRAPH = "telegraph.co.uk.plumber.html"


def corpus(shared: Path, name: str) -> bytes:
    return (shared / "corpus" / "html" / name).read_bytes()


def own_address(page: bytes) -> str:
    """What the page says its address is: its canonical link, else its og:url (read here with
    lxml, as a reader of the page would)."""
    tree = lxml.html.fromstring(page)
    found = tree.xpath("//link[@rel='canonical']/@href") + \
        tree.xpath("//meta[@property='og:url']/@content")
    return found[0]


def site_name(page: bytes) -> str:
    return lxml.html.fromstring(page).xpath("//meta[@property='og:site_name']/@content")[0]


@contextmanager
def pages_served(pages: dict[str, bytes]) -> Iterator[str]:
    """An HTTP server on a free port of 127.0.0.1 answering each path (query ignored) with its
    HTML page, anything else with 404; stopped on exit. Yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the handler's API
            body = pages.get(self.path.split("?", 1)[0])
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def script_json(cli, *sources: object) -> dict:
    result = cli("script", *sources, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- Each story keeps its source ---------------------------------------------------------------

def test_a_page_from_a_url_or_a_file_keeps_its_site_name_and_canonical_address(
        cli, shared_dir: Path, tmp_path: Path) -> None:
    bbc, telegraph = corpus(shared_dir, BBC), corpus(shared_dir, TELEGRAPH)
    saved = tmp_path / "plumber.html"
    saved.write_bytes(telegraph)
    with pages_served({"/world/story": bbc}) as base:
        data = script_json(cli, f"{base}/world/story?utm_source=app&utm_medium=share", saved)
    first, second = data["stories"]
    assert (first["site"], first["url"]) == (site_name(bbc), own_address(bbc))
    assert (second["site"], second["url"]) == (site_name(telegraph), own_address(telegraph))
    assert first["url"].startswith("https://www.bbc.com/")  # not where it was fetched from


PAGE = ("<!doctype html><html><head><title>Ferry | Harbour Herald</title>{head}</head><body>"
        "<article><h1>Night ferry returns</h1>" + "".join(
            f"<p>{text}</p>" for text in (
                "The night ferry across the estuary will run again from the spring, after "
                "residents voted to bring it back.",
                "Councillors said the late boats would help nurses and cooks who finish work "
                "after the last bus.",
                "The operator will be chosen in January, and the first crossings are planned "
                "for April.")) + "</article></body></html>")


@pytest.mark.parametrize(("head", "expected"), [
    ('<link rel="Canonical" href="/news/ferry">', "{base}/news/ferry"),
    ('<meta property="og:url" content="https://reader:pw@herald.example/ferry">',
     "https://herald.example/ferry"),
    ('<link rel="canonical" href="javascript:alert(1)">', "{base}/ferry"),
    ("", "{base}/ferry"),
])
def test_a_page_says_its_own_address_only_as_a_web_address(cli, head: str,
                                                           expected: str) -> None:
    page = PAGE.format(head=head).encode()
    with pages_served({"/ferry": page}) as base:
        data = script_json(cli, f"{base}/ferry")
    assert data["stories"][0]["url"] == expected.format(base=base)
