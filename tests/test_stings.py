"""The stings a build plays are the files in audio/, ours, made by scripts/make_stings.py."""

from __future__ import annotations

import shutil
import subprocess
import sys
import wave
import zipfile
from pathlib import Path

from bulletin.audio.stings import load_stings, shipped_sting
from bulletin.config import AudioConfig
from conftest import REPO

KINDS = ("intro", "outro", "transition")


def frames(path: Path) -> tuple[int, bytes]:
    with wave.open(str(path)) as wav:
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
        return wav.getframerate(), wav.readframes(wav.getnframes())


def test_committed_stings_are_what_the_script_makes(tmp_path):
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_stings.py"), str(tmp_path)],
                   check=True, capture_output=True)
    for kind in KINDS:
        made = (tmp_path / f"{kind}.wav").read_bytes()
        assert made == (REPO / "audio" / f"{kind}.wav").read_bytes(), f"audio/{kind}.wav is stale"


def test_a_build_plays_the_files_in_audio():
    stings = load_stings(AudioConfig())
    for kind in KINDS:
        assert shipped_sting(kind).resolve() == (REPO / "audio" / f"{kind}.wav").resolve()
        rate, pcm = frames(REPO / "audio" / f"{kind}.wav")
        played = getattr(stings, kind)
        assert played.frame_rate == rate == 44100
        assert played.raw_data == pcm


def test_a_build_at_another_rate_resamples_the_same_stings():
    stings = load_stings(AudioConfig(sample_rate=22050))
    rate, pcm = frames(REPO / "audio" / "intro.wav")
    assert stings.intro.frame_rate == 22050
    assert abs(len(stings.intro.raw_data) - len(pcm) / 2) <= 8  # half the samples, same length


def test_stings_are_short_tones_that_start_and_end_quietly():
    for kind, (low, high) in {"intro": (1.5, 4.0), "outro": (1.5, 4.0),
                              "transition": (0.5, 1.5)}.items():
        rate, pcm = frames(REPO / "audio" / f"{kind}.wav")
        samples = memoryview(pcm).cast("h")
        assert low <= len(samples) / rate <= high
        assert max(abs(s) for s in samples) < 32767 * 0.51  # peaks at −6 dBFS
        assert max(abs(s) for s in samples[-200:]) < 300, "the tail fades out, no click"


def test_the_package_ships_the_stings_and_the_bed(tmp_path):
    source = tmp_path / "source"  # a copy, so the build leaves nothing in the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "COPYING"):
        shutil.copy2(REPO / name, source / name)
    for folder in ("src", "audio"):
        shutil.copytree(REPO / folder, source / folder, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(tmp_path), str(source)],
                   check=True, capture_output=True)
    wheel, = tmp_path.glob("bulletin-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        for kind in (*KINDS, "bed"):
            shipped = archive.read(f"bulletin/sounds/{kind}.wav")
            assert shipped == (REPO / "audio" / f"{kind}.wav").read_bytes()


def test_a_configured_sting_file_replaces_the_default(tmp_path, runner):
    custom = tmp_path / "custom.wav"
    runner.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i",
                "sine=frequency=440:duration=1.25", "-ar", "48000", str(custom)])
    stings = load_stings(AudioConfig(intro=str(custom)))
    assert abs(len(stings.intro) - 1250) <= 2  # milliseconds
    assert stings.intro.frame_rate == 44100 and stings.intro.channels == 1
    assert stings.outro.raw_data == frames(REPO / "audio" / "outro.wav")[1]


def test_a_sting_that_is_not_audio_is_refused(cli, write_article, tmp_path):
    bad = tmp_path / "jingle.wav"
    bad.write_bytes(b"this is not audio")
    Path("bulletin.toml").write_text(f'[audio]\nintro = "{bad}"\n')
    result = cli("build", write_article("a.txt", "Headline", "Body text."))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"bulletin: {bad}: cannot decode intro sting")
    assert not Path("public/feed.xml").exists()
