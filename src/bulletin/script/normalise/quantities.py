"""Quantities: percentages, temperatures, and numbers with units or magnitudes (10km, 5m, 3bn)."""

from __future__ import annotations

import re

from . import words
from .rule import NUM, NUM_START, rule

_NEXT_WORD = re.compile(r"\s*+([a-z]++)")
_ARTICLE_BEFORE = re.compile(r"\b(a|an)\s*$", re.IGNORECASE)


@rule(NUM_START + r"(-?" + NUM + r")\s?(?:%|per ?cent\b|percent\b)")
def percent(match: re.Match[str]) -> str:
    """56% → fifty six percent; 61.5% → sixty one point five percent."""
    return f"{words.number(match.group(1))} percent "


@rule(NUM_START + r"(-?" + NUM + r")\s?°\s?([CF])?(?![a-zA-Z])")
def temperature(match: re.Match[str]) -> str:
    """−3°C → minus three degrees Celsius; 1°F → one degree Fahrenheit; 45° → forty five degrees."""
    written, scale = match.group(1, 2)
    unit = "degree" if written.lstrip("-") == "1" else "degrees"
    name = {"C": " Celsius", "F": " Fahrenheit"}.get(scale or "", "")
    return f"{words.number(written)} {unit}{name}"


def _after_article(match: re.Match[str]) -> bool:
    """Whether "a" or "an" comes just before ``match`` ("a 5km run")."""
    start = match.start()
    return _ARTICLE_BEFORE.search(match.string, max(0, start - 40), start) is not None


@rule(NUM_START + r"(-?" + NUM + r")(\s?)(" + words.UNIT_PATTERN + r"|" +
      words.MAGNITUDE_PATTERN + r")(?![\w²/])")
def units(match: re.Match[str]) -> str:
    """10km → ten kilometres; 1 kg → one kilogram; 5m high → five metres; 5m people → five
    million people; 3bn → three billion."""
    written, space, unit = match.group(1, 2, 3)
    if unit in ("B", "M", "K"):
        return match.group(0)  # "101B", "4K": a code or a name, read by later rules
    adjective = _after_article(match)
    if unit == "m" or (unit in words.MAGNITUDES and unit not in words.UNITS):
        next_word = _NEXT_WORD.match(match.string, match.end())
        metres = unit == "m" and (
            next_word is None or next_word.group(1) in words.METRE_CONTEXT or adjective)
        if not metres:
            if space and unit in ("m", "b", "k", "K", "B", "M"):
                return match.group(0)  # "5 m" / "3 b": not a magnitude
            return f"{words.number(written)} {words.MAGNITUDES[unit]}"
    if space and len(unit) == 1:
        return match.group(0)  # "5 g" or "the 3 l": too ambiguous to expand
    one, many = words.UNITS[unit]
    return f"{words.number(written)} {one if written == '1' or adjective else many}"
