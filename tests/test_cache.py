"""The segment cache: rebuilds synthesise only what changed, damaged entries are spoken again."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import pytest

from bulletin.config import VoiceConfig
from bulletin.tts import SegmentCache, Speech, get_engine, synthesize_script
from bulletin.tts.cache import decode_entry, encode_entry
from conftest import script_of

TITLE = "Night ferry returns to Kestrel Bay"
PARAGRAPHS = [
    "Residents voted on Tuesday to restore the night ferry across the estuary.",
    "The council says crossings will run every forty minutes until half past one.",
    "The boats will be electric and charge from the quay.",
]


def build(cli, *args: object) -> dict:
    result = cli("build", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache of this test's own, so every count starts from nothing."""
    root = tmp_path / "cache"
    monkeypatch.setenv("BULLETIN_CACHE_DIR", str(root))
    return root


def test_rebuild_synthesises_nothing_and_an_edit_only_its_paragraph(cli, write_article,
                                                                    own_cache):
    article = write_article("ferry.txt", TITLE, *PARAGRAPHS)
    first = build(cli, article)
    assert first["synthesized"] == first["segments"] > len(PARAGRAPHS)
    assert first["cached"] == 0

    again = build(cli, article)
    assert (again["synthesized"], again["cached"]) == (0, again["segments"])

    edited = [*PARAGRAPHS]
    edited[1] = "The council says crossings will run every half hour until two."
    write_article("ferry.txt", TITLE, *edited)
    changed = build(cli, article)
    assert changed["synthesized"] == 1
    assert changed["cached"] == changed["segments"] - 1


def test_damaged_entries_are_spoken_again_and_never_played(cli, write_article, own_cache):
    article = write_article("ferry.txt", TITLE, *PARAGRAPHS)
    first = build(cli, article)
    mp3 = Path(first["mp3"])
    original_mp3 = mp3.read_bytes()
    entries = sorted(own_cache.glob("*/*.wav"))
    assert len(entries) == first["segments"]
    originals = {e: e.read_bytes() for e in entries}

    flipped, truncated, emptied = entries[0], entries[1], entries[2]
    data = bytearray(originals[flipped])
    data[len(data) // 2] ^= 0xFF  # one sample changed: the header still looks fine
    flipped.write_bytes(bytes(data))
    truncated.write_bytes(originals[truncated][: len(originals[truncated]) // 3])
    emptied.write_bytes(b"")

    again = build(cli, article)
    assert again["synthesized"] == 3
    assert again["cached"] == again["segments"] - 3
    # Piper speaks the same text the same way, so the re-made entries and the MP3 are as before.
    assert {e: e.read_bytes() for e in entries} == originals
    assert Path(again["mp3"]).read_bytes() == original_mp3


def test_an_entry_is_a_playable_wav_written_without_leftovers(own_cache):
    cache = SegmentCache(own_cache)
    speech = Speech(pcm=b"\x01\x00\xff\x7f" * 1000, sample_rate=22050)
    key = cache.key("engine 1", "Hello.")
    cache.put(key, speech)
    with wave.open(str(cache.path(key)), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
        assert wav.readframes(wav.getnframes()) == speech.pcm
    assert cache.get(key) == speech
    assert [p.name for p in own_cache.rglob("*") if p.is_file()] == [cache.path(key).name]


@pytest.mark.parametrize("damage", [
    lambda d: d[:-1],  # last byte lost
    lambda d: d[:40],  # cut inside the header
    lambda d: d + b"\0\0",  # something appended
    lambda d: d[:100] + bytes([d[100] ^ 1]) + d[101:],  # a sample changed
    lambda d: d[:4] + b"\0\0\0\0" + d[8:],  # RIFF size wrong
    lambda d: b"ID3" + d[3:],  # not a RIFF file at all
])
def test_any_damage_to_an_entry_is_a_miss(damage, own_cache):
    cache = SegmentCache(own_cache)
    speech = Speech(pcm=bytes(range(256)) * 8, sample_rate=16000)
    key = cache.key("engine 1", "text")
    cache.put(key, speech)
    assert decode_entry(cache.path(key).read_bytes()) == speech
    cache.path(key).write_bytes(damage(encode_entry(speech)))
    assert cache.get(key) is None
    assert not cache.path(key).exists()  # removed, so the next put replaces it


def test_key_covers_engine_voice_settings_and_text(own_cache):
    cache = SegmentCache(own_cache)
    normal = get_engine(VoiceConfig(engine="espeak"))
    faster = get_engine(VoiceConfig(engine="espeak", speed=1.3))
    british = get_engine(VoiceConfig(engine="espeak", voice="en-gb"))
    piper = get_engine(VoiceConfig())
    text = "The ferry leaves at seven."
    keys = {cache.key(e.identity, text) for e in (normal, faster, british, piper)}
    assert len(keys) == 4
    assert cache.key(normal.identity, text) != cache.key(normal.identity, text + " ")

    script = script_of(text)
    first = synthesize_script(script, normal, cache)
    assert [c.cached for c in first] == [False]
    assert [c.cached for c in synthesize_script(script, normal, cache)] == [True]
    assert [c.cached for c in synthesize_script(script, faster, cache)] == [False]
    assert len(synthesize_script(script, faster, cache)[0].speech.pcm) < len(first[0].speech.pcm)


def test_cache_lives_in_the_platform_cache_dir_unless_told(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("BULLETIN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    shown = json.loads(cli("cache", "info", "--json").stdout)
    assert Path(shown["path"]) == tmp_path / "xdg" / "bulletin" / "segments"

    monkeypatch.setenv("BULLETIN_CACHE_DIR", str(tmp_path / "mine"))
    shown = json.loads(cli("cache", "info", "--json").stdout)
    assert Path(shown["path"]) == tmp_path / "mine"


def test_cache_info_and_clear(cli, own_cache):
    cache = SegmentCache(own_cache)
    for n in range(3):
        cache.put(cache.key("e", str(n)), Speech(pcm=b"\0\1" * 500, sample_rate=8000))
    own_cache.joinpath("notes.txt").write_text("mine, not the cache's")
    own_cache.joinpath("renders").mkdir()
    own_cache.joinpath("renders", "programme.mp3").write_bytes(b"\xff" * 250_000)

    info = cli("cache", "info")
    assert info.exit_code == 0
    assert f"{own_cache}  3 segments" in info.stdout
    assert "encoded programmes 0.2 MB" in info.stdout
    shown = json.loads(cli("cache", "info", "--json").stdout)
    assert (shown["segments"], shown["render_bytes"]) == (3, 250_000)

    cleared = cli("cache", "clear")
    assert cleared.exit_code == 0 and "removed 3 segments" in cleared.stdout
    shown = json.loads(cli("cache", "info", "--json").stdout)
    assert (shown["segments"], shown["render_bytes"]) == (0, 0)
    assert own_cache.joinpath("notes.txt").read_text() == "mine, not the cache's"
    assert cli("cache", "clear", "--quiet").stdout == ""


def test_equal_texts_are_synthesised_once(own_cache, fake_engine):
    clips = synthesize_script(script_of("Good evening.", "Next story.", "Good evening."),
                              fake_engine, SegmentCache(own_cache))
    assert fake_engine.calls == ["Good evening.", "Next story."]
    assert [c.cached for c in clips] == [False, False, True]
    assert clips[0].speech.pcm == clips[2].speech.pcm != clips[1].speech.pcm
