"""The publish stage: the site folder a podcast app reads, and the server that hands it out.

``prepare_site(config, rebuild_catalog)`` checks, before anything is spoken, that the site can be
written and its catalog is sound (rebuilding a lost one from the feed when asked); an error if not.
``publish(programme, config)`` → ``Published``: the ``Episode`` (the programme's MP3 with its
transcripts and chapters, the catalog entry, the feed and the index page) and the one it
replaced; an episode built from an edited script is replaced only when asked (``check_rebuild``
says so before anything is spoken). ``remove_episode(config, guid)`` and
``list_episodes(site)`` manage what is published; ``cover_image(config)`` is the cover art's
bytes, for the MP3 to embed; ``edition_lock(site)`` makes editions of one site
take turns; ``server.make_server(site, host, port)``
serves it over HTTP.
"""

from .safety import edition_lock
from .site import check_rebuild, cover_image, list_episodes, prepare_site, publish, remove_episode

__all__ = ["check_rebuild", "cover_image", "edition_lock", "list_episodes", "prepare_site",
           "publish", "remove_episode"]
