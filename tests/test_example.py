"""What scripts/run.sh builds: the example show passes the feed check a podcast directory makes."""

from __future__ import annotations

import json

from lxml import etree

from conftest import REPO

EXAMPLES = REPO / "examples"


def test_the_example_show_builds_and_passes_the_feed_check(cli, tmp_path):
    site = tmp_path / "public"
    built = cli("build", *sorted(EXAMPLES.glob("*.txt")), "--config", EXAMPLES / "bulletin.toml",
                "--site", site, "--json")
    assert built.exit_code == 0, built.stderr
    assert json.loads(built.stdout)["duration"] > 30
    checked = cli("feed", "check", "--site", site)
    assert checked.exit_code == 0, checked.stdout
    channel = etree.parse(str(site / "feed.xml")).find("channel")
    assert channel.findtext("title") == "Kestrel Bay Tonight"


def test_the_example_feed_makes_an_edition_written_to_time(tmp_path):
    from bulletin.config import Overrides, load_config
    from bulletin.pipeline import edition
    from conftest import FakeEngine

    config = load_config(EXAMPLES / "bulletin.toml", Overrides(
        site=tmp_path / "public", cache_dir=tmp_path / "cache", duration="1:30"), environ={})
    result = edition([str(EXAMPLES / "kestrel-bay-news.rss")], config, engine=FakeEngine())
    assert result.published and abs(result.build.episode.duration - 90) <= 2
    assert [s.title for s in result.stories][:1] == ["Night ferry to sail again from the spring"]
    assert all(s.sources == (str(EXAMPLES / "kestrel-bay-news.rss"),) for s in result.stories)
