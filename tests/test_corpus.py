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
