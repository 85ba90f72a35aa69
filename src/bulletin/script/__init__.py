"""The script stage: cleaned articles in, a spoken ``Script`` out.

``build_script(articles, config, date)`` plans the bulletin's segments (intro, rundown, each
story's headline and paragraphs, transitions, sign-off) and writes each segment's ``spoken`` form
with the pronunciation lexicon and the normalisation rules. ``dump_script(script, fmt)`` writes it
as Markdown or JSON for a producer to review (``export``), and ``load_script(path)`` reads the
reviewed file back (``load``). The articles come from the articles stage (``bulletin.articles``).
For an edition, ``edition_planner`` plans a script a sentence per segment and ``fit_to_time``
(``fit``) chooses how much of each story to read so that the programme ends on its target.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import replace

from ..config import Config
from ..errors import InputError
from ..models import Article, Script
from .export import check_format, dump_script
from .fit import Fit, fit_to_time, split_sentences
from .lexicon import load_lexicon
from .load import load_script
from .normalise import Normaliser
from .plan import plan_script

Planner = Callable[[list[Article], Callable[[str], list[str]]], Script]


def build_script(articles: Sequence[Article], config: Config, date: dt.date) -> Script:
    """One bulletin ``Script`` of ``articles`` (cleaned, in order), dated ``date``, spoken with
    the shipped lexicon and the one ``config`` names. ``InputError`` when there are no articles,
    the lexicon is unreadable, or the articles are too many or too long for one bulletin."""
    if not articles:
        raise InputError("no articles given")
    speak = Normaliser(load_lexicon(config.script.lexicon or None))
    return plan_script(list(articles), config, date, speak=speak)


def edition_planner(config: Config, when: dt.datetime, title: str, guid_key: str) -> Planner:
    """What plans an edition made at ``when`` (in the show's time zone): given the articles chosen
    (trimmed to whole sentences) and a sentence splitter, their ``Script``, one segment per
    sentence, titled ``title``; its intro says the hour. The spoken form of each text is worked
    out once however often the fit re-plans."""
    speak = functools.cache(Normaliser(load_lexicon(config.script.lexicon or None)))

    def plan(articles: list[Article], splitter: Callable[[str], list[str]]) -> Script:
        script = plan_script(articles, config, when.date(), speak=speak, by_sentence=splitter,
                             time=when.strftime("%H:%M"))
        return replace(script, title=title, guid_key=guid_key)
    return plan


__all__ = ["Fit", "build_script", "check_format", "dump_script", "edition_planner",
           "fit_to_time", "load_script", "split_sentences"]
