"""``bulletin serve`` against hostile or unlucky clients: malformed Range headers, idle and slow
connections, more connections than it serves at once; and a site it may only read."""

from __future__ import annotations

import http.client
from pathlib import Path

import pytest
from lxml import etree

from sitekit import article, make_config, quick_build, running_server

HUGE = "9" * 5000  # past int()'s 4,300-digit limit for a decimal string
ZEROS = "0" * 5000
END = -1  # stands for the file's last byte


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A site built for localhost (so the server renders its feed from the catalog), with an
    empty file and a large sparse one beside the episode."""
    root = tmp_path_factory.mktemp("limits")
    config = make_config(root)
    quick_build(config, article(root, "a.txt", "Limits story", "A paragraph to serve."))
    (config.site / "empty.mp3").write_bytes(b"")
    with (config.site / "big.mp3").open("wb") as big:
        big.truncate(1 << 30)  # sparse: more than any socket buffer holds, no disk used
    return config.site


@pytest.fixture(scope="module")
def server(site):
    with running_server(site) as running:
        yield running


def mp3_of(site: Path) -> Path:
    return next((site / "episodes").glob("*.mp3"))


def get(connection: http.client.HTTPConnection, path: str, headers: dict[str, str] | None = None,
        method: str = "GET") -> tuple[http.client.HTTPResponse, bytes]:
    connection.putrequest(method, path, skip_accept_encoding=True)
    for name, value in (headers or {}).items():
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    return response, response.read()


@pytest.mark.parametrize(("spec", "expected"), [
    # a first byte past the end, however it is written: 416
    ("bytes=" + HUGE + "-", 416),
    ("bytes=" + HUGE + "-" + HUGE + "9", 416),
    ("bytes={size}-", 416),
    ("bytes={size}-" + HUGE, 416),
    # nothing to send: 416
    ("bytes=-0", 416),
    ("bytes=-" + ZEROS, 416),
    # a last byte past the end, or a suffix longer than the file: up to the end
    ("bytes=0-" + HUGE, (0, END)),
    ("bytes=10-" + HUGE, (10, END)),
    ("bytes=-" + HUGE, (0, END)),
    ("bytes=-{more}", (0, END)),
    ("bytes=" + ZEROS + "7-" + ZEROS + "9", (7, 9)),
    ("BYTES = 2-9", (2, 9)),
    # not a single byte range: RFC 9110 lets the server ignore the header and send it all
    ("bytes=" + HUGE + "-" + HUGE[1:], 200),  # last before first
    ("bytes=9-2", 200),
    ("bytes=--5", 200),
    ("bytes=-5-10", 200),
    ("bytes=5--10", 200),
    ("bytes=-", 200),
    ("bytes=", 200),
    ("bytes", 200),
    ("=0-5", 200),
    ("bytes=garbage", 200),
    ("bytes=0x10-0x20", 200),
    ("bytes=1e3-", 200),
    ("bytes=\u00b2-\u00b3", 200),
    ("bytes=0-1,5-9", 200),
    ("bytes=0-1,", 200),
    ("bytes=" + ",".join(["0-1"] * 3000), 200),
    ("items=0-5", 200),
])
def test_every_malformed_range_gets_206_200_or_416_and_the_connection_lives_on(
        site, server, spec, expected):
    data = mp3_of(site).read_bytes()
    size = len(data)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        response, body = get(connection, f"/episodes/{mp3_of(site).name}",
                             {"Range": spec.format(size=size, more=size + 1000)})
        after, feed = get(connection, "/feed.xml")  # the same connection, still open
    finally:
        connection.close()
    if expected == 416:
        assert (response.status, body) == (416, b"")
        assert response.getheader("Content-Range") == f"bytes */{size}"
    elif expected == 200:
        assert (response.status, body == data) == (200, True)
        assert response.getheader("Content-Range") is None
    else:
        start, end = expected[0], size - 1 if expected[1] == END else expected[1]
        assert response.status == 206
        assert response.getheader("Content-Range") == f"bytes {start}-{end}/{size}"
        assert body == data[start:end + 1]
    assert after.status == 200 and etree.fromstring(feed).tag == "rss"


@pytest.mark.parametrize("spec", ["bytes=0-", "bytes=-5", "bytes=0-" + HUGE, "bytes=-" + HUGE])
def test_any_range_of_an_empty_file_is_unsatisfiable(server, spec):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        response, body = get(connection, "/empty.mp3", {"Range": spec})
    finally:
        connection.close()
    assert (response.status, body) == (416, b"")
    assert response.getheader("Content-Range") == "bytes */0"
