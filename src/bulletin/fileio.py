"""Write files a user keeps atomically: a temp file beside the target, flushed, then renamed."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """A handle whose bytes replace ``path`` when the block ends without error: readers see the old
    file or the new one, never a part (a temp file beside it, flushed to disk, then renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically."""
    with atomic_writer(path) as handle:
        handle.write(data)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_copy(src: Path, path: Path) -> None:
    """Copy ``src`` to ``path`` atomically."""
    with atomic_writer(path) as handle, src.open("rb") as source:
        shutil.copyfileobj(source, handle, 1024 * 1024)


# What a path is, when it is not a regular file (by the S_IS* test of its mode).
_KINDS = ((stat.S_ISDIR, "directory"), (stat.S_ISFIFO, "FIFO (named pipe)"),
          (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"),
          (stat.S_ISSOCK, "socket"))


def file_kind(mode: int) -> str:
    """What a file of ``mode`` (``st_mode``) is, in words: "regular file", "directory", ..."""
    return next((kind for test, kind in _KINDS if test(mode)),
                "regular file" if stat.S_ISREG(mode) else "special file")


def _refuse_special(path: Path, mode: int, what: str) -> None:
    from .errors import InputError, a_or_an

    if stat.S_ISDIR(mode):
        raise InputError(f"{path}: is a directory, not {a_or_an(what)} file")
    if not stat.S_ISREG(mode):
        raise InputError(f"{path}: is a {file_kind(mode)}, not a regular {what} file")


def read_user_bytes(path: Path, what: str, limit: int = 5 * 1024 * 1024) -> bytes:
    """The bytes of a file the user names (an article, a config, a lexicon, a script), or an
    ``InputError`` that names the file, says which ``what`` it was meant to be, and why not.

    Only a regular file is read (a FIFO, a device or a socket is refused before it is opened, so
    nothing waits for a writer), and at most ``limit`` bytes of it: the cap counts the bytes read,
    not the size the file claims (``/proc`` files claim 0, and a file can grow while read).
    """
    from .errors import InputError

    try:
        _refuse_special(path, os.stat(path).st_mode, what)
        # O_NONBLOCK: were the path swapped for a FIFO since, open() still would not wait.
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            _refuse_special(path, os.fstat(fd).st_mode, what)
            data = handle.read(limit + 1)
    except (FileNotFoundError, NotADirectoryError):
        raise InputError(f"{path}: {what} file not found") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read {what} file ({exc.strerror or exc})") from None
    except ValueError:  # a NUL byte in the path
        raise InputError(f"{path}: not a valid file name") from None
    if len(data) > limit:
        raise InputError(f"{path}: {what} file too large (more than {limit} bytes)")
    return data


def read_user_text(path: Path, what: str, limit: int = 5 * 1024 * 1024) -> str:
    """``read_user_bytes`` decoded as UTF-8, or an ``InputError`` saying it is not."""
    from .errors import InputError

    try:
        return read_user_bytes(path, what, limit).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: {what} file is not UTF-8 text") from None


def parse_toml(text: str, name: str, what: str) -> dict[str, Any]:
    """The TOML document ``text`` (from the ``what`` file ``name``), or an ``InputError``: invalid
    TOML, or nested so deep (``a = [[[[...]]]]``) that the parser would run out of stack."""
    import tomllib

    from .errors import InputError

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{name}: invalid TOML in {what} file ({exc})") from None
    except RecursionError:
        raise InputError(f"{name}: {what} file nested too deeply") from None


def read_user_toml(path: Path, what: str, limit: int = 1024 * 1024) -> dict[str, Any]:
    """A TOML file the user names, read as ``read_user_text`` does and parsed by ``parse_toml``."""
    return parse_toml(read_user_text(path, what, limit), str(path), what)
