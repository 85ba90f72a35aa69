"""The commands that make bulletins: ``build`` (from articles or a reviewed script), ``edition``
(from news feeds, to time) and ``script`` (the script to review)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..config import Overrides
from ..errors import InputError
from ..progress import Progress
from .app import app, configured, queued, reports_errors
from .options import (
    BaseUrlOption,
    BrokerOption,
    ConfigOption,
    EngineOption,
    JsonOption,
    PlayoutOption,
    PushOption,
    QueueOption,
    QuietOption,
    ShowOption,
    SiteOption,
    SpeedOption,
    VoiceOption,
    WaitOption,
    WorkersOption,
    number,
)


@app.command()
@reports_errors
def build(
    articles: Annotated[list[str] | None, typer.Argument(
        metavar="ARTICLE",
        help="Articles (.txt, .md, .html, http(s) URL, or - for stdin), in bulletin order.")]
    = None,
    script: Annotated[Path | None, typer.Option(
        "--script", metavar="FILE",
        help="Build from a reviewed script file (from `bulletin script`).")] = None,
    config: ConfigOption = None,
    site: SiteOption = None,
    engine: EngineOption = None,
    voice: VoiceOption = None,
    speed: SpeedOption = None,
    workers: WorkersOption = None,
    base_url: BaseUrlOption = None,
    playout: PlayoutOption = None,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
    rebuild_catalog: Annotated[bool, typer.Option(
        "--rebuild-catalog", help="When the site's catalog is missing, empty or unreadable, "
        "rebuild it from feed.xml and the episode files first.")] = False,
    push: PushOption = False,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Replace the episode even if it was built from an edited script.")]
    = False,
    show: ShowOption = None,
    queue: QueueOption = False,
    wait: WaitOption = False,
    broker: BrokerOption = None,
) -> None:
    """Build a bulletin from ARTICLES (or an edited --script) and publish it with the feed.

    Example:  bulletin build ferry.txt https://example.org/news/story.html --site public
    """
    from .. import pipeline
    from ..script import load_script

    if bool(articles) == (script is not None):
        raise InputError("give articles to build from, or --script FILE, not both"
                         if articles else "no articles given (or use --script FILE)")
    cfg = configured(config, Overrides(site=site, engine=engine, voice=voice, speed=speed,
                                       workers=workers, base_url=base_url, playout=playout,
                                       broker=broker), show)
    if queued(queue, wait):
        from ..queue.commands import send

        return send("build", cfg, articles or [str(script)], show=show or "", push=push,
                    script=script is not None, wait=wait, as_json=as_json, quiet=quiet)
    ready = load_script(script) if script is not None else None
    if push:
        pipeline.push_target(cfg, building=True)
    talk = not (quiet or as_json) and sys.stderr.isatty()  # on a terminal: a pipe gets results
    if talk:
        what = (f"the script {script}" if script is not None else
                f"{len(articles or [])} article{'s' if len(articles or []) != 1 else ''}")
        typer.echo(f"Building a bulletin from {what} into {shown_path(cfg.site)}/", err=True)
    with Progress(not (quiet or as_json)) as progress:
        result = pipeline.build(articles or [], cfg, script=ready, progress=progress,
                                stage=progress.stage, rebuild_catalog=rebuild_catalog,
                                replace=replace)
        pushed = pipeline.push(cfg, progress=progress.steps("Pushing")) if push else None
    if as_json:
        typer.echo(json.dumps({**result.summary(), **_pushed(pushed)}))
    elif not quiet:
        for line in result.lines():
            typer.echo(line)
        _print_push(pushed)
        if talk:
            typer.echo(next_step(cfg.site), err=True)


def shown_path(path: Path) -> str:
    """``path`` as short as it can be said: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def next_step(site: Path) -> str:
    """The closing line of a build: what to do next, within 80 columns where the path allows."""
    where = shown_path(site)
    command = "bulletin serve" if where == "public" else f"bulletin serve --site {where}"
    line = f"Next: {command}   (for a phone on this network, add --host 0.0.0.0)"
    return line if len(line) <= 80 else f"Next: {command}"


def _pushed(pushed: Any) -> dict[str, object]:
    """The ``push`` part of a JSON summary, when the command pushed."""
    return {"push": pushed.summary()} if pushed is not None else {}


def _print_push(pushed: Any) -> None:
    for line in pushed.lines() if pushed is not None else ():
        typer.echo(line)


EDITION_HELP = (
    "Make an edition from news FEEDS, written to time, and publish it.\n\n"
    "FEEDS are RSS, Atom or JSON Feed URLs or files (else bulletin.toml's [edition] feeds). "
    "The top stories (carried by the most feeds, then by feed weight, then the newest) are read "
    "from their pages, each trimmed to whole sentences so that the programme ends on --duration. "
    "With nothing new since the last edition, nothing is published (exit 0): it is safe to run "
    "every hour.\n\n"
    "Example bulletin.toml:\n\n"
    "\b\n"
    "[show]\n"
    'title = "Kestrel Bay Tonight"\n'
    'timezone = "Europe/London"\n'
    "[edition]\n"
    'feeds = ["https://news.example.org/rss.xml", "https://example.com/feed.json"]\n'
    'duration = "5:00"\n'
    "stories = 6\n"
    'max_age = "12h"\n'
    "[edition.weights]\n"
    '"news.example.org" = 2\n\n'
    "\b\n"
    "Every hour, from cron:\n"
    "0 * * * *  bulletin edition --config bulletin.toml --quiet"
)


@app.command(help=EDITION_HELP)
@reports_errors
def edition(
    feeds: Annotated[list[str] | None, typer.Argument(
        metavar="FEED",
        help="News feeds: http(s) URLs or files (default: [edition] feeds).")] = None,
    duration: Annotated[str | None, typer.Option(
        metavar="M:SS",
        help="Length of the whole programme, as M:SS (default 5:00; 0: read stories whole).")]
    = None,
    stories: Annotated[int | None, typer.Option(
        metavar="N", parser=number(int, "--stories"), help="Stories at most (default 6).")] = None,
    max_age: Annotated[str | None, typer.Option(
        metavar="AGE",
        help="Leave out items older than this, e.g. 24h, 90m, 2d (default 24h).")] = None,
    config: ConfigOption = None,
    site: SiteOption = None,
    engine: EngineOption = None,
    voice: VoiceOption = None,
    speed: SpeedOption = None,
    workers: WorkersOption = None,
    base_url: BaseUrlOption = None,
    playout: PlayoutOption = None,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
    push: Annotated[bool, typer.Option(
        "--push", help="Then push the site to [publish] remote ($BULLETIN_REMOTE), also when "
        "nothing new was published (so a push that failed before catches up); see bulletin "
        "push.")] = False,
    show: ShowOption = None,
    queue: QueueOption = False,
    wait: WaitOption = False,
    broker: BrokerOption = None,
) -> None:
    from .. import pipeline

    cfg = configured(config, Overrides(site=site, engine=engine, voice=voice, speed=speed,
                                    workers=workers, base_url=base_url,
                                    feeds=tuple(feeds) if feeds else None, duration=duration,
                                    stories=stories, max_age=max_age, playout=playout,
                                    broker=broker), show)
    if queued(queue, wait):
        from ..queue.commands import send

        return send("edition", cfg, feeds or [], show=show or "", push=push, wait=wait,
                    as_json=as_json, quiet=quiet)
    if push:
        pipeline.push_target(cfg, building=True)
    with Progress(not (quiet or as_json)) as progress:
        result = pipeline.edition(feeds or [], cfg, progress=progress, steps=progress.steps,
                                  stage=progress.stage)
        pushed = (pipeline.push_after(cfg, result.published, progress.steps("Pushing"))
                  if push else None)
    for problem in result.problems:
        typer.echo(f"bulletin: warning: {problem}", err=True)
    if as_json:
        typer.echo(json.dumps({**result.summary(), **_pushed(pushed)}))
    elif not quiet:
        for line in result.lines():
            typer.echo(line)
        _print_push(pushed)


@app.command("script")
@reports_errors
def script_command(
    articles: Annotated[list[str], typer.Argument(
        metavar="ARTICLE",
        help="Articles (.txt, .md, .html, http(s) URL, or - for stdin), in bulletin order.")],
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="md|json",
                                       help="md (to read) or json.")] = "md",
    out: Annotated[Path | None, typer.Option("--out", "-o", metavar="FILE",
                                               help="Write to FILE, not stdout.")]
    = None,
    config: ConfigOption = None,
) -> None:
    """Print the spoken script of ARTICLES for review; build it later with --script.

    Example:  bulletin script ferry.txt -o script.md, edit it, then bulletin build --script
    script.md
    """
    from ..articles import read_articles
    from ..dates import utc_today
    from ..fileio import atomic_write_text
    from ..script import build_script, check_format, dump_script

    check_format(fmt)
    cfg = configured(config)
    text = dump_script(build_script(read_articles(articles), cfg, utc_today()), fmt)
    if out is None:
        typer.echo(text, nl=False)
    else:
        atomic_write_text(out, text)
