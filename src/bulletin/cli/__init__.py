"""The ``bulletin`` command line: parse options, call the pipeline, report.

``app`` (the root, with the error handling every command shares) is in ``app``; the commands are
grouped by what they work on: ``making`` (build, edition, script), ``site`` (init, push,
episodes, feed check, serve), ``proofing`` (proof, episodes approve|reject), ``queueing``
(worker, beat) and ``voices`` (voices, cache). Each command imports what it calls when it runs,
so a quick command (``episodes list``, ``feed check``) does not load the speech, audio and
article-reading stages.
"""

from . import making, proofing, queueing, site, voices  # noqa: F401 - each registers commands
from .app import app, main

__all__ = ["app", "main"]
