"""The Celery app over Redis: its one task, the lock per show in Redis, the worker and beat.

In: a broker URL (``[queue] broker``, ``$BULLETIN_BROKER``, ``--broker``). ``make_app(broker)`` is
the Celery app with the ``bulletin.job`` task (a job of ``jobs.make_job``), acknowledged only once
run and given back to the queue when its worker is lost (so it runs again elsewhere); the result
(what ``jobs.run_job`` returns) is kept in Redis for ``--wait``. ``run_worker`` and ``run_beat``
run them until stopped. ``show_lock`` serialises the jobs of one show, and of one site, across
machines: a lock in Redis that lapses ``LOCK_LAPSE`` seconds after its holder stops renewing it (a
killed worker).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from celery import Celery, beat
from celery.schedules import crontab
from celery.signals import worker_process_init
from kombu.exceptions import OperationalError

from ..config import Config, VoiceConfig
from ..errors import BulletinError, ToolError
from .jobs import run_job

log = logging.getLogger(__name__)
__all__ = ["JOB_TASK", "OperationalError", "make_app", "run_beat", "run_worker", "show_lock"]

JOB_TASK = "bulletin.job"
LOCK_LAPSE = 20.0  # seconds a show's lock outlives its holder's last renewal
LOCK_WAIT = 3600.0  # seconds a job waits for the show's edition before it to finish
VISIBILITY = 3600  # seconds before a job taken by a worker that vanished whole is given again
_worker: dict[str, Any] = {"site": None, "cache_dir": None, "engines": {}, "config": None}


def make_app(broker: str) -> Celery:
    """The Celery app on ``broker`` (Redis, also the result store), with the job task."""
    app = Celery("bulletin", broker=broker, backend=broker, set_as_current=False)
    app.conf.update(
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        task_serializer="json", result_serializer="json", accept_content=["json"],
        task_track_started=True, result_extended=True, result_expires=7 * 86400,
        broker_connection_retry_on_startup=True, worker_hijack_root_logger=False,
        broker_transport_options={"visibility_timeout": VISIBILITY},
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0.2,
                                   "interval_step": 0.5},
    )
    app.task(name=JOB_TASK, bind=True, acks_late=True, reject_on_worker_lost=True)(_job_task)
    return app


def _job_task(task: Any, job: dict[str, Any]) -> dict[str, Any]:
    broker = task.app.conf.broker_url
    site, cache_dir = _worker["site"], _worker["cache_dir"]
    return run_job(job, site=Path(site) if site else None,
                   cache_dir=Path(cache_dir) if cache_dir else None,
                   lock=lambda key: show_lock(broker, key), engines=_engines)


def _engines(config: Config) -> dict[str, Any]:
    """This process's voices for ``config``: each loaded once, then kept for later jobs. The
    worker's processes are its parallel speakers: an engine that would speak in processes of its
    own (Piper) speaks in this one instead, its voice loaded here once."""
    from ..tts import SegmentCache, get_engine, headlines_engine

    cache: dict[VoiceConfig, dict[str, Any]] = _worker["engines"]
    if config.voice not in cache:
        voices = {"engine": get_engine(config.voice), "headlines": headlines_engine(config.voice)}
        for engine in filter(None, voices.values()):
            if engine.parallel == "processes":
                engine.load(SegmentCache(config.cache_root).store)
                engine.parallel = "serial"
            log.info("process %d: voice %s loaded", os.getpid(), engine.identity)
        cache[config.voice] = voices
    return cache[config.voice]


@worker_process_init.connect
def _fresh_voices(**kwargs: Any) -> None:
    """A new worker process loads its own voices (none are inherited half-made)."""
    _worker["engines"] = {}


@contextlib.contextmanager
def show_lock(broker: str, key: str, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold ``key`` (a show, or a site) in Redis for one job at a time across machines; renewed
    while held, so it lapses soon after a holder that was killed."""
    import redis

    client = redis.Redis.from_url(broker)
    lock = client.lock(f"bulletin:lock:{key}", timeout=LOCK_LAPSE, sleep=0.2,
                       blocking_timeout=wait, thread_local=False)
    try:
        if not lock.acquire():
            raise ToolError(f"{key}: another edition has run for {wait:.0f} s; try again later")
    except redis.RedisError as exc:
        raise ToolError(f"{broker}: cannot take the lock of {key} ({exc})") from None
    done = threading.Event()

    def renew() -> None:
        while not done.wait(LOCK_LAPSE / 4):
            with contextlib.suppress(redis.RedisError):
                lock.reacquire()
    renewer = threading.Thread(target=renew, name="bulletin-lock", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        done.set()
        renewer.join()
        with contextlib.suppress(redis.RedisError):
            lock.release()
        client.close()


def run_worker(config: Config, concurrency: int, site: Path | None, name: str = "") -> None:
    """Run a worker of ``concurrency`` processes on ``config``'s broker until stopped, its jobs
    using this machine's cache (``config.cache_dir``); with ``site``, they publish into that
    folder."""
    _worker["site"] = str(site.resolve()) if site else None
    _worker["cache_dir"] = str(config.cache_dir.resolve()) if config.cache_dir else None
    broker = config.queue.broker
    logging.getLogger("bulletin").setLevel(logging.INFO)  # each job's voices, as they load
    app = make_app(broker)
    app.worker_main(["worker", f"--concurrency={concurrency}", "--loglevel=INFO",
                     "--pool=prefork", "--without-gossip", "--without-mingle",
                     f"--hostname={name or f'bulletin-{os.getpid()}'}@%h"])


class ShowScheduler(beat.Scheduler):
    """Beat's scheduler: each show's entry, when due, sends an edition job made then (its feeds
    read afresh) from bulletin.toml's ``[shows.NAME]``."""

    def apply_async(self, entry: Any, producer: Any = None, advance: bool = True,
                    **kwargs: Any) -> Any:
        from ..config import load_config
        from .jobs import EDITION, make_job

        entry = self.reserve(entry) if advance else entry
        name = entry.args[0]
        try:
            config = load_config(_worker["config"], show=name)
            job = make_job(EDITION, config, [], show=name, push=bool(config.publish.remote))
        except BulletinError as exc:
            log.error("show %s: %s", name, exc)
            return None
        log.info("show %s: edition sent", name)
        return self.send_task(JOB_TASK, (job,), {}, producer=producer)


def run_beat(config: Config, broker: str) -> None:
    """Send each show's edition on its ``schedule`` (in ``[show] timezone``) until stopped."""
    shows = [show for show in config.shows if show.schedule]
    if not shows:
        raise ToolError(f"{config.source or 'bulletin.toml'}: no show has a schedule "
                        "([shows.NAME] schedule = \"0 * * * *\")")
    _worker["config"] = config.source
    app = make_app(broker)
    app.conf.timezone = config.show.timezone
    app.conf.beat_schedule = {
        f"show {show.name}": {"task": JOB_TASK, "args": (show.name,),
                              "schedule": crontab(*show.schedule.split())}
        for show in shows}
    app.Beat(scheduler=ShowScheduler, loglevel="INFO", max_interval=5).run()
