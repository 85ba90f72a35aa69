"""Headless Chromium driven over the DevTools protocol, for tests that measure a page as a phone
shows it: ``phone_page(url, profile, width, height)`` opens ``url`` in a phone-sized, touch-screen
viewport and yields ``evaluate(expression)`` → the expression's JSON value in the loaded page.

The protocol runs over the pipe Chromium opens with ``--remote-debugging-pipe`` (its file
descriptors 3 and 4, one JSON message per NUL-terminated line): no port is opened and no extra
library is needed.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--remote-debugging-pipe",
         # nothing beyond this machine: every other host name fails to resolve
         "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
TIMEOUT = 60.0  # seconds for any one answer


class DevTools:
    """One Chromium process and the two ends of its DevTools pipe."""

    def __init__(self, profile: Path) -> None:
        browser = shutil.which("chromium") or shutil.which("chromium-browser")
        assert browser, "chromium is installed by scripts/setup.sh (BULLETIN_TEST_TOOLS=1)"
        profile.mkdir(parents=True, exist_ok=True)
        commands, self._to_browser = os.pipe()
        self._from_browser, answers = os.pipe()

        def as_fds_3_and_4() -> None:  # in the child, before Chromium starts
            read, write = os.dup(commands), os.dup(answers)
            os.dup2(read, 3)
            os.dup2(write, 4)

        self.process = subprocess.Popen(
            [browser, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=False,
            preexec_fn=as_fds_3_and_4)
        os.close(commands)
        os.close(answers)
        self._buffer = b""
        self._last_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, params: dict[str, Any] | None = None,
             session: str | None = None) -> dict[str, Any]:
        """Send one command and wait for its answer (events that come first are kept)."""
        self._last_id += 1
        message: dict[str, Any] = {"id": self._last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._receive()
            if answer.get("id") == self._last_id:
                assert "error" not in answer, (method, answer["error"])
                return answer["result"]
            self.events.append(answer)

    def wait_for(self, event: str) -> dict[str, Any]:
        """The first event named ``event``, already received or the next to come."""
        while True:
            for seen in self.events:
                if seen.get("method") == event:
                    self.events.remove(seen)
                    return seen
            self.events.append(self._receive())

    def _receive(self) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_browser], [], [], max(left, 0))
            assert ready, f"Chromium said nothing for {TIMEOUT:.0f} s"
            chunk = os.read(self._from_browser, 1 << 16)
            assert chunk, f"Chromium ended (exit status {self.process.poll()})"
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(line)

    def close(self) -> None:
        try:
            self.call("Browser.close")
            self.process.wait(20)
        except (AssertionError, OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        finally:
            os.close(self._to_browser)
            os.close(self._from_browser)


@contextmanager
def phone_page(url: str, profile: Path, width: int = 390,
               height: int = 844) -> Iterator[Callable[[str], Any]]:
    """``url`` loaded in a ``width``×``height`` CSS-pixel phone viewport (touch, 3 device pixels
    to the CSS pixel, the page's viewport meta honoured); yields ``evaluate``."""
    tools = DevTools(profile)
    try:
        page = next(t for t in tools.call("Target.getTargets")["targetInfos"]
                    if t["type"] == "page")
        session = tools.call("Target.attachToTarget",
                             {"targetId": page["targetId"], "flatten": True})["sessionId"]
        tools.call("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 3, "mobile": True}, session)
        tools.call("Emulation.setTouchEmulationEnabled", {"enabled": True}, session)
        tools.call("Page.enable", {}, session)
        tools.call("Page.navigate", {"url": url}, session)
        tools.wait_for("Page.loadEventFired")

        def evaluate(expression: str) -> Any:
            found = tools.call("Runtime.evaluate", {
                "expression": expression, "returnByValue": True, "awaitPromise": True}, session)
            assert "exceptionDetails" not in found, found["exceptionDetails"]
            return found["result"].get("value")
        yield evaluate
    finally:
        tools.close()
