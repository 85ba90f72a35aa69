"""Hostile input through the whole command line, as an unlucky user or an unwatched job meets it.

Every command and subcommand gets missing, empty, binary, endless (/dev/zero), blocking (a FIFO),
directory, non-UTF-8, oversized and deeply nested files, every kind of bad setting, a garbage
catalog and a site that is a file. Each answer is one line on stderr that names the input, exit
status 2 (bad input) or 1 (a failing resource), no traceback anywhere, and the site published
before is byte-identical afterwards.

Most cases run in this process through Typer's runner. What only the real program shows (what the
interpreter prints, a read that would never end, an open that would wait for ever) runs as a real
``bulletin`` process with a deadline and a memory ceiling.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from bulletin.config import Config
from bulletin.pipeline import build
from conftest import FakeEngine, site_snapshot
from gtts_endpoint import closed_port, point_gtts_at
from sitekit import BULLETIN

DEADLINE = 60  # seconds a refusal may take at most (it takes well under one)
MEMORY = 8 << 30  # bytes of address space a refusing process may reserve


@dataclass(frozen=True)
class World:
    """A published site, a copy whose catalog is garbage, and the hostile files."""

    root: Path
    site: Path
    garbage: Path  # a copy of the site whose catalog.sqlite3 is not a database
    article: Path  # a good article
    guid: str  # the published episode
    files: dict[str, Path]
    snapshots: dict[Path, dict[str, str]]

    def assert_untouched(self) -> None:
        for site, before in self.snapshots.items():
            assert site_snapshot(site) == before, f"{site} changed"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("hostile")
    site = root / "public"
    article = root / "story.txt"
    article.write_text("Night ferry returns\n\nResidents voted to bring back the night ferry.\n")
    config = Config(site=site, cache_dir=root / "cache")
    guid = build([str(article)], config, engine=FakeEngine()).episode.guid
    garbage = root / "garbage-site"
    shutil.copytree(site, garbage)
    (garbage / "catalog.sqlite3").write_bytes(b"not a database, whatever it says\n" * 64)

    fifo = root / "fifo.txt"
    os.mkfifo(fifo)
    (root / "folder.txt").mkdir()
    (root / "empty.txt").write_bytes(b"")
    (root / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (root / "latin1.txt").write_bytes("Caf\xe9 news\n\nA caf\xe9 opens [x].\n".encode("latin-1"))
    (root / "huge.txt").write_bytes(b"word " * ((6 << 20) // 5))  # past every file cap (5 MB)
    (root / "deep-array.toml").write_text("a = " + "[" * 100_000 + "]" * 100_000)
    (root / "deep-table.toml").write_text("a = " + "{b = " * 100_000 + "1" + "}" * 100_000)
    (root / "deep.json").write_text('{"title": ' + "[" * 100_000 + "]" * 100_000 + "}")
    (root / "site-file").write_text("a file where the site should be\n")
    files = {name: root / f"{name}.txt" for name in
             ("missing", "empty", "binary", "latin1", "huge", "folder", "fifo")}
    files.update(zero=Path("/dev/zero"), deep_array=root / "deep-array.toml",
                 deep_table=root / "deep-table.toml", deep_json=root / "deep.json",
                 site_file=root / "site-file")
    snapshots = {site: site_snapshot(site), garbage: site_snapshot(garbage)}
    assert "feed.xml" in snapshots[site] and len(snapshots[site]) > 3
    return World(root, site, garbage, article, guid, files, snapshots)


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_real(args: Sequence[object], cwd: Path, env: dict[str, str] | None = None) -> Outcome:
    """The real ``bulletin`` program, stopped if it runs past the deadline."""
    done = subprocess.run([str(BULLETIN), *map(str, args)], capture_output=True, text=True,
                          errors="replace", cwd=cwd, timeout=DEADLINE, preexec_fn=_limit_memory,
                          stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})})
    return Outcome(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def run(cli, monkeypatch: pytest.MonkeyPatch, world: World, tmp_path: Path):
    """Run the command in this process, unless its input needs the real program (a FIFO or
    /dev/zero: a regression would block or fill the memory of the test run). In this process a
    build that got past its input speaks with the fake voice, and serving is an error."""
    def never_serve(self: object) -> None:
        raise AssertionError("started serving")

    monkeypatch.setattr("bulletin.publish.server.SiteServer.serve_forever", never_serve)
    monkeypatch.setattr("bulletin.pipeline.get_engine", lambda voice: FakeEngine())

    def invoke(*args: object, real: bool = False) -> Outcome:
        texts = [str(a) for a in args]
        if real or any(t in (str(world.files["fifo"]), "/dev/zero") for t in texts):
            return run_real(texts, tmp_path)
        result = cli(*texts)
        return Outcome(result.exit_code, result.stdout, result.stderr)
    return invoke


def assert_one_line(outcome: Outcome, *names: object, code: int = 2) -> str:
    """Exit ``code``, no traceback, and one stderr line (``bulletin: ...``) naming each name."""
    assert "Traceback" not in outcome.stdout + outcome.stderr, outcome.stderr
    assert outcome.code == code, outcome.stderr
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1, outcome.stderr
    assert lines[0].startswith("bulletin: ")
    for name in names:
        assert str(name) in lines[0]
    return lines[0]


# Every command that reads a config; "{site}" and "{article}" and "{guid}" are filled in.
CONFIG_COMMANDS = {
    "build": ["build", "{article}", "--site", "{site}"],
    "script": ["script", "{article}"],
    "episodes list": ["episodes", "list", "--site", "{site}"],
    "episodes remove": ["episodes", "remove", "{guid}", "--site", "{site}"],
    "feed check": ["feed", "check", "--site", "{site}"],
    "serve": ["serve", "--site", "{site}", "--port", "0"],
    "cache info": ["cache", "info"],
    "cache clear": ["cache", "clear"],
}
SITE_COMMANDS = [name for name, args in CONFIG_COMMANDS.items() if "--site" in args]
BAD_FILES = ["missing", "binary", "latin1", "huge", "folder", "fifo", "zero"]


def command(world: World, name: str, site: Path | None = None) -> list[str]:
    fill = {"{site}": str(site or world.site), "{article}": str(world.article),
            "{guid}": world.guid}
    return [fill.get(arg, arg) for arg in CONFIG_COMMANDS[name]]


@pytest.mark.parametrize("case", [*BAD_FILES, "deep_array", "deep_table"])
@pytest.mark.parametrize("name", list(CONFIG_COMMANDS))
def test_a_hostile_config_file(run, world, name, case):
    path = world.files[case]
    outcome = run(*command(world, name), "--config", path)
    line = assert_one_line(outcome, path)
    assert "config" in line
    world.assert_untouched()


@pytest.mark.parametrize("case", [*BAD_FILES, "empty"])
@pytest.mark.parametrize("name", ["build", "script"])
def test_a_hostile_article(run, world, name, case):
    path = world.files[case]
    args = [name, path, "--site", world.site] if name == "build" else [name, path]
    assert_one_line(run(*args), path)
    world.assert_untouched()


@pytest.mark.parametrize("case", [*BAD_FILES, "empty", "deep_json"])
def test_a_hostile_script_file(run, world, case):
    path = world.files[case]
    assert_one_line(run("build", "--script", path, "--site", world.site), path)
    world.assert_untouched()


@pytest.mark.parametrize("case", [*BAD_FILES, "deep_array", "deep_table"])
def test_a_hostile_lexicon_named_in_the_config(run, world, case, tmp_path):
    config = tmp_path / "bulletin.toml"
    config.write_text(f"[script]\nlexicon = {str(world.files[case])!r}\n")
    outcome = run("script", world.article, "--config", config, real=case in ("fifo", "zero"))
    line = assert_one_line(outcome, world.files[case])
    assert "lexicon" in line
    world.assert_untouched()


BAD_SETTINGS = [  # a line of bulletin.toml, and the setting the refusal names
    ("[audio]\ncrossfade = -1.0", "audio.crossfade"),
    ("[audio]\ncrossfade = 1e300", "audio.crossfade"),
    ("[audio]\nsample_rate = 0", "audio.sample_rate"),
    ("[audio]\nsample_rate = 44099", "audio.sample_rate"),
    ("[audio]\nsample_rate = 16000\nbitrate = 192", "audio.bitrate"),
    ("[audio]\nbitrate = -64", "audio.bitrate"),
    ("[audio]\nchannels = 0", "audio.channels"),
    ("[audio]\nloudness = nan", "audio.loudness"),
    ("[audio]\nloudness = 12.0", "audio.loudness"),
    ("[audio]\ntrue_peak = -inf", "audio.true_peak"),
    ("[voice]\nspeed = -1", "voice.speed"),
    ("[voice]\nspeed = nan", "voice.speed"),
    ("[voice]\nworkers = -2", "voice.workers"),
    ("[voice]\nworkers = 9223372036854775807", "voice.workers"),
    ("[show]\nkeep_episodes = -1", "show.keep_episodes"),
    ("[show]\nreplaced_grace_hours = inf", "show.replaced_grace_hours"),
    ("[show]\nbase_url = 'gopher://example.com/'", "show.base_url"),
    ("[show]\nbase_url = 'http://'", "show.base_url"),
    ('[show]\ntitle = "x\\u0007"', "show.title"),
    ("site = ''", "site"),
    ("site = 'site-file'", "site"),
    ("site = 'site-file/public'", "site"),
    ("cache_dir = 'site-file'", "cache_dir"),
]


@pytest.mark.parametrize("setting, key", BAD_SETTINGS)
def test_a_bad_setting_is_refused_by_every_command(run, world, setting, key, tmp_path,
                                                   monkeypatch):
    (tmp_path / "site-file").write_text("a file\n")
    if key == "cache_dir":
        monkeypatch.delenv("BULLETIN_CACHE_DIR")  # the environment would win over the file
    config = tmp_path / "bulletin.toml"
    config.write_text(setting + "\n")
    for name in CONFIG_COMMANDS:
        args = command(world, name)
        if key == "site" and "--site" in args:  # the option would win over the file
            at = args.index("--site")
            del args[at:at + 2]
        assert_one_line(run(*args, "--config", config), config, f"{key} = ")
    world.assert_untouched()


@pytest.mark.parametrize("option, value", [("--speed", "nan"), ("--speed", "0"),
                                           ("--workers", "-1"), ("--base-url", "not a url"),
                                           ("--site", "{site_file}")])
def test_a_bad_option_of_build(run, world, option, value):
    value = value.replace("{site_file}", str(world.files["site_file"]))
    args = ["build", world.article, option, value]
    if option != "--site":
        args += ["--site", world.site]
    assert_one_line(run(*args), option, value)
    world.assert_untouched()


# Every numeric option, given what is no number of its kind: the same one line as any bad value.
@pytest.mark.parametrize("args, option, value", [
    (["build", "{article}", "--site", "{site}"], "--speed", "abc"),
    (["build", "{article}", "--site", "{site}"], "--speed", "1.5x"),
    (["build", "{article}", "--site", "{site}"], "--workers", "two"),
    (["build", "{article}", "--site", "{site}"], "--workers", "1.5"),
    (["edition", "--site", "{site}"], "--speed", "fast"),
    (["edition", "--site", "{site}"], "--stories", "many"),
    (["serve", "--site", "{site}"], "--port", "http"),
])
def test_an_option_that_is_no_number(run, world, args, option, value):
    fill = {"{site}": str(world.site), "{article}": str(world.article)}
    outcome = run(*[fill.get(arg, arg) for arg in args], option, value)
    line = assert_one_line(outcome, f"{option} '{value}': expected ")
    assert "Usage" not in outcome.stdout + outcome.stderr
    assert line == f"bulletin: {option} '{value}': expected " + (
        "float" if option == "--speed" else "int")
    world.assert_untouched()


def test_numeric_options_still_take_numbers(run, world, tmp_path):
    outcome = run("build", world.article, "--site", tmp_path / "public", "--speed", "1.25",
                  "--workers", "2", "--json")
    assert outcome.code == 0, outcome.stderr
    assert json.loads(outcome.stdout)["segments"] > 0


@pytest.mark.parametrize("var, value", [("BULLETIN_SPEED", "inf"), ("BULLETIN_WORKERS", "-5"),
                                        ("BULLETIN_BASE_URL", "ftp://x/")])
@pytest.mark.parametrize("name", list(CONFIG_COMMANDS))
def test_a_bad_environment_variable(run, world, monkeypatch, var, value, name):
    monkeypatch.setenv(var, value)
    assert_one_line(run(*command(world, name)), f"${var}")
    world.assert_untouched()


@pytest.mark.parametrize("name", SITE_COMMANDS)
@pytest.mark.parametrize("where", ["site_file", "under_a_file"])
def test_a_site_that_is_a_file(run, world, name, where):
    site = world.files["site_file"]
    if where == "under_a_file":
        site = site / "public"
    assert_one_line(run(*command(world, name, site)), world.files["site_file"], "not a folder")
    world.assert_untouched()


@pytest.mark.parametrize("name", ["build", "episodes list", "episodes remove", "feed check"])
def test_a_garbage_catalog(run, world, name):
    outcome = run(*command(world, name, world.garbage))
    catalog = world.garbage / "catalog.sqlite3"
    if name == "feed check":  # a report: one line per problem on stdout, exit 1
        assert "Traceback" not in outcome.stdout + outcome.stderr
        warnings = outcome.stderr.splitlines()  # settings left at their defaults: warned about
        assert outcome.code == 1 and all(w.startswith("bulletin: warning: ") for w in warnings)
        assert [line for line in outcome.stdout.splitlines() if str(catalog) in line] == [
            f"{catalog}: not a bulletin catalog (not an SQLite database)"]
    else:
        assert_one_line(outcome, catalog, code=2)
    world.assert_untouched()


def test_voices_with_nothing_usable(cli, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no espeak-ng, no ffmpeg
    point_gtts_at(monkeypatch, closed_port())  # and no internet
    result = cli("voices")
    assert result.exit_code == 0 and "Traceback" not in result.output
    assert "no: espeak-ng not found" in result.stdout


HELP = [[], ["build"], ["script"], ["episodes"], ["episodes", "list"], ["episodes", "remove"],
        ["feed"], ["feed", "check"], ["serve"], ["voices"], ["cache"], ["cache", "info"],
        ["cache", "clear"]]


@pytest.mark.parametrize("words", HELP, ids=lambda words: " ".join(words) or "bulletin")
def test_every_help(cli, words):
    result = cli(*words, "--help")
    assert result.exit_code == 0 and "Traceback" not in result.output
    assert "Usage:" in result.stdout


# --- What only the real program shows -----------------------------------------------------------

REAL = {  # command line → what its one line must name
    "deep config": (["episodes", "list", "--config", "{deep_array}"], ["{deep_array}", "nested"]),
    "/dev/zero article": (["build", "{zero}", "--site", "{site}"], ["/dev/zero", "character"]),
    "FIFO article": (["script", "{fifo}"], ["{fifo}", "FIFO"]),
    "site is a file": (["build", "{article}", "--site", "{site_file}"], ["{site_file}", "folder"]),
    "serve a file": (["serve", "--site", "{site_file}", "--port", "0"], ["{site_file}", "folder"]),
    "serve with /dev/zero config": (["serve", "--site", "{site}", "--port", "0", "--config",
                                     "{zero}"], ["/dev/zero"]),
    "garbage catalog": (["episodes", "list", "--site", "{garbage}"], ["{garbage}"]),
}


@pytest.mark.parametrize("args, names", REAL.values(), ids=REAL.keys())
def test_the_real_program(world, args, names, tmp_path):
    fill = {"{site}": world.site, "{article}": world.article, "{garbage}": world.garbage,
            **{f"{{{name}}}": path for name, path in world.files.items()}}
    resolve = [str(fill.get(arg, arg)) for arg in args]
    outcome = run_real(resolve, tmp_path)
    assert_one_line(outcome, *(fill.get(name, name) for name in names))
    world.assert_untouched()


def test_the_real_program_refuses_a_sample_rate_of_zero(world, tmp_path):
    (tmp_path / "bulletin.toml").write_text("[audio]\nsample_rate = 0\n")
    outcome = run_real(["build", world.article, "--site", world.site], tmp_path)
    assert_one_line(outcome, "bulletin.toml", "audio.sample_rate = 0")
    world.assert_untouched()
