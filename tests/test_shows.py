"""[shows.NAME] tables: each show's settings over the top-level ones, held to the same rules; and
the settings a queued job carries, made into the same config again on a worker."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bulletin.config import Overrides, load_config
from bulletin.errors import InputError
from bulletin.queue.jobs import config_of, settings_of

TOP = ('[show]\ntitle = "Network"\n[voice]\nengine = "espeak"\n[edition]\nduration = "5:00"\n'
       'feeds = ["top.rss"]\n')


def config_file(tmp_path: Path, shows: str) -> Path:
    path = tmp_path / "bulletin.toml"
    path.write_text(TOP + shows)
    return path


def test_a_show_s_table_wins_over_the_top_level_and_options_win_over_it(tmp_path) -> None:
    path = config_file(tmp_path, '[shows.harbour]\ntitle = "Harbour Tonight"\nduration = "1:30"\n'
                                 'feeds = ["harbour.rss"]\nsite = "sites/harbour"\n'
                                 'voice = "en-gb"\nschedule = "0  * * * *"\n')
    top = load_config(path)
    show = load_config(path, show="harbour")
    assert (top.show.title, top.edition.duration) == ("Network", 300.0)
    assert (show.show.title, show.edition.duration) == ("Harbour Tonight", 90.0)
    assert show.edition.feeds == (str(tmp_path / "harbour.rss"),)
    assert show.site == tmp_path / "sites" / "harbour"
    assert (show.voice.engine, show.voice.voice) == ("espeak", "en-gb")
    assert show.shows[0].schedule == "0 * * * *"
    optioned = load_config(path, Overrides(duration="2:00"), show="harbour")
    assert optioned.edition.duration == 120.0


@pytest.mark.parametrize("table, message", [
    ('[shows.harbour]\nduration = "soon"\n',
     "bulletin.toml: shows.harbour.duration = 'soon': expected a span of time"),
    ('[shows.harbour]\nstories = 99\n',
     "bulletin.toml: shows.harbour.stories = 99: must be between 1 and 50"),
    ('[shows.harbour]\ncolour = "blue"\n',
     "bulletin.toml: shows.harbour: unknown key 'colour' (valid: duration, engine, feeds, "),
    ('[shows.harbour]\nschedule = "every hour"\n',
     "bulletin.toml: shows.harbour.schedule = 'every hour': must be a cron expression of five"),
    ('[shows.harbour]\nschedule = "0 25 * * *"\n',
     "bulletin.toml: shows.harbour.schedule = '0 25 * * *': its hour field '25' must be"),
    ('[shows]\nharbour = "yes"\n', "bulletin.toml: [shows.harbour] must be a table"),
    ('[queue]\nbroker = "http://127.0.0.1/"\n',
     "bulletin.toml: queue.broker = 'http://127.0.0.1/': must be a redis:// URL"),
])
def test_a_bad_show_is_refused_in_one_line_naming_it(tmp_path, table, message) -> None:
    path = config_file(tmp_path, table)
    with pytest.raises(InputError) as refused:
        load_config(path)  # every show is checked, whichever is chosen
    assert str(refused.value).startswith(f"{tmp_path}/{message}")
    assert "\n" not in str(refused.value)


def test_an_unknown_show_is_refused_naming_the_shows_there_are(tmp_path) -> None:
    path = config_file(tmp_path, '[shows.harbour]\n[shows.hills]\n')
    with pytest.raises(InputError, match=r"^--show moor: no \[shows.moor\] in .*bulletin.toml "
                                         r"\(shows: harbour, hills\)$"):
        load_config(path, show="moor")


def test_the_broker_comes_from_the_option_the_environment_or_the_file(tmp_path) -> None:
    path = config_file(tmp_path, '[queue]\nbroker = "redis://10.0.0.5:6379/1"\n')
    assert load_config(path).queue.broker == "redis://10.0.0.5:6379/1"
    environ = {"BULLETIN_BROKER": "redis://10.0.0.6:6379/0"}
    assert load_config(path, environ=environ).queue.broker == "redis://10.0.0.6:6379/0"
    assert load_config(path, Overrides(broker="redis://h:1/2"),
                       environ=environ).queue.broker == "redis://h:1/2"


def test_a_job_s_settings_make_the_same_config_on_a_worker(tmp_path) -> None:
    path = config_file(tmp_path, '[shows.harbour]\ntitle = "Harbour"\n[edition.weights]\n'
                                 '"news.example.org" = 2.5\n[voice.headlines]\nspeed = 1.3\n')
    sent = load_config(path, Overrides(speed=1.1, site=Path("public")), show="harbour")
    made = config_of(settings_of(sent))
    assert made == replace(sent, site=(tmp_path / "public").resolve(), source=None, shows=(),
                           cache_dir=None, queue=made.queue)  # the machine's own: not carried
    assert "queue" not in settings_of(sent) and "cache_dir" not in settings_of(sent)
    with pytest.raises(InputError, match=r"^job settings: audio.bitrate = 65: must be a "):
        config_of({**settings_of(sent), "audio": {"bitrate": 65}})
    with pytest.raises(InputError, match=r"^job settings: unknown key 'colour'"):
        config_of({"colour": "blue"})
