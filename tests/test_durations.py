"""Durations are written one way everywhere a user reads one: the build's output, the page and
the episode list ("4:05", "1:02:03"), and the feed's itunes:duration in its own HH:MM:SS form,
all of the same whole seconds."""

from __future__ import annotations

import json
import re

import pytest

from bulletin.feed.text import duration_text
from sitekit import NS, parse_feed

ARTICLE = ("Ferry vote passes in the harbour town",
           "The ferry will run all winter, the council decided on Monday.",
           "Crews welcomed the vote and the harbour master thanked the town.")


@pytest.mark.parametrize(("seconds", "written"), [
    (0.4, "0:00"), (9.6, "0:10"), (245.4, "4:05"), (3599.6, "1:00:00"), (3723.2, "1:02:03"),
])
def test_a_duration_is_written_as_players_show_it(seconds: float, written: str) -> None:
    assert duration_text(seconds) == written


def test_the_build_the_page_the_list_and_the_feed_give_one_duration(cli, write_article,
                                                                    tmp_path) -> None:
    site = tmp_path / "public"
    built = cli("build", write_article("ferry.txt", *ARTICLE), "--engine", "espeak",
                "--site", site)
    assert built.exit_code == 0, built.output
    said = re.search(r"  \((\d+:\d\d), \d+ synthesised, \d+ cached\)$",
                     built.stdout.splitlines()[0])
    assert said, built.stdout
    shown = said.group(1)

    listed = cli("episodes", "list", "--site", site)
    assert f"  {shown}  {ARTICLE[0]}" in listed.stdout
    (entry,) = [json.loads(line) for line in
                cli("episodes", "list", "--site", site, "--json").stdout.splitlines()]
    minutes, seconds = divmod(round(entry["duration"]), 60)
    assert shown == f"{minutes}:{seconds:02d}"

    assert f"· {shown} ·" in (site / "index.html").read_text(encoding="utf-8")
    feed = parse_feed(site).xpath("string(channel/item/itunes:duration)", namespaces=NS)
    assert feed == f"00:{minutes:02d}:{seconds:02d}"
