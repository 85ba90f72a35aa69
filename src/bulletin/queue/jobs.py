"""Jobs: what a queued build or edition carries, and how a worker runs one (no Celery here).

``make_job(kind, config, sources, show=..., push=...)`` is a JSON-able dict: the settings (every
setting of the config, ``settings_of``), and the articles or feeds, each carried as its bytes when
it is a file or standard input (a worker needs no shared input files) or as its URL. A file that
cannot be read is carried by its name, so the worker refuses it as a local run would.
``run_job(job, ...)`` makes the config again (``config_of``, held to every rule), writes what the
job carries into a folder of its own, runs ``pipeline.build`` or ``pipeline.edition`` and returns
``{"lines", "summary", "warnings"}`` (what a local run prints), or ``{"error", "exit"}``: a bad job
fails with the one line and exit status a local run has, and is not retried.
"""

from __future__ import annotations

import base64
import contextlib
import io
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from ..config import Config, check_config
from ..errors import BulletinError, InputError
from ..layers import from_file, give

BUILD, EDITION = "build", "edition"
CARRIED_LIMIT = 16 * 1024 * 1024  # bytes of a file a job carries at most; larger go by name
SETTINGS = Path("job settings")  # where a job's settings are said to come from, in errors
Lock = Callable[[str], contextlib.AbstractContextManager[None]]


LOCAL = ("cache_dir", "queue")  # settings of the machine (its cache, the broker and its password)


def settings_of(config: Config) -> dict[str, Any]:
    """Every setting of ``config`` but the machine's own (``LOCAL``) as JSON-able values (tables
    as dicts, paths as text); the site as an absolute path. The inverse of ``config_of``."""
    table = {**_table(config), "site": str(config.site.resolve())}
    return {key: value for key, value in table.items() if key not in LOCAL}


def _table(holder: Any) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for spec in fields(holder):
        value = getattr(holder, spec.name)
        if not spec.metadata.get("setting", True) or value is None:
            continue
        table[spec.name] = _table(value) if is_dataclass(value) else _plain(value)
    return table


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(one) for one in value]
    return str(value) if isinstance(value, Path) else value


def config_of(settings: Any) -> Config:
    """The config a job's ``settings`` describe, each held to its rule; an ``InputError`` naming
    ``job settings: TABLE.KEY`` for one that breaks it."""
    if not isinstance(settings, Mapping):
        raise InputError(f"{SETTINGS}: expected a table of settings")
    given = from_file(settings, SETTINGS, Config, {})
    config = Config()
    for one in given:
        config = give(config, one.setting.split("."), one)
    check_config(config, {g.setting: g.where for g in given})
    return config


def carry(source: str, stdin: io.BufferedIOBase | None = None) -> dict[str, str]:
    """One article or feed as a job carries it: a URL as it is; a file's or standard input's
    bytes with the file's name; a file that cannot be read by its name alone."""
    if "://" in source:
        return {"url": source}
    if source == "-":
        data = (stdin or sys.stdin.buffer).read(CARRIED_LIMIT + 1)
        return {"name": "-", "data": base64.b64encode(data).decode()}
    path = Path(source)
    try:
        if path.is_file() and path.stat().st_size <= CARRIED_LIMIT:
            return {"name": path.name, "data": base64.b64encode(path.read_bytes()).decode()}
    except OSError:
        pass
    return {"path": source}


def make_job(kind: str, config: Config, sources: Sequence[str], *, show: str = "",
             push: bool = False, script: bool = False,
             stdin: io.BufferedIOBase | None = None) -> dict[str, Any]:
    """A job for a worker: ``kind`` (``build`` or ``edition``) of ``sources`` (articles, or
    feeds: else ``[edition] feeds``; with ``script``, the one reviewed script file) with
    ``config``'s settings; ``show`` names the show whose editions take turns across machines
    (else the site does)."""
    if kind == EDITION and not sources:
        sources = list(config.edition.feeds)
    settings = settings_of(config)
    settings.get("edition", {}).pop("feeds", None)  # carried below, as the sources
    return {"kind": kind, "show": show, "settings": settings, "push": push, "script": script,
            "sources": [carry(source, stdin) for source in sources]}


@contextlib.contextmanager
def unpacked(sources: Sequence[Mapping[str, str]]) -> Iterator[tuple[list[str], bytes | None]]:
    """The sources a job carries as the names a local run takes (files written into a folder of
    their own for the block), and the bytes of standard input, if it carried them."""
    stdin = None
    with tempfile.TemporaryDirectory(prefix="bulletin-job-") as work:
        names = []
        for number, source in enumerate(sources):
            if not isinstance(source, Mapping):
                raise InputError(f"job source {number + 1}: expected a table")
            if "url" in source or "path" in source:
                names.append(str(source.get("url") or source.get("path")))
                continue
            data = base64.b64decode(str(source.get("data", "")))
            if source.get("name") == "-":
                names.append("-")
                stdin = data
                continue
            folder = Path(work) / str(number)
            folder.mkdir()
            path = folder / Path(str(source.get("name") or "source")).name
            path.write_bytes(data)
            names.append(str(path))
        yield names, stdin


@contextlib.contextmanager
def held(lock: Lock, keys: Sequence[str]) -> Iterator[None]:
    """Hold every one of ``keys`` (the show's, then the site's), in that order."""
    with contextlib.ExitStack() as stack:
        for key in keys:
            stack.enter_context(lock(key))
        yield


def run_job(job: Mapping[str, Any], *, site: Path | None = None, cache_dir: Path | None = None,
            lock: Lock | None = None,
            engines: Callable[[Config], dict[str, Any]] = lambda config: {}) -> dict[str, Any]:
    """Run one job; ``site``: this worker's site, which the job publishes into; ``cache_dir``:
    this worker's cache (else the platform's); ``lock(key)`` holds the show, then the site, for
    one job at a time across machines; ``engines(config)`` gives the pipeline its voices. A
    ``BulletinError`` becomes ``{"error": line, "exit": status}``."""
    try:
        return _run(job, site, cache_dir, lock or (lambda key: contextlib.nullcontext()), engines)
    except BulletinError as exc:
        return {"error": str(exc), "exit": exc.exit_code}


def _run(job: Mapping[str, Any], site: Path | None, cache_dir: Path | None, lock: Lock,
         engines: Callable[[Config], dict[str, Any]]) -> dict[str, Any]:
    from .. import pipeline

    if not isinstance(job, Mapping) or job.get("kind") not in (BUILD, EDITION):
        raise InputError("job: not a bulletin build or edition")
    config = replace(config_of(job.get("settings")), cache_dir=cache_dir)
    if site is not None:
        config = replace(config, site=site)
    if job.get("push"):
        pipeline.push_target(config, building=True)
    keys = [*([f"show:{job['show']}"] if job.get("show") else []), f"site:{config.site.resolve()}"]
    with unpacked(job.get("sources") or []) as (sources, stdin):
        if job["kind"] == BUILD:
            from ..articles import read_articles
            from ..dates import utc_now
            from ..script import build_script, load_script

            if job.get("script"):
                script = load_script(sources[0]) if sources else None
            else:
                articles = read_articles(sources, stdin=io.BytesIO(stdin or b""))
                script = build_script(articles, config, utc_now().date())
            with held(lock, keys):
                result = pipeline.build([], config, script=script, **engines(config))
            warnings: list[str] = []
        else:
            with held(lock, keys):
                result = pipeline.edition(sources, config, **engines(config))
            warnings = [f"warning: {problem}" for problem in result.problems]
    lines, summary = result.lines(), result.summary()
    pushed = (pipeline.push_after(config, job["kind"] == BUILD or result.published)
              if job.get("push") else None)
    if pushed is not None:
        lines, summary = [*lines, *pushed.lines()], {**summary, "push": pushed.summary()}
    return {"lines": lines, "summary": summary, "warnings": warnings}
