"""`bulletin voices`; and `build` shows a progress bar on a terminal, only the result on a pipe."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

from gtts_endpoint import closed_port, point_gtts_at, serve_gtts

ARTICLE = ("Night ferry returns", "Residents voted to restore the night ferry.",
           "Crossings will run every forty minutes.")


def rows(cli) -> dict[tuple[str, str], dict]:
    result = cli("voices", "--json")
    assert result.exit_code == 0
    return {(r["engine"], r["voice"]): r for r in map(json.loads, result.stdout.splitlines())}


def test_voices_lists_every_engine_and_what_is_usable_now(cli, monkeypatch):
    point_gtts_at(monkeypatch, closed_port())  # no network
    table = rows(cli)
    assert {engine for engine, _ in table} == {"piper", "gtts", "espeak"}
    piper = table[("piper", "en_US-joe-medium")]
    assert piper["offline"] and piper["usable"]
    assert table[("espeak", "en-us")]["usable"]
    gtts = table[("gtts", "en")]
    assert not gtts["offline"] and not gtts["usable"]
    assert gtts["problem"].startswith("no internet access")

    shown = cli("voices")
    assert shown.exit_code == 0
    line = next(li for li in shown.stdout.splitlines() if "gtts" in li and " en " in li)
    assert "internet" in line and "no: no internet access" in line


def test_gtts_is_usable_when_its_service_answers(cli, monkeypatch):
    with serve_gtts(monkeypatch):
        assert rows(cli)[("gtts", "en")]["usable"]


def test_espeak_without_its_binary_says_how_to_install_it(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    espeak = rows(cli)[("espeak", "en-us")]
    assert not espeak["usable"]
    assert espeak["problem"] == "espeak-ng not found; install it with: apt-get install espeak-ng"


def test_a_pipe_gets_only_the_result(cli, write_article):
    article = write_article("a.txt", *ARTICLE)
    plain = cli("build", article)
    assert plain.exit_code == 0 and plain.stderr == ""
    lines = plain.stdout.splitlines()
    assert len(lines) == 2 and lines[0].endswith("cached)") and lines[1].endswith("feed.xml")

    quiet = cli("build", article, "--quiet")
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""

    machine = cli("build", article, "--json")
    assert machine.stderr == ""
    assert json.loads(machine.stdout)["segments"] == 5


def _run_on_a_terminal(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run the real `bulletin` with stderr on a pseudo-terminal; returns (status, stdout, tty)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "100"}
    code = "from bulletin.cli import main; main()"
    process = subprocess.Popen([sys.executable, "-c", code, *args], cwd=cwd, env=env,
                               stdout=subprocess.PIPE, stderr=follower, stdin=subprocess.DEVNULL)
    os.close(follower)
    screen = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the program closed the terminal
                break
            if not chunk:
                break
            screen += chunk
        elif process.poll() is not None:
            break
    out = process.stdout.read().decode() if process.stdout else ""
    os.close(leader)
    return process.wait(timeout=60), out, screen.decode("utf-8", "replace")


def test_a_terminal_shows_a_progress_bar(write_article, tmp_path, monkeypatch):
    monkeypatch.setenv("BULLETIN_CACHE_DIR", str(tmp_path / "fresh-cache"))
    article = write_article("a.txt", *ARTICLE)
    status, out, screen = _run_on_a_terminal(["build", str(article)], tmp_path)
    assert status == 0, screen
    assert "Speaking" in screen and "5/5" in screen  # segments done of total
    assert "Encoding" in screen  # the later stages are named as they run
    assert re.search(r" \(\d+:\d\d, 5 synthesised, 0 cached\)$", out.splitlines()[0])

    status, out, screen = _run_on_a_terminal(["build", str(article), "--quiet"], tmp_path)
    assert status == 0 and out == "" and "Speaking" not in screen



def test_a_terminal_is_told_what_is_built_and_then_what_to_do_next(write_article, tmp_path):
    article = write_article("a.txt", *ARTICLE)
    status, out, screen = _run_on_a_terminal(["build", str(article)], tmp_path)
    assert status == 0, screen
    lines = [line.strip() for line in re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen).splitlines()
             if line.strip()]
    assert lines[0] == "Building a bulletin from 1 article into public/"
    assert lines[-1].startswith("Next: bulletin serve") and len(lines[-1]) <= 80
    assert all(len(line) <= 80 for line in out.splitlines()[1:])


def test_version_and_an_example_in_every_command_s_help(cli) -> None:
    from bulletin import __version__

    assert cli("--version").stdout.strip() == f"bulletin {__version__}"
    for command in (["build"], ["edition"], ["script"], ["push"], ["init"], ["serve"],
                    ["voices"], ["episodes", "list"], ["episodes", "remove"], ["feed", "check"],
                    ["cache", "info"], ["cache", "clear"]):
        shown = cli(*command, "--help").stdout
        assert "Example" in shown, command
        assert "<str>" not in shown and "<path>" not in shown and "list[" not in shown, command
