"""The commands that look after a published site: ``init`` (a first bulletin.toml), ``push`` (to
remote storage), ``episodes list|remove``, ``feed check`` and ``serve``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..config import Overrides
from ..errors import InputError
from ..progress import Progress
from .app import app, configured, reports_errors
from .making import _print_push
from .options import (
    ConfigOption,
    EngineOption,
    JsonOption,
    QuietOption,
    ServedOption,
    ThatSiteOption,
    VoiceOption,
    number,
)

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
        "--to", metavar="REMOTE:PATH",
        help="An rclone remote and path: a remote from rclone.conf or "
        "RCLONE_CONFIG_<NAME>_* variables (s3remote:bucket/podcast), or "
        ":backend,option=value:path (default: "
        "[publish] remote, $BULLETIN_REMOTE).")] = None,
    config: ConfigOption = None,
    site: ThatSiteOption = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Say what would be uploaded and deleted; change nothing.")] = False,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    from .. import pipeline

    cfg = configured(config, Overrides(site=site, to=to))
    with Progress(not (quiet or as_json)) as progress:
        result = pipeline.push(cfg, dry_run=dry_run, progress=progress.steps("Pushing"))
    if as_json:
        typer.echo(json.dumps(result.summary()))
    elif not quiet:
        _print_push(result)


@app.command()
@reports_errors
def init(
    title: Annotated[str | None, typer.Option(metavar="TEXT", help="The show's title.")] = None,
    author: Annotated[str | None, typer.Option(metavar="NAME",
        help="Its author: a person, or the newsroom.")]
    = None,
    email: Annotated[str | None, typer.Option(metavar="ADDRESS",
        help="The owner's e-mail address.")] = None,
    language: Annotated[str | None, typer.Option(metavar="CODE",
        help="Its language code: en-gb, en-us, fr...")]
    = None,
    base_url: Annotated[str | None, typer.Option(metavar="URL",
        help="The URL the site will be published at.")]
    = None,
    engine: EngineOption = None,
    voice: VoiceOption = None,
    config: Annotated[Path | None, typer.Option(
        "--config", "-c", metavar="FILE", help="The file to write (default: ./bulletin.toml).")]
    = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")]
    = False,
) -> None:
    """Write a commented bulletin.toml for your show, asking for what no option gives.

    Example:  bulletin init --title "Kestrel Bay Tonight" --email news@example.org
    """
    from ..config import DEFAULT_CONFIG_FILE
    from ..firstrun import Answers, init_config

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
    site: ThatSiteOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """List the site's episodes, newest first (drafts the review gate held among them).

    Example:  bulletin episodes list --site public --json
    """
    from .proofing import list_episodes

    list_episodes(configured(config, Overrides(site=site)), as_json, typer.echo)


@episodes_app.command("remove")
@reports_errors
def episodes_remove(
    guid: Annotated[str, typer.Argument(
        metavar="GUID", help="The episode's guid (or its first characters).")],
    config: ConfigOption = None,
    site: ThatSiteOption = None,
    quiet: QuietOption = False,
) -> None:
    """Remove an episode: its item in the feed and page, and its files.

    Example:  bulletin episodes remove 3f2a (the first characters of its guid)
    """
    from ..publish import remove_episode

    episode = remove_episode(configured(config, Overrides(site=site)), guid)
    if not quiet:
        typer.echo(f"removed {episode.guid}  {episode.title}")


@feed_app.command("check")
@reports_errors
def feed_check(config: ConfigOption = None, site: ThatSiteOption = None) -> None:
    """Check the site as a podcast app would; print each problem; exit 1 when there is any.

    Warnings (settings left at bulletin's defaults) go to stderr and leave the exit status be.

    Example:  bulletin feed check --site public
    """
    from ..feed.check import check_site, default_warnings

    cfg = configured(config, Overrides(site=site))
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
    site: ServedOption = None,
    host: Annotated[str, typer.Option(metavar="ADDRESS",
        help="Address to listen on; 0.0.0.0 for every network "
                                           "interface (so a phone can connect).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(
        metavar="PORT", parser=number(int, "--port"),
        help="Port to listen on (0: any free port).")] = 8000,
) -> None:
    """Serve the site over HTTP; on all interfaces, show its feed URL as a QR code for a phone.

    Example:  bulletin serve --site public --host 0.0.0.0
    """
    from ..publish.announce import announce, is_loopback_host
    from ..publish.server import make_server

    cfg = configured(config, Overrides(site=site))
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
