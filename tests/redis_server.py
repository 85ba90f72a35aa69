"""A real redis-server on 127.0.0.1 for the queue's tests, and bulletin workers run beside it.

``redis_server`` (session): Debian's redis-server on a free port, nothing saved to disk, stopped
with the test run (the test skips, saying why, when redis-server is not installed). ``broker``: a
redis:// URL of a database of its own for one test, emptied first. ``Service`` runs a ``bulletin``
command (``worker``, ``beat``) in its own process group, its output in a log file, until stopped.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import stop_process

DATABASES = 16  # redis-server's default


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ping(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5) as s:
        s.sendall(b"PING\r\n")
        return s.recv(16).startswith(b"+PONG")
    return False


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The port of a redis-server started for this test run."""
    program = shutil.which("redis-server")
    if program is None:
        pytest.skip("redis-server is not installed (scripts/setup.sh installs it with the test "
                    "tools: BULLETIN_TEST_TOOLS=1)")
    folder = tmp_path_factory.mktemp("redis")
    port = _free_port()
    process = subprocess.Popen(
        [program, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder), "--databases", str(DATABASES)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while not _ping(port):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"redis-server did not start on 127.0.0.1:{port}")
            time.sleep(0.05)
        yield port
    finally:
        stop_process(process)


_databases = itertools.cycle(range(DATABASES))


@pytest.fixture
def broker(redis_server: int) -> str:
    """A redis:// URL of an emptied database, for this test alone."""
    import redis

    url = f"redis://127.0.0.1:{redis_server}/{next(_databases)}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url


class Service:
    """A ``bulletin`` command running in a process group of its own, its output in ``log``."""

    def __init__(self, log: Path, *args: str, cwd: Path | None = None) -> None:
        self.log = log
        self.output = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bulletin", *args], cwd=cwd, stdout=self.output,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, words: str, timeout: float = 60) -> None:
        """Until ``words`` appear in the log; fails the test when the command ends first."""
        deadline = time.monotonic() + timeout
        while words not in self.text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{words!r} never came from {self.process.args}:\n{self.text()}")
            time.sleep(0.1)

    def children(self) -> list[int]:
        """The processes this command started (a worker's pool)."""
        found = []
        for task in Path(f"/proc/{self.process.pid}/task").glob("*"):
            with contextlib.suppress(OSError):
                found += [int(pid) for pid in (task / "children").read_text().split()]
        return found

    def stop(self) -> None:
        """SIGTERM (a worker's warm shutdown), then SIGKILL to the whole group."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)
        self.output.close()


@pytest.fixture
def services() -> Iterator[list[Service]]:
    """Services a test starts (append them); each is stopped when the test ends."""
    started: list[Service] = []
    yield started
    for service in started:
        service.stop()
