"""The playout copy: a Broadcast WAV a radio station's automation picks up from a watch folder.

Each copy is measured back as a station would check it (ffprobe, ffmpeg's ebur128), and its
``bext`` chunk is read by a reader written here from EBU Tech 3285's table of fields.
"""

from __future__ import annotations

import array
import contextlib
import datetime as dt
import errno
import hashlib
import io
import json
import os
import re
import shutil
import struct
import subprocess
import zoneinfo
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest

import bulletin.audio.playout as playout_module
from bulletin.config import Config, Overrides, load_config
from bulletin.ffmpeg import measure_loudness
from bulletin.pipeline import BuildResult
from conftest import article, site_snapshot
from sitekit import copied_site, quick_build, toml_value

SHOW = "The Kestrel Bay Evening News and Weather Service"  # longer than bext's 32 characters
ZONE = "America/New_York"
MOMENT = dt.datetime(2026, 7, 1, 3, 30, 12, tzinfo=dt.UTC)  # still 30 June in New York
TITLE = "Kestrel Bay’s café ferry — “back on time” from Monday"
TITLE_IN_ASCII = "Kestrel Bay's cafe ferry - \"back on time\" from Monday"
PARAGRAPHS = ("The harbour master said the ferry to the island will keep to its timetable again "
              "from Monday, after a month of delays.", "The late boat stays for the summer.")


def configure(root: Path, **playout: object) -> Config:
    """A bulletin.toml in ``root`` with the show and a ``[playout]`` table; the site and cache
    are in ``root`` too."""
    root.mkdir(parents=True, exist_ok=True)
    lines = ["[show]", f"title = {toml_value(SHOW)}", f"timezone = {toml_value(ZONE)}",
             'email = "desk@example.org"', "[playout]",
             *(f"{key} = {toml_value(value)}" for key, value in playout.items())]
    (root / "bulletin.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_config(root / "bulletin.toml", Overrides(site=root / "public",
                                                         cache_dir=root / "cache"), environ={})


def made(root: Path, **playout: object) -> tuple[Config, BuildResult]:
    (root / "radio").mkdir(parents=True)
    config = configure(root, path="radio/news.wav", **playout)
    return config, quick_build(config, article(root, "ferry.txt", TITLE, *PARAGRAPHS), MOMENT)


@pytest.fixture(scope="module")
def mono(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, BuildResult]:
    return made(tmp_path_factory.mktemp("mono"))


@pytest.fixture(scope="module")
def stereo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, BuildResult]:
    return made(tmp_path_factory.mktemp("stereo"), channels=2, loudness=-18)


# --- An independent reader: RIFF chunks, and the bext fields at the spec's byte offsets. ---

def riff_chunks(data: bytes) -> list[tuple[str, bytes]]:
    """Every chunk of a RIFF/WAVE file, in order, checking the sizes add up to the file's."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    assert int.from_bytes(data[4:8], "little") == len(data) - 8, "RIFF size is the file's"
    found, at = [], 12
    while at < len(data):
        size = int.from_bytes(data[at + 4:at + 8], "little")
        found.append((data[at:at + 4].decode("ascii"), data[at + 8:at + 8 + size]))
        at += 8 + size + size % 2
    assert at == len(data), "the last chunk ends where the file does"
    return found


def ascii_text(field: bytes) -> str:
    return field.split(b"\0", 1)[0].decode("ascii")


def read_bext(body: bytes) -> dict[str, object]:
    """The bext chunk's fields (EBU Tech 3285 v2: 602 bytes, then the coding history)."""
    loudness = [int.from_bytes(body[at:at + 2], "little", signed=True)
                for at in range(412, 422, 2)]
    return {
        "description": ascii_text(body[0:256]),
        "originator": ascii_text(body[256:288]),
        "originator_reference": ascii_text(body[288:320]),
        "date": body[320:330].decode("ascii"),
        "time": body[330:338].decode("ascii"),
        "time_reference": int.from_bytes(body[338:346], "little"),
        "version": int.from_bytes(body[346:348], "little"),
        "umid": body[348:412],
        "loudness": loudness,  # value, range, max true peak, max momentary, max short-term
        "reserved": body[422:602],
        "coding_history": body[602:].rstrip(b"\0").decode("ascii"),
    }


def measured(path: Path) -> dict[str, float]:
    """What ffmpeg's ebur128 says of a file: its summary, and its loudest 100 ms readings."""
    log = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af",
                          "ebur128=peak=true:framelog=info", "-f", "null", "-"],
                         capture_output=True, check=True, text=True).stderr
    body, summary = log.rsplit("Summary:", 1)
    frames = re.findall(r" M:\s*(\S+) S:\s*(\S+) ", body)
    return {
        "integrated": float(re.search(r"I:\s+(\S+) LUFS", summary).group(1)),
        "range": float(re.search(r"LRA:\s+(\S+) LU", summary).group(1)),
        "true_peak": float(re.search(r"Peak:\s+(\S+) dBFS", summary).group(1)),
        "momentary": max(float(m) for m, _ in frames),
        "short_term": max(float(s) for _, s in frames),
    }


def ffprobe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-of", "json", "-show_format",
                          "-show_streams", str(path)], capture_output=True, check=True)
    return json.loads(out.stdout)


def playout_path(config: Config) -> Path:
    return Path(config.playout.path)


# --- The copy as a station receives it. ---

def test_the_copy_is_48k_16bit_mono_pcm_at_minus_23_lufs_beside_a_podcast_at_minus_16(mono):
    config, result = mono
    wav = playout_path(config)
    assert result.playout == wav and result.summary()["playout"] == str(wav)
    stream, = ffprobe(wav)["streams"]
    assert (stream["codec_name"], int(stream["sample_rate"]), stream["channels"],
            stream["bits_per_sample"]) == ("pcm_s16le", 48000, 1, 16)
    assert float(stream["duration"]) == pytest.approx(result.episode.duration, abs=0.03)
    level = measured(wav)
    assert abs(level["integrated"] - -23.0) <= 0.5, level
    assert level["true_peak"] <= -1.0, level
    podcast = measure_loudness(result.mp3)
    assert abs(podcast.integrated - -16.0) <= 1.0, podcast  # the MP3 is as it always was


def test_stereo_at_another_loudness_carries_the_programme_in_both_channels(stereo):
    config, result = stereo
    wav = playout_path(config)
    stream, = ffprobe(wav)["streams"]
    assert (int(stream["sample_rate"]), stream["channels"]) == (48000, 2)
    level = measured(wav)
    assert abs(level["integrated"] - -18.0) <= 0.5, level
    assert level["true_peak"] <= -1.0, level
    (_, data), = [c for c in riff_chunks(wav.read_bytes()) if c[0] == "data"]
    samples = array.array("h", data)
    left, right = samples[0::2], samples[1::2]
    assert left == right and max(left) > 1000, "the mono programme is in both channels"
    assert abs(measure_loudness(result.mp3).integrated - -16.0) <= 1.0


@pytest.mark.parametrize("which", ["mono", "stereo"])
def test_the_bext_chunk_says_what_when_who_and_the_loudness_measured(which, request):
    config, result = request.getfixturevalue(which)
    wav = playout_path(config)
    chunks = riff_chunks(wav.read_bytes())
    assert [name for name, _ in chunks] == ["fmt ", "bext", "data"]
    fmt, bext_body, data = (body for _, body in chunks)
    channels = config.playout.channels
    assert struct.unpack("<HHIIHH", fmt) == (1, channels, 48000, 48000 * 2 * channels,
                                             2 * channels, 16)
    assert len(data) / (2 * channels) == pytest.approx(result.episode.duration * 48000, abs=96)

    bext = read_bext(bext_body)
    assert 0 <= len(bext_body) - 602 - len(bext["coding_history"]) <= 1  # and an even pad
    assert result.episode.title == TITLE
    assert bext["description"] == TITLE_IN_ASCII
    assert bext["originator"] == SHOW[:32]
    local = MOMENT.astimezone(zoneinfo.ZoneInfo(ZONE))
    assert (bext["date"], bext["time"]) == (local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S"))
    assert bext["version"] == 2
    assert bext["umid"] == bytes(64) and bext["reserved"] == bytes(180)
    layout = "mono" if channels == 1 else "stereo"
    assert bext["coding_history"] == f"A=PCM,F=48000,W=16,M={layout},T=bulletin\r\n"

    level = measured(wav)
    written = dict(zip(["integrated", "range", "true_peak", "momentary", "short_term"],
                       (value / 100 for value in bext["loudness"]), strict=True))
    assert written == pytest.approx(level, abs=0.051), (written, level)

    tags = ffprobe(wav)["format"]["tags"]  # what ffmpeg itself reads of the bext chunk
    assert tags["comment"] == TITLE_IN_ASCII and tags["encoded_by"] == SHOW[:32]
    assert (tags["date"], tags["creation_time"]) == (bext["date"], bext["time"])


# --- Written whole, or not at all. ---

def test_the_copy_is_written_beside_under_a_hidden_name_then_renamed(mono, tmp_path,
                                                                     monkeypatch):
    config, _ = mono
    radio = tmp_path / "radio"
    radio.mkdir()
    wav = radio / "news.wav"
    shutil.copyfile(playout_path(config), wav)  # the last hour's bulletin, still on air
    old = hashlib.sha256(wav.read_bytes()).hexdigest()
    renames: list[dict[str, object]] = []
    replace = os.replace

    def watched(src: str | Path, dst: str | Path) -> None:
        if Path(dst) == wav:
            renames.append({
                "temporary": Path(src), "listing": sorted(os.listdir(radio)),
                "there": hashlib.sha256(wav.read_bytes()).hexdigest(),
                "new": hashlib.sha256(Path(src).read_bytes()).hexdigest()})
        replace(src, dst)

    monkeypatch.setattr(os, "replace", watched)
    config = configure(tmp_path / "show", path=str(wav))
    quick_build(config, article(tmp_path, "ferry.txt", TITLE, PARAGRAPHS[0]), MOMENT)

    (rename,) = renames
    temporary = rename["temporary"]
    assert temporary.parent == radio and temporary.name.startswith(".")
    assert not temporary.name.endswith(".wav"), "a watch folder's *.wav never matches it"
    assert rename["listing"] == sorted(["news.wav", temporary.name])
    assert rename["there"] == old, "until the rename, the old bulletin is whole"
    assert hashlib.sha256(wav.read_bytes()).hexdigest() == rename["new"] != old
    assert os.listdir(radio) == ["news.wav"]


def test_a_write_cut_short_leaves_the_old_copy_and_the_site_as_they_were(
        mono, tmp_path, monkeypatch, cli, write_article):
    config, _ = mono
    site = copied_site(config, tmp_path).site
    radio = tmp_path / "radio"
    radio.mkdir()
    wav = radio / "news.wav"
    shutil.copyfile(playout_path(config), wav)
    before, old = site_snapshot(site), wav.read_bytes()
    real = playout_module.write_bwf

    def disk_full(handle, *args):
        whole = io.BytesIO()
        real(whole, *args)
        handle.write(whole.getvalue()[:len(whole.getvalue()) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(playout_module, "write_bwf", disk_full)
    story = write_article("lamp.txt", "Lighthouse lamp repaired", "It shines again tonight.")
    result = cli("build", story, "--engine", "espeak", "--config", config.source,
                 "--site", site, "--playout", wav)
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("bulletin: ") and "disk full" in line, line
    assert wav.read_bytes() == old and os.listdir(radio) == ["news.wav"]
    assert site_snapshot(site) == before, "nothing was published, nothing was lost"


# --- A path that cannot be written: one line, before anything is spoken. ---

@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "own-cache"
    monkeypatch.setenv("BULLETIN_CACHE_DIR", str(cache))
    return cache


def refused(cli, mono, tmp_path, fresh_cache, target: Path, *command: str) -> str:
    """Run a build (or ``command``) to ``target``; check it changed nothing and spoke nothing;
    its one line."""
    config, _ = mono
    site = copied_site(config, tmp_path).site
    before = site_snapshot(site)
    story = article(tmp_path, "lamp.txt", "Lighthouse lamp repaired", "It shines again.")
    result = cli(*(command or ("build", story)), "--config", config.source, "--site", site,
                 "--playout", target)
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("bulletin: ") and str(target) in line, line
    assert site_snapshot(site) == before
    assert not any(fresh_cache.rglob("*.wav")), "nothing was spoken"
    return line


def test_a_missing_folder_is_named_in_one_line(cli, mono, tmp_path, fresh_cache):
    target = tmp_path / "not-mounted" / "news.wav"
    line = refused(cli, mono, tmp_path, fresh_cache, target)
    assert f"the folder {target.parent} does not exist" in line
    assert not target.parent.exists(), "a missing watch folder is not made up"


def test_an_edition_to_a_missing_folder_stops_before_reading_any_feed(cli, mono, tmp_path,
                                                                      fresh_cache):
    target = tmp_path / "not-mounted" / "news.wav"
    line = refused(cli, mono, tmp_path, fresh_cache, target,
                   "edition", str(tmp_path / "no-such-feed.xml"))
    assert "does not exist" in line


def test_a_folder_in_place_of_the_file_is_refused(cli, mono, tmp_path, fresh_cache):
    line = refused(cli, mono, tmp_path, fresh_cache, tmp_path)
    assert "is a directory" in line


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """``folder`` read-only even for root: immutable (chattr +i) when root, else by its mode."""
    root = os.geteuid() == 0
    if root and not shutil.which("chattr"):
        pytest.skip("chattr is missing: cannot make a folder read-only for root")
    if root:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
    try:
        assert not os.access(folder, os.W_OK)
        yield
    finally:
        if root:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        else:
            folder.chmod(0o755)


def test_a_read_only_folder_is_named_and_the_old_copy_stays(cli, mono, tmp_path, fresh_cache):
    config, _ = mono
    radio = tmp_path / "radio"
    radio.mkdir()
    wav = radio / "news.wav"
    shutil.copyfile(playout_path(config), wav)
    old = wav.read_bytes()
    with read_only(radio):
        line = refused(cli, mono, tmp_path, fresh_cache, wav)
    assert "read-only" in line
    assert wav.read_bytes() == old


# --- From the command line. ---

def test_build_and_edition_write_the_copy_from_the_command_line(cli, tmp_path):
    (tmp_path / "bulletin.toml").write_text(
        '[show]\ntitle = "Kestrel Bay Hourly"\ntimezone = "Asia/Tokyo"\n'
        '[playout]\npath = "radio/news.wav"\nchannels = 2\n')
    (tmp_path / "radio").mkdir()
    story = article(tmp_path, "lamp.txt", "Lighthouse lamp repaired", "It shines again tonight.")
    built = cli("build", story, "--engine", "espeak", "--site", tmp_path / "public")
    assert built.exit_code == 0, built.output
    wav = tmp_path / "radio" / "news.wav"
    assert built.stdout.splitlines()[-1] == str(wav)
    assert read_bext(dict(riff_chunks(wav.read_bytes()))["bext"])["description"] == \
        "Lighthouse lamp repaired"
    assert ffprobe(wav)["streams"][0]["channels"] == 2

    feed = tmp_path / "harbour.rss"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour</title>'
        "<item><title>Ferry back on time</title><guid>ferry</guid><description>The ferry "
        "kept to its timetable all week, the harbour master said.</description></item>"
        "</channel></rss>")
    other = tmp_path / "studio-b.wav"
    edition = cli("edition", feed, "--engine", "espeak", "--duration", "0", "--json",
                  "--site", tmp_path / "public", "--playout", other)
    assert edition.exit_code == 0, edition.output
    summary = json.loads(edition.stdout)
    assert summary["published"] and summary["playout"] == str(other)
    bext = read_bext(dict(riff_chunks(other.read_bytes()))["bext"])
    newest = feedparser.parse((tmp_path / "public" / "feed.xml").read_bytes()).entries[0]
    assert bext["description"] == newest.title and newest.title.startswith("Kestrel Bay Hourly")
    assert read_bext(dict(riff_chunks(wav.read_bytes()))["bext"])["description"] == \
        "Lighthouse lamp repaired", "--playout named another file: the file's own is untouched"
    tokyo = dt.datetime.now(zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert abs(dt.datetime.strptime(f"{bext['date']} {bext['time']}", "%Y-%m-%d %H:%M:%S")
               - tokyo.replace(tzinfo=None)) < dt.timedelta(minutes=5)
