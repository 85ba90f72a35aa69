"""The commands of the queue: ``worker`` (run queued builds and editions) and ``beat`` (queue each
show's edition on its schedule). Their work is the queue package's (``bulletin.queue.commands``),
imported only when one runs, so that nothing else needs Celery."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..config import Overrides
from .app import app, configured, reports_errors
from .options import BrokerOption, ConfigOption


@app.command()
@reports_errors
def worker(
    config: ConfigOption = None,
    broker: BrokerOption = None,
    concurrency: Annotated[int, typer.Option(
        metavar="N", help="Jobs run at once (processes).")] = 1,
    site: Annotated[list[Path] | None, typer.Option(
        metavar="DIR", help="This machine holds this site (again for each other one): the jobs "
        "that publish into it are published here. Without it, the worker only speaks.")]
    = None,
) -> None:
    """Run queued builds and editions (a Celery worker) until stopped.

    Every worker speaks for any job; a worker with --site also reads the news for that site's
    editions and publishes its jobs.

    Example:  bulletin worker --broker redis://news-queue:6379/0 --site /srv/podcast
    """
    from ..queue.commands import worker as run

    run(configured(config, Overrides(broker=broker)), concurrency, site or [])


@app.command()
@reports_errors
def beat(config: ConfigOption = None, broker: BrokerOption = None) -> None:
    """Queue each show's edition on its schedule ([shows.NAME] schedule, cron) until stopped.

    Example:  bulletin beat --config bulletin.toml
    """
    from ..queue.commands import beat as run

    run(configured(config, Overrides(broker=broker)))
