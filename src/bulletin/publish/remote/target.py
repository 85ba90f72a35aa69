"""Where ``bulletin push`` (and ``--push``) sends the site, checked before any work.

``push_target(config, building=False)`` → the rclone remote to push to (``[publish] remote``,
``$BULLETIN_REMOTE`` or ``--to``); an ``InputError`` in one line when none is set or, for a build
that will push (``building``), when the feed it makes would link to this machine only.
"""

from __future__ import annotations

from ...config import Config
from ...errors import InputError
from ...feed.rss import is_local


def push_target(config: Config, building: bool = False) -> str:
    """The remote to push to (see the module's description)."""
    remote = config.publish.remote
    if not remote:
        raise InputError("nowhere to push to: pass --to REMOTE:PATH, or set [publish] remote in "
                         "bulletin.toml or $BULLETIN_REMOTE")
    if building and is_local(config.show.base_url):
        raise InputError(f"show.base_url is {config.show.base_url}, which only this machine can "
                         "reach: set --base-url (or [show] base_url in bulletin.toml) to the "
                         "site's public URL to push; nothing was built")
    return remote
