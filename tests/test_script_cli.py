"""`bulletin script` prints a reviewable script; `build --script` builds from an edited one."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest

from article_server import serve
from bulletin.config import load_config
from bulletin.pipeline import build
from bulletin.script import load_script
from conftest import site_snapshot

FERRY = ("Night ferry returns after 12 years",
         "Residents voted 2,418 to 1,906 on Tuesday to bring back the night ferry.",
         "Commuters wait at the old slipway.\nCredit: Estuary Echo/Ana Ortiz",
         "\"I've been cycling 14km after every late shift,\" said a nurse at the NHS hospital.",
         "Read more: Harbour wall repaired",
         "The service will cost £1.2m a year and start on 1 April 2027 at 7pm.")
MARKET = ("Market moves to the quay", "The Saturday market moves to the quay from 3 May.",
          "Traders said the 40 stalls would fit easily.")


@pytest.fixture
def articles(write_article) -> tuple[Path, Path]:
    return write_article("ferry.txt", *FERRY), write_article("market.txt", *MARKET)


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serve() as base:
        yield base


def spoken_lines(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines()
            if line.strip() and not line.startswith(("<!--", "#"))]


def test_script_prints_markdown_a_newsreader_can_read(cli, articles) -> None:
    result = cli("script", articles[0])
    assert result.exit_code == 0, result.output
    lines = spoken_lines(result.stdout)
    spoken = "\n".join(lines)
    assert "Night ferry returns after twelve years." in lines
    assert ("Residents voted two thousand four hundred and eighteen to one thousand nine hundred "
            "and six on Tuesday to bring back the night ferry.") in lines
    assert "said a nurse at the N H S hospital" in spoken
    assert "one point two million pounds a year" in spoken
    for gone in ("Credit", "slipway", "Read more", "Harbour wall"):
        assert gone not in spoken
    assert not re.search(r"\d", spoken)
    assert lines[0].startswith("This is The Bulletin for ")
    assert lines[-1] == "That was The Bulletin. Thanks for listening."


def test_several_articles_make_one_bulletin_with_a_rundown(cli, articles) -> None:
    result = cli("script", *articles, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"title", "stories", "segments"}
    kinds = [s["kind"] for s in data["segments"]]
    assert kinds[:2] == ["intro", "rundown"]
    assert kinds[-1] == "outro"
    assert kinds.count("headline") == 2 and kinds.count("transition") == 1
    rundown = data["segments"][1]["spoken"]
    assert rundown == ("In this bulletin: Night ferry returns after twelve years; and Market "
                       "moves to the quay.")
    assert [s["title"] for s in data["stories"]] == [FERRY[0], MARKET[0]]
    assert data["stories"][0]["source"] == str(articles[0])
    by_id = {s["id"]: s for s in data["segments"]}
    first, second = ([by_id[i]["kind"] for i in story["segments"]] for story in data["stories"])
    assert first[0] == "headline" and set(first[1:]) == {"body"}
    assert second[:2] == ["transition", "headline"]
    for seg in data["segments"]:
        assert set(seg) == {"id", "kind", "text", "spoken", "pause_after", "said"}
        assert seg["pause_after"] > 0
        assert not re.search(r"\d", seg["spoken"])
    market = [by_id[i] for i in data["stories"][1]["segments"] if by_id[i]["kind"] == "body"]
    assert market[0]["text"] == MARKET[1]
    assert market[0]["spoken"] == "The Saturday market moves to the quay from the third of May."


def test_script_out_writes_a_file_and_reads_back(cli, articles, tmp_path) -> None:
    for fmt in ("md", "json"):
        out = tmp_path / f"script.{fmt}"
        result = cli("script", *articles, "--format", fmt, "--out", out)
        assert result.exit_code == 0 and result.stdout == ""
        script = load_script(out)
        assert [s.title for s in script.stories] == [FERRY[0], MARKET[0]]
        assert script.segments[0].kind == "intro"
    assert load_script(tmp_path / "script.md") == load_script(tmp_path / "script.json")


def test_script_from_stdin_and_a_url(cli, site) -> None:
    result = cli("script", "-", input="Ferry vote passes\n\nThe vote passed 7-2 on Tuesday.\n")
    assert result.exit_code == 0, result.output
    assert "The vote passed seven to two on Tuesday." in spoken_lines(result.stdout)
    result = cli("script", f"{site}/article.html", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["stories"][0]["title"] == "Night ferry returns to Kestrel Bay"
    assert data["stories"][0]["source"] == "Estuary Echo"


def test_templates_and_lexicon_from_bulletin_toml(cli, articles, tmp_path) -> None:
    folder = tmp_path / "phrases"
    folder.mkdir()
    (folder / "intro.txt.j2").write_text("Good evening from {{ show }}.")
    (folder / "outro.txt.j2").write_text("Goodnight.")
    (tmp_path / "words.toml").write_text('NHS = "health service"\nquay = "key"\n')
    Path("bulletin.toml").write_text('[show]\ntitle = "Harbour Radio"\n'
                                     '[script]\ntemplates = "phrases"\nlexicon = "words.toml"\n')
    result = cli("script", *articles)
    assert result.exit_code == 0, result.output
    lines = spoken_lines(result.stdout)
    assert lines[0] == "Good evening from Harbour Radio."
    assert lines[-1] == "Goodnight."
    assert any("at the health service hospital" in line for line in lines)
    assert "Market moves to the key." in lines


@pytest.mark.parametrize(("args", "reason"), [
    (["{site}/missing"], "{site}/missing: HTTP 404 Not Found"),
    (["{site}/empty.html"], "{site}/empty.html: no article text found in the page"),
    (["{site}/pdf"], "{site}/pdf: content type application/pdf is not an article page"),
    (["{credits}"], "{credits}: no article text left after cleaning"),
    (["{ferry}", "--format", "xml"], "--format xml: unknown script format"),
])
def test_script_errors_are_one_line_exit_2(cli, site, articles, tmp_path, args, reason) -> None:
    credits = tmp_path / "credits.txt"
    credits.write_text("Gallery\n\nStorm clouds. Credit: Ana Ortiz\n\nSign up for our newsletter\n")
    names = {"site": site, "credits": credits, "ferry": articles[0]}
    result = cli("script", *(a.format(**names) for a in args))
    assert result.exit_code == 2
    assert result.stderr.startswith("bulletin: " + reason.format(**names))
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_build_from_an_unreachable_url_publishes_nothing(cli, site, write_article,
                                                         fake_engine) -> None:
    existing = write_article("existing.txt", "Existing story", "Already on air.")
    build([str(existing)], load_config(), engine=fake_engine)
    before = site_snapshot(Path("public"))
    result = cli("build", f"{site}/missing")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"bulletin: {site}/missing: HTTP 404 Not Found"
    assert site_snapshot(Path("public")) == before


def test_build_speaks_the_edited_script(cli, articles, tmp_path, fake_engine) -> None:
    out = tmp_path / "script.json"
    assert cli("script", *articles, "--format", "json", "--out", out).exit_code == 0
    data = json.loads(out.read_text())
    body = next(s for s in data["segments"] if s["kind"] == "body")
    body["spoken"] = "Residents voted by a clear margin to bring the night ferry back."
    data["title"] = "Ferry and market, corrected"
    out.write_text(json.dumps(data))
    build([], load_config(), script=load_script(out), engine=fake_engine)
    assert "Residents voted by a clear margin to bring the night ferry back." in fake_engine.calls
    assert not any("two thousand four hundred" in call for call in fake_engine.calls)


def test_build_script_option_with_real_speech(cli, tmp_path, write_article) -> None:
    article = write_article("short.txt", "Quay lights on", "The quay lights came on at 6pm.")
    out = tmp_path / "short.md"
    assert cli("script", article, "--out", out).exit_code == 0
    edited = out.read_text().replace("The quay lights came on at six p.m.",
                                     "The quay lights came on at dusk.")
    assert edited != out.read_text()
    out.write_text(edited)
    result = cli("build", "--script", out, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["segments"] == 4
    feed = feedparser.parse(Path("public/feed.xml").read_bytes())
    assert [e.title for e in feed.entries] == ["Quay lights on"]
    assert load_script(out).segments[2].spoken == "The quay lights came on at dusk."


@pytest.mark.parametrize(("content", "reason"), [
    ('{"title": "T"}', "script has no segments"),
    ("{}", "title must be non-empty text"),
    ('{"title": "T", "segments": [{"id": "1", "kind": "shout", "spoken": "Hi."}]}',
     "segment 1 has kind 'shout'"),
    ('{"title": "T", "segments": [{"id": "1", "kind": "body", "spoken": " "}]}',
     "segment 1 spoken text must be non-empty text"),
    ('{"title": "T", "segments": [{"id": "1", "kind": "body", "spoken": "Hi.", '
     '"pause_after": 99}]}', "pause_after must be a number of seconds"),
    ('{"title": "T", "segments": [{"id": "1", "kind": "body", "spoken": "Hi."}], '
     '"stories": [{"title": "S", "segments": ["2"]}]}', "names segment '2'"),
    ("{not json", "invalid JSON"),
])
def test_build_refuses_a_broken_script(cli, tmp_path, content, reason) -> None:
    path = tmp_path / "script.json"
    path.write_text(content)
    result = cli("build", "--script", path)
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert line.startswith(f"bulletin: {path}: ") and reason in line, line
    assert site_snapshot(Path("public")) == {}


def test_build_needs_articles_or_a_script_not_both(cli, articles, tmp_path) -> None:
    assert cli("build").exit_code == 2
    result = cli("build", articles[0], "--script", tmp_path / "x.json")
    assert result.exit_code == 2
    assert "not both" in result.stderr
