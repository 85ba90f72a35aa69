"""What a producer changed in a reviewed script, told from what ``bulletin script`` wrote.

The script file carries two marks of what bulletin wrote: beside a spoken line whose written form
differs (digits, symbols), ``said``, a short fingerprint of the spoken line as generated; and, for
the whole script, ``fingerprint``, one of everything in it. ``mark(segment)`` and
``fingerprint(script)`` make them (``export``); ``reviewed(script, data)`` reads them back
(``load``).

In: the ``Script`` as read and the file's data. Out: the same ``Script``, but a segment whose
spoken line was edited has that line as its written text too, so that the captions (WebVTT, SRT),
the show notes and the page show what the voice says; and ``edited`` is set unless the script is
exactly as bulletin wrote it (a script with no fingerprint, written by hand or by an older
bulletin, counts as edited).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

from ..models import Script, Segment, Story

MARK_CHARS = 12  # hex digits of a spoken line's fingerprint


def _plain(value: Any) -> Any:
    """``value`` with the white space of every text in it as a script file reads it back."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def mark(segment: Segment) -> str:
    """The fingerprint of ``segment``'s spoken line."""
    return hashlib.sha256(_plain(segment.spoken).encode()).hexdigest()[:MARK_CHARS]


def fingerprint(script: Script) -> str:
    """The fingerprint of everything a script file holds of ``script`` (not whether it was
    edited)."""
    content = {
        "title": script.title, "date": script.date.isoformat(), "guid_key": script.guid_key,
        "stories": [[s.title, s.source, s.url, s.site, s.sources, [g.id for g in s.segments]]
                    for s in script.stories],
        "segments": [[g.id, str(g.kind), g.text, g.spoken, g.pause_after]
                     for g in script.segments],
    }
    text = json.dumps(_plain(content), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def reviewed(script: Script, data: dict[str, Any]) -> Script:
    """``script`` as read from a file holding ``data``, with what its producer changed."""
    marks = {_plain(raw.get("id")): raw.get("said") for raw in data.get("segments", [])
             if isinstance(raw, dict)}
    edited = data.get("fingerprint") != fingerprint(script)
    changed = {seg.id for seg in script.segments
               if isinstance(marks.get(seg.id), str) and marks[seg.id] != mark(seg)}
    if not changed:
        return replace(script, edited=edited)

    def follow(seg: Segment) -> Segment:
        return replace(seg, text=seg.spoken) if seg.id in changed else seg

    def story(told: Story) -> Story:
        return replace(told, segments=tuple(map(follow, told.segments)))

    return replace(script, segments=tuple(map(follow, script.segments)),
                   stories=tuple(map(story, script.stories)), edited=True)
