"""The script as a file a producer can review and edit, and reading it back.

Two forms, holding the same data:

* JSON: ``{"title", "date", "guid_key", "stories": [{"title", "source", "url", "segments":
  [segment ids]}], "segments": [{"id", "kind", "text", "spoken", "pause_after"}, ...all, in
  spoken order]}``. Each segment is written once, in ``segments``; a story lists the ids of its
  segments, so there is one place to fix a word.
* Markdown: reads like the bulletin. Each segment's spoken text is a paragraph; headings carry the
  titles; an HTML comment before each part (invisible when rendered) keeps what a rebuild needs.

In: ``Script``. Out: text. ``load_script(path)`` turns either form back into a ``Script`` and
raises ``InputError`` naming the file and the problem when it cannot.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..fileio import read_user_text
from ..models import SEGMENT_KINDS, Script, Segment, Story
from .plan import PAUSE_AFTER

MAX_SCRIPT_BYTES = 5 * 1024 * 1024
MAX_PAUSE = 10.0


def script_data(script: Script) -> dict[str, Any]:
    """The script as plain JSON-ready data."""
    return {
        "title": script.title,
        "date": script.date.isoformat(),
        "guid_key": script.guid_key,
        "stories": [_story_data(story) for story in script.stories],
        "segments": [_segment_data(seg) for seg in script.segments],
    }


def _story_data(story: Story) -> dict[str, Any]:
    return {"title": story.title, "source": story.source, "url": story.url,
            "segments": [seg.id for seg in story.segments]}


def _segment_data(seg: Segment) -> dict[str, Any]:
    return {"id": seg.id, "kind": seg.kind, "text": seg.text, "spoken": seg.spoken,
            "pause_after": seg.pause_after}


def script_to_json(script: Script) -> str:
    return json.dumps(script_data(script), ensure_ascii=False, indent=2) + "\n"


def _comment(label: str, data: dict[str, Any]) -> str:
    # "-->" must not end the comment early; json's \u escapes keep it readable as data.
    body = json.dumps(data, ensure_ascii=False).replace("--", "-\\u002d")
    return f"<!-- {label} {body} -->"


def script_to_markdown(script: Script) -> str:
    """The script as Markdown: what the voice says, under the bulletin's and stories' titles."""
    story_of = {seg.id: story for story in script.stories for seg in story.segments}
    lines = [_comment("bulletin-script", {"title": script.title, "date": script.date.isoformat(),
                                          "guid_key": script.guid_key}),
             f"# {script.title}", ""]
    current: Story | None = None
    for seg in script.segments:
        story = story_of.get(seg.id)
        if story is not None and story is not current:
            lines += [f"## {story.title}", _comment("story", _story_data(story)), ""]
        current = story
        meta: dict[str, Any] = {"id": seg.id, "kind": seg.kind, "pause_after": seg.pause_after}
        if seg.text != seg.spoken:
            meta["text"] = seg.text
        lines += [_comment("segment", meta), seg.spoken, ""]
    return "\n".join(lines)


FORMATS = {"md": script_to_markdown, "json": script_to_json}


def check_format(fmt: str) -> str:
    """``fmt`` if it names a script format (checked before any article is read)."""
    if fmt not in FORMATS:
        raise InputError(f"--format {fmt}: unknown script format (use md or json)")
    return fmt


def dump_script(script: Script, fmt: str) -> str:
    """``script`` as "md" or "json" text."""
    return FORMATS[check_format(fmt)](script)


# --- Reading back ---------------------------------------------------------------------------

_MARKER = re.compile(r"^<!--\s*(bulletin-script|story|segment)\s+(\{.*\})\s*-->\s*$")


def _markdown_data(text: str, name: str) -> dict[str, Any]:
    """The data of a Markdown script: its comments, with each segment's spoken text after it."""
    data: dict[str, Any] = {"stories": [], "segments": []}
    spoken: list[str] | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        match = _MARKER.match(line.strip())
        if match is None:
            if spoken is not None and line.strip() and not line.lstrip().startswith("#"):
                spoken.append(line.strip())
            elif line.lstrip().startswith("#"):
                spoken = None
            continue
        label, body = match.groups()
        try:
            fields = json.loads(body)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}: line {number}: unreadable {label} comment ({exc.msg})") \
                from None
        if not isinstance(fields, dict):
            raise InputError(f"{name}: line {number}: {label} comment must hold an object")
        spoken = None
        if label == "bulletin-script":
            data.update({k: v for k, v in fields.items() if k not in ("stories", "segments")})
        elif label == "story":
            data["stories"].append(fields)
        else:
            spoken = []
            data["segments"].append({**fields, "spoken": spoken})
    if not data["segments"]:
        raise InputError(f"{name}: no segments found (expected '<!-- segment {{...}} -->' "
                         "comments, as `bulletin script --format md` writes them)")
    for seg in data["segments"]:
        seg["spoken"] = " ".join(seg["spoken"])
    return data


def _text(value: Any, where: str, name: str, *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise InputError(f"{name}: {where} must be non-empty text")
    return " ".join(value.split())


def script_from_data(data: Any, name: str) -> Script:
    """Check and build a Script from loaded data; ``InputError`` says what is wrong and where."""
    if not isinstance(data, dict):
        raise InputError(f"{name}: a script must be a JSON object")
    title = _text(data.get("title"), "title", name)
    raw_segments = data.get("segments")
    if not isinstance(raw_segments, list) or not raw_segments:
        raise InputError(f"{name}: script has no segments")
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
        spoken = _text(raw.get("spoken"), f"{where} spoken text", name)
        text = _text(raw.get("text", spoken), f"{where} text", name)
        pause = raw.get("pause_after", PAUSE_AFTER[kind])
        if isinstance(pause, bool) or not isinstance(pause, int | float) or \
                not 0 <= pause <= MAX_PAUSE:
            raise InputError(f"{name}: {where} pause_after must be a number of seconds from "
                             f"0 to {MAX_PAUSE:g}")
        segments.append(Segment(id=seg_id, kind=kind, text=text, spoken=spoken,
                                pause_after=float(pause)))
    by_id = {seg.id: seg for seg in segments}
    stories: list[Story] = []
    owner: dict[str, str] = {}
    raw_stories = data.get("stories", [])
    if not isinstance(raw_stories, list):
        raise InputError(f"{name}: stories must be a list")
    for index, raw in enumerate(raw_stories, start=1):
        if not isinstance(raw, dict):
            raise InputError(f"{name}: story {index} must be an object")
        story_title = _text(raw.get("title"), f"story {index} title", name)
        ids = raw.get("segments", [])
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise InputError(f"{name}: story {index} segments must be a list of segment ids")
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
                             url=_text(raw.get("url"), "story url", name, required=False)))
    try:
        date = dt.date.fromisoformat(str(data.get("date") or dt.date.today().isoformat()))
    except ValueError:
        raise InputError(f"{name}: date {data.get('date')!r} is not a date (use YYYY-MM-DD)") \
            from None
    key = data.get("guid_key")
    if not isinstance(key, str) or not key.strip():
        key = hashlib.sha256(f"{title}|{date.isoformat()}".encode()).hexdigest()
    return Script(title=title, date=date, stories=tuple(stories), segments=tuple(segments),
                  guid_key=key)


def load_script(path: str | Path) -> Script:
    """A reviewed script file (JSON or Markdown, as ``bulletin script`` writes them)."""
    path = Path(path)
    name = str(path)
    text = read_user_text(path, "script", MAX_SCRIPT_BYTES)
    if not text.strip():
        raise InputError(f"{name}: empty script file")
    if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}: invalid JSON (line {exc.lineno}: {exc.msg})") from None
    else:
        data = _markdown_data(text.replace("\r\n", "\n"), name)
    return script_from_data(data, name)
