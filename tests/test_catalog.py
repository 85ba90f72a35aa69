"""The episode catalog (SQLite) as the source of truth: listing, removing, retiring episodes."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import random
import sqlite3
import time
from pathlib import Path

import lxml.html
import pytest

from bulletin.feed import Catalog, EpisodeFiles
from conftest import article, site_snapshot
from sitekit import build_days, copied_site, feed_guids, make_config, parse_feed, quick_build

DAY = dt.datetime(2026, 11, 1, 7, 0, tzinfo=dt.UTC)


def files_of(site: Path, audio_file: str) -> list[Path]:
    return [site / name for name in EpisodeFiles.of(audio_file).all]


@pytest.fixture(scope="module")
def three_built(tmp_path_factory):
    root = tmp_path_factory.mktemp("three")
    config = make_config(root)
    results = build_days(config, root, DAY,
                         [(f"Story number {n}", f"Paragraph of story {n}.") for n in range(3)])
    return config, results


@pytest.fixture
def three(three_built, tmp_path):
    """A copy of a site with three daily episodes; returns (config, results oldest first)."""
    config, results = three_built
    copy = copied_site(config, tmp_path)
    moved = [dataclasses.replace(r, mp3=copy.site / r.mp3.relative_to(config.site),
                                 feed=copy.site / "feed.xml") for r in results]
    return copy, moved


def page_titles(site: Path) -> list[str]:
    page = lxml.html.fromstring((site / "index.html").read_bytes())
    return page.xpath("//article[@class='episode']/h2/text()")


def test_episodes_list_shows_every_episode_newest_first(three, cli):
    config, results = three
    result = cli("episodes", "list", "--site", config.site)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [r.episode.guid for r in reversed(results)]
    assert "Story number 2" in lines[0] and "2026-11-03" in lines[0] and "#3" in lines[0]
    as_json = [json.loads(line) for line in
               cli("episodes", "list", "--site", config.site, "--json").stdout.splitlines()]
    assert [e["title"] for e in as_json] == ["Story number 2", "Story number 1", "Story number 0"]
    assert as_json[2]["file"] == results[0].episode.audio_file
    assert as_json[2]["length"] == results[0].mp3.stat().st_size


def test_episodes_remove_takes_out_the_item_its_files_and_its_place_on_the_page(three, cli):
    config, results = three
    gone = results[1].episode
    others = site_snapshot(config.site)
    result = cli("episodes", "remove", gone.guid, "--site", config.site)
    assert result.exit_code == 0, result.output
    assert gone.title in result.stdout
    assert feed_guids(config.site) == [results[2].episode.guid, results[0].episode.guid]
    assert page_titles(config.site) == ["Story number 2", "Story number 0"]
    assert not any(path.exists() for path in files_of(config.site, gone.audio_file))
    for kept in (results[0], results[2]):
        for path in files_of(config.site, kept.episode.audio_file):
            name = str(path.relative_to(config.site))
            assert site_snapshot(config.site)[name] == others[name], "kept files are untouched"
    assert [e.guid for e in Catalog(config.site).episodes()] == feed_guids(config.site)


def test_episode_numbers_are_never_given_twice(three, cli, tmp_path):
    config, results = three
    assert cli("episodes", "remove", results[2].episode.guid, "--site", config.site).exit_code == 0
    new = quick_build(config, article(tmp_path, "n.txt", "After a removal", "Some new text."),
                      when=DAY + dt.timedelta(days=5))
    assert new.episode.number == 4
    assert sorted(e.number for e in Catalog(config.site).episodes()) == [1, 2, 4]


def test_episodes_remove_accepts_the_start_of_a_guid(three, cli):
    config, results = three
    guid = results[0].episode.guid
    assert cli("episodes", "remove", guid[:8], "--site", config.site).exit_code == 0
    assert guid not in feed_guids(config.site)


@pytest.mark.parametrize("guid", ["no-such-guid", ""])
def test_removing_an_unknown_episode_is_refused_and_changes_nothing(three, cli, guid):
    config, _ = three
    before = site_snapshot(config.site)
    result = cli("episodes", "remove", guid, "--site", config.site)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"bulletin: {guid!r}: no episode with this guid")
    assert len(result.stderr.strip().splitlines()) == 1
    assert site_snapshot(config.site) == before


def test_keep_episodes_retires_the_oldest_items_and_their_files(tmp_path):
    config = make_config(tmp_path, keep_episodes=2)
    results = []
    for n in range(4):
        results.append(quick_build(config, article(tmp_path, f"{n}.txt", f"Day {n} news",
                                                   f"What happened on day {n}."),
                                   when=DAY + dt.timedelta(days=n)))
        kept = results[-2:]
        assert feed_guids(config.site) == [r.episode.guid for r in reversed(kept)]
    for old in results[:2]:
        assert not any(path.exists() for path in files_of(config.site, old.episode.audio_file))
    for new in results[2:]:
        assert all(path.is_file() for path in files_of(config.site, new.episode.audio_file))
    assert page_titles(config.site) == ["Day 3 news", "Day 2 news"]
    numbers = parse_feed(config.site).xpath("channel/item/*[local-name()='episode']/text()")
    assert numbers == ["4", "3"], "episode numbers keep counting"
    mp3s = sorted(p.name for p in (config.site / "episodes").glob("*.mp3"))
    assert mp3s == sorted(Path(r.episode.audio_file).name for r in results[2:])


def test_listing_a_folder_without_a_catalog_is_an_input_error(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    result = cli("episodes", "list", "--site", tmp_path / "empty")
    assert result.exit_code == 2
    assert "no bulletin catalog here" in result.stderr
    assert not (tmp_path / "empty" / "catalog.sqlite3").exists(), "listing creates nothing"


def test_a_corrupt_catalog_is_reported_in_one_line(cli, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "catalog.sqlite3").write_bytes(b"this is not a database, just bytes " * 200)
    result = cli("episodes", "list", "--site", site)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"bulletin: {site / 'catalog.sqlite3'}: not a bulletin catalog")
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_catalog_keeps_what_the_feed_needs_across_connections(three):
    config, results = three
    catalog = Catalog(config.site)
    episodes = {e.guid: e for e in catalog.episodes()}
    for result in results:
        stored = episodes[result.episode.guid]
        assert stored.chapters == result.episode.chapters
        assert stored.cues == result.episode.cues
        assert stored.length == result.mp3.stat().st_size
    with sqlite3.connect(config.site / "catalog.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_chapters_are_stored_by_name_and_older_catalogs_still_read(three, cli):
    """Each chapter and cue is kept as {"title"/"text", "start", "end"}, so adding a field to
    the model never shifts a value into another's place; catalogs written before, which kept
    [kind, text, start, end], are still read as they were."""
    config, results = three
    path = config.site / "catalog.sqlite3"
    before = cli("episodes", "list", "--json", "--site", config.site).stdout
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        rows = db.execute("SELECT guid, chapters, cues FROM episodes").fetchall()
        for guid, chapters, cues in rows:
            stored = json.loads(chapters)
            assert stored and all(set(c) == {"title", "start", "end"} for c in stored)
            assert all(set(c) == {"text", "start", "end"} for c in json.loads(cues))
            older = [[["Chapter", c["title"], c["start"], c["end"]] for c in stored],
                     [["Cue", c["text"], c["start"], c["end"]] for c in json.loads(cues)]]
            db.execute("UPDATE episodes SET chapters = ?, cues = ? WHERE guid = ?",
                       (json.dumps(older[0]), json.dumps(older[1]), guid))
    assert cli("episodes", "list", "--json", "--site", config.site).stdout == before
    assert {e.guid: e.chapters for e in Catalog(config.site).episodes()} == {
        r.episode.guid: r.episode.chapters for r in results}


def test_files_a_killed_build_left_behind_are_swept_once_they_are_old(tmp_path):
    config = make_config(tmp_path)
    quick_build(config, article(tmp_path, "a.txt", "First story", "Some text."), when=DAY)
    episodes = config.site / "episodes"
    old = [episodes / "2026-10-01-orphan-0123456789.mp3", episodes / ".x.mp3.abc.tmp",
           config.site / ".feed.xml.def.tmp", episodes / "2026-10-01-orphan-0123456789.vtt"]
    fresh = [episodes / "2026-11-30-running-9876543210.mp3", episodes / ".y.mp3.ghi.tmp"]
    for path in old + fresh:
        path.write_bytes(b"left behind")
    for path in old:
        os.utime(path, (time.time() - 7200, time.time() - 7200))
    result = quick_build(config, article(tmp_path, "b.txt", "Second story", "More text."),
                         when=DAY + dt.timedelta(days=1))
    assert not any(path.exists() for path in old)
    assert all(path.exists() for path in fresh), "a running build's files are left alone"
    assert result.mp3.exists() and len(feed_guids(config.site)) == 2


def garbage_catalog(catalog: Path) -> None:
    catalog.write_bytes(random.Random(7).randbytes(20000))


def truncated_catalog(catalog: Path) -> None:
    data = catalog.read_bytes()
    catalog.write_bytes(data[:len(data) // 2 + 100])


def change_catalog(*statements: str):
    def change(catalog: Path) -> None:
        with contextlib.closing(sqlite3.connect(catalog)) as db:
            for statement in statements:
                db.execute(statement)
            db.commit()
    return change


CATALOG_BREAKAGES = {
    "garbage": (garbage_catalog, "not an SQLite database"),
    "truncated": (truncated_catalog, "truncated"),
    "no settings table": (change_catalog("DROP TABLE settings"), "no table 'settings'"),
    "no cues column": (change_catalog("ALTER TABLE episodes DROP COLUMN cues"),
                       "table 'episodes' has no column 'cues'"),
    "chapters not JSON": (change_catalog("UPDATE episodes SET chapters = '[[\"Chapter\", '"),
                          "chapters cannot be read"),
    "cues of the wrong shape": (change_catalog("UPDATE episodes SET cues = '[[\"Cue\", 1]]'"),
                                "cues cannot be read"),
}


@pytest.mark.parametrize("case", list(CATALOG_BREAKAGES))
@pytest.mark.parametrize("command", ["episodes list", "episodes remove", "build"])
def test_a_broken_catalog_is_one_line_and_changes_nothing(three, cli, tmp_path, case, command):
    config, results = three
    catalog = config.site / "catalog.sqlite3"
    breakage, words = CATALOG_BREAKAGES[case]
    breakage(catalog)
    before = site_snapshot(config.site)
    args = {"episodes list": ["episodes", "list"],
            "episodes remove": ["episodes", "remove", results[0].episode.guid],
            "build": ["build", article(tmp_path, "n.txt", "News", "Some news."),
                      "--engine", "espeak"]}[command]
    result = cli(*args, "--site", config.site)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert lines[0].startswith(f"bulletin: {catalog}: not a bulletin catalog"), lines
    assert words in lines[0]
    if command == "build":
        assert "--rebuild-catalog" in lines[0]
    assert site_snapshot(config.site) == before
