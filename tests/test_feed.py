"""The feed as podcast apps read it (strict XML, feedparser, podcastparser); transcripts, chapters.

The site is built once for the module with the fake voice through the real pipeline (ffmpeg,
mutagen, SQLite): one episode from an article with markup-like characters and non-ASCII, one from
a script whose text carries control characters.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import uuid
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import lxml.html
import podcastparser
import pytest
import srt
import webvtt
from mutagen.id3 import ID3
from mutagen.mp3 import MP3
from PIL import Image

from bulletin.articles import read_articles
from bulletin.config import Overrides, load_config
from bulletin.feed import describe
from bulletin.feed.artwork import MAX_BYTES
from bulletin.feed.rss import DESCRIPTION_LIMIT, podcast_guid, render_feed
from bulletin.feed.text import clock, one_line
from bulletin.models import Chapter, Mix, Script, Segment, Story
from bulletin.script import build_script
from conftest import article, site_snapshot
from sitekit import NS, make_config, parse_feed, quick_build

BASE = "https://news.example.org/pod/"
SHOW = {
    # Markup and non-ASCII; a control character here is refused when the config loads.
    "title": 'Marlow & <Green> "Tonight" \u2014 Z\u00fcrich edition',
    "author": "Green FM & Friends",
    "email": "news@example.org",
    "copyright": "\u00a9 2026 Green FM",
    "description": "Local news, read aloud. <b>Not bold</b> & \"quoted\".",
    "base_url": BASE,
    "language": "en-gb",
    "explicit": True,
    "category": "News",
}
TRICKY = "Bakers & <Brewers> say \"yes\" to the 'fair' \u2014 caf\u00e9 in Z\u00fcrich \U0001f389"
T1 = dt.datetime(2026, 11, 2, 7, 0, tzinfo=dt.UTC)
T2 = dt.datetime(2026, 11, 3, 7, 30, tzinfo=dt.UTC)
CONTROL_TITLE = "Control\u0001 chars\u001f & <tags> in \"titles\"\u007f \u2014 na\u00efve \u2615"
CLEAN_TITLE = "Control chars & <tags> in \"titles\" \u2014 na\u00efve \u2615"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("feed")
    config = make_config(root, **SHOW)
    first = quick_build(config, article(root, "a.txt", TRICKY,
                                        "The market committee agreed a new date for the caf\u00e9 "
                                        "fair & the <brewers> \"guild\".",
                                        "Stalls open at nine."), when=T1)
    # A script whose text carries control characters (as text from another source might).
    source = article(root, "b.txt", "Control chars in titles", "A body paragraph to read.")
    script = build_script(read_articles([str(source)]), config, T2.date())
    dirty = {"headline": CONTROL_TITLE, "body": "A body\u0002 paragraph & <more> to\u0007 read."}
    segments = tuple(dataclasses.replace(s, text=dirty.get(s.kind, s.text))
                     for s in script.segments)
    story = dataclasses.replace(script.stories[0], title=CONTROL_TITLE,
                                segments=tuple(s for s in segments if s.kind in dirty))
    script = dataclasses.replace(script, title=CONTROL_TITLE, segments=segments, stories=(story,))
    second = quick_build(config, when=T2, script=script)
    return {"root": root, "site": config.site, "config": config, "first": first,
            "second": second, "feed": parse_feed(config.site)}


def items(feed):
    return feed.findall("channel/item")


def shown(html: str) -> str:
    """What a podcast app displays for an HTML description: paragraphs and line breaks as text."""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    return "\n\n".join(p.text_content() for p in root.iter("p"))


def test_podcast_guid_is_the_uuid5_the_podcast_namespace_specifies():
    # The two examples the podcast namespace's guid document gives.
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == \
        "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert podcast_guid("http://podnews.net/rss/") == "9b024349-ccf0-5f69-a609-6b82873eab3c"


def test_channel_carries_every_tag_podcast_apps_require(site):
    channel = site["feed"].find("channel")

    def text(path):
        return channel.xpath(f"string({path})", namespaces=NS)

    assert text("title") == 'Marlow & <Green> "Tonight" \u2014 Z\u00fcrich edition'
    assert text("link") == BASE
    assert text("description") == SHOW["description"]
    assert text("language") == "en-gb"
    assert text("copyright") == SHOW["copyright"]
    assert text("itunes:author") == "Green FM & Friends"
    assert text("itunes:owner/itunes:name") == "Green FM & Friends"
    assert text("itunes:owner/itunes:email") == "news@example.org"
    assert text("itunes:image/@href") == BASE + "cover.png"
    assert text("image/url") == BASE + "cover.png"
    assert text("itunes:category/@text") == "News"
    assert text("itunes:explicit") == "true"
    assert text("itunes:type") == "episodic"
    assert text("atom:link[@rel='self']/@href") == BASE + "feed.xml"
    assert text("atom:link[@rel='self']/@type") == "application/rss+xml"
    expected_guid = str(uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"),
                                   "news.example.org/pod/feed.xml"))
    assert text("podcast:guid") == expected_guid
    assert text("podcast:locked") == "no"
    assert text("podcast:locked/@owner") == "news@example.org"
    assert parsedate_to_datetime(text("lastBuildDate")) == T2


def test_items_carry_every_field_newest_first(site):
    second, first = items(site["feed"])
    for item, result, when, number in ((first, site["first"], T1, 1),
                                       (second, site["second"], T2, 2)):
        episode = result.episode
        stem = episode.audio_file.rsplit(".", 1)[0]

        def text(path, item=item):
            return item.xpath(f"string({path})", namespaces=NS)

        assert text("guid") == episode.guid
        assert text("guid/@isPermaLink") == "false"
        assert parsedate_to_datetime(text("pubDate")) == when
        assert text("enclosure/@url") == BASE + episode.audio_file
        assert int(text("enclosure/@length")) == result.mp3.stat().st_size
        assert text("enclosure/@type") == "audio/mpeg"
        seconds = sum(int(p) * 60 ** i for i, p in enumerate(reversed(
            text("itunes:duration").split(":"))))
        assert seconds == round(MP3(result.mp3).info.length)
        assert text("itunes:episode") == str(number)
        assert text("itunes:explicit") == "true"
        assert text("link") == f"{BASE}index.html#episode-{number}"
        assert text("podcast:transcript[@type='text/vtt']/@url") == f"{BASE}{stem}.vtt"
        assert text("podcast:transcript[@type='application/x-subrip']/@url") == f"{BASE}{stem}.srt"
        assert text("podcast:chapters/@url") == f"{BASE}{stem}.chapters.json"
        assert text("podcast:chapters/@type") == "application/json+chapters"
        for path in (text("podcast:transcript[1]/@url"), text("podcast:transcript[2]/@url"),
                     text("podcast:chapters/@url"), text("enclosure/@url")):
            assert (site["site"] / path.removeprefix(BASE)).is_file()
        assert shown(text("description")) == shown(text("content:encoded")) == \
            episode.description
        assert len(text("description").encode("utf-8")) <= DESCRIPTION_LIMIT
        assert len(text("content:encoded").encode("utf-8")) <= DESCRIPTION_LIMIT


def test_markup_characters_and_non_ascii_round_trip_and_control_characters_go(site):
    lxml_titles = [i.findtext("title") for i in items(site["feed"])]
    assert lxml_titles == [CLEAN_TITLE, TRICKY]

    parsed = feedparser.parse((site["site"] / "feed.xml").read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert [e.title for e in parsed.entries] == [CLEAN_TITLE, TRICKY]
    assert parsed.feed.title == 'Marlow & <Green> "Tonight" \u2014 Z\u00fcrich edition'
    assert shown(parsed.entries[0].description).startswith("A body paragraph & <more> to read.")

    with (site["site"] / "feed.xml").open("rb") as stream:
        podcast = podcastparser.parse(BASE + "feed.xml", stream)
    assert [e["title"] for e in podcast["episodes"]] == [CLEAN_TITLE, TRICKY]
    assert podcast["episodes"][0]["description"].startswith("A body paragraph & <more> to read.")
    assert podcast["episodes"][1]["description"].startswith(
        'The market committee agreed a new date for the caf\u00e9 fair & the <brewers> "guild".')
    assert podcast["title"] == parsed.feed.title
    raw = (site["site"] / "feed.xml").read_text(encoding="utf-8")
    assert not any(chr(c) in raw for c in [*range(0, 9), 11, 12, *range(14, 32), 127])


def test_feedparser_reads_every_field_without_complaint(site):
    parsed = feedparser.parse((site["site"] / "feed.xml").read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    feed = parsed.feed
    assert feed.link == BASE and feed.language == "en-gb"
    assert feed.author == "Green FM & Friends"
    assert feed.publisher_detail.email == "news@example.org"
    assert feed.image.href == BASE + "cover.png"
    # feedparser 6 maps only the old yes/clean values of itunes:explicit; podcastparser (below)
    # and lxml (above) read Apple's current true/false.
    assert feed.tags[0].term == "News"
    assert feed.rights == SHOW["copyright"]
    entry = parsed.entries[1]
    episode = site["first"].episode
    assert entry.id == episode.guid
    assert entry.published_parsed[:6] == T1.timetuple()[:6]
    assert entry.enclosures[0].href == BASE + episode.audio_file
    assert int(entry.enclosures[0].length) == site["first"].mp3.stat().st_size
    assert entry.itunes_episode == "1"


def test_podcastparser_reads_what_gpodder_shows(site):
    with (site["site"] / "feed.xml").open("rb") as stream:
        podcast = podcastparser.parse(BASE + "feed.xml", stream)
    assert podcast["link"] == BASE
    assert podcast["cover_url"] == BASE + "cover.png"
    assert podcast["itunes_owner"] == {"name": "Green FM & Friends", "email": "news@example.org"}
    assert podcast["explicit"] is True
    assert podcast["itunes_categories"] == [["News"]]
    newest, oldest = podcast["episodes"]
    for parsed, result, when in ((oldest, site["first"], T1), (newest, site["second"], T2)):
        assert parsed["guid"] == result.episode.guid
        assert parsed["published"] == int(when.timestamp())
        assert parsed["total_time"] == round(MP3(result.mp3).info.length)
        enclosure = parsed["enclosures"][0]
        assert enclosure["url"] == BASE + result.episode.audio_file
        assert enclosure["file_size"] == result.mp3.stat().st_size
        assert enclosure["mime_type"] == "audio/mpeg"
    assert newest["number"] == 2 and oldest["number"] == 1


def test_transcripts_carry_the_mix_cue_times_and_text(site):
    for result in (site["first"], site["second"]):
        stem = site["site"] / result.episode.audio_file.rsplit(".", 1)[0]
        cues = result.episode.cues
        vtt = webvtt.from_buffer(io.StringIO(Path(f"{stem}.vtt").read_text(encoding="utf-8")))
        subs = list(srt.parse(Path(f"{stem}.srt").read_text(encoding="utf-8")))
        assert len(vtt.captions) == len(subs) == len(cues) > 3
        for cue, caption, sub in zip(cues, vtt.captions, subs, strict=True):
            assert caption.start_in_seconds + caption.start_time.milliseconds / 1000 == \
                pytest.approx(cue.start, abs=0.0011)
            assert caption.end_in_seconds + caption.end_time.milliseconds / 1000 == \
                pytest.approx(cue.end, abs=0.0011)
            assert sub.start.total_seconds() == pytest.approx(cue.start, abs=0.0011)
            assert sub.end.total_seconds() == pytest.approx(cue.end, abs=0.0011)
            assert sub.content == cue.text
            assert caption.raw_text.replace("&lt;", "<").replace("&gt;", ">") \
                .replace("&amp;", "&") == cue.text
    texts = [c.text for c in site["second"].episode.cues]
    assert CLEAN_TITLE in texts and "A body paragraph & <more> to read." in texts
    vtt_text = Path(str(site["site"] / site["first"].episode.audio_file)[:-4] + ".vtt").read_text()
    assert "&lt;Brewers&gt;" in vtt_text and "<Brewers>" not in vtt_text


def test_chapters_json_matches_the_mp3_chapters_within_50_ms(site):
    for result in (site["first"], site["second"]):
        path = site["site"] / (result.episode.audio_file[:-4] + ".chapters.json")
        document = json.loads(path.read_text(encoding="utf-8"))
        assert document["version"] == "1.2.0"
        assert document["fileName"] == Path(result.episode.audio_file).name
        frames = sorted(ID3(result.mp3).getall("CHAP"), key=lambda f: f.start_time)
        chapters = document["chapters"]
        assert len(chapters) == len(frames) == len(result.episode.chapters) >= 3
        # (the ID3 frames are the audio stage's, which keeps control characters as given)
        assert [c["title"] for c in chapters] == [one_line(f.sub_frames["TIT2"]) for f in frames]
        for chapter, frame in zip(chapters, frames, strict=True):
            assert abs(chapter["startTime"] - frame.start_time / 1000) <= 0.05
            assert abs(chapter["endTime"] - frame.end_time / 1000) <= 0.05
        assert chapters[0]["startTime"] == 0
        assert chapters[-1]["endTime"] == pytest.approx(MP3(result.mp3).info.length, abs=0.1)
    titles = [c.title for c in site["second"].episode.chapters]
    assert CLEAN_TITLE in titles


def test_episode_description_lists_its_stories_with_start_times(site):
    item = items(site["feed"])[1]
    description = shown(item.findtext("description"))
    assert description.startswith("The market committee agreed a new date")
    for chapter in site["first"].episode.chapters:
        assert f"{clock(chapter.start)} {chapter.title}" in description


def test_description_stays_within_4000_bytes_and_keeps_the_story_list():
    def story(n: int, lead: str) -> Story:
        return Story(title=f"Story {n}: caf\u00e9 & <b>r\u00e9union</b> \u2615",
                     source=None, segments=(Segment(f"h{n}", "headline", "t", "t"),
                                            Segment(f"b{n}", "body", lead, lead)))
    lead = ("Na\u00efve caf\u00e9 \u2615 & <b>bold</b> " * 400).strip()  # far over 4000 bytes
    stories = tuple(story(n, lead) for n in range(1, 13))
    script = Script(title="Long day", date=dt.date(2026, 11, 2), stories=stories,
                    segments=tuple(s for st in stories for s in st.segments), guid_key="k")
    chapters = tuple(Chapter(s.title, 65.0 * n, 65.0 * (n + 1)) for n, s in enumerate(stories))
    text = describe(script, Mix(wav=Path("x.wav"), duration=800.0, chapters=chapters, cues=()))
    from bulletin.feed.rss import description_html
    assert len(text.encode("utf-8")) <= DESCRIPTION_LIMIT
    assert len(description_html(text).encode("utf-8")) <= DESCRIPTION_LIMIT
    assert text.startswith("Na\u00efve caf\u00e9")
    for n, chapter in enumerate(chapters):
        assert f"{n * 65 // 60}:{n * 65 % 60:02d} {chapter.title}" in text


def test_a_rebuild_with_new_audio_gets_new_names_for_every_file(tmp_path):
    config = make_config(tmp_path, base_url=BASE)
    source = article(tmp_path, "s.txt", "Harbour wall repaired", "Work finished on Friday.")
    first = quick_build(config, source, when=T1)
    old = [first.episode.audio_file[:-4] + suffix for suffix in
           (".mp3", ".vtt", ".srt", ".chapters.json")]
    assert all((config.site / name).is_file() for name in old)
    article(tmp_path, "s.txt", "Harbour wall repaired", "Work finished on Friday, early.")
    second = quick_build(config, source, when=T2)
    assert second.episode.guid == first.episode.guid
    assert second.episode.pub_date == T1, "a rebuilt episode keeps its first publication date"
    new = [second.episode.audio_file[:-4] + suffix for suffix in
           (".mp3", ".vtt", ".srt", ".chapters.json")]
    assert set(new).isdisjoint(old)
    assert all((config.site / name).is_file() for name in new)
    assert all((config.site / name).is_file() for name in old), "kept for the grace period"
    assert [i.findtext("guid") for i in parse_feed(config.site).iterfind("channel/item")] == \
        [first.episode.guid]


def test_generated_cover_art_is_a_3000_pixel_square_under_512_kb(site):
    data = (site["site"] / "cover.png").read_bytes()
    assert len(data) < MAX_BYTES
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG" and image.mode == "RGB"
        assert image.size == (3000, 3000)
        assert len(image.getcolors(maxcolors=1 << 16) or range(1 << 16)) > 2, "not a blank image"


def test_configured_cover_art_is_used_when_fit_and_refused_when_not(tmp_path, cli, write_article):
    good, bad = tmp_path / "good.jpg", tmp_path / "wide.png"
    Image.new("RGB", (1400, 1400), (200, 40, 40)).save(good, quality=85)
    Image.new("RGB", (1600, 900), (40, 40, 200)).save(bad)
    source = write_article("c.txt", "Cover test", "A paragraph to read.")
    Path("bulletin.toml").write_text(f'[show]\nimage = "{good}"\nbase_url = "{BASE}"\n')
    assert cli("build", source, "--quiet").exit_code == 0
    feed = parse_feed(Path("public"))
    assert feed.xpath("string(channel/itunes:image/@href)", namespaces=NS) == BASE + "cover.jpg"
    assert Path("public/cover.jpg").read_bytes() == good.read_bytes()

    before = site_snapshot(Path("public"))
    Path("bulletin.toml").write_text(f'[show]\nimage = "{bad}"\nbase_url = "{BASE}"\n')
    result = cli("build", source)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"bulletin: {bad}: unusable as cover art: is 1600×900, " \
        "not square"
    assert site_snapshot(Path("public")) == before


def test_every_url_follows_base_url_and_the_page_links_relatively(tmp_path):
    base = "https://cdn.example.net/shows/marlow/"
    config = make_config(tmp_path, base_url=base)
    quick_build(config, article(tmp_path, "u.txt", "Base URL test", "Some text to read."))
    feed = parse_feed(config.site)
    urls = feed.xpath("//@href | //@url | //link/text() | //image/url/text()")
    assert len(urls) >= 9
    assert all(str(u).startswith(base) for u in urls), urls
    page = lxml.html.fromstring((config.site / "index.html").read_bytes())
    links = page.xpath("//audio/@src | //a/@href | //img/@src")
    assert links and not any("://" in str(link) for link in links), links
    assert page.xpath("string(//code[@id='feed-url'])") == base + "feed.xml"


def test_podcast_guid_is_assigned_once_the_feed_is_public_and_then_kept(tmp_path):
    local = make_config(tmp_path, base_url="http://localhost:8000/")
    quick_build(local, article(tmp_path, "g.txt", "Guid test", "Some text to read."), when=T1)

    def guid() -> str:
        return parse_feed(local.site).xpath("string(channel/podcast:guid)", namespaces=NS)

    assert guid() == podcast_guid("http://localhost:8000/feed.xml")
    public = make_config(tmp_path, base_url=BASE)
    quick_build(public, article(tmp_path, "h.txt", "Second", "More text to read."), when=T2)
    assert guid() == podcast_guid(BASE + "feed.xml")
    moved = make_config(tmp_path, base_url="https://elsewhere.example.com/")
    quick_build(moved, article(tmp_path, "i.txt", "Third", "Yet more text."), when=T2)
    assert guid() == podcast_guid(BASE + "feed.xml"), "the show keeps its podcast:guid"
    assert parse_feed(local.site).xpath("string(channel/atom:link/@href)", namespaces=NS) == \
        "https://elsewhere.example.com/feed.xml"


def test_index_page_lists_every_episode_with_a_player_and_the_feed_qr_code(site):
    page = lxml.html.fromstring((site["site"] / "index.html").read_bytes())
    articles = page.xpath("//article[@class='episode']")
    assert [a.xpath("string(h2)") for a in articles] == [CLEAN_TITLE, TRICKY]
    assert [a.xpath("string(.//audio/@src)") for a in articles] == [
        site["second"].episode.audio_file, site["first"].episode.audio_file]
    assert page.xpath("string(//code[@id='feed-url'])") == BASE + "feed.xml"
    assert page.xpath("//svg[contains(@class, 'qr')]//path"), "the QR code is drawn"
    seek = articles[1].xpath(".//button/@data-seek")
    assert [float(s) for s in seek] == [round(c.start, 3) for c in site["first"].episode.chapters]


def test_the_default_config_publishes_a_feed_that_parses(tmp_path):
    config = load_config(None, Overrides(site=tmp_path / "public", cache_dir=tmp_path / "cache"))
    quick_build(config, article(tmp_path, "d.txt", "Defaults", "Text with defaults."))
    parsed = feedparser.parse((config.site / "feed.xml").read_bytes())
    assert parsed.bozo == 0 and len(parsed.entries) == 1
    assert parse_feed(config.site).xpath("string(channel/podcast:locked)", namespaces=NS) == "no"


@pytest.mark.parametrize("blank", ["", "  \n "])
def test_a_blank_show_description_still_describes_the_feed_and_its_episodes(tmp_path, blank):
    config = make_config(tmp_path, title="Harbour News", description=blank, base_url=BASE)
    result = quick_build(config, article(tmp_path, "h.txt", "Ferry vote passes in the harbour",
                                         "The ferry will run all winter."))
    with (config.site / "feed.xml").open("rb") as stream:
        podcast = podcastparser.parse(BASE + "feed.xml", stream)
    assert podcast["description"] == "Harbour News: news bulletins read aloud."
    assert podcast["episodes"][0]["description"].startswith("The ferry will run all winter.")
    parsed = feedparser.parse((config.site / "feed.xml").read_bytes())
    assert parsed.feed.description == "Harbour News: news bulletins read aloud."
    # An episode with no description of its own (as a feed rebuilt from elsewhere may give) is
    # described by its title.
    bare = dataclasses.replace(result.episode, description=" ")
    feed = render_feed([bare], config.show, "cover.png", podcast_guid(BASE + "feed.xml"))
    episode = podcastparser.parse(BASE + "feed.xml", io.BytesIO(feed.encode()))["episodes"][0]
    assert episode["description"] == "Ferry vote passes in the harbour"
