"""``bulletin serve``: a real HTTP server on 127.0.0.1 with byte ranges, MIME types, no way out of
the site, and a feed URL (and QR code) a phone can use."""

from __future__ import annotations

import datetime as dt
import http.client
import io
import os
import shutil
import signal
import socket
import socketserver
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import etree
from PIL import Image

from bulletin.publish.announce import announce
from bulletin.publish.server import SiteServer
from conftest import article
from sitekit import (
    BULLETIN,
    NS,
    make_config,
    parse_feed,
    quick_build,
    running_server,
    send,
    serve_command,
)

PUBLIC = "https://news.example.org/pod/"


@pytest.fixture(scope="module")
def public_site(tmp_path_factory) -> Path:
    """A site built for a public base URL, with secret files beside it and a symlink out to one."""
    root = tmp_path_factory.mktemp("serve")
    config = make_config(root, base_url=PUBLIC)
    quick_build(config, article(root, "a.txt", "Served story", "A paragraph to serve."),
                when=dt.datetime(2026, 11, 2, 7, 0, tzinfo=dt.UTC))
    (root / "secret.txt").write_text("not for the web")
    (root / "secret.mp3").write_bytes(b"ID3 secret audio")
    (config.site / "leak.mp3").symlink_to(root / "secret.mp3")
    return config.site


@pytest.fixture(scope="module")
def local_site(tmp_path_factory) -> Path:
    """A site built with the default base URL (http://localhost:8000/)."""
    root = tmp_path_factory.mktemp("local")
    config = make_config(root)
    quick_build(config, article(root, "b.txt", "Local story", "A paragraph for this machine."))
    return config.site


def mp3_of(site: Path) -> Path:
    return next((site / "episodes").glob("*.mp3"))


def request(server, path: str, method: str = "GET", headers: dict[str, str] | None = None):
    """One raw request (the path is sent exactly as given); returns (response, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        return send(connection, path, headers, method)
    finally:
        connection.close()


def test_a_whole_file_comes_with_its_length_type_and_accept_ranges(public_site):
    mp3 = mp3_of(public_site)
    with running_server(public_site) as server:
        response, body = request(server, f"/episodes/{mp3.name}")
    assert response.status == 200
    assert response.getheader("Content-Type") == "audio/mpeg"
    assert response.getheader("Accept-Ranges") == "bytes"
    assert int(response.getheader("Content-Length")) == mp3.stat().st_size
    assert body == mp3.read_bytes()


@pytest.mark.parametrize(("spec", "first", "last"), [
    ("bytes=100-1099", 100, 1099),
    ("bytes=5000-", 5000, None),
    ("bytes=-700", -700, None),
    ("bytes=0-99999999", 0, None),
])
def test_byte_ranges_answer_206_with_content_range(public_site, spec, first, last):
    data = mp3_of(public_site).read_bytes()
    size = len(data)
    start = first if first >= 0 else size + first
    end = last if last is not None else size - 1
    with running_server(public_site) as server:
        response, body = request(server, f"/episodes/{mp3_of(public_site).name}",
                                 headers={"Range": spec})
    assert response.status == 206
    assert response.getheader("Content-Range") == f"bytes {start}-{end}/{size}"
    assert int(response.getheader("Content-Length")) == end - start + 1
    assert body == data[start:end + 1]


@pytest.mark.parametrize("spec", ["bytes={size}-", "bytes={size}-{more}", "bytes=-0"])
def test_an_unsatisfiable_range_answers_416(public_site, spec):
    size = mp3_of(public_site).stat().st_size
    with running_server(public_site) as server:
        response, body = request(server, f"/episodes/{mp3_of(public_site).name}",
                                 headers={"Range": spec.format(size=size, more=size + 10)})
    assert response.status == 416
    assert response.getheader("Content-Range") == f"bytes */{size}"
    assert body == b""


def test_a_range_the_server_may_ignore_gets_the_whole_file(public_site):
    data = mp3_of(public_site).read_bytes()
    with running_server(public_site) as server:
        for spec in ("bytes=0-1,5-9", "items=0-5", "bytes=9-2", "bytes=x-"):
            response, body = request(server, f"/episodes/{mp3_of(public_site).name}",
                                     headers={"Range": spec})
            assert (response.status, body == data) == (200, True), spec


def test_head_sends_the_headers_of_get_and_no_body(public_site):
    mp3 = mp3_of(public_site)
    with running_server(public_site) as server:
        head, body = request(server, f"/episodes/{mp3.name}", method="HEAD")
        ranged, _ = request(server, f"/episodes/{mp3.name}", method="HEAD",
                            headers={"Range": "bytes=10-19"})
    assert head.status == 200 and body == b""
    assert int(head.getheader("Content-Length")) == mp3.stat().st_size
    assert head.getheader("Content-Type") == "audio/mpeg"
    assert head.getheader("Accept-Ranges") == "bytes"
    assert ranged.status == 206 and ranged.getheader("Content-Range").startswith("bytes 10-19/")


def test_every_kind_of_site_file_has_its_mime_type(public_site):
    stem = "/episodes/" + mp3_of(public_site).name[:-4]
    expected = {
        "/feed.xml": "application/rss+xml",
        "/": "text/html",
        "/index.html": "text/html",
        f"{stem}.mp3": "audio/mpeg",
        f"{stem}.vtt": "text/vtt",
        f"{stem}.srt": "application/x-subrip",
        f"{stem}.chapters.json": "application/json+chapters",
        "/cover.png": "image/png",
    }
    with running_server(public_site) as server:
        for path, kind in expected.items():
            response, body = request(server, path)
            assert response.status == 200, path
            assert response.getheader("Content-Type").split(";")[0] == kind, path
            assert body == (public_site / (path.lstrip("/") or "index.html")).read_bytes()


@pytest.mark.parametrize("path", [
    "/../secret.txt",
    "/episodes/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E%2Fsecret.txt",
    "/episodes/..%2f..%2fsecret.mp3",
    "/episodes/%2e%2e/%2e%2e/secret.mp3",
    "/..%5csecret.txt",
    "/%252e%252e/secret.txt",
    "/catalog.sqlite3",
    "/.cover-title",
    "/episodes/%00.mp3",
    "//etc/passwd",
    "/etc/passwd",
    "/leak.mp3",
    "/episodes/",
])
def test_nothing_outside_the_site_or_private_to_it_is_served(public_site, path):
    with running_server(public_site) as server:
        response, body = request(server, path)
    assert response.status == 404, path
    assert b"secret" not in body and b"root:" not in body


def test_a_symlink_inside_the_site_is_followed(public_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(public_site, site, symlinks=True)
    (site / "latest.mp3").symlink_to(mp3_of(site).relative_to(site))
    with running_server(site) as server:
        response, body = request(server, "/latest.mp3")
    assert response.status == 200 and body == mp3_of(site).read_bytes()


def test_a_public_site_is_served_exactly_as_published(public_site):
    with running_server(public_site) as server:
        _, feed = request(server, "/feed.xml")
        _, page = request(server, "/index.html")
    assert feed == (public_site / "feed.xml").read_bytes()
    assert page == (public_site / "index.html").read_bytes()


def test_a_localhost_site_is_served_with_the_servers_own_address(local_site):
    on_disk = (local_site / "feed.xml").read_bytes()
    with running_server(local_site) as server:
        response, feed = request(server, "/feed.xml")
        root = etree.fromstring(feed)
        base = f"http://127.0.0.1:{server.port}/"
        urls = root.xpath("//@href | //@url | //link/text()")
        assert urls and all(str(u).startswith(base) for u in urls), urls
        for url in root.xpath("//enclosure/@url | //podcast:transcript/@url", namespaces=NS):
            got, body = request(server, urlsplit(url).path)
            assert got.status == 200
            assert body == (local_site / urlsplit(url).path.lstrip("/")).read_bytes()
        _, page = request(server, "/")
        assert f'<code id="feed-url">{base}feed.xml</code>'.encode() in page
    assert response.getheader("Content-Type").startswith("application/rss+xml")
    assert root.xpath("string(//podcast:guid)", namespaces=NS) == \
        parse_feed(local_site).xpath("string(//podcast:guid)", namespaces=NS), \
        "the show's podcast:guid does not follow the address it is served from"
    assert (local_site / "feed.xml").read_bytes() == on_disk, "serving writes nothing"


def qr_text_to_png(lines: list[str], path: Path) -> None:
    """Draw segno's compact terminal QR (half blocks, light modules printed) as an image."""
    rows = []
    for line in lines:
        top = [ch in "█▀" for ch in line]
        bottom = [ch in "█▄" for ch in line]
        rows += [top, bottom]
    width = max(len(r) for r in rows)
    image = Image.new("L", (width * 8 + 80, len(rows) * 8 + 80), 255)
    for y, row in enumerate(rows):
        for x, light in enumerate(row):
            if not light:
                image.paste(0, (40 + x * 8, 40 + y * 8, 48 + x * 8, 48 + y * 8))
    image.save(path)


def decode_qr(path: Path) -> str:
    found = subprocess.run(["zbarimg", "--quiet", "--raw", str(path)], capture_output=True,
                           text=True, check=True)
    return found.stdout.strip()


def test_serve_prints_the_feed_url_and_a_qr_code_of_it(public_site, tmp_path):
    with serve_command(public_site, "--port", "0") as served:
        lines = served.banner.splitlines()
        assert lines[1] == f"Feed: {PUBLIC}feed.xml"
        qr = [line for line in lines if set(line) <= set("█▀▄ ") and line.strip()]
        assert len(qr) > 10
        qr_text_to_png(qr, tmp_path / "qr.png")
        assert decode_qr(tmp_path / "qr.png") == f"{PUBLIC}feed.xml"
        assert lines[-2:] == ["Scan the code with a phone to subscribe.", "Press Ctrl+C to stop."]
        assert "warning" not in served.stderr()


def test_serve_on_every_interface_warns_and_gives_a_reachable_address(local_site, tmp_path, cli,
                                                                     monkeypatch):
    """``--host 0.0.0.0`` as a user gives it; the test's socket itself is bound to 127.0.0.1 only,
    so no test server listens beyond this machine."""
    bind = socketserver.TCPServer.server_bind

    def loopback_only(server: socketserver.TCPServer) -> None:
        server.server_address = ("127.0.0.1", server.server_address[1])
        bind(server)

    monkeypatch.setattr(socketserver.TCPServer, "server_bind", loopback_only)
    with running_server(local_site, "0.0.0.0") as server:
        host = urlsplit(server.own_url).hostname
        assert host not in ("0.0.0.0", "localhost")
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/feed.xml")
        feed = etree.fromstring(connection.getresponse().read())
        connection.close()
        assert feed.xpath("string(//atom:link/@href)", namespaces=NS) == server.own_url + "feed.xml"
        banner = io.StringIO()
        announce(server, banner)
        qr = [line for line in banner.getvalue().splitlines()
              if set(line) <= set("█▀▄ ") and line.strip()]
        qr_text_to_png(qr, tmp_path / "qr.png")
        assert decode_qr(tmp_path / "qr.png") == server.own_url + "feed.xml"

    def stop_at_once(server: SiteServer) -> None:
        raise KeyboardInterrupt
    monkeypatch.setattr(SiteServer, "serve_forever", stop_at_once)
    result = cli("serve", "--site", local_site, "--host", "0.0.0.0", "--port", "0")
    assert result.stderr.splitlines()[0] == (
        "bulletin: warning: listening on 0.0.0.0, beyond this machine: anyone on the network "
        "can fetch the site")


def qr_lines(text: str) -> list[str]:
    """The lines of a compact terminal QR code in ``text``."""
    return [line for line in text.splitlines() if set(line) <= set("█▀▄ ") and line.strip()]


def test_serve_on_this_machine_only_says_so_and_shows_no_qr_code(local_site):
    with serve_command(local_site, "--port", "0") as served:
        port = urlsplit(served.url).port
        assert served.banner.splitlines() == [
            f"Serving {local_site.resolve()} at http://127.0.0.1:{port}/",
            f"Feed: http://127.0.0.1:{port}/feed.xml",
            "(the site was built for localhost, so its feed and page are served with this "
            "server's address)",
            "Local only: no other device can reach this address, so a phone cannot subscribe "
            "here.",
            "For a phone on the same network: bulletin serve --host 0.0.0.0",
            "Press Ctrl+C to stop.",
        ]
    assert qr_lines(served.banner) == []


@pytest.fixture
def bound_to_loopback(monkeypatch):
    """A server asked for every interface is bound to 127.0.0.1 only, and stops at once: the
    test sees what ``bulletin serve --host 0.0.0.0`` prints, and nothing listens beyond this
    machine."""
    bind = socketserver.TCPServer.server_bind

    def loopback_only(server: socketserver.TCPServer) -> None:
        server.server_address = ("127.0.0.1", server.server_address[1])
        bind(server)

    def stop_at_once(server: SiteServer) -> None:
        raise KeyboardInterrupt
    monkeypatch.setattr(socketserver.TCPServer, "server_bind", loopback_only)
    monkeypatch.setattr(SiteServer, "serve_forever", stop_at_once)


def test_serve_on_every_interface_shows_the_lan_address_and_its_qr_code(
        local_site, tmp_path, cli, bound_to_loopback, monkeypatch):
    monkeypatch.setattr("bulletin.publish.server.lan_address", lambda: "198.51.100.23")
    result = cli("serve", "--site", local_site, "--host", "0.0.0.0", "--port", "0")
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Serving {local_site.resolve()} at http://198.51.100.23:")
    feed = lines[0].rsplit(" at ", 1)[1] + "feed.xml"
    assert lines[1] == f"Feed: {feed}"
    qr_text_to_png(qr_lines(result.stdout), tmp_path / "qr.png")
    assert decode_qr(tmp_path / "qr.png") == feed
    assert lines[-2:] == ["Scan the code with a phone on the same network to subscribe.",
                          "Press Ctrl+C to stop."]
    assert "Local only" not in result.stdout


def test_serve_on_every_interface_without_a_network_address_says_a_phone_cannot_reach_it(
        local_site, cli, bound_to_loopback, monkeypatch):
    monkeypatch.setattr("bulletin.publish.server.lan_address", lambda: "127.0.0.1")
    result = cli("serve", "--site", local_site, "--host", "0.0.0.0", "--port", "0")
    assert qr_lines(result.stdout) == []
    assert "Scan the code" not in result.stdout
    assert result.stdout.splitlines()[-2:] == [
        "No network address was found for this machine, so a phone cannot reach it: connect "
        "it to the phone's network (Wi-Fi) and start again.",
        "Press Ctrl+C to stop."]


def test_ctrl_c_stops_the_server_cleanly(public_site):
    with serve_command(public_site, "--port", "0") as served:
        connection = http.client.HTTPConnection("127.0.0.1", urlsplit(served.url).port, timeout=10)
        connection.request("HEAD", "/")
        assert connection.getresponse().status == 200, "serving before the interrupt"
        connection.close()
        status = Path(f"/proc/{served.process.pid}/status").read_text()
        masks = [line for line in status.splitlines() if line.startswith(("SigBlk", "SigIgn"))]
        served.process.send_signal(signal.SIGINT)
        try:
            assert served.process.wait(20) == 0
        except subprocess.TimeoutExpired:
            pytest.fail(f"still serving 20 s after Ctrl-C; {masks}; {served.stderr()!r}")
        assert served.stderr().strip().splitlines()[-1] == "stopped"


def test_a_port_in_use_is_an_input_error(public_site):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([str(BULLETIN), "serve", "--site", str(public_site), "--port",
                                 str(port)], capture_output=True, text=True, timeout=30,
                                env=os.environ)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"bulletin: 127.0.0.1:{port}: cannot listen there (Address already in use)"]


def test_serving_a_missing_site_is_an_input_error(cli, tmp_path):
    result = cli("serve", "--site", tmp_path / "nowhere", "--port", "0")
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"bulletin: {tmp_path / 'nowhere'}: no such site folder "
                                     "(build an episode first or pass --site)")


def test_a_file_replaced_while_it_is_sent_comes_whole_with_its_own_length(
        public_site, tmp_path, monkeypatch):
    site = tmp_path / "site"
    shutil.copytree(public_site, site, symlinks=True)
    mp3 = mp3_of(site)
    old = mp3.read_bytes()
    real_open = Path.open

    def open_then_republish(self, *args, **kwargs):
        handle = real_open(self, *args, **kwargs)
        if self == mp3:  # a build replaces the file just after the server opened it
            (site / "new.tmp").write_bytes(old * 2)
            os.replace(site / "new.tmp", mp3)
        return handle

    monkeypatch.setattr(Path, "open", open_then_republish)
    with running_server(site) as server:
        response, body = request(server, f"/episodes/{mp3.name}")
    assert response.status == 200
    assert int(response.getheader("Content-Length")) == len(old)
    assert body == old
