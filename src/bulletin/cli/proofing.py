"""The commands of the review gate: ``proof`` (hear an episode and say what came out wrong),
``episodes approve|reject`` (a draft the gate held), and what ``episodes list`` prints of drafts.

In: a loaded ``Config`` and the command's arguments. Out: lines or JSON on stdout.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated

import typer

from ..config import Config, Overrides
from .app import app, configured, reports_errors
from .options import ConfigOption, ThatSiteOption
from .site import episodes_app

Echo = Callable[[str], None]


@episodes_app.command("approve")
@reports_errors
def episodes_approve(
    guid: Annotated[str, typer.Argument(metavar="GUID", help="The draft's guid (or its start).")],
    config: ConfigOption = None, site: ThatSiteOption = None) -> None:
    """Publish a draft the review gate held: into the feed and the page.

    Example:  bulletin episodes approve 3f2a
    """
    approve_or_reject(configured(config, Overrides(site=site)), guid, True, typer.echo)


@episodes_app.command("reject")
@reports_errors
def episodes_reject(
    guid: Annotated[str, typer.Argument(metavar="GUID", help="The draft's guid (or its start).")],
    config: ConfigOption = None, site: ThatSiteOption = None) -> None:
    """Remove a draft the review gate held, files and all.

    Example:  bulletin episodes reject 3f2a
    """
    approve_or_reject(configured(config, Overrides(site=site)), guid, False, typer.echo)


@app.command()
@reports_errors
def proof(
    episode: Annotated[str | None, typer.Argument(
        metavar="EPISODE",
        help="The episode's guid (or its start) or MP3 path; default: the latest.")] = None,
    config: ConfigOption = None,
    site: ThatSiteOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the proof as JSON.")] = False,
    fix: Annotated[bool, typer.Option(
        "--fix", help="Write the respellings heard right into your lexicon.")] = False,
) -> None:
    """Hear an episode offline and say which words came out wrong, and how to fix them.

    Example:  bulletin proof --fix
    """
    run_proof(configured(config, Overrides(site=site)), episode, as_json, fix, typer.echo)


def run_proof(cfg: Config, episode: str | None, as_json: bool, fix: bool, echo: Echo) -> None:
    """Proof an episode by ear and print what was heard wrong (``--json``: the summary)."""
    from .. import pipeline
    from ..proof import summary

    found, proofed, written = pipeline.proof(cfg, episode, suggest=True, fix=fix)
    if as_json:
        echo(json.dumps({**summary(proofed), "guid": found.guid,
                         **({"lexicon": str(written)} if written else {})}))
        return
    flagged = [s for s in proofed.segments if s.flagged]
    echo(f"{found.title} ({found.guid}): word error rate {proofed.wer:.1%}, "
         f"{len(flagged)} of {len(proofed.segments)} segments flagged")
    for segment in flagged:
        echo(f"  segment {segment.id} ({segment.wer:.0%}): expected \"{segment.expected}\"; "
             f"heard \"{segment.heard}\"")
    for suspect in proofed.suspects:
        fix_line = (f"; try {suspect.word} = \"{suspect.suggestion}\"" if suspect.suggestion
                    else "")
        echo(f"  {suspect.word!r} heard as {suspect.heard or 'nothing'!r} "
             f"(segment {suspect.segment}){fix_line}")
    if written:
        echo(f"wrote the suggestions into {written}")


def list_episodes(cfg: Config, as_json: bool, echo: Echo) -> None:
    """Every episode, newest first, drafts among them."""
    from ..feed.text import duration_text
    from ..publish.gate import list_all

    for listed in list_all(cfg.site):
        e = listed.episode
        if as_json:
            echo(json.dumps({"guid": e.guid, "number": e.number, "title": e.title,
                             "status": listed.status, "wer": listed.wer,
                             "published": e.pub_date.isoformat(), "file": e.audio_file,
                             "duration": round(e.duration, 3), "length": e.length}))
        else:
            draft = (f"  [draft, word error rate {listed.wer:.1%}]" if listed.status == "draft"
                     else "")
            echo(f"{e.guid}  {e.pub_date:%Y-%m-%d}  #{e.number:<3} {duration_text(e.duration)}  "
                 f"{e.title}{draft}")


def approve_or_reject(cfg: Config, guid: str, approve: bool, echo: Echo) -> None:
    """Publish the draft ``guid``, or remove it."""
    from ..publish import gate

    episode = gate.approve(cfg, guid) if approve else gate.reject(cfg, guid)
    echo(f"{'published' if approve else 'removed'} {episode.guid}  {episode.title}")
