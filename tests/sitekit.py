"""Helpers for the publishing tests: configs, quick sites built with the fake voice, servers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from lxml import etree

from bulletin.config import Config, Overrides, load_config
from bulletin.pipeline import BuildResult, build
from bulletin.publish.server import SiteServer, make_server
from conftest import FakeEngine, article, stop_process

BULLETIN = Path(sys.executable).parent / "bulletin"
NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "atom": "http://www.w3.org/2005/Atom",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "content": "http://purl.org/rss/1.0/modules/content/",
}


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)  # JSON strings are TOML basic strings


def make_config(root: Path, cache: Path | None = None, **show: Any) -> Config:
    """A bulletin.toml in ``root`` with ``[show]`` settings; the site is ``root/public``."""
    root.mkdir(parents=True, exist_ok=True)
    show.setdefault("email", "producer@example.org")  # a published show has an owner e-mail
    lines = ["[show]", *(f"{key} = {toml_value(value)}" for key, value in show.items())]
    path = root / "bulletin.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_config(path, Overrides(site=root / "public", cache_dir=cache or root / "cache"))


def quick_build(config: Config, source: Path | None = None, when: dt.datetime | None = None,
                **kwargs: Any) -> BuildResult:
    """One episode with the fake voice (fast, deterministic) through the real pipeline."""
    moment = when or dt.datetime.now(dt.UTC).replace(microsecond=0)
    return build([str(source)] if source else [], config, engine=FakeEngine(),
                 clock=lambda: moment, **kwargs)


def build_days(config: Config, root: Path, first: dt.datetime,
               stories: list[tuple[str, ...]]) -> list[BuildResult]:
    """One episode a day from ``first``, each from a (title, *paragraphs) article in ``root``."""
    return [quick_build(config, article(root, f"{n}.txt", *story),
                        when=first + dt.timedelta(days=n)) for n, story in enumerate(stories)]


def copied_site(config: Config, folder: Path) -> Config:
    """``config`` with its site copied into ``folder``/public, for a test to change freely."""
    site = folder / "public"
    shutil.copytree(config.site, site)
    return dataclasses.replace(config, site=site)


def parse_feed(site: Path) -> etree._Element:
    """The feed, parsed strictly (no recovery, no entities, no network)."""
    parser = etree.XMLParser(recover=False, resolve_entities=False, no_network=True)
    return etree.fromstring((site / "feed.xml").read_bytes(), parser)


def feed_guids(site: Path) -> list[str]:
    return [g.text for g in parse_feed(site).iterfind("channel/item/guid")]


def send(connection: http.client.HTTPConnection, path: str,
         headers: dict[str, str] | None = None,
         method: str = "GET") -> tuple[http.client.HTTPResponse, bytes]:
    """One raw request on ``connection`` (the path sent exactly as given): (response, body)."""
    connection.putrequest(method, path, skip_accept_encoding=True)
    for name, value in (headers or {}).items():
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    return response, response.read()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(site: Path, host: str = "127.0.0.1", port: int = 0,
                   log: TextIO | None = None, **limits: Any) -> Iterator[SiteServer]:
    """The site's HTTP server in a thread of this process, stopped on exit; ``limits`` are
    ``make_server``'s (idle_timeout, max_connections)."""
    server = make_server(site, host, port, log=log, **limits)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@dataclass
class Served:
    """A running ``bulletin serve``: its process, the URL it serves at, what it printed."""

    process: subprocess.Popen
    url: str
    banner: str
    log: Any  # a temporary file with its stderr

    def stderr(self) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")


def _as_a_terminal_job() -> None:
    """Ctrl-C reaches the program as it does from a terminal: SIGINT neither blocked nor ignored,
    whatever the test runner's own process had set (a child inherits both)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextmanager
def serve_command(site: Path, *args: str, env: dict[str, str] | None = None,
                  prefix: tuple[str, ...] = ()) -> Iterator[Served]:
    """``bulletin serve`` as a real process (run through the ``prefix`` command, if any),
    stopped on exit."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [*prefix, str(BULLETIN), "serve", "--site", str(site), *args], stdout=subprocess.PIPE,
            stderr=log, text=True, env={**os.environ, **(env or {})}, preexec_fn=_as_a_terminal_job)
        try:
            banner, url = [], ""
            assert process.stdout is not None
            for line in process.stdout:
                banner.append(line)
                if line.startswith("Serving ") and " at " in line:
                    url = line.rsplit(" at ", 1)[1].strip()
                if line.startswith("Press Ctrl+C"):
                    break
            served = Served(process, url, "".join(banner), log)
            assert url, served.banner + served.stderr()
            yield served
        finally:
            stop_process(process)
