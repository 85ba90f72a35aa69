"""Where a served site can be reached from, and telling the user so.

``lan_address()`` → this machine's address on its local network; ``is_loopback_host(host)`` and
``url_host(host)`` judge and write a host; ``announce(server, out)`` prints the site's address and
its feed URL, as a QR code when a phone can reach it, else a plain "local only" and what to do.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from .server import SiteServer


def lan_address() -> str:
    """This machine's address on its local network, as a phone would reach it.

    A UDP socket connected towards a documentation-only address (RFC 5737) makes the kernel pick
    the outgoing interface without sending anything; its local address is the one we want.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
            address = probe.getsockname()[0]
        except OSError:
            address = ""
    if address and not address.startswith("0."):
        return address
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` is this machine only (so no phone can reach a server bound to it)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_host(host: str) -> str:
    """``host`` as it stands in a URL (an IPv6 address in brackets)."""
    return f"[{host}]" if ":" in host else host


def announce(server: SiteServer, out: TextIO) -> None:
    """Tell the user where the site is and how a phone can subscribe: the feed URL as a QR code
    when a phone can reach it; when it cannot (a server on this machine only, or no network
    address), say so plainly and how to serve it to the network instead."""
    from urllib.parse import urlsplit

    from ..feed.rss import is_local

    out.write(f"Serving {server.site} at {server.own_url}\n")
    out.write(f"Feed: {server.feed_url}\n")
    if server.rewrite_to:
        out.write("(the site was built for localhost, so its feed and page are served with "
                  "this server's address)\n")
    if is_local(server.feed_url):
        out.write(_unreachable(server))
    else:
        _qr(server.feed_url, out)
        nearby = urlsplit(server.feed_url).netloc == urlsplit(server.own_url).netloc
        out.write("Scan the code with a phone " + ("on the same network " if nearby else "")
                  + "to subscribe.\n")
    out.write("Press Ctrl+C to stop.\n")
    out.flush()


def _unreachable(server: SiteServer) -> str:
    """Why no phone can reach the feed's address, and what to do about it."""
    if server.everywhere:
        return ("No network address was found for this machine, so a phone cannot reach it: "
                "connect it to the phone's network (Wi-Fi) and start again.\n")
    return ("Local only: no other device can reach this address, so a phone cannot subscribe "
            "here.\nFor a phone on the same network: bulletin serve --host 0.0.0.0\n")


def _qr(text: str, out: TextIO) -> None:
    import segno

    try:
        segno.make(text, error="m").terminal(out=out, compact=True)
    except UnicodeEncodeError:
        out.write("(this terminal cannot show the QR code; open the index page instead)\n")
