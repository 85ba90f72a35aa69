"""rclone, the one way a push talks to a remote: through bulletin's ``CommandRunner``, no shell.

``Rclone(remote, runner)`` lists the files a push cares about (``sizes``), asks for MD5s of a few
(``md5``), uploads named files with headers (``copy``) and deletes named files (``delete``). Each
call fails fast (one try, short connect timeout) and turns rclone's meaningful ERROR line into one
line: an unknown remote is an ``InputError``, refused credentials or an unreachable remote a
``ToolError``. rclone's own per-file log lines ("Copied (new)", "Deleted") are logged at DEBUG and
each call at INFO, so the order of a push can be read back. Credentials given in an on-the-fly
remote (``:s3,secret_access_key=...:bucket``) are never shown: messages name ``:s3:bucket``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ...errors import InputError, ToolError
from ...runner import DEFAULT_RUNNER, CommandRunner

log = logging.getLogger(__name__)

# One try each (a refused key or a dead host fails in seconds, not minutes); never a prompt for a
# config password; a JSON log to read the reason from; no stats on stderr.
FLAGS = ("--retries", "1", "--low-level-retries", "1", "--contimeout", "15s", "--timeout", "60s",
         "--ask-password=false", "--use-json-log", "--log-level", "INFO", "--stats", "0")
MIN_RATE = 64 * 1024  # bytes a second an upload is given time for, beyond the runner's timeout
LOG_LIMIT = 4 * 1024 * 1024  # bytes of rclone's log read back at most
REASON_LIMIT = 300
# What rclone says when the remote itself is not a remote: the user's input, not a failure.
NOT_A_REMOTE = ("didn't find section in config file", "didn't find backend called",
                "unterminated quoted", "invalid connection string", "config name contains invalid")
MISSING = "directory not found"


def _split(remote: str) -> tuple[str, str]:
    """(remote spec, path) at the first colon outside quotes: ``:s3,a="x:y":b`` is
    (``:s3,a="x:y"``, ``b``)."""
    quote = ""
    for index, char in enumerate(remote):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == ":" and index > 0:
            return remote[:index], remote[index + 1:]
    return remote, ""


@dataclass(frozen=True)
class Rclone:
    """One remote (``name:path`` or ``:backend,options:path``), reached with ``runner``."""

    remote: str
    runner: CommandRunner = DEFAULT_RUNNER

    @property
    def shown(self) -> str:
        """The remote as messages show it: without the options (keys, passwords) it may carry."""
        spec, path = _split(self.remote)
        return f"{spec.split(',', 1)[0]}:{path}" if "," in spec else self.remote

    def sizes(self) -> dict[str, int]:
        """Path → size of every file under the remote's path; empty when that folder does not
        exist yet. A size rclone cannot tell is -1. (No filters: with them, rclone's S3 client
        takes a folder it may not read for a file, and says so instead of why it may not.)"""
        out = self._run("listing", ["lsjson", self.remote, "--recursive", "--files-only",
                                    "--no-modtime", "--no-mimetype"], missing_ok=True)
        return {str(entry["Path"]): int(entry.get("Size", -1)) for entry in _entries(out)}

    def md5(self, paths: Sequence[str]) -> dict[str, str]:
        """Path → MD5 (hex) of those of ``paths`` on the remote whose hash it tells; what it cannot
        tell (no MD5 on this backend, or the question failed) is left out."""
        if not paths:
            return {}
        try:
            out = self._run("hashing", ["lsjson", self.remote, "--files-only", "--no-mimetype",
                                        "--hash", "--hash-type", "md5"], paths)
        except ToolError as exc:
            log.debug("no MD5s from %s (%s): such files are sent again", self.shown, exc)
            return {}
        found = {entry["Path"]: (entry.get("Hashes") or {}).get("md5", "")
                 for entry in _entries(out)}
        return {path: digest.lower() for path, digest in found.items() if digest}

    def copy(self, source: Path, paths: Sequence[str], headers: Sequence[str], size: int) -> None:
        """Upload ``paths`` (relative to the local folder ``source``) to the same paths on the
        remote, each with ``headers`` ("Name: value") where the backend keeps them; without
        comparing (the caller has decided), each file atomically where the backend allows."""
        extra = [f"--header-upload={header}" for header in headers]
        self._run("uploading", ["copy", str(source.resolve()), self.remote, "--no-traverse",
                                "--no-check-dest", *extra], paths, size=size)

    def delete(self, paths: Sequence[str]) -> None:
        """Delete exactly ``paths`` on the remote (none at all when the list is empty)."""
        if paths:
            self._run("deleting", ["delete", self.remote], paths)

    def _run(self, doing: str, args: Sequence[str], paths: Sequence[str] | None = None,
             size: int = 0, missing_ok: bool = False) -> bytes:
        """Run ``rclone args`` (with ``paths`` as its raw list of files); its stdout. ``size``:
        bytes uploaded, for the time allowed. ``missing_ok``: a remote folder that does not exist
        is no error (empty output)."""
        with tempfile.TemporaryDirectory(prefix="bulletin-rclone-") as work:
            log_file = Path(work) / "rclone.log"
            command = ["rclone", *args, *FLAGS, f"--log-file={log_file}"]
            if paths is not None:
                listing = Path(work) / "files"
                listing.write_text("".join(f"{p}\n" for p in paths), encoding="utf-8")
                command.append(f"--files-from-raw={listing}")
            runner = self.runner
            if size / MIN_RATE > runner.timeout:
                runner = dataclasses.replace(runner, timeout=size / MIN_RATE)
            try:
                return runner.run(command).stdout
            except ToolError as exc:
                reason = _reason(_read(log_file), self.remote, self.shown)
                if not str(exc).startswith("rclone failed") or reason is None:
                    raise  # not installed, or out of time: the runner's words say it best
                if missing_ok and MISSING in reason:
                    return b"[]"
                if any(words in reason for words in NOT_A_REMOTE):
                    raise InputError(
                        f"{self.shown}: not a remote rclone knows ({reason}); define it with "
                        "`rclone config` or RCLONE_CONFIG_<NAME>_* variables, or give "
                        ":backend,option=value:path") from None
                raise ToolError(f"{self.shown}: {doing} failed: {reason}") from None
            finally:
                _log_lines(_read(log_file))


def _entries(out: bytes) -> list[Mapping[str, object]]:
    try:
        entries = json.loads(out or b"[]")
    except ValueError:
        raise ToolError(f"rclone lsjson: not the JSON listing expected: {out[:80]!r}") from None
    return [entry for entry in entries if isinstance(entry, dict) and not entry.get("IsDir")]


def _read(log_file: Path) -> list[dict[str, object]]:
    """rclone's JSON log, one entry per line (lines that are not JSON are kept as messages)."""
    try:
        with log_file.open("rb") as handle:
            text = handle.read(LOG_LIMIT).decode("utf-8", "replace")
    except OSError:
        return []
    entries: list[dict[str, object]] = []
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            entry = {"level": "error" if line.strip() else "", "msg": line}
        if isinstance(entry, dict):
            entries.append(entry)
    return entries


def _log_lines(entries: list[dict[str, object]]) -> None:
    """rclone's per-file reports, at DEBUG: what happened to each file, in order."""
    for entry in entries:
        if entry.get("level") == "info" and entry.get("object"):
            log.debug("rclone: %s: %s", entry["object"], entry.get("msg", ""))


def _reason(entries: list[dict[str, object]], remote: str, shown: str) -> str | None:
    """rclone's meaningful error, in one line: its first ERROR (or CRITICAL) line, else its last
    "Failed to ..." notice; None when the log says nothing."""
    errors = [e for e in entries if e.get("level") in ("error", "critical", "fatal")]
    failed = [e for e in entries if str(e.get("msg", "")).startswith("Failed to")]
    chosen = errors[0] if errors else failed[-1] if failed else None
    if chosen is None:
        return None
    text = " ".join(str(chosen.get("msg", "")).split()).replace(remote, shown)
    text = re.sub(r"^Failed to create file system for \"[^\"]*\": ", "", text)
    text = re.sub(r"^Failed to \w+( with \d+ errors: last error was)?: ", "", text)
    text = re.sub(r"^(error listing|error in ListJSON): ", "", text)
    text = text.split("api error ", 1)[-1]  # S3: the code and message, not the request's details
    text = re.sub(r"^.*request send failed, \w+ \"[^\"]*\": ", "", text)  # and why it was not sent
    text = re.sub(r"(RequestID|HostID): [^,]*, ", "", text)
    what = chosen.get("object")
    if what and isinstance(what, str):
        text = f"{what}: {text}"
    return text if len(text) <= REASON_LIMIT else text[:REASON_LIMIT] + "..."
