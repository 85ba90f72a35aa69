"""The feed stage: the episode catalog (SQLite) and the RSS feed rendered from it.

``Catalog(site)`` holds the episodes; ``render_feed(episodes, show, image)`` returns the feed XML.
"""

from .catalog import Catalog
from .rss import FEED_FILE, absolute, render_feed

__all__ = ["FEED_FILE", "Catalog", "absolute", "render_feed"]
