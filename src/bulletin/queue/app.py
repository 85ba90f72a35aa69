"""The Celery app over Redis: a job's steps as tasks, where each runs, the locks, worker and beat.

In: a broker URL (``[queue] broker``, ``$BULLETIN_BROKER``, ``--broker``). ``make_app(broker)`` is
the Celery app with a task for each step of a job (``jobs.plan``, ``speak``, ``publish``), each
acknowledged only once run and given back to the queue when its worker is lost (so it runs again
elsewhere). ``send_job(app, job)`` sends a job as a chain of them: an edition's ``plan`` and every
``publish`` go to the queue of the job's site (``site_queue``), which only a worker started with
``--site`` for that folder takes; the speech goes to ``SPEAKERS``, which every worker takes, so it
runs on machines that cannot see the site (unless the job writes a playout copy, which belongs
beside the site). The last step's result (the outcome ``--wait`` prints) is kept in Redis.
``show_lock`` holds a site for one step at a time across machines (a lock in Redis that lapses
``LOCK_LAPSE`` seconds after its holder stops renewing it: a killed worker); ``take_turn`` gives
one edition of a show at a time its turn, from planning to publishing. ``run_worker`` and
``run_beat`` run until stopped.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from celery import Celery, beat, chain
from celery.schedules import crontab
from celery.signals import worker_process_init
from kombu.exceptions import OperationalError

from ..config import Config, VoiceConfig
from ..errors import BulletinError, ToolError
from .jobs import EDITION, plan, publish, site_key, speak

log = logging.getLogger(__name__)
__all__ = ["OperationalError", "held_by_worker", "make_app", "run_beat", "run_worker", "send_job",
           "show_lock", "site_queue"]

PLAN, SPEAK, PUBLISH = "bulletin.plan", "bulletin.speak", "bulletin.publish"
SPEAKERS = "bulletin"  # the queue of speech, which every worker takes
TURN_LAPSE = 3600  # seconds a turn outlives its edition's last sign of life (a step alive)
TURN_RETRY = 2.0  # seconds an edition waits before it asks for its show's turn again
LOCK_LAPSE = 20.0  # seconds a show's lock outlives its holder's last renewal
LOCK_WAIT = 3600.0  # seconds a job waits for the show's edition before it to finish
VISIBILITY = 3600  # seconds before a job taken by a worker that vanished whole is given again
_worker: dict[str, Any] = {"cache_dir": None, "engines": {}, "config": None}


def make_app(broker: str) -> Celery:
    """The Celery app on ``broker`` (Redis, also the result store), with the steps' tasks."""
    app = Celery("bulletin", broker=broker, backend=broker, set_as_current=False)
    app.conf.update(
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        task_serializer="json", result_serializer="json", accept_content=["json"],
        task_track_started=True, result_expires=7 * 86400,
        broker_connection_retry_on_startup=True, worker_hijack_root_logger=False,
        broker_transport_options={"visibility_timeout": VISIBILITY},
        task_default_queue=SPEAKERS,
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0.2,
                                   "interval_step": 0.5},
    )
    # A step's result goes to the next in its message; only the last one's (the outcome, small)
    # is kept for --wait: a spoken MP3 is not left in Redis for a week.
    # A step's failure is stored all the same, so that the steps after it fail too and --wait
    # hears of it.
    for name, step, keep in ((PLAN, _plan_task, False), (SPEAK, _speak_task, False),
                             (PUBLISH, _publish_task, True)):
        app.task(name=name, bind=True, acks_late=True, reject_on_worker_lost=True,
                 ignore_result=not keep, store_errors_even_if_ignored=True)(step)
    return app


def site_queue(site: str) -> str:
    """The queue of the steps that need ``site`` (a folder's absolute path, as the job names it):
    taken by the worker started with ``--site`` for it."""
    return "bulletin.site." + hashlib.sha256(site.encode()).hexdigest()[:16]


def send_job(app: Celery, job: dict[str, Any], producer: Any = None) -> Any:
    """Send ``job`` as the chain of its steps; the result of its last step (``.id`` is the job's
    id, and ``.get()`` its outcome)."""
    site = site_queue(site_key(job))
    settings = job.get("settings")
    playout = isinstance(settings, dict) and (settings.get("playout") or {}).get("path")
    speakers = site if playout else SPEAKERS
    if job.get("kind") == EDITION:
        steps = [app.signature(PLAN, args=({"job": job},), queue=site),
                 app.signature(SPEAK, queue=speakers)]
    else:
        steps = [app.signature(SPEAK, args=({"job": job},), queue=speakers)]
    return chain(*steps, app.signature(PUBLISH, queue=site)).apply_async(producer=producer)


def held_by_worker(app: Celery, queue: str, wait: float = 1.0) -> bool:
    """Whether a running worker takes ``queue`` (it answers within ``wait`` seconds)."""
    try:
        answers = app.control.inspect(timeout=wait).active_queues() or {}
    except Exception:  # noqa: BLE001 - a worker's answer, not the job's: assume it is held
        return True
    return any(one.get("name") == queue for queues in answers.values() for one in queues or ())


def _plan_task(task: Any, given: dict[str, Any]) -> dict[str, Any]:
    broker, root = task.app.conf.broker_url, task.request.root_id or task.request.id
    turns = _turns(given)
    try:
        if not take_turns(broker, turns, root):
            if task.request.retries * TURN_RETRY >= LOCK_WAIT:
                raise ToolError(f"{turns[-1]}: another edition has run for {LOCK_WAIT:.0f} s; "
                                "try again later")
            raise task.retry(countdown=TURN_RETRY, max_retries=None)
    except BulletinError as exc:
        return {"job": given.get("job"), "done": {"error": str(exc), "exit": exc.exit_code}}
    try:
        planned = plan(given, lock=lambda key: show_lock(broker, key))
    except BaseException:
        give_turns(broker, turns, root)  # a crash: the next edition need not wait for it
        raise
    if "done" in planned:
        give_turns(broker, turns, root)
    return planned


def _speak_task(task: Any, given: dict[str, Any]) -> dict[str, Any]:
    broker, root = task.app.conf.broker_url, task.request.root_id or task.request.id
    turns = _turns(given)
    cache_dir = _worker["cache_dir"]
    try:
        with _keeping(broker, turns, root):  # the edition is alive while it speaks
            return speak(given, cache_dir=Path(cache_dir) if cache_dir else None,
                         engines=_engines)
    except BaseException:
        give_turns(broker, turns, root)
        raise


def _publish_task(task: Any, given: dict[str, Any]) -> dict[str, Any]:
    broker, root = task.app.conf.broker_url, task.request.root_id or task.request.id
    try:
        return publish(given, lock=lambda key: show_lock(broker, key))["done"]
    finally:
        give_turns(broker, _turns(given), root)


def _turns(given: Any) -> list[str]:
    """The turns an edition takes, from its plan to its publishing: its site's (whose memory of
    what was told must not change meanwhile) and its show's; none for a build."""
    job = given.get("job") if isinstance(given, dict) else None
    if not isinstance(job, dict) or job.get("kind") != EDITION:
        return []
    return [f"site:{site_key(job)}", *([f"show:{job['show']}"] if job.get("show") else [])]


def take_turns(broker: str, turns: list[str], holder: str) -> bool:
    """Whether ``holder`` (an edition's chain id) has every one of ``turns`` now; when it cannot
    have them all, it keeps none."""
    for number, turn in enumerate(turns):
        if not take_turn(broker, turn, holder):
            give_turns(broker, turns[:number], holder)
            return False
    return True


def give_turns(broker: str, turns: list[str], holder: str) -> None:
    for turn in turns:
        give_turn(broker, turn, holder)


@contextlib.contextmanager
def _renewing(every: float, renew: Callable[[], None]) -> Iterator[None]:
    """Call ``renew`` every ``every`` seconds, in a thread of its own, for the block."""
    done = threading.Event()

    def loop() -> None:
        while not done.wait(every):
            renew()
    renewer = threading.Thread(target=loop, name="bulletin-renew", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        done.set()
        renewer.join()


def _keeping(broker: str, turns: list[str], holder: str) -> contextlib.AbstractContextManager[None]:
    """Renew ``holder``'s ``turns`` for the block (each ``TURN_LAPSE`` / 4 seconds)."""
    def renew() -> None:
        with contextlib.suppress(BulletinError):
            if not take_turns(broker, turns, holder):
                log.warning("%s: the turn lapsed while this edition was spoken", turns[-1])
    renew()
    return _renewing(TURN_LAPSE / 4, renew) if turns else contextlib.nullcontext()


def _turn(client: Any, turn: str, holder: str) -> Any:
    """``turn`` as a Redis lock held, if at all, by the edition ``holder`` (its chain's id)."""
    lock = client.lock(f"bulletin:turn:{turn}", timeout=TURN_LAPSE, thread_local=False)
    lock.local.token = holder.encode()
    return lock


def take_turn(broker: str, turn: str, holder: str) -> bool:
    """Whether the edition ``holder`` has ``turn`` now: none other holds it, or it already does
    (a later step, or a step run again), and then for ``TURN_LAPSE`` more."""
    import redis

    client = redis.Redis.from_url(broker)
    try:
        lock = _turn(client, turn, holder)
        if lock.acquire(blocking=False, token=holder):
            return True
        with contextlib.suppress(redis.exceptions.LockError):
            return bool(lock.owned() and lock.reacquire())
        return False
    except redis.RedisError as exc:
        raise ToolError(f"{broker}: cannot take the turn of {turn} ({exc})") from None
    finally:
        client.close()


def give_turn(broker: str, turn: str, holder: str) -> None:
    """Give up ``turn``, if ``holder`` still has it."""
    import redis

    client = redis.Redis.from_url(broker)
    try:
        _turn(client, turn, holder).release()
    except redis.RedisError:
        pass  # not its turn (any more), or Redis is away: either way it lapses
    finally:
        client.close()


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
    def renew() -> None:
        with contextlib.suppress(redis.RedisError):
            lock.reacquire()
    try:
        with _renewing(LOCK_LAPSE / 4, renew):
            yield
    finally:
        with contextlib.suppress(redis.RedisError):
            lock.release()
        client.close()


def run_worker(config: Config, concurrency: int, sites: Sequence[Path] = (),
               name: str = "") -> None:
    """Run a worker of ``concurrency`` processes on ``config``'s broker until stopped: it speaks
    for any job, using this machine's cache (``config.cache_dir``), and plans and publishes the
    jobs of each of ``sites``, the folders this machine holds."""
    queues = [SPEAKERS, *(site_queue(str(site.resolve())) for site in sites)]
    _worker["cache_dir"] = str(config.cache_dir.resolve()) if config.cache_dir else None
    broker = config.queue.broker
    logging.getLogger("bulletin").setLevel(logging.INFO)  # each job's voices, as they load
    app = make_app(broker)
    app.worker_main(["worker", f"--concurrency={concurrency}", "--loglevel=INFO",
                     f"--queues={','.join(queues)}",
                     "--pool=prefork", "--without-gossip", "--without-mingle",
                     f"--hostname={name or f'bulletin-{os.getpid()}'}@%h"])


class ShowScheduler(beat.Scheduler):
    """Beat's scheduler: each show's entry, when due, sends an edition job made then (its feeds
    read afresh) from bulletin.toml's ``[shows.NAME]``."""

    def apply_async(self, entry: Any, producer: Any = None, advance: bool = True,
                    **kwargs: Any) -> Any:
        from ..config import load_config
        from .jobs import make_job

        entry = self.reserve(entry) if advance else entry
        name = entry.args[0]
        try:
            config = load_config(_worker["config"], show=name)
            job = make_job(EDITION, config, [], show=name, push=bool(config.publish.remote))
        except BulletinError as exc:
            log.error("show %s: %s", name, exc)
            return None
        log.info("show %s: edition sent", name)
        sent = send_job(self.app, job, producer=producer)
        if not held_by_worker(self.app, site_queue(site_key(job))):
            log.warning("show %s: no worker holds %s now: its editions wait until one is "
                        "started with --site %s", name, site_key(job), site_key(job))
        return sent


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
        f"show {show.name}": {"task": PLAN, "args": (show.name,),
                              "schedule": crontab(*show.schedule.split())}
        for show in shows}
    app.Beat(scheduler=ShowScheduler, loglevel="INFO", max_interval=5).run()
