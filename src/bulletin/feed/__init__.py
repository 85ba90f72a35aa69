"""The feed stage: the episode catalog (SQLite), the RSS feed, descriptions, transcripts and
chapters.

``Catalog(site)`` holds the episodes; ``describe(script, mix)`` writes an episode's description;
``render_feed(episodes, show, image, guid)`` returns the feed XML; ``webvtt``/``srt(cues)`` and
``chapters_json(chapters, ...)`` return an episode's companion files; ``check.check_site(site)``
lists what a podcast app would find wrong with a published site (it is not imported here, so lxml
loads only for a check).
"""

from .catalog import Catalog, SiteSettings
from .chapters import chapters_json
from .description import describe
from .files import EPISODES_DIR, EpisodeFiles
from .rss import FEED_FILE, INDEX_FILE, render_feed
from .transcript import srt, webvtt

__all__ = ["EPISODES_DIR", "FEED_FILE", "INDEX_FILE", "Catalog", "EpisodeFiles", "SiteSettings",
           "chapters_json", "describe", "render_feed", "srt", "webvtt"]
