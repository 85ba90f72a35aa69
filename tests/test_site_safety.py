"""Nothing published is lost: a lost catalog, a full disk, a bad mix, a replaced episode still
being streamed, and a read-only site each leave what listeners already have in place."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulletin import pipeline
from bulletin.articles import read_articles
from bulletin.errors import BulletinError, ToolError
from bulletin.feed import Catalog, EpisodeFiles
from bulletin.feed.check import check_site
from bulletin.models import Programme
from bulletin.publish import publish
from bulletin.script import build_script
from bulletin.tts import SegmentCache, synthesize_script
from conftest import FakeEngine, article, site_snapshot
from sitekit import (
    NS,
    build_days,
    copied_site,
    feed_guids,
    make_config,
    parse_feed,
    quick_build,
    serve_command,
)

BASE = "https://news.example.org/pod/"
DAY = dt.datetime(2026, 11, 1, 7, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def age(site: Path, seconds: float = 7200) -> None:
    """Make every file in ``site`` look as if it was written ``seconds`` ago."""
    moment = time.time() - seconds
    for path in site.rglob("*"):
        if path.is_file():
            os.utime(path, (moment, moment))


def episode_files(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in (site / "episodes").iterdir()}


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.fixture(scope="module")
def three_built(tmp_path_factory):
    root = tmp_path_factory.mktemp("safety")
    config = make_config(root, base_url=BASE, email="news@example.org")
    results = build_days(config, root, DAY, [
        (f"Safety story {n}", f"The first paragraph of story {n}.",
         f"And a second one, number {n}.") for n in range(3)])
    return config, results


@pytest.fixture
def three(three_built, tmp_path):
    """A copy of a three-episode site whose files were all written two hours ago."""
    config, results = three_built
    copy = copied_site(config, tmp_path)
    age(copy.site)
    return copy, [r.episode for r in results]


@pytest.fixture
def new_article(tmp_path) -> Path:
    return article(tmp_path, "new.txt", "Harbour wall repaired",
                   "Work on the harbour wall finished a week early.")


def cli_build(cli, config, site: Path, source: Path, *options: str):
    """``bulletin build`` with the real (quick) espeak voice."""
    return cli("build", source, "--config", config.source, "--site", site, "--engine", "espeak",
               "--quiet", *options)


# 1. A missing or empty catalog must not erase the site.

def delete_catalog(site: Path) -> None:
    (site / "catalog.sqlite3").unlink()


def empty_catalog(site: Path) -> None:
    (site / "catalog.sqlite3").write_bytes(b"")


def clear_catalog(site: Path) -> None:
    with contextlib.closing(sqlite3.connect(site / "catalog.sqlite3")) as db:
        db.execute("DELETE FROM episodes")
        db.execute("DELETE FROM settings")
        db.commit()


LOSSES = {"deleted": delete_catalog, "zero bytes": empty_catalog, "emptied": clear_catalog}


@pytest.mark.parametrize("loss", list(LOSSES))
def test_a_build_over_a_lost_catalog_is_refused_and_changes_nothing(three, cli, new_article,
                                                                     loss):
    config, _ = three
    LOSSES[loss](config.site)
    before = site_snapshot(config.site)
    result = cli_build(cli, config, config.site, new_article)
    assert result.exit_code == 2
    line = one_line(result.stderr)
    assert str(config.site) in line and "--rebuild-catalog" in line, line
    assert site_snapshot(config.site) == before


@pytest.mark.parametrize("loss", list(LOSSES))
def test_rebuild_catalog_brings_back_every_episode_from_the_feed(three, cli, new_article, loss):
    config, episodes = three
    files = episode_files(config.site)
    guid = parse_feed(config.site).findtext("channel/podcast:guid", namespaces=NS)
    LOSSES[loss](config.site)
    result = cli_build(cli, config, config.site, new_article, "--rebuild-catalog")
    assert result.exit_code == 0, result.output
    assert files <= episode_files(config.site), "every earlier file is still there"
    rebuilt = {e.guid: e for e in Catalog(config.site).episodes()}
    assert len(rebuilt) == 4
    for old in episodes:
        new = rebuilt[old.guid]
        for name in ("number", "title", "description", "pub_date", "audio_file", "length"):
            assert getattr(new, name) == getattr(old, name), name
        assert new.duration == pytest.approx(old.duration, abs=0.5)
        assert [c.title for c in new.chapters] == [c.title for c in old.chapters]
        assert [c.start for c in new.chapters] == pytest.approx([c.start for c in old.chapters],
                                                                abs=0.001)
        assert [c.text for c in new.cues] == [c.text for c in old.cues]
        assert [c.end for c in new.cues] == pytest.approx([c.end for c in old.cues], abs=0.001)
    numbers = parse_feed(config.site).xpath("channel/item/itunes:episode/text()", namespaces=NS)
    assert numbers == ["4", "3", "2", "1"], "episode numbers carry on from the feed's"
    assert parse_feed(config.site).findtext("channel/podcast:guid", namespaces=NS) == guid
    assert check_site(config.site) == []


def test_rebuild_catalog_needs_a_feed_to_rebuild_from(three, cli, new_article):
    config, _ = three
    delete_catalog(config.site)
    (config.site / "feed.xml").unlink()
    before = site_snapshot(config.site)
    result = cli_build(cli, config, config.site, new_article, "--rebuild-catalog")
    assert result.exit_code == 2
    assert "feed.xml" in one_line(result.stderr)
    assert site_snapshot(config.site) == before


def test_a_garbage_catalog_can_be_rebuilt_and_is_kept_aside(three, cli, new_article):
    config, episodes = three
    garbage = b"not a database at all " * 300
    (config.site / "catalog.sqlite3").write_bytes(garbage)
    result = cli_build(cli, config, config.site, new_article, "--rebuild-catalog")
    assert result.exit_code == 0, result.output
    assert len(feed_guids(config.site)) == 4
    kept = [p for p in config.site.glob("catalog.sqlite3.*") if p.read_bytes() == garbage]
    assert len(kept) == 1, "the unreadable catalog is kept for a human to look at"


def test_a_fresh_site_builds_without_the_option(tmp_path, new_article):
    config = make_config(tmp_path / "fresh")
    result = quick_build(config, new_article)
    assert feed_guids(config.site) == [result.episode.guid]


def test_listing_a_site_that_lost_its_catalog_says_how_to_rebuild_it(three, cli):
    config, _ = three
    delete_catalog(config.site)
    result = cli("episodes", "list", "--site", config.site)
    assert result.exit_code == 2
    assert "--rebuild-catalog" in one_line(result.stderr)
    assert not (config.site / "catalog.sqlite3").exists()


def test_the_sweep_leaves_files_the_feed_listed(three, new_article):
    """The catalog lost one row (not all): the feed follows the catalog, but the files the feed
    listed when the build began are not swept as leftovers."""
    config, episodes = three
    lost = episodes[0]
    with contextlib.closing(sqlite3.connect(config.site / "catalog.sqlite3")) as db:
        db.execute("DELETE FROM episodes WHERE guid = ?", (lost.guid,))
        db.commit()
    quick_build(config, new_article, when=DAY + dt.timedelta(days=5))
    for name in EpisodeFiles.of(lost.audio_file).all:
        assert (config.site / name).is_file(), name


# 2. A failed commit must not publish.

def test_a_catalog_that_cannot_grow_fails_in_one_line_and_publishes_nothing(
        three, cli, tmp_path, monkeypatch):
    config, _ = three
    long_story = article(tmp_path, "long.txt", "Council budget agreed", *(
        f"Paragraph {n} of the budget story: the council agreed how much goes to schools, "
        "roads, libraries and the harbour, after a long night of debate in the town hall, "
        "and the mayor said the vote was the closest in twenty years." for n in range(6)))
    before = site_snapshot(config.site)
    # SQLite's own limit: the catalog may not grow by a page (it cannot go below its size), and
    # this episode's row does not fit in the room its page has left
    monkeypatch.setattr(Catalog, "pragmas", ("PRAGMA max_page_count = 1",))
    result = cli_build(cli, config, config.site, long_story)
    assert result.exit_code == 1
    line = one_line(result.stderr)
    assert "catalog.sqlite3: cannot write the catalog (database or disk is full)" in line, line
    assert site_snapshot(config.site) == before, "no feed, page or orphan audio was published"


def ready_to_publish(config, source: Path, work: Path) -> Programme:
    """The stages ``build`` runs before publishing, with the fake voice."""
    script = build_script(read_articles([str(source)]), config, DAY.date())
    clips = synthesize_script(script, FakeEngine(), SegmentCache(config.cache_root), None, 1)
    return pipeline.make(script, clips, config, DAY, work)


def files(site: Path) -> dict[str, str]:
    """The site's files and their hashes, but for SQLite's own -wal and -shm (which a connection
    that failed for want of room may leave, empty, for the next one to use)."""
    return {name: digest for name, digest in site_snapshot(site).items()
            if not name.endswith(("-wal", "-shm"))}


@contextlib.contextmanager
def small_filesystem(folder: Path, size: int) -> Iterator[Path]:
    """A real filesystem of ``size`` bytes (tmpfs) at ``folder``; skips when none can be mounted."""
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True)
    if mounted.returncode:  # as root (as CI runs) it must work: only another user may skip
        reason = f"cannot mount a small filesystem here: {mounted.stderr.decode().strip()}"
        if os.geteuid() == 0:
            pytest.fail(reason)
        pytest.skip(reason + " (it needs root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_full_disk_publishes_nothing_wherever_it_strikes(three_built, tmp_path):
    """The same episode is published on a real small filesystem left with less and less room:
    each attempt either publishes it whole or fails in one line leaving the site as it was, and
    some fail only at the catalog's commit, after the new feed was written."""
    config, _ = three_built
    ready = ready_to_publish(config, article(tmp_path, "n.txt", "Harbour wall repaired",
                                             "Work on the wall finished a week early."),
                             tmp_path)
    outcomes: dict[int, str] = {}
    with small_filesystem(tmp_path / "disk", 8 * 1024 * 1024) as disk:

        def attempt(room: int) -> str:
            for path in list(disk.iterdir()):
                shutil.rmtree(path) if path.is_dir() else path.unlink()
            site = disk / "public"
            shutil.copytree(config.site, site)
            stats = os.statvfs(disk)
            filler = stats.f_bavail * stats.f_frsize - room
            (disk / "filler").write_bytes(b"\0" * max(0, filler))
            before = files(site)
            try:
                publish(dataclasses.replace(ready, made_at=DAY + dt.timedelta(days=3)),
                        dataclasses.replace(config, site=site))
            except BulletinError as exc:
                assert isinstance(exc, ToolError) and "\n" not in str(exc), exc  # exit 1
                assert files(site) == before, f"{room} bytes free: the site changed"
                outcomes[room] = str(exc)
                return "failed"
            assert len(feed_guids(site)) == 4 and len(Catalog(site).episodes()) == 4
            assert check_site(site) == []
            outcomes[room] = "published"
            return "published"

        page = 4096
        low, high = 0, 2 * 1024 * 1024 // page  # in pages: fails with none, publishes with 2 MB
        assert attempt(high * page) == "published"
        while high - low > 1:  # the least room it publishes with
            middle = (low + high) // 2
            low, high = (low, middle) if attempt(middle * page) == "published" else (middle, high)
        for pages in range(max(0, high - 24), high):
            attempt(pages * page)
    failures = [message for message in outcomes.values() if message != "published"]
    # SQLite finds the disk full when the commit writes its log, after the feed was replaced
    assert any("cannot write the catalog (database or disk is full)" in message
               for message in failures), outcomes


# 3. A bad setting must not replace a good episode.

def test_audio_shorter_than_its_chapters_replaces_nothing(tmp_path):
    config = make_config(tmp_path, base_url=BASE)
    source = article(tmp_path, "a.txt", "Harbour news today",
                     "The harbour wall was repaired after the storm last week.",
                     "Workers finished early and the mayor thanked them.")
    good = quick_build(config, source, when=DAY)
    before = site_snapshot(config.site)
    broken = dataclasses.replace(config, audio=dataclasses.replace(config.audio, crossfade=-1.0))
    with pytest.raises(ToolError, match=r"lasts [\d.]+ s but its chapters end at [\d.]+ s"):
        quick_build(broken, source, when=DAY)
    assert site_snapshot(config.site) == before
    assert feed_guids(config.site) == [good.episode.guid]


# 5. A replaced episode's old audio stays for the grace period.

def rebuilt_with_new_audio(tmp_path: Path, **show) -> tuple:
    config = make_config(tmp_path, base_url=BASE, **show)
    source = article(tmp_path, "s.txt", "Harbour wall repaired", "Work finished on Friday.")
    first = quick_build(config, source, when=DAY)
    article(tmp_path, "s.txt", "Harbour wall repaired", "Work finished on Friday, early.")
    second = quick_build(config, source, when=DAY)
    assert second.episode.audio_file != first.episode.audio_file
    return config, EpisodeFiles.of(first.episode.audio_file).all


def other_build(config, tmp_path: Path, when: dt.datetime) -> None:
    quick_build(config, article(tmp_path, f"{when:%H%d}.txt", f"Other news at {when:%H:%M}",
                                "Something else happened."), when=when)


def test_replaced_audio_stays_for_the_grace_period_then_goes(tmp_path):
    config, old = rebuilt_with_new_audio(tmp_path)
    assert all((config.site / name).is_file() for name in old), "a listener may be streaming it"
    age(config.site)  # older than the hour after which leftovers of killed builds are swept
    other_build(config, tmp_path, DAY + 23 * HOUR)
    assert all((config.site / name).is_file() for name in old)
    assert check_site(config.site) == []
    other_build(config, tmp_path, DAY + 25 * HOUR)
    assert not any((config.site / name).exists() for name in old)


def test_the_grace_period_is_a_setting(tmp_path):
    config, old = rebuilt_with_new_audio(tmp_path, replaced_grace_hours=1)
    other_build(config, tmp_path, DAY + 2 * HOUR)
    assert not any((config.site / name).exists() for name in old)


def test_a_removal_sweeps_replaced_audio_past_its_grace(tmp_path, cli):
    config, old = rebuilt_with_new_audio(tmp_path)
    other_build(config, tmp_path, DAY + HOUR)
    guid = feed_guids(config.site)[0]
    result = cli("episodes", "remove", guid, "--config", config.source, "--site", config.site)
    assert result.exit_code == 0, result.output  # now (the real clock) is past DAY + 24 h
    assert not any((config.site / name).exists() for name in old)


# 6. A read-only site.

def _writable(site: Path) -> bool:
    try:
        (site / ".probe").write_bytes(b"")
    except OSError:
        return False
    (site / ".probe").unlink()
    return True


@contextlib.contextmanager
def read_only(site: Path) -> Iterator[str]:
    """Make ``site`` truly read-only, even for root: immutable files (chattr +i), else a read-only
    bind mount; for another user, its permission bits. Yields how."""
    if os.geteuid() != 0:
        modes = {path: path.stat().st_mode for path in (site, *site.rglob("*"))}
        for path, mode in modes.items():
            path.chmod(mode & ~0o222)
        try:
            yield "permissions"
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
        return
    if shutil.which("chattr") and subprocess.run(["chattr", "-R", "+i", str(site)],
                                                 capture_output=True).returncode == 0:
        try:
            if not _writable(site):
                yield "chattr"
                return
        finally:
            subprocess.run(["chattr", "-R", "-i", str(site)], check=True)
    mounted = subprocess.run(["mount", "--bind", "-o", "ro", str(site), str(site)],
                             capture_output=True).returncode == 0
    if mounted:
        try:
            subprocess.run(["mount", "-o", "remount,bind,ro", str(site)], capture_output=True)
            if not _writable(site):
                yield "bind mount"
                return
        finally:
            subprocess.run(["umount", str(site)], check=True)
    pytest.fail("cannot make a folder read-only for root here (no chattr +i, no bind mount)")


def test_episodes_list_works_on_a_read_only_site(three, cli):
    config, episodes = three
    with read_only(config.site):
        result = cli("episodes", "list", "--site", config.site)
        assert result.exit_code == 0, result.output
        assert [line.split()[0] for line in result.stdout.splitlines()] == \
            [e.guid for e in reversed(episodes)]
        assert check_site(config.site) == []


def test_serve_works_on_a_read_only_site(three_built, tmp_path):
    config, _ = three_built
    site = tmp_path / "local"
    shutil.copytree(config.site, site)
    with contextlib.closing(sqlite3.connect(site / "catalog.sqlite3")) as db:
        # built for this machine: the server renders the feed for its own URL from the catalog
        db.execute("UPDATE settings SET value = replace(value, ?, 'http://localhost:8000/') "
                   "WHERE key = 'show'", (BASE,))
        db.commit()
    with read_only(site), serve_command(site, "--port", "0") as served:
        with urllib.request.urlopen(served.url + "feed.xml", timeout=10) as answer:
            feed = answer.read().decode()
        assert feed.count("<item>") == 3 and served.url in feed
        mp3 = next((site / "episodes").glob("*.mp3")).name
        with urllib.request.urlopen(served.url + "episodes/" + mp3, timeout=10) as answer:
            assert answer.status == 200 and answer.read()[:3] in (b"ID3", b"\xff\xfb")
        assert "Traceback" not in served.stderr()


def test_build_on_a_read_only_site_says_so_before_speaking(three, cli, new_article, tmp_path,
                                                           monkeypatch):
    config, _ = three
    cache = tmp_path / "own-cache"
    monkeypatch.setenv("BULLETIN_CACHE_DIR", str(cache))
    with read_only(config.site):
        result = cli_build(cli, config, config.site, new_article)
        removal = cli("episodes", "remove", feed_guids(config.site)[0], "--site", config.site)
    assert result.exit_code == 2
    line = one_line(result.stderr)
    assert str(config.site) in line and "read-only" in line, line
    assert not any(cache.rglob("*.wav")), "nothing was spoken"
    assert removal.exit_code == 2
    assert "read-only" in one_line(removal.stderr)

