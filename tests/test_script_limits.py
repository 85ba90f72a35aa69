"""Hostile and oversized scripts and articles: each is one line and exit 2, or read correctly."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from article_server import ARTICLE_HTML
from bulletin.limits import MAX_SCRIPT_CHARS, MAX_STORIES
from bulletin.script import load_script
from bulletin.script.limits import MAX_SEGMENT_CHARS, MAX_SEGMENTS, MAX_TITLE_CHARS
from conftest import site_snapshot
from sitekit import BULLETIN

DEEP = 100_000
SENTENCE = "The harbour board met on Tuesday and agreed to repair the old sea wall."


def refused(result, path: Path | str, *words: str) -> str:
    """The one line a refusal prints: exit 2, naming ``path`` and saying ``words``."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"bulletin: {path}: "), lines[0]
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def script_json(segments: list[dict], stories: list[dict] | None = None,
                title: str = "Harbour news") -> str:
    if stories is None:
        stories = [{"title": "Sea wall", "segments": [s["id"] for s in segments]}]
    return json.dumps({"title": title, "date": "2026-11-20", "stories": stories,
                       "segments": segments})


def body(number: int, spoken: str) -> dict:
    return {"id": f"{number:03d}-body", "kind": "body", "spoken": spoken}


@pytest.fixture
def markdown_script(cli, write_article, tmp_path) -> Path:
    """A Markdown script of two stories, as ``bulletin script`` writes it."""
    first = write_article("wall.txt", "Sea wall to be repaired", SENTENCE, "Work starts in May.")
    second = write_article("market.txt", "Market moves", "The market moves to the quay.")
    out = tmp_path / "script.md"
    assert cli("script", first, second, "--out", out).exit_code == 0
    return out


# --- Nesting ---------------------------------------------------------------------------------

@pytest.mark.parametrize("nested", ["[" * DEEP + "]" * DEEP, '{"a":' * DEEP + "1" + "}" * DEEP,
                                    '{"title": "T", "segments": ' + "[" * (DEEP - 1)
                                    + "]" * (DEEP - 1) + "}"])
def test_a_deeply_nested_json_script_is_refused(cli, tmp_path, nested) -> None:
    path = tmp_path / "deep.json"
    path.write_text(nested)
    refused(cli("build", "--script", path), path, f"nested {DEEP:,} levels deep", "limit 32")
    assert site_snapshot(Path("public")) == {}


def test_a_number_too_long_to_read_is_refused(cli, tmp_path) -> None:
    path = tmp_path / "script.json"
    path.write_text('{"title": "T", "pause": ' + "9" * 5_000 + ', "segments": []}')
    refused(cli("build", "--script", path), path, "a number of more than")


def test_a_deeply_nested_marker_in_a_markdown_script_is_refused(cli, markdown_script) -> None:
    text = markdown_script.read_text()
    marker = ('<!-- segment {"id": "x", "kind": "body", "a": ' + "[" * (DEEP - 1)
              + "]" * (DEEP - 1) + "} -->")
    markdown_script.write_text(text + "\n" + marker + "\nMore.\n")
    line = len(text.split("\n")) + 1
    refused(cli("build", "--script", markdown_script), markdown_script,
            f"line {line}", f"nested {DEEP:,} levels deep")


@pytest.mark.parametrize("deep", [">" * DEEP + " Hidden words.", "- " * DEEP + "Hidden words.",
                                  ">- " * (DEEP // 2) + "Hidden words."])
def test_markdown_article_nested_too_deep_is_refused(cli, tmp_path, deep) -> None:
    path = tmp_path / "deep.md"
    path.write_text(f"# Sea wall\n\n{SENTENCE}\n\n{deep}\n\nWork starts in May.\n")
    refused(cli("script", path), path, "nested more than", "line 5")


def test_markdown_article_nested_a_little_is_read_whole(cli, tmp_path) -> None:
    path = tmp_path / "quotes.md"
    path.write_text(f"# Sea wall\n\n{SENTENCE}\n\n" + ">" * 12 + " \"At last,\" said a diver.\n\n"
                    + "- " * 6 + "Work starts in May.\n")
    result = cli("script", path, "--format", "json")
    assert result.exit_code == 0, result.output
    said = [s["text"] for s in json.loads(result.stdout)["segments"] if s["kind"] == "body"]
    assert said == [SENTENCE, "\"At last,\" said a diver.", "Work starts in May."]


def test_html_nested_too_deep_is_one_line(tmp_path) -> None:
    path = tmp_path / "deep.html"
    path.write_text("<html><head><title>Sea wall</title></head><body><article>"
                    f"<p>{SENTENCE} {SENTENCE}</p>" + "<div>" * DEEP
                    + f"<p>{SENTENCE}</p>" + "</div>" * DEEP + "</article></body></html>")
    run = subprocess.run([str(BULLETIN), "script", str(path)], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    assert run.stderr.strip().splitlines() == [
        f"bulletin: {path}: HTML nested more than 255 elements deep (the parser's limit), "
        "so part of the page would be lost"]


def test_an_html_page_of_too_many_elements_is_refused(cli, tmp_path) -> None:
    path = tmp_path / "soup.html"
    blocks = ("<div>" * 25 + f"<p>{SENTENCE}</p>" + "</div>" * 25 for _ in range(1_000))
    path.write_text(f"<html><body>{''.join(blocks)}</body></html>")
    refused(cli("script", path), path, f"page of {1_000 * 26 + 2:,} elements (limit 20,000)")


# --- Length caps: script files ----------------------------------------------------------------

def long_words(chars: int) -> str:
    """Words and spaces, no sentence end, exactly ``chars`` long."""
    return ("word " * chars)[:chars - 1] + "s"


@pytest.mark.parametrize(("content", "reason"), [
    (script_json([body(1, "Hi.")], title="t" * 1_000_000),
     f"title is 1,000,000 characters (limit {MAX_TITLE_CHARS})"),
    (script_json([body(1, "Hi.")], [{"title": "s" * 301, "segments": ["001-body"]}]),
     f"story 1 title is 301 characters (limit {MAX_TITLE_CHARS})"),
    (script_json([body(1, long_words(4_900_000))]),
     f"segment 001-body spoken text is 4,900,000 characters (limit {MAX_SEGMENT_CHARS:,})"),
    (script_json([body(1, "Hi.") | {"text": long_words(5_001)}]),
     f"segment 001-body text is 5,001 characters (limit {MAX_SEGMENT_CHARS:,})"),
    (script_json([body(n, long_words(4_000)) for n in range(1, 29)]),
     f"the script's spoken text is {28 * 4_000:,} characters, about 2 h 4 min of speech "
     f"(limit {MAX_SCRIPT_CHARS:,}, about 2 h)"),
    (script_json([body(n, "Hi.") for n in range(1, MAX_SEGMENTS + 2)]),
     f"2,001 segments (limit {MAX_SEGMENTS:,})"),
    (script_json([body(n, "Hi.") for n in range(1, MAX_STORIES + 2)],
                 [{"title": f"S{n}", "segments": [f"{n:03d}-body"]}
                  for n in range(1, MAX_STORIES + 2)]),
     f"51 stories (limit {MAX_STORIES})"),
])
def test_a_script_file_over_a_cap_is_refused(cli, tmp_path, content, reason) -> None:
    path = tmp_path / "script.json"
    path.write_text(content)
    refused(cli("build", "--script", path), path, reason)
    assert site_snapshot(Path("public")) == {}


def test_a_markdown_script_segment_over_the_cap_is_refused(cli, markdown_script) -> None:
    text = markdown_script.read_text().replace(SENTENCE, long_words(6_000))
    markdown_script.write_text(text)
    refused(cli("build", "--script", markdown_script), markdown_script,
            "spoken text is 6,000 characters (limit 5,000)")


# --- Length caps: articles -------------------------------------------------------------------

@pytest.mark.parametrize(("name", "headline"), [
    ("wall.txt", ("Sea wall " * 1_000).strip()),  # a whole paragraph on the headline's line
    ("wall.html", ("Sea wall " * 120_000).strip()),  # a million characters in og:title
])
def test_a_long_headline_is_shortened_at_a_word_boundary(tmp_path, name, headline) -> None:
    path = tmp_path / name
    if name.endswith(".html"):
        path.write_text(ARTICLE_HTML.replace('content="Night ferry returns to Kestrel Bay"',
                                             f'content="{headline}"'))
    else:
        path.write_text(f"{headline}\n\n{SENTENCE}\n")
    run = subprocess.run([str(BULLETIN), "script", str(path), "--format", "json"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stderr.strip().splitlines() == [
        f"bulletin: {path}: headline shortened to {MAX_TITLE_CHARS} characters "
        f"(it was {len(headline):,})"]
    data = json.loads(run.stdout)
    story = data["stories"][0]["title"]
    assert len(story) <= MAX_TITLE_CHARS and story.endswith("wall…")
    assert headline.startswith(story[:-1])
    assert data["title"] == story


def test_a_long_paragraph_is_split_at_sentences(cli, write_article) -> None:
    paragraph = " ".join(f"{SENTENCE[:-1]} number {n}." for n in range(1, 201))
    assert len(paragraph) > 2 * MAX_SEGMENT_CHARS
    path = write_article("wall.txt", "Sea wall", paragraph, "Work starts in May.")
    result = cli("script", path, "--format", "json")
    assert result.exit_code == 0, result.output
    bodies = [s for s in json.loads(result.stdout)["segments"] if s["kind"] == "body"]
    assert len(bodies) > 1 + len(paragraph) // MAX_SEGMENT_CHARS
    assert all(len(s["text"]) <= MAX_SEGMENT_CHARS and len(s["spoken"]) <= MAX_SEGMENT_CHARS
               for s in bodies)
    assert " ".join(s["text"] for s in bodies[:-1]) == paragraph
    assert bodies[0]["text"].endswith(".") and bodies[-1]["text"] == "Work starts in May."


def test_one_sentence_over_the_cap_is_refused(cli, write_article) -> None:
    path = write_article("wall.txt", "Sea wall", SENTENCE, long_words(6_000))
    refused(cli("script", path), path,
            f"paragraph 2 has a sentence of 6,000 characters (limit {MAX_SEGMENT_CHARS:,})")


def test_articles_longer_than_a_bulletin_are_refused(cli, write_article) -> None:
    paragraphs = [" ".join(f"{SENTENCE[:-1]} {n}-{k}." for k in range(50)) for n in range(40)]
    path = write_article("long.txt", "Sea wall", *paragraphs)
    refused(cli("script", path), path, "too long for one bulletin",
            f"(limit {MAX_SCRIPT_CHARS:,}, about 2 h)")


def test_articles_that_say_longer_than_a_bulletin_are_refused(cli, write_article) -> None:
    paragraph = " ".join(f"In {n},418 homes 1,906 voted." for n in range(10, 40))
    path = write_article("votes.txt", "Votes", *[f"{paragraph} Ward {k}." for k in range(50)])
    assert len(path.read_text()) < MAX_SCRIPT_CHARS  # numbers said in words are longer
    refused(cli("script", path), path, "too long for one bulletin: spoken text of",
            f"(limit {MAX_SCRIPT_CHARS:,}, about 2 h)")


def test_a_huge_text_article_is_refused_before_it_is_cleaned(cli, write_article) -> None:
    path = write_article("huge.txt", "Sea wall", *[long_words(4_000) + "."] * 1_200)
    refused(cli("script", path), path,
            f"article is {len(path.read_text()):,} characters (limit {2 * MAX_SCRIPT_CHARS:,})")


def test_too_many_paragraphs_for_one_bulletin(cli, write_article) -> None:
    path = write_article("many.txt", "Sea wall", *(f"Item {n}." for n in range(MAX_SEGMENTS)))
    refused(cli("script", path), path, "segments (limit 2,000)")


def test_too_many_articles_for_one_bulletin(cli, write_article) -> None:
    paths = [write_article(f"a{n}.txt", f"Story {n}", SENTENCE) for n in range(MAX_STORIES + 1)]
    refused(cli("script", *paths), f"{paths[0]} and {MAX_STORIES} more articles",
            f"{MAX_STORIES + 1} articles (limit {MAX_STORIES} stories")


def test_many_long_headlines_split_the_rundown(cli, write_article, fake_engine) -> None:
    headline = ("Harbour board agrees " * 14).strip()
    paths = [write_article(f"a{n}.txt", f"{headline} {n}", SENTENCE)
             for n in range(MAX_STORIES)]
    result = cli("script", *paths, "--format", "json")
    assert result.exit_code == 0, result.output
    segments = json.loads(result.stdout)["segments"]
    rundown = [s for s in segments if s["kind"] == "rundown"]
    assert len(rundown) > 1
    assert all(len(s["spoken"]) <= MAX_SEGMENT_CHARS for s in segments)
    assert rundown[0]["spoken"].startswith("In this bulletin: ")
    said = " ".join(s["spoken"] for s in rundown)
    assert said.count("Harbour board agrees") == 14 * MAX_STORIES


# --- Scripts: markers, stories, front matter ----------------------------------------------------

@pytest.mark.parametrize(("kind", "said"), [
    ("outro", ("'That was The Bulletin.", "its '<!-- segment {...} -->' marker is missing")),
    ("intro", ("'This is The Bulletin", "is outside any segment", "marker is missing")),
])
def test_a_deleted_marker_is_named_with_its_line(cli, markdown_script, kind, said) -> None:
    lines = markdown_script.read_text().split("\n")
    marker = next(n for n, line in enumerate(lines) if f'"kind": "{kind}"' in line)
    del lines[marker]
    markdown_script.write_text("\n".join(lines))
    refused(cli("build", "--script", markdown_script), markdown_script,
            f"line {marker + 1}: {said[0]}", *said[1:])


@pytest.mark.parametrize(("label", "reason"), [
    ("bulletin-script", "bulletin-script marker appears twice (lines 1 and"),
    ('"kind": "headline"', "segment 003-headline marker appears twice (lines"),
])
def test_a_duplicated_marker_is_named(cli, markdown_script, label, reason) -> None:
    text = markdown_script.read_text()
    marker = next(line for line in text.split("\n") if label in line)
    markdown_script.write_text(text + "\n" + marker + "\nSaid again.\n")
    refused(cli("build", "--script", markdown_script), markdown_script, reason)


def test_a_deleted_story_marker_is_named(cli, markdown_script) -> None:
    lines = markdown_script.read_text().split("\n")
    marker = next(n for n, line in enumerate(lines) if line.startswith("<!-- story "))
    del lines[marker]
    markdown_script.write_text("\n".join(lines))
    refused(cli("build", "--script", markdown_script), markdown_script,
            f"line {marker}: story heading 'Sea wall to be repaired' has no "
            "'<!-- story {...} -->' marker after it")


@pytest.mark.parametrize(("edit", "reason"), [
    (lambda line: line.replace("bulletin-script", "nothing") if "bulletin-script" in line else line,
     "no '<!-- bulletin-script {...} -->' marker"),
    (lambda line: line.replace('"id": "001-intro"', '"id" "001-intro"'),
     "line 4: unreadable segment marker"),
    (lambda line: '<!-- segment ["001-intro"] -->' if "001-intro" in line else line,
     "line 4: segment marker must hold an object"),
    (lambda line: line.removesuffix(" -->") if "001-intro" in line else line,
     "line 4: unfinished segment marker"),
])
def test_a_broken_marker_is_named(cli, markdown_script, edit, reason) -> None:
    lines = markdown_script.read_text().split("\n")
    markdown_script.write_text("\n".join(map(edit, lines)))
    refused(cli("build", "--script", markdown_script), markdown_script, reason)


def test_an_untouched_markdown_script_reads_back_as_written(cli, markdown_script,
                                                            tmp_path) -> None:
    out = tmp_path / "script.json"
    sources = [str(tmp_path / "wall.txt"), str(tmp_path / "market.txt")]
    assert cli("script", *sources, "--format", "json", "--out", out).exit_code == 0
    assert load_script(markdown_script) == load_script(out)


@pytest.mark.parametrize(("content", "reason"), [
    (script_json([{"id": "001-intro", "kind": "intro", "spoken": "Hello."}], stories=[]),
     "the script has no story"),
    (script_json([body(1, "Hi.")], stories=[{"title": "Empty", "segments": []}]),
     "story 1 'Empty' has no segments"),
])
def test_a_script_without_a_spoken_story_is_refused(cli, tmp_path, content, reason) -> None:
    path = tmp_path / "script.json"
    path.write_text(content)
    refused(cli("build", "--script", path), path, reason)


def test_a_markdown_script_of_only_an_intro_is_refused(cli, markdown_script) -> None:
    text = markdown_script.read_text()
    first_story = text.index("\n## ")
    markdown_script.write_text(text[:first_story] + "\n")
    refused(cli("build", "--script", markdown_script), markdown_script, "has no story")


def test_unclosed_front_matter_in_an_article_is_refused(cli, tmp_path) -> None:
    path = tmp_path / "wall.md"
    path.write_text("---\ntitle: Sea wall\nsource: Harbour Echo\n\n# Sea wall\n\n"
                    f"{SENTENCE}\n")
    refused(cli("script", path), path, "front matter opened on line 1 is never closed")


def test_unclosed_front_matter_in_a_markdown_script_is_refused(cli, markdown_script) -> None:
    markdown_script.write_text("---\nreviewed: yes\n\n" + markdown_script.read_text())
    refused(cli("build", "--script", markdown_script), markdown_script,
            "front matter opened on line 1 is never closed")


def test_closed_front_matter_and_notes_in_a_markdown_script_are_skipped(markdown_script) -> None:
    before = load_script(markdown_script)
    text = markdown_script.read_text().replace("\n## ", "\n<!-- note: check the\nnames -->\n## ")
    markdown_script.write_text("---\nreviewed: yes\n---\n" + text)
    assert load_script(markdown_script) == before
