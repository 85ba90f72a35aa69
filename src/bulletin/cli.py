"""The ``bulletin`` command line: parse options, call the pipeline, report.

Each command imports what it calls when it runs, so a quick command (``episodes list``, ``feed
check``) does not load the speech, audio and article-reading stages.

Bad input exits 2 and a failed tool exits 1, each with one line on stderr and no traceback.
"""

from __future__ import annotations

import errno
import functools
import json
import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer

from . import interrupt
from .config import Config, Overrides, load_config
from .errors import BulletinError, InputError
from .progress import Progress

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Turn news articles into podcast-ready audio bulletins.")

F = TypeVar("F", bound=Callable[..., Any])

DISK_FULL = {errno.ENOSPC, errno.EDQUOT}
SQLITE_FULL = 13  # sqlite3's "database or disk is full"
_options = {"verbose": False}  # the root command's options, as this run gave them

ConfigOption = Annotated[Path | None, typer.Option(
    "--config", "-c", help="Config file (default: ./bulletin.toml when present).")]
SiteOption = Annotated[Path | None, typer.Option(help="Folder to publish into (default: public/).")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
EngineOption = Annotated[str | None, typer.Option(help="Speech engine (default: piper).")]
VoiceOption = Annotated[str | None, typer.Option(help="Voice of the engine.")]
SpeedOption = Annotated[float | None, typer.Option(help="Speaking rate, 1.0 natural.")]
WorkersOption = Annotated[int | None, typer.Option(
    help="Segments spoken at once (default: one per core).")]
BaseUrlOption = Annotated[str | None, typer.Option(help="Public URL of the site.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print a JSON summary.")]
PushOption = Annotated[bool, typer.Option(
    "--push", help="Then push the site to \\[publish] remote ($BULLETIN_REMOTE); see bulletin "
    "push.")]
PlayoutOption = Annotated[str | None, typer.Option(
    help="Also write the programme to this file as a Broadcast WAV for radio automation "
    "(48 kHz, EBU R128: -23 LUFS unless \\[playout] loudness says otherwise).")]
ShowOption = Annotated[str | None, typer.Option(
    "--show", help="Use the settings of bulletin.toml's \\[shows.NAME] over the top-level ones.")]
QueueOption = Annotated[bool, typer.Option(
    "--queue", help="Send the job to the queue (\\[queue] broker, $BULLETIN_BROKER) for a "
    "bulletin worker to run; print its id.")]
WaitOption = Annotated[bool, typer.Option(
    "--wait", help="With --queue: wait for the job and print what a local run prints.")]
BrokerOption = Annotated[str | None, typer.Option(
    help="The Redis broker, redis://HOST:PORT/DB (default: \\[queue] broker, $BULLETIN_BROKER, "
    "else redis://127.0.0.1:6379/0).")]


def fail(message: str, code: int) -> NoReturn:
    """One line on stderr (``bulletin: message``), then exit with ``code``."""
    typer.echo(f"bulletin: {message}", err=True)
    raise typer.Exit(code)


def report(exc: Exception, verbose: bool = False) -> NoReturn:
    """End the program for ``exc`` with one line and its exit status (see ``describe``); with
    ``verbose``, an unexpected error's traceback comes first, for a bug report."""
    if interrupt.happened():  # a program or import cut short by the same Ctrl-C
        interrupt.report()
    message, code, internal = describe(exc)
    if internal and verbose:
        traceback.print_exception(exc, file=sys.stderr)
        sys.stderr.flush()
    elif internal:
        message += " (run with -v for the traceback)"
    fail(message, code)


def describe(exc: Exception) -> tuple[str, int, bool]:
    """The one line, exit status, and whether it is bulletin's own fault, for an exception.

    ``BulletinError``: its message and code. A full disk (``ENOSPC``, ``EDQUOT``, SQLite's
    ``SQLITE_FULL``): "disk full", 1. Another ``OSError``: the file and the reason, 1. Anything else
    is a bug: "internal error: Type: message", 1.
    """
    if isinstance(exc, BulletinError):
        return str(exc), exc.exit_code, False
    where = getattr(exc, "filename", None)
    prefix = f"{where}: " if where else ""
    if isinstance(exc, OSError) and exc.errno in DISK_FULL:
        return f"{prefix}disk full ({exc.strerror})", 1, False
    if getattr(exc, "sqlite_errorcode", None) == SQLITE_FULL:
        return f"disk full ({exc})", 1, False
    if isinstance(exc, OSError) and exc.strerror:
        return f"{prefix}{exc.strerror}", 1, False
    text = " ".join(str(exc).split())  # one line, whatever the message holds
    if len(text) > 300:
        text = text[:300] + "..."
    return f"internal error: {type(exc).__name__}{': ' + text if text else ''}", 1, True


def reports_errors(command: F) -> F:
    """Whatever escapes ``command`` becomes one line on stderr and an exit status, never a
    traceback: bad input 2, a failing tool or resource 1, a bug 1 (its traceback with ``-v``).
    Ctrl-C ends in "bulletin: interrupted" and 130."""
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            interrupt.report()
        except Exception as exc:  # noqa: BLE001 - the one-line contract covers everything
            report(exc, _options["verbose"])
    return wrapper  # type: ignore[return-value]


def _config(config: Path | None, overrides: Overrides | None = None,
            show: str | None = None) -> Config:
    return load_config(config, overrides, show=show)


def _queued(queue: bool, wait: bool) -> bool:
    if wait and not queue:
        raise InputError("--wait: only with --queue")
    return queue


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each external command.")]
    = False,
) -> None:
    """Turn news articles into podcast-ready audio bulletins."""
    _options["verbose"] = verbose
    if verbose:
        logging.getLogger("bulletin").setLevel(logging.DEBUG)


@app.command()
@reports_errors
def build(
    articles: Annotated[list[str] | None, typer.Argument(
        help="Articles (.txt, .md, .html, http(s) URL, or - for stdin), in bulletin order.")]
    = None,
    script: Annotated[Path | None, typer.Option(
        "--script", help="Build from a reviewed script file (from `bulletin script`).")] = None,
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
    show: ShowOption = None,
    queue: QueueOption = False,
    wait: WaitOption = False,
    broker: BrokerOption = None,
) -> None:
    """Build a bulletin from ARTICLES (or an edited --script) and publish it with the feed."""
    from . import pipeline
    from .script import load_script

    if bool(articles) == (script is not None):
        raise InputError("give articles to build from, or --script FILE, not both"
                         if articles else "no articles given (or use --script FILE)")
    cfg = _config(config, Overrides(site=site, engine=engine, voice=voice, speed=speed,
                                    workers=workers, base_url=base_url, playout=playout,
                                    broker=broker), show)
    if _queued(queue, wait):
        from .queue.commands import send

        return send("build", cfg, articles or [str(script)], show=show or "", push=push,
                    script=script is not None, wait=wait, as_json=as_json, quiet=quiet)
    ready = load_script(script) if script is not None else None
    if push:
        pipeline.push_target(cfg, building=True)
    with Progress(not (quiet or as_json)) as progress:
        result = pipeline.build(articles or [], cfg, script=ready, progress=progress,
                                stage=progress.stage, rebuild_catalog=rebuild_catalog)
        pushed = pipeline.push(cfg, progress=progress.steps("Pushing")) if push else None
    if as_json:
        typer.echo(json.dumps({**result.summary(), **_pushed(pushed)}))
    elif not quiet:
        for line in result.lines():
            typer.echo(line)
        _print_push(pushed)


def _pushed(pushed: Any) -> dict[str, object]:
    """The ``push`` part of a JSON summary, when the command pushed."""
    return {"push": pushed.summary()} if pushed is not None else {}


def _print_push(pushed: Any) -> None:
    for line in pushed.lines() if pushed is not None else ():
        typer.echo(line)


EDITION_HELP = (
    "Make an edition from news FEEDS, written to time, and publish it.\n\n"
    "FEEDS are RSS, Atom or JSON Feed URLs or files (else bulletin.toml's \\[edition] feeds). "
    "The top stories (carried by the most feeds, then by feed weight, then the newest) are read "
    "from their pages, each trimmed to whole sentences so that the programme ends on --duration. "
    "With nothing new since the last edition, nothing is published (exit 0): it is safe to run "
    "every hour.\n\n"
    "Example bulletin.toml:\n\n"
    "\\[show]\n"
    'title = "Kestrel Bay Tonight"\n'
    'timezone = "Europe/London"\n'
    "\\[edition]\n"
    'feeds = ["https://news.example.org/rss.xml", "https://example.com/feed.json"]\n'
    'duration = "5:00"\n'
    "stories = 6\n"
    'max_age = "12h"\n'
    "\\[edition.weights]\n"
    '"news.example.org" = 2\n\n'
    "Every hour from cron:  0 * * * *  bulletin edition --config bulletin.toml --quiet"
)


@app.command(help=EDITION_HELP)
@reports_errors
def edition(
    feeds: Annotated[list[str] | None, typer.Argument(
        help="News feeds: http(s) URLs or files (default: \\[edition] feeds).")] = None,
    duration: Annotated[str | None, typer.Option(
        help="Length of the whole programme, as M:SS (default 5:00; 0: read stories whole).")]
    = None,
    stories: Annotated[int | None, typer.Option(help="Stories at most (default 6).")] = None,
    max_age: Annotated[str | None, typer.Option(
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
        "--push", help="Then push the site to \\[publish] remote ($BULLETIN_REMOTE), also when "
        "nothing new was published (so a push that failed before catches up); see bulletin "
        "push.")] = False,
    show: ShowOption = None,
    queue: QueueOption = False,
    wait: WaitOption = False,
    broker: BrokerOption = None,
) -> None:
    from . import pipeline

    cfg = _config(config, Overrides(site=site, engine=engine, voice=voice, speed=speed,
                                    workers=workers, base_url=base_url,
                                    feeds=tuple(feeds) if feeds else None, duration=duration,
                                    stories=stories, max_age=max_age, playout=playout,
                                    broker=broker), show)
    if _queued(queue, wait):
        from .queue.commands import send

        return send("edition", cfg, feeds or [], show=show or "", push=push, wait=wait,
                    as_json=as_json, quiet=quiet)
    if push:
        pipeline.push_target(cfg, building=True)
    with Progress(not (quiet or as_json)) as progress:
        result = pipeline.edition(feeds or [], cfg, progress=progress, steps=progress.steps,
                                  stage=progress.stage)
        pushed = None
        if push and (result.published or (cfg.site / "feed.xml").is_file()):
            pushed = pipeline.push(cfg, progress=progress.steps("Pushing"))
    for problem in result.problems:
        typer.echo(f"bulletin: warning: {problem}", err=True)
    if as_json:
        typer.echo(json.dumps({**result.summary(), **_pushed(pushed)}))
    elif not quiet:
        for line in result.lines():
            typer.echo(line)
        _print_push(pushed)


PUSH_HELP = (
    "Publish the site to any storage rclone reaches (S3, R2, SFTP, WebDAV, ...).\n\n"
    "New audio, transcripts and chapters go first, then the cover and index.html, then feed.xml; "
    "only then are the episode files the site no longer has deleted, so listeners never meet a "
    "feed whose files are missing. Files already there are not sent again.\n\n"
    "Example, to a remote made with `rclone config`:  bulletin push --to r2:podcasts/harbour"
)


@app.command("push", help=PUSH_HELP)
@reports_errors
def push_command(
    to: Annotated[str | None, typer.Option(
        "--to", help="An rclone remote and path: a remote from rclone.conf or "
        "RCLONE_CONFIG_<NAME>_* variables (s3remote:bucket/podcast), or "
        ":backend,option=value:path (default: "
        "\\[publish] remote, $BULLETIN_REMOTE).")] = None,
    config: ConfigOption = None,
    site: SiteOption = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Say what would be uploaded and deleted; change nothing.")] = False,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    from . import pipeline

    cfg = _config(config, Overrides(site=site, to=to))
    with Progress(not (quiet or as_json)) as progress:
        result = pipeline.push(cfg, dry_run=dry_run, progress=progress.steps("Pushing"))
    if as_json:
        typer.echo(json.dumps(result.summary()))
    elif not quiet:
        _print_push(result)


@app.command("script")
@reports_errors
def script_command(
    articles: Annotated[list[str], typer.Argument(
        help="Articles (.txt, .md, .html, http(s) URL, or - for stdin), in bulletin order.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="md (to read) or json.")] = "md",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to FILE, not stdout.")]
    = None,
    config: ConfigOption = None,
) -> None:
    """Print the spoken script of ARTICLES for review; build it later with --script."""
    from .articles import read_articles
    from .dates import utc_today
    from .fileio import atomic_write_text
    from .script import build_script, check_format, dump_script

    check_format(fmt)
    cfg = _config(config)
    text = dump_script(build_script(read_articles(articles), cfg, utc_today()), fmt)
    if out is None:
        typer.echo(text, nl=False)
    else:
        atomic_write_text(out, text)


@app.command()
@reports_errors
def init(
    title: Annotated[str | None, typer.Option(help="The show's title.")] = None,
    author: Annotated[str | None, typer.Option(help="Its author: a person, or the newsroom.")]
    = None,
    email: Annotated[str | None, typer.Option(help="The owner's e-mail address.")] = None,
    language: Annotated[str | None, typer.Option(help="Its language code: en-gb, en-us, fr...")]
    = None,
    base_url: Annotated[str | None, typer.Option(help="The URL the site will be published at.")]
    = None,
    engine: EngineOption = None,
    voice: VoiceOption = None,
    config: Annotated[Path | None, typer.Option(
        "--config", "-c", help="The file to write (default: ./bulletin.toml).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")]
    = False,
) -> None:
    """Write a commented bulletin.toml for your show, asking for what no option gives."""
    from .config import DEFAULT_CONFIG_FILE
    from .firstrun import Answers, init_config

    done = init_config(config or DEFAULT_CONFIG_FILE, Answers(
        title=title, author=author, email=email, language=language, base_url=base_url,
        engine=engine, voice=voice), force=force)
    for warning in done.warnings:
        typer.echo(f"bulletin: warning: {warning}", err=True)
    typer.echo(f"{'replaced' if done.replaced else 'wrote'} {done.path}; next: "
               "bulletin build ARTICLE, then bulletin serve")


episodes_app = typer.Typer(no_args_is_help=True, help="List or remove published episodes.")
feed_app = typer.Typer(no_args_is_help=True, help="Check the published feed.")
app.add_typer(episodes_app, name="episodes")
app.add_typer(feed_app, name="feed")


@episodes_app.command("list")
@reports_errors
def episodes_list(
    config: ConfigOption = None,
    site: SiteOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """List the site's episodes, newest first."""
    from .feed.text import clock
    from .publish import list_episodes

    cfg = _config(config, Overrides(site=site))
    for e in list_episodes(cfg.site):
        if as_json:
            typer.echo(json.dumps({"guid": e.guid, "number": e.number, "title": e.title,
                                   "published": e.pub_date.isoformat(), "file": e.audio_file,
                                   "duration": round(e.duration, 3), "length": e.length}))
        else:
            typer.echo(f"{e.guid}  {e.pub_date:%Y-%m-%d}  #{e.number:<3} "
                       f"{clock(e.duration)}  {e.title}")


@episodes_app.command("remove")
@reports_errors
def episodes_remove(
    guid: Annotated[str, typer.Argument(help="The episode's guid (or its first characters).")],
    config: ConfigOption = None,
    site: SiteOption = None,
    quiet: QuietOption = False,
) -> None:
    """Remove an episode: its item in the feed and page, and its files."""
    from .publish import remove_episode

    episode = remove_episode(_config(config, Overrides(site=site)), guid)
    if not quiet:
        typer.echo(f"removed {episode.guid}  {episode.title}")


@feed_app.command("check")
@reports_errors
def feed_check(config: ConfigOption = None, site: SiteOption = None) -> None:
    """Check the site as a podcast app would; print each problem; exit 1 when there is any.
    Warnings (settings left at bulletin's defaults) go to stderr and leave the exit status be."""
    from .feed.check import check_site, default_warnings

    cfg = _config(config, Overrides(site=site))
    if not cfg.site.is_dir():
        raise InputError(f"{cfg.site}: no such site folder")
    for warning in default_warnings(cfg.site, cfg.source):
        typer.echo(f"bulletin: warning: {warning}", err=True)
    problems = check_site(cfg.site)
    for problem in problems:
        typer.echo(problem)
    if problems:
        raise typer.Exit(1)
    typer.echo(f"{cfg.site / 'feed.xml'}: OK")


@app.command()
@reports_errors
def serve(
    config: ConfigOption = None,
    site: SiteOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on; 0.0.0.0 for every network "
                                           "interface (so a phone can connect).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 8000,
) -> None:
    """Serve the site over HTTP and show its feed URL as a QR code for a phone."""
    from .publish.announce import announce, is_loopback_host
    from .publish.server import make_server

    cfg = _config(config, Overrides(site=site))
    server = make_server(cfg.site, host, port)
    try:
        if not is_loopback_host(host):
            typer.echo(f"bulletin: warning: listening on {host}, beyond this machine: anyone on "
                       "the network can fetch the site", err=True)
        announce(server, sys.stdout)
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo("stopped", err=True)
    finally:
        server.server_close()


cache_app = typer.Typer(no_args_is_help=True, help="Show or empty the cache of spoken segments.")
app.add_typer(cache_app, name="cache")


@app.command()
@reports_errors
def voices(as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
           ) -> None:
    """List every engine's voices, offline or online, and whether each is usable here now."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from .tts import voice_table

    rows = voice_table()
    if as_json:
        for info, problem in rows:
            typer.echo(json.dumps({"engine": info.engine, "voice": info.voice,
                                   "description": info.description, "offline": info.offline,
                                   "usable": problem is None, "problem": problem}))
        return
    table = Table("engine", "voice", "description", "needs", "usable here now")
    for info, problem in rows:
        usable = "yes" if problem is None else f"no: {problem}"
        table.add_row(*(escape(cell) for cell in (
            info.engine, info.voice, info.description,
            "offline" if info.offline else "internet", usable)))
    Console(width=None if sys.stdout.isatty() else 160).print(table)


@cache_app.command("info")
@reports_errors
def cache_info(
    config: ConfigOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Where the segment cache is, how many segments it holds and its size."""
    from .tts import SegmentCache

    info = SegmentCache(_config(config).cache_root).info()
    if as_json:
        typer.echo(json.dumps({"path": str(info.path), "segments": info.entries,
                               "bytes": info.bytes, "voice_bytes": info.voice_bytes,
                               "render_bytes": info.render_bytes}))
    else:
        typer.echo(f"{info.path}  {info.entries} segments, {info.bytes / 1e6:.1f} MB; "
                   f"prepared voices {info.voice_bytes / 1e6:.1f} MB; "
                   f"encoded programmes {info.render_bytes / 1e6:.1f} MB")


@cache_app.command("clear")
@reports_errors
def cache_clear(config: ConfigOption = None, quiet: QuietOption = False) -> None:
    """Remove every cached segment (they are synthesised again when next needed)."""
    from .tts import SegmentCache

    cache = SegmentCache(_config(config).cache_root)
    removed = cache.clear()
    if not quiet:
        typer.echo(f"removed {removed} segments from {cache.root}")


@app.command()
@reports_errors
def worker(
    config: ConfigOption = None,
    broker: BrokerOption = None,
    concurrency: Annotated[int, typer.Option(help="Jobs run at once (processes).")] = 1,
    site: Annotated[Path | None, typer.Option(
        help="This machine holds this site: the jobs run here publish into it.")] = None,
) -> None:
    """Run queued builds and editions (a Celery worker) until stopped."""
    from .queue.commands import worker as run

    run(_config(config, Overrides(broker=broker)), concurrency, site)


@app.command()
@reports_errors
def beat(config: ConfigOption = None, broker: BrokerOption = None) -> None:
    """Queue each show's edition on its schedule (\\[shows.NAME] schedule, cron) until stopped."""
    from .queue.commands import beat as run

    run(_config(config, Overrides(broker=broker)))


def main() -> None:
    """Run the command line; whatever escapes it (outside a command, too) is one line."""
    logging.basicConfig(level=logging.WARNING, format="bulletin: %(message)s")
    try:
        app()
    except Exception as exc:  # noqa: BLE001 - never a traceback, even outside a command
        try:
            report(exc, _options["verbose"])
        except typer.Exit as done:
            raise SystemExit(done.exit_code) from None
