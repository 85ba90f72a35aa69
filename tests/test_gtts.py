"""gTTS through its own request and response code, against a stand-in endpoint on 127.0.0.1."""

from __future__ import annotations

import logging
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bulletin.config import GttsConfig, VoiceConfig, load_config
from bulletin.errors import InputError, ToolError
from bulletin.tts.gtts_engine import SAMPLE_RATE, GttsEngine, RetryPolicy
from gtts_endpoint import closed_port, point_gtts_at, serve_gtts

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "harbour-ferry.txt"
SENTENCE = "The night ferry returns to Kestrel Bay in April."


class FakeTime:
    """A clock that only moves when the engine sleeps, so retry tests take no real time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def endpoint(monkeypatch):
    with serve_gtts(monkeypatch) as served:
        yield served


def voice_config(voice: str = "", speed: float = 1.0, **gtts: object) -> VoiceConfig:
    """``[voice]`` for gTTS with ``voice`` and ``speed``, and ``[voice.gtts]`` with ``gtts``."""
    return VoiceConfig(engine="gtts", voice=voice, speed=speed, gtts=GttsConfig(**gtts))


def engine(fake: FakeTime | None = None, retry: RetryPolicy | None = None,
           config: VoiceConfig | None = None, **settings: object) -> GttsEngine:
    fake = fake or FakeTime()
    return GttsEngine(config or voice_config(**settings), retry=retry, sleep=fake.sleep,
                      clock=fake.clock, rng=random.Random(5))


def test_speaks_through_the_endpoint(endpoint):
    speech = engine().synthesize(SENTENCE)
    assert speech.sample_rate == SAMPLE_RATE
    seconds = len(speech.pcm) / 2 / SAMPLE_RATE
    assert 1.5 < seconds < 8
    assert [(c.text, c.lang, c.tld, c.slow) for c in endpoint.calls] == [
        (SENTENCE, "en", "com", False)]


def test_language_accent_and_slow_mode_reach_the_service(endpoint):
    normal = engine(tld="co.uk", lang="en").synthesize(SENTENCE)
    slow = engine(tld="co.uk", lang="en", slow=True).synthesize(SENTENCE)
    assert [(c.lang, c.tld, c.slow) for c in endpoint.calls] == [
        ("en", "co.uk", False), ("en", "co.uk", True)]
    assert len(slow.pcm) > 1.2 * len(normal.pcm)


def test_the_voice_gtts_table_of_bulletin_toml_reaches_the_service(endpoint, tmp_path):
    toml = tmp_path / "bulletin.toml"
    toml.write_text("[voice]\nengine = 'gtts'\n[voice.gtts]\nlang = 'fr'\ntld = 'ca'\n"
                    "slow = true\n")
    engine(config=load_config(toml).voice).synthesize("Bonjour à tous.")
    assert [(c.lang, c.tld, c.slow) for c in endpoint.calls] == [("fr", "ca", True)]


def test_the_old_voice_keys_still_work_with_a_warning_naming_the_new_table(
        endpoint, tmp_path, caplog):
    toml = tmp_path / "bulletin.toml"
    toml.write_text("[voice]\nengine = 'gtts'\nlang = 'fr'\ntld = 'ca'\nslow = true\n")
    with caplog.at_level(logging.WARNING, logger="bulletin"):
        config = load_config(toml)
    assert config.voice.gtts == GttsConfig(lang="fr", tld="ca", slow=True)
    assert [r.getMessage() for r in caplog.records] == [
        f"{toml}: voice.{key} has moved: write it as {key} under [voice.gtts]"
        for key in ("lang", "tld", "slow")]
    engine(config=config.voice).synthesize("Bonjour à tous.")
    assert [(c.lang, c.tld, c.slow) for c in endpoint.calls] == [("fr", "ca", True)]


def test_the_warning_is_one_line_on_stderr_of_the_real_program(tmp_path):
    toml = tmp_path / "bulletin.toml"
    toml.write_text("[voice]\ntld = 'co.uk'\n")
    done = subprocess.run([sys.executable, "-m", "bulletin", "cache", "info", "--config", toml],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr == (f"bulletin: {toml}: voice.tld has moved: write it as tld under "
                           "[voice.gtts]\n")


def test_a_setting_in_both_its_old_and_new_place_is_refused(tmp_path, caplog):
    toml = tmp_path / "bulletin.toml"
    toml.write_text("[voice]\nslow = true\n[voice.gtts]\nslow = false\n")
    with pytest.raises(InputError, match=rf"^{toml}: voice.slow and voice.gtts.slow are the same "
                                         r"setting; keep only voice.gtts.slow$"):
        load_config(toml)
    assert caplog.records == []  # the error is the one line


def test_a_bad_setting_beside_an_old_key_is_the_one_line_on_stderr(tmp_path):
    toml = tmp_path / "bulletin.toml"
    toml.write_text("[voice]\ntld = 'co.uk'\n[audio]\nbitrate = 65\n")
    done = subprocess.run([sys.executable, "-m", "bulletin", "cache", "info", "--config", toml],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith(f"bulletin: {toml}: audio.bitrate = 65: must be a constant bit")
    assert done.stderr.count("\n") == 1


@pytest.mark.parametrize("toml, problem", [
    ("[voice.gtts]\nslow = 'yes please'", "voice.gtts.slow = 'yes please': expected bool"),
    ('[voice.gtts]\nlang = "a\\nb"', "voice.gtts.lang = 'a\\nb': must be text without control "
                                    "characters or newlines"),
    ("[voice.gtts]\naccent = 'co.uk'", "voice.gtts: unknown key 'accent' (valid: lang, slow, tld)"),
    ("[voice]\ngtts = 'co.uk'", "[voice.gtts] must be a table"),
    ("[voice]\ntld = 7", "voice.tld = 7: expected str"),
])
def test_a_bad_gtts_setting_is_refused_naming_it(tmp_path, toml, problem):
    path = tmp_path / "bulletin.toml"
    path.write_text(toml + "\n")
    with pytest.raises(InputError) as refused:
        load_config(path)
    assert str(refused.value) == f"{path}: {problem}"


def test_long_text_is_sent_in_parts_and_joined(endpoint):
    text = EXAMPLE.read_text(encoding="utf-8").split("\n\n")[1]
    speech = engine().synthesize(text)
    assert len(endpoint.calls) > 1
    assert all(len(c.text) <= 100 for c in endpoint.calls)
    assert len(speech.pcm) / 2 / SAMPLE_RATE > 8


def test_429_then_success_backs_off_and_recovers(endpoint):
    endpoint.statuses = [429, 429, 503]
    fake = FakeTime()
    speech = engine(fake).synthesize(SENTENCE)
    assert speech.pcm
    assert len(endpoint.calls) == 4
    policy = RetryPolicy()
    assert len(fake.waits) == 3
    for attempt, waited in enumerate(fake.waits, start=1):  # equal jitter on a doubling ceiling
        ceiling = min(policy.cap, policy.base * 2 ** (attempt - 1))
        assert ceiling / 2 <= waited <= ceiling
    assert fake.waits[2] > fake.waits[0]


def test_persistent_failure_gives_up_within_the_budget(endpoint):
    endpoint.always = 503
    fake = FakeTime()
    policy = RetryPolicy(attempts=20, budget=12.0)
    with pytest.raises(ToolError, match=r"gtts: gave up after \d+ attempts: HTTP 503"):
        engine(fake, policy).synthesize(SENTENCE)
    assert sum(fake.waits) <= policy.budget
    assert 3 <= len(endpoint.calls) < 20  # the budget, not the attempt count, stopped it


def test_attempts_are_bounded_too(endpoint):
    endpoint.always = 429
    with pytest.raises(ToolError, match="gave up after 4 attempts"):
        engine(retry=RetryPolicy(attempts=4)).synthesize(SENTENCE)
    assert len(endpoint.calls) == 4


def test_a_refusal_is_not_retried(endpoint):
    endpoint.statuses = [403]
    fake = FakeTime()
    with pytest.raises(ToolError, match="403"):
        engine(fake).synthesize(SENTENCE)
    assert len(endpoint.calls) == 1 and fake.waits == []


def test_an_answer_without_audio_is_an_error(endpoint):
    endpoint.no_audio = True
    with pytest.raises(ToolError, match="^gtts: the service sent no audio$"):
        engine().synthesize(SENTENCE)


def test_no_network_fails_at_once_with_a_hint(monkeypatch):
    point_gtts_at(monkeypatch, closed_port())
    fake = FakeTime()
    started = time.monotonic()
    with pytest.raises(ToolError) as failure:
        engine(fake).synthesize(SENTENCE)
    assert time.monotonic() - started < 2 and fake.waits == []
    message = str(failure.value)
    assert "gTTS needs internet access" in message and "--engine piper" in message


def test_no_network_from_the_cli_is_one_line_and_exit_1(cli, monkeypatch, tmp_path):
    monkeypatch.setenv("BULLETIN_CACHE_DIR", str(tmp_path / "cache"))
    point_gtts_at(monkeypatch, closed_port())
    result = cli("build", EXAMPLE, "--engine", "gtts")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert lines[0].startswith("bulletin: gtts: cannot reach Google Translate")
    assert "gTTS needs internet access" in lines[0] and "--engine piper" in lines[0]
    assert not (tmp_path / "public").exists()


@pytest.mark.parametrize("settings, problem", [
    ({"lang": "xx"}, "gtts language 'xx'"),
    ({"voice": "klingon"}, "gtts language 'klingon'"),
    ({"tld": "evil.example/x"}, "gtts tld"),
    ({"speed": 1.5}, "gtts has only normal and slow"),
])
def test_bad_settings_are_input_errors(settings, problem):
    with pytest.raises(InputError, match=problem):
        GttsEngine(voice_config(**settings))


def test_unknown_language_from_the_cli_exits_2(cli, write_article):
    article = write_article("a.txt", "Title", "A paragraph.")
    result = cli("build", article, "--engine", "gtts", "--voice", "xx")
    assert result.exit_code == 2
    assert result.stderr.strip() == ("bulletin: gtts language 'xx': not one gTTS speaks "
                                     "(e.g. en, fr, de, es; see `gtts-cli --all`)")
