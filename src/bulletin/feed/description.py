"""The episode description: what a podcast app shows under an episode's title.

``describe(script, mix)`` → the lead paragraph and every story with its start time in the mix,
the name of its source and a link to each of its sources (``description.txt.j2``), within the 4000
bytes podcast apps keep, as plain text and as the HTML the feed also carries.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..models import Mix, Script, Story
from ..templating import render
from .rss import DESCRIPTION_LIMIT, description_html
from .text import clean_text, clock, one_line, web_address


def _fits(text: str) -> bool:
    return (len(text.encode("utf-8")) <= DESCRIPTION_LIMIT
            and len(description_html(text).encode("utf-8")) <= DESCRIPTION_LIMIT)


def _shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` UTF-8 bytes, with an ellipsis."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    cut = data[:max(0, limit - 3)].decode("utf-8", "ignore")
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip() + "..."


def _credit(story: Story) -> dict[str, object]:
    """Who a story is from: its source's name ("" when unknown) and its web links, own first."""
    links = [link for link in dict.fromkeys((story.url, *story.sources)) if web_address(link)]
    return {"source": one_line(story.site or ""), "links": links}


def describe(script: Script, the_mix: Mix) -> str:
    """The episode description: the lead paragraph and the stories with their start times.

    It stays within 4000 bytes (as plain text and as the HTML the feed also carries); the lead is
    shortened first so the list of stories survives, then the list itself if it alone is too long.
    """
    bodies = [s for s in script.stories[0].segments if s.kind == "body"] if script.stories else []
    summary = one_line(bodies[0].text if bodies else script.title)
    credits = {story.title: _credit(story) for story in script.stories}
    chapters = [{"time": clock(c.start), "title": one_line(c.title),
                 **credits.get(c.title, {"source": "", "links": []})} for c in the_mix.chapters]

    def text_with(lead: str, listed: Sequence[dict[str, str]]) -> str:
        return clean_text(render("description.txt.j2", "", summary=lead, chapters=listed,
                                 stories=script.stories)).strip()

    text = text_with(summary, chapters)
    limit = len(summary.encode("utf-8"))
    while not _fits(text) and limit > 0:
        limit = max(0, limit - max(40, (len(text.encode("utf-8")) - DESCRIPTION_LIMIT)))
        text = text_with(_shorten(summary, limit) if limit else "", chapters)
    while not _fits(text) and chapters:
        chapters = chapters[:-1]
        text = text_with("", chapters)
    return text if _fits(text) else _shorten(text, DESCRIPTION_LIMIT // 2)
