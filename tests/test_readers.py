"""Two readers: [voice.headlines] reads the intro, rundown, headlines, transitions and sign-off,
[voice] the stories; each reader's speech is cached apart, and the mix joins their clips even when
they speak at different sample rates."""

from __future__ import annotations

import datetime as dt
import json
import math
import struct
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from bulletin import audio
from bulletin.articles import read_articles
from bulletin.config import HeadlinesVoiceConfig, Overrides, VoiceConfig, load_config
from bulletin.errors import InputError
from bulletin.models import Script, Segment, SegmentKind, Speech, Story
from bulletin.pipeline import build, edition
from bulletin.script import build_script
from bulletin.tts import SegmentCache, get_engine, headlines_engine, synthesize_script
from bulletin.tts.piper_engine import voice_files
from conftest import FakeEngine

STORIES = ("Ferry returns", "The ferry sails again in April.", "Crews will be hired.")
OTHER = ("Storm warning", "Gales are expected tonight.")
NOW = dt.datetime(2026, 1, 2, 18, tzinfo=dt.UTC)
AROUND = {SegmentKind.INTRO, SegmentKind.RUNDOWN, SegmentKind.HEADLINE, SegmentKind.TRANSITION,
          SegmentKind.OUTRO}


class Tone(FakeEngine):
    """A fake reader that says every text as a steady tone of its own pitch, at its own sample
    rate, and remembers what it was asked to say."""

    def __init__(self, pitch: int, rate: int) -> None:
        super().__init__()
        self.pitch, self.sample_rate = pitch, rate

    @property
    def identity(self) -> str:
        return f"tone {self.pitch} Hz at {self.sample_rate} Hz"

    def synthesize(self, text: str) -> Speech:
        self.calls.append(text)
        frames = int((0.2 + 0.03 * len(text)) * self.sample_rate)
        samples = (int(8000 * math.sin(2 * math.pi * self.pitch * n / self.sample_rate))
                   for n in range(frames))
        return Speech(pcm=struct.pack(f"<{frames}h", *samples), sample_rate=self.sample_rate)


@pytest.fixture
def two_articles(write_article) -> list[str]:
    return [str(write_article("a.txt", *STORIES)), str(write_article("b.txt", *OTHER))]


def a_script(sources: list[str]) -> Script:
    script = build_script(read_articles(sources), load_config(environ={}), NOW.date())
    assert {segment.kind for segment in script.segments} == AROUND | {SegmentKind.BODY}
    return script


def config_in(tmp_path: Path, toml: str = "", **overrides: object):
    path = tmp_path / "bulletin.toml"
    path.write_text(toml)
    return load_config(path, Overrides(site=tmp_path / "public", cache_dir=tmp_path / "cache",
                                       **overrides), environ={})


def spoken(script: Script, kinds: set[SegmentKind]) -> set[str]:
    return {segment.spoken for segment in script.segments if segment.kind in kinds}


def test_the_headlines_reader_reads_all_but_the_stories(two_articles, tmp_path):
    script = a_script(two_articles)
    stories, headlines = Tone(300, 22050), Tone(440, 16000)
    clips = synthesize_script(script, stories, SegmentCache(tmp_path / "c"), headlines=headlines)
    assert set(headlines.calls) == spoken(script, AROUND)
    assert set(stories.calls) == spoken(script, {SegmentKind.BODY})
    for clip in clips:  # each clip as its reader spoke it
        rate = 22050 if clip.segment.kind == SegmentKind.BODY else 16000
        assert clip.speech.sample_rate == rate and not clip.cached


def test_without_a_headlines_table_one_reader_reads_everything(two_articles, tmp_path):
    config = config_in(tmp_path)
    assert headlines_engine(config.voice) is None
    script = a_script(two_articles)
    only = Tone(300, 22050)
    result = build(two_articles, config, engine=only, clock=lambda: NOW)
    assert set(only.calls) == {segment.spoken for segment in script.segments}
    assert result.mp3.is_file() and result.synthesized == len(only.calls)


def test_a_build_gives_each_reader_its_segments_and_publishes(two_articles, tmp_path):
    config = config_in(tmp_path)
    script = a_script(two_articles)
    stories, headlines = Tone(300, 22050), Tone(440, 16000)
    result = build(two_articles, config, engine=stories, headlines=headlines, clock=lambda: NOW)
    assert set(headlines.calls) == spoken(script, AROUND)
    assert set(stories.calls) == spoken(script, {SegmentKind.BODY})
    assert result.mp3.is_file() and result.segments == len(script.segments)


def test_an_edition_gives_each_reader_its_segments(tmp_path):
    feed = tmp_path / "news.rss"
    items = "".join(
        f"<item><title>{title}</title><guid isPermaLink='false'>n{n}</guid>"
        f"<description>{' '.join(body)}</description></item>"
        for n, (title, *body) in enumerate((STORIES, OTHER)))
    feed.write_text("<?xml version='1.0'?><rss version='2.0'><channel><title>Courier</title>"
                    f"<link>https://courier.example/</link><description>News</description>{items}"
                    "</channel></rss>")
    config = config_in(tmp_path, duration="0")
    stories, headlines = Tone(300, 22050), Tone(440, 16000)
    result = edition([str(feed)], config, engine=stories, headlines=headlines)
    assert result.published
    said_by_stories = " ".join(stories.calls)
    assert "ferry sails again" in said_by_stories and "Gales" in said_by_stories
    assert not any("ferry sails again" in text for text in headlines.calls)
    assert any(text.startswith("Ferry returns") for text in headlines.calls)  # its headline
    assert len(headlines.calls) >= 5  # intro, rundown, two headlines, a transition, sign-off


def dominant_pitch(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[int(np.argmax(spectrum))])


def test_readers_at_different_sample_rates_keep_their_pitch_and_length_in_the_mix(
        two_articles, tmp_path, runner):
    script = a_script(two_articles)
    stories, headlines = Tone(300, 22050), Tone(440, 16000)
    clips = synthesize_script(script, stories, SegmentCache(tmp_path / "c"), headlines=headlines)
    config = config_in(tmp_path).audio
    the_mix = audio.mix(clips, script, config, tmp_path, runner)
    with wave.open(str(the_mix.wav)) as wav:
        rate = wav.getframerate()
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(float)
    assert rate == config.sample_rate
    for clip, cue in zip(clips, the_mix.cues, strict=True):
        assert cue.end - cue.start == pytest.approx(clip.speech.duration, abs=0.01)
        inside = samples[int((cue.start + 0.05) * rate):int((cue.end - 0.05) * rate)]
        pitch = 300 if clip.segment.kind == SegmentKind.BODY else 440
        assert dominant_pitch(inside, rate) == pytest.approx(pitch, abs=5), clip.segment.id


def test_the_same_text_is_cached_apart_for_each_reader(tmp_path):
    greeting = "Good evening."
    segments = (Segment("001-intro", "intro", greeting, greeting),
                Segment("002-body", "body", greeting, greeting))
    script = Script("t", dt.date(2026, 1, 2), (Story("t", None, segments[1:]),), segments, "k")
    cache = SegmentCache(tmp_path / "c")
    stories, headlines = Tone(300, 22050), Tone(440, 16000)
    first = synthesize_script(script, stories, cache, headlines=headlines)
    assert (stories.calls, headlines.calls) == ([greeting], [greeting])
    assert [clip.speech.sample_rate for clip in first] == [16000, 22050]
    assert cache.info().entries == 2
    again = synthesize_script(script, stories, cache, headlines=headlines)
    assert [clip.cached for clip in again] == [True, True]
    assert [clip.speech for clip in again] == [clip.speech for clip in first]
    assert (len(stories.calls), len(headlines.calls)) == (1, 1)  # nothing spoken again
    alone = synthesize_script(script, stories, cache)  # one reader: its entry serves both
    assert [clip.speech.sample_rate for clip in alone] == [22050, 22050]
    assert len(stories.calls) == 1


def test_every_engine_identity_carries_its_engine_voice_and_speed(tmp_path):
    model, settings = voice_files("")
    (tmp_path / "other.onnx").symlink_to(model)
    (tmp_path / "other.onnx.json").write_bytes(settings.read_bytes())
    readers = [VoiceConfig(), VoiceConfig(voice=str(tmp_path / "other.onnx")),
               VoiceConfig(speed=1.2), VoiceConfig(engine="espeak"),
               VoiceConfig(engine="espeak", voice="en-gb"),
               VoiceConfig(engine="espeak", speed=1.2), VoiceConfig(engine="gtts"),
               VoiceConfig(engine="gtts", voice="fr")]
    identities = [get_engine(reader).identity for reader in readers]
    assert len(set(identities)) == len(readers)
    for reader, identity in zip(readers, identities, strict=True):
        assert identity.startswith(reader.engine)


def test_headlines_settings_left_out_are_the_voice_tables(tmp_path):
    model, settings = voice_files("")
    (tmp_path / "other.onnx").symlink_to(model)
    (tmp_path / "other.onnx.json").write_bytes(settings.read_bytes())
    base = '[voice]\nengine = "espeak"\nvoice = "en-gb"\nspeed = 1.2\n'
    same = headlines_engine(config_in(tmp_path, base + "[voice.headlines]\nspeed = 1.4\n").voice)
    assert "voice=en-gb" in same.identity and f"rate={round(175 * 1.4)}" in same.identity
    other = headlines_engine(config_in(
        tmp_path, base + f'[voice.headlines]\nengine = "piper"\nvoice = "{tmp_path}/other.onnx"\n'
    ).voice)
    assert "voice=other:" in other.identity and "speed=1.2" in other.identity
    default = headlines_engine(config_in(tmp_path, base + '[voice.headlines]\nengine = "piper"\n')
                               .voice)
    assert "voice=en_US-joe-medium:" in default.identity  # an espeak voice is not Piper's
    assert headlines_engine(config_in(tmp_path, base + "[voice.headlines]\nspeed = 1.2\n")
                            .voice) is None  # the very same reader: one reads all


@pytest.mark.parametrize("table, message", [
    ('engine = "marvin"',
     "voice.headlines.engine: unknown engine 'marvin' (valid engines: espeak, gtts, piper)"),
    ("speed = 9", "voice.headlines.speed = 9.0: must be between 0.25 and 4"),
    ("volume = 2", "voice.headlines: unknown key 'volume' (valid: engine, speed, voice)"),
    ('engine = "espeak"\nvoice = "xx-nobody"', "voice.headlines: espeak voice 'xx-nobody': "
                                               "espeak-ng has no such voice"),
    ('engine = "espeak"\nspeed = 3', "voice.headlines: voice speed 3.0: espeak speaks between"),
    ('voice = "missing.onnx"', "voice.headlines: piper voice 'missing.onnx': no such file"),
])
def test_a_bad_headlines_setting_is_refused_naming_it(cli, write_article, table, message):
    Path("bulletin.toml").write_text(f"[voice.headlines]\n{table}\n")
    result = cli("build", write_article("a.txt", *STORIES))
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert not Path("public", "feed.xml").exists()


def test_an_unknown_headlines_engine_is_an_input_error_listing_the_valid_ones():
    with pytest.raises(InputError, match=r"^voice\.headlines\.engine: unknown engine 'x' "
                                         r"\(valid engines: espeak, gtts, piper\)$"):
        headlines_engine(VoiceConfig(headlines=HeadlinesVoiceConfig(engine="x")))


def test_piper_with_espeak_headlines_builds_an_mp3(two_articles, tmp_path):
    config = config_in(tmp_path, '[voice.headlines]\nengine = "espeak"\nvoice = "en-gb"\n')
    result = build(two_articles, config, clock=lambda: NOW)  # its own, empty cache
    info = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-of", "json", "-show_format", str(result.mp3)],
        capture_output=True, check=True).stdout)
    assert info["format"]["format_name"] == "mp3"
    assert float(info["format"]["duration"]) == pytest.approx(result.episode.duration, abs=0.1)

    script = a_script(two_articles)
    piper, espeak = get_engine(config.voice), headlines_engine(config.voice)
    assert espeak is not None and espeak.name == "espeak"
    cache = SegmentCache(config.cache_root)
    assert cache.info().entries == result.synthesized == len(script.segments)
    for segment in script.segments:  # each segment was spoken, and cached, by its reader only
        mine, theirs = (piper, espeak) if segment.kind == SegmentKind.BODY else (espeak, piper)
        assert cache.get(cache.key(mine.identity, segment.spoken)) is not None, segment.id
        assert cache.get(cache.key(theirs.identity, segment.spoken)) is None, segment.id
