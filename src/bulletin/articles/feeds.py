"""Read a news feed's bytes into a ``Feed``: RSS 2.0, RSS 1.0 (RDF) and Atom 1.0 through
feedparser, JSON Feed 1.0 and 1.1 through json.

In: the bytes, the source they came from (a URL, which relative links are resolved against, or a
path), whether the feed is local, and the validators to keep for the next conditional GET.
Out: a ``Feed`` whose items are ``FeedItem``s in the feed's order, at most ``MAX_ITEMS`` of them
(the rest are never parsed). Items with neither a title nor a link or content are left out.
What is not a feed (an HTML page, XML that is cut short or malformed, JSON that is not a JSON
Feed, an empty body, binary data) raises ``InputError``: one line naming the source and why.
Pure: nothing is fetched and no file is read, whatever the feed says.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import json
import re
import time
import xml.sax
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.parsers import expat

import feedparser
import lxml.html

from ..errors import InputError
from ..models import Feed, FeedItem

MAX_ITEMS = 500  # a feed's first items; a hostile one of a million never reaches the parser
MAX_DEPTH = 256  # elements nested deeper than this are no feed's
FEED_ROOTS = {"rss", "RDF", "feed"}  # the root element of RSS 2.0, RSS 1.0 and Atom
ITEMS = {"item", "entry"}  # the elements that are one item each
JSON_FEED = "https://jsonfeed.org/version/"
# feedparser's strict parse fails on these, yet its loose parse reads the whole feed well: an
# HTML entity never declared (&nbsp;) and a namespace prefix never declared.
FORGIVEN = ("undefined entity", "unbound prefix")
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"),
         (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
         (b"<\x00?\x00", "utf-16-le"), (b"\x00<\x00?", "utf-16-be"))
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""")
_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")
# What starts an HTML page: its doctype or <html> after any declaration, comment and space.
_HTML = re.compile(r"^(?:\s|<\?.*?\?>|<!--.*?-->)*<(?:!doctype\s+html\b|html\b)",
                   re.IGNORECASE | re.DOTALL)
_HTML_PARTS = re.compile(r"<(?:head|body)\b", re.IGNORECASE)  # a page's, if malformed XML


def parse_feed(body: bytes, source: str, *, local: bool = False, etag: str | None = None,
               last_modified: str | None = None) -> Feed:
    """The feed in ``body``, read from ``source``, or an ``InputError`` saying it is not one."""
    text = _decode(body, source)
    start = text.lstrip()[:1]
    if start in ("{", "["):
        title, base, entries = _json_feed(text, source)
    elif start == "<":
        if _HTML.match(text[:65536]):
            raise InputError(f"{source}: an HTML page, not a news feed")
        title, base, entries = _xml_feed(text, source)
    else:
        raise InputError(f"{source}: not a news feed (neither XML nor JSON)")
    base = source if _is_web(source) else base if _is_web(base) else None
    items = []
    for entry in entries:
        item = _item(entry, base, source, title, local)
        if item is not None:
            items.append(item)
    return Feed(source=source, title=title, items=tuple(items), local=local, etag=etag,
                last_modified=last_modified)


# --- Bytes to text ----------------------------------------------------------------------------

def _decode(body: bytes, source: str) -> str:
    """The feed as text: by its byte-order mark, else its XML declaration, else UTF-8, else
    Windows-1252 (as feedparser would guess). Empty and binary bodies are refused."""
    if not body.strip():
        raise InputError(f"{source}: empty, not a news feed")
    encoding = next((name for mark, name in _BOMS if body.startswith(mark)), None)
    if encoding is None and b"\x00" in body:
        raise InputError(f"{source}: binary data, not a news feed")
    declared = _DECLARED.match(body[:512])
    text = None
    for name in (encoding, declared and declared[1].decode("ascii"), "utf-8"):
        try:
            text = body.decode(name) if name else None
        except (LookupError, UnicodeDecodeError):
            continue
        if text is not None:
            break
    if text is None:
        text = body.decode("cp1252", errors="replace")
    text = text.lstrip("\ufeff")
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r")
    if controls * 100 > len(sample):  # more than one in a hundred: no text feed
        raise InputError(f"{source}: binary data, not a news feed")
    return text


# --- XML: RSS and Atom ------------------------------------------------------------------------

class _Enough(Exception):
    """Raised inside the pre-read at the item past ``MAX_ITEMS``, with its byte offset."""


def _first_items(data: bytes, source: str) -> tuple[bytes, str]:
    """``data`` cut after its first ``MAX_ITEMS`` items (their open elements closed), and the name
    of its root element. Reads the XML with expat, which also judges its syntax: XML cut short or
    malformed raises ``InputError`` with its line. Undeclared entities are left to feedparser."""
    parser = expat.ParserCreate()
    parser.UseForeignDTD(True)  # an entity never declared may be in a DTD never read
    open_names: list[str] = []  # the elements open where the parser is, outermost first
    root: list[str] = []
    seen = 0

    def start(name: str, _attributes: object) -> None:
        nonlocal seen
        if not root:
            root.append(name)
        if name.rpartition(":")[2] in ITEMS:
            seen += 1
            if seen > MAX_ITEMS:
                raise _Enough(parser.CurrentByteIndex)
        open_names.append(name)
        if len(open_names) > MAX_DEPTH:
            raise InputError(f"{source}: not a news feed: XML nested more than {MAX_DEPTH} "
                             "elements deep")

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda _name: open_names.pop()
    try:
        parser.Parse(data, True)
    except _Enough as enough:
        closing = "".join(f"</{name}>" for name in reversed(open_names))
        return data[:enough.args[0]] + closing.encode(), root[0]
    except expat.ExpatError as exc:
        raise InputError(f"{source}: not a news feed: the XML is cut short or malformed "
                         f"(line {exc.lineno})") from None
    return data, root[0] if root else ""


def _xml_feed(text: str, source: str) -> tuple[str | None, str | None, list[dict[str, Any]]]:
    """The feed's title, its own link and its entries, as plain dictionaries of the fields used."""
    data = _ENCODING.sub(r'\1"utf-8"', text, count=1).encode("utf-8")
    try:
        data, root = _first_items(data, source)
    except InputError:
        if _HTML_PARTS.search(text[:65536]):
            raise InputError(f"{source}: an HTML page, not a news feed") from None
        raise
    local_name = root.rpartition(":")[2]
    if local_name.lower() == "html":
        raise InputError(f"{source}: an HTML page, not a news feed")
    if local_name not in FEED_ROOTS:
        raise InputError(f"{source}: not a news feed (an XML document whose root is <{root}>)")
    headers = {"content-type": "application/xml; charset=utf-8"}
    if _is_web(source):
        headers["content-location"] = source
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    problem = parsed.get("bozo_exception")
    if isinstance(problem, xml.sax.SAXParseException) and not any(
            words in str(problem) for words in FORGIVEN):
        raise InputError(f"{source}: not a news feed: the XML is cut short or malformed "
                         f"(line {problem.getLineNumber()})")
    if not parsed.get("version"):
        raise InputError(f"{source}: not a news feed (no RSS or Atom feed in the XML)")
    channel = parsed.get("feed", {})
    return (_text_of(channel, "title"), channel.get("link"),
            [_from_feedparser(entry) for entry in parsed.get("entries", [])[:MAX_ITEMS]])


def _from_feedparser(entry: Mapping[str, Any]) -> dict[str, Any]:
    contents = entry.get("content") or []
    html_parts = [part for part in contents if "html" in part.get("type", "")]
    if html_parts:
        content = html_parts[0].get("value", "")
    else:
        content = _paragraphs_html(contents[0].get("value", "")) if contents else ""
    summary = entry.get("summary", "")
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    return {"id": entry.get("id"), "title": _text_of(entry, "title"), "link": entry.get("link"),
            "content": content, "summary": summary, "published": _from_struct(stamp)}


def _text_of(fields: Mapping[str, Any], name: str) -> str | None:
    """A title as plain text (feedparser gives HTML for a title of type html)."""
    value = fields.get(name)
    if not isinstance(value, str):
        return None
    if fields.get(f"{name}_detail", {}).get("type", "text/plain") != "text/plain":
        value = _strip_tags(value)
    return _one_line(value)


def _one_line(value: str) -> str | None:
    return " ".join(value.split()) or None


def _from_struct(stamp: time.struct_time | None) -> dt.datetime | None:
    if stamp is None:
        return None
    try:
        return dt.datetime(*stamp[:6], tzinfo=dt.UTC)
    except (TypeError, ValueError):
        return None


# --- JSON Feed --------------------------------------------------------------------------------

def _json_feed(text: str, source: str) -> tuple[str | None, str | None, list[dict[str, Any]]]:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise InputError(f"{source}: not a news feed (JSON that cannot be read)") from None
    version = document.get("version") if isinstance(document, dict) else None
    if not isinstance(version, str) or not version.startswith(JSON_FEED):
        raise InputError(f"{source}: not a news feed (JSON, but not a JSON Feed)")
    items = document.get("items")
    if not isinstance(items, list):
        raise InputError(f"{source}: not a news feed (a JSON Feed with no list of items)")
    base = _string(document, "home_page_url") or _string(document, "feed_url")
    return (_one_line(_string(document, "title")), base,
            [_from_json(item) for item in items[:MAX_ITEMS] if isinstance(item, dict)])


def _from_json(item: Mapping[str, Any]) -> dict[str, Any]:
    content = _string(item, "content_html") or _paragraphs_html(_string(item, "content_text"))
    identity = item.get("id")
    return {"id": str(identity) if isinstance(identity, str | int) else None,
            "title": _one_line(_string(item, "title")), "link": _string(item, "url"),
            "content": content, "summary": _string(item, "summary"),
            "published": _from_iso(_string(item, "date_published"))
            or _from_iso(_string(item, "date_modified"))}


def _string(fields: Mapping[str, Any], name: str) -> str:
    value = fields.get(name)
    return value if isinstance(value, str) else ""


def _from_iso(value: str) -> dt.datetime | None:
    """An RFC 3339 date as an aware UTC datetime (one with no zone is taken as UTC), or None."""
    try:
        stamp = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC)


# --- Items ------------------------------------------------------------------------------------

def _item(entry: Mapping[str, Any], base: str | None, source: str, feed_title: str | None,
          local: bool) -> FeedItem | None:
    title = entry["title"] or ""
    link = _absolute(entry["link"], base)
    content = entry["content"] or ""
    if not title and not link and not content.strip():
        return None
    identity = entry["id"] or link or "title:" + hashlib.sha256(title.encode()).hexdigest()
    return FeedItem(id=identity, title=title, link=link, feed=source, feed_title=feed_title,
                    published=entry["published"], content=content,
                    summary=entry["summary"] or "", local=local)


def _absolute(link: Any, base: str | None) -> str | None:
    """``link`` as an absolute URL (joined to ``base`` when relative), or None."""
    if not isinstance(link, str) or not link.strip():
        return None
    link = link.strip()
    try:
        if urlsplit(link).scheme:
            return link
        return urljoin(base, link) if base else None
    except ValueError:  # a malformed address, such as an unclosed IPv6 bracket
        return None


def _is_web(address: str | None) -> bool:
    return bool(address) and re.match(r"^https?://", address, re.IGNORECASE) is not None


def _strip_tags(value: str) -> str:
    if "<" not in value and "&" not in value:
        return value
    try:
        return lxml.html.fragment_fromstring(value, create_parent="div").text_content()
    except (ValueError, lxml.etree.ParserError):
        return html.unescape(re.sub(r"<[^>]*>", " ", value))


def _paragraphs_html(value: str) -> str:
    """Plain text as HTML: each blank-line separated block a paragraph."""
    return "".join(f"<p>{html.escape(block.strip())}</p>" for block in _blocks(value))


def _blocks(value: str) -> Iterator[str]:
    return (block for block in re.split(r"\n\s*\n", value) if block.strip())
