"""Configuration layers: defaults, then bulletin.toml, then the environment, then CLI options."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest

from bulletin.config import Overrides, load_config
from bulletin.errors import InputError


def test_defaults_without_a_file():
    config = load_config()
    assert config.show.base_url == "http://localhost:8000/"
    assert config.voice.engine == "piper"
    assert config.audio.loudness == -16.0 and config.audio.bitrate == 64
    assert config.site == Path("public")
    assert config.source is None


def test_each_layer_overrides_the_one_below(tmp_path):
    toml = tmp_path / "bulletin.toml"
    toml.write_text('site = "out"\n[show]\ntitle = "From file"\nauthor = "File author"\n'
                    '[voice]\nspeed = 1.1\n[audio]\nintro = "stings/in.wav"\n')
    env = {"BULLETIN_TITLE": "From env", "BULLETIN_SPEED": "1.2"}
    config = load_config(toml, Overrides(speed=0.9, base_url=None), environ=env)
    assert config.show.title == "From env"  # environment beats the file
    assert config.show.author == "File author"  # the file beats the defaults
    assert config.voice.speed == 0.9  # the command line beats the environment
    assert config.show.base_url == "http://localhost:8000/"  # None means "not given"
    assert config.site == tmp_path / "out"  # paths are relative to the file
    assert config.audio.intro == str(tmp_path / "stings" / "in.wav")


PATH_SETTINGS = [  # every setting that names a file or folder: (TOML table or None, key)
    ("show", "image"), ("audio", "intro"), ("audio", "outro"), ("audio", "transition"),
    ("audio", "bed"), ("script", "lexicon"), ("script", "templates"), (None, "site"),
    (None, "cache_dir"), ("playout", "path"), ("proof", "model"),
]


def _setting(config, table, key):
    return getattr(getattr(config, table) if table else config, key)


@pytest.mark.parametrize("table, key", PATH_SETTINGS)
def test_every_path_in_the_file_is_relative_to_the_file(tmp_path, table, key):
    toml = tmp_path / "conf" / "bulletin.toml"
    toml.parent.mkdir()
    header = f"[{table}]\n" if table else ""
    toml.write_text(f"{header}{key} = 'there/x'\n")
    resolved = _setting(load_config(toml, environ={}), table, key)
    assert str(resolved) == str(tmp_path / "conf" / "there" / "x")
    toml.write_text(f"{header}{key} = '{tmp_path}/abs'\n")
    assert str(_setting(load_config(toml, environ={}), table, key)) == f"{tmp_path}/abs"


@pytest.mark.parametrize("table, key", [s for s in PATH_SETTINGS if s[0]])
def test_an_empty_file_setting_stays_empty_meaning_not_set(tmp_path, table, key):
    toml = tmp_path / "bulletin.toml"
    toml.write_text(f"[{table}]\n{key} = ''\n")
    assert _setting(load_config(toml), table, key) == ""


def test_a_cover_image_url_stays_a_url(tmp_path):
    toml = tmp_path / "bulletin.toml"
    toml.write_text("[show]\nimage = 'https://example.com/art/cover.png'\n")
    assert load_config(toml).show.image == "https://example.com/art/cover.png"


def test_paths_from_the_environment_and_options_are_relative_to_the_current_folder(tmp_path):
    toml = tmp_path / "conf" / "bulletin.toml"
    toml.parent.mkdir()
    toml.write_text("site = 'from-file'\n")
    config = load_config(toml, environ={"BULLETIN_CACHE_DIR": "cache"})
    assert config.cache_dir == Path("cache") and config.site == tmp_path / "conf" / "from-file"
    assert load_config(toml, Overrides(site=Path("out"))).site == Path("out")


def test_bulletin_toml_in_the_current_folder_is_read(tmp_path):
    Path("bulletin.toml").write_text('[show]\ntitle = "Here"\n')
    assert load_config().show.title == "Here"


# --- Every setting is checked when the config is loaded --------------------------------------

BAD_SETTINGS = [  # (section, key, TOML value, what the refusal says is valid)
    ("audio", "crossfade", "-1.0", "between 0 and 0.5"),
    ("audio", "crossfade", "30.0", "between 0 and 0.5"),
    ("audio", "crossfade", "nan", "between 0 and 0.5"),
    ("audio", "sample_rate", "0", "8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000"),
    ("audio", "sample_rate", "96000", "44100, 48000"),
    ("audio", "bitrate", "0", "32, 40, 48"),
    ("audio", "bitrate", "65", "64, 80"),
    ("audio", "channels", "3", "1, 2"),
    ("audio", "loudness", "0.0", "between -40 and -5"),
    ("audio", "loudness", "-inf", "between -40 and -5"),
    ("audio", "true_peak", "3.0", "between -9 and 0"),
    ("voice", "speed", "0.0", "between 0.25 and 4"),
    ("voice", "speed", "inf", "between 0.25 and 4"),
    ("voice", "workers", "-1", "between 0 and 256"),
    ("show", "keep_episodes", "-3", "between 0 and 1000000"),
    ("show", "replaced_grace_hours", "-1.0", "between 0 and 8760"),
    ("show", "base_url", "'ftp://example.com/'", "http(s) URL"),
    ("show", "base_url", "'localhost:8000'", "http(s) URL"),
    ("show", "base_url", "''", "http(s) URL"),
    ("show", "title", "''", "must not be empty"),
    ("show", "title", '"News\\u0000Hour"', "control characters"),
    ("show", "author", '"two\\nlines"', "control characters or newlines"),
    ("voice", "workers", "99999999999", "between 0 and 256"),
    ("audio", "loudness", "9" * 400, "expected float"),
]


@pytest.mark.parametrize("section, key, value, valid", BAD_SETTINGS)
def test_a_bad_setting_in_the_file_is_refused_naming_where_and_what_is_valid(
        tmp_path, section, key, value, valid):
    toml = tmp_path / "bulletin.toml"
    toml.write_text(f"[{section}]\n{key} = {value}\n")
    with pytest.raises(InputError) as refused:
        load_config(toml)
    message = str(refused.value)
    assert message.startswith(f"{toml}: {section}.{key} = ")
    assert valid in message and "\n" not in message


def test_a_bitrate_is_checked_against_the_sample_rate_lame_encodes_at(tmp_path):
    toml = tmp_path / "bulletin.toml"
    toml.write_text("[audio]\nsample_rate = 22050\nbitrate = 320\n")
    with pytest.raises(InputError, match=r"audio.bitrate = 320: .*at 22050 Hz.* 160\b"):
        load_config(toml)
    toml.write_text("[audio]\nsample_rate = 8000\nbitrate = 16\n")
    assert load_config(toml).audio.bitrate == 16  # a low rate takes low bit rates


def test_valid_settings_at_their_limits_are_accepted(tmp_path):
    toml = tmp_path / "bulletin.toml"
    toml.write_text("[audio]\ncrossfade = 0\nsample_rate = 48000\nbitrate = 320\nchannels = 2\n"
                    "loudness = -40\ntrue_peak = 0\n[voice]\nspeed = 4\nworkers = 0\n"
                    "[show]\nkeep_episodes = 0\nreplaced_grace_hours = 0\n"
                    "base_url = 'https://example.com/podcast/'\n")
    config = load_config(toml)
    assert (config.audio.crossfade, config.audio.channels, config.voice.speed) == (0.0, 2, 4.0)
    assert config.show.replaced_grace_hours == 0.0


def test_replaced_episodes_are_kept_a_day_by_default():
    assert load_config().show.replaced_grace_hours == 24.0


@pytest.mark.parametrize("var, value, valid", [
    ("BULLETIN_SPEED", "nan", "between 0.25 and 4"),
    ("BULLETIN_SPEED", "-2", "between 0.25 and 4"),
    ("BULLETIN_WORKERS", "-1", "between 0 and 256"),
    ("BULLETIN_BASE_URL", "javascript:alert(1)", "http(s) URL"),
])
def test_a_bad_setting_in_the_environment_names_the_variable(var, value, valid):
    with pytest.raises(InputError) as refused:
        load_config(environ={var: value})
    message = str(refused.value)
    assert message.startswith(f"${var} = ") and valid in message


def test_every_environment_variable_sets_its_setting(tmp_path):
    config = load_config(environ={
        "BULLETIN_ENGINE": "espeak", "BULLETIN_VOICE": "en-gb", "BULLETIN_SPEED": "1.5",
        "BULLETIN_WORKERS": "3", "BULLETIN_BASE_URL": "https://example.com/p/",
        "BULLETIN_TITLE": "Evening", "BULLETIN_CACHE_DIR": str(tmp_path / "cache")})
    assert (config.voice.engine, config.voice.voice) == ("espeak", "en-gb")
    assert (config.voice.speed, config.voice.workers) == (1.5, 3)
    assert (config.show.base_url, config.show.title) == ("https://example.com/p/", "Evening")
    assert config.cache_dir == tmp_path / "cache"


def test_every_option_sets_its_setting(tmp_path):
    config = load_config(overrides=Overrides(
        site=tmp_path / "site", cache_dir=tmp_path / "cache", engine="espeak", voice="en-gb",
        speed=1.5, workers=3, base_url="https://example.com/podcast/"))
    assert (config.site, config.cache_dir) == (tmp_path / "site", tmp_path / "cache")
    assert (config.voice.engine, config.voice.voice) == ("espeak", "en-gb")
    assert (config.voice.speed, config.voice.workers) == (1.5, 3)
    assert config.show.base_url == "https://example.com/podcast/"


def test_an_option_not_given_leaves_the_environment_standing():
    env = {"BULLETIN_ENGINE": "espeak", "BULLETIN_SPEED": "1.5", "BULLETIN_CACHE_DIR": "c"}
    config = load_config(overrides=Overrides(voice="en-gb"), environ=env)
    assert (config.voice.engine, config.voice.speed, config.cache_dir) == ("espeak", 1.5, Path("c"))
    assert config.voice.voice == "en-gb"


@pytest.mark.parametrize("override, value, option, valid", [
    ("speed", 0.0, "--speed", "between 0.25 and 4"),
    ("speed", math.nan, "--speed", "between 0.25 and 4"),
    ("speed", "fast", "--speed", "expected float"),
    ("workers", -4, "--workers", "between 0 and 256"),
    ("base_url", "file:///etc/passwd", "--base-url", "http(s) URL"),
    ("cache_dir", "", "--cache-dir", "must not be empty"),
])
def test_a_bad_command_line_option_names_the_option(override, value, option, valid):
    with pytest.raises(InputError) as refused:
        load_config(overrides=Overrides(**{override: value}))
    message = str(refused.value)
    assert message.startswith(f"{option} ") and valid in message


def test_a_site_that_is_a_file_is_refused_from_every_layer(tmp_path):
    afile = tmp_path / "notes.txt"
    afile.write_text("not a site")
    with pytest.raises(InputError, match=rf"^--site {afile}: .*is a file, not a folder"):
        load_config(overrides=Overrides(site=afile))
    with pytest.raises(InputError, match=r"notes.txt is a file, not a folder"):
        load_config(overrides=Overrides(site=afile / "public"))  # nothing can be made under a file
    toml = tmp_path / "bulletin.toml"
    toml.write_text('site = "notes.txt"\n')
    with pytest.raises(InputError, match=rf"^{toml}: site = .*is a file, not a folder"):
        load_config(toml)


@pytest.mark.parametrize("key", ["site", "cache_dir"])
def test_an_empty_folder_setting_is_refused(tmp_path, key):
    toml = tmp_path / "bulletin.toml"
    toml.write_text(f'{key} = ""\n')
    with pytest.raises(InputError, match=rf"^{toml}: {key} = '': must not be empty"):
        load_config(toml)


@pytest.mark.parametrize("deep", [
    "a = " + "[" * 100_000 + "]" * 100_000,
    "a = " + "{b = " * 100_000 + "1" + "}" * 100_000,
])
def test_a_config_nested_too_deep_is_refused(tmp_path, deep):
    toml = tmp_path / "bulletin.toml"
    toml.write_text(deep)
    with pytest.raises(InputError, match=rf"^{toml}: config file nested too deeply"):
        load_config(toml)


@pytest.mark.parametrize("section, key", [("show", "image"), ("audio", "intro"),
                                          ("script", "lexicon"), ("playout", "path")])
def test_a_file_setting_naming_a_device_a_fifo_or_a_folder_is_refused(tmp_path, section, key):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    toml = tmp_path / "bulletin.toml"
    for special, kind in [("/dev/zero", "character device"), (fifo, "FIFO"),
                          (tmp_path, "directory")]:
        toml.write_text(f"[{section}]\n{key} = '{special}'\n")
        with pytest.raises(InputError, match=rf"^{toml}: {section}.{key} = '{special}': must be "
                                             rf"a regular file, and {special} is a {kind}"):
            load_config(toml)
    toml.write_text(f"[{section}]\n{key} = 'not-yet.toml'\n")
    assert load_config(toml)  # a missing file is for the stage that reads it to report


def test_where_the_config_came_from_is_not_a_setting(tmp_path):
    toml = tmp_path / "bulletin.toml"
    toml.write_text("source = 'elsewhere.toml'\n")
    with pytest.raises(InputError, match=rf"^{toml}: unknown key 'source' \(valid: \[audio\], "):
        load_config(toml)


def test_a_templates_folder_that_is_a_file_is_refused(tmp_path):
    toml = tmp_path / "bulletin.toml"
    toml.write_text("[script]\ntemplates = 'bulletin.toml'\n")
    with pytest.raises(InputError, match=r"script.templates = .*bulletin.toml is a file, not a "
                                         r"folder"):
        load_config(toml)



def test_an_edition_is_set_from_the_file_and_its_options(tmp_path):
    toml = tmp_path / "bulletin.toml"
    toml.write_text('[show]\ntimezone = "Europe/London"\n'
                    '[edition]\nfeeds = ["https://news.example.org/rss.xml", "feeds/local.xml"]\n'
                    'duration = "4:30"\nmax_age = "12h"\nstories = 4\n'
                    '[edition.weights]\n"news.example.org" = 2\n"https://b.example/feed" = 0.5\n')
    config = load_config(toml)
    assert config.show.timezone == "Europe/London"
    assert config.edition.feeds == ("https://news.example.org/rss.xml",
                                    str(tmp_path / "feeds" / "local.xml"))
    assert (config.edition.duration, config.edition.max_age) == (270.0, 43200.0)
    assert config.edition.stories == 4
    assert config.edition.weights == (("news.example.org", 2.0), ("https://b.example/feed", 0.5))
    given = load_config(toml, Overrides(feeds=("a.xml",), duration="1:00:00", max_age="90m",
                                        stories=2))
    assert given.edition.feeds == ("a.xml",)  # the command line's feeds replace the file's
    assert (given.edition.duration, given.edition.max_age, given.edition.stories) == \
        (3600.0, 5400.0, 2)


def test_an_edition_is_five_minutes_of_six_stories_of_the_last_day_by_default():
    edition = load_config().edition
    assert (edition.duration, edition.stories, edition.max_age) == (300.0, 6, 86400.0)
    assert load_config().show.timezone == "UTC"


@pytest.mark.parametrize("setting, value, valid", [
    ("duration", '"4:75"', "a span of time, like 4:30"),
    ("duration", '"soon"', "a span of time, like 4:30"),
    ("duration", "-5", "between 0 and 10800"),
    ("max_age", '"30s"', "between 60 and"),
    ("stories", "0", "between 1 and 50"),
    ("feeds", '"https://one.example/rss"', None),  # one feed, not in a list, is fine
    ("feeds", "3", "expected a list"),
    ("feeds", '[""]', "must not be empty"),
    ("weights", '{"a.example" = 500}', "between 0 and 100"),
    ("weights", '{"a.example" = "heavy"}', "expected float"),
])
def test_a_bad_edition_setting_is_refused_naming_it(tmp_path, setting, value, valid):
    toml = tmp_path / "bulletin.toml"
    toml.write_text(f"[edition]\n{setting} = {value}\n")
    if valid is None:
        load_config(toml)
        return
    with pytest.raises(InputError) as refused:
        load_config(toml)
    assert f"edition.{setting}" in str(refused.value) and valid in str(refused.value)


def test_an_unknown_time_zone_is_refused(tmp_path):
    with pytest.raises(InputError, match="timezone = 'Mars/Olympus': must be a time zone"):
        load_config(overrides=None, environ={}, path=_toml(tmp_path, '[show]\n'
                                                             'timezone = "Mars/Olympus"\n'))


def _toml(folder: Path, text: str) -> Path:
    path = folder / "bulletin.toml"
    path.write_text(text)
    return path
