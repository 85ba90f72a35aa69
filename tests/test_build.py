"""End to end: a real build with Piper and ffmpeg, checked the way a listener's app would see it."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import wave
from pathlib import Path

import feedparser
import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from bulletin.articles import read_articles
from bulletin.config import load_config
from bulletin.ffmpeg import measure_loudness
from bulletin.pipeline import build
from bulletin.script import build_script
from bulletin.tts import SegmentCache, get_engine
from conftest import REPO

ARTICLE = (
    "Library opens its doors through the night",
    "The central library in Marlow Green will stay open around the clock from Monday, "
    "the first in the county to do so.",
    "Staff say students asked for a quiet place to work after midnight.",
)


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as wav:
        return wav.getnframes() / wav.getframerate()


def ffprobe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format",
                          "-show_streams", str(path)], capture_output=True, check=True)
    return json.loads(out.stdout)


@pytest.fixture
def built(cli, write_article, tmp_path):
    article = write_article("library.txt", *ARTICLE)
    result = cli("build", article, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), article


def test_build_writes_a_44k_mono_mp3_with_the_expected_duration(built, runner):
    summary, article = built
    mp3 = Path(summary["mp3"])
    info = ffprobe(mp3)
    stream = info["streams"][0]
    assert info["format"]["format_name"] == "mp3"
    assert stream["codec_name"] == "mp3"
    assert int(stream["sample_rate"]) == 44100 and stream["channels"] == 1
    assert int(stream["bit_rate"]) == 64000

    # Every word and pause is in it, and the stings around them, with at most a second of
    # silence or overlap beyond that.
    config = load_config()
    script = build_script(read_articles([str(article)]), config, dt.date.today())
    engine = get_engine(config.voice)
    cache = SegmentCache(config.cache_root)
    speech = 0.0
    for segment in script.segments:
        clip = cache.get(cache.key(engine.identity, segment.spoken))
        assert clip is not None, "the build cached every segment"
        speech += clip.duration + segment.pause_after
    stings = sum(wav_seconds(REPO / "audio" / f"{kind}.wav") for kind in ("intro", "outro"))
    duration = float(info["format"]["duration"])
    assert speech + stings - 1.0 < duration < speech + stings + 1.0, (duration, speech, stings)
    assert abs(summary["duration"] - duration) < 0.1


def test_build_meets_the_loudness_target_as_ebur128_measures_the_mp3(built, runner):
    summary, _ = built
    level = measure_loudness(Path(summary["mp3"]), runner=runner)
    assert -17.0 <= level.integrated <= -15.0, level
    assert level.true_peak <= -1.0, level


def test_build_tags_the_mp3_with_id3v23(built):
    summary, _ = built
    mp3 = Path(summary["mp3"])
    tags = ID3(mp3)
    assert tags.version[:2] == (2, 3)
    assert str(tags["TIT2"]) == ARTICLE[0]
    assert str(tags["TALB"]) == "The Bulletin"
    assert str(tags["TPE1"]) == "bulletin"
    assert str(tags["TCON"]) == "Podcast"
    assert str(tags["TDRC"]).startswith(str(dt.date.today().year))
    assert "Marlow Green" in tags.getall("COMM")[0].text[0]
    assert MP3(mp3).info.length == pytest.approx(summary["duration"], abs=0.1)


def test_feed_lists_the_episode_with_its_exact_length(built):
    summary, _ = built
    feed = feedparser.parse(Path(summary["feed"]).read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert len(feed.entries) == 1
    entry = feed.entries[0]
    assert entry.title == ARTICLE[0]
    enclosure = entry.enclosures[0]
    assert int(enclosure.length) == Path(summary["mp3"]).stat().st_size
    assert enclosure.type == "audio/mpeg"
    assert enclosure.href == "http://localhost:8000/" + str(
        Path(summary["mp3"]).relative_to("public"))
    assert entry.id == summary["guid"]
    assert entry.itunes_duration == "00:00:{:02d}".format(round(summary["duration"]))


def test_second_article_adds_an_item_newest_first_and_keeps_the_first(cli, write_article):
    first = write_article("one.txt", "Bakers & <Brewers> say \"yes\" to the 'fair'",
                          "The market committee agreed a new date.")
    second = write_article("two.txt", "River path reopens", "The towpath is open again.")
    assert cli("build", first, "--quiet").exit_code == 0
    assert cli("build", second, "--quiet").exit_code == 0
    feed = feedparser.parse(Path("public/feed.xml").read_bytes())
    assert feed.bozo == 0
    assert [e.title for e in feed.entries] == [
        "River path reopens", "Bakers & <Brewers> say \"yes\" to the 'fair'"]
    for entry in feed.entries:
        path = Path("public") / entry.enclosures[0].href.split("localhost:8000/")[1]
        assert path.stat().st_size == int(entry.enclosures[0].length)


def test_rebuilding_the_same_article_replaces_its_episode(cli, write_article):
    article = write_article("story.txt", "Harbour wall repaired", "Work finished on Friday.")
    first = json.loads(cli("build", article, "--json").stdout)
    article.write_text("Harbour wall repaired\n\nWork finished on Friday, a week early.\n")
    second = json.loads(cli("build", article, "--json").stdout)
    assert first["guid"] == second["guid"]
    feed = feedparser.parse(Path("public/feed.xml").read_bytes())
    assert len(feed.entries) == 1
    assert feed.entries[0].enclosures[0].href.endswith(Path(second["mp3"]).name)
    assert Path(first["mp3"]).exists(), "the replaced audio stays while listeners may stream it"
    assert Path(second["mp3"]).exists()


def test_show_settings_from_bulletin_toml_reach_the_feed(cli, write_article, tmp_path):
    Path("bulletin.toml").write_text(
        '[show]\ntitle = "Marlow Green Tonight"\nauthor = "Green FM"\n'
        'base_url = "https://news.example.org/pod/"\nlanguage = "en-gb"\nexplicit = false\n'
    )
    article = write_article("a.txt", "Late buses added", "Two late buses start next week.")
    result = cli("build", article, "--json", "--site", tmp_path / "out")
    assert result.exit_code == 0, result.output
    feed = feedparser.parse((tmp_path / "out" / "feed.xml").read_bytes())
    assert feed.feed.title == "Marlow Green Tonight"
    assert feed.feed.author == "Green FM"
    assert feed.feed.language == "en-gb"
    assert feed.entries[0].enclosures[0].href.startswith("https://news.example.org/pod/episodes/")
    assert str(ID3(json.loads(result.stdout)["mp3"])["TALB"]) == "Marlow Green Tonight"


def test_pipeline_build_orders_items_by_publication_time(write_article, fake_engine):
    config = load_config()
    times = iter([dt.datetime(2026, 11, 2, 7, 0, tzinfo=dt.UTC),
                  dt.datetime(2026, 11, 1, 7, 0, tzinfo=dt.UTC)])
    newer = write_article("n.txt", "Newer story", "Text of the newer story.")
    older = write_article("o.txt", "Older story", "Text of the older story.")
    build([str(newer)], config, engine=fake_engine, clock=lambda: next(times))
    build([str(older)], config, engine=fake_engine, clock=lambda: next(times))
    feed = feedparser.parse(Path("public/feed.xml").read_bytes())
    assert [e.title for e in feed.entries] == ["Newer story", "Older story"]
    assert feed.entries[1].published == "Sun, 01 Nov 2026 07:00:00 +0000"
