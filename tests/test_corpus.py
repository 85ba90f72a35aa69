"""Real news pages: the extracted, cleaned article has what it should and none of the page chrome,
and its spoken script has no digit left in it."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from bulletin.articles import read_articles
from bulletin.articles.clean import clean_article
from bulletin.articles.read import read_article
from bulletin.config import Config
from bulletin.script import build_script
from bulletin.script.normalise import speak


def pages(shared: Path) -> dict[str, dict]:
    return json.loads((shared / "corpus" / "html" / "expected.json").read_text(encoding="utf-8"))


def test_corpus_has_pages(shared_dir: Path) -> None:
    assert len(pages(shared_dir)) >= 6


def test_every_page_has_its_article_and_no_chrome(shared_dir: Path) -> None:
    folder = shared_dir / "corpus" / "html"
    problems = []
    for name, expected in pages(shared_dir).items():
        article = clean_article(read_article(str(folder / name)))
        text = "\n".join([article.title, *article.paragraphs])
        problems += [f"{name}: missing {s!r}" for s in expected["with"] if s not in text]
        problems += [f"{name}: kept {s!r}" for s in expected["without"] if s in text]
    assert problems == []


# Reader-feedback prompts these pages carry outside their article text (BBC, Politico, Salon,
# the Telegraph) and those the issue names, as they would stand inside an article's body.
FEEDBACK = ["We want to hear what you think about this article.", "Tell us your story",
            "Have Your Say", "Your Questions Answered", "Did you like this Explainer?",
            "Thank you for your feedback.", "Feedback", "Show Comments", "Comment speech bubble"]


def test_reader_feedback_prompts_inside_a_real_article_are_dropped(shared_dir: Path,
                                                                 tmp_path: Path) -> None:
    folder = shared_dir / "corpus" / "html"
    problems, tried = [], 0
    for name, expected in pages(shared_dir).items():
        html = (folder / name).read_text(encoding="utf-8")
        at = next((html.find(s) for s in expected["with"] if s in html), -1)
        end = html.find("</p>", at) if at >= 0 else -1
        if end < 0:
            continue  # no story sentence as written in the page to put the prompts after
        end += len("</p>")
        path = tmp_path / name
        path.write_text(html[:end] + "".join(f"<p>{line}</p>" for line in FEEDBACK) + html[end:],
                        encoding="utf-8")
        article = read_article(str(path))
        if not all(line in article.paragraphs for line in FEEDBACK):
            continue  # the page's extractor left them out: nothing for the cleaner to do
        tried += 1
        text = "\n".join(clean_article(article).paragraphs)
        problems += [f"{name}: kept {line!r}" for line in FEEDBACK if line in text]
        problems += [f"{name}: lost {s!r}" for s in expected["with"] if s not in text]
    assert tried >= 3
    assert problems == []


def test_every_page_has_a_title_and_site(shared_dir: Path) -> None:
    folder = shared_dir / "corpus" / "html"
    for name in pages(shared_dir):
        article = read_article(str(folder / name))
        assert article.title and article.site, name
        assert len(article.title.split()) >= 4, (name, article.title)


def test_the_whole_corpus_as_one_bulletin_speaks_no_digits(shared_dir: Path) -> None:
    folder = shared_dir / "corpus" / "html"
    names = sorted(pages(shared_dir))
    articles = read_articles([str(folder / n) for n in names])
    script = build_script(articles, Config(), dt.date(2026, 11, 24))
    assert len(script.stories) == len(names)
    assert [s.kind for s in script.segments[:2]] == ["intro", "rundown"]
    leftovers = [seg.spoken for seg in script.segments if re.search(r"\d", seg.spoken)]
    assert leftovers == []


# What real pages write, as a newsreader says it: (page, as written, as said).
SAID = [
    ("bbc.com.52241221.html", "from 21:00 local time", "from nine p.m. local time"),
    ("telegraph.co.uk.plumber.html", "the £2,000 job", "the two-thousand-pound job"),
]
# What real pages print that is not a sentence of the story: subheadings, infographic figures.
NOT_READ = [
    ("bbc.com.52241221.html", "A city upended"),
    ("bbc.com.52241221.html", "33%of those hospitalised are African Americans"),
    ("bbc.com.52241221.html", "68%of coronavirus deaths in Chicago were African American"),
    ("reuters.com.parasite.html", "DISAPPOINTING NIGHT FOR ‘IRISHMAN’"),
]


def _script_of(folder: Path, name: str):  # noqa: ANN202 - a Script
    article = read_articles([str(folder / name)])
    return build_script(article, Config(), dt.date(2026, 11, 24))


def test_real_pages_are_said_as_a_newsreader_would(shared_dir: Path) -> None:
    folder = shared_dir / "corpus" / "html"
    for name, written, said in SAID:
        assert written in "\n".join(read_article(str(folder / name)).paragraphs), name
        spoken = " ".join(seg.spoken for seg in _script_of(folder, name).segments)
        assert said in spoken, (name, written)


def test_subheadings_and_infographics_of_real_pages_are_not_read(shared_dir: Path) -> None:
    folder = shared_dir / "corpus" / "html"
    for name, line in NOT_READ:
        assert line in read_article(str(folder / name)).paragraphs, name  # the page has it
        script = _script_of(folder, name)
        assert not [seg for seg in script.segments if line in seg.text], (name, line)
        said = speak(line).rstrip(".")
        assert not [seg for seg in script.segments if said in seg.spoken], (name, said)
