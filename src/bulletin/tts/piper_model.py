"""A Piper voice whose randomness is chosen by us, so the same text always sounds the same.

A Piper (VITS) voice draws Gaussian noise inside its ONNX graph (``RandomNormalLike`` nodes) to vary
its durations and timbre. onnxruntime seeds those nodes once per session, so what one sentence
sounds like would depend on every sentence spoken before it in that process: a serial run and a
parallel run, or a cached and a fresh segment, would then differ. ``seeded_graph`` rewrites each
such node, once at load, into a slice of a new graph input; ``SeededVoice.speak`` fills those
inputs with noise drawn from a generator seeded by the sentence's phonemes and scales. The noise
keeps its distribution (standard normal, scaled by the voice's ``noise_scale`` and ``noise_w``), so
the voice keeps its natural variation; it just no longer depends on what ran before.

In: a voice's ``.onnx`` and ``.onnx.json``. Out: 16-bit PCM per text (``SeededVoice.speak``).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ToolError

NOISE_PREFIX = "bulletin_noise"
FIRST_GUESS = 4096  # noise values per phoneme id (times the length scale) tried first
MAX_WAV = 32767.0


def seeded_graph(model: Path) -> bytes:
    """The voice's graph with every RandomNormalLike node fed from a new 1-D input.

    Each node ``y = RandomNormalLike(x)`` becomes
    ``y = Reshape(Slice(noise_i, 0, Size(x)), Shape(x))``: the first ``Size(x)`` values of the
    input ``noise_i``, in ``x``'s shape. Returns the serialised model.
    """
    import onnx
    from onnx import TensorProto, helper

    proto = onnx.load(str(model))
    graph = proto.graph
    nodes: list[Any] = []
    inputs: list[str] = []
    for node in graph.node:
        if node.op_type != "RandomNormalLike":
            nodes.append(node)
            continue
        dtype = next((helper.get_attribute_value(a) for a in node.attribute if a.name == "dtype"),
                     TensorProto.FLOAT)
        if dtype != TensorProto.FLOAT:
            raise ToolError(f"piper: {model.name} draws non-float noise; cannot seed it")
        source = f"{NOISE_PREFIX}_{len(inputs)}"
        inputs.append(source)
        graph.input.append(helper.make_tensor_value_info(source, TensorProto.FLOAT,
                                                         [f"{source}_length"]))
        p = f"{source}/"
        graph.initializer.extend([helper.make_tensor(p + "zero", TensorProto.INT64, [1], [0]),
                                  helper.make_tensor(p + "one", TensorProto.INT64, [1], [1])])
        nodes.extend([
            helper.make_node("Shape", [node.input[0]], [p + "shape"], name=p + "Shape"),
            helper.make_node("Size", [node.input[0]], [p + "size"], name=p + "Size"),
            helper.make_node("Reshape", [p + "size", p + "one"], [p + "end"], name=p + "End"),
            helper.make_node("Slice", [source, p + "zero", p + "end"], [p + "flat"],
                             name=p + "Slice"),
            helper.make_node("Reshape", [p + "flat", p + "shape"], [node.output[0]],
                             name=p + "Reshape"),
        ])
    del graph.node[:]
    graph.node.extend(nodes)
    if not inputs:
        raise ToolError(f"piper: {model.name} has no noise nodes; not a Piper voice?")
    return proto.SerializeToString()


def stored_seeded_graph(model: Path, digest: str, store: Path) -> Path:
    """``seeded_graph`` of ``model``, written once into ``store`` and reused after.

    Loading a model by path takes about half the memory of loading it from bytes, and the rewrite
    is done once per voice rather than once per process. Processes starting together take turns.
    """
    target = store / f"seeded-{digest}.onnx"
    if target.is_file():
        return target
    store.mkdir(parents=True, exist_ok=True)
    with (store / f".seeded-{digest}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.is_file():
            fd, tmp = tempfile.mkstemp(dir=store, prefix=".tmp-", suffix=".onnx")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(seeded_graph(model))
                os.chmod(tmp, 0o644)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
    return target


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
    """One loaded voice: phonemizer (Piper's own) plus the rewritten graph in onnxruntime."""

    def __init__(self, model: Path, config: Path, digest: str, store: Path | None = None,
                 threads: int = 1) -> None:
        """Load ``model``; with a ``store`` folder, its rewritten graph is kept there for reuse."""
        import onnxruntime
        from piper import PiperVoice
        from piper.config import PiperConfig

        try:
            source: str | bytes = (str(stored_seeded_graph(model, digest, store)) if store
                                   else seeded_graph(model))
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            options.log_severity_level = 4  # failures come back as exceptions, with their message
            session = onnxruntime.InferenceSession(source, sess_options=options,
                                                   providers=["CPUExecutionProvider"])
            del source
            self.noise_inputs = tuple(i.name for i in session.get_inputs()
                                      if i.name.startswith(NOISE_PREFIX))
            settings = json.loads(config.read_text(encoding="utf-8"))
            self.piper = PiperVoice(config=PiperConfig.from_dict(settings), session=session)
        except ToolError:
            raise
        except Exception as exc:  # onnx, onnxruntime and json raise their own types
            raise ToolError(f"piper: cannot load voice {model.name}: {exc}") from None
        self.session = session
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
                audio = self.session.run(None, feed)[0].squeeze()
                break
            except Exception as exc:  # onnxruntime's own exception types
                if NOISE_PREFIX in str(exc) and length < 1 << 28:
                    length *= 4  # the sentence needed more noise than the first guess
                    continue
                raise ToolError(f"piper: synthesis failed: {exc}") from None
        audio = np.clip(audio * MAX_WAV, -MAX_WAV, MAX_WAV)
        return audio.astype(np.int16)
