"""Credit the sources: each story keeps its site's name and its own address, and the show notes,
the chapters, the page and the intro say them.

Pages come from the shared corpus (real news pages) or are written here, served on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import lxml.html
import pytest

from article_server import serve

BBC = "bbc.com.52241221.html"
TELEGRAPH = "telegraph.co.uk.plumber.html"


def corpus(shared: Path, name: str) -> bytes:
    return (shared / "corpus" / "html" / name).read_bytes()


def own_address(page: bytes) -> str:
    """What the page says its address is: its canonical link, else its og:url (read here with
    lxml, as a reader of the page would)."""
    tree = lxml.html.fromstring(page)
    found = tree.xpath("//link[@rel='canonical']/@href") + \
        tree.xpath("//meta[@property='og:url']/@content")
    return found[0]


def site_name(page: bytes) -> str:
    return lxml.html.fromstring(page).xpath("//meta[@property='og:site_name']/@content")[0]


@contextmanager
def pages_served(pages: dict[str, bytes]) -> Iterator[str]:
    """An HTTP server on a free port of 127.0.0.1 answering each path (query ignored) with its
    HTML page, anything else with 404; stopped on exit. Yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the handler's API
            body = pages.get(self.path.split("?", 1)[0])
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with serve(Handler) as base:
        yield base


def script_json(cli, *sources: object) -> dict:
    result = cli("script", *sources, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- Each story keeps its source ---------------------------------------------------------------

def test_a_page_from_a_url_or_a_file_keeps_its_site_name_and_canonical_address(
        cli, shared_dir: Path, tmp_path: Path) -> None:
    bbc, telegraph = corpus(shared_dir, BBC), corpus(shared_dir, TELEGRAPH)
    saved = tmp_path / "plumber.html"
    saved.write_bytes(telegraph)
    with pages_served({"/world/story": bbc}) as base:
        data = script_json(cli, f"{base}/world/story?utm_source=app&utm_medium=share", saved)
    first, second = data["stories"]
    assert (first["site"], first["url"]) == (site_name(bbc), own_address(bbc))
    assert (second["site"], second["url"]) == (site_name(telegraph), own_address(telegraph))
    assert first["url"].startswith("https://www.bbc.com/")  # not where it was fetched from


PAGE = ("<!doctype html><html><head><title>Ferry | Harbour Herald</title>{head}</head><body>"
        "<article><h1>Night ferry returns</h1>" + "".join(
            f"<p>{text}</p>" for text in (
                "The night ferry across the estuary will run again from the spring, after "
                "residents voted to bring it back.",
                "Councillors said the late boats would help nurses and cooks who finish work "
                "after the last bus.",
                "The operator will be chosen in January, and the first crossings are planned "
                "for April.")) + "</article></body></html>")


@pytest.mark.parametrize(("head", "expected"), [
    ('<link rel="Canonical" href="/news/ferry">', "{base}/news/ferry"),
    ('<meta property="og:url" content="https://reader:pw@herald.example/ferry">',
     "https://herald.example/ferry"),
    ('<link rel="canonical" href="javascript:alert(1)">', "{base}/ferry"),
    ("", "{base}/ferry"),
])
def test_a_page_says_its_own_address_only_as_a_web_address(cli, head: str,
                                                           expected: str) -> None:
    page = PAGE.format(head=head).encode()
    with pages_served({"/ferry": page}) as base:
        data = script_json(cli, f"{base}/ferry")
    assert data["stories"][0]["url"] == expected.format(base=base)


# --- The intro says the sources -----------------------------------------------------------------

def spoken_intro(data: dict) -> tuple[str, str]:
    intro = data["segments"][0]
    assert intro["kind"] == "intro"
    return intro["text"], intro["spoken"]


def test_the_intro_credits_the_sources_of_a_bulletin_of_several(cli, shared_dir: Path) -> None:
    folder = shared_dir / "corpus" / "html"
    text, spoken = spoken_intro(script_json(cli, folder / BBC, folder / TELEGRAPH))
    names = site_name(corpus(shared_dir, BBC)), site_name(corpus(shared_dir, TELEGRAPH))
    assert text.endswith(f", with reports from {names[0]} and {names[1]}.")
    assert spoken.endswith(", with reports from B B C News and The Telegraph.")
    # one source is not worth saying; two stories of one site credit it once at most
    for sources in ([folder / BBC], [folder / BBC, folder / BBC]):
        text, _ = spoken_intro(script_json(cli, *sources))
        assert "reports from" not in text
    # many: the first two, "and others"
    data = script_json(cli, *sorted(folder.glob("*.html")))
    sites = list(dict.fromkeys(story["site"] for story in data["stories"]))
    assert len(sites) > 3
    assert spoken_intro(data)[0].endswith(f", with reports from {sites[0]}, {sites[1]} and others.")


def test_an_intro_template_can_always_say_the_sources(cli, shared_dir: Path,
                                                      tmp_path: Path) -> None:
    (tmp_path / "phrases").mkdir()
    (tmp_path / "phrases" / "intro.txt.j2").write_text(
        "Good evening{% if sources %}, with {{ sources|join(' and ') }}{% endif %}.")
    Path("bulletin.toml").write_text('[script]\ntemplates = "phrases"\n')
    text, _ = spoken_intro(script_json(cli, shared_dir / "corpus" / "html" / TELEGRAPH))
    assert text == "Good evening, with The Telegraph."


# --- Show notes, chapters and the page credit every story ---------------------------------------

def page(site: str, address: str, title: str) -> bytes:
    """A news page of ``site`` whose own address is ``address`` (as a canonical link or og:url)."""
    tag = (f'<link rel="canonical" href="{address}">' if "herald" in address
           else f'<meta property="og:url" content="{address}">')
    head = f'<meta property="og:site_name" content="{site}">{tag}'
    return PAGE.format(head=head).replace("Night ferry returns", title).encode()


STORIES = {  # path: (site, its own address, headline)
    "/ferry": ("Harbour Herald", "https://herald.example/news/ferry", "Night ferry returns"),
    "/market": ("Estuary Echo", "https://echo.example/market", "Market moves to the quay"),
}


@pytest.fixture(scope="module")
def credited_build(tmp_path_factory) -> dict:
    """One bulletin built with the quick espeak voice from two served pages, a Markdown article
    with front matter and a plain-text article that names no source."""
    from typer.testing import CliRunner

    from bulletin.cli import app

    root = tmp_path_factory.mktemp("credits")
    (root / "lights.md").write_text("---\ntitle: Quay lights on\nsource: Quay Weekly\n"
                                    "url: https://quay.example/lights\n---\n\n"
                                    "The quay lights came on at dusk for the first time.\n")
    (root / "wall.txt").write_text("Sea wall repaired\n\nWork on the sea wall finished early.\n")
    with pages_served({path: page(*story) for path, story in STORIES.items()}) as base:
        result = CliRunner().invoke(app, [
            "build", f"{base}/ferry?utm_source=x", f"{base}/market", str(root / "lights.md"),
            str(root / "wall.txt"), "--engine", "espeak", "--site", str(root / "public"),
            "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    mp3 = Path(summary["mp3"])
    return {"site": root / "public", "mp3": mp3,
            "chapters": json.loads(mp3.with_suffix(".chapters.json").read_text()),
            "vtt": mp3.with_suffix(".vtt")}


CREDITS = [(site, url, title) for site, url, title in STORIES.values()] + [
    ("Quay Weekly", "https://quay.example/lights", "Quay lights on")]


def test_the_show_notes_list_every_story_with_its_source_and_a_link(credited_build) -> None:
    from lxml import etree

    feed = etree.parse(str(credited_build["site"] / "feed.xml"))
    html = lxml.html.fromstring(feed.findtext("channel/item/description"))
    for br in html.iter("br"):  # as an app shows it: a line break per <br/>
        br.tail = "\n" + (br.tail or "")
    lines = html.text_content().splitlines()
    for site, url, title in CREDITS:
        line = f" {title} — {site}: {url}"
        assert any(re.fullmatch(r"\d+:\d\d" + re.escape(line), shown) for shown in lines), lines
        assert url in html.xpath("//a/@href")
    # a story that names no source is listed with nothing after its title
    assert any(re.fullmatch(r"\d+:\d\d Sea wall repaired", shown) for shown in lines), lines


def test_the_chapters_carry_each_storys_url(credited_build) -> None:
    chapters = {c["title"]: c for c in credited_build["chapters"]["chapters"]}
    for _, url, title in CREDITS:
        assert chapters[title]["url"] == url
    for title in ("Introduction", "Sign-off", "Sea wall repaired"):
        assert "url" not in chapters[title]


def test_the_page_links_each_story(credited_build) -> None:
    page_tree = lxml.html.fromstring((credited_build["site"] / "index.html").read_bytes())
    for _, url, title in CREDITS:
        (item,) = page_tree.xpath("//ol[@class='chapters']/li[contains(button, $title)]",
                                  title=title)
        assert item.xpath("a/@href") == [url]
    (wall,) = page_tree.xpath("//ol[@class='chapters']/li[contains(button, 'Sea wall')]")
    assert wall.xpath("a") == []


def test_the_intro_heard_credits_the_sites(credited_build) -> None:
    import webvtt

    first = webvtt.read(str(credited_build["vtt"]))[0].text
    assert first.endswith("with reports from Harbour Herald, Estuary Echo and Quay Weekly.")


# --- Editions: stories read from pages named by feeds --------------------------------------------

def test_an_edition_credits_each_story_and_names_each_source_once(cli, newsroom,
                                                                  tmp_path: Path) -> None:
    import webvtt
    from lxml import etree

    feeds = [newsroom.url(path) for path in ("/rss.xml", "/atom.xml", "/feed.json", "/rdf.xml")]
    result = cli("edition", *feeds, "--engine", "espeak", "--duration", "1:30", "--site",
                 tmp_path / "public", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    feed = etree.parse(str(tmp_path / "public" / "feed.xml"))
    html = lxml.html.fromstring(feed.findtext("channel/item/description"))
    for br in html.iter("br"):
        br.tail = "\n" + (br.tail or "")
    lines = html.text_content().splitlines()
    names = []
    for story in summary["stories"]:
        (line,) = [shown for shown in lines if f" {story['title']} — " in shown]
        name, links = line.split(" — ", 1)[1].split(": ", 1)
        links = links.split(", ")  # its own address first, then each feed's link to it
        assert name and links[0] == story["url"] and set(story["sources"]) <= set(links)
        names.append(name)
    credited = list(dict.fromkeys(names))
    intro = webvtt.read(str(Path(summary["mp3"]).with_suffix(".vtt")))[0].text
    if len(credited) > 3:
        assert intro.endswith(f"with reports from {credited[0]}, {credited[1]} and others.")
    elif len(credited) > 1:
        said = ", ".join(credited[:-1]) + f" and {credited[-1]}"
        assert intro.endswith(f"with reports from {said}.")
    else:
        assert "reports from" not in intro
    for name in credited:
        assert intro.count(name) <= 1
