"""Speak every segment of a script, reusing cached speech and several segments at once.

In: a ``Script``, an engine (and, optionally, a second engine: the headlines reader), a
``SegmentCache``, an optional progress callback and a worker count. Out: one ``Clip`` per segment,
in script order whatever finishes first. With a headlines reader, it speaks the segments of the
kinds in ``HEADLINE_KINDS`` (all but the stories) and the engine the rest; each reader's speech is
cached under its own identity, and each reader's segments come back at that reader's sample rate.

Segments whose speech is cached are not synthesised; equal texts are synthesised once. The rest go,
longest first, to worker processes for a ``"processes"`` engine (Piper: each worker loads the voice
once and runs onnxruntime on one thread, so ``workers`` = cores does not oversubscribe them), to a
bounded thread pool for a ``"threads"`` engine (gTTS, espeak-ng), else one after another. Each new
segment is cached as soon as it is spoken, so a build that fails part-way resumes where it stopped.
Two readers speak one after the other, each in its own way (its own processes or threads).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from ..errors import InputError, ToolError
from ..models import Clip, Script, SegmentKind
from .base import Engine, Speech
from .cache import SegmentCache

Progress = Callable[[int, int], None]  # (done, total)
Done = Callable[[str, Speech], None]  # (cache key, speech)

# What a headlines reader reads: everything around the stories.
HEADLINE_KINDS = frozenset({SegmentKind.INTRO, SegmentKind.RUNDOWN, SegmentKind.HEADLINE,
                            SegmentKind.TRANSITION, SegmentKind.OUTRO})


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def synthesize_script(script: Script, engine: Engine, cache: SegmentCache,
                      progress: Progress | None = None, workers: int = 0,
                      headlines: Engine | None = None) -> tuple[Clip, ...]:
    """One Clip per segment; cached segments are reused, the others synthesised concurrently.

    ``workers``: how many segments are spoken at once (0: one per core). ``progress(done, total)``
    is called from this thread as segments become ready. ``headlines``: the engine that reads the
    segments of ``HEADLINE_KINDS`` (None: ``engine`` reads everything).
    """
    if workers < 0:
        raise InputError(f"workers {workers}: must be 0 (one per core) or more")
    both = [headlines, engine] if headlines is not None and headlines is not engine else [engine]
    readers = [both[0] if segment.kind in HEADLINE_KINDS else engine for segment in script.segments]
    identities = {id(reader): reader.identity for reader in both}
    keys = [cache.key(identities[id(reader)], segment.spoken)
            for reader, segment in zip(readers, script.segments, strict=True)]
    ready: dict[str, Speech] = {}
    for key in dict.fromkeys(keys):
        found = cache.get(key)
        if found is not None:
            ready[key] = found
    todo: dict[str, tuple[Engine, str]] = {}  # key: the reader and the text it says
    for key, reader, segment in zip(keys, readers, script.segments, strict=True):
        if key not in ready:
            todo.setdefault(key, (reader, segment.spoken))
    ids = {key: segment.id for key, segment in zip(keys, script.segments, strict=True)}

    total = len(keys)
    done = sum(1 for key in keys if key in ready)
    if progress:
        progress(done, total)

    def finished(key: str, speech: Speech) -> None:
        nonlocal done
        if not speech.pcm or len(speech.pcm) % 2:
            raise ToolError(f"{todo[key][0].name}: produced no audio for segment {ids[key]}")
        cache.put(key, speech)
        ready[key] = speech
        done += keys.count(key)
        if progress:
            progress(done, total)

    for reader in both:  # the few headlines first, then the stories
        mine = {key: text for key, (who, text) in todo.items() if who is reader}
        if mine:
            _speak_all(reader, mine, workers, cache.store, finished)

    for reader in both:  # one reader speaks at one rate; two readers may differ
        rates = {ready[key].sample_rate for key, who in zip(keys, readers, strict=True)
                 if who is reader}
        if len(rates) > 1:
            raise ToolError(f"{reader.name}: segments came back at different sample rates")
    clips: list[Clip] = []
    spoken_now: set[str] = set()
    for key, segment in zip(keys, script.segments, strict=True):
        fresh = key in todo and key not in spoken_now
        spoken_now.add(key)
        speech = ready[key]
        clips.append(Clip(segment=segment, speech=speech, cached=not fresh))
    return tuple(clips)


def _speak_all(engine: Engine, todo: Mapping[str, str], workers: int, store: Path,
               finished: Done) -> None:
    """Synthesise every text of ``todo`` ({key: text}), calling ``finished`` for each in turn."""
    mode = engine.parallel
    count = min(workers or available_cores(), len(todo), engine.max_workers or len(todo))
    order = sorted(todo, key=lambda key: len(todo[key]), reverse=True)  # longest first
    if mode == "processes":
        # Even one worker is a process of its own: the voice never weighs on this one.
        pool: Executor = ProcessPoolExecutor(
            max_workers=count, mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker, initargs=(engine, store))
    elif mode == "threads" and count > 1:
        pool = ThreadPoolExecutor(max_workers=count, thread_name_prefix=f"{engine.name}-speak")
    else:
        for key in order:
            finished(key, engine.synthesize(todo[key]))
        return
    futures: dict[Future[Speech], str] = {}
    try:
        with _workers_ignore_ctrl_c(mode == "processes"):  # the pool starts them on submit
            futures = {pool.submit(_speak if mode == "processes" else engine.synthesize,
                                   todo[key]): key for key in order}
        pending = set(futures)
        while pending:
            complete, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in complete:  # the first failure stops the build
                finished(futures[future], future.result())
    except BrokenProcessPool:
        raise ToolError(f"{engine.name}: a synthesis worker stopped unexpectedly (out of "
                        "memory, killed, or a script using bulletin without an "
                        "`if __name__ == '__main__':` guard)") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _workers_ignore_ctrl_c(starting: bool) -> Iterator[None]:
    """Processes started in here have SIGINT blocked from birth: a terminal's Ctrl-C reaches the
    whole process group, and this process handles it and stops the pool, so no worker should
    print a traceback, not even while it is still importing. This thread gets a Ctrl-C of these
    few milliseconds on leaving."""
    if not starting or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


# --- inside a worker process ---------------------------------------------------------------------

_worker: dict[str, Any] = {}  # this worker's engine and voice store


def _start_worker(engine: Engine, store: Path) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool
    _worker.update(engine=engine, store=store)


def _speak(text: str) -> Speech:
    engine = _worker["engine"]
    engine.load(_worker["store"])  # the first time only: the engine keeps what it loaded
    return engine.synthesize(text)
