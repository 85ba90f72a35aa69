"""Render the podcast RSS feed from the catalog's episodes.

In: episodes (newest first) and the ``ShowConfig``. Out: the feed XML as text, with every URL made
absolute from ``base_url`` so the site works unchanged on any static host.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from email.utils import format_datetime
from urllib.parse import urljoin, urlsplit

from ..config import ShowConfig
from ..models import Episode
from ..templating import environment

FEED_FILE = "feed.xml"
PODCAST_NAMESPACE_UUID = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def xml_text(value: object) -> str:
    """Text with the characters XML 1.0 cannot carry removed (escaping is the template's job)."""
    return _NOT_XML.sub("", str(value))


def rfc2822(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return format_datetime(moment)


def hms(seconds: float) -> str:
    total = int(round(seconds))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def absolute(show: ShowConfig, path: str) -> str:
    base = show.base_url if show.base_url.endswith("/") else show.base_url + "/"
    return urljoin(base, path)


def podcast_guid(feed_url: str) -> str:
    """podcast:guid: UUIDv5 of the feed URL without its scheme and trailing slashes."""
    parts = urlsplit(feed_url)
    bare = (parts.netloc + parts.path).rstrip("/")
    if parts.query:
        bare += "?" + parts.query
    return str(uuid.uuid5(PODCAST_NAMESPACE_UUID, bare))


def render_feed(episodes: Sequence[Episode], show: ShowConfig, image: str,
                now: dt.datetime | None = None) -> str:
    """The RSS 2.0 document. ``image`` is the cover art's path in the site (or a URL)."""
    env = environment()
    env.filters.setdefault("xml_text", xml_text)
    feed_url = absolute(show, FEED_FILE)
    latest = max((e.pub_date for e in episodes), default=now or dt.datetime.now(dt.UTC))
    return env.get_template("feed.xml.j2").render(
        show=show,
        feed_url=feed_url,
        link=absolute(show, ""),
        image_url=image if "://" in image else absolute(show, image),
        podcast_guid=podcast_guid(feed_url),
        last_build=rfc2822(latest),
        items=[{
            "episode": e,
            "url": absolute(show, e.audio_file),
            "pub_date": rfc2822(e.pub_date),
            "duration": hms(e.duration),
        } for e in episodes],
    )
