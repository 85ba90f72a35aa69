"""Reading news feeds: RSS 2.0, RSS 1.0 (RDF), Atom 1.0 and JSON Feed 1.0/1.1 give the same stories,
links made absolute, dates in UTC, titles as plain text; what is not a feed is one line naming it.

The feeds are written here from the corpus's real news pages (their headlines and paragraphs), or
inline when a test needs one odd item. Nothing is fetched: parse_feed is given bytes.
"""

from __future__ import annotations

import datetime as dt
import gzip
import html
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import format_datetime
from pathlib import Path

import pytest

from bulletin.articles.clean import clean_article
from bulletin.articles.feeds import MAX_ITEMS, parse_feed
from bulletin.articles.read import read_article
from bulletin.errors import InputError

FEED_URL = "https://news.example/world/feed.xml"
HOME = "https://news.example/"
UTC = dt.UTC


@dataclass(frozen=True)
class Story:
    """What a feed is written from: one item."""

    title: str
    link: str  # relative to the feed, as feeds often give it
    paragraphs: tuple[str, ...]
    published: dt.datetime  # aware, in some zone not UTC

    @property
    def html(self) -> str:
        return "".join(f"<p>{html.escape(p)}</p>" for p in self.paragraphs)


@pytest.fixture(scope="module")
def stories(shared_dir: Path) -> list[Story]:
    """One story per corpus page, dated an hour apart in a zone two hours east of UTC."""
    zone = dt.timezone(dt.timedelta(hours=2))
    found = []
    for number, page in enumerate(sorted((shared_dir / "corpus" / "html").glob("*.html"))):
        article = clean_article(read_article(str(page)))
        found.append(Story(title=article.title, link=f"/stories/{page.stem}.html",
                           paragraphs=article.paragraphs,
                           published=dt.datetime(2025, 3, 4, 8 + number, 15, tzinfo=zone)))
    return found


def x(text: str) -> str:
    return html.escape(text, quote=True)


def rss2(stories: list[Story], title: str = "World news") -> bytes:
    items = "".join(
        f"<item>\n<title>{x(s.title)}</title>\n<link>{x(s.link)}</link>\n"
        f"<guid isPermaLink=\"false\">story-{n}</guid>\n"
        f"<pubDate>{format_datetime(s.published)}</pubDate>\n"
        f"<description>{x(s.paragraphs[0])}</description>\n"
        f"<content:encoded><![CDATA[{s.html}]]></content:encoded>\n</item>\n"
        for n, s in enumerate(stories))
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/">\n<channel>\n'
            f"<title>{x(title)}</title>\n<link>{HOME}</link>\n<description>d</description>\n"
            f"{items}</channel>\n</rss>\n").encode()


def rdf(stories: list[Story], title: str = "World news") -> bytes:
    seq = "".join(f'<rdf:li rdf:resource="{HOME}{s.link[1:]}"/>' for s in stories)
    items = "".join(
        f'<item rdf:about="{HOME}{s.link[1:]}">\n<title>{x(s.title)}</title>\n'
        f"<link>{HOME}{s.link[1:]}</link>\n<dc:date>{s.published.isoformat()}</dc:date>\n"
        f"<content:encoded>{x(s.html)}</content:encoded>\n</item>\n" for s in stories)
    return ('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            ' xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"'
            ' xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
            f'<channel rdf:about="{FEED_URL}">\n<title>{x(title)}</title>\n<link>{HOME}</link>\n'
            f"<description>d</description>\n<items><rdf:Seq>{seq}</rdf:Seq></items>\n"
            f"</channel>\n{items}</rdf:RDF>\n").encode()


def atom(stories: list[Story], title: str = "World news") -> bytes:
    entries = "".join(
        f"<entry>\n<title>{x(s.title)}</title>\n<id>urn:story:{n}</id>\n"
        f'<link rel="alternate" href="{x(s.link)}"/>\n'
        f"<published>{s.published.isoformat()}</published>\n"
        f"<updated>{s.published.isoformat()}</updated>\n"
        f'<summary>{x(s.paragraphs[0])}</summary>\n<content type="html">{x(s.html)}</content>\n'
        "</entry>\n" for n, s in enumerate(stories))
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
            f"<title>{x(title)}</title>\n<id>urn:feed</id>\n<updated>2025-03-04T00:00:00Z</updated>"
            f'\n<link rel="alternate" href="{HOME}"/>\n{entries}</feed>\n').encode()


def json_feed(version: str) -> Callable[[list[Story], str], bytes]:
    def write(stories: list[Story], title: str = "World news") -> bytes:
        return json.dumps({
            "version": f"https://jsonfeed.org/version/{version}", "title": title,
            "home_page_url": HOME, "feed_url": FEED_URL,
            "items": [{"id": f"story-{n}", "url": s.link, "title": s.title,
                       "content_html": s.html, "summary": s.paragraphs[0],
                       "date_published": s.published.isoformat()}
                      for n, s in enumerate(stories)]}).encode()
    return write


WRITERS = {"rss2": rss2, "rdf": rdf, "atom": atom, "json1": json_feed("1"),
           "json1.1": json_feed("1.1")}


@pytest.mark.parametrize("kind", WRITERS)
def test_every_format_gives_the_same_stories(kind: str, stories: list[Story]) -> None:
    feed = parse_feed(WRITERS[kind](stories), FEED_URL, etag='"v7"', last_modified="then")
    assert feed.title == "World news"
    assert (feed.source, feed.etag, feed.last_modified, feed.local) == (FEED_URL, '"v7"', "then",
                                                                          False)
    assert [item.title for item in feed.items] == [s.title for s in stories]
    assert [item.link for item in feed.items] == [HOME + s.link[1:] for s in stories]
    assert [item.published for item in feed.items] == [s.published.astimezone(UTC)
                                                       for s in stories]
    assert all(item.published.tzinfo == UTC for item in feed.items)
    for item, story in zip(feed.items, stories, strict=True):
        text = html.unescape(re.sub(r"<[^>]+>", " ", item.content))
        assert all(" ".join(p.split()) in " ".join(text.split()) for p in story.paragraphs)
        assert (item.feed, item.feed_title, item.local) == (FEED_URL, "World news", False)
    assert len({item.id for item in feed.items}) == len(stories)


def test_a_local_feed_marks_its_items_local_and_resolves_links_against_its_own_link(
        stories: list[Story], tmp_path: Path) -> None:
    path = tmp_path / "world.xml"
    feed = parse_feed(rss2(stories), str(path), local=True)
    assert feed.local and all(item.local for item in feed.items)
    assert [item.link for item in feed.items] == [HOME + s.link[1:] for s in stories]


def rss_items(*items: str, channel: str = "<title>Odd news</title>") -> bytes:
    return (f'<rss version="2.0"><channel>{channel}' + "".join(f"<item>{i}</item>" for i in items)
            + "</channel></rss>").encode()


def test_a_relative_link_with_nothing_to_resolve_it_against_is_no_link() -> None:
    feed = parse_feed(rss_items("<title>Alone</title><link>/somewhere</link>"), "feeds/odd.xml")
    assert [item.link for item in feed.items] == [None]


def test_titles_are_plain_text() -> None:
    feed = parse_feed(rss_items("<title>Rates &lt;b&gt;rise&lt;/b&gt; &amp;amp; fall</title>"
                                "<link>https://news.example/r</link>"), FEED_URL)
    assert feed.items[0].title == "Rates rise & fall"


def test_an_item_is_known_by_its_guid_else_its_link_else_its_title() -> None:
    feed = parse_feed(rss_items(
        "<title>A</title><guid isPermaLink='false'>tag:a</guid><link>/a</link>",
        "<title>B</title><link>/b</link>", "<title>C</title>", "<title>D</title>"), FEED_URL)
    ids = [item.id for item in feed.items]
    assert ids[:2] == ["tag:a", "https://news.example/b"]
    assert len(set(ids)) == 4  # the titles' marks differ
    again = parse_feed(rss_items("<title>D</title>", "<title>C</title>"), FEED_URL)
    assert [item.id for item in again.items] == ids[:1:-1]  # and stay the same


def test_an_item_with_no_title_link_or_content_is_left_out() -> None:
    feed = parse_feed(rss_items("<title>Kept</title>", "<pubDate>Tue, 04 Mar 2025 10:00:00 GMT"
                                "</pubDate>", "<link>https://news.example/k</link>"), FEED_URL)
    assert [(item.title, item.link) for item in feed.items] == [
        ("Kept", None), ("", "https://news.example/k")]


def test_updated_stands_in_for_published() -> None:
    body = (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><title>E</title>'
            b'<id>urn:e</id><updated>2025-01-02T03:04:05-05:00</updated></entry></feed>')
    assert parse_feed(body, FEED_URL).items[0].published == dt.datetime(2025, 1, 2, 8, 4, 5,
                                                                         tzinfo=UTC)


def test_json_feed_plain_text_and_modified_date() -> None:
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": [
        {"id": "1", "title": "Plain", "content_text": "First part.\n\nSecond < third.",
         "date_modified": "2025-05-06T07:08:09Z"}]}).encode()
    item = parse_feed(body, "feed.json").items[0]
    assert item.published == dt.datetime(2025, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert "First part." in item.content and "Second &lt; third." in item.content
    assert item.content.count("<p>") == 2


@pytest.mark.parametrize(("kind", "count"), [("rss2", 200_000), ("json1.1", 20_000)])
def test_a_feed_of_very_many_items_gives_the_first_few_quickly(kind: str, count: int) -> None:
    # Parsed whole, 200,000 RSS items take feedparser many seconds and hundreds of MB.
    when = dt.datetime(2025, 1, 1, tzinfo=UTC)
    many = [Story(f"Story {n}", f"/s/{n}", ("Text.",), when) for n in range(count)]
    body = WRITERS[kind](many)
    started = time.monotonic()
    feed = parse_feed(body, FEED_URL)
    assert time.monotonic() - started < 3.0
    assert [item.title for item in feed.items] == [s.title for s in many[:MAX_ITEMS]]


# --- Not a feed ---------------------------------------------------------------------------------

def refusal(body: bytes, pattern: str, source: str = FEED_URL) -> str:
    with pytest.raises(InputError) as caught:
        parse_feed(body, source)
    line = str(caught.value)
    assert "\n" not in line and line.startswith(f"{source}: "), line
    assert re.search(pattern, line), line
    return line


def test_a_news_page_is_not_a_feed(shared_dir: Path) -> None:
    for page in sorted((shared_dir / "corpus" / "html").glob("*.html")):
        refusal(page.read_bytes(), r": an HTML page, not a news feed$", source=str(page))


def test_a_feed_cut_short_says_where(stories: list[Story]) -> None:
    whole = rss2(stories)
    cut = whole[: len(whole) * 2 // 3]
    last_line = cut.count(b"\n") + 1
    refusal(cut, rf"not a news feed: the XML is cut short or malformed \(line {last_line}\)$")


def test_malformed_xml_says_which_line(stories: list[Story]) -> None:
    whole = rss2(stories).decode()
    at = whole.index("</title>", whole.index("<item>"))
    broken = whole[:at] + "</titel>" + whole[at + len("</title>"):]
    refusal(broken.encode(), rf"malformed \(line {whole[:at].count(chr(10)) + 1}\)$")


@pytest.mark.parametrize(("body", "pattern"), [
    (b"", r"empty, not a news feed"),
    (b" \n\t\n", r"empty, not a news feed"),
    (b"Just some words about the news.\n", r"not a news feed \(neither XML nor JSON\)"),
    (b'{"title": "Not a feed", "items": []}', r"JSON, but not a JSON Feed"),
    (b"[1, 2, 3]", r"JSON, but not a JSON Feed"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": ', r"JSON that cannot be read"),
    (b"<note><to>You</to></note>", r"an XML document whose root is <note>"),
])
def test_what_is_not_a_feed_is_named(body: bytes, pattern: str) -> None:
    refusal(body, pattern)


def test_binary_is_not_a_feed(stories: list[Story]) -> None:
    refusal(gzip.compress(rss2(stories)), r"binary data, not a news feed")


def test_a_body_naming_a_file_is_not_read_as_one(stories: list[Story], tmp_path: Path) -> None:
    # feedparser opens a string that names a file; parse_feed never does.
    path = tmp_path / "feed.xml"
    path.write_bytes(rss2(stories))
    refusal(str(path).encode(), r"neither XML nor JSON")


def test_entities_that_expand_a_billion_times_are_refused_quickly() -> None:
    levels = "".join(f'<!ENTITY e{n} "{f"&e{n - 1};" * 10}">' for n in range(1, 10))
    body = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY e0 "ha">{levels}]>'
            '<rss version="2.0"><channel><title>&e9;</title></channel></rss>').encode()
    started = time.monotonic()
    refusal(body, r"malformed")
    assert time.monotonic() - started < 2.0


# --- What feedparser forgives, and so does bulletin ---------------------------------------------

def test_a_wrong_character_encoding_is_not_fatal() -> None:
    body = rss_items("<title>Café reopens in Málaga</title>").replace(
        b"<rss", b'<?xml version="1.0" encoding="utf-8"?><rss', 1)
    feed = parse_feed(body.decode().encode("latin-1"), FEED_URL)  # says UTF-8, is Latin-1
    assert feed.items[0].title == "Café reopens in Málaga"


@pytest.mark.parametrize("encoding", ["iso-8859-1", "utf-16"])
def test_a_declared_encoding_is_read(encoding: str) -> None:
    text = (f'<?xml version="1.0" encoding="{encoding}"?>'
            + rss_items("<title>Café reopens in Málaga</title>").decode())
    assert parse_feed(text.encode(encoding), FEED_URL).items[0].title == "Café reopens in Málaga"


def test_an_html_entity_never_declared_is_not_fatal() -> None:
    feed = parse_feed(rss_items("<title>Markets&nbsp;rally</title>"), FEED_URL)
    assert feed.items[0].title == "Markets rally"
