"""Plan the spoken bulletin: intro, rundown, each story's headline and paragraphs, sign-off.

In: cleaned ``Article``s, the show's config and the bulletin's date. Out: ``Script`` (each story
with its source's name and links; the intro told those names, to credit them), within the
caps of ``limits`` and ``bulletin.limits``: a long headline is shortened at a word boundary, a
paragraph too long for one segment is split at sentence ends, and anything else too big raises
``InputError``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import replace

from ..config import Config
from ..errors import InputError
from ..limits import check_count, check_speech, names, size
from ..models import Article, Script, Segment, Story
from ..templating import render
from .limits import MAX_SEGMENT_CHARS, MAX_SEGMENTS, MAX_TITLE_CHARS, sentences, shorten_title

log = logging.getLogger(__name__)

PAUSE_AFTER = {
    "intro": 0.6,
    "rundown": 0.8,
    "headline": 0.7,
    "body": 0.45,
    "transition": 0.6,
    "outro": 0.3,
}
PAUSE_BETWEEN_SENTENCES = 0.3  # a paragraph read a sentence at a time (``by_sentence``)


def _segment(kind: str, number: int, text: str, spoken: str | None = None,
             pause: float | None = None) -> Segment:
    return Segment(
        id=f"{number:03d}-{kind}",
        kind=kind,
        text=text,
        spoken=spoken if spoken is not None else text,
        pause_after=PAUSE_AFTER[kind] if pause is None else pause,
    )


def guid_key(articles: list[Article]) -> str:
    """Identity of the bulletin across rebuilds: the articles' URLs, else dates and headlines."""
    parts = [a.url or f"{a.date.isoformat() if a.date else ''}|{a.title}" for a in articles]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def credited(articles: list[Article]) -> list[str]:
    """The names the articles' sources go by (their sites', or their feeds' titles), each once, in
    bulletin order: what the intro can credit ("with reports from ...")."""
    names: dict[str, str] = {}
    for article in articles:
        name = " ".join((article.site or "").split())
        if name:
            names.setdefault(name.casefold(), name)
    return list(names.values())


def _fit_title(article: Article) -> Article:
    """``article`` with its headline shortened to the title cap (and a warning) when over it."""
    title = shorten_title(article.title)
    if title == article.title:
        return article
    log.warning("%s: headline shortened to %d characters (it was %s)", article.source,
                MAX_TITLE_CHARS, f"{len(article.title):,}")
    return replace(article, title=title)


def _check_size(articles: list[Article]) -> None:
    """Refuse, before anything is spoken, articles too many or too long for one bulletin."""
    sources = [a.source for a in articles]
    check_count(sources)
    # Headlines and paragraphs, a transition before each story but the first, intro and outro,
    # and the rundown of several stories: the fewest segments these articles make.
    count = sum(len(a.paragraphs) + 2 for a in articles) - 1 + 2 + (len(articles) > 1)
    if count > MAX_SEGMENTS:
        raise InputError(f"{names(sources)}: too many paragraphs for one bulletin: "
                         f"{size(count, MAX_SEGMENTS, 'segments')}")
    chars = sum(len(a.title) + sum(len(p) for p in a.paragraphs) for a in articles)
    check_speech(chars, f"{names(sources)}: too long for one bulletin: text of")


def _pieces(text: str, speak: Callable[[str], str], where: str,
            clauses: bool = False) -> list[tuple[str, str]]:
    """``text`` and its spoken form, in as few pieces as fit the segment cap: split after sentences
    (and after "; " when ``clauses``); a sentence too long on its own raises ``InputError``."""
    if len(text) <= MAX_SEGMENT_CHARS:
        spoken = speak(text)
        if len(spoken) <= MAX_SEGMENT_CHARS:
            return [(text, spoken)]
    pieces: list[tuple[str, str]] = []
    for sentence in sentences(text, clauses=clauses):
        if len(sentence) > MAX_SEGMENT_CHARS:
            raise InputError(f"{where} has a sentence of {size(len(sentence), MAX_SEGMENT_CHARS)}"
                             f" ('{sentence[:30]}…'), too long for one segment: split it")
        spoken = speak(sentence)
        if len(spoken) > MAX_SEGMENT_CHARS:
            raise InputError(f"{where} has a sentence spoken as "
                             f"{size(len(spoken), MAX_SEGMENT_CHARS)} ('{sentence[:30]}…'), "
                             "too long for one segment: split it")
        last = pieces[-1] if pieces else None
        if last and max(len(last[0]) + len(sentence), len(last[1]) + len(spoken)) \
                < MAX_SEGMENT_CHARS:
            pieces[-1] = (f"{last[0]} {sentence}", f"{last[1]} {spoken}")
        else:
            pieces.append((sentence, spoken))
    return pieces


def plan_script(articles: list[Article], config: Config, date: dt.date,
                speak: Callable[[str], str] = lambda text: text,
                by_sentence: Callable[[str], list[str]] | None = None,
                time: str | None = None) -> Script:
    """Turn articles into a Script. ``speak`` rewrites text into what the voice should say.
    With ``by_sentence`` (a sentence splitter), each sentence of a paragraph is a segment of its
    own, so that a bulletin written to time re-speaks only the sentences it adds. ``time`` (of
    day, as written) is what the intro says of an edition's hour."""
    templates = config.script.templates
    show = config.show.title
    articles = [_fit_title(a) for a in articles]
    _check_size(articles)
    segments: list[Segment] = []

    def add(kind: str, text: str, where: str, clauses: bool = False,
            pause: float | None = None) -> list[Segment]:
        added = [_segment(kind, len(segments) + n, piece, spoken, pause)
                 for n, (piece, spoken) in enumerate(_pieces(text, speak, where, clauses), 1)]
        segments.extend(added)
        return added

    add("intro", render("intro.txt.j2", templates, show=show, date=date, time=time,
                        sources=credited(articles)).strip(), "intro.txt.j2")
    if len(articles) > 1:
        titles = [a.title for a in articles]
        add("rundown", render("rundown.txt.j2", templates, titles=titles).strip(),
            "rundown.txt.j2", clauses=True)

    stories: list[Story] = []
    for index, article in enumerate(articles):
        story_segments: list[Segment] = []
        if index > 0:
            story_segments += add("transition", render("transition.txt.j2", templates,
                                                       title=article.title).strip(),
                                  "transition.txt.j2")
        story_segments += add("headline", article.title, f"{article.source}: headline")
        for number, paragraph in enumerate(article.paragraphs, 1):
            where = f"{article.source}: paragraph {number}"
            if by_sentence is None:
                story_segments += add("body", paragraph, where)
                continue
            parts = by_sentence(paragraph)
            for count, sentence in enumerate(parts, 1):
                pause = PAUSE_AFTER["body"] if count == len(parts) else PAUSE_BETWEEN_SENTENCES
                story_segments += add("body", sentence, where, pause=pause)
        links = tuple(dict.fromkeys(link for link in (article.url, *article.also) if link))
        stories.append(Story(title=article.title, source=article.site or article.source,
                             segments=tuple(story_segments), url=article.url, sources=links,
                             site=article.site))
    add("outro", render("outro.txt.j2", templates, show=show, date=date).strip(), "outro.txt.j2")

    sources = [a.source for a in articles]
    spoken = sum(len(seg.spoken) for seg in segments)
    check_speech(spoken, f"{names(sources)}: too long for one bulletin: spoken text of")
    if len(segments) > MAX_SEGMENTS:
        raise InputError(f"{names(sources)}: too many segments for one bulletin: "
                         f"{size(len(segments), MAX_SEGMENTS, 'segments')}")
    title = articles[0].title if len(articles) == 1 else f"{show}: {articles[0].title} and more"
    return Script(title=shorten_title(title), date=date, stories=tuple(stories),
                  segments=tuple(segments), guid_key=guid_key(articles))
