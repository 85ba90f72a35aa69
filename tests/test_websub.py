"""WebSub: the feed names its hub, and the hub hears of each push."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs

import pytest
from lxml import etree

from article_server import serve
from bulletin.config import PublishConfig
from bulletin.publish.websub import ping_hub
from conftest import article
from sitekit import NS, make_config, quick_build


class Hub:
    """A WebSub hub on 127.0.0.1 that records each notification and answers ``status``."""

    def __init__(self) -> None:
        self.pings: list[dict[str, list[str]]] = []
        self.status = 204
        self.url = ""


@pytest.fixture
def hub() -> Iterator[Hub]:
    state = Hub()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length", 0))
            form = parse_qs(self.rfile.read(length).decode())
            form["content-type"] = [self.headers.get("Content-Type", "")]
            state.pings.append(form)
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    with serve(Handler) as base:
        state.url = f"{base}/hub"
        yield state


def test_the_feed_names_its_hub_and_itself(tmp_path, hub) -> None:
    config = make_config(tmp_path, base_url="https://example.org/podcast/")
    config = dataclasses.replace(config, publish=PublishConfig(websub_hub=hub.url))
    quick_build(config, article(tmp_path, "a.txt", "Pier reopens", "The pier reopened today."))
    channel = etree.parse(str(config.site / "feed.xml")).find("channel")
    links = {link.get("rel"): link.get("href") for link in channel.findall("atom:link", NS)}
    assert links == {"self": "https://example.org/podcast/feed.xml", "hub": hub.url}


def test_without_a_hub_the_feed_names_none(tmp_path) -> None:
    config = make_config(tmp_path, base_url="https://example.org/podcast/")
    quick_build(config, article(tmp_path, "a.txt", "Pier reopens", "The pier reopened today."))
    channel = etree.parse(str(config.site / "feed.xml")).find("channel")
    assert [link.get("rel") for link in channel.findall("atom:link", NS)] == ["self"]


def test_the_hub_is_told_the_feed_changed(hub) -> None:
    assert ping_hub(hub.url, "https://example.org/podcast/feed.xml") is None
    (ping,) = hub.pings
    assert ping["hub.mode"] == ["publish"]
    assert ping["hub.url"] == ["https://example.org/podcast/feed.xml"]
    assert ping["content-type"] == ["application/x-www-form-urlencoded"]


def test_a_hub_that_refuses_or_is_gone_is_one_line(hub) -> None:
    hub.status = 500
    refused = ping_hub(hub.url, "https://example.org/feed.xml")
    assert refused == f"{hub.url}: the WebSub hub answered HTTP 500"
    gone = ping_hub("http://127.0.0.1:9/hub", "https://example.org/feed.xml")
    assert gone.startswith("http://127.0.0.1:9/hub: the WebSub hub could not be told (")
    assert "\n" not in gone


def test_a_push_that_changes_the_feed_tells_the_hub_and_one_that_does_not_is_quiet(
        cli, tmp_path, hub, s3_remote) -> None:
    config = make_config(tmp_path, base_url="https://example.org/podcast/")
    with (tmp_path / "bulletin.toml").open("a") as toml:
        toml.write(f'[publish]\nwebsub_hub = "{hub.url}"\n')
    built = cli("build", article(tmp_path, "a.txt", "Pier reopens", "The pier reopened today."),
                "--config", tmp_path / "bulletin.toml", "--site", config.site,
                "--engine", "espeak")
    assert built.exit_code == 0, built.output
    pushed = cli("push", "--config", tmp_path / "bulletin.toml", "--site", config.site,
                 "--to", s3_remote.target, "--json")
    assert pushed.exit_code == 0, pushed.output
    assert json.loads(pushed.stdout)["hub"] == hub.url
    (ping,) = hub.pings  # after the feed went up
    assert ping["hub.url"] == ["https://example.org/podcast/feed.xml"]
    remote_feed = etree.parse(str(s3_remote.folder / "feed.xml"))  # what subscribers read
    assert remote_feed.xpath("//atom:link[@rel='hub']/@href", namespaces=NS) == [hub.url]
    again = cli("push", "--config", tmp_path / "bulletin.toml", "--site", config.site,
                "--to", s3_remote.target, "--json")
    assert "hub" not in json.loads(again.stdout) and len(hub.pings) == 1  # nothing new: no ping
