"""What listeners notice of ``bulletin push``: podcast clients (feedparser, gPodder's ``gpo``)
read the pushed feed through a plain HTTP server over the remote's folder and get every episode
whole; a later push sends only what is new; a removed episode's files go only after the feed that
drops it; and a push killed at any moment leaves a remote feed whose every file is there, whole.

The remotes are rclone's own servers on 127.0.0.1 (remotes.py); the sites' URLs are
http://podcast.remote.test/podcast/, a name that reaches the folder server as the clients' proxy.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import feedparser
import pytest
from lxml import etree

from bulletin.config import ENVIRONMENT
from bulletin.publish import remove_episode
from conftest import article
from folder_http import FolderServer
from rclone_serve import Remote
from sitekit import NS, feed_guids, make_config, quick_build

BASE = "http://podcast.remote.test/podcast/"  # folder_server's default host, the remote's folder
START = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.UTC)
STORIES = [("Harbour ferry returns", "The night ferry runs again from spring. " * 5),
           ("Bakers say yes", "The bakers voted for a market on the quay. " * 5),
           ("Tides turn", "The spring tides reached the old slipway. " * 5),
           ("Library opens late", "The library will open until ten on Thursdays. " * 5)]
SLOW = "32k"  # a remote this slow takes seconds over an episode's audio


def pushable(site: Path) -> dict[str, int]:
    """What a push sends: every file but hidden ones and the catalog, with its size."""
    return {p.relative_to(site).as_posix(): p.stat().st_size for p in site.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(site).parts)
            and not p.name.startswith("catalog.sqlite3")}


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> SimpleNamespace:
    """A show's site at three moments: ``first`` (3 episodes), ``more`` (a 4th), ``after`` (the
    oldest removed); ``removed`` holds the oldest's files, ``added`` the 4th's."""
    root = tmp_path_factory.mktemp("show")
    with pytest.MonkeyPatch.context() as patch:
        for var in ENVIRONMENT:
            patch.delenv(var, raising=False)
        config = make_config(root, cache=shared_cache, base_url=BASE, title="Marlow Green")
        for n, story in enumerate(STORIES[:3]):
            quick_build(config, article(root, f"{n}.txt", *story), when=START + dt.timedelta(n))
        first = root / "first"
        shutil.copytree(config.site, first)
        quick_build(config, article(root, "3.txt", *STORIES[3]), when=START + dt.timedelta(3))
        more = root / "more"
        shutil.copytree(config.site, more)
        remove_episode(config, feed_guids(config.site)[-1])
    found = SimpleNamespace(first=first, more=more, after=config.site,
                            removed=sorted(set(pushable(more)) - set(pushable(config.site))),
                            added=sorted(set(pushable(more)) - set(pushable(first))))
    assert len(found.added) == len(found.removed) == 4  # an episode's audio and 3 companions
    return found


def copy_of(site: Path, folder: Path) -> Path:
    """A copy of ``site`` for one test to push (a push may leave things in its site)."""
    copy = folder / f"site-{site.name}"
    shutil.copytree(site, copy, dirs_exist_ok=True)
    return copy


def push_command(site: Path, target: str, *options: str) -> list[str]:
    return [sys.executable, "-m", "bulletin", "push", "--site", str(site), "--to", target,
            *options]


def push(site: Path, target: str) -> dict:
    """``bulletin push --json`` as a user runs it; its report."""
    done = subprocess.run(push_command(site, target, "--json"), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def named_files(feed: bytes) -> list[tuple[str, int | None]]:
    """Every file URL the feed names: enclosures (with their length), transcripts, chapters,
    the cover."""
    parser = etree.XMLParser(recover=False, resolve_entities=False, no_network=True)
    channel = etree.fromstring(feed, parser).find("channel")
    found = [(e.get("url"), int(e.get("length"))) for e in channel.iterfind("item/enclosure")]
    for path in ("item/podcast:transcript", "item/podcast:chapters", "itunes:image", "image/url"):
        for element in channel.iterfind(path, NS):
            found.append((element.get("url") or element.get("href") or element.text, None))
    return found


def assert_consistent(remote: Remote, server: FolderServer, *sites: Path) -> bytes | None:
    """The remote's feed, as a listener gets it, names only files the remote holds whole
    (the size of the site's file of that name); the feed, or None when there is none yet."""
    held = remote.files()
    if "feed.xml" not in held:
        return None
    feed = server.get(BASE + "feed.xml")
    expected = {path: size for site in sites for path, size in pushable(site).items()}
    for url, length in named_files(feed):
        assert url.startswith(BASE), url
        path = url[len(BASE):]
        assert path in held, f"the remote's feed names {path}, which the remote lacks"
        assert held[path] == expected[path], f"{path} is not whole on the remote"
        assert length in (None, held[path]), f"{path}: the enclosure's length is not its size"
    return feed


def guids(feed: bytes) -> list[str]:
    return [entry.id for entry in feedparser.parse(feed).entries]


class Gpo:
    """``gpo`` with its own home and download folder; ``proxy`` holds the variables that take
    its requests to the folder server (set them before the first call)."""

    def __init__(self, folder: Path) -> None:
        program = shutil.which("gpo")
        assert program, "gpodder is installed by scripts/setup.sh (BULLETIN_TEST_TOOLS=1)"
        self.program, self.folder = program, folder
        self.proxy: dict[str, str] = {}
        (folder / "home").mkdir()

    def __call__(self, *args: str) -> str:
        env = {"HOME": str(self.folder / "home"), "GPODDER_HOME": str(self.folder / "gpodder"),
               "GPODDER_DOWNLOAD_DIR": str(self.folder / "downloads"), "PATH": "/usr/bin:/bin",
               "LANG": "C.UTF-8", **self.proxy}
        done = subprocess.run([self.program, *args], capture_output=True, text=True, env=env,
                              timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def downloaded(self) -> set[str]:
        return {digest(p.read_bytes()) for p in (self.folder / "downloads").rglob("*")
                if p.is_file()}


@pytest.fixture
def gpo(tmp_path: Path) -> Gpo:
    return Gpo(tmp_path)


def mp3_digests(site: Path) -> set[str]:
    return {digest(p.read_bytes()) for p in (site / "episodes").glob("*.mp3")}


def test_podcast_clients_get_every_pushed_episode_whole_and_a_new_one_alone(
        tmp_path, sites, s3_remote, folder_server, gpo):
    site = copy_of(sites.first, tmp_path)
    report = push(site, s3_remote.target)
    assert sorted(report["uploaded"]) == sorted(pushable(sites.first))
    server = folder_server(s3_remote.folder.parent)
    assert server.base_url + s3_remote.folder.name + "/" == BASE

    # feedparser, as many apps read feeds: every episode, and each enclosure byte for byte.
    feed = feedparser.parse(server.get(BASE + "feed.xml"))
    assert not feed.bozo, feed.bozo_exception
    assert [e.title for e in feed.entries] == [s[0] for s in reversed(STORIES[:3])]
    for entry in feed.entries:
        (enclosure,) = entry.enclosures
        body = server.get(enclosure.href)
        assert len(body) == int(enclosure.length)
        assert body == (site / enclosure.href[len(BASE):]).read_bytes()

    # gPodder subscribes, updates and downloads: the published files, whole.
    gpo.proxy = server.env()
    assert "Successfully added" in gpo("subscribe", BASE + "feed.xml")
    gpo("update")
    gpo("download")
    assert gpo.downloaded() == mp3_digests(sites.first)

    # The next day's build: the push sends that episode and the pages, nothing already there.
    site = copy_of(sites.more, tmp_path)
    report = push(site, s3_remote.target)
    assert sorted(report["uploaded"]) == sorted([*sites.added, "feed.xml", "index.html"])
    assert report["deleted"] == []
    assert report["unchanged"] == len(pushable(sites.first)) - 2  # all but the feed and page
    fetched = len(server.downloads(".mp3"))
    assert "1 new episode" in gpo("update", BASE + "feed.xml")
    gpo("download")
    assert gpo.downloaded() == mp3_digests(sites.more)
    assert len(server.downloads(".mp3")) == fetched + 1  # the new episode, and only it


@pytest.mark.parametrize("kind", ["sftp", "webdav"])
def test_a_feed_pushed_over_sftp_or_webdav_reads_whole(tmp_path, sites, remotes, folder_server,
                                                       kind):
    remote = getattr(remotes, kind)()
    push(copy_of(sites.first, tmp_path), remote.target)
    server = folder_server(remote.folder.parent)
    feed = assert_consistent(remote, server, sites.first)
    assert feed is not None
    assert guids(feed) == feed_guids(sites.first)
    for url, _ in named_files(feed):
        assert server.get(url) == (sites.first / url[len(BASE):]).read_bytes(), url
    assert remote.files() == pushable(sites.first)


def test_a_removed_episodes_files_go_only_after_the_feed_without_it(tmp_path, sites, s3_remote,
                                                                      folder_server):
    push(copy_of(sites.more, tmp_path), s3_remote.target)
    server = folder_server(s3_remote.folder.parent)
    before = len(s3_remote.events())
    report = push(copy_of(sites.after, tmp_path), s3_remote.target)
    assert sorted(report["deleted"]) == sites.removed
    assert sorted(report["uploaded"]) == ["feed.xml", "index.html"]
    assert s3_remote.files() == pushable(sites.after)
    feed = assert_consistent(s3_remote, server, sites.after)
    assert feed is not None and guids(feed) == feed_guids(sites.after)

    events = s3_remote.events()[before:]  # this push's, in the order the remote did them
    feed_up = max(n for n, event in enumerate(events) if event == ("stored", "feed.xml"))
    deleted = [n for n, (what, _) in enumerate(events) if what == "deleted"]
    assert sorted(path for what, path in events if what == "deleted") == sites.removed
    assert min(deleted) > feed_up, events


def _wait(process: subprocess.Popen, ready: Callable[[], bool], seconds: float = 120) -> bool:
    """Poll until ``ready()``: True, or False when the push ended first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return True
        if process.poll() is not None:
            return ready()
        time.sleep(0.003)
    pytest.fail(f"the push neither reached the moment nor ended in {seconds:.0f} s")


def _kill(push: subprocess.Popen) -> None:
    """SIGKILL the push and every program it started (its process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(push.pid, signal.SIGKILL)
    push.wait(10)


def _held(remote: Remote, site: Path, paths: list[str]) -> bool:
    """Whether every one of ``paths`` is in the remote's folder, whole."""
    sizes = pushable(site)
    for path in paths:
        try:
            if (remote.folder / path).stat().st_size != sizes[path]:
                return False
        except FileNotFoundError:
            return False
    return True


def _feed_is(remote: Remote, site: Path) -> bool:
    try:
        return (remote.folder / "feed.xml").read_bytes() == (site / "feed.xml").read_bytes()
    except FileNotFoundError:
        return False


def _uploading(remote: Remote) -> bool:
    episodes = remote.folder / "episodes"
    return episodes.is_dir() and any(p.name.startswith(".rclone_temp_put_")
                                     for p in episodes.iterdir())


def _listed(remote: Remote, since: int) -> bool:
    """Whether the remote was listed (the push's plan) after its log's first ``since`` bytes."""
    with remote.log_file.open("rb") as log:
        log.seek(since)
        return b"serve s3: LIST BUCKET" in log.read()


# Each moment: whether the remote holds the first site before the push, whether the push must be
# slow (for an upload to be seen in flight), and when to kill it (given the remote, the sites and
# where the server's log stood when the push started). The server is paused as soon as the moment
# is seen, so the push cannot go a step further before it is killed.
Moment = Callable[[Remote, SimpleNamespace, int], bool]
MOMENTS: dict[str, tuple[bool, bool, Moment]] = {
    "first push, media going up": (False, True, lambda r, s, since: _uploading(r)),
    "update, planned": (True, False, lambda r, s, since: _listed(r, since)),
    "update, media going up": (True, True, lambda r, s, since: _uploading(r)),
    "update, media up, feed not yet": (True, False, lambda r, s, since: _held(r, s.after, s.added)),
    "update, feed up, deletions not yet": (True, False, lambda r, s, since: _feed_is(r, s.after)),
}


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_a_push_killed_at_any_moment_leaves_every_file_of_the_remote_feed_whole(
        tmp_path, sites, s3_remote, folder_server, moment):
    updating, slow, ready = MOMENTS[moment]
    if updating:
        push(copy_of(sites.first, tmp_path), s3_remote.target)
    server = folder_server(s3_remote.folder.parent)
    site = copy_of(sites.after, tmp_path)
    since = s3_remote.log_file.stat().st_size
    s3_remote.throttle(SLOW if slow else "off")
    with (tmp_path / "push.log").open("wb") as log:
        process = subprocess.Popen(  # in a process group of its own, with the rclone it runs
            push_command(site, s3_remote.target), stdout=log, stderr=log,
            start_new_session=True)
    try:
        reached = _wait(process, lambda: ready(s3_remote, sites, since))
        if reached:
            with s3_remote.paused():  # nothing more reaches the remote; then the push dies
                _kill(process)
    finally:
        _kill(process)
    assert reached and process.returncode == -signal.SIGKILL, (
        f"the push ended before '{moment}': {(tmp_path / 'push.log').read_text()}")

    feed = assert_consistent(s3_remote, server, sites.first, sites.after)
    if moment.startswith("update") and "feed up" not in moment:
        assert feed == (sites.first / "feed.xml").read_bytes()  # listeners still see the old one
    if "feed up" in moment:
        assert feed == (sites.after / "feed.xml").read_bytes()
        assert _held(s3_remote, sites.first, sites.removed)  # killed before any deletion

    # The next push completes what the killed one began.
    s3_remote.throttle("off")
    push(site, s3_remote.target)
    assert s3_remote.files() == pushable(sites.after)
    feed = assert_consistent(s3_remote, server, sites.after)
    assert feed == (sites.after / "feed.xml").read_bytes()
