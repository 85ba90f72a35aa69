"""Shared fixtures: real tools, temporary sites and caches, and a deterministic fake engine."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import ipaddress
import math
import os
import socket
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from bulletin.cli import app
from bulletin.config import ENVIRONMENT, VoiceConfig
from bulletin.models import Script, Segment, Story
from bulletin.runner import CommandRunner
from bulletin.tts.base import Parallel, Speech, VoiceInfo

# newsroom: a local news site with feeds; remotes: rclone's S3, SFTP and WebDAV servers on
# 127.0.0.1 and a plain HTTP server over a remote's folder; redis_server: redis-server on
# 127.0.0.1 and bulletin workers beside it
pytest_plugins = ["newsroom", "remotes", "redis_server"]

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the clone (CI always has it; a user's clone may not)."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the shared test material is not beside this clone")
    return SHARED


@pytest.fixture(scope="session")
def runner() -> CommandRunner:
    return CommandRunner()


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A segment cache shared by tests that don't count synthesis, so Piper runs once per text."""
    return tmp_path_factory.mktemp("segment-cache")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, shared_cache: Path) -> None:
    """Every test runs in its own folder, with the shared cache unless it sets its own."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BULLETIN_CACHE_DIR", str(shared_cache))
    for var in ENVIRONMENT:  # every variable bulletin reads, but the cache
        if var != "BULLETIN_CACHE_DIR":
            monkeypatch.delenv(var, raising=False)


def article(root: Path, name: str, title: str, *paragraphs: str) -> Path:
    """Write a newsroom-form .txt article (headline, blank line, paragraphs) into ``root``."""
    path = root / name
    path.write_text(title + "\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test connects beyond this machine: a TCP connection to any address but loopback fails
    the test before it is made (UDP is let through: finding the LAN address sends nothing)."""
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex

    def check(sock: socket.socket, address: object) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
            host = str(address[0]) if isinstance(address, tuple) else str(address)
            try:
                loopback = ipaddress.ip_address(host.split("%")[0]).is_loopback
            except ValueError:
                loopback = host == "localhost"
            if not loopback:
                pytest.fail(f"a test tried to connect to {host}, beyond this machine")

    def guarded(sock: socket.socket, address: object) -> None:
        check(sock, address)
        return connect(sock, address)

    def guarded_ex(sock: socket.socket, address: object) -> int:
        check(sock, address)
        return connect_ex(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_ex)


@pytest.fixture
def write_article(tmp_path: Path) -> Callable[..., Path]:
    """``article`` in this test's own folder."""
    return functools.partial(article, tmp_path)


@pytest.fixture
def cli() -> Callable[..., object]:
    """Invoke the real CLI in-process; returns Typer's Result (exit_code, stdout, stderr)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)
    return invoke


def stop_process(process: subprocess.Popen) -> None:
    """Stop a server a test started: SIGTERM, then SIGKILL if it has not gone within 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def site_snapshot(site: Path) -> dict[str, str]:
    """Every file under ``site`` with a hash of its bytes: equal snapshots mean nothing changed."""
    if not site.exists():
        return {}
    return {str(p.relative_to(site)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def script_of(*texts: str) -> Script:
    """A one-story script whose segments say ``texts``, in order."""
    segments = tuple(Segment(id=f"{n:03d}-body", kind="body", text=t, spoken=t)
                     for n, t in enumerate(texts, 1))
    return Script(title="t", date=dt.date(2026, 1, 1), stories=(Story("t", None, segments),),
                  segments=segments, guid_key="k")


class FakeEngine:
    """A deterministic stand-in voice: a tone whose pitch and length follow the text.

    For fast unit tests of mixing, caching and publishing; end-to-end tests use real Piper.
    """

    name: ClassVar[str] = "fake"
    offline: ClassVar[bool] = True
    parallel: ClassVar[Parallel] = "serial"
    max_workers: ClassVar[int | None] = None
    sample_rate = 22050

    def __init__(self, config: VoiceConfig | None = None) -> None:
        self.calls: list[str] = []

    def load(self, store: Path | None = None) -> None:
        pass

    @property
    def identity(self) -> str:
        return "fake 1"

    def synthesize(self, text: str) -> Speech:
        self.calls.append(text)
        seconds = 0.2 + 0.03 * len(text)
        freq = 200 + int(hashlib.sha256(text.encode()).hexdigest()[:4], 16) % 300
        frames = int(seconds * self.sample_rate)
        samples = (int(8000 * math.sin(2 * math.pi * freq * n / self.sample_rate))
                   for n in range(frames))
        return Speech(pcm=struct.pack(f"<{frames}h", *samples), sample_rate=self.sample_rate)

    @classmethod
    def voices(cls) -> list[VoiceInfo]:
        return [VoiceInfo("fake", "tone", "test tone", True)]

    @classmethod
    def check(cls) -> str | None:
        return None


@pytest.fixture
def fake_engine() -> FakeEngine:
    return FakeEngine()


def pytest_report_header(config: pytest.Config) -> str:
    shared = SHARED if SHARED.is_dir() else "absent"
    return f"bulletin tests; shared material: {shared}; cpus: {os.cpu_count()}"
