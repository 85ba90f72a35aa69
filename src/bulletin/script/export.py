"""The script as a file a producer can review and edit (``load`` reads it back).

Two forms, holding the same data:

* JSON: ``{"title", "date", "guid_key", "stories": [{"title", "source", "url", "site",
  "sources", "segments": [segment ids]}], "segments": [{"id", "kind", "text", "spoken",
  "pause_after"}, ...all, in spoken order]}``. Each segment is written once, in ``segments``; a
  story lists the ids of its segments, so there is one place to fix a word. A story's ``site``
  is the name its source goes by, ``sources`` a link to each of its sources.
* Markdown: reads like the bulletin. Each segment's spoken text is one paragraph; headings carry
  the titles; a comment under the title tells the producer what to edit; an HTML comment before
  each part (invisible when rendered) keeps what a rebuild needs: ``<!-- bulletin-script {...}
  -->`` once at the top, ``<!-- story {...} -->`` under each story's ``## heading`` and
  ``<!-- segment {...} -->`` before each paragraph (with the written ``text`` when it differs
  from the spoken line).

Both carry ``review``'s marks of what bulletin wrote (a ``fingerprint`` of the script, ``said``
beside each spoken line with a written form of its own), so that an edited spoken line becomes
the captions' text too, and a build can tell an edited script.

In: ``Script``. Out: text.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import InputError
from ..models import Script, Segment, Story
from .review import fingerprint, mark

# Under the title, in place of the blank line after it: what a producer may change, and how an
# edit reaches the listener (one line, so that the lines below keep their numbers).
HOW_TO_REVIEW = ("<!-- To review: edit what the voice says. Each paragraph is one segment, spoken "
                 "as it is written; a paragraph you change appears as you wrote it in the "
                 "captions (WebVTT, SRT) and wherever the show notes and the page quote it. Keep "
                 "every bulletin-script, story and segment comment as it is. -->")


def script_data(script: Script) -> dict[str, Any]:
    """The script as plain JSON-ready data."""
    return {
        "title": script.title,
        "date": script.date.isoformat(),
        "guid_key": script.guid_key,
        "fingerprint": fingerprint(script),
        "stories": [_story_data(story) for story in script.stories],
        "segments": [_segment_data(seg) for seg in script.segments],
    }


def _story_data(story: Story) -> dict[str, Any]:
    return {"title": story.title, "source": story.source, "url": story.url, "site": story.site,
            "sources": list(story.sources), "segments": [seg.id for seg in story.segments]}


def _segment_data(seg: Segment) -> dict[str, Any]:
    return {"id": seg.id, "kind": seg.kind, "text": seg.text, "spoken": seg.spoken,
            "pause_after": seg.pause_after, "said": mark(seg)}


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
                                          "guid_key": script.guid_key,
                                          "fingerprint": fingerprint(script)}),
             f"# {script.title}", HOW_TO_REVIEW]
    current: Story | None = None
    for seg in script.segments:
        story = story_of.get(seg.id)
        if story is not None and story is not current:
            lines += [f"## {story.title}", _comment("story", _story_data(story)), ""]
        current = story
        meta: dict[str, Any] = {"id": seg.id, "kind": seg.kind, "pause_after": seg.pause_after}
        if seg.text != seg.spoken:
            meta.update(text=seg.text, said=mark(seg))
        lines += [_comment("segment", meta), " ".join(seg.spoken.split()), ""]
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
