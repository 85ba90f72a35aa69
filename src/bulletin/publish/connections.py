"""A threading HTTP server that a crowd of idle, slow or silent clients cannot wear out.

``BoundedHTTPServer(address, handler, idle_timeout, max_connections)`` answers each connection in a
thread of its own, but never more than ``max_connections`` at once. A connection waiting for a
request (its first, or the next one on a kept-alive connection) is closed once it has waited
``idle_timeout`` seconds for the whole request head, however slowly its bytes trickle in; a read
or write that makes no progress for that long gives up too. When every slot is taken, a new
connection takes the slot of the one that has waited longest for a request; when every
connection is busy answering, it waits up to ``slot_wait`` seconds for a slot, then gets ``503``
with ``Retry-After`` and is closed, and no thread is started for it. Unaccepted connections wait
in the kernel's listen queue, which costs no thread. A request that fails (a client gone, a
timeout) is one line in the handler's log, not a traceback. Handlers derive from
``BoundedHandler``; ``server_close()`` closes every connection, so stopping never waits on one.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TextIO

IDLE_TIMEOUT = 30.0  # seconds: a phone on the LAN sends its request well within this
MAX_CONNECTIONS = 64  # a few podcast apps and browsers, each with a handful of connections
BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 0\r\n"
        b"Connection: close\r\n\r\n")


def _cut(connection: socket.socket) -> None:
    """End a connection from another thread: its handler's blocked read or write returns."""
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)


class BoundedHTTPServer(ThreadingHTTPServer):
    """A ``ThreadingHTTPServer`` with at most ``max_connections`` connections (and threads) at a
    time, each closed after ``idle_timeout`` seconds without a complete request."""

    daemon_threads = True
    request_queue_size = 64
    slot_wait = 1.0  # seconds a new connection may wait for a busy connection to finish
    log: TextIO | None = None

    def __init__(self, address: tuple[str, int], handler: type[BoundedHandler],
                 idle_timeout: float = IDLE_TIMEOUT, max_connections: int = MAX_CONNECTIONS,
                 ) -> None:
        if not idle_timeout > 0 or max_connections < 1:
            raise ValueError(f"idle_timeout {idle_timeout} must be > 0 and max_connections "
                             f"{max_connections} at least 1")
        self.idle_timeout = idle_timeout
        self._slots = threading.BoundedSemaphore(max_connections)
        self._lock = threading.Lock()
        # every connection being served: since when it waits for a request, None while answering
        self._connections: dict[socket.socket, float | None] = {}
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self._cut_longest_waiting()
            if not self._slots.acquire(timeout=self.slot_wait):
                self._refuse(request)
                return
        with self._lock:
            self._connections[request] = time.monotonic()
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._forget(request)
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def shutdown_request(self, request: Any) -> None:
        self._forget(request)  # before the socket closes: no cut may reach a reused descriptor
        super().shutdown_request(request)

    def service_actions(self) -> None:
        """Between accepts (every half second at least): close connections that waited too long
        for a complete request."""
        super().service_actions()
        oldest = time.monotonic() - self.idle_timeout
        with self._lock:
            late = [c for c, since in self._connections.items()
                    if since is not None and since <= oldest]
            for connection in late:
                del self._connections[connection]
                _cut(connection)

    def server_close(self) -> None:
        with self._lock:
            for connection in self._connections:
                _cut(connection)
            self._connections.clear()
        super().server_close()  # joins the handler threads, which the cuts end at once

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line in ``log`` for a request that failed, instead of a traceback."""
        error = sys.exc_info()[1]
        if error is not None:
            reason = (str(error).splitlines() or [""])[0]
            self.log_line(f"{client_address[0]} error: {type(error).__name__}: {reason}")

    def log_line(self, text: str) -> None:
        """Write one line to ``log``, if the server has one."""
        if self.log is not None:
            self.log.write(text + "\n")
            self.log.flush()

    def awaiting_request(self, connection: socket.socket) -> None:
        """The handler waits for a request on ``connection`` from now on."""
        with self._lock:
            if connection in self._connections:
                self._connections[connection] = time.monotonic()

    def answering(self, connection: socket.socket) -> bool:
        """The handler has a whole request head; False when the connection was closed for
        waiting too long or to make room, so the request must not be answered."""
        with self._lock:
            if connection not in self._connections:
                return False
            self._connections[connection] = None
            return True

    def _forget(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.pop(connection, None)

    def _cut_longest_waiting(self) -> None:
        with self._lock:
            waiting = {c: since for c, since in self._connections.items() if since is not None}
            if waiting:
                longest = min(waiting, key=waiting.__getitem__)
                del self._connections[longest]
                _cut(longest)

    def _refuse(self, request: socket.socket) -> None:
        """Answer 503 without a thread, reading what the client sent so closing does not reset
        the connection before it reads the answer."""
        try:
            request.setblocking(False)
            request.send(BUSY)
            request.recv(65536)
        except OSError:
            pass
        self.shutdown_request(request)


class BoundedHandler(BaseHTTPRequestHandler):
    """A request handler that tells its ``BoundedHTTPServer`` when it waits for a request and
    when it answers one, and whose reads and writes give up after the idle timeout."""

    server: BoundedHTTPServer

    def setup(self) -> None:
        self.timeout = self.server.idle_timeout
        super().setup()

    def handle_one_request(self) -> None:
        self.server.awaiting_request(self.connection)
        super().handle_one_request()

    def parse_request(self) -> bool:
        parsed = super().parse_request()
        if not self.server.answering(self.connection):
            self.close_connection = True
            return False
        return parsed


__all__ = ["IDLE_TIMEOUT", "MAX_CONNECTIONS", "BoundedHTTPServer", "BoundedHandler"]
