"""How big a script may be: the caps, in one place, for articles (``plan``) and script files
(``export``) alike, with the small helpers both use to keep within them.

A bulletin is at most about two hours of speech; one segment is what one voice call says; a title
is a label. Anything larger is refused with an ``InputError`` naming the input, the cap and the
measured size (an article's long headline is shortened and its long paragraphs are split instead).
"""

from __future__ import annotations

import re
from itertools import accumulate

MAX_TITLE_CHARS = 300  # an article's headline, a script's title, a story's title
MAX_SEGMENT_CHARS = 5_000  # the text, and the spoken text, of one segment
CHARS_PER_SECOND = 15  # roughly how fast the voices speak
MAX_SCRIPT_SECONDS = 2 * 60 * 60
MAX_SCRIPT_CHARS = MAX_SCRIPT_SECONDS * CHARS_PER_SECOND  # 108,000: about two hours of speech
MAX_ARTICLE_CHARS = 2 * MAX_SCRIPT_CHARS  # a text or Markdown article, markup included
MAX_SEGMENTS = 2_000
MAX_STORIES = 50
MAX_JSON_DEPTH = 32  # a script nests three deep; Python's JSON reader gives up near 1,000

# A sentence ends with . ! ? or … (maybe then a closing quote or bracket) and a space.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][\"”’')\]])\s+")
_CLAUSE_END = re.compile(r"(?<=[.!?…;])\s+|(?<=[.!?…;][\"”’')\]])\s+")
# A JSON string (to its end, or to the end of the text when it is never closed: linear either way).
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def size(count: int, cap: int, unit: str = "characters") -> str:
    """``"6,000 characters (limit 5,000)"``: the measured size and the cap, for an error."""
    return f"{count:,} {unit} (limit {cap:,})"


def speech_time(chars: int) -> str:
    """About how long ``chars`` characters take to say, as ``"2 h 3 min"`` or ``"12 min"``."""
    minutes = round(chars / CHARS_PER_SECOND / 60)
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


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
