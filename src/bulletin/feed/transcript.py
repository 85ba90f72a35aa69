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
    ordered = sorted((c for c in cues if one_line(c.text)), key=lambda c: c.start)
    timed = []
    for index, cue in enumerate(ordered):
        start = max(0.0, cue.start)
        end = max(cue.end, start + 0.001)
        if index + 1 < len(ordered):
            end = min(end, max(ordered[index + 1].start, start + 0.001))
        timed.append((start, end, one_line(cue.text)))
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
