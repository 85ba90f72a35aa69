"""Phone numbers, read as a newsreader reads them: each group as written, digit by digit."""

from __future__ import annotations

import re

from . import words
from .rule import rule


@rule(
    # international: +44 20 7946 0958, +1 (555) 867-5309, +33 1 23 45 67 89, +44 (0)20 7946 0958
    r"(?<![\w+])\+\d{1,3}(?:\s?\(0\))?(?:[\s.-]?\(?\d{1,5}\)?){2,6}(?!\d)"
    # with a trunk 0: 020 7946 0958, 07700 900123, 0161-496-0000
    r"|(?<![\w+.,-])0\d{2,4}(?:[\s-]\d{3,6}){1,3}(?![\d.,]\d|\d)"
    # North American: (555) 867-5309, 555-867-5309, 1-800-555-0199, 555.867.5309
    r"|(?<![\w.,-])(?:1[\s.-])?(?:\(\d{3}\)\s?|\d{3}[.-])\d{3}[.-]\d{4}(?![\w-])"
)
def phone_numbers(match: re.Match[str]) -> str:
    """+44 20 7946 0958 → plus four four, two oh, seven nine four six, oh nine five eight;
    1-800-555-0199 → one, eight hundred, five five five, oh one nine nine: each group as written,
    digit by digit (a round hundred as a hundred), with a pause between groups."""
    groups = re.findall(r"\+?\d+", re.sub(r"\(0\)", " ", match.group(0)))
    if not 7 <= sum(len(g.lstrip("+")) for g in groups) <= 15:
        return match.group(0)
    said = []
    for group in groups:
        number = group.lstrip("+")
        if group.startswith("+"):
            said.append("plus " + words.digits(number))
        elif re.fullmatch(r"[1-9]00", number):
            said.append(words.DIGIT_WORDS[int(number[0])] + " hundred")
        else:
            said.append(words.digits(number))
    return ", ".join(said)
