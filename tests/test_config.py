"""Configuration layers: defaults, then bulletin.toml, then the environment, then CLI options."""

from __future__ import annotations

from pathlib import Path

from bulletin.config import load_config


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
    config = load_config(toml, {"voice.speed": 0.9, "show.base_url": None}, environ=env)
    assert config.show.title == "From env"  # environment beats the file
    assert config.show.author == "File author"  # the file beats the defaults
    assert config.voice.speed == 0.9  # the command line beats the environment
    assert config.show.base_url == "http://localhost:8000/"  # None means "not given"
    assert config.site == tmp_path / "out"  # paths are relative to the file
    assert config.audio.intro == str(tmp_path / "stings" / "in.wav")


def test_bulletin_toml_in_the_current_folder_is_read(tmp_path):
    Path("bulletin.toml").write_text('[show]\ntitle = "Here"\n')
    assert load_config().show.title == "Here"
