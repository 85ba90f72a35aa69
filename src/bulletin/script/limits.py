"""How big a script's parts may be: the caps of a segment, a title and a script file, for articles
planned into a script (``plan``) and script files read back (``load``) alike, with the small
helpers both use to keep within them. The caps of the whole bulletin are in ``bulletin.limits``.

One segment is what one voice call says; a title is a label. Anything larger is refused with an
``InputError`` naming the input, the cap and the measured size (an article's long headline is
shortened and its long paragraphs are split instead).
"""

from __future__ import annotations

import re
from itertools import accumulate

MAX_TITLE_CHARS = 300  # an article's headline, a script's title, a story's title
MAX_SEGMENT_CHARS = 5_000  # the text, and the spoken text, of one segment
MAX_SEGMENTS = 2_000
MAX_JSON_DEPTH = 32  # a script nests three deep; Python's JSON reader gives up near 1,000
MAX_SCRIPT_BYTES = 5 * 1024 * 1024  # a script file as read back
MAX_PAUSE = 10.0  # seconds of silence after one segment

# A sentence ends with . ! ? or … (maybe then a closing quote or bracket) and a space.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][\"”’')\]])\s+")
_CLAUSE_END = re.compile(r"(?<=[.!?…;])\s+|(?<=[.!?…;][\"”’')\]])\s+")
# A JSON string (to its end, or to the end of the text when it is never closed: linear either way).
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def shorten_title(title: str) -> str:
    """``title`` cut at a word boundary to fit ``MAX_TITLE_CHARS``, with "…" when cut."""
    if len(title) <= MAX_TITLE_CHARS:
        return title
    cut = title[:MAX_TITLE_CHARS - 1]
    space = cut.rfind(" ")
    if space > MAX_TITLE_CHARS // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


def sentences(text: str, *, clauses: bool = False) -> list[str]:
    """``text`` split after each sentence (and each "; " when ``clauses``), in linear time."""
    pattern = _CLAUSE_END if clauses else _SENTENCE_END
    return [part for part in pattern.split(text) if part]


def json_depth(text: str) -> int:
    """How deeply the JSON ``text`` nests arrays and objects (brackets in strings do not count).

    Linear in the length, and safe to call before parsing: deep nesting is what breaks parsers.
    """
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)
