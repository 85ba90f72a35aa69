"""``bulletin init``: a first run that asks for the show (or takes options) and writes a commented
bulletin.toml that bulletin then reads."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import pytest

from bulletin.config import Config, Overrides, load_config
from conftest import article
from sitekit import quick_build

TITLE = 'Kestrel "Bay" Tonight \u2014 caf\u00e9 \\ night'
OPTIONS = {"--title": "Marlow Green Tonight", "--author": "Green FM",
           "--email": "producer@example.org", "--language": "en-gb",
           "--base-url": "https://example.org/podcast/", "--engine": "piper",
           "--voice": "en_US-joe-medium"}


def options(**changes: str | None) -> list[str]:
    """OPTIONS as arguments, with ``changes`` (``base_url="x"``; None leaves one out)."""
    given = {**OPTIONS, **{f"--{k.replace('_', '-')}": v for k, v in changes.items()}}
    return [part for name, value in given.items() if value is not None
            for part in (name, value)]


def written(path: Path = Path("bulletin.toml")) -> Config:
    return load_config(path, environ={})


def test_on_a_terminal_it_asks_each_question_again_until_the_answer_is_valid(cli, tmp_path):
    answers = [TITLE, "", "Kestrel Bay Radio", "nobody", "news@kestrel.example.org", "English",
               "en-gb", "ftp://kestrel.example.org/", "https://kestrel.example.org/pod/",
               "espeek", "piper", "nowhere.onnx", ""]
    result = cli("init", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Error: 'nobody': must be an e-mail address, like news@example.org" in out
    assert "Error: 'English': must be a language code, like en-gb, en-us or fr" in out
    assert ("Error: 'ftp://kestrel.example.org/': must be an http(s) URL, like "
            "https://example.com/podcast/") in out
    assert "Error: 'espeek': must be one of espeak, gtts, piper" in out
    assert "Error: 'nowhere.onnx': piper voice 'nowhere.onnx': no such file" in out
    assert out.count("Its author (a person, or the newsroom): ") == 2  # empty: asked again
    assert out.count("The owner's e-mail address: ") == 2
    assert out.count("Its language, as a code (en-gb, en-us, fr): ") == 2
    assert out.count("The voice (see `bulletin voices`; Enter: the engine's own): ") == 2
    assert out.splitlines()[-1] == ("wrote bulletin.toml; next: bulletin build ARTICLE, then "
                                    "bulletin serve")
    config = written()
    assert (config.show.title, config.show.author, config.show.email, config.show.language,
            config.show.base_url) == (TITLE, "Kestrel Bay Radio", "news@kestrel.example.org",
                                      "en-gb", "https://kestrel.example.org/pod/")
    assert (config.voice.engine, config.voice.voice) == ("piper", "")


def test_enter_takes_the_offered_defaults(cli):
    result = cli("init", *options(base_url=None, engine=None, voice=None), input="\n\n\n")
    assert result.exit_code == 0, result.output
    assert "[http://localhost:8000/]: " in result.stdout and "[piper]: " in result.stdout
    config, defaults = written(), Config()
    assert config.show.base_url == defaults.show.base_url
    assert (config.voice.engine, config.voice.voice) == (defaults.voice.engine,
                                                         defaults.voice.voice)


def test_with_every_option_it_asks_nothing(cli, tmp_path):
    target = tmp_path / "shows" / "green.toml"
    result = cli("init", *options(), "--config", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"wrote {target}; next: bulletin build ARTICLE, then bulletin "
                             "serve\n")
    config = written(target)
    assert (config.show.title, config.show.author, config.show.email, config.show.language,
            config.show.base_url, config.voice.engine, config.voice.voice) == tuple(
        OPTIONS.values())
    assert not Path("bulletin.toml").exists()


@pytest.mark.parametrize(("change", "message"), [
    ({"email": "nobody"}, "--email 'nobody': must be an e-mail address, like news@example.org"),
    ({"language": "English"},
     "--language 'English': must be a language code, like en-gb, en-us or fr"),
    ({"base_url": "example.org/podcast"}, "--base-url 'example.org/podcast': must be an "
     "http(s) URL, like https://example.com/podcast/"),
    ({"author": " "}, "--author '': must not be empty"),
    ({"title": "Two\nlines"},
     "--title 'Two\\nlines': must be text without control characters or newlines"),
    ({"engine": "espeek"}, "--engine 'espeek': must be one of espeak, gtts, piper"),
    ({"voice": "nowhere.onnx"},
     "--voice 'nowhere.onnx': piper voice 'nowhere.onnx': no such file"),
])
def test_a_bad_option_is_refused_in_one_line_and_nothing_is_written(cli, change, message):
    result = cli("init", *options(**change))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"bulletin: {message}"]
    assert result.stdout == ""
    assert not Path("bulletin.toml").exists()


def test_with_no_one_to_answer_a_question_without_a_default_is_refused_naming_its_option(cli):
    result = cli("init", *options(email=None), input="")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "bulletin: --email: not given, and no answer to the question (The owner's e-mail "
        "address)"]
    assert not Path("bulletin.toml").exists()


def test_an_existing_file_is_never_replaced_without_force(cli):
    Path("bulletin.toml").write_text('[show]\ntitle = "Kept"\n')
    result = cli("init", input="")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "bulletin: bulletin.toml: already exists; give --force to replace it"]
    assert result.stdout == "", "refused before asking anything"
    assert Path("bulletin.toml").read_text() == '[show]\ntitle = "Kept"\n'

    result = cli("init", *options(), "--force")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("replaced bulletin.toml; ")
    assert written().show.title == OPTIONS["--title"]
    assert [p.name for p in Path().iterdir()] == ["bulletin.toml"], "no temporary file is left"


def test_a_folder_in_the_way_is_refused(cli):
    Path("bulletin.toml").mkdir()
    result = cli("init", *options(), "--force")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "bulletin: bulletin.toml: is a directory, not a settings file"]


def test_an_engine_this_machine_cannot_run_is_written_with_a_warning(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))
    result = cli("init", *options(engine="espeak", voice="en-gb"))
    assert result.exit_code == 0, result.output
    [warning] = result.stderr.splitlines()
    assert warning.startswith("bulletin: warning: espeak: ")
    assert warning.endswith("(the file names it all the same)")
    assert (written().voice.engine, written().voice.voice) == ("espeak", "en-gb")


SETTING_LINE = re.compile(r"^(# )?(\w+) = (.*)$")


def uncommented(text: str) -> str:
    """``text`` with every setting shown commented out ("# name = value") set instead."""
    return "\n".join(SETTING_LINE.sub(r"\2 = \3", line) for line in text.splitlines())


def settings(holder: object, prefix: str = "") -> dict[str, object]:
    """Every setting of a Config (or of one of its tables) by dotted name, with its value."""
    found: dict[str, object] = {}
    for spec in dataclasses.fields(holder):
        value = getattr(holder, spec.name)
        if dataclasses.is_dataclass(value):
            found |= settings(value, f"{prefix}{spec.name}.")
        elif spec.metadata.get("setting", True):
            found[prefix + spec.name] = value
    return found


def given(document: dict, prefix: str = "") -> set[str]:
    """The dotted names a TOML document gives (a table of names and values is one setting)."""
    names = set()
    for key, value in document.items():
        if isinstance(value, dict) and f"{prefix}{key}" in settings(Config()):
            names.add(prefix + key)
        elif isinstance(value, dict):
            names |= given(value, f"{prefix}{key}.")
        else:
            names.add(prefix + key)
    return names


def test_the_file_shows_every_setting_commented_at_its_default(cli, tmp_path):
    assert cli("init", *options()).exit_code == 0
    text = Path("bulletin.toml").read_text(encoding="utf-8")
    lines = text.splitlines()
    for number, line in enumerate(lines):
        found = SETTING_LINE.match(line)
        if found:
            explained = " # " in found[3] or (lines[number - 1].startswith("# ")
                                               and not SETTING_LINE.match(lines[number - 1]))
            assert explained, f"no comment says what {found[2]} is"
    every = tmp_path / "every.toml"
    every.write_text(uncommented(text), encoding="utf-8")
    all_set, as_written = written(every), written()
    same_place = {"site": all_set.site.resolve(), "source": None}
    assert dataclasses.replace(all_set, **same_place) == dataclasses.replace(
        as_written, site=as_written.site.resolve(), source=None), \
        "each setting shown commented out shows its default"
    shown = given(tomllib.loads(uncommented(text)))
    expected = {name for name, value in settings(Config()).items() if value is not None}
    assert expected <= shown, f"not in the file: {sorted(expected - shown)}"
    assert "cache_dir" in text


def test_a_show_set_up_by_init_builds_a_feed_that_passes_its_check_without_warnings(cli,
                                                                                     tmp_path):
    assert cli("init", *options()).exit_code == 0
    config = load_config(Path("bulletin.toml"), Overrides(cache_dir=tmp_path / "cache"))
    quick_build(config, article(tmp_path, "a.txt", "First story", "A paragraph to read."))
    result = cli("feed", "check")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"{config.site / 'feed.xml'}: OK\n"
