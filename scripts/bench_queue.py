#!/usr/bin/env python3
"""Editions per minute on the job queue with 1 and 2 worker processes (``bench.py --queue``).

A redis-server on a free port of 127.0.0.1 and a small news site (RSS feeds and their pages, on
another free port) are started here; the news is examples/harbour-ferry.txt's paragraphs, made
distinct for each show so that no show's speech is a cache hit of another's. ``--shows`` shows
(default 6), each with its own site, are queued at once to one `bulletin worker --concurrency N`,
for N = 1 and 2, each run with a cache of its own; editions per minute = shows / the seconds from
the first job sent to the last result. Each job speaks with one synthesis process
(``[voice] workers = 1``), so N jobs use N cores. Prints a table and writes JSON (default
bench-queue-results.json).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from email.utils import format_datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "harbour-ferry.txt"
STORIES = 2  # stories in each show's feed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def news_site(folder: Path, shows: int) -> Iterator[str]:
    """Serve each show's feed (/SHOW.xml) and its story pages from ``folder``."""
    title, *paragraphs = [p for p in EXAMPLE.read_text().split("\n\n") if p.strip()]
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(folder)))
    base = f"http://127.0.0.1:{server.server_address[1]}"
    now = dt.datetime.now(dt.UTC)
    for show in range(shows):
        items = []
        for story in range(STORIES):
            name = f"show{show}-story{story}.html"
            head = f"{title} (show {show}, story {story})"
            body = "".join(f"<p>In report {show}.{story}: {p}</p>" for p in paragraphs)
            (folder / name).write_text(f"<html><head><title>{head}</title></head><body>"
                                       f"<article><h1>{head}</h1>{body}</article></body></html>")
            date = format_datetime(now - dt.timedelta(minutes=10 + story))
            items.append(f"<item><title>{head}</title><link>{base}/{name}</link>"
                         f"<guid>{base}/{name}</guid><pubDate>{date}</pubDate></item>")
        (folder / f"show{show}.xml").write_text(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire {show}</title>'
            f"<link>{base}/</link><description>news</description>{''.join(items)}"
            "</channel></rss>")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()


def run(work: Path, base: str, broker: str, shows: int, processes: int, engine: str) -> dict:
    """Queue every show's edition to one worker of ``processes``; time until all are done."""
    run_dir = work / f"run{processes}"
    run_dir.mkdir()
    config = run_dir / "bulletin.toml"
    text = (f'[voice]\nengine = "{engine}"\nworkers = 1\n[queue]\nbroker = "{broker}"\n'
            f'[edition]\nduration = "1:00"\nstories = {STORIES}\n')
    for show in range(shows):
        text += f'[shows.s{show}]\nsite = "sites/s{show}"\nfeeds = ["{base}/show{show}.xml"]\n'
    config.write_text(text)
    env = {**os.environ, "BULLETIN_CACHE_DIR": str(run_dir / "cache"), "PYTHONUNBUFFERED": "1"}
    bulletin = [sys.executable, "-m", "bulletin"]
    log = (run_dir / "worker.log").open("wb")
    holds = [arg for show in range(shows)  # this machine holds every show's site
             for arg in ("--site", str(run_dir / "sites" / f"s{show}"))]
    worker = subprocess.Popen([*bulletin, "worker", "--config", str(config), "--concurrency",
                               str(processes), *holds], cwd=run_dir, env=env, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    try:
        while b"ready." not in (run_dir / "worker.log").read_bytes():
            if worker.poll() is not None:
                sys.exit(f"the worker ended:\n{(run_dir / 'worker.log').read_text()}")
            time.sleep(0.1)
        start = time.perf_counter()
        senders = [subprocess.Popen([*bulletin, "edition", "--config", str(config), "--show",
                                     f"s{show}", "--queue", "--wait", "--json"], cwd=run_dir,
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                   for show in range(shows)]
        results = [json.loads(sender.communicate()[0] or b"{}") for sender in senders]
        seconds = time.perf_counter() - start
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        log.close()
    published = sum(1 for result in results if result.get("published"))
    return {"processes": processes, "shows": shows, "published": published,
            "seconds": round(seconds, 1),
            "editions_per_minute": round(60 * published / seconds, 2),
            "programme_seconds": [result.get("duration") for result in results]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queue", action="store_true", help="(how bench.py sends us here)")
    parser.add_argument("--shows", type=int, default=6, help="editions queued at once")
    parser.add_argument("--engine", default="piper", help="speech engine (default piper)")
    parser.add_argument("--out", type=Path, default=REPO / "bench-queue-results.json")
    options = parser.parse_args(argv)
    program = shutil.which("redis-server")
    if program is None:
        sys.exit("redis-server is not installed (BULLETIN_TEST_TOOLS=1 scripts/setup.sh)")
    with tempfile.TemporaryDirectory(prefix="bulletin-bench-queue-") as temp:
        work = Path(temp)
        (work / "news").mkdir()
        port = free_port()
        redis = subprocess.Popen([program, "--port", str(port), "--bind", "127.0.0.1", "--save",
                                  "", "--appendonly", "no", "--dir", temp],
                                 stdout=subprocess.DEVNULL)
        try:
            time.sleep(0.5)
            with news_site(work / "news", options.shows) as base:
                runs = [run(work, base, f"redis://127.0.0.1:{port}/{n}", options.shows, n,
                            options.engine) for n in (1, 2)]
        finally:
            redis.terminate()
            redis.wait()
    print(f"bulletin queue bench: {options.shows} one-minute editions ({options.engine}), "
          f"{os.cpu_count()} cores")
    print(f"{'worker processes':>16} {'published':>9} {'seconds':>8} {'editions/min':>12}")
    for result in runs:
        print(f"{result['processes']:>16} {result['published']:>9} {result['seconds']:>8.1f} "
              f"{result['editions_per_minute']:>12.2f}")
    options.out.write_text(json.dumps({
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(), "engine": options.engine, "runs": runs}, indent=2) + "\n")
    print(f"wrote {options.out}")


if __name__ == "__main__":
    main()
