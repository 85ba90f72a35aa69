"""The index page in a real browser: headless Chromium loads it from ``bulletin``'s server."""

from __future__ import annotations

import datetime as dt
import http.client
import io
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
from PIL import Image

from browserkit import phone_page
from conftest import article
from sitekit import make_config, quick_build, running_server

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--hide-scrollbars", "--enable-logging=stderr", "--v=0"]
CONSOLE = re.compile(r":CONSOLE[:(]")  # how Chromium logs a page's console messages
TITLES = ["Night ferry returns", 'Bakers & <Brewers> say "yes" \u2014 caf\u00e9', "Tides"]


def chromium(url: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "chromium is installed by scripts/setup.sh (BULLETIN_TEST_TOOLS=1)"
    profile.mkdir(parents=True, exist_ok=True)
    return subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                           "--virtual-time-budget=5000", *args, url],
                          capture_output=True, text=True, timeout=120, check=True)


def console_messages(run: subprocess.CompletedProcess) -> list[str]:
    return [line for line in run.stderr.splitlines() if CONSOLE.search(line)]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    config = make_config(root)
    start = dt.datetime(2026, 11, 2, 7, 0, tzinfo=dt.UTC)
    for n, title in enumerate(TITLES):
        quick_build(config, article(root, f"{n}.txt", title, f"Paragraph {n} for the page."),
                    when=start + dt.timedelta(days=n))
    return config.site


def test_the_console_check_sees_a_page_error(tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "index.html").write_text(
        "<!DOCTYPE html><title>x</title><script>console.error('boom'); nosuch();</script>")
    with running_server(broken) as server:
        run = chromium(server.own_url, tmp_path / "profile", "--dump-dom")
    messages = console_messages(run)
    assert any("boom" in m for m in messages) and any("nosuch" in m for m in messages)


def test_the_page_loads_without_console_errors_and_shows_every_episode(site, tmp_path):
    log = io.StringIO()
    with running_server(site, log=log) as server:
        run = chromium(server.own_url, tmp_path / "profile", "--dump-dom")
        base = server.own_url
        page = lxml.html.fromstring(run.stdout)
        articles = page.xpath("//article[@class='episode']")
        assert [a.xpath("string(h2)") for a in articles] == list(reversed(TITLES))
        links = []
        for item in articles:
            audio = item.xpath(".//audio")
            assert len(audio) == 1 and audio[0].get("controls") is not None
            links.append(audio[0].get("src"))
            links += item.xpath(".//a/@href")
        for link in links:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            connection.request("HEAD", urlsplit(urljoin(base, link)).path)
            assert connection.getresponse().status == 200, link
            connection.close()
    assert console_messages(run) == []
    assert page.xpath("string(//*[@id='feed-url'])") == base + "feed.xml"
    requests = log.getvalue().splitlines()
    assert not [line for line in requests if re.search(r'" [45]\d\d ', line)], requests
    assert any(".mp3 HTTP/1.1\" 206" in line for line in requests), \
        "the browser's player read the audio with byte ranges"


# a phone's screenshot is tall enough for the whole page: there the card follows the episodes
@pytest.mark.parametrize(("name", "width", "height"), [("phone", 412, 2200),
                                                       ("desktop", 1200, 1400)])
def test_a_screenshot_shows_the_page_with_a_scannable_feed_qr_code(site, tmp_path, name, width,
                                                                   height):
    shot = tmp_path / f"index-{name}.png"
    with running_server(site) as server:
        run = chromium(server.own_url, tmp_path / "profile", f"--window-size={width},{height}",
                       f"--screenshot={shot}")
        feed_url = server.own_url + "feed.xml"
    assert console_messages(run) == []
    with Image.open(shot) as image:
        assert image.size == (width, height)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
        assert colours is None or len(colours) > 50, "the page drew something"
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(shot)], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert decoded == feed_url


PUBLISHED_AT = "https://radio.kestrel-bay.example.org/podcasts/evening-bulletin/"
MEASURE = """(() => {
  const box = (node) => {
    const r = node.getBoundingClientRect();
    return {top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right};
  };
  const feed = document.getElementById("feed-url");
  return {
    viewport: innerWidth,
    page_width: document.documentElement.scrollWidth,
    feed: {...box(feed), text: feed.value !== undefined ? feed.value : feed.textContent.trim(),
           scroll_width: feed.scrollWidth, client_width: feed.clientWidth,
           scroll_height: feed.scrollHeight, client_height: feed.clientHeight},
    card: box(document.querySelector("section.subscribe")),
    episodes: Array.from(document.querySelectorAll("article.episode"), box),
  };
})()"""


@pytest.fixture(scope="module")
def published_site(tmp_path_factory) -> Path:
    """Two episodes of a show published at a long address, as a real one often is."""
    root = tmp_path_factory.mktemp("phone")
    config = make_config(root, base_url=PUBLISHED_AT)
    start = dt.datetime(2026, 11, 2, 7, 0, tzinfo=dt.UTC)
    for n, title in enumerate(TITLES[:2]):
        quick_build(config, article(root, f"{n}.txt", title, f"Paragraph {n} for the phone."),
                    when=start + dt.timedelta(days=n))
    return config.site


def test_on_a_phone_the_feed_url_shows_whole_and_the_episodes_come_before_the_card(
        published_site, tmp_path):
    with running_server(published_site) as server, \
            phone_page(server.own_url, tmp_path / "profile", width=390) as evaluate:
        seen = evaluate(MEASURE)
        copied = evaluate("""document.getElementById("copy-feed").click();
            new Promise((done) => setTimeout(done, 500)).then(() => [
              document.getElementById("copy-feed").textContent, getSelection().toString()])""")
    assert seen["viewport"] == 390
    assert seen["page_width"] <= 390, "nothing sticks out sideways"
    feed = seen["feed"]
    assert feed["text"] == PUBLISHED_AT + "feed.xml"
    assert feed["scroll_width"] <= feed["client_width"], f"the feed URL is cut off: {feed}"
    assert feed["scroll_height"] <= feed["client_height"], f"the feed URL is cut off: {feed}"
    assert feed["left"] >= 0 and feed["right"] <= 390, feed
    episodes, card = seen["episodes"], seen["card"]
    assert len(episodes) == 2
    assert all(episode["bottom"] <= card["top"] for episode in episodes), (episodes, card)
    button, selected = copied
    assert button == "Copied" or selected == PUBLISHED_AT + "feed.xml", \
        "Copy copies the address, or selects it whole to copy by hand"
