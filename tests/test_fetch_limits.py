"""Every fetch is bounded and only goes where it may: a deadline over the whole fetch, one
content-encoding layer and a cap on inflated bytes, credentials never shown or stored, and the
private-address rule checked on every hop before any connection is made.

No test sends traffic anywhere but the 127.0.0.1 test server: every fetcher here dials through
``Dialer``, which connects only to 127.0.0.1 (and to the made-up public address, redirected to the
test server) and fails the test on any other address.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import httpcore
import pytest

from article_server import ARTICLE_HTML, LINK_LOCAL, MEMBER, serve
from bulletin import __version__
from bulletin.articles.addresses import system_resolver
from bulletin.articles.fetch import Fetcher
from bulletin.articles.read import read_article
from bulletin.errors import InputError

PUBLIC = "93.184.216.34"  # stands for a public web server; Dialer sends its traffic to 127.0.0.1
NAMES = {
    "news.example": [PUBLIC],
    "intranet.example": ["10.1.2.3"],
    "router.example": ["192.168.1.1"],
    "metadata.example": [LINK_LOCAL],
    "nowhere.example": ["0.0.0.0"],
    "group.example": ["224.0.0.251"],
    "local6.example": ["::1"],
    "mapped.example": ["::ffff:10.0.0.1"],
    "ula.example": ["fd12:3456::1"],
    "half.example": [PUBLIC, "10.9.9.9"],  # one public answer does not excuse a private one
}


class Dialer(httpcore.NetworkBackend):
    """Connects to 127.0.0.1 only (PUBLIC is dialled on the test server) and records each dial."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.dialled: list[str] = []

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None, socket_options: Any = None,
                    ) -> httpcore.NetworkStream:
        self.dialled.append(host)
        if host == PUBLIC:
            host, port = "127.0.0.1", self.port
        if host != "127.0.0.1":
            pytest.fail(f"the fetcher dialled {host}: only 127.0.0.1 may be contacted")
        return httpcore.SyncBackend().connect_tcp(host, port, timeout, local_address,
                                                  socket_options)


def resolve(host: str, port: int) -> Sequence[str]:
    """Made-up names from NAMES; numeric hosts the way the OS reads them; no DNS query ever."""
    if host in NAMES:
        return NAMES[host]
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    return [info[4][0] for info in found]


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serve() as base:
        yield base


@pytest.fixture
def port(site: str) -> int:
    return int(site.rsplit(":", 1)[1])


@pytest.fixture
def dialer(port: int) -> Dialer:
    return Dialer(port)


def quick(dialer: Dialer, **limits: Any) -> Fetcher:
    """A fetcher with short limits that dials through ``dialer``; typed-URL rules unless told."""
    options: dict[str, Any] = {"timeout": 1.5, "deadline": 5.0, "max_bytes": 200_000,
                               "allow_private": True, "resolver": resolve, "network": dialer}
    return Fetcher(**{**options, **limits})


def refusal(fetcher: Fetcher, url: str, pattern: str) -> str:
    """Fetch ``url``, expecting one InputError line that starts with ``url`` and matches."""
    with pytest.raises(InputError) as caught:
        fetcher.fetch(url)
    line = str(caught.value)
    assert "\n" not in line
    assert line.startswith(f"{url}: "), line
    assert re.search(pattern, line), line
    return line


# --- The deadline ---------------------------------------------------------------------------------

def test_headers_a_byte_a_second_stop_at_the_deadline(site: str, dialer: Dialer) -> None:
    # Each byte comes well within the 1.5 s read timeout; only a deadline over the whole fetch
    # can stop a server that takes a minute to finish its headers.
    fetcher = quick(dialer, timeout=1.5, deadline=2.0)
    started = time.monotonic()
    refusal(fetcher, f"{site}/dribble", r"gave up after the 2 s deadline")
    assert time.monotonic() - started < 2.0 + 2.0  # the deadline, plus a generous margin


def test_the_deadline_covers_the_redirects_too(site: str, dialer: Dialer) -> None:
    fetcher = quick(dialer, timeout=1.5, deadline=2.0)
    started = time.monotonic()
    refusal(fetcher, f"{site}/to-dribble", r"gave up after the 2 s deadline")
    assert time.monotonic() - started < 2.0 + 2.0


MIB = 1024 * 1024


@contextlib.contextmanager
def peak_memory() -> Iterator[Callable[[], int]]:
    """The most memory Python held at once inside the block (tracemalloc: bytes objects, zlib's
    output included), as a function to call after it."""
    tracemalloc.start()
    peak = 0
    try:
        yield lambda: peak
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


# --- Content encoding and the inflated-size cap ---------------------------------------------------

@pytest.mark.parametrize("path", ["/gzip.html", "/deflate.html", "/raw-deflate.html"])
def test_one_layer_of_gzip_or_deflate_is_read(site: str, dialer: Dialer, path: str) -> None:
    page = quick(dialer).fetch(f"{site}{path}")
    assert page.body == ARTICLE_HTML.encode()


def test_a_gzip_bomb_stops_at_the_cap_in_bounded_memory(site: str, dialer: Dialer) -> None:
    with peak_memory() as peak:
        refusal(quick(dialer), f"{site}/bomb.html",
                r"too large for an article \(more than 200000 bytes once decompressed\)")
    # Inflating as it streams, in steps no larger than the cap, needs a few MB at most.
    assert peak() < 20 * MIB, f"the fetch held {peak()} bytes at once for a 200 kB-capped page"


def test_a_double_gzip_bomb_is_refused_by_its_encoding(site: str, dialer: Dialer) -> None:
    with peak_memory() as peak:
        refusal(quick(dialer), f"{site}/double-bomb.html",
                r"content encoded more than once \(gzip, gzip\)")
    assert peak() < 20 * MIB, f"the fetch held {peak()} bytes at once"


def test_an_encoding_bulletin_cannot_read_is_refused(site: str, dialer: Dialer) -> None:
    refusal(quick(dialer), f"{site}/brotli.html", r"unsupported content encoding br")


# --- Credentials in a URL -------------------------------------------------------------------------

def with_member(url: str) -> str:
    return url.replace("http://", f"http://{MEMBER[0]}:{MEMBER[1]}@", 1)


def test_credentials_are_used_but_never_stored(site: str, dialer: Dialer) -> None:
    article = read_article(with_member(f"{site}/members.txt"), fetcher=quick(dialer))
    assert article.paragraphs == ("The ferry board met.",)
    assert article.source == article.url == f"{site}/members.txt"
    moved = read_article(f"{site}/to-credentials", fetcher=quick(dialer))
    assert moved.url == f"{site}/article.html"


def test_credentials_are_not_in_an_error(site: str, dialer: Dialer) -> None:
    with pytest.raises(InputError) as caught:
        quick(dialer).fetch(with_member(f"{site}/missing"))
    assert str(caught.value) == f"{site}/missing: HTTP 404 Not Found"


def test_credentials_are_not_in_the_script_or_its_errors(cli, site: str) -> None:
    result = cli("script", with_member(f"{site}/article.html"), "--format", "json")
    assert result.exit_code == 0, result.output
    assert MEMBER[1] not in result.output and MEMBER[0] not in result.output
    assert json.loads(result.stdout)["stories"][0]["url"] == f"{site}/article.html"
    result = cli("script", with_member(f"{site}/pdf"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"bulletin: {site}/pdf: content type application/pdf")
    assert MEMBER[1] not in result.output


# --- Schemes, host names, redirects, User-Agent ---------------------------------------------------

@pytest.mark.parametrize("url", ["ftp://127.0.0.1/article.txt", "file:///etc/passwd",
                                 "gopher://127.0.0.1:70/"])
def test_only_http_and_https(url: str, dialer: Dialer) -> None:
    refusal(quick(dialer), url, r"not an http or https URL")
    assert dialer.dialled == []


@pytest.mark.parametrize("host", ["a" * 64 + ".example", "news..example"])
def test_a_host_name_no_resolver_can_look_up(host: str, dialer: Dialer) -> None:
    refusal(quick(dialer, resolver=system_resolver), f"http://{host}/story",
            rf"cannot connect \(cannot find {host}: not a valid host name\)")
    assert dialer.dialled == []


def test_a_redirect_to_another_scheme_is_refused(site: str, dialer: Dialer) -> None:
    refusal(quick(dialer), f"{site}/to-file",
            r"redirect to file:///etc/passwd: not an http or https URL")


def test_at_most_five_redirects_by_default(site: str, dialer: Dialer) -> None:
    refusal(quick(dialer), f"{site}/loop", r"too many redirects \(more than 5\)")


def test_an_honest_user_agent(site: str, dialer: Dialer) -> None:
    article = read_article(f"{site}/headers.txt", fetcher=quick(dialer))
    assert article.paragraphs[0].startswith(f"bulletin/{__version__} ")


# --- Private addresses ----------------------------------------------------------------------------

@pytest.mark.parametrize("host", ["0x7f000001", "2130706433", "127.1", "[::ffff:127.0.0.1]",
                                  "127.0.0.1", "[::1]", "[::ffff:7f00:1]"])
def test_loopback_in_any_spelling_is_refused_to_a_link_from_a_feed(
        host: str, port: int, dialer: Dialer) -> None:
    # The system's own resolver: numeric hosts are read the way the OS would connect to them
    # (no DNS query is made for them).
    url = f"http://{host}:{port}/article.txt"
    refusal(quick(dialer, allow_private=False, resolver=system_resolver), url,
            r"a loopback address: only a URL typed on the command line may reach a private")
    assert dialer.dialled == []  # refused before any connection


def test_an_octal_address_is_not_a_url(port: int, dialer: Dialer) -> None:
    refusal(quick(dialer, allow_private=False), f"http://0177.0.0.1:{port}/article.txt",
            r"invalid URL")
    assert dialer.dialled == []


@pytest.mark.parametrize(("name", "rule"), [
    ("intranet.example", "a private"), ("router.example", "a private"),
    ("metadata.example", "a link-local"), ("nowhere.example", "an unspecified"),
    ("group.example", "a multicast"), ("local6.example", "a loopback"),
    ("mapped.example", "a private"), ("ula.example", "a private"), ("half.example", "a private"),
])
def test_a_name_that_resolves_to_a_private_address_is_refused(
        name: str, rule: str, dialer: Dialer) -> None:
    url = f"http://{name}/story"
    line = refusal(quick(dialer, allow_private=False), url, rf"\), {rule} address: ")
    assert f"{name} (" in line
    assert dialer.dialled == []


def test_the_default_fetcher_refuses_private_addresses(port: int, dialer: Dialer) -> None:
    fetcher = Fetcher(network=dialer)  # as a feed or queued job would get it
    refusal(fetcher, f"http://127.1:{port}/article.txt", r"a loopback address")
    assert dialer.dialled == []


def test_a_typed_url_may_reach_loopback_and_connects_to_the_checked_address(
        port: int, dialer: Dialer) -> None:
    page = quick(dialer).fetch(f"http://127.1:{port}/article.txt")
    assert page.body.startswith(b"Ferry vote passes")
    assert dialer.dialled == ["127.0.0.1"]  # the address checked, not the name looked up again


def test_a_public_page_on_a_made_up_name_is_fetched(dialer: Dialer) -> None:
    page = quick(dialer, allow_private=False).fetch("http://news.example/article.txt")
    assert page.url == "http://news.example/article.txt"
    assert dialer.dialled == [PUBLIC]


@pytest.mark.parametrize("typed", [True, False])
def test_a_redirect_from_public_to_link_local_is_refused(typed: bool, dialer: Dialer) -> None:
    url = "http://news.example/to-link-local"
    reason = ("a redirect from a public address may not reach a private one" if typed
              else "only a URL typed on the command line may reach a private address")
    line = refusal(quick(dialer, allow_private=typed), url,
                   rf"{LINK_LOCAL} \({LINK_LOCAL}\), a link-local address: {reason}")
    assert "http://169.254.169.254/latest/meta-data/" in line
    assert dialer.dialled == [PUBLIC]  # the public hop only: the metadata address never dialled


def test_a_typed_url_on_loopback_may_redirect_on_loopback(site: str, dialer: Dialer) -> None:
    page = quick(dialer).fetch(f"{site}/moved")
    assert page.url == f"{site}/article.html"
    assert set(dialer.dialled) == {"127.0.0.1"}
