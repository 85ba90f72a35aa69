"""The review loop is safe: `bulletin script` → edit → `bulletin build --script` puts the edit in
the captions and on the page, not only in the voice; and a rebuild never undoes an edit without a
word.

Builds use the quick espeak voice through the real command line.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path

import lxml.html
import srt
import webvtt
from lxml import etree

from conftest import site_snapshot

LIGHTS = ("Quay lights on",
          "The quay lights came on at 6pm on 3 May, a week early.",
          "Crowds of 2,000 watched from the harbour wall.")
SPOKEN = "The quay lights came on at six p.m. on the third of May, a week early."
EDITED = "The quay lights came on at dusk on Saturday, a week early."


def build(cli, *args: object):
    return cli("build", *args, "--engine", "espeak")


def captions(site: Path) -> tuple[list[str], list[str]]:
    """Every cue's text in the WebVTT and SRT transcripts of the feed's newest episode."""
    item = etree.parse(str(site / "feed.xml")).find("channel/item")
    audio = site / "episodes" / item.find("enclosure").get("url").rsplit("/", 1)[1]
    vtt, subrip = audio.with_suffix(".vtt"), audio.with_suffix(".srt")
    return ([cue.text for cue in webvtt.read(str(vtt))],
            [cue.content for cue in srt.parse(subrip.read_text(encoding="utf-8"))])


def about(site: Path) -> str:
    """What the page says about its newest episode."""
    page = lxml.html.fromstring((site / "index.html").read_bytes())
    return page.xpath("//article[@class='episode']//details/p")[0].text_content()


def feed_notes(site: Path) -> str:
    item = etree.parse(str(site / "feed.xml")).find("channel/item")
    return lxml.html.fromstring(item.findtext("description")).text_content()


def test_an_edited_spoken_line_reaches_the_captions_and_the_page(cli, write_article,
                                                                 tmp_path: Path) -> None:
    article = write_article("lights.txt", *LIGHTS)
    script = tmp_path / "script.md"
    assert cli("script", article, "--out", script).exit_code == 0
    text = script.read_text()
    assert SPOKEN in text.splitlines()
    script.write_text(text.replace(SPOKEN, EDITED))
    result = build(cli, "--script", script)
    assert result.exit_code == 0, result.output
    site = Path("public")
    for cues in captions(site):
        assert EDITED in cues
        assert not any("6pm" in cue or "six p.m." in cue for cue in cues)
        assert LIGHTS[2] in cues  # a line left alone keeps its written form
    assert about(site).startswith(EDITED)
    assert feed_notes(site).startswith(EDITED)


def test_the_script_file_says_how_an_edit_reaches_the_captions(cli, write_article) -> None:
    article = write_article("lights.txt", *LIGHTS)
    lines = cli("script", article).stdout.splitlines()
    header = next(line for line in lines[:4] if line.startswith("<!-- To review"))
    assert "captions" in header and "as you wrote it" in header


def test_in_a_json_script_the_spoken_line_or_the_written_one_can_be_edited(
        cli, write_article, tmp_path: Path) -> None:
    article = write_article("lights.txt", *LIGHTS)
    script = tmp_path / "script.json"
    assert cli("script", article, "--format", "json", "--out", script).exit_code == 0
    data = json.loads(script.read_text())
    first, second = (s for s in data["segments"] if s["kind"] == "body")
    first["spoken"] = EDITED  # heard and shown as edited
    second["text"] = "Crowds of 2,000 people watched from the harbour wall."  # shown only
    script.write_text(json.dumps(data))
    result = build(cli, "--script", script)
    assert result.exit_code == 0, result.output
    for cues in captions(Path("public")):
        assert EDITED in cues and SPOKEN not in cues and LIGHTS[1] not in cues
        assert second["text"] in cues and LIGHTS[2] not in cues


# --- A rebuild never undoes an edit without a word ---------------------------------------------

def guid_of_the_episode(cli) -> str:
    (line,) = cli("episodes", "list", "--json").stdout.splitlines()
    return json.loads(line)["guid"]


def edited_script(cli, article: Path, folder: Path) -> Path:
    script = folder / "script.md"
    assert cli("script", article, "--out", script).exit_code == 0
    script.write_text(script.read_text().replace(SPOKEN, EDITED))
    return script


def test_a_rebuild_says_which_episode_it_replaced(cli, write_article) -> None:
    article = write_article("lights.txt", *LIGHTS)
    first = build(cli, article, "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["replaced"] is None
    guid = guid_of_the_episode(cli)
    second = build(cli, article)
    assert second.exit_code == 0, second.output
    assert f'replaced episode #1 "Quay lights on" ({guid})' in second.stdout.splitlines()
    article.write_text("\n\n".join((*LIGHTS, "The lights stay on until midnight.")) + "\n")
    third = build(cli, article, "--json")
    replaced = json.loads(third.stdout)["replaced"]
    assert replaced == {"guid": guid, "number": 1, "title": "Quay lights on",
                        "file": str(Path(second.stdout.split()[0]).relative_to("public"))}


def test_an_episode_built_from_an_edited_script_is_replaced_only_when_asked(
        cli, write_article, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("BULLETIN_CACHE_DIR", str(tmp_path / "cache"))  # to see what is spoken
    article = write_article("lights.txt", *LIGHTS)
    script = edited_script(cli, article, tmp_path)
    assert build(cli, "--script", script).exit_code == 0
    fresh = tmp_path / "fresh.md"  # the same articles' script, as bulletin writes it
    assert cli("script", article, "--out", fresh).exit_code == 0
    before = site_snapshot(Path("public"))
    spoken = json.loads(cli("cache", "info", "--json").stdout)["segments"]
    for again in ([article], ["--script", fresh], ["--script", script]):
        refused = build(cli, *again)
        assert refused.exit_code == 2, refused.output
        (line,) = refused.stderr.splitlines()
        assert line.startswith('bulletin: public: episode #1 "Quay lights on" was built from an '
                               "edited script (")
        assert line.endswith("give --replace to replace it anyway")
        assert site_snapshot(Path("public")) == before
    assert json.loads(cli("cache", "info", "--json").stdout)["segments"] == spoken  # none
    assert EDITED in captions(Path("public"))[0]

    forced = build(cli, article, "--replace")
    assert forced.exit_code == 0, forced.output
    assert "replaced episode #1" in forced.stdout
    assert EDITED not in captions(Path("public"))[0]
    assert build(cli, article).exit_code == 0  # built from its articles now: nothing to lose


def test_a_script_built_as_written_is_no_edit_to_keep(cli, write_article, tmp_path) -> None:
    article = write_article("lights.txt", *LIGHTS)
    script = tmp_path / "script.json"
    assert cli("script", article, "--format", "json", "--out", script).exit_code == 0
    assert build(cli, "--script", script).exit_code == 0
    again = build(cli, article)
    assert again.exit_code == 0, again.output
    assert "replaced episode #1" in again.stdout


def test_a_removed_edited_episode_leaves_nothing_to_refuse(cli, write_article, tmp_path) -> None:
    article = write_article("lights.txt", *LIGHTS)
    assert build(cli, "--script", edited_script(cli, article, tmp_path)).exit_code == 0
    assert cli("episodes", "remove", guid_of_the_episode(cli)).exit_code == 0
    again = build(cli, article)
    assert again.exit_code == 0, again.output
    assert "replaced" not in again.stdout


def test_a_catalog_from_before_edits_were_recorded_still_opens(cli, write_article,
                                                               tmp_path: Path) -> None:
    article = write_article("lights.txt", *LIGHTS)
    assert build(cli, article).exit_code == 0
    with contextlib.closing(sqlite3.connect("public/catalog.sqlite3")) as db, db:
        db.execute("DROP TABLE edited")  # as catalogs made before this record was kept
    listed = cli("episodes", "list")
    assert listed.exit_code == 0 and "Quay lights on" in listed.stdout
    assert build(cli, article).exit_code == 0  # nothing recorded: nothing refused
    assert build(cli, "--script", edited_script(cli, article, tmp_path)).exit_code == 0
    assert build(cli, article).exit_code == 2  # recorded from now on
