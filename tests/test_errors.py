"""Bad input: one line naming the input and the reason, exit status 2, the site untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulletin.config import load_config
from bulletin.pipeline import build
from conftest import site_snapshot


@pytest.fixture
def published(write_article, fake_engine) -> dict[str, str]:
    """A site with one episode already in it; returns its snapshot."""
    article = write_article("existing.txt", "Existing story", "Already on air.")
    build([str(article)], load_config(), engine=fake_engine)
    snapshot = site_snapshot(Path("public"))
    assert "feed.xml" in snapshot
    return snapshot


def _bad_inputs(tmp: Path) -> dict[str, tuple[Path, str]]:
    (tmp / "folder").mkdir()
    (tmp / "empty.txt").write_bytes(b"")
    (tmp / "blank.txt").write_text("  \n\n\t \n")
    (tmp / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (tmp / "latin1.txt").write_bytes("Caf\xe9 opens\n\nA new caf\xe9 opens.".encode("latin-1"))
    (tmp / "headline-only.txt").write_text("Just a headline\n")
    (tmp / "credits-only.txt").write_text("Headline\n\nCredit: Someone/Agency\n")
    return {
        "missing": (tmp / "nope.txt", "article file not found"),
        "directory": (tmp / "folder", "is a directory"),
        "empty": (tmp / "empty.txt", "empty"),
        "whitespace": (tmp / "blank.txt", "empty"),
        "binary": (tmp / "binary.txt", "binary"),
        "not utf-8": (tmp / "latin1.txt", "not UTF-8"),
        "headline only": (tmp / "headline-only.txt", "no paragraphs"),
        "nothing after cleaning": (tmp / "credits-only.txt", "no article text"),
    }


@pytest.mark.parametrize("case", ["missing", "directory", "empty", "whitespace", "binary",
                                  "not utf-8", "headline only", "nothing after cleaning"])
def test_bad_article_is_refused_and_nothing_published_changes(case, cli, published, tmp_path):
    path, reason = _bad_inputs(tmp_path)[case]
    result = cli("build", path)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0] and reason in lines[0]
    assert "Traceback" not in result.output
    assert site_snapshot(Path("public")) == published


def test_unknown_engine_lists_the_valid_ones(cli, published, write_article):
    article = write_article("a.txt", "Headline", "Body text.")
    result = cli("build", article, "--engine", "marvin")
    assert result.exit_code == 2
    assert "unknown engine 'marvin'" in result.stderr
    assert "piper" in result.stderr and "gtts" in result.stderr
    assert site_snapshot(Path("public")) == published


@pytest.mark.parametrize("toml, reason", [
    ("[show\ntitle = 'x'", "invalid TOML"),
    ("[show]\ntitel = 'x'\n", "unknown key 'titel'"),
    ("[show]\nexplicit = 'perhaps'\n", "expected bool"),
    ("[audio]\nbitrate = 'fast'\n", "expected int"),
    ("[mystery]\nx = 1\n", "unknown key 'mystery'"),
])
def test_broken_config_is_refused(toml, reason, cli, published, write_article):
    Path("bulletin.toml").write_text(toml)
    article = write_article("a.txt", "Headline", "Body text.")
    result = cli("build", article)
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line and "bulletin.toml" in line and reason in line
    assert site_snapshot(Path("public")) == published


def test_missing_config_named_on_the_command_line(cli, write_article):
    article = write_article("a.txt", "Headline", "Body text.")
    result = cli("build", article, "--config", "elsewhere.toml")
    assert result.exit_code == 2
    assert "elsewhere.toml: config file not found" in result.stderr


def test_a_failing_tool_exits_1_with_one_line(cli, write_article, monkeypatch, tmp_path):
    # A PATH without ffmpeg: a tool failure, not bad input.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    article = write_article("a.txt", "Headline", "Body text.")
    result = cli("build", article)
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("bulletin: ffmpeg: not found")
    assert not Path("public/feed.xml").exists()
