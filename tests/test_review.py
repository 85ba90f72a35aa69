"""The review loop is safe: `bulletin script` → edit → `bulletin build --script` puts the edit in
the captions and on the page, not only in the voice; and a rebuild never undoes an edit without a
word.

Builds use the quick espeak voice through the real command line.
"""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import srt
import webvtt
from lxml import etree

LIGHTS = ("Quay lights on",
          "The quay lights came on at 6pm on 3 May, a week early.",
          "Crowds of 2,000 watched from the harbour wall.")
SPOKEN = "The quay lights came on at six p.m. on the third of May, a week early."
EDITED = "The quay lights came on at dusk on Saturday, a week early."


def build(cli, *args: object):
    return cli("build", *args, "--engine", "espeak")


def captions(site: Path) -> tuple[list[str], list[str]]:
    """Every cue's text in the episode's WebVTT and SRT transcripts (the site has one episode)."""
    (vtt,) = (site / "episodes").glob("*.vtt")
    (subrip,) = (site / "episodes").glob("*.srt")
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
