"""The articles stage: reading articles in every form they arrive in (.txt, .md, .html, an http(s)
URL, stdin), and ``read_articles``, which reads and cleans them all."""

from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from article_server import ARTICLE_HTML, serve
from bulletin.articles import read_articles
from bulletin.articles.clean import clean_article
from bulletin.articles.fetch import Fetcher
from bulletin.articles.read import read_article
from bulletin.errors import InputError
from bulletin.limits import MAX_STORIES
from sitekit import free_port

QUICK = Fetcher(timeout=1.0, deadline=5.0, max_bytes=200_000, max_redirects=3, allow_private=True)


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serve() as base:
        yield base


def test_txt_headline_and_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "ferry.txt"
    path.write_text("Ferry vote passes\n\nThe vote passed.\nIt was close.\n\n\nTurnout was high.\n",
                    encoding="utf-8")
    article = read_article(str(path))
    assert article.title == "Ferry vote passes"
    assert clean_article(article).paragraphs == ("The vote passed. It was close.",
                                                 "Turnout was high.")


def test_markdown_with_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "ferry.md"
    path.write_text(
        "---\ntitle: \"Ferry: the vote\"\nsource: Estuary Echo\nauthor: Ana Ortiz\n"
        "date: 2026-11-20\nurl: https://echo.example/ferry\n---\n\n"
        "# Ferry vote passes\n\nThe vote **passed** on [Tuesday](https://echo.example/tue).\n\n"
        "![Slipway at night](slipway.jpg)\n\n## Reaction\n\n> \"At last,\" said one nurse.\n\n"
        "- Boats every forty minutes\n\n```\ncode never read\n```\n<div>raw html</div>\n",
        encoding="utf-8")
    article = read_article(str(path))
    assert article.title == "Ferry: the vote"  # front matter wins over the first heading
    assert (article.site, article.author, article.url) == (
        "Estuary Echo", "Ana Ortiz", "https://echo.example/ferry")
    assert article.date == dt.date(2026, 11, 20)
    assert article.paragraphs == ("Ferry vote passes", "The vote passed on Tuesday.", "Reaction",
                                  "\"At last,\" said one nurse.", "Boats every forty minutes")


def test_markdown_headline_without_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "ferry.md"
    path.write_text("# Ferry vote passes\n\nThe vote passed.\n", encoding="utf-8")
    article = read_article(str(path))
    assert (article.title, article.paragraphs) == ("Ferry vote passes", ("The vote passed.",))


def test_markdown_bad_front_matter_date(tmp_path: Path) -> None:
    path = tmp_path / "ferry.md"
    path.write_text("---\ndate: last Tuesday\n---\n# Ferry\n\nText.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"ferry\.md: date 'last Tuesday' is not a date"):
        read_article(str(path))


def test_html_main_content_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "ferry.html"
    path.write_text(ARTICLE_HTML, encoding="utf-8")
    article = clean_article(read_article(str(path)))
    assert article.title == "Night ferry returns to Kestrel Bay"
    assert article.site == "Estuary Echo"
    assert article.author == "Ana Ortiz"
    assert article.date == dt.date(2026, 11, 20)
    text = " ".join(article.paragraphs)
    assert text.startswith("The night ferry across the Kestrel estuary will run again")
    assert "\"This gives me back an hour of my night,\" said Priya Nair" in text
    assert text.endswith("the first crossings are planned for April.")
    for chrome in ("Home", "Sign up", "rusting slipway", "All rights reserved"):
        assert chrome not in text


def test_html_without_an_article(tmp_path: Path) -> None:
    path = tmp_path / "menu.html"
    path.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>", encoding="utf-8")
    with pytest.raises(InputError, match=r"menu\.html: no article text found in the page"):
        read_article(str(path))


def test_stdin_is_sniffed() -> None:
    plain = read_article("-", stdin=io.BytesIO(b"Ferry vote passes\n\nThe vote passed.\n"))
    assert (plain.title, plain.source) == ("Ferry vote passes", "-")
    markdown = read_article("-", stdin=io.BytesIO(b"# Ferry vote passes\n\nThe *vote* passed.\n"))
    assert markdown.paragraphs == ("The vote passed.",)
    html = read_article("-", stdin=io.BytesIO(ARTICLE_HTML.encode()))
    assert html.title == "Night ferry returns to Kestrel Bay"


def test_empty_stdin() -> None:
    with pytest.raises(InputError, match="^-: empty article on standard input$"):
        read_article("-", stdin=io.BytesIO(b"  \n"))


def test_the_stage_reads_and_cleans_every_source_in_order(tmp_path: Path) -> None:
    path = tmp_path / "ferry.txt"
    path.write_text("Ferry vote passes\n\nThe vote passed.\n\nCredit: Ben Hale\n", encoding="utf-8")
    stdin = io.BytesIO(b"# Harbour wall mended\n\nThe wall was mended.\n\n"
                       b"Sign up to our newsletter\n")
    articles = read_articles([str(path), "-"], stdin=stdin)
    assert [(a.title, a.paragraphs) for a in articles] == [
        ("Ferry vote passes", ("The vote passed.",)),
        ("Harbour wall mended", ("The wall was mended.",)),
    ]


def test_standard_input_twice_is_refused_before_it_is_read() -> None:
    stdin = io.BytesIO(b"Ferry vote passes\n\nThe vote passed.\n")
    with pytest.raises(InputError, match="^-: standard input can be read only once$"):
        read_articles(["-", "-"], stdin=stdin)
    assert stdin.tell() == 0


def test_too_many_articles_are_refused_before_any_is_read(tmp_path: Path) -> None:
    missing = [str(tmp_path / f"gone-{n}.txt") for n in range(MAX_STORIES + 1)]
    refusal = rf"and {MAX_STORIES} more articles: {MAX_STORIES + 1} articles \(limit {MAX_STORIES} "
    with pytest.raises(InputError, match=refusal):
        read_articles(missing)


def test_no_sources_is_refused() -> None:
    with pytest.raises(InputError, match="^no articles given$"):
        read_articles([])


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "empty article"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "binary data"),
    (b"Caf\xe9 news\n\nText\n", "not UTF-8 text"),
    (b"Just a headline\n", "headline but no paragraphs"),
])
def test_bad_text_files(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=reason) as caught:
        read_article(str(path))
    assert str(caught.value).startswith(f"{path}:")


def test_url_html_page(site: str) -> None:
    article = read_article(f"{site}/article.html", fetcher=QUICK)
    assert article.title == "Night ferry returns to Kestrel Bay"
    assert article.url == f"{site}/article.html"
    assert any("Priya Nair" in p for p in article.paragraphs)


def test_url_markdown_and_text_by_content_type(site: str) -> None:
    markdown = read_article(f"{site}/article.md", fetcher=QUICK)
    assert (markdown.title, markdown.site) == ("Ferry vote passes", "Estuary Echo")
    plain = read_article(f"{site}/article.txt", fetcher=QUICK)
    assert plain.paragraphs == ("The vote passed on Tuesday.",)


def test_url_follows_a_redirect_and_records_where_it_landed(site: str) -> None:
    article = read_article(f"{site}/moved", fetcher=QUICK)
    assert article.url == f"{site}/article.html"
    assert article.source == f"{site}/moved"


@pytest.mark.parametrize(("path", "reason"), [
    ("/missing", "HTTP 404 Not Found"),
    ("/loop", r"too many redirects \(more than 3\)"),
    ("/pdf", "content type application/pdf is not an article page"),
    ("/huge", r"too large for an article \(more than 200000 bytes\)"),
    ("/empty.html", "no article text found in the page"),
])
def test_url_failures_name_the_url(site: str, path: str, reason: str) -> None:
    url = f"{site}{path}"
    with pytest.raises(InputError, match=reason) as caught:
        read_article(url, fetcher=QUICK)
    assert str(caught.value).startswith(f"{url}: ")
    assert "\n" not in str(caught.value)


def test_url_timeout(site: str) -> None:
    started = time.monotonic()
    with pytest.raises(InputError, match=r"/slow: timed out after 1 s"):
        read_article(f"{site}/slow", fetcher=QUICK)
    assert time.monotonic() - started < 2.5


def test_url_nobody_listening() -> None:
    port = free_port()  # free a moment ago, and no server on it
    with pytest.raises(InputError, match=rf"^http://127.0.0.1:{port}/x: cannot connect"):
        read_article(f"http://127.0.0.1:{port}/x", fetcher=QUICK)
