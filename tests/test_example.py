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
