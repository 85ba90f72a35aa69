"""The commands about speech: ``voices`` (every engine's voices) and ``cache info|clear``."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from .app import app, configured, reports_errors
from .options import (
    ConfigOption,
    QuietOption,
)

cache_app = typer.Typer(no_args_is_help=True, help="Show or empty the cache of spoken segments.")
app.add_typer(cache_app, name="cache")


@app.command()
@reports_errors
def voices(as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
           ) -> None:
    """List every engine's voices, offline or online, and whether each is usable here now.

    Example:  bulletin voices --json
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from ..tts import voice_table

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
    """Where the segment cache is, how many segments it holds and its size.

    Example:  bulletin cache info --json
    """
    from ..tts import SegmentCache

    info = SegmentCache(configured(config).cache_root).info()
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
    """Remove every cached segment (they are synthesised again when next needed).

    Example:  bulletin cache clear
    """
    from ..tts import SegmentCache

    cache = SegmentCache(configured(config).cache_root)
    removed = cache.clear()
    if not quiet:
        typer.echo(f"removed {removed} segments from {cache.root}")
