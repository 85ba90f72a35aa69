"""The connections one fetch makes: every one within the fetch's deadline, every one to an
address the private-address rule allowed.

``CheckedBackend`` is an httpcore network backend: it resolves each host once (within the time
left), lets the ``AddressPolicy`` judge every address, then connects to exactly those addresses,
so a second lookup (DNS rebinding) cannot slip past; it remembers the address it last connected
to (``address``), which tells whether a response came from a private one. Every read, write and
TLS handshake on the connection waits at most what the fetch's ``Clock`` has left.
"""

from __future__ import annotations

import ssl
import time
from typing import Any

import httpcore

from .addresses import AddressPolicy, Resolver, resolve_within


class Clock:
    """The wall-clock budget of one fetch: every network wait gets at most what is left."""

    def __init__(self, seconds: float) -> None:
        self.ends = time.monotonic() + seconds
        self.binding = False  # whether the last wait was cut short by the deadline

    def allow(self, timeout: float | None, error: type[httpcore.TimeoutException]) -> float:
        """The seconds the next wait may take: ``timeout``, or less if the deadline is nearer.
        Raises ``error`` once the deadline has passed."""
        left = self.ends - time.monotonic()
        self.binding = timeout is None or left < timeout
        if left <= 0:
            raise error("the deadline has passed")
        return left if self.binding else timeout  # type: ignore[return-value]


class _ClockedStream(httpcore.NetworkStream):
    """A connection whose every read, write and TLS handshake waits within the fetch's clock."""

    def __init__(self, stream: httpcore.NetworkStream, clock: Clock) -> None:
        self._stream = stream
        self._clock = clock

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._clock.allow(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._clock.allow(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        seconds = self._clock.allow(timeout, httpcore.ConnectTimeout)
        return _ClockedStream(self._stream.start_tls(ssl_context, server_hostname, seconds),
                              self._clock)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class CheckedBackend(httpcore.NetworkBackend):
    """Resolves each host once, lets the policy judge every address, then connects to exactly
    those addresses through ``network``: a second lookup (DNS rebinding) cannot slip past."""

    def __init__(self, network: httpcore.NetworkBackend, resolver: Resolver,
                 policy: AddressPolicy, clock: Clock) -> None:
        self._network, self._resolver, self._policy, self._clock = network, resolver, policy, clock
        self.address: str | None = None  # the numeric address of the last connection made

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        seconds = self._clock.allow(timeout, httpcore.ConnectTimeout)
        try:
            addresses = resolve_within(self._resolver, host, port, seconds)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"looking up {host} took too long") from None
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot find {host}: {reason(exc)}") from None
        except UnicodeError:  # a label too long or empty: the lookup cannot even be asked
            raise httpcore.ConnectError(f"cannot find {host}: not a valid host name") from None
        if not addresses:
            raise httpcore.ConnectError(f"cannot find {host}: no address")
        self._policy.check(host, addresses)
        failure: Exception | None = None
        for address in addresses:
            try:
                stream = self._network.connect_tcp(
                    address, port, timeout=self._clock.allow(timeout, httpcore.ConnectTimeout),
                    local_address=local_address, socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            self.address = address
            return _ClockedStream(stream, self._clock)
        raise failure  # type: ignore[misc]


def reason(exc: BaseException) -> str:
    """The last line of an error's message (its most specific part), or the error's name."""
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__
