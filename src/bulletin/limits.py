"""How much one bulletin holds: the caps more than one stage keeps to, in one place.

A bulletin is at most about two hours of speech and at most ``MAX_STORIES`` stories. The articles
stage refuses an article far longer than that before parsing it, and too many articles before
reading any; the script stage refuses a script that says more (``script.limits`` has the caps of
its segments and titles). Each refusal is an ``InputError`` naming the input, the cap and the
measured size; ``size``, ``speech_time`` and ``names`` word it.
"""

from __future__ import annotations

from collections.abc import Sequence

from .errors import InputError

CHARS_PER_SECOND = 15  # roughly how fast the voices speak
MAX_SCRIPT_SECONDS = 2 * 60 * 60
MAX_SCRIPT_CHARS = MAX_SCRIPT_SECONDS * CHARS_PER_SECOND  # 108,000: about two hours of speech
MAX_STORIES = 50


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


def check_speech(chars: int, where: str) -> None:
    """Refuse ``chars`` characters of text if they take longer to say than one bulletin holds:
    ``InputError`` starting with ``where`` (the input and what was measured)."""
    if chars > MAX_SCRIPT_CHARS:
        raise InputError(f"{where} {chars:,} characters, about {speech_time(chars)} of speech "
                         f"(limit {MAX_SCRIPT_CHARS:,}, about {speech_time(MAX_SCRIPT_CHARS)})")


def names(sources: Sequence[str]) -> str:
    """Articles' sources, for an error: the one source, or the first and how many more."""
    more = len(sources) - 1
    return sources[0] + (f" and {more} more article{'s' * (more > 1)}" if more else "")


def check_count(sources: Sequence[str]) -> None:
    """Refuse more articles than one bulletin holds (``InputError`` naming them)."""
    if len(sources) > MAX_STORIES:
        raise InputError(f"{names(sources)}: {len(sources)} articles "
                         f"(limit {MAX_STORIES} stories in one bulletin)")
