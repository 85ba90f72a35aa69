"""Render the site's two catalog-wide files, ``feed.xml`` and ``index.html``, as text.

In: the catalog's episodes (newest first) and its ``SiteSettings``; optionally a ``base_url`` that
replaces the show's (what ``bulletin serve`` does when the site was built for this machine only).
Out: ``SiteFiles`` with the feed XML and the index page HTML. The show's podcast:guid never
follows a replaced base URL: a podcast keeps its identity wherever it is served from.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import segno
from markupsafe import Markup

from ..feed import FEED_FILE, EpisodeFiles, SiteSettings, render_feed
from ..feed.rss import feed_url, podcast_guid
from ..feed.text import clean_text, clock, one_line, web_address
from ..models import Chapter, Episode
from ..templating import render


@dataclass(frozen=True)
class SiteFiles:
    feed: str
    index: str


def show_guid(settings: SiteSettings) -> str:
    """The recorded podcast:guid, or the one derived from the show's own feed URL."""
    return settings.podcast_guid or podcast_guid(feed_url(settings.show))


def qr_svg(url: str) -> Markup:
    """An inline SVG QR code of ``url``, scaled by CSS."""
    code = segno.make(url, error="m")
    return Markup(code.svg_inline(scale=4, border=2, omitsize=True, title="QR code of the feed URL",
                                  svgclass="qr", lineclass=None, dark="#000", light="#fff"))


def _chapter(chapter: Chapter) -> dict[str, object]:
    """A chapter as the page lists it: where it starts and, for a story, a link to it named by
    its site's host."""
    url = web_address(chapter.url)
    host = (urlsplit(url).hostname or "").removeprefix("www.") if url else ""
    return {"start": round(chapter.start, 3), "clock": clock(chapter.start),
            "title": one_line(chapter.title), "url": url, "host": host}


def render_index(episodes: Sequence[Episode], settings: SiteSettings) -> str:
    """The listening page: the show, the feed URL with its QR code, every episode with a player
    and its chapters, each story's linked to the story at its source."""
    show = settings.show
    url = feed_url(show)
    image = settings.image
    items = []
    for e in episodes:
        files = EpisodeFiles.of(e.audio_file)
        items.append({
            "anchor": f"episode-{e.number}",
            "number": e.number,
            "title": one_line(e.title),
            "date": f"{e.pub_date.day} {e.pub_date:%B %Y}",
            "iso_date": e.pub_date.isoformat(),
            "duration": clock(e.duration),
            "audio": files.audio,
            "vtt": files.vtt,
            "srt": files.srt,
            "chapters_file": files.chapters,
            "chapters": [_chapter(c) for c in e.chapters],
            "description": clean_text(e.description),
        })
    return render(
        "index.html.j2",
        title=one_line(show.title),
        description=clean_text(show.description),
        author=one_line(show.author),
        language=one_line(show.language).split("-")[0] or "en",
        image=image,
        feed_url=url,
        feed_file=FEED_FILE,
        qr=qr_svg(url),
        episodes=items,
    )


def render_site(episodes: Sequence[Episode], settings: SiteSettings,
                base_url: str | None = None) -> SiteFiles:
    """``feed.xml`` and ``index.html`` for ``episodes``, at ``base_url`` if given."""
    guid = show_guid(settings)
    if base_url:
        settings = dataclasses.replace(
            settings, show=dataclasses.replace(settings.show, base_url=base_url))
    return SiteFiles(
        feed=render_feed(episodes, settings.show, settings.image, guid, hub=settings.hub),
        index=render_index(episodes, settings),
    )


__all__ = ["SiteFiles", "qr_svg", "render_index", "render_site", "show_guid"]
