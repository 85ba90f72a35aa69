"""Symbols said as words (& → and, + → plus, % → percent, ° → degrees), dashes read as a pause,
and stray marks dropped. These run after the numbers: a symbol still here is not part of one."""

from __future__ import annotations

import re

from .rule import SPACES, rule


@rule(r"[£$€¥₹]")
def currency_signs(match: re.Match[str]) -> str:
    """A currency sign with no amount after it is not said."""
    return ""


@rule(rf"(?:{SPACES})?&\s*")
def ampersand(match: re.Match[str]) -> str:
    """Marks & Spencer → Marks and Spencer."""
    return " and "


@rule(r"(?<=\w)\+(?=\W|$)")
def plus_after(match: re.Match[str]) -> str:
    """Over 18+ → over 18 plus."""
    return " plus"


@rule(r"\s\+\s")
def plus_between(match: re.Match[str]) -> str:
    """a + b → a plus b."""
    return " plus "


@rule(r"(?<![\w+])\+(?=[^\W\d_])")
def plus_before(match: re.Match[str]) -> str:
    """+more → plus more."""
    return "plus "


@rule(rf"(?:{SPACES})?@\s*")
def at_sign(match: re.Match[str]) -> str:
    """@ → at."""
    return " at "


@rule(r"#(?=\w)")
def hashtag(match: re.Match[str]) -> str:
    """#ferry → hashtag ferry."""
    return "hashtag "


@rule(rf"(?:{SPACES})?=\s*")
def equals(match: re.Match[str]) -> str:
    """= → equals."""
    return " equals "


@rule(r"~\s*")
def about(match: re.Match[str]) -> str:
    """~ → about."""
    return "about "


@rule(rf"(?:{SPACES})?×\s*")
def by(match: re.Match[str]) -> str:
    """3 × 4 → 3 by 4."""
    return " by "


@rule(r"%")
def percent_sign(match: re.Match[str]) -> str:
    """% → percent."""
    return " percent"


@rule(r"°")
def degree_sign(match: re.Match[str]) -> str:
    """° → degrees."""
    return " degrees"


@rule(r"§\s*")
def section(match: re.Match[str]) -> str:
    """§ 4 → section 4."""
    return "section "


@rule(r"(?<=[a-z])/(?=[a-z])")
def slash(match: re.Match[str]) -> str:
    """and/or → and or or."""
    return " or "


@rule(rf"{SPACES}[-–—]\s+|(?:{SPACES})?—\s*|(?<=\w)–\s+|{SPACES}–(?=\w)")
def dashes(match: re.Match[str]) -> str:
    """A dash between words (" - ", "—", " –") is a pause."""
    return ", "


@rule(r"(?<=\w)–(?=\w)")
def en_dash(match: re.Match[str]) -> str:
    """An en dash joining two words is "to": London–Paris → London to Paris."""
    return " to "


@rule(r"[*_|•·^<>{}\[\]\\]")
def stray_marks(match: re.Match[str]) -> str:
    """Marks with nothing to say (* _ | • · ^ < > { } [ ] \\) are dropped."""
    return " "
