"""Jobs: what a queued build or edition carries, and the steps a worker runs (no Celery here).

``make_job(kind, config, sources, show=..., push=...)`` is a JSON-able dict: the settings (every
setting of the config, ``settings_of``), the articles or feeds and the files the settings name
(``carry``: a worker needs no shared input files).
A job runs in steps, each a worker's task, each taking what the one before returned:
``plan`` (an edition's feeds and stories, on the worker that holds the site, whose memory says
what was told before), ``speak`` (on any worker: the speech, mixed and encoded, the MP3 carried on
as bytes with all the site needs to know of it, ``wire``) and ``publish`` (on the site's worker).
A step ends the job early with ``{"done": outcome}``, which later steps pass on: the outcome is
``{"lines", "summary", "warnings"}`` (what a local run prints), or ``{"error", "exit"}``: a bad job
fails with the one line and exit status a local run has, and is not retried.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import io
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from ..config import Config, check_config
from ..errors import BulletinError, InputError
from ..layers import from_file, give
from .carry import carry, carry_files, unpacked, with_files
from .wire import from_wire, to_wire

BUILD, EDITION = "build", "edition"
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
            "sources": [carry(source, stdin) for source in sources], "files": carry_files(config)}


@contextlib.contextmanager
def held(lock: Lock, keys: Sequence[str]) -> Iterator[None]:
    """Hold every one of ``keys`` (the show's, then the site's), in that order."""
    with contextlib.ExitStack() as stack:
        for key in keys:
            stack.enter_context(lock(key))
        yield


def _config(job: Any, cache_dir: Path | None = None) -> Config:
    if not isinstance(job, Mapping) or job.get("kind") not in (BUILD, EDITION):
        raise InputError("job: not a bulletin build or edition")
    return replace(config_of(job.get("settings")), cache_dir=cache_dir)


def site_key(job: Mapping[str, Any]) -> str:
    """The site a job publishes into, as its settings name it (the queue of the worker that
    holds it is named after this)."""
    settings = job.get("settings")
    return str(settings.get("site", "")) if isinstance(settings, Mapping) else ""


def _stepping(step: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """A step that passes on what an earlier one finished with, and turns a ``BulletinError``
    into ``{"done": {"error": line, "exit": status}}`` (a bad job is not tried again)."""
    @functools.wraps(step)
    def run(given: Mapping[str, Any], **kwargs: Any) -> dict[str, Any]:
        if not isinstance(given, Mapping):
            return {"done": {"error": "job: not a bulletin job", "exit": 2}}
        if "done" in given:
            return dict(given)
        try:
            return step(given, **kwargs)
        except BulletinError as exc:  # the job goes on with it, for later steps to see
            return {"job": given.get("job"), "done": {"error": str(exc), "exit": exc.exit_code}}
    return run


@_stepping
def plan(given: Mapping[str, Any], *, lock: Lock | None = None) -> dict[str, Any]:
    """An edition's first step, on the worker that holds its site: the feeds read and the stories
    chosen and read (``{"job", "planned"}``), or, with nothing new, ``{"done": outcome}``."""
    from .. import pipeline
    from ..publish import edition_lock, prepare_site
    from ..results import EditionResult

    job = given["job"]
    config = _config(job)
    if job.get("push"):
        pipeline.push_target(config, building=True)
    prepare_site(config)
    with unpacked(job.get("sources") or []) as (sources, _), \
            held(lock or _unlocked, [f"site:{config.site.resolve()}"]), edition_lock(config.site):
        planned = pipeline.plan_edition(sources, config)
    if isinstance(planned, EditionResult):
        return {"job": job, "done": _finished(job, config, planned)}
    return {"job": job, "planned": to_wire(planned)}


@_stepping
def speak(given: Mapping[str, Any], *, cache_dir: Path | None = None,
          engines: Callable[[Config], dict[str, Any]] = lambda config: {}) -> dict[str, Any]:
    """The speech, on any worker (no site needed): a build's articles (or script), or an
    edition's planned stories, spoken, mixed and encoded. ``{"job", "programme", "mp3", …}``:
    what the site's worker needs to publish it, the MP3's bytes included."""
    from .. import pipeline
    from ..dates import utc_now
    from ..models import Planned

    job = given["job"]
    with with_files(_config(job, cache_dir), job.get("files") or {}) as config, \
            tempfile.TemporaryDirectory(prefix="bulletin-job-") as work:
        if job["kind"] == EDITION:
            planned = from_wire(Planned, given.get("planned"))
            programme, told = pipeline.speak_edition(planned, config, Path(work),
                                                     **engines(config))
            extra = {"planned": given.get("planned"), "told": to_wire(told)}
        else:
            now = utc_now()
            script = _script(job, config, now)
            programme = pipeline.speak(script, config, Path(work), now, **engines(config))
            extra = {}
        return {"job": job, "programme": to_wire(programme),
                "mp3": base64.b64encode(programme.mp3.read_bytes()).decode(), **extra}


def _script(job: Mapping[str, Any], config: Config, now: Any) -> Any:
    """A build job's script: the one it carries, or written from the articles it carries."""
    from ..articles import read_articles
    from ..script import build_script, load_script

    with unpacked(job.get("sources") or []) as (sources, stdin):
        if job.get("script"):
            if not sources:
                raise InputError("job: a script build without its script")
            return load_script(sources[0])
        return build_script(read_articles(sources, stdin=io.BytesIO(stdin or b"")), config,
                            now.date())


@_stepping
def publish(given: Mapping[str, Any], *, lock: Lock | None = None) -> dict[str, Any]:
    """The last step, on the worker that holds the site: the programme published (an edition's
    stories noted in its memory), then pushed when the job asks. ``{"done": outcome}``."""
    from .. import pipeline
    from ..models import Planned, Programme
    from ..publish import check_rebuild, edition_lock, prepare_site
    from ..results import EditionResult

    job = given["job"]
    with with_files(_config(job), job.get("files") or {}) as config, \
            tempfile.TemporaryDirectory(prefix="bulletin-job-") as work:
        if job.get("push"):
            pipeline.push_target(config, building=True)
        mp3 = Path(work) / "episode.mp3"
        mp3.write_bytes(base64.b64decode(str(given.get("mp3", ""))))
        programme = replace(from_wire(Programme, given.get("programme")), mp3=mp3)
        with held(lock or _unlocked, [f"site:{config.site.resolve()}"]):
            prepare_site(config)
            if job["kind"] == EDITION:
                told = from_wire(EditionResult, given.get("told"))
                with edition_lock(config.site):
                    result: Any = pipeline.release_edition(
                        programme, told, from_wire(Planned, given.get("planned")), config)
            else:
                check_rebuild(config, programme.script)
                result = pipeline.release(programme, config)
    return {"job": job, "done": _finished(job, config, result)}


def _unlocked(key: str) -> contextlib.AbstractContextManager[None]:
    return contextlib.nullcontext()


def _finished(job: Mapping[str, Any], config: Config, result: Any) -> dict[str, Any]:
    """What a local run prints, for ``--wait``: ``{"lines", "summary", "warnings"}``, the push
    the job asked for included."""
    from .. import pipeline

    lines, summary = result.lines(), result.summary()
    warnings = [f"warning: {problem}" for problem in getattr(result, "problems", ())]
    published = job["kind"] == BUILD or result.published
    pushed = pipeline.push_after(config, published) if job.get("push") else None
    if pushed is not None:
        lines, summary = [*lines, *pushed.lines()], {**summary, "push": pushed.summary()}
    return {"lines": lines, "summary": summary, "warnings": warnings}
