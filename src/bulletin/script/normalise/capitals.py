"""Words in capitals: a headline in capitals is read as words, an acronym is said as a word when
English could say it (NATO → Nato) and spelled when not (ITV → I T V)."""

from __future__ import annotations

import re
from functools import lru_cache

from . import words
from .rule import rule

_CAPS_WORD = r"[A-Z][A-Z'’]*[A-Z]"


def pronounceable(letters: str) -> bool:
    """Whether an all-capital acronym reads as a word: four or more letters with vowels, that
    start and end with clusters English allows (NATO, NASA, OPEC, UNICEF; not NHS, KBBA)."""
    if len(letters) < 4 or not letters.isalpha():
        return False
    vowels = words.VOWELS | {"Y"}
    groups = re.findall(r"[AEIOUY]+|[^AEIOUY]+", letters)
    if not any(set(g) & vowels for g in groups):
        return False
    first, last = groups[0], groups[-1]
    if first[0] not in vowels and len(first) > 1 and first not in words.ONSETS:
        return False
    if last[0] not in vowels and len(last) > 1 and last not in words.CODAS:
        return False
    inner = groups[1:-1]
    vowel_groups = [g for g in groups if g[0] in words.VOWELS or g == "Y"]
    if any(len(g) > 2 for g in vowel_groups):
        return False
    return all(len(g) <= 3 for g in inner if g[0] not in vowels)


def spell(letters: str) -> str:
    """"ITV" → "I T V". A letter A inside is tied to the next letter with hyphens ("A-T-M"),
    because a lone "A" before another letter is read as the article."""
    letters = letters.upper()
    if "A" in letters[:-1]:
        return "-".join(letters)
    return " ".join(letters)


@lru_cache(maxsize=1)
def _dictionary():  # noqa: ANN202 - spellchecker's WordFrequency
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1).word_frequency


def is_english_word(word: str) -> bool:
    """Whether ``word`` (any case) is an ordinary English word, e.g. in an all-capital headline."""
    lower = word.lower()
    if len(lower) <= 2:
        return lower in words.SHORT_WORDS
    return _dictionary()[lower] >= 20


def _soften(word: re.Match[str]) -> str:
    letters = word.group(0)
    core = re.sub(r"['’]S$", "", letters)
    return letters.lower() if is_english_word(core) else letters


_CAPS = re.compile(r"\b" + _CAPS_WORD + r"\b")


@rule(r"(?:\b" + _CAPS_WORD + r"\b(?:[^a-zA-Z]|\b[A-Z]\b)*){3,}")
def shouting(match: re.Match[str]) -> str:
    """In a run of three or more all-capital words (a headline in capitals), ordinary English words
    become lower case so they are read, not spelled; a run that starts the text keeps its first
    capital (FERRY VOTE PASSES → Ferry vote passes)."""
    softened = _CAPS.sub(_soften, match.group(0))
    if match.start() == 0:
        return softened[:1].upper() + softened[1:]
    return softened


@rule(r"\b([A-Z]{2,})('s|’s|s)?\b")
def acronyms(match: re.Match[str]) -> str:
    """ITV → I T V, YPG → Y P G, US → U S; NATO → Nato (a word); MPs → M P's."""
    letters, suffix = match.group(1), match.group(2) or ""
    if pronounceable(letters):
        return letters.capitalize() + suffix
    if suffix == "s":
        suffix = "'s"
    return spell(letters) + suffix


@rule(r"(?<=\b[A-Z]) ?-(?=[a-z])")
def spelled_hyphen(match: re.Match[str]) -> str:
    """U S-backed → U S backed: a hyphen after spelled letters is read as a pause otherwise."""
    return " "
