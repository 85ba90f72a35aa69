"""The script stage: articles in, a spoken ``Script`` out.

``build_script(sources, config, date)`` reads each source, cleans it, rewrites it for speech and
plans the bulletin's segments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..config import Config
from ..models import Script
from .clean import clean_article
from .plan import plan_script
from .read import read_article


def build_script(sources: Sequence[str], config: Config, date: dt.date) -> Script:
    """Read, clean and plan ``sources`` (article paths) into one bulletin Script."""
    articles = [clean_article(read_article(source)) for source in sources]
    return plan_script(articles, config, date)


__all__ = ["build_script"]
