"""Write files a user keeps atomically: a temp file beside the target, flushed, then renamed."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


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


def read_user_bytes(path: Path, what: str, limit: int = 5 * 1024 * 1024) -> bytes:
    """The bytes of a file the user names (an article, a config, a lexicon, a script), or an
    ``InputError`` that names the file, says which ``what`` it was meant to be, and why not."""
    from .errors import InputError

    if not path.exists():
        raise InputError(f"{path}: {what} file not found")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a {what} file")
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(f"{path}: {what} file too large ({size} bytes, limit {limit})")
        return path.read_bytes()
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read {what} file ({exc.strerror})") from None


def read_user_text(path: Path, what: str, limit: int = 5 * 1024 * 1024) -> str:
    """``read_user_bytes`` decoded as UTF-8, or an ``InputError`` saying it is not."""
    from .errors import InputError

    try:
        return read_user_bytes(path, what, limit).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: {what} file is not UTF-8 text") from None
