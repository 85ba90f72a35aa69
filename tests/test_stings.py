"""The stings in audio/ are ours, made by scripts/make_stings.py, and are what a build uses."""

from __future__ import annotations

import subprocess
import sys
import wave
from pathlib import Path

from bulletin.audio.stings import RATE, make_sting
from conftest import REPO


def test_committed_stings_are_what_the_script_makes(tmp_path):
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_stings.py"), str(tmp_path)],
                   check=True, capture_output=True)
    for kind in ("intro", "outro", "transition"):
        made = (tmp_path / f"{kind}.wav").read_bytes()
        assert made == (REPO / "audio" / f"{kind}.wav").read_bytes(), f"audio/{kind}.wav is stale"
        with wave.open(str(tmp_path / f"{kind}.wav")) as wav:
            assert wav.getframerate() == RATE and wav.getnchannels() == 1
            assert wav.readframes(wav.getnframes()) == make_sting(kind)


def test_stings_are_short_tones_that_start_and_end_quietly(runner):
    for kind, (low, high) in {"intro": (1.5, 4.0), "outro": (1.5, 4.0),
                              "transition": (0.5, 1.5)}.items():
        pcm = make_sting(kind)
        samples = memoryview(pcm).cast("h")
        seconds = len(samples) / RATE
        assert low <= seconds <= high
        assert max(abs(s) for s in samples) < 32767 * 0.51  # peaks at −6 dBFS
        assert max(abs(s) for s in samples[-200:]) < 300, "the tail fades out, no click"


def test_a_configured_sting_file_replaces_the_default(tmp_path, runner):
    custom = tmp_path / "custom.wav"
    runner.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i",
                "sine=frequency=440:duration=1.25", "-ar", "48000", str(custom)])
    from bulletin.audio.stings import load_stings
    from bulletin.config import AudioConfig

    stings = load_stings(AudioConfig(intro=str(custom)))
    assert abs(len(stings.intro) - 1250) <= 2  # milliseconds
    assert stings.intro.frame_rate == RATE and stings.intro.channels == 1
    assert Path(custom).exists()


def test_a_sting_that_is_not_audio_is_refused(cli, write_article, tmp_path):
    bad = tmp_path / "jingle.wav"
    bad.write_bytes(b"this is not audio")
    Path("bulletin.toml").write_text(f'[audio]\nintro = "{bad}"\n')
    result = cli("build", write_article("a.txt", "Headline", "Body text."))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"bulletin: {bad}: cannot decode intro sting")
    assert not Path("public/feed.xml").exists()
