"""Publishing the site to a remote with rclone: ``bulletin push`` and ``--push``.

``push_target(config, building)`` → the remote to push to, checked before any work;
``push_site(site, remote, config, ...)`` → ``PushResult``: media first, then pages, the feed last,
and deletions only once the new feed is up (see ``push``).
"""

from .push import PushResult, push_site
from .target import push_target

__all__ = ["PushResult", "push_site", "push_target"]
