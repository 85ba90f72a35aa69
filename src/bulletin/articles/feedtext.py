"""A story as its feed tells it: an item's own text, read into a cleaned ``Article``.

In: a ``FeedItem``. Out: an ``Article`` titled with the item's title, made of the paragraphs of
its content (content:encoded, Atom content, content_html), else of its summary, cleaned as any
article is. The text is an HTML fragment or plain text: block elements (p, div, li, headings,
quotes...) and blank lines part paragraphs, ``<br>`` parts lines, and what is never read
(scripts, styles, figure captions, embedded media) is left out. An item with no text, or none
left once cleaned, raises ``InputError`` naming the item's link (else its feed) and why.
"""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

from ..errors import InputError
from ..models import Article, FeedItem
from .clean import clean_article

BLOCKS = {"address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figure",
          "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
          "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul"}
SKIPPED = {"audio", "button", "canvas", "embed", "figcaption", "form", "iframe", "math",
           "noscript", "object", "picture", "script", "select", "style", "svg", "template",
           "textarea", "video"}


def feed_article(item: FeedItem) -> Article:
    """The story in ``item``'s own text (its content, else its summary), cleaned."""
    source = item.link or item.feed
    problem = InputError(f"{source}: no story text in the feed")
    for text in (item.content, item.summary):
        paragraphs = paragraphs_of(text)
        if not paragraphs:
            continue
        article = Article(title=item.title, paragraphs=tuple(paragraphs), source=source,
                          url=item.link, site=item.feed_title,
                          date=item.published.date() if item.published else None)
        try:
            return clean_article(article)
        except InputError as exc:
            problem = exc
    raise problem


def paragraphs_of(fragment: str) -> list[str]:
    """The paragraphs of an HTML fragment or of plain text, each keeping its inner line breaks."""
    if not fragment.strip():
        return []
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return []
    if len(root) == 0:  # plain text (entities read): blank lines part its paragraphs
        blocks = re.split(r"\n\s*\n", root.text or "")
        return [paragraph for paragraph in map(_lines, blocks) if paragraph]
    paragraphs: list[str] = []
    parts = [_spaced(root.text)]
    _walk(root, parts, paragraphs)
    _flush(parts, paragraphs)
    return paragraphs


def _walk(element: lxml.html.HtmlElement, parts: list[str], paragraphs: list[str]) -> None:
    """Add the text inside ``element`` to ``parts``, flushing a paragraph at each block's edges.
    (lxml nests no deeper than 255 elements, so neither does this.)"""
    for child in element:
        tag = child.tag.lower() if isinstance(child.tag, str) else None  # None: a comment
        if tag is not None and tag not in SKIPPED:
            block = tag in BLOCKS
            if block:
                _flush(parts, paragraphs)
            if tag == "br":
                parts.append("\n")
            parts.append(_spaced(child.text))
            _walk(child, parts, paragraphs)
            if block:
                _flush(parts, paragraphs)
        parts.append(_spaced(child.tail))


def _spaced(text: str | None) -> str:
    """HTML text with each run of white space (line breaks in the source too) one space."""
    return re.sub(r"\s+", " ", text) if text else ""


def _flush(parts: list[str], paragraphs: list[str]) -> None:
    paragraph = _lines("".join(parts))
    parts.clear()
    if paragraph:
        paragraphs.append(paragraph)


def _lines(text: str) -> str:
    """``text`` with each line stripped and empty lines gone."""
    return "\n".join(line for line in (" ".join(part.split()) for part in text.split("\n"))
                     if line)
