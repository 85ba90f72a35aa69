"""A Piper voice's ONNX graph, rewritten once so that a voice says the same text the same way every
time, in bounded memory; the rewritten graphs are stored for every later process to load.

Two changes to the voice's ONNX graph, made once when a voice is first used:

1. Seeded noise. A Piper (VITS) voice draws Gaussian noise inside its graph (``RandomNormalLike``)
   to vary durations and timbre. onnxruntime seeds those nodes once per session, so a sentence
   would sound different depending on what the process spoke before it: a parallel run would not
   match a serial one, nor a cached segment a fresh one. Each such node becomes a slice of a new
   graph input, which ``SeededVoice`` fills with standard normal noise from a generator seeded by
   the sentence's phonemes and scales. The distribution is unchanged (scaled by the voice's
   ``noise_scale`` and ``noise_w``), so the voice keeps its natural variation.
2. A split before the waveform decoder. The decoder's activations grow with the sentence (the
   bundled voice needs about 450 MB for a 15-second sentence), so it is run on chunks of frames
   with context on each side as wide as its receptive field, measured once when the graph is
   rewritten (11 frames for the bundled voice, plus one to spare; a decoder that sees further than
   ``MAX_CONTEXT`` frames runs in one pass). The samples match one pass to within float
   rounding (about 1e-7; a test checks that 16-bit samples differ by at most one step), memory
   stays flat whatever the sentence's length, and it is no slower than one pass (the extra
   context costs about what a smaller working set saves). Chunks of 128 frames are the choice:
   256 measured about 3 % less CPU but 58 MB more per worker, which the 600 MB target for a
   build cannot spare with two workers; 64 measured 5 % more CPU. The text encoder, durations and
   flow still see the whole sentence, so prosody is unchanged.

In: a voice's ``.onnx``. Out: ``stored_graphs(model, digest, store)``, the paths of the rewritten
graphs (front and decoder, or the whole graph when it cannot be split), the decoder carrying its
measured receptive field (``FIELD_KEY``) in its metadata. ``piper_voice`` runs them.
"""

from __future__ import annotations

import fcntl
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, ToolError
from ..fileio import atomic_write_bytes

NOISE_PREFIX = "bulletin_noise"
MAX_CONTEXT = 64  # frames of context at most; a decoder that sees further runs in one pass
GRAPH_SCHEME = "v3"  # names the stored graphs; changes when the rewriting changes
FIELD_KEY = "bulletin_receptive_field"  # the decoder graph's metadata: frames it sees each side


def seeded_graph(proto: Any, name: str = "") -> None:
    """Rewrite ``proto`` in place: every RandomNormalLike node is fed from a new 1-D input; a
    graph that cannot be seeded is not a Piper voice: ``InputError`` naming ``name``.

    ``y = RandomNormalLike(x)`` becomes ``y = Reshape(Slice(noise_i, 0, Size(x)), Shape(x))``: the
    first ``Size(x)`` values of the input ``noise_i``, in ``x``'s shape.
    """
    from onnx import TensorProto, helper

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
            raise InputError(f"piper voice {name}: the voice draws non-float noise; "
                             "cannot seed it")
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
    if not inputs:
        raise InputError(f"piper voice {name}: the voice has no noise nodes; "
                         "not a Piper voice?")
    del graph.node[:]
    graph.node.extend(nodes)


def split_decoder(proto: Any) -> tuple[Any, Any] | None:
    """(everything up to the decoder's input, the decoder), or None when the graph does not name
    its decoder (``/dec/...`` nodes, as Piper's exporter writes them) with a single input."""
    from onnx.utils import Extractor

    graph = proto.graph
    made_in_dec = {o for n in graph.node if n.name.startswith("/dec/") for o in n.output}
    weights = {i.name for i in graph.initializer}
    fed_from_outside = {i for n in graph.node if n.name.startswith("/dec/") for i in n.input
                        if i and i not in made_in_dec and i not in weights}
    if len(fed_from_outside) != 1 or len(graph.output) != 1:
        return None
    middle = fed_from_outside.pop()
    extractor = Extractor(proto)
    front = extractor.extract_model([i.name for i in graph.input], [middle])
    decoder = extractor.extract_model([middle], [graph.output[0].name])
    if [i.name for i in decoder.graph.input] != [middle]:
        return None
    first = next((n for n in decoder.graph.node if middle in n.input), None)
    weights = {w.name: w for w in decoder.graph.initializer}
    if first is None or first.op_type != "Conv" or first.input[1] not in weights:
        return None
    # Name the decoder's input shape, [1, channels, frames], so a loaded voice can probe it.
    channels = weights[first.input[1]].dims[1]
    shape = decoder.graph.input[0].type.tensor_type.shape
    del shape.dim[:]
    for size in (1, channels, None):
        dim = shape.dim.add()
        if size is None:
            dim.dim_param = "frames"
        else:
            dim.dim_value = size
    return front, decoder


def prepared_graphs(model: Path) -> list[bytes]:
    """[front, decoder] (or [whole graph] when it cannot be split), serialised."""
    import onnx

    try:
        proto = onnx.load(str(model))
    except Exception as exc:  # protobuf's and onnx's own types
        raise InputError(f"piper voice {model}: not an ONNX model ({type(exc).__name__})") from None
    seeded_graph(proto, str(model))
    parts = split_decoder(proto)
    if not parts:
        return [proto.SerializeToString()]
    front, decoder = parts
    import onnxruntime

    # Measured once, here, and kept in the decoder graph for every process that loads it.
    probe = onnxruntime.InferenceSession(decoder.SerializeToString(),
                                         providers=["CPUExecutionProvider"])
    decoder.metadata_props.add(key=FIELD_KEY, value=str(receptive_field(probe)))
    return [front.SerializeToString(), decoder.SerializeToString()]


def stored_graphs(model: Path, digest: str, store: Path) -> list[Path]:
    """``prepared_graphs`` of ``model``, written once into ``store`` and reused after.

    A session loaded from a file takes about half the memory of one loaded from bytes, and the
    rewrite is done once per voice, not once per process. Processes starting together take turns.
    """
    stem = f"piper-{GRAPH_SCHEME}-{digest}"
    split = [store / f"{stem}-front.onnx", store / f"{stem}-decoder.onnx"]
    whole = [store / f"{stem}-whole.onnx"]

    def found() -> list[Path] | None:
        return next((paths for paths in (split, whole) if all(p.is_file() for p in paths)), None)

    if ready := found():
        return ready
    store.mkdir(parents=True, exist_ok=True)
    with (store / f".{stem}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if ready := found():
            return ready
        blobs = prepared_graphs(model)
        targets = split if len(blobs) == 2 else whole
        for blob, target in zip(blobs, targets, strict=True):
            atomic_write_bytes(target, blob)
        return targets


def receptive_field(decoder: Any) -> int:
    """How many frames either side of a frame the ``decoder`` session's output for it depends on
    (more than ``MAX_CONTEXT`` when it sees further): found by changing one frame of random input
    and seeing how far the output moves."""
    name, shape = decoder.get_inputs()[0].name, decoder.get_inputs()[0].shape
    if len(shape) != 3 or not isinstance(shape[1], int):
        return MAX_CONTEXT + 1
    middle = MAX_CONTEXT + 1
    rng = np.random.default_rng(0)
    before = rng.standard_normal((1, shape[1], 2 * middle + 1), dtype=np.float32)
    after = before.copy()
    after[0, :, middle] += rng.standard_normal(shape[1], dtype=np.float32)
    try:
        outputs = [decoder.run(None, {name: x})[0].reshape(-1) for x in (before, after)]
    except Exception as exc:  # onnxruntime's own exception types
        raise ToolError(f"piper: cannot run the voice's decoder: {exc}") from None
    hop = len(outputs[0]) // before.shape[2]
    moved = np.flatnonzero(outputs[0] != outputs[1])
    if hop * before.shape[2] != len(outputs[0]) or not len(moved):
        return MAX_CONTEXT + 1
    return int(max(middle - moved[0] // hop, moved[-1] // hop - middle))
