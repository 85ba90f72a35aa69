"""bulletin push against real remotes: rclone's own S3 and SFTP servers on 127.0.0.1 over temporary
folders (tests/remotes.py). What a listener's app would notice: every file the remote's feed names
is there at every moment of a push, files go up once, the feed goes up after its media and before
anything is deleted, S3 serves each file with its type and caching, nothing but the site's public
files is ever sent and nothing bulletin does not own is ever deleted, and every refusal or failure
is one line with the right exit status, leaving the remote as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bulletin import pipeline
from bulletin.config import Config
from bulletin.feed import EpisodeFiles
from bulletin.feed.recover import listed_files
from bulletin.publish.remote import push_site
from bulletin.runner import CommandRunner
from conftest import FakeEngine, article, site_snapshot
from rclone_serve import Remote, rclone
from sitekit import make_config, quick_build, toml_value

BASE = "https://radio.example.org/harbour/"
FIRST = ("Harbour wall repaired before the winter storms",
         "Workers finished the new harbour wall in Kestrel Bay on Friday, two weeks early.",
         "Fishing crews say the calmer water already makes the morning landings safer.")
SECOND = ("Night buses return to the valley",
          "The night bus between Marlow Green and the valley towns runs again from Monday.",
          "The council says the service will be reviewed after six months.")
KINDS = {".mp3": "audio/mpeg", ".vtt": "text/vtt", ".srt": "application/x-subrip",
         ".chapters.json": "application/json+chapters"}
FAST = 30.0  # seconds a failing push may take at most (rclone retrying would take minutes)


@dataclass(frozen=True)
class Sites:
    """One show's site after its first episode and after its second, and a site of local URLs."""

    config: Config
    one: Path
    two: Path
    local: Path
    first: str  # the guid of the first episode
    first_audio: str
    second_audio: str


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> Sites:
    """Built once with the fake voice; each test pushes a copy of its own."""
    root = tmp_path_factory.mktemp("push-sites")
    config = make_config(root / "show", shared_cache, title="Harbour Radio", base_url=BASE)
    when = dt.datetime(2026, 3, 2, 7, tzinfo=dt.UTC)
    first = quick_build(config, article(root, "first.txt", *FIRST), when=when)
    shutil.copytree(config.site, root / "one")
    second = quick_build(config, article(root, "second.txt", *SECOND),
                         when=when + dt.timedelta(days=1))
    shutil.copytree(config.site, root / "two")
    local = make_config(root / "local", shared_cache, title="Harbour Radio")  # no base_url
    quick_build(local, article(root, "local.txt", *FIRST), when=when)
    return Sites(config, root / "one", root / "two", local.site, first.episode.guid,
                 first.episode.audio_file, second.episode.audio_file)


def copy_of(site: Path, tmp_path: Path, name: str = "site") -> Path:
    shutil.copytree(site, tmp_path / name, dirs_exist_ok=True)
    return tmp_path / name


def public_files(site: Path) -> dict[str, int]:
    """What listeners may fetch from a site: its feed, page, cover and episode files."""
    found = {p.relative_to(site).as_posix(): p.stat().st_size
             for p in [site / "feed.xml", site / "index.html", site / "cover.png",
                       *(site / "episodes").iterdir()]}
    return {path: size for path, size in found.items() if not Path(path).name.startswith(".")}


def on_disk(folder: Path) -> set[str]:
    """The files a remote holds (on its server's disk), hidden uploads in flight left out."""
    if not folder.is_dir():
        return set()
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and not p.name.startswith(".")}


def whole(folder: Path) -> bool:
    """Whether every file the remote's feed names is on the remote."""
    listed = listed_files(folder)
    return listed is not None and listed <= on_disk(folder)


@dataclass(frozen=True)
class Watching(CommandRunner):
    """Runs programs as bulletin does and, after each rclone run, notes what the remote holds:
    (rclone's command, the remote's files, whether its feed is whole)."""

    folder: Path = Path()
    moments: list[tuple[str, set[str], bool]] = field(default_factory=list)

    def run(self, args: Sequence[str], input: bytes | None = None):
        result = super().run(args, input)
        if args[0] == "rclone":
            self.moments.append((args[1], on_disk(self.folder), whole(self.folder)))
        return result


def remote_for(name: str, request: pytest.FixtureRequest) -> Remote:
    return request.getfixturevalue(f"{name}_remote")


def push(cli, site: Path, target: str, *options: str):
    return cli("push", "--site", site, "--to", target, *options)


def one_line(result) -> str:
    """The one stderr line of a refusal, checked to be the only one and no traceback."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("bulletin: ") and "Traceback" not in result.output
    return lines[0]


def stored_order(remote: Remote) -> list[str]:
    return [path for event, path in remote.events() if event == "stored"]


@pytest.mark.parametrize("kind", ["s3", "sftp", "webdav"])
def test_a_push_sends_the_site_media_first_then_pages_then_the_feed(
        cli, sites, tmp_path, kind, request) -> None:
    remote = remote_for(kind, request)
    site = copy_of(sites.two, tmp_path)
    # what a site holds besides its public files: none of it may reach listeners
    (site / ".edition.lock").write_text("")
    (site / ".feed.xml.1a2b3c4d.prev").write_text("<rss/>")
    (site / "episodes" / ".2026-03-03-half-written.mp3.tmp").write_bytes(b"ID3")
    expected = public_files(site)

    result = push(cli, site, remote.target, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert remote.files() == expected  # exactly the public files: no catalog, nothing hidden
    assert sorted(summary["uploaded"]) == sorted(expected)
    assert summary["deleted"] == [] and summary["unchanged"] == 0
    assert summary["remote"] == f":{kind}:{remote.path}"  # the remote's options (keys) unshown
    assert whole(remote.folder)

    stored = stored_order(remote)
    media = [stored.index(p) for p in expected if p.startswith("episodes/")]
    assert max(media) < stored.index("cover.png") and max(media) < stored.index("index.html")
    assert stored[-1] == "feed.xml" and stored.count("feed.xml") == 1
    assert not list(site.glob(".push-*"))  # the snapshot it pushed from is gone


def test_s3_serves_each_file_with_its_type_and_caching(cli, sites, tmp_path, s3_remote) -> None:
    site = copy_of(sites.one, tmp_path)
    assert push(cli, site, s3_remote.target).exit_code == 0
    objects = s3_remote.objects()
    audio = EpisodeFiles.of(sites.first_audio)
    for path in audio.all:
        kind = next(t for suffix, t in KINDS.items() if path.endswith(suffix))
        assert objects[path].content_type == kind, path
        assert objects[path].cache_control == "public, max-age=31536000, immutable", path
    for path, kind in [("feed.xml", "application/rss+xml"), ("index.html", "text/html"),
                       ("cover.png", "image/png")]:
        assert objects[path].content_type == kind
        assert objects[path].cache_control == "public, max-age=300"


def test_a_second_push_sends_only_what_is_new(cli, sites, tmp_path, s3_remote) -> None:
    site = copy_of(sites.one, tmp_path)
    assert push(cli, site, s3_remote.target).exit_code == 0
    again = json.loads(push(cli, site, s3_remote.target, "--json").stdout)
    assert again["uploaded"] == [] and again["deleted"] == []
    assert again["unchanged"] == len(public_files(site))

    copy_of(sites.two, tmp_path)  # the next build's episode, feed and page
    result = json.loads(push(cli, site, s3_remote.target, "--json").stdout)
    new = EpisodeFiles.of(sites.second_audio).all
    assert sorted(result["uploaded"]) == sorted([*new, "index.html", "feed.xml"])
    assert result["unchanged"] == len(EpisodeFiles.of(sites.first_audio).all) + 1  # and the cover
    stored = stored_order(s3_remote)
    assert all(stored.count(p) == 1 for p in EpisodeFiles.of(sites.first_audio).all)
    assert s3_remote.files() == public_files(site)


@pytest.mark.parametrize("kind", ["s3", "sftp"])
def test_a_removed_episode_goes_only_once_the_new_feed_is_up(
        cli, sites, tmp_path, kind, request) -> None:
    remote = remote_for(kind, request)
    site = copy_of(sites.two, tmp_path)
    assert push(cli, site, remote.target).exit_code == 0
    assert cli("episodes", "remove", sites.first, "--site", site, "--quiet").exit_code == 0

    watching = Watching(folder=remote.folder)
    result = push_site(site, remote.target, sites.config, runner=watching)
    gone = EpisodeFiles.of(sites.first_audio).all
    assert sorted(result.deleted) == sorted(gone)
    assert result.uploaded == ("index.html", "feed.xml")
    assert remote.files() == public_files(site)

    events = remote.events()
    feed_up = max(n for n, event in enumerate(events) if event == ("stored", "feed.xml"))
    deleted = [n for n, (event, path) in enumerate(events) if event == "deleted"]
    assert sorted(events[n][1] for n in deleted) == sorted(gone)
    assert min(deleted) > feed_up
    # at every moment between rclone's runs the remote's feed had all its files
    assert [command for command, _, _ in watching.moments][-1] == "delete"
    assert all(ok for _, _, ok in watching.moments)
    before_delete = watching.moments[-2][1]
    assert set(gone) <= before_delete  # still there while the old feed could name them


def test_a_change_to_the_site_meanwhile_waits_a_moment_not_for_the_upload(
        cli, sites, tmp_path, remotes) -> None:
    slow = remotes.s3(bwlimit="100k")
    site = copy_of(sites.two, tmp_path)
    expected = public_files(site)
    pushed: list[object] = []
    pushing = threading.Thread(target=lambda: pushed.append(
        push_site(site, slow.target, sites.config)))
    pushing.start()
    try:
        deadline = time.monotonic() + FAST
        while not list(site.glob(".push-*")) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert cli("episodes", "remove", sites.first, "--site", site, "--quiet").exit_code == 0
        assert pushing.is_alive()  # removed while the upload went on
    finally:
        pushing.join(FAST * 2)
    assert pushed, "the push finished"
    assert slow.files() == expected and whole(slow.folder)  # the site as the push read it
    result = push_site(site, slow.target, sites.config)
    assert sorted(result.deleted) == sorted(EpisodeFiles.of(sites.first_audio).all)
    assert not list(site.glob(".push-*"))


def test_files_bulletin_does_not_own_are_never_deleted(cli, sites, tmp_path, s3_remote) -> None:
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    for name in ["robots.txt", "archive/2019-summer.mp3", "cover.webp"]:
        (theirs / name).parent.mkdir(parents=True, exist_ok=True)
        (theirs / name).write_text(f"kept: {name}\n")
    ours = {"episodes/2026-01-01-old-news-0123456789.mp3": "an episode the site no longer has",
            "cover.jpg": "the cover before the show's artwork changed"}
    for name, text in ours.items():
        (theirs / name).parent.mkdir(parents=True, exist_ok=True)
        (theirs / name).write_text(text)
    rclone("copy", str(theirs), s3_remote.target)

    site = copy_of(sites.one, tmp_path)
    result = json.loads(push(cli, site, s3_remote.target, "--json").stdout)
    assert sorted(result["deleted"]) == sorted(ours)
    held = s3_remote.files()
    assert {"robots.txt", "archive/2019-summer.mp3", "cover.webp"} <= set(held)
    assert not set(ours) & set(held)


def test_an_unknown_remote_is_refused_in_one_line(cli, sites, tmp_path, remotes) -> None:
    site = copy_of(sites.one, tmp_path)
    for target, name in [("nosuch:shows/podcast", "nosuch"), (":nosuchkind:podcast", "nosuchkind")]:
        result = push(cli, site, target)
        assert result.exit_code == 2, result.output
        line = one_line(result)
        assert target in line and name in line.split(target, 1)[1]


@pytest.mark.parametrize("kind, reason", [("s3", "SignatureDoesNotMatch"),
                                          ("sftp", "unable to authenticate")])
def test_refused_credentials_fail_fast_in_one_line_and_delete_nothing(
        cli, sites, tmp_path, kind, reason, request) -> None:
    remote = remote_for(kind, request)
    site = copy_of(sites.two, tmp_path)
    assert push(cli, site, remote.target).exit_code == 0
    assert cli("episodes", "remove", sites.first, "--site", site, "--quiet").exit_code == 0
    held = remote.files()

    started = time.monotonic()
    result = push(cli, site, remote.wrong_target)
    assert time.monotonic() - started < FAST
    assert result.exit_code == 1, result.output
    line = one_line(result)
    assert f":{kind}:{remote.path}" in line and reason in line
    secret = remote.wrong.get("secret_access_key") or remote.wrong["pass"]
    assert secret not in result.output
    assert remote.files() == held
    assert not [event for event in remote.events() if event[0] == "deleted"]


def test_an_unreachable_remote_fails_fast_in_one_line(cli, sites, tmp_path, s3_remote) -> None:
    site = copy_of(sites.one, tmp_path)
    started = time.monotonic()
    result = push(cli, site, s3_remote.unreachable_target)
    assert time.monotonic() - started < FAST
    assert result.exit_code == 1, result.output
    assert "connection refused" in one_line(result)


def test_a_site_of_local_urls_or_without_a_feed_is_refused(cli, sites, tmp_path,
                                                           s3_remote) -> None:
    local = copy_of(sites.local, tmp_path)
    result = push(cli, local, s3_remote.target)
    assert result.exit_code == 2
    line = one_line(result)
    assert "localhost" in line and "--base-url" in line and "base_url" in line

    (tmp_path / "empty").mkdir()
    for site in [tmp_path / "empty", tmp_path / "absent"]:
        result = push(cli, site, s3_remote.target)
        assert result.exit_code == 2
        assert str(site) in one_line(result)
    assert s3_remote.files() == {} and remote_untouched(s3_remote)


def remote_untouched(remote: Remote) -> bool:
    return not remote.events()


def test_a_dry_run_says_what_a_push_would_do_and_changes_nothing(cli, sites, tmp_path,
                                                                  s3_remote) -> None:
    site = copy_of(sites.two, tmp_path)
    dry = json.loads(push(cli, site, s3_remote.target, "--dry-run", "--json").stdout)
    assert sorted(dry["uploaded"]) == sorted(public_files(site))
    assert s3_remote.files() == {} and remote_untouched(s3_remote)

    assert push(cli, site, s3_remote.target).exit_code == 0
    assert cli("episodes", "remove", sites.first, "--site", site, "--quiet").exit_code == 0
    held, events, before = s3_remote.files(), s3_remote.events(), site_snapshot(site)
    text = push(cli, site, s3_remote.target, "--dry-run")
    assert text.exit_code == 0
    assert "would delete " + sites.first_audio in text.stdout.splitlines()
    dry = json.loads(push(cli, site, s3_remote.target, "--dry-run", "--json").stdout)
    assert (s3_remote.files(), s3_remote.events(), site_snapshot(site)) == (held, events, before)

    done = json.loads(push(cli, site, s3_remote.target, "--json").stdout)
    assert done == dry  # the push did what the dry run said


def test_push_prints_each_file_and_a_total_or_nothing_when_quiet(cli, sites, tmp_path,
                                                                 s3_remote) -> None:
    site = copy_of(sites.one, tmp_path)
    result = push(cli, site, s3_remote.target)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert sorted(lines[:-1]) == sorted(f"uploaded {p}" for p in public_files(site))
    assert lines[-1] == f":s3:{s3_remote.path}: {len(lines) - 1} uploaded, 0 deleted, 0 unchanged"
    quiet = push(cli, site, s3_remote.target, "--quiet")
    assert quiet.exit_code == 0 and quiet.stdout == ""


def test_the_remote_comes_from_rclone_config_settings_or_the_environment(
        cli, sites, tmp_path, s3_remote, monkeypatch) -> None:
    site = copy_of(sites.one, tmp_path)
    result = cli("push", "--site", site)
    assert result.exit_code == 2 and "--to" in one_line(result)

    named = s3_remote.named(monkeypatch, "harbour")  # RCLONE_CONFIG_HARBOUR_* variables
    toml = tmp_path / "bulletin.toml"
    toml.write_text(f"[publish]\nremote = {toml_value(named)}\n")
    result = cli("push", "--config", toml, "--site", site, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["remote"] == named
    assert s3_remote.files() == public_files(site)

    configured = s3_remote.configure("studio")  # the user's rclone.conf
    monkeypatch.setenv("BULLETIN_REMOTE", configured)
    page = (site / "index.html").read_text()
    (site / "index.html").write_text(page.replace("Harbour Radio", "Harbour radio", 1))
    result = cli("push", "--site", site, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["uploaded"] == ["index.html"]


def test_push_tells_its_progress_file_by_file(sites, tmp_path, s3_remote) -> None:
    site = copy_of(sites.two, tmp_path)
    seen: list[tuple[int, int]] = []
    result = push_site(site, s3_remote.target, sites.config,
                       progress=lambda done, total: seen.append((done, total)))
    total = len(result.uploaded)
    assert seen[0] == (0, total) and seen[-1] == (total, total)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


@pytest.fixture
def fake_voice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds from the command line speak with the fake voice (fast, deterministic)."""
    monkeypatch.setattr(pipeline, "get_engine", lambda voice: FakeEngine())


def show_config(folder: Path, **publish: str) -> Path:
    lines = ["[show]", 'title = "Harbour Radio"', 'email = "desk@example.org"',
             f"base_url = {toml_value(BASE)}", "[publish]",
             *(f"{key} = {toml_value(value)}" for key, value in publish.items())]
    (folder / "bulletin.toml").write_text("\n".join(lines) + "\n")
    return folder / "bulletin.toml"


def test_build_push_publishes_then_pushes(cli, tmp_path, s3_remote, fake_voice) -> None:
    toml = show_config(tmp_path, remote=s3_remote.target)
    story = article(tmp_path, "story.txt", *FIRST)
    result = cli("build", story, "--config", toml, "--site", tmp_path / "public", "--push",
                 "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    mp3 = Path(summary["mp3"]).relative_to(tmp_path / "public").as_posix()
    assert mp3 in summary["push"]["uploaded"]
    assert s3_remote.files() == public_files(tmp_path / "public")

    # a build that would publish local URLs is refused before anything is spoken
    local = tmp_path / "local"
    local.mkdir()
    (local / "bulletin.toml").write_text(f"[publish]\nremote = {toml_value(s3_remote.target)}\n")
    result = cli("build", story, "--config", local / "bulletin.toml", "--site", local / "public",
                 "--push")
    assert result.exit_code == 2 and "base_url" in one_line(result)
    assert not (local / "public").exists()


def test_edition_push_pushes_and_catches_up_when_nothing_is_new(
        cli, tmp_path, newsroom, s3_remote, fake_voice) -> None:
    toml = show_config(tmp_path)
    options = ["--config", toml, "--site", tmp_path / "public", "--duration", "0:40",
               "--stories", "2"]
    first = cli("edition", newsroom.url("/rss.xml"), *options, "--push", "--json")
    assert first.exit_code == 2 and "--to" in one_line(first)  # no remote set: nothing is made
    assert not (tmp_path / "public" / "feed.xml").exists()

    show_config(tmp_path, remote=s3_remote.target)
    first = cli("edition", newsroom.url("/rss.xml"), *options, "--push", "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["push"]["uploaded"]
    assert s3_remote.files() == public_files(tmp_path / "public")

    rclone("deletefile", s3_remote.target + "/index.html")  # as if that push had not finished
    again = cli("edition", newsroom.url("/rss.xml"), *options, "--push", "--json")
    assert again.exit_code == 0, again.output
    summary = json.loads(again.stdout)
    assert summary["published"] is False and summary["push"]["uploaded"] == ["index.html"]


def test_a_verbose_push_logs_its_commands_without_the_remote_s_secrets(
        cli, sites, tmp_path, s3_remote, caplog) -> None:
    site = copy_of(sites.one, tmp_path)
    secret = s3_remote.options["secret_access_key"]
    with caplog.at_level(logging.DEBUG, logger="bulletin"):
        result = cli("-v", "push", "--site", site, "--to", s3_remote.target)
    assert result.exit_code == 0, result.output
    commands = [r.getMessage() for r in caplog.records if r.getMessage().startswith("running:")]
    assert any("rclone" in c and "secret_access_key=***" in c for c in commands)
    assert secret not in result.output and all(secret not in c for c in commands)
