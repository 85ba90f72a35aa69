"""Three real engines behind one interface; each builds the example bulletin."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from bulletin.config import VoiceConfig
from bulletin.errors import InputError
from bulletin.tts import get_engine
from bulletin.tts.piper_engine import PiperEngine, voice_files
from bulletin.tts.piper_graph import MAX_CONTEXT, receptive_field
from bulletin.tts.piper_voice import Scales, SeededVoice

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "harbour-ferry.txt"
SENTENCE = "Residents of Kestrel Bay voted on Tuesday to restore the night ferry."


def probe_seconds(mp3: Path) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration",
                          "-of", "csv=p=0", str(mp3)], capture_output=True, check=True, text=True)
    return float(out.stdout)


def test_piper_speaks_any_voice_file_by_path(tmp_path):
    model, config = voice_files("")
    (tmp_path / "other.onnx").symlink_to(model)
    (tmp_path / "other.onnx.json").write_bytes(config.read_bytes())
    engine = get_engine(VoiceConfig(voice=str(tmp_path / "other.onnx")))
    assert "voice=other:" in engine.identity
    assert engine.synthesize("Hello from another voice.").pcm


def test_an_onnx_model_that_is_not_a_piper_voice_is_refused_as_input(cli, write_article):
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])], "not-a-voice",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    Path("plain.onnx").write_bytes(helper.make_model(graph).SerializeToString())
    Path("plain.onnx.json").write_bytes(voice_files("")[1].read_bytes())
    result = cli("build", write_article("a.txt", "Title", "A paragraph."), "--voice", "plain.onnx")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("bulletin: piper voice ")
    assert result.stderr.endswith("plain.onnx: the voice has no noise nodes; not a Piper voice?\n")
    assert not Path("public").exists()


@pytest.mark.parametrize("voice, problem", [
    ("missing.onnx", "no such file"),
    ("voice.bin", "give the path of a .onnx voice file"),
    ("lonely.onnx", "missing its config lonely.onnx.json"),
])
def test_bad_piper_voice_is_an_input_error(voice, problem, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("lonely.onnx").write_bytes(b"not really")
    with pytest.raises(InputError, match=problem):
        get_engine(VoiceConfig(voice=voice))


def test_piper_speed_scales_the_length():
    normal = PiperEngine(VoiceConfig()).synthesize(SENTENCE)
    fast = PiperEngine(VoiceConfig(speed=1.5)).synthesize(SENTENCE)
    assert 0.55 < len(fast.pcm) / len(normal.pcm) < 0.8
    with pytest.raises(InputError, match="voice speed 9"):
        PiperEngine(VoiceConfig(speed=9))


def test_piper_says_a_text_the_same_way_whatever_came_before():
    engine = PiperEngine(VoiceConfig())
    first = engine.synthesize(SENTENCE)
    engine.synthesize("Something else entirely, to move any generator along.")
    engine.synthesize("And one more sentence. With two parts.")
    assert engine.synthesize(SENTENCE).pcm == first.pcm


def test_piper_keeps_its_natural_variation():
    """The noise is seeded, not removed: speech differs from the voice with its noise turned off."""
    voice = PiperEngine(VoiceConfig()).voice
    ids = voice.sentences(SENTENCE)[0]
    natural = voice.speak_sentence(ids, voice.default_scales())
    flat = voice.speak_sentence(ids, Scales(noise=0.0, length=1.0, noise_w=0.0))
    assert voice.default_scales().noise > 0.5 and voice.default_scales().noise_w > 0.5
    assert natural.tobytes() == PiperEngine(VoiceConfig()).synthesize(SENTENCE).pcm
    assert natural.shape != flat.shape or natural.tobytes() != flat.tobytes()


def test_piper_decodes_in_chunks_without_changing_the_sound():
    """Chunked decoding (flat memory) matches one pass over the sentence to a 16-bit step."""
    engine = PiperEngine(VoiceConfig())
    chunked = engine.voice
    model, config = voice_files("")
    whole = SeededVoice(model, config, engine.digest, chunk=0)
    long_sentence = ("Residents of Kestrel Bay voted on Tuesday to restore the night ferry across "
                     "the estuary, ending a twelve-year gap that councillors blamed for empty "
                     "restaurants and late-shift workers stranded on the wrong side of the water.")
    ids = whole.sentences(long_sentence)[0]
    a = whole.speak_sentence(ids, whole.default_scales())
    b = chunked.speak_sentence(ids, chunked.default_scales())
    assert len(a) > 10 * 22050 > 4 * chunked.chunk * 256  # several chunks' worth
    assert a.shape == b.shape
    assert np.abs(a.astype(np.int32) - b).max() <= 1


def _decoder(kernel: int, hop: int = 4, channels: int = 3):
    """A decoder-like graph: a frame-level convolution of ``kernel`` frames, upsampling by
    ``hop``, and a sample-level convolution over three frames' worth of samples."""
    import onnxruntime
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(1)
    weights = [
        numpy_helper.from_array(rng.standard_normal((8, channels, kernel), dtype=np.float32),
                                "w1"),
        numpy_helper.from_array(rng.standard_normal((8, 2, hop), dtype=np.float32), "w2"),
        numpy_helper.from_array(rng.standard_normal((1, 2, 6 * hop + 1), dtype=np.float32),
                                "w3"),
    ]
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w1"], ["a"], pads=[kernel // 2] * 2),
         helper.make_node("LeakyRelu", ["a"], ["b"], alpha=0.1),
         helper.make_node("ConvTranspose", ["b", "w2"], ["c"], strides=[hop]),
         helper.make_node("Conv", ["c", "w3"], ["y"], pads=[3 * hop] * 2)],
        "decoder", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, channels, "n"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1, None])], weights)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    return onnxruntime.InferenceSession(model.SerializeToString(),
                                        providers=["CPUExecutionProvider"])


def test_the_decoder_context_is_measured_not_assumed():
    """Chunks get as much context as the voice's decoder sees: measured, so a voice with a
    wider decoder than the bundled one is not decoded with seams."""
    assert receptive_field(_decoder(kernel=9)) == 4 + 3  # 4 frames, then 3 frames of samples
    assert receptive_field(_decoder(kernel=21)) == 10 + 3
    assert receptive_field(_decoder(kernel=2 * MAX_CONTEXT + 1)) > MAX_CONTEXT  # one pass
    voice = PiperEngine(VoiceConfig()).voice
    assert voice.chunk, "the bundled voice is decoded in chunks"
    assert voice.context >= receptive_field(voice.decoder), "each chunk sees all it depends on"


def test_a_voice_file_that_is_not_a_model_exits_2(cli, write_article, tmp_path):
    _, config = voice_files("")
    (tmp_path / "junk.onnx").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "junk.onnx.json").write_bytes(config.read_bytes())
    article = write_article("a.txt", "Title", "A paragraph.")
    result = cli("build", article, "--voice", tmp_path / "junk.onnx")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"bulletin: piper voice {tmp_path / 'junk.onnx'}: not an ONNX")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not Path("public").exists()


def test_a_voice_config_missing_what_piper_needs_exits_2(cli, write_article, tmp_path):
    model, config = voice_files("")
    settings = json.loads(config.read_text(encoding="utf-8"))
    del settings["phoneme_id_map"]
    (tmp_path / "joe.onnx").symlink_to(model)
    (tmp_path / "joe.onnx.json").write_text(json.dumps(settings), encoding="utf-8")
    article = write_article("a.txt", "Title", "A paragraph.")
    result = cli("build", article, "--voice", tmp_path / "joe.onnx")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"bulletin: piper voice config {tmp_path / 'joe.onnx.json'}: not a Piper voice config")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not Path("public").exists()
