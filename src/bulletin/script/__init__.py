"""The script stage: articles in, a spoken ``Script`` out.

``build_script(sources, config, date)`` reads each source (a .txt, .md or .html file, an http(s)
URL, or ``-`` for standard input), cleans it, plans the bulletin's segments (intro, rundown, each
story's headline and paragraphs, transitions, sign-off) and writes each segment's ``spoken`` form
with the pronunciation lexicon and the normalisation rules.
``dump_script(script, fmt)`` writes it as Markdown or JSON for a producer to review, and
``load_script(path)`` reads the reviewed file back (see ``export``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import BinaryIO

from ..config import Config
from ..errors import InputError
from ..models import Script
from .clean import clean_article
from .export import check_format, dump_script, load_script
from .fetch import Fetcher
from .lexicon import load_lexicon
from .normalise import Normaliser
from .plan import check_count, plan_script
from .read import DEFAULT_FETCHER, read_article


def build_script(sources: Sequence[str], config: Config, date: dt.date, *,
                 fetcher: Fetcher = DEFAULT_FETCHER, stdin: BinaryIO | None = None) -> Script:
    """Read, clean and plan ``sources`` (paths, URLs or "-") into one bulletin Script."""
    if not sources:
        raise InputError("no articles given")
    if list(sources).count("-") > 1:
        raise InputError("-: standard input can be read only once")
    check_count(sources)
    speak = Normaliser(load_lexicon(config.script.lexicon or None))
    articles = [clean_article(read_article(source, fetcher=fetcher, stdin=stdin))
                for source in sources]
    return plan_script(articles, config, date, speak=speak)


__all__ = ["build_script", "check_format", "dump_script", "load_script"]
