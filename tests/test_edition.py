"""Editions end to end: feeds from a local newsroom, real Piper speech, the MP3 on time.

The newsroom (tests/newsroom.py) serves RSS, Atom, JSON Feed and RDF feeds of the shared corpus's
news pages on 127.0.0.1, with a syndicated duplicate, an old item, dead links and a broken feed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import zoneinfo
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from bulletin.config import Overrides, load_config
from bulletin.ffmpeg import probe_seconds
from bulletin.pipeline import edition
from bulletin.runner import CommandRunner
from conftest import FakeEngine, site_snapshot

FEEDS = ("/rss.xml", "/atom.xml", "/feed.json", "/rdf.xml")


def feeds_of(newsroom, *paths: str) -> list[str]:
    return [newsroom.url(path) for path in (paths or FEEDS)]


def run_edition(cli, newsroom, tmp_path: Path, *options: str, feeds: list[str] | None = None):
    result = cli("edition", *(feeds or feeds_of(newsroom)), "--config", tmp_path / "bulletin.toml",
                 "--site", tmp_path / "public", "--json", *options)
    return result


@pytest.fixture
def show(tmp_path: Path) -> Path:
    (tmp_path / "bulletin.toml").write_text(
        '[show]\ntitle = "Kestrel Bay Hourly"\nemail = "desk@example.org"\n'
        'timezone = "Asia/Tokyo"\n')
    return tmp_path


def items(feed: Path) -> list[etree._Element]:
    return etree.parse(str(feed)).xpath("/rss/channel/item")


@pytest.mark.parametrize("duration, seconds", [("1:00", 60.0), ("3:00", 180.0)])
def test_an_edition_ends_on_its_target_length(cli, newsroom, show, duration, seconds,
                                              runner: CommandRunner) -> None:
    result = run_edition(cli, newsroom, show, "--duration", duration)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    mp3 = Path(summary["mp3"])
    assert abs(probe_seconds(mp3, runner) - seconds) <= 2.0  # stings included
    assert summary["published"] is True and summary["target"] == seconds
    stories = summary["stories"]
    assert len(stories) >= 2
    for story in stories:
        assert story["title"] and story["sources"] and story["seconds"] > 0
        assert 1 <= story["sentences_read"] <= story["sentences_total"]
    # the lead story gets the most time (give or take the transition its chapter includes)
    assert stories[0]["seconds"] >= max(s["seconds"] for s in stories) - 2.5
    # the syndicated copy in the Atom feed is read once, credited to both feeds
    syndicated = newsroom.story("syndicated")
    merged = [s for s in stories if any(syndicated.name in url for url in s["sources"])]
    assert len(merged) == 1 and len(merged[0]["sources"]) >= 2
    assert any("older than 24 h" in d["reason"] for d in summary["dropped"])

    (item,) = items(show / "public" / "feed.xml")
    title = item.findtext("title")
    tokyo = dt.datetime.now(zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert title.startswith("Kestrel Bay Hourly, ") and tokyo.strftime("%B %Y") in title
    assert title[-5:-3].isdigit() and title[-3] == ":"  # the time of day, in the show's zone
    description = lxml.html.fromstring(item.findtext("description"))
    links = description.xpath("//a/@href")
    lines = description.text_content()
    for story in stories:  # each story with its start time and a link to each source
        assert re.search(r"\d+:\d\d " + re.escape(story["title"]), lines)
        assert set(story["sources"]) <= set(links)


def test_a_rerun_with_nothing_new_publishes_nothing_and_new_news_respeaks_only_what_changed(
        cli, newsroom, show) -> None:
    first = run_edition(cli, newsroom, show, "--duration", "1:00")
    assert first.exit_code == 0, first.output
    before = site_snapshot(show / "public")

    again = cli("edition", *feeds_of(newsroom), "--config", show / "bulletin.toml",
                "--site", show / "public", "--duration", "1:00")
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("no new stories since ")
    after = site_snapshot(show / "public")
    assert {k: v for k, v in after.items() if not k.startswith("catalog")} == \
        {k: v for k, v in before.items() if not k.startswith("catalog")}
    # the feeds were asked with a conditional GET the second time, and answered 304
    rss = [r for r in newsroom.hits("/rss.xml")]
    assert rss[-1].headers.get("if-none-match") and rss[-1].status == 304

    as_json = run_edition(cli, newsroom, show, "--duration", "1:00")
    assert json.loads(as_json.stdout)["published"] is False

    newsroom.add_item("/rss.xml", "Ferry service resumes after the storm",
                      content="<p>The harbour ferry is running again after two days of storm "
                              "closures, the operator said on Tuesday.</p><p>Crossings will "
                              "run every half hour until midnight.</p>")
    newsroom.add_item("/atom.xml", "Ferry service resumes after the storm",
                      content="<p>The harbour ferry is running again after two days of storm "
                              "closures, the operator said on Tuesday.</p>")
    fresh = run_edition(cli, newsroom, show, "--duration", "1:00")
    assert fresh.exit_code == 0, fresh.output
    summary = json.loads(fresh.stdout)
    assert summary["published"] is True
    ferry = [s for s in summary["stories"] if s["title"] == "Ferry service resumes after the storm"]
    assert len(ferry) == 1 and len(ferry[0]["sources"]) == 2  # carried by two feeds: read once
    old_text, new_text = (_cue_texts(show / "public", n) for n in (1, 2))
    said_anew = [text for text in new_text if text not in old_text]
    assert 0 < summary["synthesized"] <= len(said_anew) < summary["segments"]
    assert summary["cached"] == summary["segments"] - summary["synthesized"]
    assert len(items(show / "public" / "feed.xml")) == 2


def _cue_texts(site: Path, number: int) -> list[str]:
    """The texts of an episode's transcript cues (episode ``number`` in order of publication)."""
    entries = sorted(etree.parse(str(site / "feed.xml")).xpath("/rss/channel/item"),
                     key=lambda item: int(item.findtext(
                         "{http://www.itunes.com/dtds/podcast-1.0.dtd}episode")))
    url = entries[number - 1].xpath(
        "*[local-name()='transcript'][@type='text/vtt']/@url")[0]
    vtt = (site / "episodes" / url.rsplit("/", 1)[1]).read_text()
    blocks = [b.split("\n", 2)[2] for b in vtt.split("\n\n")[1:] if "-->" in b]  # no timing
    return [b.strip() for b in blocks]


def test_when_every_feed_is_broken_nothing_is_published(cli, newsroom, show) -> None:
    first = run_edition(cli, newsroom, show, "--duration", "1:00")
    assert first.exit_code == 0, first.output
    before = site_snapshot(show / "public")
    broken = [newsroom.url("/broken.xml"), newsroom.url("/"), str(show / "missing.xml")]
    result = cli("edition", *broken, "--config", show / "bulletin.toml", "--site",
                 show / "public")
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith("bulletin: no feed could be read: ")
    assert "broken.xml: not a news feed" in line and "(and 2 more)" in line
    assert site_snapshot(show / "public")["feed.xml"] == before["feed.xml"]
    assert {k for k in site_snapshot(show / "public") if k.startswith("episodes/")} == \
        {k for k in before if k.startswith("episodes/")}


def test_some_feeds_broken_warns_once_each_and_goes_on(cli, newsroom, show) -> None:
    result = run_edition(cli, newsroom, show, "--duration", "0", "--stories", "1",
                         feeds=[newsroom.url("/rss.xml"), newsroom.url("/broken.xml"),
                                newsroom.url("/")])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 2
    assert any("broken.xml: not a news feed" in w for w in warnings)
    assert any("an HTML page, not a news feed" in w for w in warnings)
    assert json.loads(result.stdout)["published"] is True


def test_two_editions_started_at_once_do_not_both_publish(newsroom, tmp_path) -> None:
    config = load_config(overrides=Overrides(site=tmp_path / "public", duration="0",
                                             stories=2, cache_dir=tmp_path / "cache"),
                         environ={})
    results = []

    def one() -> None:
        results.append(edition(feeds_of(newsroom), config, engine=FakeEngine()))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert sorted(r.published for r in results) == [False, True]
    (waited,) = [r for r in results if not r.published]
    assert waited.reason.startswith("no new stories since ")
    assert len(items(tmp_path / "public" / "feed.xml")) == 1


def test_an_edition_spoken_while_another_told_the_same_news_publishes_nothing(tmp_path) -> None:
    """The queue plans an edition in the site, speaks it elsewhere and publishes it later: if
    another edition told the same stories in between, the first publishes nothing."""
    import tempfile

    from bulletin import pipeline
    from bulletin.publish import prepare_site

    when = dt.datetime.now(dt.UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    stories = "".join(
        f"<item><title>{title}</title><guid isPermaLink=\"false\">{key}</guid>"
        f"<pubDate>{when}</pubDate><description>{text}</description></item>"
        for key, title, text in (
            ("pier", "The pier reopens", "The pier reopens on Friday after a month of repairs."),
            ("tide", "A high tide is due", "A high tide is due tonight, the harbour master said.")))
    wire = tmp_path / "wire.rss"  # the feed's own text, so that both read the same words
    wire.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
                    f"<link>https://wire.example/</link>{stories}</channel></rss>")
    config = load_config(overrides=Overrides(site=tmp_path / "public", duration="0",
                                             stories=2, cache_dir=tmp_path / "cache"),
                         environ={})
    prepare_site(config)
    start = dt.datetime.now(dt.UTC).replace(microsecond=0)
    planned = pipeline.plan_edition([str(wire)], config, clock=lambda: start)  # not yet spoken
    meanwhile = edition([str(wire)], config, engine=FakeEngine(),
                        clock=lambda: start + dt.timedelta(minutes=2))
    assert meanwhile.published
    with tempfile.TemporaryDirectory() as work:
        programme, told = pipeline.speak_edition(planned, config, Path(work),
                                                 engine=FakeEngine())
        late = pipeline.release_edition(programme, told, planned, config)
        again = pipeline.release_edition(programme, told, planned, config)
    assert not late.published and not again.published
    assert late.reason.startswith("no new stories since ")
    assert len(items(tmp_path / "public" / "feed.xml")) == 1


def test_edition_help_shows_an_example_config(cli) -> None:
    result = cli("edition", "--help")
    assert result.exit_code == 0
    assert "[edition]" in result.stdout and 'duration = "5:00"' in result.stdout
    assert "--duration" in result.stdout and "--max-age" in result.stdout


def test_no_feeds_anywhere_is_one_line(cli, tmp_path) -> None:
    result = cli("edition", "--site", tmp_path / "public")
    assert result.exit_code == 2
    assert result.stderr.strip() == ("bulletin: no news feeds given: name them, or list them in "
                                     "bulletin.toml's [edition] feeds")


def test_not_enough_news_makes_a_shorter_edition_and_says_by_how_much(cli, tmp_path) -> None:
    feed = tmp_path / "quiet-day.rss"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet Day</title>'
        '<item><title>Lighthouse lamp repaired</title><guid>lamp</guid><description>The '
        "lighthouse lamp was repaired on Monday and shines again.</description></item>"
        "</channel></rss>")
    result = cli("edition", feed, "--duration", "3:00", "--engine", "espeak",
                 "--site", tmp_path / "public")
    assert result.exit_code == 0, result.output
    said = re.search(r"short of the target by (\d):(\d\d): not enough news", result.stdout)
    assert said and 100 < int(said.group(1)) * 60 + int(said.group(2)) < 178
    assert "Lighthouse lamp repaired  (1/1 sentences; 1 source)" in result.stdout
