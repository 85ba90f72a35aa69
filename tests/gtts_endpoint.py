"""A stand-in for Google Translate's speech endpoint, on 127.0.0.1, for gTTS's own client code.

It answers the ``batchexecute`` POST the way the real service does: an anti-JSON prefix, then
length-prefixed JSON lines, one of which carries the base64 MP3 under the ``jQ1olc`` RPC id. The
MP3 is real speech of the requested text (espeak-ng, encoded by ffmpeg at 24 kHz like Google's).
``serve_gtts`` points gTTS's URL builder at it; ``statuses`` scripts failures (429, 503, ...).
"""

from __future__ import annotations

import base64
import json
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from bulletin.runner import CommandRunner

RPC = "jQ1olc"
RUNNER = CommandRunner()


@dataclass
class Call:
    tld: str
    text: str
    lang: str
    slow: bool


@dataclass
class Endpoint:
    port: int
    statuses: list[int] = field(default_factory=list)  # answered first, one per request, then 200
    always: int | None = None  # answer every request with this status
    no_audio: bool = False  # 200 without the audio line
    delay: float = 0.0  # seconds to think before answering
    refuse: str | None = None  # answer 400 to any text containing this
    calls: list[Call] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_status(self) -> int:
        with self.lock:
            if self.always is not None:
                return self.always
            return self.statuses.pop(0) if self.statuses else 200


def speech_mp3(text: str, lang: str, slow: bool) -> bytes:
    with tempfile.TemporaryDirectory() as work:
        wav = Path(work) / "speech.wav"
        voice = "en-us" if lang.startswith("en") else lang
        RUNNER.run(["espeak-ng", "-b", "1", "--stdin", "-v", voice, "-s", "120" if slow else "175",
                    "-w", str(wav)], input=text.encode())
        return RUNNER.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", str(wav),
                           "-ar", "24000", "-ac", "1", "-b:a", "32k", "-f", "mp3",
                           "pipe:1"]).stdout


def batchexecute_body(mp3: bytes | None) -> bytes:
    """The service's framing: ``)]}'``, then each JSON envelope preceded by its length."""
    if mp3 is None:
        first = [["wrb.fr", RPC, None, None, None, [3], "generic"]]
    else:
        payload = json.dumps([base64.b64encode(mp3).decode("ascii")])
        first = [["wrb.fr", RPC, payload, None, None, None, "generic"], ["di", 48],
                 ["af.httprm", 47, "-3102840261437611472", 21]]
    lines = [json.dumps(first, separators=(",", ":")),
             json.dumps([["e", 4, None, None, 1234]], separators=(",", ":"))]
    out = ")]}'\n\n"
    for line in lines:
        out += f"{len(line) + 1}\n{line}\n"
    return out.encode()


def _handler(endpoint: Endpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            with endpoint.lock:
                endpoint.in_flight += 1
                endpoint.most_in_flight = max(endpoint.most_in_flight, endpoint.in_flight)
            try:
                self._answer()
            finally:
                with endpoint.lock:
                    endpoint.in_flight -= 1

        def _answer(self) -> None:
            tld, _, path = self.path.lstrip("/").partition("/")
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if path != "_/TranslateWebserverUi/data/batchexecute":
                self.send_error(404)
                return
            rpc = json.loads(parse_qs(body.decode())["f.req"][0])
            rpc_id, params = rpc[0][0][0], json.loads(rpc[0][0][1])
            assert rpc_id == RPC
            text, lang, speed = params[0], params[1], params[2]
            endpoint.calls.append(Call(tld=tld, text=text, lang=lang, slow=speed is True))
            time.sleep(endpoint.delay)
            status = 400 if endpoint.refuse and endpoint.refuse in text else endpoint.next_status()
            if status != 200:
                self.send_error(status)
                return
            data = batchexecute_body(None if endpoint.no_audio
                                     else speech_mp3(text, lang, speed is True))
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def point_gtts_at(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    """Patch gTTS's URL builder (as gtts.tts imported it) to send requests to 127.0.0.1:port."""
    import gtts.tts

    def local_url(tld: str = "com", path: str = "") -> str:
        return f"http://127.0.0.1:{port}/{tld}/{path}"

    monkeypatch.setattr(gtts.tts, "_translate_url", local_url)
    for var in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)


@contextmanager
def serve_gtts(monkeypatch: pytest.MonkeyPatch) -> Iterator[Endpoint]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    endpoint = Endpoint(port=server.server_address[1])
    server.RequestHandlerClass = _handler(endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    point_gtts_at(monkeypatch, endpoint.port)
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens: connecting is refused, as with no network."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
