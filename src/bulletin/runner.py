"""Run external programs (ffmpeg, ffprobe, espeak-ng) the one way bulletin does.

``CommandRunner.run(args)`` logs the command line, captures output, and raises ``ToolError`` with
the program's last lines of stderr when it fails or is not installed.
"""

from __future__ import annotations

import logging
import shlex
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import ToolError

log = logging.getLogger(__name__)

INSTALL_HINTS = {
    "ffmpeg": "install it with: apt-get install ffmpeg",
    "ffprobe": "install it with: apt-get install ffmpeg",
    "espeak-ng": "install it with: apt-get install espeak-ng",
}


@dataclass(frozen=True)
class CommandRunner:
    """Runs programs; ``timeout`` bounds each run in seconds."""

    timeout: float = 600.0

    def available(self, program: str) -> bool:
        return shutil.which(program) is not None

    def run(self, args: Sequence[str], input: bytes | None = None) -> subprocess.CompletedProcess:
        """Run ``args``; return the completed process (stdout and stderr as bytes)."""
        program = args[0]
        log.debug("running: %s", shlex.join(args))
        if not self.available(program):
            hint = INSTALL_HINTS.get(program, "install it and make sure it is on PATH")
            raise ToolError(f"{program}: not found; {hint}")
        try:
            result = subprocess.run(list(args), input=input, capture_output=True,
                                    timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired:
            raise ToolError(f"{program}: did not finish within {self.timeout:.0f} s") from None
        if result.returncode != 0:
            tail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise ToolError(f"{program} failed (exit {result.returncode}): {' / '.join(tail)}")
        return result


DEFAULT_RUNNER = CommandRunner()
