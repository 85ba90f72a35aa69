"""A real podcast client: gPodder's ``gpo`` subscribes to the feed ``bulletin serve`` serves on
127.0.0.1, updates and downloads; what it downloads is what was published, byte for byte."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import article
from sitekit import feed_guids, free_port, make_config, quick_build, serve_command

START = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)
TITLES = ["Harbour ferry returns", 'Bakers & <Brewers> say "yes" \u2014 caf\u00e9 day']


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def gpo(tmp_path):
    """Run ``gpo`` with its own home, config and download folders under tmp_path."""
    program = shutil.which("gpo")
    assert program, "gpodder is installed by scripts/setup.sh (BULLETIN_TEST_TOOLS=1)"
    home, downloads = tmp_path / "home", tmp_path / "downloads"
    home.mkdir()
    env = {"HOME": str(home), "GPODDER_HOME": str(tmp_path / "gpodder"),
           "GPODDER_DOWNLOAD_DIR": str(downloads), "PATH": "/usr/bin:/bin",
           "LANG": "C.UTF-8"}

    def run(*args: str) -> str:
        result = subprocess.run([program, *args], capture_output=True, text=True, env=env,
                                timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    run.downloads = downloads  # type: ignore[attr-defined]
    return run


def published(site: Path) -> dict[str, str]:
    return {digest(p): p.name for p in (site / "episodes").glob("*.mp3")}


def downloaded(folder: Path) -> dict[str, str]:
    return {digest(p): p.name for p in folder.rglob("*") if p.is_file()}


def test_gpodder_subscribes_updates_and_downloads_the_published_files(tmp_path, gpo):
    port = free_port()
    config = make_config(tmp_path, base_url=f"http://127.0.0.1:{port}/", title="Marlow Green")
    for n, title in enumerate(TITLES):
        quick_build(config, article(tmp_path, f"{n}.txt", title, f"Story {n} in a paragraph."),
                    when=START + dt.timedelta(days=n))
    with serve_command(config.site, "--port", str(port)) as served:
        feed = served.url + "feed.xml"
        assert served.url == f"http://127.0.0.1:{port}/"
        assert "Successfully added" in gpo("subscribe", feed)
        gpo("update")
        listing = gpo("episodes", "--guid", feed)
        for title in TITLES:
            assert title in listing
        for guid in feed_guids(config.site):
            assert guid in listing
        gpo("download")
        assert downloaded(gpo.downloads) == published(config.site)
        assert len(published(config.site)) == 2

        # The next bulletin appears on the next update, like a daily show does.
        quick_build(config, article(tmp_path, "2.txt", "Tides turn", "Story 2 in a paragraph."),
                    when=START + dt.timedelta(days=2))
        assert "1 new episode" in gpo("update", feed)
        gpo("download")
        assert downloaded(gpo.downloads) == published(config.site)
        assert len(published(config.site)) == 3
        log = served.stderr()
    mp3_requests = [line for line in log.splitlines() if ".mp3 HTTP/1.1\" 200" in line]
    assert len(mp3_requests) == 3, log
