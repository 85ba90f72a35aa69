"""What the test newsroom publishes: its stories, its four feeds' items, and the feeds written out.

In: the shared corpus folder (real news pages and expected.json). Out: ``Story`` per page (a crude
<p> pass gives fixture text for the feeds), ``desk`` (each feed path's title and ``Item`` list),
``render`` (RSS 2.0, Atom 1.0, JSON Feed 1.1 or RSS 1.0/RDF bytes, dated from a clock), and the
home page and oversized filler the server sends.
``CONTENT_TYPES`` gives each feed-like path the newsroom serves its kind and media type.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

CONTENT_TYPES = {  # path: (kind, media type)
    "/rss.xml": ("rss", "application/rss+xml; charset=utf-8"),
    "/atom.xml": ("atom", "application/atom+xml; charset=utf-8"),
    "/feed.json": ("json", "application/feed+json; charset=utf-8"),
    "/rdf.xml": ("rdf", "application/rdf+xml; charset=utf-8"),
    "/huge.xml": ("rss", "application/rss+xml"),
    "/bomb.xml": ("rss", "application/rss+xml"),
    "/huge.html": ("html", "text/html"),
    "/bomb.html": ("html", "text/html"),
}
ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RSS1 = "http://purl.org/rss/1.0/"
DESK = "Newsroom desk"  # every item's author
ROLES = ("syndicated", "shared", "old", "undated", "tracked", "brief")  # the corpus pages', in turn
GONE, VANISHED = "/news/harbour-footbridge.html", "/news/late-council-meeting.html"  # both 404
GONE_PARAGRAPHS = (
    "The footbridge over the inner harbour will close for six weeks from Monday while engineers "
    "replace its corroded deck plates.",
    "Walkers will be sent over the swing bridge instead, a detour the council says adds about ten "
    "minutes to the walk into town.",
    "Traders on the quay asked for signs at both ends so that visitors find their way to the "
    "Saturday market.",
)
_UTM = "utm_source={}&utm_medium=feed&utm_campaign=syndication"


@dataclass(frozen=True)
class Story:
    """One corpus page as the newsroom publishes it."""

    name: str  # the corpus file name
    title: str  # the page's og:title, else its <title>
    path: str  # where the page is served
    html: bytes
    paragraphs: tuple[str, ...]  # a crude <p> pass over the page: fixture text, not an extraction
    expected: dict = field(compare=False)  # expected.json's entry: url, with, without

    def teaser(self, count: int = 3) -> str:
        """The first ``count`` paragraphs as HTML, the way a feed quotes a story."""
        return "".join(f"<p>{paragraph}</p>" for paragraph in self.paragraphs[:count])


@dataclass(frozen=True)
class Item:
    """One item of a feed. ``link`` is a path on the newsroom or an absolute URL."""

    title: str
    link: str | None
    content: str = ""  # HTML: content:encoded, Atom content, content_html
    summary: str = ""
    age: dt.timedelta | None = dt.timedelta(hours=1)  # published this long before the clock
    id: str = ""


@functools.cache
def load_stories(folder: Path) -> tuple[Story, ...]:
    """Every page expected.json lists in ``folder``, in name order."""
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    stories = []
    for name in sorted(expected):
        html = (folder / name).read_bytes()
        tree = lxml.html.document_fromstring(html.decode("utf-8", "replace"))
        for junk in tree.xpath("//script|//style|//noscript"):
            junk.drop_tree()
        title = (tree.xpath("string(//meta[@property='og:title']/@content)")
                 or tree.findtext(".//title") or name)
        texts = (" ".join(p.text_content().split()) for p in tree.iter("p"))
        paragraphs = tuple(text for text in texts if len(text.split()) >= 12)
        stories.append(Story(name, " ".join(title.split()), f"/news/{name}", html, paragraphs,
                             expected[name]))
    return tuple(stories)


def desk(stories: Sequence[Story]) -> dict[str, tuple[str, list[Item]]]:
    """The four feeds' titles and items, the stories given their ROLES in turn."""
    role = dict(zip(ROLES, stories, strict=False))
    if len(role) < len(ROLES):
        pytest.skip(f"the corpus has {len(stories)} pages; the newsroom needs {len(ROLES)}")

    def item(story: Story, hours: float | None, *, link: str | None = None, title: str = "",
             content: bool = True, tag: str = "") -> Item:
        age = None if hours is None else dt.timedelta(hours=hours)
        return Item(title or story.title, link or story.path,
                    story.teaser() if content else "", story.paragraphs[0], age,
                    f"tag:newsroom.test,2020:{tag or 'desk'}/{story.name}")

    synd, shared, tracked, brief = (role[r] for r in ("syndicated", "shared", "tracked", "brief"))
    wire = f"/wire/{synd.name}?" + _UTM.format("wire")
    rewrite = " ".join(synd.paragraphs[0].split()[:9]).rstrip(",;:.")  # a wire desk's headline
    extra = [item(story, 3 + n / 6) for n, story in enumerate(stories[len(ROLES):])]
    return {
        "/rss.xml": ("Newsroom Daily", [
            item(synd, 1), item(shared, 2), item(role["old"], 5 * 24), item(role["undated"], None),
            Item("Harbour footbridge to close for repairs", GONE,
                 "".join(f"<p>{p}</p>" for p in GONE_PARAGRAPHS), "", dt.timedelta(minutes=30),
                 "newsroom-gone"),
            Item("Late council meeting adjourned", VANISHED, age=dt.timedelta(minutes=40),
                 id="newsroom-vanished"),
            *extra]),
        "/atom.xml": ("Wire Service", [
            item(synd, 50 / 60, link=wire, title=rewrite, tag="wire"),
            item(shared, 2 + 1 / 6, content=False, tag="wire"),
            item(tracked, 1.5, content=False, tag="wire")]),
        "/feed.json": ("Morning Brief", [
            item(tracked, 1.6, link=f"{tracked.path}?" + _UTM.format("brief"), tag="brief"),
            item(brief, 0.75, tag="brief")]),
        "/rdf.xml": ("Regional Digest", [item(synd, 1, tag="digest"), item(brief, 0.75)]),
    }


def front_page(stories: Sequence[Story]) -> bytes:
    """The site's home page: HTML that links its stories and names its feed."""
    links = "".join(f'<li><a href="{s.path}">{s.title}</a></li>' for s in stories)
    return (f'<!doctype html><html><head><title>Newsroom</title><link rel="alternate" '
            f'type="application/rss+xml" href="/rss.xml"></head><body><h1>Newsroom</h1>'
            f"<ul>{links}</ul></body></html>").encode()


def filler(path: str, size: int) -> Iterator[bytes]:
    """About ``size`` bytes of a feed (path ending .xml) or a page of nothing but more words."""
    feed = path.endswith(".xml")
    yield b'<?xml version="1.0"?><rss version="2.0"><channel>' if feed else b"<html><body>"
    piece = (b"<item><title>More news</title><description>" + b"and more " * 400 +
             b"</description></item>\n") if feed else b"<p>" + b"more words " * 400 + b"</p>\n"
    for _ in range(size // len(piece) + 1):
        yield piece


def render(kind: str, title: str, items: Sequence[Item], *, base: str, feed_url: str,
           now: dt.datetime, updated: dt.datetime) -> bytes:
    """The feed of ``kind`` ("rss", "atom", "json" or "rdf") with ``items``, dated from ``now``."""
    if kind == "json":
        return _json_feed(title, items, base, feed_url, now)
    root = {"rss": _rss, "atom": _atom, "rdf": _rdf}[kind](title, items, base, feed_url, now,
                                                           updated)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _link(base: str, link: str | None) -> str | None:
    return link if link is None or "://" in link else base + link


def _when(now: dt.datetime, item: Item) -> dt.datetime | None:
    return None if item.age is None else now - item.age


def _add(parent: etree._Element, tag: str, text: str | None = None,
         **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attributes)
    element.text = text
    return element


def _rss(title: str, items: Sequence[Item], base: str, feed_url: str, now: dt.datetime,
         updated: dt.datetime) -> etree._Element:
    root = etree.Element("rss", version="2.0", nsmap={"content": CONTENT, "dc": DC, "atom": ATOM})
    channel = _add(root, "channel")
    _add(channel, "title", title)
    _add(channel, "link", base + "/")
    _add(channel, "description", f"The latest from {title}")
    _add(channel, "language", "en")
    _add(channel, "lastBuildDate", format_datetime(updated, usegmt=True))
    _add(channel, f"{{{ATOM}}}link", href=feed_url, rel="self", type="application/rss+xml")
    for item in items:
        entry = _add(channel, "item")
        _add(entry, "title", item.title)
        if item.link:
            _add(entry, "link", _link(base, item.link))
        _add(entry, "guid", item.id, isPermaLink="false")
        if (when := _when(now, item)) is not None:
            _add(entry, "pubDate", format_datetime(when, usegmt=True))
        _add(entry, f"{{{DC}}}creator", DESK)
        if item.summary:
            _add(entry, "description", item.summary)
        if item.content:
            _add(entry, f"{{{CONTENT}}}encoded").text = etree.CDATA(item.content)
    return root


def _atom(title: str, items: Sequence[Item], base: str, feed_url: str, now: dt.datetime,
          updated: dt.datetime) -> etree._Element:
    root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    _add(root, f"{{{ATOM}}}id", feed_url)
    _add(root, f"{{{ATOM}}}title", title)
    _add(root, f"{{{ATOM}}}updated", updated.isoformat())
    _add(root, f"{{{ATOM}}}link", href=feed_url, rel="self")
    _add(root, f"{{{ATOM}}}link", href=base + "/", rel="alternate")
    _add(_add(root, f"{{{ATOM}}}author"), f"{{{ATOM}}}name", DESK)
    for item in items:
        entry = _add(root, f"{{{ATOM}}}entry")
        _add(entry, f"{{{ATOM}}}id", item.id)
        _add(entry, f"{{{ATOM}}}title", item.title)
        if item.link:
            _add(entry, f"{{{ATOM}}}link", href=_link(base, item.link), rel="alternate")
        if (when := _when(now, item)) is not None:
            _add(entry, f"{{{ATOM}}}published", when.isoformat())
            _add(entry, f"{{{ATOM}}}updated", when.isoformat())
        if item.summary:
            _add(entry, f"{{{ATOM}}}summary", item.summary, type="html")
        if item.content:
            _add(entry, f"{{{ATOM}}}content", item.content, type="html")
    return root


def _rdf(title: str, items: Sequence[Item], base: str, feed_url: str, now: dt.datetime,
         updated: dt.datetime) -> etree._Element:
    root = etree.Element(f"{{{RDF}}}RDF", nsmap={"rdf": RDF, None: RSS1, "dc": DC,
                                                  "content": CONTENT})
    channel = _add(root, f"{{{RSS1}}}channel", **{f"{{{RDF}}}about": feed_url})
    _add(channel, f"{{{RSS1}}}title", title)
    _add(channel, f"{{{RSS1}}}link", base + "/")
    _add(channel, f"{{{RSS1}}}description", f"The latest from {title}")
    _add(channel, f"{{{DC}}}date", updated.isoformat())
    sequence = _add(_add(channel, f"{{{RSS1}}}items"), f"{{{RDF}}}Seq")
    for item in items:
        link = _link(base, item.link) or f"{feed_url}#{item.id}"
        _add(sequence, f"{{{RDF}}}li", **{f"{{{RDF}}}resource": link})
        entry = _add(root, f"{{{RSS1}}}item", **{f"{{{RDF}}}about": link})
        _add(entry, f"{{{RSS1}}}title", item.title)
        if item.link:
            _add(entry, f"{{{RSS1}}}link", link)
        if item.summary:
            _add(entry, f"{{{RSS1}}}description", item.summary)
        if (when := _when(now, item)) is not None:
            _add(entry, f"{{{DC}}}date", when.isoformat())
        _add(entry, f"{{{DC}}}creator", DESK)
        if item.content:
            _add(entry, f"{{{CONTENT}}}encoded").text = etree.CDATA(item.content)
    return root


def _json_feed(title: str, items: Sequence[Item], base: str, feed_url: str,
               now: dt.datetime) -> bytes:
    entries = []
    for item in items:
        entry: dict[str, object] = {"id": item.id, "title": item.title}
        if item.link:
            entry["url"] = _link(base, item.link)
        if item.content:
            entry["content_html"] = item.content
        if item.summary:
            entry["summary"] = item.summary
        if (when := _when(now, item)) is not None:
            entry["date_published"] = when.isoformat()
        entry["authors"] = [{"name": DESK}]
        entries.append(entry)
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": title,
            "home_page_url": base + "/", "feed_url": feed_url, "language": "en",
            "items": entries}
    return json.dumps(feed, ensure_ascii=False, indent=1).encode()
