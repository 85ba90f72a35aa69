"""``bulletin feed check``: a published site passes; each way it can break is named in one line."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from conftest import article
from sitekit import NS, make_config, parse_feed, quick_build
from test_catalog import CATALOG_BREAKAGES

BASE = "https://news.example.org/pod/"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("check")
    config = make_config(root, base_url=BASE, email="news@example.org")
    when = dt.datetime(2026, 11, 2, 7, 0, tzinfo=dt.UTC)
    for n in range(2):
        quick_build(config, article(root, f"{n}.txt", f"Checked story {n}",
                                    f"Paragraph number {n} to read aloud."),
                    when=when + dt.timedelta(days=n))
    return config.site


@pytest.fixture
def site(built, tmp_path) -> Path:
    copy = tmp_path / "public"
    shutil.copytree(built, copy)
    return copy


def edit_feed(site: Path, change: Callable[[etree._Element], None]) -> None:
    root = parse_feed(site)
    change(root)
    (site / "feed.xml").write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def first(site: Path, path: str) -> Path:
    """The site file the first item's ``path`` attribute points at."""
    url = parse_feed(site).xpath(f"string(channel/item[1]/{path})", namespaces=NS)
    return site / url.removeprefix(BASE)


def truncate_mp3(site):
    mp3 = first(site, "enclosure/@url")
    mp3.write_bytes(mp3.read_bytes()[: mp3.stat().st_size // 2])


def delete_vtt(site):
    first(site, "podcast:transcript[@type='text/vtt']/@url").unlink()


def break_chapters(site):
    first(site, "podcast:chapters/@url").write_text('{"version": "1.2.0", "chapters": [{"t": 1}]}')


def repeat_guid(site):
    def change(root):
        guids = root.findall("channel/item/guid")
        guids[1].text = guids[0].text
    edit_feed(site, change)


def bad_date(site):
    edit_feed(site, lambda root: setattr(root.find("channel/item/pubDate"), "text", "2026-11-03"))


def wrong_weekday(site):
    edit_feed(site, lambda root: setattr(root.find("channel/item/pubDate"), "text",
                                         "Mon, 03 Nov 2026 07:00:00 +0000"))


def wrong_duration(site):
    edit_feed(site, lambda root: setattr(root.find("channel/item/itunes:duration", NS), "text",
                                         "00:10:00"))


def wrong_length(site):
    edit_feed(site, lambda root: root.find("channel/item/enclosure").set("length", "12345"))


def drop_author(site):
    def change(root):
        channel = root.find("channel")
        channel.remove(channel.find("itunes:author", NS))
    edit_feed(site, change)


def explicit_yes(site):
    edit_feed(site, lambda root: setattr(root.find("channel/itunes:explicit", NS), "text", "yes"))


def wide_cover(site):
    Image.new("RGB", (3000, 2000), (10, 90, 30)).save(site / "cover.png")


def small_cover(site):
    Image.new("RGB", (600, 600), (10, 90, 30)).save(site / "cover.png")


def empty_chapters(site):
    chapters = first(site, "podcast:chapters/@url")
    document = json.loads(chapters.read_text())
    chapters.write_text(json.dumps({**document, "chapters": []}))


def not_xml(site):
    with (site / "feed.xml").open("ab") as feed:
        feed.write(b"<item>&broken</item>")


def no_feed(site):
    (site / "feed.xml").unlink()


BREAKAGES = {
    "truncated mp3": (truncate_mp3, ["bytes", "itunes:duration says"]),
    "missing transcript": (delete_vtt, ["transcript", "does not resolve", ".vtt is missing"]),
    "broken chapters": (break_chapters, ["chapter without a numeric startTime"]),
    "empty chapters": (empty_chapters, ["lists no chapters"]),
    "repeated guid": (repeat_guid, ["item 2: guid", "repeats item 1"]),
    "date not RFC 2822": (bad_date, ["'2026-11-03' is not in RFC 2822 form"]),
    "wrong weekday": (wrong_weekday, ["names the wrong weekday"]),
    "wrong duration": (wrong_duration, ["itunes:duration says 600 s but the audio lasts"]),
    "wrong length": (wrong_length, ["enclosure length 12345 but the file has"]),
    "no author": (drop_author, ["channel has no <itunes:author>"]),
    "explicit yes": (explicit_yes, ["itunes:explicit is not 'true' or 'false'"]),
    "wide cover": (wide_cover, ["artwork cover.png is 3000×2000, not square"]),
    "small cover": (small_cover, ["artwork cover.png is 600×600; podcast apps want 1400 to 3000"]),
    "not xml": (not_xml, ["not well-formed XML"]),
    "no feed": (no_feed, ["feed.xml: missing"]),
}


def test_a_published_site_passes(cli, built):
    result = cli("feed", "check", "--site", built)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{built / 'feed.xml'}: OK"


def test_a_show_without_an_owner_e_mail_is_reported(cli, tmp_path):
    config = make_config(tmp_path, base_url=BASE, email="")
    quick_build(config, article(tmp_path, "a.txt", "Owner check", "A paragraph to read."))
    result = cli("feed", "check", "--site", config.site)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{config.site / 'feed.xml'}: channel has no owner e-mail (itunes:owner/itunes:email): "
        "set [show] email; directories send the owner's verification there, and podcast:locked "
        "names it"]


@pytest.mark.parametrize("case", list(BREAKAGES))
def test_each_breakage_is_reported_in_one_line(case, cli, site):
    breakage, expected = BREAKAGES[case]
    breakage(site)
    result = cli("feed", "check", "--site", site)
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert lines, "a problem was printed"
    assert all(line.startswith(f"{site / 'feed.xml'}: ") for line in lines), lines
    for words in expected:
        assert any(words in line for line in lines), (words, lines)
    if case in ("truncated mp3", "missing transcript", "broken chapters", "empty chapters",
                "wrong length"):
        assert all("item 1 (Checked story 1)" in line for line in lines), lines


def test_a_missing_site_folder_is_an_input_error(cli, tmp_path):
    result = cli("feed", "check", "--site", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"bulletin: {tmp_path / 'nowhere'}: no such site folder"


@pytest.mark.parametrize("case", [*CATALOG_BREAKAGES, "empty"])
def test_a_broken_catalog_is_reported_in_one_line(case, cli, site):
    catalog = site / "catalog.sqlite3"
    if case == "empty":
        catalog.write_bytes(b"")
        words = "the catalog is empty"
    else:
        breakage, words = CATALOG_BREAKAGES[case]
        breakage(catalog)
    result = cli("feed", "check", "--site", site)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stdout.strip().splitlines() == [next(
        line for line in result.stdout.splitlines() if line.startswith(f"{catalog}: "))]
    assert words in result.stdout


def warnings_of(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("bulletin: warning: ")]


def default_warning(site: Path, key: str, value: str) -> str:
    return (f"bulletin: warning: {site / 'feed.xml'}: {key} \"{value}\" is bulletin's default, "
            f"not one chosen: set {key} under [show] in bulletin.toml (even to \"{value}\" if "
            "that is right)")


def test_defaults_left_in_the_feed_are_warnings_that_do_not_fail_the_check(cli, built):
    result = cli("feed", "check", "--site", built)
    assert result.exit_code == 0
    assert result.stdout.strip() == f"{built / 'feed.xml'}: OK"
    assert result.stderr.splitlines() == [default_warning(built, "author", "bulletin"),
                                          default_warning(built, "language", "en-us")]


def test_a_default_set_on_purpose_in_bulletin_toml_is_no_warning(cli, built):
    Path("bulletin.toml").write_text('[show]\nlanguage = "en-us"\n')
    result = cli("feed", "check", "--site", built)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [default_warning(built, "author", "bulletin")]
    Path("bulletin.toml").write_text('[show]\nlanguage = "en-us"\nauthor = "bulletin"\n')
    result = cli("feed", "check", "--site", built)
    assert (result.exit_code, result.stderr) == (0, "")


def test_a_feed_with_its_own_author_and_language_has_no_warning(cli, site):
    def change(root):
        for path, value in (("channel/itunes:author", "Green FM"), ("channel/language", "en-gb")):
            root.find(path, NS).text = value
    edit_feed(site, change)
    result = cli("feed", "check", "--site", site)
    assert (result.exit_code, result.stderr) == (0, "")


def test_warnings_go_to_stderr_and_problems_to_stdout(cli, site):
    drop_author(site)
    result = cli("feed", "check", "--site", site)
    assert result.exit_code == 1, "a problem fails the check"
    assert result.stdout.splitlines() == [
        f"{site / 'feed.xml'}: channel has no <itunes:author>"]
    assert warnings_of(result) == [default_warning(site, "language", "en-us")]
