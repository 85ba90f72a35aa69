"""The options several commands share, declared once (their help fits every command that takes
them), and ``number``: the parser that gives a numeric option the config's own one-line error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from ..conversion import convert
from ..errors import InputError


def number(kind: type, option: str) -> Callable[[str], Any]:
    """The parser of a numeric option: the config's own conversion, so that a value that is no
    number gets the one line every bad option gets ("--speed 'abc': expected float"), exit 2."""
    def parse(text: str) -> Any:
        try:
            return convert(text, kind, option)
        except InputError as exc:
            typer.echo(f"bulletin: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
    return parse


ConfigOption = Annotated[Path | None, typer.Option(
    "--config", "-c", metavar="FILE", help="Config file (default: ./bulletin.toml when present).")]
SiteOption = Annotated[Path | None, typer.Option(
    metavar="DIR", help="Folder to publish into (default: public/).")]
ThatSiteOption = Annotated[Path | None, typer.Option(
    metavar="DIR", help="The published site's folder (default: public/).")]
ServedOption = Annotated[Path | None, typer.Option(
    metavar="DIR", help="The folder to serve (default: public/).")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
EngineOption = Annotated[str | None, typer.Option(
    metavar="NAME", help="Speech engine: piper (default), espeak or gtts.")]
VoiceOption = Annotated[str | None, typer.Option(
    metavar="VOICE", help="Voice of the engine (see bulletin voices).")]
SpeedOption = Annotated[float | None, typer.Option(
    metavar="RATE", parser=number(float, "--speed"), help="Speaking rate, 1.0 natural.")]
WorkersOption = Annotated[int | None, typer.Option(
    metavar="N", parser=number(int, "--workers"),
    help="Segments spoken at once (default: one per core).")]
BaseUrlOption = Annotated[str | None, typer.Option(
    metavar="URL", help="Public URL the site is served at.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print a JSON summary.")]
PushOption = Annotated[bool, typer.Option(
    "--push", help="Then push the site to [publish] remote ($BULLETIN_REMOTE); see bulletin "
    "push.")]
PlayoutOption = Annotated[str | None, typer.Option(
    metavar="FILE", help="Also write the programme to FILE as a Broadcast WAV for radio "
    "automation (48 kHz, EBU R128: -23 LUFS unless [playout] loudness says otherwise).")]
ShowOption = Annotated[str | None, typer.Option(
    "--show", metavar="NAME",
    help="Use the settings of bulletin.toml's [shows.NAME] over the top-level ones.")]
QueueOption = Annotated[bool, typer.Option(
    "--queue", help="Send the job to the queue ([queue] broker, $BULLETIN_BROKER) for a "
    "bulletin worker to run; print its id.")]
WaitOption = Annotated[bool, typer.Option(
    "--wait", help="With --queue: wait for the job and print what a local run prints.")]
BrokerOption = Annotated[str | None, typer.Option(
    metavar="URL", help="The Redis broker, redis://HOST:PORT/DB (default: [queue] broker, "
    "$BULLETIN_BROKER, else redis://127.0.0.1:6379/0).")]


def _shown_as_typed(self: Any, ctx: Any) -> str | None:
    """An argument with a metavar is shown by it alone (ARTICLE...), without Typer's Python type
    beside it (<list[str]>)."""
    return None if self.metavar else _typer_type(self, ctx)


_typer_type = typer.core.TyperArgument.display_type_rich
typer.core.TyperArgument.display_type_rich = _shown_as_typed  # type: ignore[method-assign]
