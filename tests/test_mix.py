"""Stitching: every segment lands where its cue says, in the finished MP3, to within 50 ms."""

from __future__ import annotations

import array
import math
from dataclasses import dataclass, field

from bulletin.config import load_config
from bulletin.feed import Catalog
from bulletin.pipeline import build
from bulletin.runner import CommandRunner


def decode(path, runner, rate=8000) -> array.array:
    out = runner.run(["ffmpeg", "-loglevel", "error", "-i", str(path), "-f", "s16le", "-ac", "1",
                      "-ar", str(rate), "pipe:1"]).stdout
    return array.array("h", out)


def rms(samples: array.array, start: float, end: float, rate: int = 8000) -> float:
    chunk = samples[int(start * rate):int(end * rate)]
    return math.sqrt(sum(s * s for s in chunk) / max(1, len(chunk)))


def test_cues_and_chapters_match_the_audio(write_article, fake_engine, runner, tmp_path,
                                           monkeypatch):
    monkeypatch.setenv("BULLETIN_CACHE_DIR", str(tmp_path / "cache"))
    # Speech is found by the silence around it, which the music bed fills in the opening and the
    # sign-off: heard without it here (test_bed shows the bed moves no cue or chapter).
    (tmp_path / "bulletin.toml").write_text('[audio]\nbed = "none"\n')
    one = write_article("one.txt", "First story", "Its only paragraph, fairly short.",
                        "A second paragraph follows here.")
    two = write_article("two.txt", "Second story", "Another paragraph of text.")
    result = build([str(one), str(two)], load_config(), engine=fake_engine)
    episode = Catalog(tmp_path / "public").episodes()[0]
    samples = decode(result.mp3, runner)
    # intro, rundown, two headlines, three paragraphs, a transition, the sign-off
    assert len(episode.cues) == len(fake_engine.calls) == 9
    for cue in episode.cues:
        before = rms(samples, cue.start - 0.12, cue.start - 0.03)
        after = rms(samples, cue.start + 0.03, cue.start + 0.12)
        ending = rms(samples, cue.end - 0.12, cue.end - 0.03)
        following = rms(samples, cue.end + 0.03, cue.end + 0.12)
        assert after > 8 * max(before, 30), f"speech does not start at {cue.start:.3f}: {cue.text}"
        assert ending > 8 * max(following, 30), f"speech does not end at {cue.end:.3f}: {cue.text}"
    titles = [c.title for c in episode.chapters]
    assert titles == ["Introduction", "First story", "Second story", "Sign-off"]
    starts = {c.title: c.start for c in episode.chapters}
    spoken = {c.text: c.start for c in episode.cues}
    assert starts["First story"] == spoken["First story"]
    assert starts["Second story"] <= spoken["Second story"]
    assert episode.chapters[-1].end == episode.duration


@dataclass(frozen=True)
class CountingRunner(CommandRunner):
    """The real runner, noting each MP3 encoding it runs."""

    encodes: list = field(default_factory=list)

    def run(self, args, input=None):
        if "libmp3lame" in args:
            self.encodes.append(args)
        return super().run(args, input)

    def pipe(self, *commands):
        self.encodes.extend(c for c in commands if "libmp3lame" in c)
        return super().pipe(*commands)


def test_an_unchanged_rebuild_reuses_the_encoded_programme(write_article, fake_engine, tmp_path,
                                                           monkeypatch):
    monkeypatch.setenv("BULLETIN_CACHE_DIR", str(tmp_path / "cache"))
    article = write_article("a.txt", "Ferry timetable", "Boats leave every forty minutes.")
    first_runner, second_runner, third_runner = CountingRunner(), CountingRunner(), CountingRunner()
    first = build([str(article)], load_config(), engine=fake_engine, runner=first_runner)
    second = build([str(article)], load_config(), engine=fake_engine, runner=second_runner)
    assert first_runner.encodes and not second_runner.encodes
    assert second.mp3.read_bytes() == first.mp3.read_bytes()
    assert second.loudness == first.loudness

    # A damaged stored programme is never published: it is encoded afresh.
    stored = next((tmp_path / "cache" / "renders").glob("*.mp3"))
    data = bytearray(stored.read_bytes())
    data[len(data) // 2] ^= 0xFF
    stored.write_bytes(bytes(data))
    third = build([str(article)], load_config(), engine=fake_engine, runner=third_runner)
    assert third_runner.encodes
    assert third.mp3.read_bytes() == first.mp3.read_bytes()
