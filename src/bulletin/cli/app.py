"""The root of the ``bulletin`` command line: the Typer app, its own options, and the one way every
command ends in error.

Whatever escapes a command becomes one line on stderr and an exit status, never a traceback: bad
input exits 2, a failed tool or resource 1, a bug 1 (its traceback with ``-v``), Ctrl-C 130.
"""

from __future__ import annotations

import errno
import functools
import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer

from .. import __version__, interrupt
from ..config import Config, Overrides, load_config
from ..errors import BulletinError, InputError

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Turn news articles into podcast-ready audio bulletins.")

F = TypeVar("F", bound=Callable[..., Any])

DISK_FULL = {errno.ENOSPC, errno.EDQUOT}

SQLITE_FULL = 13  # sqlite3's "database or disk is full"

_options = {"verbose": False}  # the root command's options, as this run gave them


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


def configured(config: Path | None, overrides: Overrides | None = None,
               show: str | None = None) -> Config:
    """The settings of this run: ``config`` (or ./bulletin.toml), the show it names
    (``[shows.NAME]``), the environment, ``overrides``."""
    return load_config(config, overrides, show=show)


def queued(queue: bool, wait: bool) -> bool:
    """Whether the job goes to the queue (``--wait`` only makes sense with ``--queue``)."""
    if wait and not queue:
        raise InputError("--wait: only with --queue")
    return queue


def _version(asked: bool) -> None:
    if asked:
        typer.echo(f"bulletin {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each external command.")]
    = False,
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print bulletin's version and exit.")]
    = False,
) -> None:
    """Turn news articles into podcast-ready audio bulletins."""
    _options["verbose"] = verbose
    if verbose:
        logging.getLogger("bulletin").setLevel(logging.DEBUG)


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
