"""The pronunciation lexicon: words and how to say them, applied before any other rule.

A lexicon is a TOML file of ``word = "how to say it"`` lines (a key with spaces or dots is quoted:
``"St Ives" = "Saint Ives"``). Keys in capitals (acronyms such as ``IS``) match only in capitals, so
"IS" the group is never confused with "is" the verb; any other key matches in any case. The default
lexicon ships with bulletin; a user's lexicon, named by ``[script] lexicon`` in bulletin.toml, is
laid over it (its entries win).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..errors import InputError
from ..fileio import parse_toml, read_user_text


class Lexicon:
    """Whole-word replacements, longest words first."""

    def __init__(self, entries: Mapping[str, str]) -> None:
        self.entries = dict(entries)
        exact = {k: v for k, v in self.entries.items() if _is_caps(k)}
        folded = {k.lower(): v for k, v in self.entries.items() if not _is_caps(k)}
        self._exact, self._folded = exact, folded
        self._exact_re = _alternation(exact, 0)
        self._folded_re = _alternation(folded, re.IGNORECASE)

    def apply(self, text: str, keep: Callable[[str], str] = lambda said: said) -> str:
        """Replace every lexicon word in ``text``; ``keep`` wraps each replacement (the normaliser
        uses it to protect the result from later rules)."""
        if self._exact_re is not None:
            text = self._exact_re.sub(lambda m: keep(self._exact[m.group(0)]), text)
        if self._folded_re is not None:
            text = self._folded_re.sub(lambda m: keep(self._folded[m.group(0).lower()]), text)
        return text

    def merged(self, other: Lexicon) -> Lexicon:
        """This lexicon with ``other``'s entries laid over it."""
        return Lexicon({**self.entries, **other.entries})


def _is_caps(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _alternation(words: Mapping[str, str], flags: int) -> re.Pattern[str] | None:
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w.])(?:{alternatives})(?![\w])", flags)


def parse_lexicon(text: str, name: str) -> Lexicon:
    """Entries from TOML ``text``; ``InputError`` naming ``name`` when it is not a valid lexicon."""
    data = parse_toml(text, name, "lexicon")
    entries: dict[str, str] = {}
    for word, said in data.items():
        if not isinstance(said, str):
            raise InputError(f"{name}: lexicon entry {word!r} must be a string "
                             f"(word = \"how to say it\"), got {type(said).__name__}")
        said = " ".join(said.split())
        if not word.strip() or not said:
            raise InputError(f"{name}: lexicon entry {word!r} is empty")
        if re.search(r"\d", said):
            raise InputError(f"{name}: lexicon entry {word!r} says {said!r}: write numbers "
                             "in words")
        entries[word.strip()] = said
    return Lexicon(entries)


def read_lexicon(path: str | Path) -> Lexicon:
    """A user's lexicon file, or ``InputError`` naming it."""
    path = Path(path)
    text = read_user_text(path, "lexicon")
    return parse_lexicon(text, str(path))


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The lexicon shipped with bulletin (bulletin/data/lexicon.toml)."""
    text = resources.files("bulletin").joinpath("data/lexicon.toml").read_text("utf-8")
    return parse_lexicon(text, "bulletin/data/lexicon.toml")


def load_lexicon(user_path: str | Path | None = None) -> Lexicon:
    """The shipped lexicon, with the user's (if one is named) laid over it."""
    lexicon = default_lexicon()
    if user_path:
        lexicon = lexicon.merged(read_lexicon(user_path))
    return lexicon
