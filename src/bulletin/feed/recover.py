"""Read back what a published site lists: ``feed.xml``'s items and the files beside them.

``listed_files(site)`` → the site paths the feed names (enclosures, transcripts, chapters), an
empty set when there is no feed, None when the feed cannot be read. ``recover(site)`` →
``Recovered``: the ``Episode`` of each feed item (guid, title, description, date, audio file,
duration, number) with its chapters and cues read back from its chapters file and WebVTT (or SRT)
transcript, and the show's podcast:guid; what rebuilds a lost catalog. Items whose audio is not in
the site are left out, each with a line saying why.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import InputError
from ..models import Chapter, Cue, Episode
from .files import EPISODES_DIR, EpisodeFiles
from .rss import FEED_FILE, is_local
from .text import web_address

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "atom": "http://www.w3.org/2005/Atom",
    "podcast": "https://podcastindex.org/namespace/1.0",
}
FEED_LIMIT = 64 * 1024 * 1024  # bytes of feed.xml read back at most
_TIMING = re.compile(r"^(\d+):(\d\d):(\d\d)[.,](\d{3})\s+-->\s+(\d+):(\d\d):(\d\d)[.,](\d{3})")


@dataclass(frozen=True)
class Recovered:
    """What a site's feed and files say about its episodes."""

    episodes: tuple[Episode, ...]
    podcast_guid: str  # "" when the feed has none or names this machine only
    skipped: tuple[str, ...]  # one line per item left out, saying why


def _feed_root(site: Path):  # -> lxml.etree._Element | None
    """The parsed feed, None when there is none; ValueError when it cannot be read as XML."""
    from lxml import etree

    path = site / FEED_FILE
    try:
        with path.open("rb") as handle:
            data = handle.read(FEED_LIMIT + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ValueError(f"cannot read it ({exc.strerror})") from None
    if len(data) > FEED_LIMIT:
        raise ValueError(f"it is over {FEED_LIMIT} bytes")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not well-formed XML ({exc})") from None
    if root.tag != "rss" or root.find("channel") is None:
        raise ValueError("not an RSS feed")
    return root


def _base(channel) -> str:
    link = channel.find("atom:link[@rel='self']", NS)
    href = link.get("href", "") if link is not None else ""
    return href[:-len(FEED_FILE)] if href.endswith("/" + FEED_FILE) else ""


def _site_path(url: str, base: str) -> str | None:
    """The site-relative path a feed URL names, or None for a URL elsewhere."""
    if base and url.startswith(base):
        relative = url[len(base):]
    elif f"/{EPISODES_DIR}/" in url:
        relative = EPISODES_DIR + "/" + url.split(f"/{EPISODES_DIR}/", 1)[1]
    else:
        return None
    return unquote(urlsplit(relative).path) or None


def listed_files(site: Path) -> set[str] | None:
    """Every site file the feed names; empty without a feed, None when the feed is unreadable."""
    try:
        root = _feed_root(site)
    except ValueError:
        return None
    if root is None:
        return set()
    channel = root.find("channel")
    base = _base(channel)
    urls = [node.get("url", "") for node in (
        *channel.iterfind("item/enclosure"), *channel.iterfind("item/podcast:transcript", NS),
        *channel.iterfind("item/podcast:chapters", NS))]
    return {path for path in (_site_path(url, base) for url in urls) if path}


def _text(node, path: str) -> str:
    found = node.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


def _plain(html: str) -> str:
    """An item's HTML description back as the plain text it was made from."""
    import lxml.html

    if not html.strip():
        return ""
    paragraphs = []
    for node in lxml.html.fragments_fromstring(html):
        if isinstance(node, str):
            paragraphs.append(node.strip())
            continue
        for br in node.iter("br"):
            br.tail = "\n" + (br.tail or "")
        paragraphs.append(node.text_content().strip())
    return "\n\n".join(p for p in paragraphs if p)


def _seconds(value: str) -> float | None:
    try:
        parts = [float(p) for p in value.split(":")]
    except ValueError:
        return None
    total = 0.0
    for part in parts:
        total = total * 60 + part
    return total if 1 <= len(parts) <= 3 else None


def _chapters(path: Path) -> tuple[Chapter, ...]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        rows = document["chapters"]
        return tuple(Chapter(str(c.get("title", "")), float(c["startTime"]),
                             float(c.get("endTime", c["startTime"])), web_address(c.get("url")))
                     for c in rows)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return ()


def _cues(path: Path) -> tuple[Cue, ...]:
    """Cues from a WebVTT or SRT file made by bulletin (one line of text each)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError):
        return ()
    vtt = path.suffix == ".vtt"
    cues = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = block.strip().split("\n")
        timed = [n for n, line in enumerate(lines) if _TIMING.match(line)]
        if not timed:
            continue
        g = [int(x) for x in _TIMING.match(lines[timed[0]]).groups()]
        start = g[0] * 3600 + g[1] * 60 + g[2] + g[3] / 1000
        end = g[4] * 3600 + g[5] * 60 + g[6] + g[7] / 1000
        said = " ".join(lines[timed[0] + 1:]).strip()
        if vtt:
            said = said.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        cues.append(Cue(said, start, end))
    return tuple(cues)


def _episode(site: Path, item, base: str) -> Episode | str:
    """The episode an item describes, or why it cannot be recovered."""
    guid, title = _text(item, "guid"), _text(item, "title")
    enclosure = item.find("enclosure")
    audio = _site_path(enclosure.get("url", ""), base) if enclosure is not None else None
    if not guid or not audio:
        return "no guid or no enclosure in this site"
    path = (site / audio).resolve()
    if not path.is_relative_to(site.resolve()) or not path.is_file():
        return f"its audio {audio} is not in the site"
    try:
        when = parsedate_to_datetime(_text(item, "pubDate"))
    except (TypeError, ValueError):
        return f"its pubDate {_text(item, 'pubDate')!r} is not a date"
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    files = EpisodeFiles.of(audio)
    chapters = _chapters(site / files.chapters)
    cues = _cues(site / files.vtt) or _cues(site / files.srt)
    duration = _seconds(_text(item, "itunes:duration")) or 0.0
    if chapters and abs(chapters[-1].end - duration) <= 1.0:
        duration = chapters[-1].end  # the same length, more precisely
    number = _text(item, "itunes:episode")
    return Episode(guid=guid, title=title, description=_plain(_text(item, "description")),
                   pub_date=when, audio_file=audio, length=path.stat().st_size,
                   duration=duration, chapters=chapters, cues=cues,
                   number=int(number) if number.isdigit() else 0)


def recover(site: Path) -> Recovered:
    """The episodes the site's feed lists (see the module's description); an ``InputError`` when
    there is no feed to read them from."""
    try:
        root = _feed_root(site)
    except ValueError as exc:
        raise InputError(f"{site / FEED_FILE}: cannot rebuild the catalog from it: {exc}") from None
    if root is None:
        raise InputError(f"{site}: cannot rebuild the catalog: {FEED_FILE} is missing")
    channel = root.find("channel")
    base = _base(channel)
    episodes: list[Episode] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for index, item in enumerate(channel.iterfind("item"), 1):
        found = _episode(site, item, base)
        if isinstance(found, str) or found.guid in seen:
            why = found if isinstance(found, str) else "its guid repeats an earlier item's"
            skipped.append(f"item {index} ({_text(item, 'title') or 'untitled'}): {why}")
            continue
        seen.add(found.guid)
        episodes.append(found)
    highest = max((e.number for e in episodes), default=0)
    numbered = []
    for episode in reversed(episodes):  # oldest first: unnumbered items get the next numbers
        if not episode.number or episode.number in {e.number for e in numbered}:
            highest += 1
            episode = dataclasses.replace(episode, number=highest)
        numbered.append(episode)
    public = bool(base) and not is_local(base)  # a local feed's guid names no podcast
    return Recovered(episodes=tuple(reversed(numbered)),
                     podcast_guid=_text(channel, "podcast:guid") if public else "",
                     skipped=tuple(skipped))
