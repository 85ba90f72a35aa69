"""The music bed: under the opening and the sign-off, ducked under the voice, never in a story.

The fake engine speaks (a tone whose length follows the text), so a mix takes a second; the mix is
real (ffmpeg resamples, the stings and the bed are bulletin's files). The ducked bed on its own is
what ``lay_bed`` lays for the mix's cues: these tests read it beside the programme, and show that
it is all the bed adds to the programme.
"""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from bulletin import audio
from bulletin.audio.bed import lay_bed
from bulletin.config import AudioConfig, Config, Overrides, load_config
from bulletin.errors import InputError
from bulletin.ffmpeg import decode_pcm, probe_seconds
from bulletin.models import Article, Clip, Mix
from bulletin.pipeline import build, edition
from bulletin.runner import CommandRunner
from bulletin.script import build_script
from bulletin.script.fit import TOLERANCE
from bulletin.tts import SegmentCache, synthesize_script
from conftest import REPO, FakeEngine

RATE = 44100
OPENING = ("intro", "rundown")
STORY = ("headline", "body", "transition")
IN_A_STORY = ("headline", "body")  # what follows a pause inside a story (a sting comes before a
# transition)


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getframerate()) == (1, RATE)
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16).astype(float)


def level(samples: np.ndarray, start: float, end: float, rate: int = RATE) -> float:
    """RMS of ``samples`` from ``start`` to ``end`` seconds, in dBFS (-inf for digital silence)."""
    part = samples[int(round(start * rate)):int(round(end * rate))]
    power = float(np.mean(np.square(part))) if len(part) else 0.0
    return 10 * math.log10(power) - 20 * math.log10(32768) if power else -math.inf


@dataclass
class Mixed:
    mix: Mix
    clips: tuple[Clip, ...]
    programme: np.ndarray
    bed: np.ndarray | None  # the bed laid, alone, when there is one

    def spans(self, *kinds: str) -> list[tuple[float, float]]:
        """(start, end) of every segment of these kinds."""
        return [(cue.start, cue.end) for clip, cue in zip(self.clips, self.mix.cues, strict=True)
                if clip.segment.kind in kinds]

    def pauses(self, kinds: tuple[str, ...], following: tuple[str, ...] = ()) -> list[
            tuple[float, float]]:
        """The pause after each segment of ``kinds`` that a segment of ``following`` (else of
        ``kinds``) follows."""
        pairs = zip(self.clips, self.clips[1:], self.mix.cues, self.mix.cues[1:], strict=False)
        return [(cue.end, after.start) for clip, next_, cue, after in pairs
                if clip.segment.kind in kinds and next_.segment.kind in (following or kinds)]


def articles(count: int = 3) -> list[Article]:
    return [Article(title=f"Headline {n} about the harbour ferry",
                    paragraphs=(f"Story {n} opens: the ferry sails late tonight. It waits on the "
                                "tide.", f"Story {n} goes on: the council met on Monday."),
                    source=f"story-{n}.txt") for n in range(count)]


def make(folder: Path, config: AudioConfig, target: float = 0.0, stories: int = 3) -> Mixed:
    folder.mkdir(parents=True, exist_ok=True)
    script = build_script(articles(stories), Config(audio=config), dt.date(2026, 12, 2))
    clips = synthesize_script(script, FakeEngine(), SegmentCache(folder.parent / "cache"))
    the_mix = audio.mix(clips, script, config, folder, target=target)
    programme = read_wav(the_mix.wav)
    spoken = [(clip.segment.kind, cue) for clip, cue in zip(clips, the_mix.cues, strict=True)]
    bed = lay_bed(config, spoken, len(programme), b"".join(c.speech.pcm for c in clips),
                  CommandRunner())
    alone = np.frombuffer(bed.alone(len(programme)), dtype=np.int16).astype(float)
    return Mixed(the_mix, clips, programme, alone if bed.stretches else None)


@pytest.fixture(scope="module")
def mixes(tmp_path_factory) -> dict[str, Mixed]:
    root = tmp_path_factory.mktemp("mixes")
    return {"bed": make(root / "bed", AudioConfig()),
            "none": make(root / "none", AudioConfig(bed="none"))}


def test_the_bed_plays_in_the_openings_pauses_and_never_in_a_story(mixes):
    mixed = mixes["bed"]
    voice = level(mixed.programme, *mixed.spans("intro")[0])
    (start, end), = mixed.pauses(OPENING)  # between the intro and the rundown
    heard = level(mixed.programme, start + 0.3, end - 0.05)
    assert voice - 10 < heard < voice - 2, (voice, heard)  # up in the pause, under the voice
    story_pauses = mixed.pauses(STORY, IN_A_STORY)
    assert len(story_pauses) >= 8
    for start, end in story_pauses:
        assert level(mixed.programme, start, end) < -60, f"the bed plays at {start:.2f} s"
    first, last = mixed.spans(*STORY)[0][0], mixed.spans(*STORY)[-1][1]
    assert not np.any(mixed.bed[int((first - 0.05) * RATE):int(last * RATE)])


def test_bed_none_leaves_no_bed_anywhere(mixes):
    mixed = mixes["none"]
    assert mixed.bed is None
    gaps = mixed.pauses(OPENING) + mixed.pauses(STORY, (*IN_A_STORY, "outro"))
    assert len(gaps) >= 10
    for start, end in gaps:  # every pause but where a sting plays
        assert level(mixed.programme, start, end) < -60, f"sound at {start:.2f} s"


def test_the_bed_moves_nothing_and_is_all_that_it_adds(mixes):
    bed, none = mixes["bed"], mixes["none"]
    assert bed.mix.cues == none.mix.cues and bed.mix.chapters == none.mix.chapters
    assert bed.mix.duration == none.mix.duration
    added = bed.programme - none.programme
    assert np.max(np.abs(added - bed.bed)) <= 1  # the programme is the same but for the bed
    assert level(bed.bed, 0, bed.mix.duration) > -50


def test_the_bed_ducks_under_the_voice_and_comes_back_up_in_the_pauses(mixes):
    mixed = mixes["bed"]
    under = np.concatenate([mixed.bed[int((s + 0.05) * RATE):int((e - 0.05) * RATE)]
                            for s, e in mixed.spans(*OPENING, "outro")])
    (start, end), = mixed.pauses(OPENING)
    outro_end = mixed.spans("outro")[-1][1]
    up = np.concatenate([mixed.bed[int((start + 0.3) * RATE):int((end - 0.07) * RATE)],
                         mixed.bed[int((outro_end + 0.3) * RATE):-int(1.6 * RATE)]])
    dip = level(up, 0, len(up) / RATE) - level(under, 0, len(under) / RATE)
    assert 15 <= dip <= 27, dip
    # and back up fully in the pause, not just less down: as loud as before the first word
    lead = level(mixed.bed, mixed.spans("intro")[0][0] - 0.3, mixed.spans("intro")[0][0] - 0.07)
    assert abs(level(mixed.bed, start + 0.3, end - 0.07) - lead) < 4


def test_the_bed_fades_out_before_the_first_story(mixes):
    mixed = mixes["bed"]
    rundown_end = mixed.spans("rundown")[-1][1]
    story_start = mixed.spans(*STORY)[0][0]
    playing = np.nonzero(mixed.bed[:int(story_start * RATE)])[0]
    assert rundown_end < playing[-1] / RATE < story_start - 0.05  # ends in the pause before it
    fade = [level(mixed.bed, t, t + 0.1) for t in np.arange(rundown_end, playing[-1] / RATE - 0.1,
                                                           0.1)]
    assert len(fade) >= 3 and fade == sorted(fade, reverse=True)  # down, step by step
    assert level(mixed.bed, rundown_end - 0.5, rundown_end) > -70  # it played under the rundown


def ends_with_the_bed(mixed: Mixed) -> bool:
    """Whether the bed is back-timed: the bed's own last seconds are the programme's last seconds
    (compared where neither the voice nor the final fade changes its level)."""
    shipped = read_wav(REPO / "audio" / "bed.wav")
    first = int((mixed.spans("outro")[-1][1] + 0.3) * RATE) - len(mixed.bed)
    window = slice(max(first, -int(2.6 * RATE)), -int(1.6 * RATE))
    played, source = mixed.bed[window], shipped[window]
    assert len(played) > 0.2 * RATE
    scale = float(np.dot(played, source) / np.dot(source, source))
    return scale > 0 and np.max(np.abs(played - scale * source)) <= 2


def test_the_bed_plays_again_under_the_sign_off_and_ends_with_the_programme(mixes):
    mixed = mixes["bed"]
    last_story_end = mixed.spans(*STORY)[-1][1]
    sign_off = mixed.spans("outro")[0]
    assert level(mixed.bed, *sign_off) > -70  # under the sign-off, ducked
    assert not np.any(mixed.bed[int(last_story_end * RATE):int((last_story_end + 0.05) * RATE)])
    assert np.any(mixed.bed[int(sign_off[0] * RATE) - 1000:int(sign_off[0] * RATE)])
    assert ends_with_the_bed(mixed)
    assert np.max(np.abs(mixed.bed[-int(0.05 * RATE):])) < 50  # faded out, no click at the end


def test_the_mixs_length_is_known_beforehand_with_a_bed(mixes):
    mixed = mixes["bed"]
    stories = len({c.title for c in mixed.mix.chapters}) - 2  # less the intro and the sign-off
    predicted = audio.overhead(AudioConfig())(stories) + sum(
        clip.speech.duration + clip.segment.pause_after for clip in mixed.clips)
    assert abs(predicted - mixed.mix.duration) < 0.002


@pytest.mark.parametrize("later", [1.3, -0.12])
def test_a_target_back_times_the_sign_off_and_its_bed(mixes, tmp_path, later):
    natural = mixes["bed"]
    target = natural.mix.duration + later
    timed = make(tmp_path / "timed", AudioConfig(), target=target)
    assert abs(timed.mix.duration - target) < 0.005
    before = [cue for cue in natural.mix.cues if cue.start < natural.spans("outro")[0][0]]
    assert timed.mix.cues[:len(before)] == tuple(before)  # the stories stay where they were
    moved = timed.spans("outro")[0][0] - natural.spans("outro")[0][0]
    assert abs(moved - later) < 0.005
    assert timed.mix.chapters[-1].end == timed.mix.duration
    assert np.array_equal(timed.bed[-int(1.6 * RATE):], natural.bed[-int(1.6 * RATE):])


def test_an_edition_with_a_bed_ends_on_its_target(tmp_path, runner):
    examples = REPO / "examples"
    config = load_config(examples / "bulletin.toml", Overrides(
        site=tmp_path / "public", cache_dir=tmp_path / "cache", duration="1:15"), environ={})
    assert config.audio.bed == ""  # bulletin's own
    result = edition([str(examples / "kestrel-bay-news.rss")], config, engine=FakeEngine())
    assert result.published and result.short_by == 0
    assert abs(probe_seconds(result.build.mp3, runner) - 75) <= 0.5
    # As heard in the MP3: the bed in the opening's pauses, silence in the stories' pauses.
    episode = result.build.episode
    heard = np.frombuffer(decode_pcm(result.build.mp3, 8000, runner=runner), dtype=np.int16)
    heard = heard.astype(float)
    intro, *stories, _ = episode.chapters
    cues = episode.cues
    gaps = [(a.end, b.start) for a, b in zip(cues, cues[1:], strict=False)]

    def within(chapter):
        return [(s, e) for s, e in gaps if chapter.start <= s and e <= chapter.end]

    opening = within(intro)[:-1]  # (in the last, before the first story, the bed fades out)
    assert opening and all(level(heard, s + 0.3, e - 0.1, 8000) > -45 for s, e in opening), [
        level(heard, s + 0.3, e - 0.1, 8000) for s, e in opening]
    # (the last pause of a story's chapter holds the sting or the bed after it)
    inside = [gap for story in stories for gap in within(story)[:-1]]
    assert len(inside) >= 5
    assert all(level(heard, s + 0.1, e - 0.1, 8000) < -60 for s, e in inside), [
        level(heard, s + 0.1, e - 0.1, 8000) for s, e in inside]


def test_a_bed_of_ones_own_is_looped_under_the_opening(tmp_path, runner):
    custom = tmp_path / "hum.wav"  # two seconds of 330 Hz, stereo at 48 kHz
    runner.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i",
                "sine=frequency=330:duration=2", "-ar", "48000", "-ac", "2", str(custom)])
    mixed = make(tmp_path / "mix", AudioConfig(bed=str(custom)))
    (start, end), = mixed.pauses(OPENING)
    assert start - mixed.spans("intro")[0][0] > 2  # more than the file's length into the bed
    part = mixed.bed[int((start + 0.3) * RATE):int(end * RATE)]
    spectrum = np.abs(np.fft.rfft(part * np.hanning(len(part))))
    assert abs(np.argmax(spectrum) * RATE / len(part) - 330) < 5
    assert level(part, 0, len(part) / RATE) > -40


def test_a_bed_file_missing_or_not_audio_is_refused_naming_it(tmp_path, fake_engine):
    toml = tmp_path / "bulletin.toml"
    toml.write_text('[audio]\nbed = "beds/missing.wav"\n')
    missing = tmp_path / "beds" / "missing.wav"
    article = tmp_path / "a.txt"
    article.write_text("Headline\n\nBody text.\n")
    with pytest.raises(InputError) as refused:
        build([str(article)], load_config(toml), engine=fake_engine)
    assert str(refused.value) == f"{missing}: music bed not found"
    noise = tmp_path / "bed.wav"
    noise.write_bytes(b"this is not audio at all")
    with pytest.raises(InputError) as refused:  # refused before an edition speaks a word
        audio.overhead(AudioConfig(bed=str(noise)))
    message = str(refused.value)
    assert message.startswith(f"{noise}: cannot decode music bed") and "\n" not in message
    assert not (tmp_path / "public" / "feed.xml").exists()


def test_the_bed_setting_is_a_file_beside_the_config_or_none(tmp_path):
    toml = tmp_path / "conf" / "bulletin.toml"
    toml.parent.mkdir()
    toml.write_text("[audio]\nbed = 'music/bed.flac'\n")
    assert load_config(toml, environ={}).audio.bed == str(tmp_path / "conf" / "music" / "bed.flac")
    toml.write_text("[audio]\nbed = 'none'\n")
    assert load_config(toml, environ={}).audio.bed == "none"
    toml.write_text("[audio]\nbed = ''\n")
    assert load_config(toml, environ={}).audio.bed == ""


def test_the_committed_bed_is_what_the_script_makes_and_loops_seamlessly(tmp_path):
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_stings.py"), str(tmp_path)],
                   check=True, capture_output=True)
    assert (tmp_path / "bed.wav").read_bytes() == (REPO / "audio" / "bed.wav").read_bytes()
    bed = read_wav(REPO / "audio" / "bed.wav")
    assert 8 <= len(bed) / RATE <= 30
    steps = np.abs(np.diff(bed))
    assert abs(bed[0] - bed[-1]) <= np.percentile(steps, 99)  # round the loop, no jump
    assert level(bed, 0, 0.5) > -40 and level(bed, len(bed) / RATE - 0.5, len(bed) / RATE) > -40


def test_a_programme_running_over_ends_on_time_with_its_sting_faded_early(mixes, tmp_path):
    natural = mixes["bed"]
    target = natural.mix.duration - 1.0  # more than the pause before the sign-off can give
    timed = make(tmp_path / "timed", AudioConfig(), target=target)
    assert abs(timed.mix.duration - target) < 0.005
    assert timed.mix.chapters[-1].end == timed.mix.duration
    said = timed.spans("outro")[-1]
    assert said[1] - said[0] == pytest.approx(natural.spans("outro")[-1][1]
                                              - natural.spans("outro")[-1][0])  # all said
    assert level(timed.programme, said[1] + 0.3, said[1] + 0.6) > -40  # the sting, then
    assert np.max(np.abs(timed.programme[-int(0.02 * RATE):])) < 100  # faded out, no click
    assert ends_with_the_bed(timed)


def test_back_timing_fills_at_most_the_fits_tolerance(mixes, tmp_path):
    natural = mixes["bed"]
    far = make(tmp_path / "far", AudioConfig(), target=natural.mix.duration + 30)
    # as far as an edition may fall short without saying so (2 s), and no further
    assert abs(far.mix.duration - natural.mix.duration - TOLERANCE) < 0.005
