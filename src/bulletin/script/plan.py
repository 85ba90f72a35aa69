"""Plan the spoken bulletin: intro, rundown, each story's headline and paragraphs, sign-off.

In: cleaned ``Article``s, the show's config and the bulletin's date. Out: ``Script``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from ..config import Config
from ..models import Article, Script, Segment, Story
from ..templating import render

PAUSE_AFTER = {
    "intro": 0.6,
    "rundown": 0.8,
    "headline": 0.7,
    "body": 0.45,
    "transition": 0.6,
    "outro": 0.3,
}


def _segment(kind: str, number: int, text: str, spoken: str | None = None) -> Segment:
    return Segment(
        id=f"{number:03d}-{kind}",
        kind=kind,
        text=text,
        spoken=spoken if spoken is not None else text,
        pause_after=PAUSE_AFTER[kind],
    )


def guid_key(articles: list[Article]) -> str:
    """Identity of the bulletin across rebuilds: the articles' URLs, else dates and headlines."""
    parts = [a.url or f"{a.date.isoformat() if a.date else ''}|{a.title}" for a in articles]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def plan_script(articles: list[Article], config: Config, date: dt.date,
                speak: Callable[[str], str] = lambda text: text) -> Script:
    """Turn articles into a Script. ``speak`` rewrites text into what the voice should say."""
    templates = config.script.templates
    show = config.show.title
    segments: list[Segment] = []

    def add(kind: str, text: str) -> Segment:
        seg = _segment(kind, len(segments) + 1, text, speak(text))
        segments.append(seg)
        return seg

    add("intro", render("intro.txt.j2", templates, show=show, date=date).strip())
    if len(articles) > 1:
        titles = [a.title for a in articles]
        add("rundown", render("rundown.txt.j2", templates, titles=titles).strip())

    stories: list[Story] = []
    for index, article in enumerate(articles):
        story_segments: list[Segment] = []
        if index > 0:
            story_segments.append(add("transition", render("transition.txt.j2", templates,
                                                           title=article.title).strip()))
        story_segments.append(add("headline", article.title))
        story_segments.extend(add("body", p) for p in article.paragraphs)
        stories.append(Story(title=article.title, source=article.site or article.source,
                             segments=tuple(story_segments), url=article.url))
    add("outro", render("outro.txt.j2", templates, show=show, date=date).strip())

    title = articles[0].title if len(articles) == 1 else f"{show}: {articles[0].title} and more"
    return Script(title=title, date=date, stories=tuple(stories), segments=tuple(segments),
                  guid_key=guid_key(articles))
