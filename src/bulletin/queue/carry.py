"""What a job carries besides its settings: its articles or feeds, and the files its settings name.

``carry(source)`` is one article or feed as a job carries it (a URL as it is; a file's bytes);
``unpacked(sources)`` writes them back as files for a worker's run. ``carry_files(config)`` is the
files settings name (the cover, the stings and bed, the lexicon, the templates folder), and
``with_files(config, files)`` the config on a worker, naming its own copies of them.
"""

from __future__ import annotations

import base64
import contextlib
import io
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import InputError

CARRIED_LIMIT = 16 * 1024 * 1024  # bytes of a file a job carries at most; larger go by name


def carry(source: str, stdin: io.BufferedIOBase | None = None) -> dict[str, str]:
    """One article or feed as a job carries it: a URL as it is; a file's or standard input's
    bytes with the file's name; a file that cannot be read by its name alone."""
    if "://" in source:
        return {"url": source}
    if source == "-":
        data = (stdin or sys.stdin.buffer).read(CARRIED_LIMIT + 1)
        return {"name": "-", "data": base64.b64encode(data).decode()}
    path = Path(source)
    try:
        if path.is_file() and path.stat().st_size <= CARRIED_LIMIT:
            return {"name": path.name, "data": base64.b64encode(path.read_bytes()).decode()}
    except OSError:
        pass
    return {"path": source}


# Settings that name files a worker reads (a folder: every file in it), carried in the job.
CARRIED_FILES = ("show.image", "audio.intro", "audio.outro", "audio.transition", "audio.bed",
                 "script.lexicon")
CARRIED_FOLDERS = ("script.templates",)
MAX_CARRIED_IN_FOLDER = 100


def _setting(config: Config, name: str) -> str:
    table, key = name.split(".")
    return str(getattr(getattr(config, table), key) or "")


def carry_files(config: Config) -> dict[str, list[dict[str, str]]]:
    """The files ``config``'s settings name (a sting, the lexicon, the templates…), each as
    ``carry`` carries it (a folder's files named by their place in it), by setting."""
    files: dict[str, list[dict[str, str]]] = {}
    for name in CARRIED_FILES:
        value = _setting(config, name)
        if value and value != "none" and "://" not in value:
            files[name] = [carry(value)]
    for name in CARRIED_FOLDERS:
        folder = Path(_setting(config, name))
        if not _setting(config, name) or not folder.is_dir():
            continue
        inside = sorted(p for p in folder.rglob("*") if p.is_file() and not any(
            part.startswith(".") for part in p.relative_to(folder).parts))
        if len(inside) > MAX_CARRIED_IN_FOLDER:
            raise InputError(f"{folder}: more than {MAX_CARRIED_IN_FOLDER} files for a job to "
                             f"carry ({name})")
        files[name] = []
        for path in inside:
            carried = carry(str(path))
            if "data" not in carried:
                raise InputError(f"{path}: cannot be carried in a job (unreadable, or over "
                                 f"{CARRIED_LIMIT // 1024 // 1024} MB)")
            files[name].append({**carried, "name": path.relative_to(folder).as_posix()})
    return files


@contextlib.contextmanager
def with_files(config: Config, files: Any) -> Iterator[Config]:
    """``config`` on this machine, with the ``files`` a job carries (``carry_files``) written
    into a folder of their own for the block, its settings naming them there."""
    if not isinstance(files, Mapping):
        raise InputError("job: its files must be a table")
    with tempfile.TemporaryDirectory(prefix="bulletin-files-") as work:
        for name, carried in files.items():
            if name not in (*CARRIED_FILES, *CARRIED_FOLDERS) or not isinstance(carried, list):
                raise InputError(f"job: cannot carry {name!r}")
            place = Path(work) / name
            place.mkdir()
            for one in carried[:1] if name in CARRIED_FILES else carried:
                if not isinstance(one, Mapping):
                    raise InputError(f"job: {name}: expected a table")
                relative = Path(str(one.get("name") or "file"))
                if relative.name in ("", ".") or "\0" in str(relative):
                    raise InputError(f"job: {name}: {str(relative)!r} is not a file's name")
                if "path" in one and name in CARRIED_FILES:
                    place = Path(str(one["path"]))  # unreadable where it was sent: as it is named
                    break
                if relative.is_absolute() or ".." in relative.parts:
                    raise InputError(f"job: {name}: {relative}: not a name inside the folder")
                (place / relative).parent.mkdir(parents=True, exist_ok=True)
                (place / relative).write_bytes(base64.b64decode(str(one.get("data", ""))))
                if name in CARRIED_FILES:
                    place = place / relative
            table, key = name.split(".")
            config = replace(config, **{table: replace(getattr(config, table),
                                                       **{key: str(place)})})
        yield config


@contextlib.contextmanager
def unpacked(sources: Sequence[Mapping[str, str]]) -> Iterator[tuple[list[str], bytes | None]]:
    """The sources a job carries as the names a local run takes (files written into a folder of
    their own for the block), and the bytes of standard input, if it carried them."""
    stdin = None
    with tempfile.TemporaryDirectory(prefix="bulletin-job-") as work:
        names = []
        for number, source in enumerate(sources):
            if not isinstance(source, Mapping):
                raise InputError(f"job source {number + 1}: expected a table")
            if "url" in source or "path" in source:
                names.append(str(source.get("url") or source.get("path")))
                continue
            data = base64.b64decode(str(source.get("data", "")))
            if source.get("name") == "-":
                names.append("-")
                stdin = data
                continue
            folder = Path(work) / str(number)
            folder.mkdir()
            path = folder / Path(str(source.get("name") or "source")).name
            path.write_bytes(data)
            names.append(str(path))
        yield names, stdin
