"""Bad input: one line naming the input and the reason, exit status 2, the site untouched."""

from __future__ import annotations

import errno
import os
import socket
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bulletin.config import load_config
from bulletin.errors import InputError
from bulletin.fileio import read_user_bytes
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
        "directory": (tmp / "folder", "is a directory, not an article file"),
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


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"


@pytest.mark.parametrize("name", ["report.pdf", "REPORT.PDF", "report.txt", "report.html"])
def test_a_pdf_is_told_pdfs_are_not_read_yet_and_which_formats_are(name, cli, published,
                                                                  tmp_path):
    path = tmp_path / name  # a PDF by its name, or by its bytes whatever its name
    path.write_bytes(PDF if name != "REPORT.PDF" else b"A text that is named a PDF.\n")
    result = cli("build", path)
    assert result.exit_code == 2
    assert result.stderr == (f"bulletin: {path}: PDFs are not read yet; give the article as a "
                             ".txt, .md or .html file, a web page's URL, or - for standard "
                             "input\n")
    assert site_snapshot(Path("public")) == published


def test_a_pdf_on_standard_input_is_told_the_same(cli, published):
    result = cli("build", "-", input=PDF.decode("latin-1"))
    assert result.exit_code == 2
    assert result.stderr.startswith("bulletin: -: PDFs are not read yet; give the article as")
    assert site_snapshot(Path("public")) == published


def test_unknown_engine_lists_the_valid_ones(cli, published, write_article):
    article = write_article("a.txt", "Headline", "Body text.")
    result = cli("build", article, "--engine", "marvin")
    assert result.exit_code == 2
    assert result.stderr == ("bulletin: unknown engine 'marvin' "
                             "(valid engines: espeak, gtts, piper)\n")
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


# --- A bad setting is refused before anything is built -----------------------------------------

def test_a_negative_crossfade_is_refused_and_the_episode_is_kept(cli, published, write_article):
    Path("bulletin.toml").write_text("[audio]\ncrossfade = -1.0\n")
    article = write_article("existing.txt", "Existing story", "Already on air.")
    result = cli("build", article)
    assert result.exit_code == 2
    assert result.stderr == ("bulletin: bulletin.toml: audio.crossfade = -1.0: must be between "
                             "0 and 0.5 (seconds)\n")
    assert site_snapshot(Path("public")) == published


# --- Files the user names: bounded, and only regular files -------------------------------------

def test_reading_stops_at_the_limit_whatever_the_file_claims_its_size_is():
    # /proc files say they are empty (st_size 0) and hold more: the cap counts bytes read.
    maps = Path("/proc/self/maps")
    with pytest.raises(InputError, match=r"^/proc/self/maps: config file too large \(more than 64 "
                                         r"bytes\)$"):
        read_user_bytes(maps, "config", 64)


@pytest.mark.parametrize("device, kind", [("/dev/zero", "character device"),
                                          ("/dev/null", "character device")])
def test_a_device_is_refused_without_reading_it(device, kind):
    with pytest.raises(InputError, match=rf"^{device}: is a {kind}, not a regular article file$"):
        read_user_bytes(Path(device), "article")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "feed-me"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []

    def read() -> None:
        try:
            read_user_bytes(fifo, "article")
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(20)
    if reader.is_alive():  # blocked in open(): let it go, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("reading a FIFO waited for a writer")
    [error] = outcome
    assert isinstance(error, InputError)
    assert str(error) == f"{fifo}: is a FIFO (named pipe), not a regular article file"


def test_a_socket_is_refused(tmp_path):
    path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))
        with pytest.raises(InputError, match=r": is a socket, not a regular config file$"):
            read_user_bytes(path, "config")


def test_a_path_through_a_file_is_not_found(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(InputError, match=r"a.txt/b.txt: article file not found$"):
        read_user_bytes(tmp_path / "a.txt" / "b.txt", "article")


# --- Whatever escapes a command is one line ----------------------------------------------------

def _failing_list(exc: BaseException):
    def list_episodes(site: Path) -> list:
        raise exc
    return list_episodes


def test_an_unexpected_error_is_one_line_with_exit_1(cli, monkeypatch, published):
    monkeypatch.setattr("bulletin.publish.gate.list_all", _failing_list(ValueError("boom")))
    result = cli("episodes", "list")
    assert result.exit_code == 1
    assert result.stderr == ("bulletin: internal error: ValueError: boom "
                             "(run with -v for the traceback)\n")


def test_verbose_shows_the_traceback_of_an_unexpected_error(cli, monkeypatch, published):
    monkeypatch.setattr("bulletin.publish.gate.list_all", _failing_list(ValueError("boom")))
    result = cli("-v", "episodes", "list")
    assert result.exit_code == 1
    assert "Traceback" in result.stderr and "raise exc" in result.stderr
    assert result.stderr.endswith("bulletin: internal error: ValueError: boom\n")


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_a_full_disk_is_one_line_with_exit_1(cli, monkeypatch, published, code):
    full = OSError(code, os.strerror(code), "public/feed.xml")
    monkeypatch.setattr("bulletin.publish.gate.list_all", _failing_list(full))
    result = cli("episodes", "list")
    assert result.exit_code == 1
    assert result.stderr == f"bulletin: public/feed.xml: disk full ({os.strerror(code)})\n"


def test_a_database_that_fills_the_disk_is_one_line_with_exit_1(cli, monkeypatch, tmp_path):
    def fill(site: Path) -> list:
        db = sqlite3.connect(tmp_path / "tiny.sqlite3")
        db.execute("PRAGMA max_page_count = 2")  # SQLite's own "disk is full"
        db.execute("CREATE TABLE t (x)")
        db.executemany("INSERT INTO t VALUES (?)", [("x" * 1000,)] * 100)
        return []
    monkeypatch.setattr("bulletin.publish.gate.list_all", fill)
    result = cli("episodes", "list")
    assert result.exit_code == 1
    assert result.stderr == "bulletin: disk full (database or disk is full)\n"


def test_another_os_error_names_the_file_with_exit_1(cli, monkeypatch):
    denied = PermissionError(errno.EACCES, "Permission denied", "public/catalog.sqlite3")
    monkeypatch.setattr("bulletin.publish.gate.list_all", _failing_list(denied))
    result = cli("episodes", "list")
    assert result.exit_code == 1
    assert result.stderr == "bulletin: public/catalog.sqlite3: Permission denied\n"


def test_the_real_program_prints_no_traceback_for_an_unexpected_error(tmp_path):
    # The interpreter, not the CLI runner, prints what escapes main(): run the real thing.
    code = ("import bulletin.publish.gate\n"
            "def boom(site): raise RuntimeError('kaboom')\n"
            "bulletin.publish.gate.list_all = boom\n"
            "from bulletin.__main__ import main\n"
            "main()\n")
    done = subprocess.run([sys.executable, "-c", code, "episodes", "list"], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == ("bulletin: internal error: RuntimeError: kaboom "
                           "(run with -v for the traceback)\n")
