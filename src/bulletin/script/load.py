"""Reading a reviewed script file back into a ``Script``: the JSON or Markdown that ``export``
writes, perhaps edited by a producer.

In: a path. Out: ``Script``, within the caps of ``limits`` and ``bulletin.limits``, its edits told
(``review``). Whatever cannot be read raises ``InputError`` naming the file and the problem (and,
in Markdown, the line): JSON nested too deep or not well formed, a missing, repeated or broken
marker, text outside any segment, a segment of an unknown kind, a story naming a segment that is
not there, and so on.
Text is never silently moved into the segment before it; a producer's own comments are skipped,
as they are when rendered.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any, NoReturn

from ..dates import parse_date, utc_today
from ..errors import InputError
from ..fileio import read_user_text
from ..frontmatter import split_front_matter
from ..limits import MAX_STORIES, check_speech, size
from ..models import SEGMENT_KINDS, Script, Segment, Story
from .limits import (
    MAX_JSON_DEPTH,
    MAX_PAUSE,
    MAX_SCRIPT_BYTES,
    MAX_SEGMENT_CHARS,
    MAX_SEGMENTS,
    MAX_TITLE_CHARS,
    json_depth,
)
from .plan import PAUSE_AFTER
from .review import reviewed

_MARKER_START = re.compile(r"^<!--\s*(bulletin-script|story|segment)(?=\s|\{|-->|$)")
_MARKER = re.compile(r"^<!--\s*(bulletin-script|story|segment)\s*(.*?)\s*-->$")
_HEADING = re.compile(r"^(#{1,6})(?:\s+(.*?))?\s*$")


def _json(text: str, name: str, where: str = "") -> Any:
    """``text`` parsed as JSON, refusing deep nesting before the parser can overflow, and numbers
    Python will not read. ``json.JSONDecodeError`` for JSON that is not well formed."""
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise InputError(f"{name}: {where}nested {depth:,} levels deep (limit {MAX_JSON_DEPTH})")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except ValueError:  # an integer longer than Python converts
        raise InputError(f"{name}: {where}holds a number of more than "
                         f"{sys.get_int_max_str_digits():,} digits") from None


def _marker(line: str, label: str, number: int, name: str) -> dict[str, Any]:
    """The data of a ``label`` marker line, or ``InputError`` saying what is wrong with it."""
    match = _MARKER.match(line)
    if match is None:
        raise InputError(f"{name}: line {number}: unfinished {label} marker (it must end with "
                         "'-->' on the same line)")
    try:
        fields = _json(match.group(2), name, f"line {number}: {label} marker ")
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: line {number}: unreadable {label} marker ({exc.msg})") \
            from None
    if not isinstance(fields, dict):
        raise InputError(f"{name}: line {number}: {label} marker must hold an object")
    return fields


def _preview(text: str) -> str:
    return f"'{text[:40]}…'" if len(text) > 40 else f"'{text}'"


class _MarkdownReader:
    """Reads a Markdown script line by line into the data ``script_from_data`` checks."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.data: dict[str, Any] = {"stories": [], "segments": []}
        self.header: int | None = None  # line of the bulletin-script marker
        self.markers: dict[str, int] = {}  # segment id → line of its marker
        self.segment: dict[str, Any] | None = None  # the segment whose paragraph is being read
        self.ended = False  # a blank line has ended that segment's paragraph
        self.heading: tuple[int, str] | None = None  # a story heading awaiting its story marker
        self.in_comment = False

    def fail(self, number: int, message: str) -> NoReturn:
        raise InputError(f"{self.name}: line {number}: {message}")

    def expect_story(self, number: int) -> None:
        if self.heading is not None:
            line, title = self.heading
            self.fail(line, f"story heading {_preview(title)} has no '<!-- story {{...}} -->' "
                            "marker after it")

    def line(self, number: int, line: str) -> None:
        """Take in line ``number`` of the script."""
        text = line.strip()
        if self.in_comment:
            self.in_comment = "-->" not in text
            return
        marker = _MARKER_START.match(text)
        if marker:
            label = marker.group(1)
            self.marker(number, label, _marker(text, label, number, self.name))
            return
        if text.startswith("<!--") and ("-->" not in text[4:] or text.endswith("-->")):
            self.in_comment = "-->" not in text[4:]
            return  # a comment of the producer's: invisible when rendered, never spoken
        if not text:
            self.ended = bool(self.segment and self.segment["spoken"])
            return
        heading = _HEADING.match(text)
        if heading:
            self.expect_story(number)
            self.segment = None
            if len(heading.group(1)) == 2:
                self.heading = (number, heading.group(2) or "")
            return
        self.expect_story(number)
        if self.segment is None:
            self.fail(number, f"{_preview(text)} is outside any segment: its "
                              "'<!-- segment {...} -->' marker is missing")
        elif self.ended:
            self.fail(number, f"{_preview(text)} follows segment {self.segment.get('id')} after a "
                              "blank line: its '<!-- segment {...} -->' marker is missing "
                              "(each segment is one paragraph)")
        else:
            self.segment["spoken"].append(text)

    def marker(self, number: int, label: str, fields: dict[str, Any]) -> None:
        """Take in a marker: it starts the script, a story or a segment."""
        if label != "story":
            self.expect_story(number)
        self.heading = None
        self.segment = None
        if label == "bulletin-script":
            if self.header is not None:
                self.fail(number, f"bulletin-script marker appears twice (lines {self.header} "
                                  f"and {number})")
            self.header = number
            self.data.update({k: v for k, v in fields.items() if k not in ("stories", "segments")})
        elif label == "story":
            self.data["stories"].append(fields)
        else:
            seg_id = fields.get("id")
            if isinstance(seg_id, str) and seg_id in self.markers:
                self.fail(number, f"segment {seg_id} marker appears twice (lines "
                                  f"{self.markers[seg_id]} and {number})")
            if isinstance(seg_id, str):
                self.markers[seg_id] = number
            self.segment = {**fields, "spoken": []}
            self.ended = False
            self.data["segments"].append(self.segment)

    def finish(self, last: int) -> dict[str, Any]:
        """The data read, once every line (up to line ``last``) is in."""
        self.expect_story(last)
        if self.header is None:
            raise InputError(f"{self.name}: no '<!-- bulletin-script {{...}} -->' marker (it "
                             "holds the title and date, as `bulletin script --format md` "
                             "writes it)")
        if not self.data["segments"]:
            raise InputError(f"{self.name}: no segments found (expected '<!-- segment {{...}} "
                             "-->' markers, as `bulletin script --format md` writes them)")
        for seg in self.data["segments"]:
            seg["spoken"] = " ".join(seg["spoken"])
        return self.data


def _markdown_data(text: str, name: str) -> dict[str, Any]:
    """The data of a Markdown script: its markers, with each segment's spoken text after it."""
    _, body = split_front_matter(text, name)
    first = text.count("\n", 0, len(text) - len(body)) + 1
    reader = _MarkdownReader(name)
    lines = body.split("\n")
    for number, line in enumerate(lines, start=first):
        reader.line(number, line)
    return reader.finish(first + len(lines) - 1)


def _text(value: Any, where: str, name: str, *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise InputError(f"{name}: {where} must be non-empty text")
    return " ".join(value.split())


def _links(value: Any, index: int, name: str) -> tuple[str, ...]:
    """A story's links to its sources: a list of text, as many as a bulletin has stories."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise InputError(f"{name}: story {index} sources must be a list of links")
    if len(value) > MAX_STORIES:
        raise InputError(f"{name}: story {index} has {size(len(value), MAX_STORIES, 'sources')}")
    return tuple(dict.fromkeys(" ".join(v.split()) for v in value))


def _capped(value: str | None, cap: int, where: str, name: str) -> str:
    """``value`` (required text) when it is within ``cap`` characters."""
    value = value or ""
    if len(value) > cap:
        raise InputError(f"{name}: {where} is {size(len(value), cap)}")
    return value


def script_from_data(data: Any, name: str) -> Script:
    """Check and build a Script from loaded data; ``InputError`` says what is wrong and where."""
    if not isinstance(data, dict):
        raise InputError(f"{name}: a script must be a JSON object")
    title = _capped(_text(data.get("title"), "title", name), MAX_TITLE_CHARS, "title", name)
    raw_segments = data.get("segments")
    if not isinstance(raw_segments, list) or not raw_segments:
        raise InputError(f"{name}: script has no segments")
    if len(raw_segments) > MAX_SEGMENTS:
        raise InputError(f"{name}: {size(len(raw_segments), MAX_SEGMENTS, 'segments')}")
    raw_stories = data.get("stories", [])
    if not isinstance(raw_stories, list):
        raise InputError(f"{name}: stories must be a list")
    if len(raw_stories) > MAX_STORIES:
        raise InputError(f"{name}: {size(len(raw_stories), MAX_STORIES, 'stories')}")
    segments: list[Segment] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_segments, start=1):
        where = f"segment {index}"
        if not isinstance(raw, dict):
            raise InputError(f"{name}: {where} must be an object")
        seg_id = _text(raw.get("id"), f"{where} id", name)
        where = f"segment {seg_id}"
        if seg_id in seen:
            raise InputError(f"{name}: {where} appears twice")
        seen.add(seg_id)
        kind = raw.get("kind")
        if kind not in SEGMENT_KINDS:
            raise InputError(f"{name}: {where} has kind {kind!r} "
                             f"(expected one of {', '.join(SEGMENT_KINDS)})")
        spoken = _capped(_text(raw.get("spoken"), f"{where} spoken text", name),
                         MAX_SEGMENT_CHARS, f"{where} spoken text", name)
        text = _capped(_text(raw.get("text", spoken), f"{where} text", name),
                       MAX_SEGMENT_CHARS, f"{where} text", name)
        pause = raw.get("pause_after", PAUSE_AFTER[kind])
        if isinstance(pause, bool) or not isinstance(pause, int | float) or \
                not 0 <= pause <= MAX_PAUSE:
            raise InputError(f"{name}: {where} pause_after must be a number of seconds from "
                             f"0 to {MAX_PAUSE:g}")
        segments.append(Segment(id=seg_id, kind=kind, text=text, spoken=spoken,
                                pause_after=float(pause)))
    spoken_chars = sum(len(seg.spoken) for seg in segments)
    check_speech(spoken_chars, f"{name}: the script's spoken text is")
    by_id = {seg.id: seg for seg in segments}
    stories: list[Story] = []
    owner: dict[str, str] = {}
    for index, raw in enumerate(raw_stories, start=1):
        if not isinstance(raw, dict):
            raise InputError(f"{name}: story {index} must be an object")
        story_title = _capped(_text(raw.get("title"), f"story {index} title", name),
                              MAX_TITLE_CHARS, f"story {index} title", name)
        ids = raw.get("segments", [])
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise InputError(f"{name}: story {index} segments must be a list of segment ids")
        if not ids:
            raise InputError(f"{name}: story {index} '{story_title}' has no segments")
        for seg_id in ids:
            if seg_id not in by_id:
                raise InputError(f"{name}: story {index} names segment {seg_id!r}, "
                                 "which is not in the script")
            if seg_id in owner:
                raise InputError(f"{name}: segment {seg_id} is in two stories")
            owner[seg_id] = story_title
        stories.append(Story(title=story_title,
                             source=_text(raw.get("source"), "story source", name,
                                          required=False),
                             segments=tuple(by_id[i] for i in ids),
                             url=_text(raw.get("url"), "story url", name, required=False),
                             site=_text(raw.get("site"), "story site", name, required=False),
                             sources=_links(raw.get("sources", []), index, name)))
    if not stories:
        raise InputError(f"{name}: the script has no story (a script needs at least one story "
                         "with at least one spoken segment)")
    date = parse_date(data["date"], name) if data.get("date") else utc_today()
    key = data.get("guid_key")
    if not isinstance(key, str) or not key.strip():
        key = hashlib.sha256(f"{title}|{date.isoformat()}".encode()).hexdigest()
    return reviewed(Script(title=title, date=date, stories=tuple(stories),
                           segments=tuple(segments), guid_key=key), data)


def load_script(path: str | Path) -> Script:
    """A reviewed script file (JSON or Markdown, as ``bulletin script`` writes them)."""
    path = Path(path)
    name = str(path)
    text = read_user_text(path, "script", MAX_SCRIPT_BYTES)
    if not text.strip():
        raise InputError(f"{name}: empty script file")
    if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        try:
            data = _json(text, name)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}: invalid JSON (line {exc.lineno}: {exc.msg})") from None
    else:
        data = _markdown_data(text.replace("\r\n", "\n"), name)
    return script_from_data(data, name)
