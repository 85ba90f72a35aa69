"""Stitch clips and stings into one programme and note where every segment and story lands.

In: ``Clip``s in script order, the script's stories, ``Stings``. Out: a pydub ``AudioSegment``
at the mix rate, plus the ``Cue``s (one per segment) and ``Chapter``s (intro, each story with its
address, outro).
Speech is joined once at its own rate, resampled once by ffmpeg, and cut into per-story blocks; the
few appends of stings and blocks are linear in the programme's length. Clips of two readers may
come at two rates: the ones not at the rate most of the speech is at are resampled to it first.
``surround`` says beforehand how long the stings and lead-ins make a programme; ``backtime`` sets
the pause before the sign-off so that a programme ends on a target length, and says how much
``end_early`` is to fade off the outro sting when even the shortest pause leaves it too long.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from pydub import AudioSegment

from ..ffmpeg import resample_pcm
from ..models import Chapter, Clip, Cue, Speech, Story
from ..runner import CommandRunner
from .stings import Stings

LEAD_IN = 0.35  # seconds of silence before speech, so a sting's crossfade overlaps no words
STING_UNDER_VOICE = 4.0  # dB: stings sit this far under the voice's RMS level
# Back-timing moves the sign-off at most LATER seconds later (the fit's TOLERANCE, the time an
# edition may fall short without saying so), and leaves at least SHORTEST_PAUSE before it; a
# programme still too long ends up to EARLIER seconds early, the outro sting fading out over its
# last FADE_OUT seconds.
LATER = 2.0
SHORTEST_PAUSE = 0.25
EARLIER = 1.5
FADE_OUT = 0.6


@dataclass(frozen=True)
class Stitched:
    audio: AudioSegment
    cues: tuple[Cue, ...]
    chapters: tuple[Chapter, ...]


def _resample(pcm: bytes, rate: int, target: int, runner: CommandRunner) -> bytes:
    if rate == target:
        return pcm
    return resample_pcm(pcm, rate, target, runner)


def _at_one_rate(clips: Sequence[Clip], runner: CommandRunner) -> tuple[list[bytes], int]:
    """Each clip's samples at the rate most of the speech is at (the stories' reader's, as a rule),
    and that rate: the few clips of another reader are resampled, each once."""
    samples: dict[int, int] = {}
    for clip in clips:
        rate = clip.speech.sample_rate
        samples[rate] = samples.get(rate, 0) + len(clip.speech.pcm)
    rate = max(samples, key=lambda r: samples[r])
    done: dict[int, bytes] = {}  # id of a Speech: its samples at ``rate`` (repeats come once)

    def at_rate(speech: Speech) -> bytes:
        if id(speech) not in done:
            done[id(speech)] = _resample(speech.pcm, speech.sample_rate, rate, runner)
        return done[id(speech)]

    return [at_rate(clip.speech) for clip in clips], rate


def level_stings(stings: Stings, speech_pcm: bytes) -> Stings:
    """Set the stings' level to sit just under the voice (sting RMS 4 dB below speech RMS,
    peaks no higher than −1 dBFS), so loudness normalisation lifts both alike and the limiter
    never has to crush a sting that was mastered far louder than the engine speaks."""
    voice = AudioSegment(data=speech_pcm, sample_width=2, frame_rate=8000, channels=1).dBFS
    if voice == float("-inf"):
        return stings

    def fit(sting: AudioSegment) -> AudioSegment:
        if sting.dBFS == float("-inf"):
            return sting
        gain = min(voice - STING_UNDER_VOICE - sting.dBFS, -1.0 - sting.max_dBFS)
        return sting.apply_gain(gain)

    return Stings(intro=fit(stings.intro), outro=fit(stings.outro),
                  transition=fit(stings.transition))


def surround(stings: Stings, stories: int, crossfade: float) -> float:
    """Seconds a programme of ``stories`` stories adds around its speech and pauses: the stings,
    the lead-in before each block of speech, less the crossfades where they meet (as ``stitch``
    lays them out: intro, block, then transition and block for each further story, outro)."""
    blocks = max(stories, 1)

    def seconds(sting: AudioSegment) -> float:
        return sting.frame_count() / sting.frame_rate

    return (seconds(stings.intro) + seconds(stings.outro)
            + (blocks - 1) * seconds(stings.transition) + blocks * LEAD_IN
            - 2 * blocks * crossfade)


def backtime(clips: Sequence[Clip], stings: Stings, stories: int, crossfade: float,
             target: float) -> tuple[list[Clip], float]:
    """``clips`` with the pause before the sign-off set so that the programme, as ``stitch``
    lays it out, ends ``target`` seconds from its start (as near as ``LATER`` seconds more and
    ``SHORTEST_PAUSE`` seconds of pause allow), and the seconds it still runs over (at most
    ``EARLIER``), for ``end_early``. Unchanged, and 0, without a target or a sign-off."""
    clips = list(clips)
    first = len(clips)
    while first and clips[first - 1].segment.kind == "outro":
        first -= 1
    if target <= 0 or not 0 < first < len(clips):
        return clips, 0.0
    length = surround(stings, stories, crossfade) + sum(
        clip.speech.duration + clip.segment.pause_after for clip in clips)
    before = clips[first - 1]
    pause = before.segment.pause_after
    wanted = min(max(pause + target - length, min(pause, SHORTEST_PAUSE)), pause + LATER)
    clips[first - 1] = replace(before, segment=replace(before.segment, pause_after=wanted))
    return clips, min(max(0.0, length - target - (pause - wanted)), EARLIER)


def end_early(stitched: Stitched, seconds: float, rate: int) -> Stitched:
    """``stitched`` ending ``seconds`` earlier, but never within ``FADE_OUT`` seconds of its last
    word: the outro sting fades out over its last ``FADE_OUT`` seconds; the last chapter ends
    there."""
    frames = int(stitched.audio.frame_count())
    last_word = stitched.cues[-1].end if stitched.cues else 0.0
    keep = max(frames - int(round(seconds * rate)), int(math.ceil((last_word + FADE_OUT) * rate)))
    if seconds <= 0 or keep >= frames:
        return stitched
    samples = np.frombuffer(stitched.audio.raw_data, dtype=np.int16)[:keep].copy()
    fade = min(int(FADE_OUT * rate), keep)
    gain = 0.5 + 0.5 * np.cos(math.pi * np.arange(1, fade + 1) / fade)  # to silence at the end
    samples[-fade:] = np.rint(samples[-fade:] * gain).astype(np.int16)
    audio = AudioSegment(data=samples.tobytes(), sample_width=2, frame_rate=rate, channels=1)
    chapters = stitched.chapters
    if chapters:
        chapters = (*chapters[:-1], replace(chapters[-1], end=keep / rate))
    return Stitched(audio=audio, cues=stitched.cues, chapters=chapters)


def stitch(clips: Sequence[Clip], stories: Sequence[Story], stings: Stings, rate: int,
           crossfade: float, runner: CommandRunner) -> Stitched:
    """Intro sting, speech (a transition sting between stories), outro sting."""
    pcms, source_rate = _at_one_rate(clips, runner)
    # 1. All speech with its pauses, joined once at the engines' rate; offsets in samples.
    pieces: list[bytes] = []
    offsets: list[tuple[int, int]] = []  # (start, end) of each clip's speech
    position = 0
    for clip, pcm in zip(clips, pcms, strict=True):
        pieces.append(pcm)
        offsets.append((position, position + len(pcm) // 2))
        position += len(pcm) // 2
        silence = int(round(clip.segment.pause_after * source_rate))
        pieces.append(b"\x00\x00" * silence)
        position += silence
    speech = _resample(b"".join(pieces), source_rate, rate, runner)
    stings = level_stings(stings, b"".join(clip.speech.pcm for clip in clips))
    scale = rate / source_rate
    total = len(speech) // 2

    # 2. Cut it into blocks: a new block starts at each story after the first.
    first_segment = {story.segments[0].id for story in stories[1:]}
    cuts = [0] + [int(round(offsets[i][0] * scale)) for i, c in enumerate(clips)
                  if c.segment.id in first_segment] + [total]

    # 3. Lay out stings and blocks, remembering where each block begins.
    lead = AudioSegment.silent(duration=LEAD_IN * 1000, frame_rate=rate)
    fade_ms = int(crossfade * 1000)
    programme = stings.intro
    block_starts: list[tuple[int, int]] = []  # (sample in programme, sample in speech)
    for number, (start, end) in enumerate(zip(cuts, cuts[1:], strict=False)):
        if number > 0:
            programme = programme.append(stings.transition, crossfade=fade_ms)
        block = lead + AudioSegment(data=speech[start * 2:end * 2], sample_width=2,
                                    frame_rate=rate, channels=1)
        at = int(programme.frame_count()) - int(fade_ms * rate / 1000)
        block_starts.append((at + int(LEAD_IN * rate), start))
        programme = programme.append(block, crossfade=fade_ms)
    programme = programme.append(stings.outro, crossfade=fade_ms)

    def place(sample_in_speech: int) -> float:
        """Where a sample of the joined speech ends up in the programme, in seconds."""
        at, start = max((b for b in block_starts if b[1] <= sample_in_speech), key=lambda b: b[1])
        return (at + sample_in_speech - start) / rate

    cues = tuple(
        Cue(text=clip.segment.text, start=place(int(round(s * scale))),
            end=place(int(round(s * scale))) + (e - s) / source_rate)
        for clip, (s, e) in zip(clips, offsets, strict=True)
    )
    by_id = {clip.segment.id: cue for clip, cue in zip(clips, cues, strict=True)}
    duration = programme.frame_count() / rate
    chapters: list[Chapter] = []
    story_starts = [by_id[s.segments[0].id].start for s in stories]
    if story_starts and story_starts[0] > 0.5:
        chapters.append(Chapter("Introduction", 0.0, story_starts[0]))
    outro_start = cues[-1].start if clips[-1].segment.kind == "outro" else duration
    bounds = [*story_starts, outro_start]
    for story, begin, finish in zip(stories, bounds, bounds[1:], strict=False):
        chapters.append(Chapter(story.title, begin if chapters else 0.0, finish, story.url))
    if outro_start < duration:
        chapters.append(Chapter("Sign-off", outro_start, duration))
    return Stitched(audio=programme, cues=cues, chapters=tuple(chapters))
