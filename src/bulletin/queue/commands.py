"""The bodies of ``bulletin worker``, ``bulletin beat`` and ``build``/``edition`` ``--queue``.

In: the loaded ``Config`` (its ``[queue] broker``) and the command's options. ``send`` puts a job
on the queue and prints its id at once, or, with ``wait``, what a local run prints (its lines, or
its JSON summary), ending in the job's own one-line error and exit status when it failed.
``worker`` and ``beat`` run until stopped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import typer

from ..config import Config
from ..errors import InputError, ToolError
from .jobs import make_job, site_key


def send(kind: str, config: Config, sources: Sequence[str], *, show: str = "",
         push: bool = False, script: bool = False, wait: bool = False, as_json: bool = False,
         quiet: bool = False) -> None:
    """Queue a ``kind`` job (``build`` or ``edition``) of ``sources``; print its id, or wait
    for it and print its summary (``as_json``: the JSON a local run prints)."""
    queue = _app()
    job = make_job(kind, config, sources, show=show, push=push, script=script)
    broker = config.queue.broker
    _reach(broker)
    app = queue.make_app(broker)
    try:
        sent = queue.send_job(app, job)
    except queue.OperationalError as exc:
        raise ToolError(f"{shown(broker)}: cannot reach the broker ({exc})") from None
    site = site_key(job)
    if not quiet and not queue.held_by_worker(app, queue.site_queue(site)):
        typer.echo(f"bulletin: warning: no worker holds {site} now: the job waits until one is "
                   f"started with --site {site}", err=True)
    if not wait:
        typer.echo(json.dumps({"id": sent.id}) if as_json else sent.id)
        return
    if not (quiet or as_json):
        typer.echo(f"queued {sent.id}; waiting", err=True)
    outcome = _outcome(sent)
    for warning in outcome.get("warnings", ()):
        typer.echo(f"bulletin: {warning}", err=True)
    if "error" in outcome:
        code = outcome.get("exit", 1)
        raise (InputError if code == 2 else ToolError)(str(outcome["error"]))
    if as_json:
        typer.echo(json.dumps(outcome.get("summary", {})))
    elif not quiet:
        for line in outcome.get("lines", ()):
            typer.echo(line)


def shown(broker: str) -> str:
    """The broker's URL with its password, if any, as ***."""
    parts = urlsplit(broker)
    if not parts.password:
        return broker
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(
        f":{parts.password}@", ":***@", 1)))


def _reach(broker: str, wait: float = 5.0) -> None:
    """A ``ToolError`` in one line, at once, when the broker does not answer."""
    import redis

    client = redis.Redis.from_url(broker, socket_connect_timeout=wait, socket_timeout=wait)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise ToolError(f"{shown(broker)}: cannot reach the broker ({exc})") from None
    finally:
        client.close()


def _app() -> Any:
    """The queue's Celery module; a ``ToolError`` when Celery is not installed."""
    try:
        from . import app
    except ImportError as exc:
        raise ToolError(f"the job queue needs Celery ({exc.name} is not installed): "
                        "pip install 'bulletin[queue]'") from None
    return app


def _outcome(sent: Any) -> dict[str, Any]:
    """What the job returned, once it has run; a ``ToolError`` when it ended in a bug."""
    try:
        value = sent.get(propagate=False, disable_sync_subtasks=False)
    except Exception as exc:  # noqa: BLE001 - the result store's own failure, in one line
        raise ToolError(f"job {sent.id}: cannot learn its result ({exc})") from None
    if sent.failed() or not isinstance(value, dict):
        raise ToolError(f"job {sent.id} failed on its worker: {type(value).__name__}: {value}")
    return value


def worker(config: Config, concurrency: int, sites: Sequence[Path] = ()) -> None:
    """Run a worker on ``[queue] broker`` until stopped: ``concurrency`` steps at once, speaking
    for any job, and planning and publishing the jobs whose site is one of ``sites``."""
    run_worker = _app().run_worker
    if concurrency < 1 or concurrency > 256:
        raise InputError(f"--concurrency {concurrency}: must be between 1 and 256 (jobs at once)")
    for site in sites:
        if site.exists() and not site.is_dir():
            raise InputError(f"--site {site}: not a folder")
    run_worker(config, concurrency, sites)


def beat(config: Config) -> None:
    """Send every show's edition on its schedule until stopped."""
    _app().run_beat(config, config.queue.broker)
