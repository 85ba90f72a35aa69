"""The script stage: cleaned articles in, a spoken ``Script`` out.

``build_script(articles, config, date)`` plans the bulletin's segments (intro, rundown, each
story's headline and paragraphs, transitions, sign-off) and writes each segment's ``spoken`` form
with the pronunciation lexicon and the normalisation rules. ``dump_script(script, fmt)`` writes it
as Markdown or JSON for a producer to review (``export``), and ``load_script(path)`` reads the
reviewed file back (``load``). The articles come from the articles stage (``bulletin.articles``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..config import Config
from ..errors import InputError
from ..models import Article, Script
from .export import check_format, dump_script
from .lexicon import load_lexicon
from .load import load_script
from .normalise import Normaliser
from .plan import plan_script


def build_script(articles: Sequence[Article], config: Config, date: dt.date) -> Script:
    """One bulletin ``Script`` of ``articles`` (cleaned, in order), dated ``date``, spoken with
    the shipped lexicon and the one ``config`` names. ``InputError`` when there are no articles,
    the lexicon is unreadable, or the articles are too many or too long for one bulletin."""
    if not articles:
        raise InputError("no articles given")
    speak = Normaliser(load_lexicon(config.script.lexicon or None))
    return plan_script(list(articles), config, date, speak=speak)


__all__ = ["build_script", "check_format", "dump_script", "load_script"]
