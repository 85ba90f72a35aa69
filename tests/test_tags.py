"""The MP3's ID3 tag as players read it: chapters in time order, the cover embedded."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from mutagen.id3 import ID3, PictureType
from mutagen.mp3 import MP3
from PIL import Image

from bulletin.audio.tags import Tags, write_tags
from bulletin.models import Chapter
from bulletin.publish.cover import make_cover
from conftest import article
from sitekit import make_config, quick_build

SECONDS = 4.0
# Titles of very different lengths: mutagen writes frames shortest first.
CHAPTERS = [Chapter("Harbour town votes to keep its ferry running through the winter storms", 0,
                    1.2),
            Chapter("Ferry", 1.2, 2.0),
            Chapter("A lighthouse lit again after three winters of repairs", 2.0, 3.1),
            Chapter("Sign-off", 3.1, SECONDS)]


@pytest.fixture
def mp3(tmp_path: Path) -> Path:
    """A few seconds of silence encoded as MP3 by ffmpeg."""
    path = tmp_path / "episode.mp3"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=44100:cl=mono",
                    "-t", str(SECONDS), "-c:a", "libmp3lame", "-b:a", "64k", str(path)],
                   check=True)
    return path


def tags(cover: bytes | None = None) -> Tags:
    return Tags(title="Harbour News", show="Harbour News", author="Ada Brennan",
                date=dt.date(2026, 11, 24), description="Ferry and lighthouse.",
                duration=SECONDS, cover=cover)


@pytest.mark.parametrize("given", [CHAPTERS, CHAPTERS[::-1]], ids=["in order", "reversed"])
def test_chapter_frames_are_written_in_time_order(mp3: Path, given: list[Chapter]) -> None:
    write_tags(mp3, tags(), given)
    tag = ID3(mp3)
    frames = tag.getall("CHAP")  # in the order they stand in the file
    assert [f.start_time for f in frames] == [round(c.start * 1000) for c in CHAPTERS]
    assert [f.sub_frames["TIT2"].text[0] for f in frames] == [c.title for c in CHAPTERS]
    (toc,) = tag.getall("CTOC")
    assert list(toc.child_element_ids) == [f.element_id for f in frames]
    # the rest of the tag and the audio are whole
    assert tag["TIT2"].text == ["Harbour News"] and tag["TLEN"].text == ["4000"]
    assert MP3(mp3).info.length == pytest.approx(SECONDS, abs=0.1)


@pytest.mark.parametrize(("image", "kind"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_the_cover_is_embedded_as_the_front_cover(mp3: Path, tmp_path: Path, image: str,
                                                  kind: str) -> None:
    picture = tmp_path / f"cover.{image.lower()}"
    Image.new("RGB", (1400, 1400), (20, 60, 90)).save(picture, format=image)
    write_tags(mp3, tags(picture.read_bytes()), CHAPTERS)
    (apic,) = ID3(mp3).getall("APIC")
    assert apic.type == PictureType.COVER_FRONT
    assert apic.mime == kind
    assert apic.data == picture.read_bytes()
    assert len(ID3(mp3).getall("CHAP")) == len(CHAPTERS)


def test_no_cover_no_picture(mp3: Path) -> None:
    write_tags(mp3, tags(), CHAPTERS)
    assert ID3(mp3).getall("APIC") == []


def test_a_built_episode_embeds_the_sites_cover(tmp_path: Path) -> None:
    config = make_config(tmp_path / "show", title="Harbour News")
    source = article(tmp_path, "ferry.txt", "Ferry vote passes in the harbour town",
                     "The ferry will run all winter, the council decided on Monday.",
                     "Crews welcomed the vote.")
    result = quick_build(config, source)
    (apic,) = ID3(result.mp3).getall("APIC")
    assert apic.data == (config.site / "cover.png").read_bytes()
    frames = ID3(result.mp3).getall("CHAP")
    assert [f.start_time for f in frames] == sorted(f.start_time for f in frames)


def test_a_built_episode_embeds_the_configured_cover(tmp_path: Path) -> None:
    image = tmp_path / "art.png"
    image.write_bytes(make_cover("Another show's art"))
    config = make_config(tmp_path / "show", title="Harbour News", image=str(image))
    source = article(tmp_path, "ferry.txt", "Ferry vote passes in the harbour town",
                     "The ferry will run all winter, the council decided on Monday.")
    result = quick_build(config, source)
    (apic,) = ID3(result.mp3).getall("APIC")
    assert apic.data == image.read_bytes()
