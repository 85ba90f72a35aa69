"""Builds started together on one site, as real ``bulletin`` processes: no episode is lost."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from bulletin.feed import Catalog
from bulletin.feed.check import check_site
from sitekit import BULLETIN, feed_guids

STORIES = [
    ("Night ferry vote passes", "Residents voted to bring back the night ferry."),
    ("Library opens around the clock", "The central library will stay open all night."),
    ("Harbour wall repaired", "Work on the harbour wall finished a week early."),
]



@pytest.fixture(autouse=True)
def _show_with_an_owner(tmp_path: Path) -> None:
    """These sites are checked whole, as published: a show with an owner e-mail."""
    (tmp_path / "bulletin.toml").write_text('[show]\nemail = "producer@example.org"\n')

def start(*args: str, tmp: Path) -> subprocess.Popen:
    return subprocess.Popen([str(BULLETIN), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "TMPDIR": str(tmp)})


def run_together(articles: list[Path], site: Path, tmp: Path) -> list[dict]:
    """Start one build per article at the same moment; wait for all; their JSON summaries."""
    processes = [start("build", str(a), "--site", str(site), "--json", tmp=tmp) for a in articles]
    summaries = []
    for process in processes:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
        summaries.append(json.loads(out))
    return summaries


def assert_complete(site: Path, guids: set[str]) -> None:
    assert set(feed_guids(site)) == guids
    episodes = Catalog(site).episodes()
    assert {e.guid for e in episodes} == guids
    assert sorted(e.number for e in episodes) == list(range(1, len(guids) + 1))
    assert check_site(site) == []
    with sqlite3.connect(site / "catalog.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_builds_started_together_all_end_up_in_the_feed(tmp_path, write_article):
    articles = [write_article(f"{n}.txt", title, text) for n, (title, text) in enumerate(STORIES)]
    (tmp_path / "tmp").mkdir()
    # The first round speaks the stories (and fills the cache); the second finds every segment
    # cached, so the three builds reach the catalog within moments of each other.
    for site in (tmp_path / "cold", tmp_path / "warm"):
        summaries = run_together(articles, site, tmp_path / "tmp")
        assert_complete(site, {s["guid"] for s in summaries})
    assert all(s["cached"] == s["segments"] for s in summaries)


def test_a_removal_and_a_build_at_the_same_moment_both_take_effect(tmp_path, write_article):
    (tmp_path / "tmp").mkdir()
    site = tmp_path / "public"
    first = write_article("a.txt", *STORIES[0])
    second = write_article("b.txt", *STORIES[1])
    [old] = run_together([first], site, tmp_path / "tmp")
    run_together([second], tmp_path / "scratch", tmp_path / "tmp")  # speak it once beforehand
    build = start("build", str(second), "--site", str(site), "--json", tmp=tmp_path / "tmp")
    remove = start("episodes", "remove", old["guid"], "--site", str(site), tmp=tmp_path / "tmp")
    out, err = build.communicate(timeout=600)
    assert build.returncode == 0, err
    assert remove.wait(60) == 0, remove.stderr.read() if remove.stderr else ""
    new = json.loads(out)["guid"]
    assert feed_guids(site) == [new]
    assert [e.guid for e in Catalog(site).episodes()] == [new]
    assert not Path(old["mp3"]).exists()
    assert check_site(site) == []
