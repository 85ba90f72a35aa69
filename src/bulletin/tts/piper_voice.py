"""A loaded Piper voice that runs the rewritten graphs of ``piper_graph``: each sentence's noise
drawn from a generator seeded by what is said and how, and the decoder run a chunk of frames at a
time, with as much context each side as it sees.

In: a voice's ``.onnx`` and ``.onnx.json``. Out: 16-bit samples per sentence (``SeededVoice``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError, ToolError
from .piper_graph import FIELD_KEY, MAX_CONTEXT, NOISE_PREFIX, prepared_graphs, stored_graphs

FIRST_GUESS = 1024  # noise values per phoneme id (times the length scale) tried first
MAX_WAV = 32767.0
CHUNK_FRAMES = 128  # decoder frames per pass (about 1.5 s of speech; smaller saves memory)


def noise_seed(phoneme_ids: list[int], scales: np.ndarray) -> int:
    """A seed that depends only on what is said and how."""
    digest = hashlib.sha256(json.dumps([phoneme_ids, scales.tolist()]).encode()).digest()
    return int.from_bytes(digest[:16], "little")


@dataclass(frozen=True)
class Scales:
    noise: float
    length: float
    noise_w: float

    def array(self) -> np.ndarray:
        return np.array([self.noise, self.length, self.noise_w], dtype=np.float32)


class SeededVoice:
    """One loaded voice: Piper's phonemizer plus the rewritten graph(s) in onnxruntime."""

    def __init__(self, model: Path, config: Path, digest: str, store: Path | None = None,
                 threads: int = 1, chunk: int = CHUNK_FRAMES) -> None:
        """Load ``model``; with a ``store`` folder, its rewritten graphs are kept there for reuse.
        ``chunk`` = 0 runs the decoder on whole sentences."""
        import onnxruntime
        from piper import PiperVoice
        from piper.config import PiperConfig

        try:
            sources: list[str] | list[bytes] = (
                [str(p) for p in stored_graphs(model, digest, store)] if store
                else prepared_graphs(model))
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            options.log_severity_level = 4  # failures come back as exceptions, with their message
            sessions = [onnxruntime.InferenceSession(s, sess_options=options,
                                                     providers=["CPUExecutionProvider"])
                        for s in sources]
            del sources
            settings = json.loads(config.read_text(encoding="utf-8"))
            self.piper = PiperVoice(config=PiperConfig.from_dict(settings), session=sessions[0])
        except (InputError, ToolError):
            raise
        except Exception as exc:  # onnxruntime and json raise their own types
            raise ToolError(f"piper: cannot load voice {model.name}: {exc}") from None
        self.front = sessions[0]
        self.decoder = sessions[1] if len(sessions) == 2 else None
        self.chunk, self.context = chunk, 0
        if self.decoder is not None and chunk:
            field = int(self.decoder.get_modelmeta().custom_metadata_map[FIELD_KEY])
            self.context = field + 1  # a frame to spare
            if self.context > MAX_CONTEXT:
                self.chunk = 0
        self.noise_inputs = tuple(i.name for i in self.front.get_inputs()
                                  if i.name.startswith(NOISE_PREFIX))
        self.sample_rate: int = self.piper.config.sample_rate

    def default_scales(self) -> Scales:
        c = self.piper.config
        return Scales(noise=c.noise_scale, length=c.length_scale, noise_w=c.noise_w_scale)

    def sentences(self, text: str) -> list[list[int]]:
        """Piper's phoneme ids for each sentence of ``text``."""
        return [self.piper.phonemes_to_ids(ph) for ph in self.piper.phonemize(text) if ph]

    def speak_sentence(self, ids: list[int], scales: Scales) -> np.ndarray:
        """16-bit samples of one sentence; the same ids and scales always give the same samples."""
        scale_array = scales.array()
        seed = noise_seed(ids, scale_array)
        feed: dict[str, np.ndarray] = {
            "input": np.array([ids], dtype=np.int64),
            "input_lengths": np.array([len(ids)], dtype=np.int64),
            "scales": scale_array,
        }
        if self.piper.config.num_speakers > 1:
            feed["sid"] = np.array([self.piper.config.default_speaker_id or 0], dtype=np.int64)
        length = int(len(ids) * FIRST_GUESS * max(1.0, scales.length))
        while True:
            for name in self.noise_inputs:
                # One stream per input; a longer draw starts with the same values as a shorter one.
                rng = np.random.default_rng([seed, int(name.rsplit("_", 1)[1])])
                feed[name] = rng.standard_normal(length, dtype=np.float32)
            try:
                out = self.front.run(None, feed)[0]
                break
            except Exception as exc:  # onnxruntime's own exception types
                if NOISE_PREFIX in str(exc) and length < 1 << 28:
                    length *= 4  # the sentence needed more noise than the first guess
                    continue
                raise ToolError(f"piper: synthesis failed: {exc}") from None
        audio = self._decode(out).squeeze() if self.decoder is not None else out.squeeze()
        return np.clip(audio * MAX_WAV, -MAX_WAV, MAX_WAV).astype(np.int16)

    def _decode(self, frames: np.ndarray) -> np.ndarray:
        """The decoder over ``frames`` ([1, channels, n]), a chunk at a time with context."""
        assert self.decoder is not None
        name = self.decoder.get_inputs()[0].name
        total = frames.shape[2]
        step = self.chunk or total
        pieces: list[np.ndarray] = []
        try:
            for start in range(0, total, step):
                stop = min(total, start + step)
                low, high = max(0, start - self.context), min(total, stop + self.context)
                out = self.decoder.run(None, {name: np.ascontiguousarray(
                    frames[:, :, low:high])})[0].reshape(-1)
                hop = len(out) // (high - low)
                if hop * (high - low) != len(out):
                    raise ToolError("piper: the decoder's output is not whole frames")
                pieces.append(out[(start - low) * hop:(stop - low) * hop])
        except ToolError:
            raise
        except Exception as exc:  # onnxruntime's own exception types
            raise ToolError(f"piper: synthesis failed: {exc}") from None
        return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
