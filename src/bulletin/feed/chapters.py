"""Chapters of an episode as a JSON chapters file (Podcasting 2.0 format, version 1.2.0).

In: the episode's ``Chapter``s (seconds in the mixed audio) and some episode metadata.
Out: the JSON text that ``<podcast:chapters type="application/json+chapters">`` points at.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..models import Chapter
from .text import one_line, web_address

VERSION = "1.2.0"
MIME_TYPE = "application/json+chapters"


def chapters_json(chapters: Sequence[Chapter], *, title: str, podcast: str, author: str,
                  file_name: str) -> str:
    """The chapters file: every chapter with its start, end and title, in time order; a story's
    chapter with the story's address (``url``) when it has one."""
    document = {
        "version": VERSION,
        "title": one_line(title),
        "podcastName": one_line(podcast),
        "author": one_line(author),
        "fileName": file_name,
        "chapters": [
            {"startTime": round(c.start, 3), "endTime": round(c.end, 3), "title": one_line(c.title),
             **({"url": c.url} if web_address(c.url) else {})}
            for c in sorted(chapters, key=lambda c: c.start)
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
