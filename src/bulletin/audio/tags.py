"""ID3v2.3 tags for the episode MP3, chapters (CHAP and CTOC frames) and cover art (APIC)
included, with mutagen.

In: the MP3's path, ``Tags`` (title, show, author, date, description, duration, and the cover's
image bytes when there is one) and the chapters. Out: the MP3 with its tag replaced.

mutagen orders the frames it writes by size (its issue #506), so the chapters' CHAP frames are put
back in time order in the saved tag, where players that read them one by one expect them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TLEN,
    TPE1,
    CTOCFlags,
    PictureType,
)

from ..models import Chapter

_HEADER = 10  # bytes of an ID3v2 tag header, and of an ID3v2.3 frame header
_IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


@dataclass(frozen=True)
class Tags:
    title: str
    show: str
    author: str
    date: dt.date
    description: str
    duration: float
    cover: bytes | None = None  # PNG or JPEG, embedded as the front cover


def _image_type(data: bytes) -> str:
    """The MIME type of a PNG or JPEG image (the kinds cover art may be), from its first bytes."""
    return next((kind for magic, kind in _IMAGE_TYPES.items() if data.startswith(magic)),
                "image/png")


def _chapters_in_time_order(mp3: Path) -> None:
    """Rewrite the ID3v2.3 tag mutagen saved at the start of ``mp3`` with its CHAP frames in the
    order of their start times (where the first CHAP frame stood), every other frame as it was.
    The tag keeps its size, so it is rewritten in place."""
    with mp3.open("r+b") as file:
        header = file.read(_HEADER)
        if header[:3] != b"ID3" or header[3] != 3 or header[5] != 0:
            return  # not the plain v2.3 tag mutagen writes (no unsynchronisation or extension)
        size = sum((b & 0x7F) << (7 * (3 - n)) for n, b in enumerate(header[6:10]))  # syncsafe
        body = file.read(size)
        frames: list[bytes] = []
        at = 0
        while at + _HEADER <= len(body) and body[at] != 0:  # padding (zeros) ends the frames
            end = at + _HEADER + int.from_bytes(body[at + 4:at + 8], "big")
            frames.append(body[at:end])
            at = end
        chapters = [frame for frame in frames if frame.startswith(b"CHAP")]
        if len(chapters) < 2:
            return

        def start(frame: bytes) -> int:  # element ID, its terminating zero, then the start time
            after_id = frame.index(b"\x00", _HEADER) + 1
            return int.from_bytes(frame[after_id:after_id + 4], "big")

        first = frames.index(chapters[0])
        others = [frame for frame in frames if not frame.startswith(b"CHAP")]
        ordered = others[:first] + sorted(chapters, key=start) + others[first:]
        file.seek(_HEADER)
        file.write(b"".join(ordered))


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
    if tags.cover:
        id3.add(APIC(encoding=1, mime=_image_type(tags.cover), type=PictureType.COVER_FRONT,
                     desc="Cover", data=tags.cover))
    if chapters:
        timed = sorted(chapters, key=lambda chapter: chapter.start)
        ids = [f"chp{n}" for n in range(len(timed))]
        id3.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                     child_element_ids=ids, sub_frames=[TIT2(encoding=1, text=tags.title)]))
        for element_id, chapter in zip(ids, timed, strict=True):
            id3.add(CHAP(element_id=element_id, start_time=int(round(chapter.start * 1000)),
                         end_time=int(round(chapter.end * 1000)),
                         sub_frames=[TIT2(encoding=1, text=chapter.title)]))
    id3.save(str(mp3), v2_version=3)
    _chapters_in_time_order(mp3)
