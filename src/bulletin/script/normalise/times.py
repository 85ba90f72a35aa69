"""Dates and times: times of day, the 24-hour clock, dates written in words or in figures,
decades and years."""

from __future__ import annotations

import re

from . import words
from .rule import rule

_MERIDIEM = r"\s?([ap])\.?\s?m\b\.?"
_FOLLOWING_WORD = re.compile(r"\s++([a-z]++)")


@rule(r"\b(\d{1,2})[:.](\d{2})" + _MERIDIEM, re.IGNORECASE)
def time_of_day(match: re.Match[str]) -> str:
    """9:30am → nine thirty a.m.; 1.30pm → one thirty p.m.; 25:61pm, not a time, → 25, 61pm (two
    numbers, read by later rules)."""
    hour, minute, half = match.group(1, 2, 3)
    if int(hour) > 23 or int(minute) > 59:
        return f"{hour}, {minute}{match.group(0)[len(hour) + 1 + len(minute):]}"
    spoken = words.cardinal(hour) if int(minute) == 0 else words.clock(hour, minute)
    return f"{spoken} {half.lower()}.m."


@rule(r"\b(\d{1,2})" + _MERIDIEM, re.IGNORECASE)
def hour_of_day(match: re.Match[str]) -> str:
    """7pm → seven p.m."""
    return f"{words.cardinal(match.group(1))} {match.group(2).lower()}.m."


@rule(r"\b(\d{4})-(\d{2})-(\d{2})\b|\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
def numeric_date(match: re.Match[str]) -> str:
    """2026-11-24 and 24/11/2026 → the twenty fourth of November twenty twenty six."""
    if match.group(1):
        year, month, day = match.group(1, 2, 3)
    else:
        day, month, year = match.group(4, 5, 6)
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        return match.group(0)
    return _day_month(day, words.MONTHS[int(month) - 1], year)


_NAMED_HOUR = re.compile(r"\s*+(?:noon|midday|midnight)\b", re.IGNORECASE)


@rule(r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])(\.(?!\w))?")
def clock_time(match: re.Match[str]) -> str:
    """21:00 → nine p.m.; 14:30 → two thirty p.m.; 12:00 → noon; 00:00 → midnight; 9:30 (either
    clock) → nine thirty. A full stop after the time is the one "p.m." ends with."""
    named = _NAMED_HOUR.match(match.string, match.end()) is not None  # "12:00 noon"
    said = words.twenty_four_hour(*match.group(1, 2), named=named)
    return said if said.endswith(".") else said + (match.group(3) or "")


def _day_month(day: str, month: str, year: str | None) -> str:
    said = f"the {words.ordinal(day)} of {month}"
    return f"{said} {words.year(year)}" if year else said


@rule(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(" + words.MONTH_PATTERN + r")\b(?:,?\s+(\d{4})\b)?")
def day_month(match: re.Match[str]) -> str:
    """24 November 2026 → the twenty fourth of November twenty twenty six."""
    day, month, year = match.group(1, 2, 3)
    return _day_month(day, month, year) if 1 <= int(day) <= 31 else match.group(0)


@rule(r"\b(" + words.MONTH_PATTERN + r")\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4})\b)?")
def month_day(match: re.Match[str]) -> str:
    """November 24, 2026 → November twenty fourth twenty twenty six."""
    month, day, year = match.group(1, 2, 3)
    if not 1 <= int(day) <= 31:
        return match.group(0)
    said = f"{month} {words.ordinal(day)}"
    return f"{said} {words.year(year)}" if year else said


@rule(r"(?<![\w.,])['’]?((?:1[1-9]|20)?\d0)['’]?s\b")
def decades(match: re.Match[str]) -> str:
    """1990s → nineteen nineties; '80s → eighties."""
    return words.decade(match.group(1))


@rule(r"(?<![\w.,])(1[1-9]\d\d|20\d\d)(?![\w.,]\d|\d)")
def years(match: re.Match[str]) -> str:
    """2014 → twenty fourteen (a four-digit number from 1100 to 2099 with no separator is a year,
    unless a count noun follows: "2014 people" → two thousand and fourteen people)."""
    value = match.group(1)
    following = _FOLLOWING_WORD.match(match.string, match.end())
    if following and following.group(1) in words.COUNT_NOUNS:
        return words.cardinal(value)
    return words.year(value)
