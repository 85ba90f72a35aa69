"""Render the podcast RSS feed from the catalog's episodes.

In: episodes (newest first), the ``ShowConfig``, the cover art's site path or URL and the show's
podcast:guid. Out: the feed XML as text, with every URL made absolute from ``base_url`` so the site
works unchanged on any static host, and a description never empty: the channel's and every item's.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import uuid
from collections.abc import Sequence
from email.utils import format_datetime
from urllib.parse import urljoin, urlsplit

from ..config import ShowConfig
from ..models import Episode
from ..templating import render
from .chapters import MIME_TYPE as CHAPTERS_TYPE
from .files import EpisodeFiles
from .text import clean_text, one_line

FEED_FILE = "feed.xml"
DESCRIPTION_LIMIT = 4000  # bytes of an episode description: what Apple Podcasts shows
INDEX_FILE = "index.html"
# What the channel says of itself when the show's description is blank (apps show it as is); an
# episode without a description is described by its title.
NO_DESCRIPTION = "news bulletins read aloud."
# The namespace UUID the podcast namespace's <podcast:guid> is derived under.
PODCAST_NAMESPACE_UUID = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


def rfc2822(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return format_datetime(moment)


def hms(seconds: float) -> str:
    """itunes:duration in its standard HH:MM:SS form, of the whole seconds ``text.duration_text``
    writes everywhere else."""
    total = int(round(seconds))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def absolute(show: ShowConfig, path: str) -> str:
    base = show.base_url if show.base_url.endswith("/") else show.base_url + "/"
    return urljoin(base, path)


def feed_url(show: ShowConfig) -> str:
    return absolute(show, FEED_FILE)


def is_local(url: str) -> bool:
    """Whether ``url`` names this machine only (localhost, loopback or unspecified address)."""
    host = (urlsplit(url).hostname or "").lower()
    if host in ("", "localhost") or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def podcast_guid(url: str) -> str:
    """podcast:guid: UUIDv5 of the feed URL without its scheme and trailing slashes."""
    parts = urlsplit(url)
    bare = (parts.netloc + parts.path).rstrip("/")
    if parts.query:
        bare += "?" + parts.query
    return str(uuid.uuid5(PODCAST_NAMESPACE_UUID, bare))


_HTML_ESCAPES = str.maketrans({"&": "&#38;", "<": "&#60;", ">": "&#62;", '"': "&#34;",
                                "'": "&#39;"})


def description_html(text: str) -> str:
    """The plain description as HTML: blank lines make paragraphs, line breaks stay.

    Web addresses become links. Podcast apps render an item's description as HTML, so the text is
    escaped; with numeric
    character references, since some apps' tag strippers (gPodder's among them) lose text between
    adjacent named entities such as ``&amp; &lt;``.
    """
    paragraphs = [p for p in clean_text(text).split("\n\n") if p.strip()]
    return "".join(
        "<p>" + "<br/>".join(_linked(line.translate(_HTML_ESCAPES))
                             for line in p.strip().split("\n")) + "</p>" for p in paragraphs)


# A web address in escaped text: up to a space, an escaped quote or bracket, or the end, less the
# full stop, comma or bracket that closes the sentence around it.
_LINK = re.compile(r"https?://(?:(?!&#(?:34|39|60|62);)\S)+?(?=[.,)]*(?:\s|$|&#(?:34|39|60|62);))")


def _linked(escaped: str) -> str:
    """An escaped line with each web address in it made a link to itself."""
    return _LINK.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)


def render_feed(episodes: Sequence[Episode], show: ShowConfig, image: str, guid: str,
                now: dt.datetime | None = None, hub: str = "") -> str:
    """The RSS 2.0 document. ``image`` is the cover art's path in the site (or a URL); ``guid``
    is the show's podcast:guid; ``hub``, when given, the WebSub hub subscribers may use."""
    url = feed_url(show)
    latest = max((e.pub_date for e in episodes), default=now or dt.datetime.now(dt.UTC))
    items = []
    for e in episodes:
        files = EpisodeFiles.of(e.audio_file)
        items.append({
            "episode": e,
            "title": one_line(e.title),
            "url": absolute(show, files.audio),
            "vtt": absolute(show, files.vtt),
            "srt": absolute(show, files.srt),
            "chapters": absolute(show, files.chapters),
            "link": absolute(show, f"{INDEX_FILE}#episode-{e.number}"),
            "pub_date": rfc2822(e.pub_date),
            "duration": hms(e.duration),
            "html": description_html(e.description if e.description.strip() else e.title),
        })
    # Text goes in clean (escaping is the template's job), as for the index page.
    channel = {name: one_line(getattr(show, name)) for name in (
        "title", "language", "copyright", "email", "author", "category")}
    described = clean_text(show.description).strip() or f"{channel['title']}: {NO_DESCRIPTION}"
    return render(
        "feed.xml.j2",
        show={**channel, "description": described, "explicit": show.explicit},
        feed_url=url,
        hub=hub,
        link=absolute(show, ""),
        image_url=image if "://" in image else absolute(show, image),
        podcast_guid=guid,
        last_build=rfc2822(latest),
        chapters_type=CHAPTERS_TYPE,
        items=items,
    )
