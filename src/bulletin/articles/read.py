"""Read an article from wherever it lives into an ``Article``.

In: a source string: a path to a ``.txt`` file (first line the headline, blank lines between
paragraphs), a ``.md`` file (``# Headline``, optional front matter with title, source, author, date
and url), an ``.html`` page (main content extracted with trafilatura; its address is its
canonical link or og:url when it names one), an ``http(s)://`` URL (fetched, then read by its
content type) or ``-`` for standard input (its format sniffed).
Out: ``Article``, whose paragraphs keep their inner line breaks for the cleaner to judge.
Anything unreadable raises ``InputError`` naming the source and the reason, and so does what
cannot be read whole: a text or Markdown article longer than ``MAX_ARTICLE_CHARS``, Markdown
front matter never closed, Markdown quotes and lists nested deeper than ``MAX_MARKDOWN_NESTING``,
and HTML nested deeper than its parser goes or of more than ``MAX_HTML_ELEMENTS`` elements.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import sys
from dataclasses import replace
from itertools import chain
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urljoin

import lxml.html
import trafilatura
from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..dates import parse_date
from ..errors import InputError
from ..fileio import read_user_bytes
from ..frontmatter import front_matter
from ..limits import MAX_SCRIPT_CHARS, size
from ..models import Article
from .fetch import MAX_BYTES, Fetcher, without_credentials

DEFAULT_FETCHER = Fetcher(allow_private=True)  # sources typed by the user; a feed's get Fetcher()
# A text or Markdown article, markup included, of more than twice what one bulletin can say.
MAX_ARTICLE_CHARS = 2 * MAX_SCRIPT_CHARS
EXTENSIONS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md",
              ".html": "html", ".htm": "html", ".xhtml": "html"}


def read_stream(stream: BinaryIO, name: str = "-") -> bytes:
    """Up to the size cap of ``stream`` (standard input), or an InputError."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InputError(f"{name}: too large for an article (more than {MAX_BYTES} bytes)")
    return data


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 text with no binary content, or an InputError."""
    if b"\x00" in data:
        raise InputError(f"{name}: binary data, not a text article")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls:
        raise InputError(f"{name}: binary data, not a text article ({controls} control characters)")
    if not text.strip():
        raise InputError(f"{name}: empty article (no text)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _blocks(text: str) -> list[str]:
    """Blank-line separated blocks, each keeping its inner line breaks, stripped of edge space."""
    blocks = (re.sub(r"[ \t]*\n[ \t]*", "\n", b).strip() for b in re.split(r"\n\s*\n", text))
    return [b for b in blocks if b]


def parse_plain(text: str, source: str) -> Article:
    """A newsroom .txt: the first non-empty line is the headline; blank lines part paragraphs."""
    first, *rest = text.strip().split("\n", 1)
    paragraphs = _blocks(rest[0]) if rest else []
    if not paragraphs:
        raise InputError(f"{source}: article has a headline but no paragraphs")
    return Article(title=first.strip(), paragraphs=tuple(paragraphs), source=source)


# --- Markdown -------------------------------------------------------------------------------

_SKIPPED_BLOCKS = {"fence", "code_block", "html_block", "hr"}
# Quotes and lists nested deeper than this are refused. markdown-it silently drops what lies past
# its own limit (MARKDOWN_IT_NESTING), which is set above ours so it is never reached unnoticed.
MAX_MARKDOWN_NESTING = 32
MARKDOWN_IT_NESTING = MAX_MARKDOWN_NESTING + 8


def _parse_date(value: str | None, source: str) -> dt.date | None:
    return parse_date(value, source) if value else None


def _inline_text(token) -> str:  # noqa: ANN001 - a markdown-it Token
    """The words of an inline token: links keep their text, images and raw HTML are dropped."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type == "image":
            continue  # alt text describes a picture; it is never read out
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts).strip()


def _check_nesting(tokens: list[Token], source: str, first_line: int) -> None:
    """Refuse quotes and lists nested so deep that markdown-it would drop what is inside."""
    for token in tokens:
        if token.level >= MAX_MARKDOWN_NESTING:
            line = first_line + (token.map[0] if token.map else 0)
            raise InputError(f"{source}: line {line}: quotes and lists nested more than "
                             f"{MAX_MARKDOWN_NESTING} levels deep")


def parse_markdown(text: str, source: str) -> Article:
    """A Markdown article: front matter, then ``# Headline`` and paragraphs (formatting dropped)."""
    meta, body = front_matter(text, source)
    tokens = MarkdownIt("commonmark", {"maxNesting": MARKDOWN_IT_NESTING}).parse(body)
    _check_nesting(tokens, source, first_line=text.count("\n", 0, len(text) - len(body)) + 1)
    title = meta.get("title") or None
    paragraphs: list[str] = []
    skip_depth = 0
    for index, token in enumerate(tokens):
        if token.type in _SKIPPED_BLOCKS:
            continue
        if token.type == "heading_open" and token.tag == "h1" and title is None:
            title = _inline_text(tokens[index + 1])
            skip_depth = 1
            continue
        if token.type == "inline":
            if skip_depth:
                skip_depth = 0
                continue
            words = _inline_text(token)
            if words:
                paragraphs.append(words)
    if not title:
        raise InputError(f"{source}: Markdown article has no '# Headline' and no title "
                         "in its front matter")
    if meta.get("title") and paragraphs and paragraphs[0] == title:
        paragraphs.pop(0)
    if not paragraphs:
        raise InputError(f"{source}: article has a headline but no paragraphs")
    return Article(title=title, paragraphs=tuple(paragraphs), source=source,
                   url=meta.get("url") or None, author=meta.get("author") or None,
                   site=meta.get("source") or meta.get("site") or None,
                   date=_parse_date(meta.get("date"), source))


# --- HTML -----------------------------------------------------------------------------------

MIN_PAGE_WORDS = 15  # less than this, in no sentence, is a page's chrome, not an article
MAX_HTML_DEPTH = 255  # libxml2 drops elements nested deeper than this, and all that follows
# News pages have about a thousand elements; trafilatura takes seconds per ten thousand.
MAX_HTML_ELEMENTS = 20_000
# trafilatura logs why it gave up on a page; the InputError raised here says it in one line.
for _logger in ("trafilatura", "htmldate", "courlan", "justext"):
    logging.getLogger(_logger).setLevel(logging.CRITICAL)
_SYNDICATION = re.compile(r"^(this|the) (post|article|story|piece) (was )?(originally|first) "
                          r"(appeared|published|ran)\b", re.IGNORECASE)


def _page_title(tree: lxml.html.HtmlElement | None, fallback: str | None) -> str | None:
    """The page's headline: its og:title, else trafilatura's title, else its first h1."""
    if tree is not None:
        for value in tree.xpath('//meta[@property="og:title" or @name="og:title"]/@content'):
            if value.strip():
                return " ".join(value.split())
    if fallback and fallback.strip():
        return " ".join(fallback.split())
    if tree is not None:
        for h1 in tree.xpath("//h1"):
            text = " ".join(h1.text_content().split())
            if text:
                return text
    return None


def _notes(tree: lxml.html.HtmlElement | None, text: str) -> list[str]:
    """Syndication notes outside the article body ("This post originally appeared on X")."""
    if tree is None:
        return []
    found = []
    for element in tree.xpath("//p"):
        words = " ".join(element.text_content().split())
        if len(words) < 200 and _SYNDICATION.match(words) and words not in text:
            found.append(words)
    return found[:1]


def _html_tree(data: bytes, source: str) -> lxml.html.HtmlElement | None:
    """The page parsed by lxml, or None when it cannot be; ``InputError`` when it nests so deep
    that the parser would drop part of it."""
    parser = lxml.html.HTMLParser()
    try:
        tree = lxml.html.fromstring(data, parser=parser)
    except (ValueError, lxml.etree.ParserError):
        tree = None
    if any(error.type_name == "ERR_RESOURCE_LIMIT" and "depth" in error.message.lower()
           for error in parser.error_log):
        raise InputError(f"{source}: HTML nested more than {MAX_HTML_DEPTH} elements deep "
                         "(the parser's limit), so part of the page would be lost")
    elements = sum(1 for _ in tree.iter()) if tree is not None else 0
    if elements > MAX_HTML_ELEMENTS:
        raise InputError(f"{source}: page of {size(elements, MAX_HTML_ELEMENTS, 'elements')}: "
                         "too big to be one article")
    return tree


def canonical_url(tree: lxml.html.HtmlElement | None, base: str | None) -> str | None:
    """The page's own address for itself: its canonical link, else its og:url; made absolute
    from ``base`` (where the page was fetched, if it was), http(s) only, without credentials."""
    if tree is None:
        return None
    found = chain(
        tree.xpath("//link[translate(@rel, 'CANONIL', 'canonil')='canonical']/@href"),
        tree.xpath("//meta[@property='og:url' or @name='og:url']/@content"))
    for address in found:
        try:
            absolute = urljoin(base or "", str(address).strip())
        except ValueError:
            continue
        if is_url(absolute):
            return without_credentials(absolute)
    return None


def parse_html(data: bytes, source: str, url: str | None = None) -> Article:
    """The main content of a news page, with its title, author, date, site name and address
    (its canonical one when it names one, else ``url``, where it was fetched from)."""
    if b"\x00" in data[:4096]:
        raise InputError(f"{source}: binary data, not an HTML page")
    if not data.strip():
        raise InputError(f"{source}: empty page (no text)")
    tree = _html_tree(data, source)
    try:
        doc = trafilatura.bare_extraction(
            data, url=url, with_metadata=True, include_comments=False, include_tables=False,
            include_images=False, include_links=False, deduplicate=False)
    except Exception as exc:  # trafilatura raises assorted errors on malformed input
        raise InputError(f"{source}: cannot parse the page ({type(exc).__name__})") from None
    text = (getattr(doc, "text", None) or "") if doc is not None else ""
    if len(text.split()) < MIN_PAGE_WORDS or not re.search(r"[.!?][\"”’')]*\s*$", text, re.M):
        # Menus, link lists and error pages: words, but no sentences of an article.
        raise InputError(f"{source}: no article text found in the page")
    lines = [re.sub(r"^[-*•]\s+", "", line).strip() for line in text.split("\n")]
    paragraphs = [line for line in lines if line] + _notes(tree, text)
    title = _page_title(tree, getattr(doc, "title", None))
    if not title:
        title, *paragraphs = paragraphs
    if not paragraphs:
        raise InputError(f"{source}: no article text found in the page")
    date = None
    if getattr(doc, "date", None):
        with contextlib.suppress(InputError):  # a page's own date is a hint, never a refusal
            date = parse_date(doc.date, source)
    return Article(title=title, paragraphs=tuple(paragraphs), source=source,
                   url=canonical_url(tree, url) or url,
                   author=getattr(doc, "author", None) or None,
                   site=getattr(doc, "sitename", None) or None, date=date)


# --- Dispatch -------------------------------------------------------------------------------

def sniff(data: bytes) -> str:
    """Guess an article's format from its first bytes: "html", "md" or "txt"."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in head:
        return "html"
    if head.startswith(b"---\n") or head.startswith(b"# "):
        return "md"
    return "txt"


def parse(data: bytes, kind: str, source: str, url: str | None = None) -> Article:
    """Parse ``data`` of format ``kind`` ("txt", "md" or "html")."""
    if kind == "html":
        return parse_html(data, source, url)
    text = decode_text(data, source)
    if len(text) > MAX_ARTICLE_CHARS:  # more than a bulletin can say; Markdown is slow to parse
        raise InputError(f"{source}: article is {size(len(text), MAX_ARTICLE_CHARS)}: "
                         "far more than one bulletin can say")
    article = parse_markdown(text, source) if kind == "md" else parse_plain(text, source)
    if url and not article.url:
        article = replace(article, url=url)
    return article


def is_url(source: str) -> bool:
    return re.match(r"^https?://", source, re.IGNORECASE) is not None


def read_article(source: str, *, fetcher: Fetcher = DEFAULT_FETCHER,
                 stdin: BinaryIO | None = None) -> Article:
    """Read one article from ``source``: a file path, an http(s) URL or ``-`` for stdin."""
    if source == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = read_stream(stream)
        if not data.strip():
            raise InputError("-: empty article on standard input")
        return parse(data, sniff(data), "-")
    if is_url(source):
        page = fetcher.fetch(source)
        return parse(page.body, page.kind, page.source, page.url)
    path = Path(source)
    data = read_user_bytes(path, "article", MAX_BYTES)
    kind = EXTENSIONS.get(path.suffix.lower()) or sniff(data)
    return parse(data, kind, source)
