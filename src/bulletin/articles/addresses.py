"""Which addresses a fetch may connect to: the private-address rule.

In: a host name and the numeric addresses it resolved to. Out: nothing, or ``AddressRefused``
naming the host, the address and the rule. A URL typed on the command line may reach a private
address (the user asked for it), and so may its redirects while they stay on private addresses;
a URL that a feed or a queued job supplies may not. "Private" here is anything that is not a
public unicast address: loopback, private networks, link-local, unspecified, multicast, reserved.
IPv4 carried inside IPv6 (``::ffff:127.0.0.1``, NAT64, 6to4, Teredo) is judged as that IPv4
address. Resolving first and judging the numbers the OS would connect to also catches every
spelling of an address (``0x7f000001``, ``2130706433``, ``127.1``, ``0177.0.0.1``).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable, Sequence

from ..errors import a_or_an

Resolver = Callable[[str, int], Sequence[str]]
"""Looks up ``(host, port)`` and returns the numeric addresses to connect to, in order."""

_NAT64 = ipaddress.ip_network("64:ff9b::/96")

TYPED_ONLY = "only a URL typed on the command line may reach a private address"
LEFT_PUBLIC = "a redirect from a public address may not reach a private one"


class AddressRefused(Exception):
    """A host resolved to an address the rule forbids; ``str()`` is the one-line reason."""

    def __init__(self, host: str, address: str, kind: str, reason: str) -> None:
        super().__init__(f"refused {host} ({address}), {a_or_an(kind)} address: {reason}")
        self.host, self.address, self.kind = host, address, kind


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the operating system gives for ``host`` (numeric spellings included)."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


def resolve_within(resolver: Resolver, host: str, port: int, seconds: float) -> list[str]:
    """``resolver(host, port)``, given at most ``seconds``: name lookups have no timeout of their
    own, so the lookup runs on a helper thread that is abandoned if it takes too long.
    Raises ``TimeoutError``, or whatever the resolver raised (``socket.gaierror``)."""
    outcome: list[object] = []

    def lookup() -> None:
        try:
            outcome.append(list(resolver(host, port)))
        except Exception as exc:  # handed to the caller below
            outcome.append(exc)

    helper = threading.Thread(target=lookup, name=f"resolve {host}", daemon=True)
    helper.start()
    helper.join(max(seconds, 0.0))
    if not outcome:
        raise TimeoutError(f"looking up {host} took longer than {seconds:g} s")
    if isinstance(outcome[0], Exception):
        raise outcome[0]
    return outcome[0]  # type: ignore[return-value]


def kind_of(address: str) -> str | None:
    """Why ``address`` is not public ("loopback", "private", "link-local", ...), or None."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        elif ip.sixtofour is not None:
            ip = ip.sixtofour
        elif ip.teredo is not None:
            ip = ip.teredo[1]
    checks = (("unspecified", ip.is_unspecified), ("loopback", ip.is_loopback),
              ("link-local", ip.is_link_local), ("multicast", ip.is_multicast),
              ("site-local", getattr(ip, "is_site_local", False)), ("private", ip.is_private),
              ("reserved", ip.is_reserved), ("non-public", not ip.is_global))
    return next((kind for kind, hit in checks if hit), None)


class AddressPolicy:
    """The rule for one fetch and its redirects. ``allow_private`` is True for a URL the user
    typed; once a hop lands on a public address, later hops may no longer reach private ones."""

    def __init__(self, allow_private: bool) -> None:
        self.typed = allow_private
        self.private_ok = allow_private

    def check(self, host: str, addresses: Sequence[str]) -> None:
        """Accept ``host``'s resolved ``addresses`` or raise ``AddressRefused``. Every address is
        judged: one public answer does not excuse a private one."""
        kinds = [kind_of(address) for address in addresses]
        for address, kind in zip(addresses, kinds, strict=True):
            if kind is not None and not self.private_ok:
                raise AddressRefused(host, address, kind, LEFT_PUBLIC if self.typed else TYPED_ONLY)
        if kinds and all(kind is None for kind in kinds):
            self.private_ok = False
