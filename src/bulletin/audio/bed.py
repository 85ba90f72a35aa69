"""The music bed under the opening and the sign-off, ducked under the voice.

In: the audio settings (``[audio] bed``: a file, "" for bulletin's own ``audio/bed.wav``, "none"
for no bed), where every segment of the programme is spoken (its kind and ``Cue``), the
programme's length in samples and the speech. Out: ``lay_bed(...)`` → ``Bed``, the ducked bed as
stretches of samples to lay under the programme (``Bed.under``), or to hear alone
(``Bed.alone``); an empty ``Bed`` when there is none.

Where it plays. The opening: from ``LEAD`` seconds before the first word of the intro, under the
intro and the rundown, the bed's own start first (looped when the opening is longer); after the
rundown's last word it stays down and fades out, silent ``GUARD`` seconds before the first story.
The sign-off: from ``GUARD`` seconds after the last story's last word it fades in, plays under the
sign-off and the outro sting, and is back-timed: the bed's own end (bulletin's resolves on the
tonic) lands on the programme's last sample, its beginning looped in front when the sign-off is
longer, fading out over the last ``END_FADE`` seconds. Never under a story. The bed adds samples
under the programme and never changes its length, so the cues, the chapters and the length the
fit predicts (``stitch.surround``) stay exact.

How it ducks. The mix knows to the sample where every segment is spoken, so the bed is ducked by
a gain envelope keyed to those spans rather than by a compressor listening to the voice: ``DUCK``
dB down from ``ATTACK`` seconds before each segment's first word (a look-ahead a compressor cannot
have, so no first syllable is heard over a bed still up) and back up over ``RELEASE`` seconds
after its last, up in the pauses. A sidechain compressor's dip depends on how far the voice
rises over its threshold: it would differ from engine to engine and voice to voice, and pump
between words inside a sentence. The envelope dips the same 21 dB under every voice, holds
through a sentence, and gives the same samples on every run (which the store of encoded
programmes relies on).

The bed's level follows the voice, as the stings' does: its RMS ``BED_UNDER_VOICE`` dB under the
speech's, its peaks no higher than −1 dBFS. The bed file is decoded and resampled by ffmpeg, as
the stings are; laying it under the programme, already PCM in memory, is a sum of samples, done
here with numpy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pydub import AudioSegment

from ..config import AudioConfig
from ..models import Cue
from ..runner import CommandRunner
from .stings import load_sound

OFF = "none"  # [audio] bed = "none": no bed
OPENING = frozenset({"intro", "rundown"})
SIGN_OFF = "outro"
BED_UNDER_VOICE = 6.0  # dB: the bed's RMS in the pauses, under the speech's RMS
PEAK = -1.0  # dBFS: the bed's highest peak, at most
DUCK = 21.0  # dB the bed goes down under speech (the issue asks for about 18 to 24)
ATTACK = 0.06  # seconds: down before the first word
RELEASE = 0.25  # seconds: back up after the last
LEAD = 0.8  # seconds the opening bed fades in before the first word
GUARD = 0.08  # seconds of silence between the bed and a story's first or last word
END_FADE = 1.5  # seconds the sign-off bed fades out over, ending with the programme
SHORTEST_FADE = 0.02  # seconds: no fade shorter, so no edge clicks


@dataclass(frozen=True)
class Bed:
    """The ducked bed: (first sample, samples at full scale 1.0) for each stretch it plays."""

    stretches: tuple[tuple[int, np.ndarray], ...] = ()

    def under(self, pcm: bytes) -> bytes:
        """``pcm`` (the programme, 16-bit mono) with the bed added under it."""
        if not self.stretches:
            return pcm
        out = np.frombuffer(pcm, dtype=np.int16).copy()
        for start, samples in self.stretches:
            part = out[start:start + len(samples)]
            mixed = part + np.rint(samples[:len(part)] * 32767)
            out[start:start + len(part)] = np.clip(mixed, -32768, 32767)
        return out.tobytes()

    def alone(self, frames: int) -> bytes:
        """The ducked bed by itself, as 16-bit mono PCM of ``frames`` samples: the programme's
        length, silent where the bed does not play."""
        return self.under(bytes(2 * frames))


def lay_bed(config: AudioConfig, spoken: Sequence[tuple[str, Cue]], frames: int,
            speech_pcm: bytes, runner: CommandRunner) -> Bed:
    """The bed of a programme of ``frames`` samples at ``config.sample_rate`` whose segments are
    ``spoken`` (each segment's kind and cue, in order), levelled to its speech ``speech_pcm``;
    ``InputError`` naming the bed file when it cannot be read."""
    if config.bed == OFF:
        return Bed()
    rate = config.sample_rate
    pcm = load_sound(config.bed, "bed", "music bed", rate, runner)
    gain = _gain(pcm, speech_pcm)
    if not gain or not spoken:
        return Bed()
    bed = np.frombuffer(pcm, dtype=np.int16)
    kinds = [kind for kind, _ in spoken]
    cues = [cue for _, cue in spoken]
    opening = next((n for n, kind in enumerate(kinds) if kind not in OPENING), len(kinds))
    closing = len(kinds) - next((n for n, kind in enumerate(reversed(kinds)) if kind != SIGN_OFF),
                                len(kinds))
    stretches = []
    if opening:
        start = max(0, _at(cues[0].start - LEAD, rate))
        end = _at(cues[opening].start - GUARD, rate) if opening < len(cues) else frames
        spans = [(cue.start, cue.end) for cue in cues[:opening]]
        spans[-1] = (spans[-1][0], end / rate)  # down from the last word until it has faded
        fades = [(start / rate, cues[0].start - ATTACK, True),
                 (cues[opening - 1].end, end / rate, False)]
        stretches.append(_stretch(bed, gain, start, end, rate, spans, fades, back_timed=False))
    if closing < len(cues):
        start = _at(cues[closing - 1].end + GUARD, rate) if closing else 0
        spans = [(cue.start, cue.end) for cue in cues[closing:]]
        fades = [(start / rate, cues[closing].start - ATTACK, True),
                 (frames / rate - END_FADE, frames / rate, False)]
        stretches.append(_stretch(bed, gain, start, frames, rate, spans, fades, back_timed=True))
    return Bed(tuple((start, samples) for start, samples in stretches if len(samples)))


def _at(seconds: float, rate: int) -> int:
    return int(round(seconds * rate))


def _gain(bed_pcm: bytes, speech_pcm: bytes) -> float:
    """What to multiply the bed's samples by for a full scale of 1.0, its RMS ``BED_UNDER_VOICE``
    dB under the voice's and its peaks under ``PEAK``; 0 when either is silent."""
    voice, bed = (AudioSegment(data=pcm, sample_width=2, frame_rate=8000, channels=1)
                  for pcm in (speech_pcm, bed_pcm))
    if voice.rms == 0 or bed.rms == 0:
        return 0.0
    level = min(voice.dBFS - BED_UNDER_VOICE - bed.dBFS, PEAK - bed.max_dBFS)
    return 10 ** (level / 20) / 32768


def _stretch(bed: np.ndarray, gain: float, start: int, end: int, rate: int,
             spans: Sequence[tuple[float, float]], fades: Sequence[tuple[float, float, bool]],
             back_timed: bool) -> tuple[int, np.ndarray]:
    """The bed (times ``gain``) from sample ``start`` to ``end``: looped from its beginning, or
    (``back_timed``) ending with its own end; ducked under ``spans`` and faded (``fades``: from,
    to, rising)."""
    count = max(0, end - start)
    if not count:
        return start, np.zeros(0)
    index = np.arange(count) - (count if back_timed else 0)  # back-timed: the last sample is -1
    samples = bed[index % len(bed)] * gain
    when = (start + np.arange(count)) / rate
    down = np.zeros(count)  # dB
    for first, last in spans:
        falling = np.clip((when - (first - ATTACK)) / ATTACK, 0.0, 1.0)
        rising = np.clip((last + RELEASE - when) / RELEASE, 0.0, 1.0)
        down = np.minimum(down, -DUCK * np.minimum(falling, rising))
    envelope = 10 ** (down / 20)
    for begin, finish, rising_ in fades:
        length = max(finish - begin, SHORTEST_FADE)
        if rising_:
            part = np.clip((when - begin) / length, 0.0, 1.0)
        else:
            part = np.clip((finish - when) / length, 0.0, 1.0)
        envelope *= 0.5 - 0.5 * np.cos(math.pi * part)
    return start, samples * envelope
