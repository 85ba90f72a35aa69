"""The publish stage: the site folder a podcast app reads, and the server that hands it out.

``publish(mp3, script, mix, description, config, when)`` → ``Episode``: the MP3 with its transcripts
and chapters, the catalog entry, the feed and the index page. ``remove_episode(config, guid)`` and
``list_episodes(site)`` manage what is published; ``server.make_server(site, host, port)``
serves it over HTTP.
"""

from .site import list_episodes, publish, remove_episode

__all__ = ["list_episodes", "publish", "remove_episode"]
