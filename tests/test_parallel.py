"""Parallel synthesis: byte-identical to a serial run, in script order, bounded, resumable."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bulletin.config import VoiceConfig
from bulletin.errors import ToolError
from bulletin.tts import SegmentCache, get_engine, synthesize_script
from bulletin.tts.gtts_engine import GttsEngine
from conftest import script_of
from gtts_endpoint import serve_gtts
from sitekit import BULLETIN

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "harbour-ferry.txt"


def test_parallel_build_is_byte_identical_to_a_serial_one(cli, monkeypatch, tmp_path):
    mp3s = {}
    for workers in (2, 1):
        monkeypatch.setenv("BULLETIN_CACHE_DIR", str(tmp_path / f"cache-{workers}"))
        result = cli("build", EXAMPLE, "--workers", workers, "--site", tmp_path / f"site-{workers}",
                     "--json")
        assert result.exit_code == 0, result.stderr
        summary = json.loads(result.stdout)
        assert summary["synthesized"] == summary["segments"]  # both from an empty cache
        mp3s[workers] = Path(summary["mp3"]).read_bytes()
    assert mp3s[2] == mp3s[1]


def test_clips_come_back_in_script_order_whatever_finishes_first(tmp_path):
    # Longest first in the pool, so the short ones finish early; the order must not follow that.
    texts = ("Short one.",
             "A much longer segment that keeps one worker busy for a good while, with several "
             "clauses, a list of places such as Kestrel Bay, Quay Street and the north shore, "
             "and a closing remark.",
             "Two words.",
             "A medium length segment about the ferry timetable and its fares.",
             "Last.")
    engine = get_engine(VoiceConfig())
    clips = synthesize_script(script_of(*texts), engine, SegmentCache(tmp_path / "c"), workers=2)
    assert [c.segment.spoken for c in clips] == list(texts)
    assert [c.speech.pcm for c in clips] == [engine.synthesize(t).pcm for t in texts]


def test_progress_counts_every_segment_once(tmp_path):
    engine = get_engine(VoiceConfig(engine="espeak"))
    cache = SegmentCache(tmp_path / "c")
    script = script_of("One.", "Two.", "Three.", "Four.")
    synthesize_script(script_of("Two."), engine, cache)
    seen: list[tuple[int, int]] = []
    synthesize_script(script, engine, cache, lambda done, total: seen.append((done, total)),
                      workers=2)
    assert seen[0] == (1, 4)  # the cached one is done before any work starts
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert seen[-1] == (4, 4) and len(seen) == 4


def test_gtts_requests_run_concurrently_but_bounded(monkeypatch, tmp_path):
    with serve_gtts(monkeypatch) as endpoint:
        endpoint.delay = 0.3
        engine = get_engine(VoiceConfig(engine="gtts"))
        texts = [f"Story number {n} of the evening." for n in range(10)]
        clips = synthesize_script(script_of(*texts), engine, SegmentCache(tmp_path / "c"),
                                  workers=16)
    assert len(clips) == 10 and all(c.speech.pcm for c in clips)
    assert 2 <= endpoint.most_in_flight <= GttsEngine.max_workers


def test_a_failed_build_resumes_where_it_stopped(monkeypatch, tmp_path):
    cache = SegmentCache(tmp_path / "c")
    texts = [f"Paragraph {n} of the story." for n in range(6)]  # equal lengths: spoken in order
    with serve_gtts(monkeypatch) as endpoint:
        endpoint.refuse = "Paragraph 3"
        engine = get_engine(VoiceConfig(engine="gtts"))
        with pytest.raises(ToolError, match="gtts: the service refused the request"):
            synthesize_script(script_of(*texts), engine, cache, workers=1)
        endpoint.refuse = None
        endpoint.calls.clear()
        clips = synthesize_script(script_of(*texts), engine, cache, workers=2)
    # What was spoken before the failure was kept; only the rest is asked for again.
    assert [c.cached for c in clips] == [True, True, True, False, False, False]
    assert sorted(c.text for c in endpoint.calls) == texts[3:]


def live_processes_in_group(group: int) -> list[str]:
    """Each live process of ``group`` as "pid command line".

    A zombie has ended, and so has a process caught in the middle of exiting: the kernel has
    already released its memory, so /proc shows no command line. (multiprocessing's resource
    tracker ends that way, by itself, moments after the build: this test once saw it so, under
    load, as "18115 " with no command line.)"""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:160]
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group and fields[0] != "Z" and command:  # state, ppid, pgrp
            found.append(f"{entry.name} {command}")
    return found


def test_ctrl_c_stops_workers_keeps_what_was_spoken_and_says_one_line(write_article, tmp_path):
    paragraphs = [p.strip() for p in EXAMPLE.read_text(encoding="utf-8").split("\n\n")[1:]]
    article = write_article("long.txt", "Ferry", *(f"Part {n}. {p}" for n in range(1, 4)
                                                   for p in paragraphs))
    cache = tmp_path / "cache"
    env = {**os.environ, "BULLETIN_CACHE_DIR": str(cache)}
    build = subprocess.Popen(  # a session of its own, as a terminal's job, with Ctrl-C enabled
        [sys.executable, "-c", "from bulletin.cli import main; main()", "build", str(article)],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 300
    while not list(cache.glob("*/*.wav")) and build.poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.1)
    spoken_before = sorted(p.name for p in cache.glob("*/*.wav"))
    os.killpg(build.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground group
    out, err = build.communicate(timeout=120)
    # Each assertion says all that was seen, so a failure under load explains itself.
    seen = (f"spoken before Ctrl-C: {spoken_before}; exit {build.returncode}; stderr {err!r}; "
            f"stdout {out!r}")
    assert spoken_before, f"no segment was spoken within 300 s; {seen}"
    assert (build.returncode, err, out) == (130, b"bulletin: interrupted\n", b""), seen
    # communicate() has seen stderr close in every process that shared it (the workers and
    # multiprocessing's resource tracker), so whatever is still alive now was left behind.
    assert live_processes_in_group(build.pid) == [], "a worker outlived the build"
    assert not (tmp_path / "public").exists()
    kept = SegmentCache(cache)  # what was spoken before Ctrl-C is kept, every entry whole
    entries = list(cache.glob("*/*.wav"))
    assert entries and all(kept.get(e.stem) is not None for e in entries), entries
    assert list(cache.rglob("*.tmp")) == []  # no write left half done


@pytest.mark.parametrize("delay", [0.1, 0.2, 0.3, 0.45, 0.6])
def test_ctrl_c_while_starting_up_says_one_line(write_article, tmp_path, delay):
    """Ctrl-C moments after `bulletin` starts, while it is still loading, prints no traceback."""
    article = write_article("a.txt", "Ferry", "Boats leave every forty minutes.")
    build = subprocess.Popen(
        [str(BULLETIN), "build", str(article)], cwd=tmp_path,
        env={**os.environ, "BULLETIN_CACHE_DIR": str(tmp_path / "cache")},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(delay)
    os.killpg(build.pid, signal.SIGINT)
    out, err = build.communicate(timeout=60)
    assert b"Traceback" not in err
    if build.returncode != -signal.SIGINT:  # Python itself had not started: nothing to say
        assert (build.returncode, err) == (130, b"bulletin: interrupted\n")
    assert not (tmp_path / "public").exists()
