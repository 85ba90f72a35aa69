"""A ``bulletin build`` killed with SIGKILL at any moment leaves the published site valid.

Real processes, real timing: the build is timed once uninterrupted, then started again and again on
a copy of the same published site and killed at fractions of that time, and at the moments its files
appear on disk. After each kill the previous feed, page, catalog and files are intact, or the new
episode is published whole; never anything in between.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import lxml.html
import pytest

from bulletin.feed import Catalog
from bulletin.feed.check import check_site
from conftest import site_snapshot
from sitekit import BULLETIN, feed_guids

FRACTIONS = (0.25, 0.5, 0.75, 0.9, 1.0)



def build(article: Path, site: Path, tmp: Path) -> subprocess.Popen:
    config = tmp / "bulletin.toml"  # sites checked whole, as published: with an owner e-mail
    config.write_text('[show]\nemail = "producer@example.org"\n')
    return subprocess.Popen([str(BULLETIN), "build", str(article), "--site", str(site), "--quiet",
                             "--config", str(config)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "TMPDIR": str(tmp)}, start_new_session=True)


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the build and the programs it started (ffmpeg), as a crash or OOM kill would."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)


def first_change(site: Path, before: dict[str, float], kind: str) -> Callable[[], bool]:
    """A test of whether the build has just written something of ``kind`` into the site."""
    def changed() -> bool:
        for folder in (site, site / "episodes"):
            try:
                entries = list(os.scandir(folder))
            except FileNotFoundError:
                continue
            for entry in entries:
                name = entry.name
                fits = {"temp": name.endswith(".tmp"), "mp3": name.endswith(".mp3"),
                        "vtt": name.endswith(".vtt"), "feed": name == "feed.xml",
                        "page": name == "index.html"}[kind]
                if not fits:
                    continue
                try:
                    if before.get(entry.path) != entry.stat().st_mtime_ns:
                        return True
                except FileNotFoundError:
                    return True  # written a moment ago and already renamed: a change all the same
        return False
    return changed


def mtimes(site: Path) -> dict[str, float]:
    return {p.path: p.stat().st_mtime_ns for folder in (site, site / "episodes")
            for p in os.scandir(folder)}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A site with episode A; article B spoken once (cached) and timed when built uninterrupted."""
    root = tmp_path_factory.mktemp("kill")
    (root / "tmp").mkdir()
    a, b = root / "a.txt", root / "b.txt"
    a.write_text("Night ferry vote passes\n\nResidents voted to bring back the night ferry.\n")
    b.write_text("Library opens around the clock\n\nThe central library will stay open all "
                 "night, from Monday.\n\nStaff say students asked for it.\n")
    site = root / "pristine"
    assert build(a, site, root / "tmp").wait(600) == 0
    assert build(b, root / "scratch", root / "tmp").wait(600) == 0  # speaks B once
    shutil.rmtree(root / "scratch")
    assert build(b, root / "scratch", root / "tmp").wait(600) == 0  # warm-up of the programs
    shutil.rmtree(root / "scratch")
    started = time.monotonic()
    assert build(b, root / "scratch", root / "tmp").wait(600) == 0
    duration = time.monotonic() - started
    [b_guid] = feed_guids(root / "scratch")
    return {"root": root, "site": site, "b": b, "duration": duration,
            "a_guid": feed_guids(site)[0], "b_guid": b_guid}


def assert_previous_or_complete(site: Path, before: dict[str, str], a_guid: str,
                                b_guid: str) -> str:
    """The site after a kill is the previous one, or has B published whole; which one."""
    assert check_site(site) == [], "the feed is valid and every file it names is there"
    with sqlite3.connect(site / "catalog.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    catalog = [e.guid for e in Catalog(site).episodes()]
    feed = feed_guids(site)
    now = site_snapshot(site)
    for name, digest in before.items():  # A's audio, transcripts, chapters, the cover
        if name.startswith("episodes/") or name.startswith("cover"):
            assert now.get(name) == digest, f"{name} changed"
    page = lxml.html.fromstring((site / "index.html").read_bytes())
    shown = len(page.xpath("//article[@class='episode']"))
    assert catalog in ([a_guid], [b_guid, a_guid])
    if feed == [a_guid]:
        assert now["feed.xml"] == before["feed.xml"], "the old feed, byte for byte"
    else:
        assert feed == [b_guid, a_guid]
    if catalog == [b_guid, a_guid]:
        assert feed == catalog and shown == 2, "a committed episode is in the feed and page"
    assert shown in (1, 2)
    return "new" if catalog == [b_guid, a_guid] else ("feed only" if len(feed) == 2 else "old")


@pytest.mark.parametrize("fraction", FRACTIONS)
def test_a_build_killed_after_a_fraction_of_its_time_leaves_a_valid_site(published, tmp_path,
                                                                         fraction):
    site = tmp_path / "public"
    shutil.copytree(published["site"], site)
    before = site_snapshot(site)
    process = build(published["b"], site, published["root"] / "tmp")
    time.sleep(published["duration"] * fraction)
    kill(process)
    outcome = assert_previous_or_complete(site, before, published["a_guid"], published["b_guid"])
    print(f"killed at {fraction:.0%} of {published['duration']:.1f} s: {outcome}")


@pytest.mark.parametrize("moment", ["temp", "mp3", "vtt", "feed", "page"])
def test_a_build_killed_as_it_writes_into_the_site_leaves_a_valid_site(published, tmp_path,
                                                                        moment):
    site = tmp_path / "public"
    shutil.copytree(published["site"], site)
    before = site_snapshot(site)
    changed = first_change(site, mtimes(site), moment)
    process = build(published["b"], site, published["root"] / "tmp")
    deadline = time.monotonic() + 120
    while process.poll() is None and not changed() and time.monotonic() < deadline:
        pass
    kill(process)
    outcome = assert_previous_or_complete(site, before, published["a_guid"], published["b_guid"])
    print(f"killed as the {moment} file changed: {outcome}")
    # ...and the next build publishes B over whatever the killed one left.
    assert build(published["b"], site, published["root"] / "tmp").wait(600) == 0
    assert feed_guids(site) == [published["b_guid"], published["a_guid"]]
    assert check_site(site) == []
