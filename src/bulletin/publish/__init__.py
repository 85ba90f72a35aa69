"""The publish stage: the site folder a podcast app reads.

``publish(mp3, script, mix, description, config, when)`` → ``Episode``: the MP3, the catalog entry and the feed.
"""

from .site import describe, publish

__all__ = ["describe", "publish"]
