"""The typography around the rules: unified before them (``prepare``), tidied after (``tidy``)."""

from __future__ import annotations

import re
import unicodedata

from .rule import PROTECTED


def prepare(text: str) -> str:
    """Unify the typography: minus signs, spaces, fractions, ellipses, dashes."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(PROTECTED, "", text)  # unsayable, and reserved for the lexicon's results
    if not text.isascii():  # digits of other scripts (٣, ３) are read as the digits they are
        text = re.sub(r"(?![0-9])\d", lambda m: str(unicodedata.decimal(m.group(0))), text)
    text = text.replace("\u2212", "-").replace("\u2011", "-").replace("\u2010", "-")
    text = re.sub(r"[\u00a0\u2000-\u200b\u202f\u205f]", " ", text)
    text = text.replace("…", "...")
    for mark, words in (("½", " and a half"), ("¼", " and a quarter"),
                        ("¾", " and three quarters")):
        text = re.sub(rf"(?<=\d)\s?{mark}", words, text)
        text = text.replace(mark, words.replace(" and ", "", 1).strip())
    return text


def tidy(text: str) -> str:
    """Single spaces, no space before punctuation, a space after a colon between words ("Score:3"
    → "Score: three"), a full stop at the end."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,.;:!?)])", r"\1", text)
    text = re.sub(r"(?<=\w):(?=\w)", ": ", text)
    text = re.sub(r"([(])\s+", r"\1", text)
    text = re.sub(r",\s*,", ",", text)
    text = re.sub(r"^[,;:\s]+", "", text)
    if text and not re.search(r"[.!?…][\"”’')]*$", text):
        text += "."
    return text[:1].upper() + text[1:]
