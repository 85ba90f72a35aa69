"""Tell a WebSub hub that the feed changed, so that apps subscribed through it hear at once.

In: the hub's URL and the feed's public URL. ``ping_hub(hub, feed)`` sends the hub the
``hub.mode=publish`` notification (a form POST with ``hub.url`` = the feed), within a timeout and
without following redirects or using proxy settings from the environment. Out: None when the hub
took it (any 2xx answer), else one line saying why not, which the caller reports as a warning: the
push itself succeeded, and subscribers still poll the feed.
"""

from __future__ import annotations

import logging

import httpx

from .. import __version__

log = logging.getLogger(__name__)

TIMEOUT = 10.0  # seconds for connecting and for each read


def ping_hub(hub: str, feed: str, *, transport: httpx.BaseTransport | None = None) -> str | None:
    """Notify ``hub`` that ``feed`` has new content; None on success, else the reason."""
    log.info("telling the WebSub hub %s about %s", hub, feed)
    try:
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False, trust_env=False,
                          transport=transport,
                          headers={"User-Agent": f"bulletin/{__version__}"}) as client:
            answer = client.post(hub, data={"hub.mode": "publish", "hub.url": feed})
    except httpx.HTTPError as exc:
        return f"{hub}: the WebSub hub could not be told ({type(exc).__name__}: {exc})"
    if not answer.is_success:
        return f"{hub}: the WebSub hub answered HTTP {answer.status_code}"
    return None
