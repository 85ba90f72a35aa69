"""Check a published site the way a podcast app reads it: ``check_site(site)`` → problems.

In: the site folder. Out: one line per problem (empty when the site is fine). The feed must parse
strictly as XML and carry the channel and item tags podcast apps and directories need; every
enclosure, transcript, chapters file and the artwork under the feed's own base URL must exist in the
site, with enclosure lengths equal to the files' byte sizes, durations matching the audio, guids
unique, dates in RFC 2822 form, the artwork square and within size, and each companion file
parseable, every chapters list non-empty. The catalog beside the feed must be one bulletin can
build on: an SQLite file with the right tables and columns, whole, whose rows decode.

``default_warnings(site, config_file)`` → warnings, not problems: what the feed says that looks
left at bulletin's defaults by accident (the author "bulletin", the language "en-us").
"""

from __future__ import annotations

import json
import re
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from ..config import ShowConfig
from ..errors import BulletinError, ToolError
from ..ffmpeg import probe_seconds
from ..fileio import read_user_toml
from ..runner import DEFAULT_RUNNER, CommandRunner
from .artwork import artwork_problems
from .catalog import EMPTY, FILENAME, Catalog
from .chapters import VERSION as CHAPTERS_VERSION
from .rss import DESCRIPTION_LIMIT, FEED_FILE

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "atom": "http://www.w3.org/2005/Atom",
    "podcast": "https://podcastindex.org/namespace/1.0",
}
DURATION_TOLERANCE = 1.0  # seconds: itunes:duration is given in whole seconds
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_RFC2822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}(:\d{2})? ([+-]\d{4}|GMT|UT|EST|EDT|CST|CDT|MST|MDT|PST|PDT)$")

CHANNEL_TEXT = ("title", "link", "description", "language", "itunes:author",
                "itunes:owner/itunes:name", "podcast:guid")
ITEM_TEXT = ("title", "description", "guid", "pubDate", "itunes:duration", "itunes:episode")


def _text(node: etree._Element, path: str) -> str:
    found = node.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


def _seconds(value: str) -> float | None:
    """itunes:duration as seconds: ``SS``, ``MM:SS`` or ``HH:MM:SS``."""
    try:
        parts = [float(p) for p in value.split(":")]
    except ValueError:
        return None
    if not 1 <= len(parts) <= 3:
        return None
    total = 0.0
    for part in parts:
        total = total * 60 + part
    return total


def _date_problem(value: str) -> str | None:
    if not _RFC2822.match(value):
        return f"date {value!r} is not in RFC 2822 form"
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return f"date {value!r} is not a real date"
    if moment.strftime("%a") != value[:3]:
        return f"date {value!r} names the wrong weekday"
    return None


class _Site:
    """Maps the feed's absolute URLs back to files in the site."""

    def __init__(self, site: Path, base: str) -> None:
        self.root = site.resolve()
        self.base = base

    def path(self, url: str) -> Path | None:
        """The file ``url`` names, or None when it points outside this site (nothing to check)."""
        if not self.base or not url.startswith(self.base):
            return None
        relative = unquote(url[len(self.base):].split("#")[0].split("?")[0])
        return self.root / relative

    def problem(self, url: str, what: str) -> tuple[Path | None, str | None]:
        path = self.path(url)
        if path is None:
            return None, None
        resolved = path.resolve()
        if not resolved.is_relative_to(self.root):
            return None, f"{what} {url} points outside the site"
        if not resolved.is_file():
            return None, f"{what} {url} does not resolve: {path.relative_to(self.root)} is missing"
        return resolved, None


def _chapters_problem(path: Path, duration: float | None) -> str | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return f"is not JSON ({exc})"
    if not isinstance(document, dict) or not isinstance(document.get("chapters"), list):
        return "has no chapters list"
    if document.get("version") != CHAPTERS_VERSION:
        return f"has version {document.get('version')!r}, not {CHAPTERS_VERSION}"
    starts = [c.get("startTime") if isinstance(c, dict) else None for c in document["chapters"]]
    if not starts:
        return "lists no chapters"
    if any(not isinstance(s, int | float) for s in starts):
        return "has a chapter without a numeric startTime"
    if starts != sorted(starts):
        return "lists chapters out of time order"
    if duration is not None and starts[-1] > duration:
        return f"has a chapter starting at {starts[-1]} s, after the audio ends"
    return None


def _transcript_problem(path: Path, kind: str) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return "is not UTF-8 text"
    if kind == "text/vtt" and not text.startswith("WEBVTT"):
        return "does not start with WEBVTT"
    if "-->" not in text:
        return "has no timed cues"
    return None


def _check_channel(channel: etree._Element, site: _Site) -> list[str]:
    problems = [f"channel has no <{tag}>" for tag in CHANNEL_TEXT if not _text(channel, tag)]
    guid = _text(channel, "podcast:guid")
    if guid and not _UUID.match(guid):
        problems.append(f"podcast:guid {guid!r} is not a UUID")
    if _text(channel, "itunes:explicit") not in ("true", "false"):
        problems.append("channel itunes:explicit is not 'true' or 'false'")
    if _text(channel, "itunes:type") not in ("episodic", "serial"):
        problems.append("channel itunes:type is not 'episodic' or 'serial'")
    if _text(channel, "podcast:locked") not in ("yes", "no"):
        problems.append("channel podcast:locked is not 'yes' or 'no'")
    if not _text(channel, "itunes:owner/itunes:email"):
        problems.append("channel has no owner e-mail (itunes:owner/itunes:email): set [show] "
                        "email; directories send the owner's verification there, and "
                        "podcast:locked names it")
    category = channel.find("itunes:category", NS)
    if category is None or not category.get("text"):
        problems.append("channel has no itunes:category")
    image = channel.find("itunes:image", NS)
    if image is None or not image.get("href"):
        problems.append("channel has no itunes:image")
    elif "://" not in image.get("href", ""):
        problems.append(f"itunes:image {image.get('href')} is not an absolute URL")
    else:
        path, problem = site.problem(image.get("href", ""), "artwork")
        if problem:
            problems.append(problem)
        elif path is not None:
            problems += [f"artwork {path.name} {p}" for p in artwork_problems(path.read_bytes())]
    return problems


def _check_item(item: etree._Element, number: int, site: _Site,
                runner: CommandRunner) -> list[str]:
    label = f"item {number} ({_text(item, 'title') or 'untitled'})"
    problems = [f"{label}: no <{tag}>" for tag in ITEM_TEXT if not _text(item, tag)]
    if len(_text(item, "description").encode("utf-8")) > DESCRIPTION_LIMIT:
        problems.append(f"{label}: description is over {DESCRIPTION_LIMIT} bytes")
    date = _text(item, "pubDate")
    if date and (problem := _date_problem(date)):
        problems.append(f"{label}: {problem}")
    if _text(item, "itunes:explicit") not in ("", "true", "false"):
        problems.append(f"{label}: itunes:explicit is not 'true' or 'false'")
    written = _text(item, "itunes:duration")
    declared = _seconds(written)
    if written and declared is None:
        problems.append(f"{label}: itunes:duration {written!r} is unreadable")
    found, duration = _check_enclosure(item, declared, site, runner)
    found += _check_companions(item, duration, site)
    return problems + [f"{label}: {problem}" for problem in found]


def _check_enclosure(item: etree._Element, declared: float | None, site: _Site,
                     runner: CommandRunner) -> tuple[list[str], float | None]:
    """The item's enclosure problems, and how long its audio really lasts (None if unknown)."""
    enclosure = item.find("enclosure")
    if enclosure is None:
        return ["no <enclosure>"], None
    problems = []
    url, length = enclosure.get("url", ""), enclosure.get("length", "")
    if enclosure.get("type") != "audio/mpeg":
        problems.append(f"enclosure type is {enclosure.get('type')!r}, not audio/mpeg")
    path, problem = site.problem(url, "enclosure")
    if problem or path is None:
        return problems + ([problem] if problem else []), None
    size = path.stat().st_size
    if length != str(size):
        problems.append(f"enclosure length {length} but the file has {size} bytes")
    try:
        duration = probe_seconds(path, runner)
    except ToolError as exc:
        return problems + [f"enclosure {path.name} is not a readable MP3 ({exc})"], None
    if declared is not None and abs(duration - declared) > DURATION_TOLERANCE:
        problems.append(f"itunes:duration says {declared:.0f} s but the audio lasts "
                        f"{duration:.1f} s")
    return problems, duration


def _check_companions(item: etree._Element, duration: float | None, site: _Site) -> list[str]:
    """Problems with the item's transcripts and chapters (checked against ``duration``)."""
    problems = []
    transcripts = item.findall("podcast:transcript", NS)
    if not transcripts:
        problems.append("no podcast:transcript")
    for transcript in transcripts:
        path, problem = site.problem(transcript.get("url", ""), "transcript")
        if problem is None and path is not None:
            found = _transcript_problem(path, transcript.get("type", ""))
            problem = found and f"transcript {path.name} {found}"
        if problem:
            problems.append(problem)
    chapters = item.find("podcast:chapters", NS)
    if chapters is None:
        return [*problems, "no podcast:chapters"]
    path, problem = site.problem(chapters.get("url", ""), "chapters")
    if problem is None and path is not None:
        found = _chapters_problem(path, duration)
        problem = found and f"chapters {path.name} {found}"
    return problems + ([problem] if problem else [])


def check_site(site: Path, runner: CommandRunner = DEFAULT_RUNNER) -> list[str]:
    """Every problem a podcast app or directory would find with the site at ``site``, then what
    would stop the next build: a catalog that is garbage, truncated, damaged, of the wrong schema,
    with rows that do not decode, or empty."""
    return _check_feed(site, runner) + catalog_problems(site)


# The [show] settings whose defaults should not reach a feed unchosen, and where the feed says them
DEFAULTS_SEEN = {"author": "itunes:author", "language": "language"}


def default_warnings(site: Path, config_file: Path | None = None) -> list[str]:
    """One line for each of ``DEFAULTS_SEEN`` that the site's feed gives at bulletin's default
    while ``config_file`` (the bulletin.toml in use, if any) does not set it: left there by
    accident, most likely. A feed that cannot be read warns of nothing (``check_site`` says why).
    """
    root = _parse(site / FEED_FILE)
    channel = root.find("channel") if isinstance(root, etree._Element) else None
    chosen = read_user_toml(config_file, "config").get("show", {}) if config_file else {}
    warnings = []
    for key, path in DEFAULTS_SEEN.items():
        default = getattr(ShowConfig(), key)
        if channel is not None and _text(channel, path) == default and key not in chosen:
            warnings.append(f"{site / FEED_FILE}: {key} \"{default}\" is bulletin's default, "
                            f"not one chosen: set {key} under [show] in bulletin.toml (even to "
                            f"\"{default}\" if that is right)")
    return warnings


def _parse(feed: Path) -> etree._Element | str:
    """The feed's root element, or the one line saying why it cannot be read."""
    try:
        data = feed.read_bytes()
    except FileNotFoundError:
        return f"{feed}: missing"
    except OSError as exc:
        return f"{feed}: cannot read ({exc.strerror})"
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return f"{feed}: not well-formed XML ({exc})"


def _check_feed(site: Path, runner: CommandRunner) -> list[str]:
    feed = site / FEED_FILE
    root = _parse(feed)
    if isinstance(root, str):
        return [root]
    channel = root.find("channel")
    if root.tag != "rss" or root.get("version") != "2.0" or channel is None:
        return [f"{feed}: not an RSS 2.0 feed"]
    self_link = channel.find("atom:link[@rel='self']", NS)
    problems: list[str] = []
    base = ""
    if self_link is None or not self_link.get("href", "").endswith("/" + FEED_FILE):
        problems.append(f"channel has no atom:link rel=\"self\" ending in /{FEED_FILE}")
    else:
        base = self_link.get("href", "")[:-len(FEED_FILE)]
    mapped = _Site(site, base)
    problems += _check_channel(channel, mapped)
    items = channel.findall("item")
    seen: dict[str, int] = {}
    for number, item in enumerate(items, 1):
        problems += _check_item(item, number, mapped, runner)
        guid = _text(item, "guid")
        if guid in seen:
            problems.append(f"item {number}: guid {guid} repeats item {seen[guid]}'s")
        seen.setdefault(guid, number)
    return [f"{feed}: {p}" for p in problems]


def catalog_problems(site: Path) -> list[str]:
    """What is wrong with the site's catalog, one line each naming it (empty when sound or
    absent): not SQLite, truncated, damaged pages, tables or columns missing, rows that do not
    decode."""
    path = site / FILENAME
    if not path.is_file():
        return []  # a site copied elsewhere without its catalog is still a good site
    try:
        if Catalog.unopened(site).state() == EMPTY:
            return [f"{path}: the catalog is empty; the next build needs --rebuild-catalog"]
        catalog = Catalog(site, create=False)
        with catalog.reading() as db:
            verdict = [row[0] for row in db.execute("PRAGMA quick_check")]
            if verdict != ["ok"]:
                return [f"{path}: the catalog is damaged ({'; '.join(verdict[:3])})"]
            catalog.episodes(db)
            catalog.settings(db)
    except BulletinError as exc:
        return [str(exc)]
    return []
