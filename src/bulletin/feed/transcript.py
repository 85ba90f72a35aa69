"""Transcripts of an episode as WebVTT and SubRip (SRT), one cue per spoken segment.

In: the episode's ``Cue``s, whose times are where each segment really sits in the mixed audio.
Out: the text of a ``.vtt`` or ``.srt`` file. Cue text is one line (a blank line would end a cue);
WebVTT escapes ``&``, ``<`` and ``>`` as its spec requires, SRT carries text as it is.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..models import Cue
from .text import one_line


def timestamp(seconds: float, decimal: str = ".") -> str:
    """``HH:MM:SS.mmm`` (WebVTT) or ``HH:MM:SS,mmm`` (SRT, with ``decimal=","``)."""
    millis = max(0, int(round(seconds * 1000)))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal}{millis:03d}"


def _timed(cues: Sequence[Cue]) -> list[tuple[float, float, str]]:
    """Cues with text, in time order, each ending after it starts and before the next begins."""
    said = ((c.start, c.end, one_line(c.text)) for c in cues)
    ordered = sorted((c for c in said if c[2]), key=lambda c: c[0])
    timed = []
    for index, (start, end, text) in enumerate(ordered):
        start = max(0.0, start)
        end = max(end, start + 0.001)
        if index + 1 < len(ordered):
            end = min(end, max(ordered[index + 1][0], start + 0.001))
        timed.append((start, end, text))
    return timed


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webvtt(cues: Sequence[Cue]) -> str:
    """A WebVTT file: the header, then numbered cues."""
    blocks = ["WEBVTT"]
    for number, (start, end, text) in enumerate(_timed(cues), 1):
        blocks.append(f"{number}\n{timestamp(start)} --> {timestamp(end)}\n{_vtt_escape(text)}")
    return "\n\n".join(blocks) + "\n"


def srt(cues: Sequence[Cue]) -> str:
    """A SubRip file: numbered cues with comma-decimal times."""
    blocks = [f"{number}\n{timestamp(start, ',')} --> {timestamp(end, ',')}\n{text}"
              for number, (start, end, text) in enumerate(_timed(cues), 1)]
    return "\n\n".join(blocks) + "\n"
