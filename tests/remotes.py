"""Fixtures for the push tests: real remotes on 127.0.0.1 and the HTTP server listeners use.

In: the test's tmp_path; rclone_serve.py starts the servers, folder_http.py serves folders.
Out, as fixtures (every process is started for one test and stopped at its teardown, failed or not):
  s3_remote, sftp_remote, webdav_remote   a running ``Remote`` (see rclone_serve.py): ``.target``
                 for ``push --to``, ``.wrong_target`` (refused credentials), ``.folder`` (what the
                 remote holds), ``.files()``, ``.objects()`` (with S3's headers), ``.events()``...
  remotes        more of them, or with server flags: ``remotes.s3(bwlimit="256k")`` (a slow one)
  folder_server  ``folder_server(folder, host=...)``: a ``FolderServer`` (folder_http.py) podcast
                 clients reach as ``http://HOST/`` through it as their proxy (a non-local URL)
A remote fixture isolates rclone for its test: RCLONE_* variables of the caller's environment are
removed and RCLONE_CONFIG is an empty file of the test's own (so no user rclone.conf is read).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from folder_http import FolderServer, serving_folder
from rclone_serve import Remote, Remotes, Stored, rclone

__all__ = ["FolderServer", "Remote", "Remotes", "Stored", "folder_server", "rclone", "remotes",
           "s3_remote", "sftp_remote", "webdav_remote"]


@pytest.fixture(scope="session")
def sftp_host_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where rclone keeps the SFTP servers' host keys: made by the first server, then reused."""
    return tmp_path_factory.mktemp("sftp-host-keys")


@pytest.fixture
def remotes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
            sftp_host_keys: Path) -> Iterator[Remotes]:
    for name in [n for n in os.environ if n.startswith("RCLONE_")]:
        monkeypatch.delenv(name)
    started = Remotes(tmp_path / "remotes", sftp_host_keys)
    monkeypatch.setenv("RCLONE_CONFIG", str(started.config))
    try:
        yield started
    finally:
        started.close()


@pytest.fixture
def s3_remote(remotes: Remotes) -> Remote:
    return remotes.s3()


@pytest.fixture
def sftp_remote(remotes: Remotes) -> Remote:
    return remotes.sftp()


@pytest.fixture
def webdav_remote(remotes: Remotes) -> Remote:
    return remotes.webdav()


@pytest.fixture
def folder_server() -> Iterator[Callable[..., FolderServer]]:
    """``folder_server(folder, host=...)``: serve ``folder`` over HTTP until the test ends."""
    with ExitStack() as stack:
        def start(folder: Path, host: str = "podcast.remote.test") -> FolderServer:
            return stack.enter_context(serving_folder(folder, host))
        yield start
