"""``bulletin serve`` against hostile or unlucky clients: malformed Range headers, idle and slow
connections, more connections than it serves at once; and a site it may only read."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import etree

from conftest import article
from sitekit import make_config, quick_build, running_server, send, serve_command

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
        response, body = send(connection, f"/episodes/{mp3_of(site).name}",
                             {"Range": spec.format(size=size, more=size + 1000)})
        after, feed = send(connection, "/feed.xml")  # the same connection, still open
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
        response, body = send(connection, "/empty.mp3", {"Range": spec})
    finally:
        connection.close()
    assert (response.status, body) == (416, b"")
    assert response.getheader("Content-Range") == "bytes */0"


def closed(sock: socket.socket, within: float) -> bool:
    """Whether the server closes ``sock`` within ``within`` seconds (whatever it sent first)."""
    deadline = time.monotonic() + within
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            if not sock.recv(65536):
                return True
        except TimeoutError:
            return False
        except ConnectionError:
            return True
    return False


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def test_idle_and_slow_connections_are_closed_after_the_idle_timeout(site):
    with running_server(site, idle_timeout=1, max_connections=8) as server, ExitStack() as stack:
        silent = [stack.enter_context(connect(server.port)) for _ in range(3)]
        kept = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        stack.callback(kept.close)
        response, _ = send(kept, "/feed.xml")
        assert response.status == 200 and not response.will_close
        slow = stack.enter_context(connect(server.port))
        request = b"GET /feed.xml HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: y\r\n" * 50 + b"\r\n"
        sent, cut, deadline = 0, False, time.monotonic() + 15
        while sent < len(request) and time.monotonic() < deadline:  # one byte every 0.1 s
            try:
                slow.sendall(request[sent:sent + 1])
            except ConnectionError:
                cut = True
                break
            sent += 1
            time.sleep(0.1)
        assert cut, f"a request dribbled in byte by byte was still waited for after {sent} bytes"
        for sock in (*silent, kept.sock):
            assert closed(sock, within=10), "an idle connection stayed open"


@contextmanager
def idle_sockets(port: int, count: int) -> Iterator[list[socket.socket]]:
    with ExitStack() as stack:
        yield [stack.enter_context(connect(port)) for _ in range(count)]


def fetch_feed(port: int) -> int:
    """The status of a GET of the feed, 0 when a 200 came without the feed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        response, body = send(connection, "/feed.xml")
        if response.status != 200:
            return response.status
        return 200 if etree.fromstring(body).tag == "rss" else 0
    finally:
        connection.close()


def test_many_idle_connections_start_a_bounded_number_of_threads(site):
    cap = 4
    with running_server(site, idle_timeout=1, max_connections=cap) as server:
        before = threading.active_count()
        most = before
        with idle_sockets(server.port, 40) as sockets:
            deadline = time.monotonic() + 1.5
            while time.monotonic() < deadline:
                most = max(most, threading.active_count())
                time.sleep(0.05)
            assert fetch_feed(server.port) == 200, "an ordinary client while the cap is reached"
            assert all(closed(sock, within=10) for sock in sockets)
        assert fetch_feed(server.port) == 200
    # a thread that gave back its slot may still be ending as the next one starts
    assert most - before <= cap + 3, f"{most - before} threads for 40 idle connections"


def test_when_every_connection_is_busy_a_new_one_gets_503_then_is_served_later(site):
    with running_server(site, idle_timeout=20, max_connections=2) as server, \
            ExitStack() as stack:
        hogs = [stack.enter_context(connect(server.port)) for _ in range(2)]
        for hog in hogs:  # each asks for a big file, then stops reading it
            hog.sendall(b"GET /big.mp3 HTTP/1.1\r\nHost: x\r\n\r\n")
            assert hog.recv(64).startswith(b"HTTP/1.1 200")
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            response, _ = send(connection, "/feed.xml")
        finally:
            connection.close()
        assert response.status == 503
        assert response.getheader("Retry-After") and response.will_close
        for hog in hogs:
            hog.close()
        statuses, deadline = [], time.monotonic() + 10
        while time.monotonic() < deadline and 200 not in statuses:
            statuses.append(fetch_feed(server.port))
        assert statuses[-1] == 200, statuses


def task_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def test_bulletin_serve_holds_200_idle_connections_with_at_most_64_threads(site):
    with serve_command(site, "--port", "0") as served:
        port = urlsplit(served.url).port
        pid = served.process.pid
        with idle_sockets(port, 200):
            most, deadline = 0, time.monotonic() + 2
            while time.monotonic() < deadline:
                most = max(most, task_count(pid))
                time.sleep(0.05)
            assert fetch_feed(port) == 200, "an ordinary client while 200 connections are open"
        assert served.process.poll() is None
    assert most <= 1 + 64 + 5, f"{most} threads in bulletin serve"  # main, slots, ending


def read_only(site: Path) -> tuple[str, ...]:
    """A command prefix under which ``site`` is read-only even for root (a private read-only
    bind mount), or () after making it read-only by its permission bits for anyone else."""
    if os.geteuid() != 0:
        for path in (site, *site.rglob("*")):
            path.chmod(path.stat().st_mode & ~0o222)
        return ()
    if shutil.which("unshare") is None:
        pytest.fail("unshare (util-linux) is missing: cannot make a read-only folder for root")
    return ("unshare", "--mount", "--propagation", "private", "sh", "-c",
            f'mount --bind -o ro "{site}" "{site}" && exec "$0" "$@"')


def snapshot(site: Path) -> dict[str, tuple[int, int]]:
    """Every file in the site, with its size and modification time."""
    return {str(p.relative_to(site)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in site.rglob("*") if p.is_file()}


def test_serve_works_on_a_read_only_site_and_changes_nothing(site, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("big.mp3"))
    before = snapshot(copy)
    with serve_command(copy, "--port", "0", prefix=read_only(copy)) as served:
        port = urlsplit(served.url).port
        for _ in range(2):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                response, feed = send(connection, "/feed.xml")
                assert response.status == 200
                url = etree.fromstring(feed).xpath("string(//enclosure/@url)")
                assert url.startswith(served.url), "the feed is rendered for this server"
                audio, body = send(connection, urlsplit(url).path)
                assert (audio.status, body) == (200, mp3_of(copy).read_bytes())
            finally:
                connection.close()
        assert served.process.poll() is None
        assert "Traceback" not in served.stderr()
    for path in (copy, *copy.rglob("*")):
        path.chmod(path.stat().st_mode | 0o200)
    assert snapshot(copy) == before


def test_serving_leaves_a_writable_site_as_it_was(site, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("big.mp3"))
    before = snapshot(copy)
    with running_server(copy) as server:
        assert fetch_feed(server.port) == 200
        assert fetch_feed(server.port) == 200
    assert snapshot(copy) == before


def other_schema(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (text TEXT)")
    db.close()


def bad_settings(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO settings VALUES ('show', '{not json')")
    db.close()


@pytest.mark.parametrize("spoil", [
    lambda path: path.write_bytes(b""),
    lambda path: path.write_bytes(b"this is not a database, just bytes " * 200),
    other_schema,
    bad_settings,
], ids=["empty", "garbage", "other-schema", "bad-json"])
def test_serving_a_site_whose_catalog_cannot_be_read_is_one_line(cli, tmp_path, spoil):
    site = tmp_path / "site"
    site.mkdir()
    (site / "feed.xml").write_text("<rss/>")
    spoil(site / "catalog.sqlite3")
    before = (site / "catalog.sqlite3").read_bytes()
    result = cli("serve", "--site", site, "--port", "0")
    assert result.exit_code == 2
    catalog = site / "catalog.sqlite3"
    assert result.stderr.startswith((f"bulletin: {catalog}: not a bulletin catalog",
                                     f"bulletin: {catalog}: the catalog is empty"))
    assert len(result.stderr.strip().splitlines()) == 1
    assert (site / "catalog.sqlite3").read_bytes() == before, "serving changed the catalog"
