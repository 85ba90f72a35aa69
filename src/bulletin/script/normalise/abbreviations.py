"""Abbreviations and titles said in full: Dr, Mr, St, No., vs, e.g., Ltd, months before days, and
dotted acronyms (U.S. → US, spelled later by ``capitals``).

An abbreviation's full stop stays when it also ends the sentence ("in the U.S. The..."), and goes
when the sentence goes on ("the U.S. President").
"""

from __future__ import annotations

import re

from . import words
from .rule import rule

_TABLE = "|".join(re.escape(a) for a in sorted(words.ABBREVIATIONS, key=len, reverse=True))
_AT_END = re.compile(r"\s*+\Z")
_NEXT_CAPITAL_WORD = re.compile(r"\s++[\"“‘]?([A-Z][a-z]*+)\b")


def _final_stop(dot: str, match: re.Match[str]) -> str:
    """The full stop of an abbreviation that ends ``match`` when it also ends its sentence, else
    nothing."""
    if not dot:
        return ""
    text, end = match.string, match.end()
    if _AT_END.match(text, end):
        return "."
    ahead = _NEXT_CAPITAL_WORD.match(text, end)
    return "." if ahead and ahead.group(1) in words.SENTENCE_STARTERS else ""


@rule(r"(?<![\w.])(" + _TABLE + r")(?![\w])")
def abbreviations(match: re.Match[str]) -> str:
    """e.g. → for example; Mr → Mister; Ltd. → Limited (and the stop, at a sentence's end)."""
    written = match.group(1)
    said = words.ABBREVIATIONS[written]
    if written in words.SENTENCE_FINAL and written.endswith("."):
        said += _final_stop(".", match)
    return said


@rule(r"\bDr\.?(?=\s+[A-Z])")
def doctor_before_name(match: re.Match[str]) -> str:
    """Dr before a name: Dr Patel → Doctor Patel."""
    return "Doctor"


@rule(r"(?<=[A-Z][a-z])(\s+)Dr\b\.?")
def drive(match: re.Match[str]) -> str:
    """Dr after a street name: Mulholland Dr → Mulholland Drive."""
    return match.group(1) + "Drive"


@rule(r"\bDr\b\.?")
def doctor(match: re.Match[str]) -> str:
    """Any other Dr: the Dr → the Doctor."""
    return "Doctor"


@rule(r"\b([A-Z][a-z]+\s+)(St|Rd)\b(?!\s+[A-Z])(\.?)")
def street_road(match: re.Match[str]) -> str:
    """St and Rd after a name: Quay St → Quay Street; Mill Rd → Mill Road."""
    name, short, dot = match.group(1, 2, 3)
    return name + ("Street" if short == "St" else "Road") + _final_stop(dot, match)


@rule(r"\bSt\b\.?")
def saint(match: re.Match[str]) -> str:
    """Any other St: St Andrews → Saint Andrews."""
    return "Saint"


@rule(r"\b(N)o\.?\s*(?=\d)", re.IGNORECASE)
def number_abbreviation(match: re.Match[str]) -> str:
    """No. 10 → Number 10; no 3 → number 3."""
    return "Number " if match.group(1) == "N" else "number "


@rule(r"(?<=[A-Za-z])\s+v\.?\s+(?=[A-Z])")
def versus(match: re.Match[str]) -> str:
    """v between two names: Leeds v Hull → Leeds versus Hull."""
    return " versus "


@rule(r"\b(" + "|".join(words.MONTH_ABBREVIATIONS) + r")\.?(?=\s+\d)")
def month_abbreviations(match: re.Match[str]) -> str:
    """A month's abbreviation before a day: Feb. 9 → February 9."""
    return words.MONTH_ABBREVIATIONS[match.group(1)]


@rule(r"\b((?:[A-Z]\.){2,})")
def dotted_acronyms(match: re.Match[str]) -> str:
    """U.S. → US (spelled later); the last dot stays when it ends a sentence."""
    return match.group(1).replace(".", "") + _final_stop(".", match)
