"""ID3v2.3 tags for the episode MP3, chapters included (CHAP and CTOC frames), with mutagen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mutagen.id3 import CHAP, COMM, CTOC, ID3, TALB, TCON, TDRC, TIT2, TLEN, TPE1, CTOCFlags

from ..models import Chapter


@dataclass(frozen=True)
class Tags:
    title: str
    show: str
    author: str
    date: dt.date
    description: str
    duration: float


def write_tags(mp3: Path, tags: Tags, chapters: Sequence[Chapter]) -> None:
    """Replace ``mp3``'s ID3 tag with one carrying ``tags`` and ``chapters``, saved as ID3v2.3."""
    id3 = ID3()
    id3.add(TIT2(encoding=1, text=tags.title))
    id3.add(TALB(encoding=1, text=tags.show))
    id3.add(TPE1(encoding=1, text=tags.author))
    id3.add(TDRC(encoding=1, text=tags.date.isoformat()))
    id3.add(TCON(encoding=1, text="Podcast"))
    id3.add(COMM(encoding=1, lang="eng", desc="", text=tags.description))
    id3.add(TLEN(encoding=1, text=str(int(round(tags.duration * 1000)))))
    if chapters:
        ids = [f"chp{n}" for n in range(len(chapters))]
        id3.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                     child_element_ids=ids, sub_frames=[TIT2(encoding=1, text=tags.title)]))
        for element_id, chapter in zip(ids, chapters, strict=True):
            id3.add(CHAP(element_id=element_id, start_time=int(round(chapter.start * 1000)),
                         end_time=int(round(chapter.end * 1000)),
                         sub_frames=[TIT2(encoding=1, text=chapter.title)]))
    id3.save(str(mp3), v2_version=3)
