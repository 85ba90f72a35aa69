"""gTTS: Google Translate's online voice, with language, accent (tld) and slow mode.

Needs internet access. A request that meets HTTP 429, a 5xx or a dropped connection is tried again
after an exponentially growing, jittered wait, within a bounded total time; a machine with no
network (the host cannot be resolved or refuses to connect) fails at once. The MP3 gTTS returns is
decoded to PCM with ffmpeg.
"""

from __future__ import annotations

import errno
import importlib.metadata
import io
import random
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

from ..config import VoiceConfig
from ..errors import InputError, ToolError
from ..ffmpeg import decode_pcm
from ..runner import DEFAULT_RUNNER, CommandRunner
from .base import Parallel, Speech, VoiceInfo

SAMPLE_RATE = 24000
CHECK_TIMEOUT = 3.0  # seconds `bulletin voices` waits to see whether Google answers
OFFLINE_HINT = "gTTS needs internet access; use --engine piper to speak offline"
ACCENTS = ("com", "co.uk", "com.au", "ca", "co.in", "ie", "co.za", "us", "com.ng")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: waits grow as ``base * 2**n`` (at most ``cap``); half of each is random."""

    attempts: int = 6
    base: float = 0.5
    cap: float = 8.0
    budget: float = 45.0  # seconds for all attempts of one segment, waits included
    connect_timeout: float = 5.0
    read_timeout: float = 20.0

    def wait(self, attempt: int, rng: random.Random) -> float:
        """The pause after failed attempt number ``attempt`` (1-based): equal jitter."""
        ceiling = min(self.cap, self.base * 2 ** (attempt - 1))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


class _Offline(Exception):
    pass


class _Retryable(Exception):
    pass


def _causes(exc: BaseException) -> list[object]:
    """``exc`` and everything it wraps (exception chains, urllib3's ``reason``, ``args``)."""
    seen: list[object] = []
    stack: list[object] = [exc]
    while stack:
        item = stack.pop()
        if item is None or any(item is s for s in seen) or len(seen) > 50:
            continue
        seen.append(item)
        if isinstance(item, BaseException):
            stack.extend([item.__cause__, item.__context__, getattr(item, "reason", None),
                          *[a for a in item.args if isinstance(a, BaseException)]])
    return seen


def _no_network(exc: BaseException) -> str | None:
    """Why this machine cannot reach the host at all, or None when the failure may pass."""
    for cause in _causes(exc):
        if isinstance(cause, socket.gaierror) or type(cause).__name__ == "NameResolutionError":
            return "its name does not resolve"
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH,
                                                          errno.ECONNREFUSED):
            return cause.strerror.lower() if cause.strerror else "unreachable"
    return None


class GttsEngine:
    name: ClassVar[str] = "gtts"
    offline: ClassVar[bool] = False
    parallel: ClassVar[Parallel] = "threads"
    max_workers: ClassVar[int | None] = 4  # requests in flight at once: polite to the service

    def __init__(self, config: VoiceConfig, runner: CommandRunner = DEFAULT_RUNNER, *,
                 retry: RetryPolicy | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 rng: random.Random | None = None) -> None:
        problem = self._installed()
        if problem:
            raise ToolError(f"gtts: {problem}")
        from gtts.lang import tts_langs

        settings = config.gtts
        self.lang = config.voice or settings.lang
        if self.lang not in tts_langs():
            raise InputError(f"gtts language '{self.lang}': not one gTTS speaks "
                             "(e.g. en, fr, de, es; see `gtts-cli --all`)")
        if not re.fullmatch(r"[a-z]{2,3}(\.[a-z]{2,3})?", settings.tld):
            raise InputError(f"gtts tld '{settings.tld}': expected a Google domain ending such as "
                             "com, co.uk or com.au")
        if config.speed != 1.0:
            raise InputError(f"voice speed {config.speed}: gtts has only normal and slow "
                             "(set slow = true in [voice.gtts])")
        self.tld = settings.tld
        self.slow = settings.slow
        self.runner = runner
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.clock = clock
        self.rng = rng or random.Random()

    @property
    def identity(self) -> str:
        version = importlib.metadata.version("gTTS")
        return f"gtts {version} lang={self.lang} tld={self.tld} slow={self.slow}"

    def load(self, store: Path | None = None) -> None:
        """Nothing to load: the voice is Google's."""

    def synthesize(self, text: str) -> Speech:
        retry = self.retry
        deadline = self.clock() + retry.budget
        attempt = 0
        while True:
            attempt += 1
            remaining = deadline - self.clock()
            try:
                mp3 = self._request(text, min(retry.connect_timeout, max(remaining, 0.1)),
                                    min(retry.read_timeout, max(remaining, 0.1)))
                break
            except _Offline as exc:
                raise ToolError(f"gtts: cannot reach Google Translate ({exc}); "
                                f"{OFFLINE_HINT}") from None
            except _Retryable as exc:
                pause = retry.wait(attempt, self.rng)
                if attempt >= retry.attempts or self.clock() + pause > deadline:
                    raise ToolError(f"gtts: gave up after {attempt} attempts: {exc}") from None
                self.sleep(pause)
        pcm = decode_pcm(mp3, SAMPLE_RATE, "mp3", self.runner)
        return Speech(pcm=pcm, sample_rate=SAMPLE_RATE)

    def _request(self, text: str, connect: float, read: float) -> bytes:
        """One try through gTTS's own request and response code: MP3 bytes or a classified error."""
        import gtts.tts
        from gtts import gTTS, gTTSError

        buffer = io.BytesIO()
        try:
            gTTS(text, lang=self.lang, tld=self.tld, slow=self.slow, lang_check=False,
                 timeout=(connect, read)).write_to_fp(buffer)
        except gTTSError as exc:
            response = exc.rsp
            if response is None:
                reason = _no_network(exc)
                if reason:
                    host = urlsplit(gtts.tts._translate_url(tld=self.tld)).hostname
                    raise _Offline(f"{host}: {reason}") from None
                raise _Retryable(str(exc.msg)) from None  # timed out, reset: worth another try
            if response.status_code == 429 or response.status_code >= 500:
                raise _Retryable(f"HTTP {response.status_code}") from None
            if response.ok:  # gTTS's way of saying an answer carried no audio
                raise ToolError("gtts: the service sent no audio") from None
            raise ToolError(f"gtts: the service refused the request: {exc.msg}") from None
        except AssertionError:
            raise InputError(f"gtts: nothing to say in {text[:40]!r}") from None
        if not buffer.getvalue():
            raise ToolError("gtts: the service sent no audio")
        return buffer.getvalue()

    @classmethod
    def voices(cls) -> list[VoiceInfo]:
        return [VoiceInfo("gtts", "en", "English; accent by [voice.gtts] tld: "
                          + ", ".join(ACCENTS[:7]), False),
                VoiceInfo("gtts", "LANG", "any gTTS language code (fr, de, es, ...)", False)]

    @classmethod
    def _installed(cls) -> str | None:
        try:
            import gtts  # noqa: F401
        except ImportError:
            return "not installed (pip install gtts)"
        return None

    @classmethod
    def check(cls) -> str | None:
        """Installed, and Google Translate's host accepts a connection right now."""
        problem = cls._installed()
        if problem:
            return problem
        from gtts import tts

        url = urlsplit(tts._translate_url(tld="com", path=""))  # the builder gTTS itself uses
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            with socket.create_connection((url.hostname, port), timeout=CHECK_TIMEOUT):
                return None
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            return f"no internet access ({url.hostname}: {reason})"
