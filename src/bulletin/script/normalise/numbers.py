"""Numbers: scientific notation, ratios, ranges and scores, ordinals, Roman numerals, numbers
stuck to letters, and, last, every number that is left (codes, fractions, decimals, counts)."""

from __future__ import annotations

import re

from . import words
from .rule import LETTER, NUM, PROTECTED, rule

_SCORE_CONTEXT = re.compile(
    r"\b(won|win|wins|winning|beat|beats|beaten|lost|lose|loses|losing|defeat|defeated|defeats|"
    r"drew|draw|drawn|victory|win|score|scored|scoreline|lead|led|leads|trail|trailing|"
    r"thrashed|thrashing|routed|edged|final)\b[^.;]{0,40}$", re.IGNORECASE)
_SIGN = r"(?:(?<=\s)-|(?<=^)-|(?<=\()-)?"  # a minus sign where a number may start


@rule(r"(?<![\w.])(\d++(?:\.\d++)?)[eE]([-+]?\d++)(?!\w|\.\d)")
def scientific(match: re.Match[str]) -> str:
    """1e308 → one times ten to the power of three hundred and eight; 2.5e-3 → two point five
    times ten to the power of minus three."""
    return words.scientific(*match.group(1, 2))


@rule(r"(?<![\d:])(\d+):(\d)(?![\d:])")
def ratio(match: re.Match[str]) -> str:
    """3:1 → three to one."""
    return f"{words.cardinal(match.group(1))} to {words.cardinal(match.group(2))}"


@rule(r"(?<=\d):(?=\d)")
def colons(match: re.Match[str]) -> str:
    """A colon between numbers that are not a time or a ratio (25:61, 12:30:45) is a pause:
    twenty five, sixty one."""
    return ", "


@rule(r"(?<![\w.,-])(\d{4}|" + NUM + r")\s?[-–]\s?(\d{2,4}|" + NUM + r")(?![\d-])")
def ranges(match: re.Match[str]) -> str:
    """7-2 after "won" → seven two (0 is "nil"); 10-20 → ten to twenty; 2019-20 → twenty nineteen
    to twenty."""
    low, high = match.group(1, 2)
    if re.fullmatch(r"\d{4}", low) and 1100 <= int(low) <= 2099 and re.fullmatch(r"\d{2,4}", high):
        later = words.year(high) if len(high) == 4 else words.cardinal(high)
        if len(high) == 2 and high.startswith("0"):
            later = "oh " + words.cardinal(high)
        return f"{words.year(low)} to {later}"
    start = match.start()  # the score words end at most 60 characters before the score
    if (_SCORE_CONTEXT.search(match.string, max(0, start - 60), start) and low.isdigit()
            and high.isdigit()):
        say = [("nil" if n == "0" else words.cardinal(n)) for n in (low, high)]
        return f"{say[0]} {say[1]}"
    return f"{low} to {high}"


@rule(r"\b(\d+)(?:st|nd|rd|th)\b")
def ordinals(match: re.Match[str]) -> str:
    """21st → twenty first; 19th-century → nineteenth-century."""
    return words.ordinal(match.group(1))


@rule(r"\b([A-Z][a-z]+)(\s+)(" + "|".join(sorted(words.ROMAN, key=len, reverse=True)) +
      r")\b(?![-'’]?[A-Za-z])")
def roman(match: re.Match[str]) -> str:
    """World War II → World War two; Elizabeth II → Elizabeth the second."""
    name, space, numeral = match.group(1, 2, 3)
    value = words.ROMAN[numeral]
    said = words.cardinal(value) if name == "War" else f"the {words.ordinal(value)}"
    return f"{name}{space}{said}"


@rule(r"((?<![A-Za-z])[A-Za-z]++|" + PROTECTED + r")-?(\d++)\b(?!\.\d)|\b(\d+)([A-Z]{1,3})\b")
def alphanumerics(match: re.Match[str]) -> str:
    """G7 → G seven; Covid-19 → Covid nineteen; MH17 → MH seventeen; 4G → four G."""
    if match.group(1):
        return f"{match.group(1)} {words.cardinal(match.group(2))}"
    return f"{words.cardinal(match.group(3))} {match.group(4)}"


# --- What numbers remain, in this order ----------------------------------------------------

@rule(r"\b24/7\b")
def twenty_four_seven(match: re.Match[str]) -> str:
    """24/7 → twenty four seven."""
    return "twenty four seven"


@rule(rf"(?<={LETTER})(?=\d)|(?<=\d)(?={LETTER})")
def apart_from_letters(match: re.Match[str]) -> str:
    """A number stuck to letters is a word of its own: 5e3f → 5 e 3 f."""
    return " "


@rule(r"(?<=\d),(?=\d)(?!\d{3}(?!\d))")
def pausing_commas(match: re.Match[str]) -> str:
    """A comma that does not group thousands is a pause: 1,2345 → 1, 2345."""
    return ", "


@rule(r"#\s?(?=\d)")
def number_sign(match: re.Match[str]) -> str:
    """#5 → number 5."""
    return "number "


@rule(r"(?<![\d+])(?:\+\d{1,3}\s?)?0\d{2,4}(?:[\s-]\d{3,4}){1,3}(?!\d)")
def codes(match: re.Match[str]) -> str:
    """Codes with a leading 0 that ``phone_numbers`` left alone (too few digits for a phone number,
    or not where one starts) are read digit by digit, not as amounts: 020 7946 → oh two oh, seven
    nine four six."""
    return words.digits(match.group(0))


@rule(r"\b(\d+)/(\d+)\b")
def fractions(match: re.Match[str]) -> str:
    """3/4 → three quarters; 3/40 → three out of forty."""
    return words.fraction(*match.group(1, 2))


@rule(r"(?<!\d)\d++(?:\.\d++){2,}")
def dotted_numbers(match: re.Match[str]) -> str:
    """1.2.3 → one point two point three."""
    return " point ".join(map(words.cardinal, match.group(0).split(".")))


@rule(r"(?<![\w.])\.(?=\d)")
def leading_point(match: re.Match[str]) -> str:
    """.5 → point 5."""
    return "point "


@rule(_SIGN + r"\d+(?:,\d{3})+(?:\.\d+)?|" + _SIGN + r"\d+(?:\.\d+)?")
def plain_numbers(match: re.Match[str]) -> str:
    """2,418 → two thousand four hundred and eighteen; 1.6 → one point six; -3 → minus three;
    007 and numbers of seven digits or more (codes) → digit by digit."""
    written = match.group(0)
    bare = written.lstrip("-")
    if re.fullmatch(r"0\d+|\d{7,}", bare):
        return words.digits(bare)
    return words.number(written)
