"""Clean an article's paragraphs of what a newsreader would never say aloud.

In: ``Article``. Out: ``Article`` with captions, credit lines and repeats removed.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..errors import InputError
from ..models import Article

_CREDIT = re.compile(r"^\s*(photo\s+)?credit\s*:", re.IGNORECASE)
_TRAILING_CREDIT = re.compile(r"\s*(Photo\s+)?Credit\s*:.*$", re.IGNORECASE)


def clean_article(article: Article) -> Article:
    """Drop credit lines and captions (a short line ending in a credit), and repeated paragraphs."""
    kept: list[str] = []
    seen: set[str] = set()
    for paragraph in article.paragraphs:
        if _CREDIT.match(paragraph):
            continue
        if _TRAILING_CREDIT.search(paragraph):
            # "Refugees shelter from the fighting. Credit: ITV News/Sean Swan" is a photo caption.
            continue
        key = re.sub(r"\W+", " ", paragraph).strip().lower()
        if key in seen:
            continue
        seen.add(key)
        kept.append(paragraph)
    if not kept:
        raise InputError(f"{article.source}: no article text left after cleaning")
    return replace(article, paragraphs=tuple(kept))
