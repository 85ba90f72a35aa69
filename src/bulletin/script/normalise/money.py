"""Money: amounts in pounds, dollars, euros, yen and rupees, with magnitudes and ranges, and
pence."""

from __future__ import annotations

import re

from . import words
from .rule import NUM, rule

_AMOUNT = r"\s?(" + NUM + r")(?:\s?(" + words.MAGNITUDE_PATTERN + r")\b)?"
_WORD_BEFORE = re.compile(r"\b([A-Za-z]++)\s*+$")
_WORD_AFTER = re.compile(r"\s++([a-z]++)\b(?![-'’])")


def _names_a_thing(match: re.Match[str]) -> bool:
    """Whether the amount ``match`` describes the noun after it, as in "a £2,000 job" or "the £5m
    deal" (a determiner before, a noun after), rather than being an amount of its own."""
    start = match.start()
    before = _WORD_BEFORE.search(match.string, max(0, start - 20), start)
    if before is None or before.group(1).lower() not in words.DETERMINERS:
        return False
    after = _WORD_AFTER.match(match.string, match.end())
    if after is None:
        return False
    word = after.group(1)
    participle = len(word) > 4 and word.endswith("ed") and not word.endswith("eed")
    return word not in words.NOT_NOUNS and not participle  # "the £2,000 raised": not a noun


def _hyphenated(amount: str, currency: str) -> str:
    """"two thousand", "pound" → "two-thousand-pound"; a currency of two words stays apart ("five
    million US dollar")."""
    joined = "-".join(amount.split())
    return f"{joined}-{currency}" if " " not in currency else f"{joined} {currency}"


@rule(r"(?<![\w$])(" + words.CURRENCY_PATTERN + r")" + _AMOUNT +
      r"(?:\s?[-–]\s?(?:" + words.CURRENCY_PATTERN + r")?" + _AMOUNT + r")?")
def money(match: re.Match[str]) -> str:
    """£5m → five million pounds; $1.2bn → one point two billion dollars; £1.20 → one pound
    twenty; £5m-£10m → five million to ten million pounds; an amount that describes a thing is
    said in the singular: a £2,000 job → a two-thousand-pound job, a £2.50 fare → a two pound fifty
    fare."""
    one, many, minor_one, minor_many = words.CURRENCIES[match.group(1)]
    amount, magnitude, upper, upper_magnitude = match.group(2, 3, 4, 5)
    if _names_a_thing(match):
        many = one

    def value(written: str, mag: str | None) -> tuple[str, bool]:
        if mag:
            return f"{words.number(written)} {words.MAGNITUDES[mag]}", False
        return words.number(written), written.replace(",", "") == "1"

    if upper:
        low, _ = value(amount, magnitude or upper_magnitude)
        high, _ = value(upper, upper_magnitude)
        return f"{low} to {high} {many}"
    if magnitude:
        spoken = value(amount, magnitude)[0]
        return _hyphenated(spoken, one) if many == one else f"{spoken} {many}"
    whole, _, cents = amount.replace(",", "").partition(".")
    if cents and len(cents) == 2:
        pounds = whole.lstrip("0")  # as written: a huge amount is too big for int()
        minor = int(cents)
        if not pounds:
            return f"{words.cardinal(minor)} {minor_one if minor == 1 else minor_many}"
        said = f"{words.cardinal(pounds)} {one if pounds == '1' else many}"
        return f"{said} {words.cardinal(minor)}" if minor else said
    spoken, single = value(amount, None)
    if many == one:
        return _hyphenated(spoken, one)
    return f"{spoken} {one if single else many}"


@rule(r"\b(\d+)p\b")
def pence(match: re.Match[str]) -> str:
    """50p → fifty pence; 1p → one penny."""
    count = match.group(1)
    return f"{words.cardinal(count)} {'penny' if count.lstrip('0') == '1' else 'pence'}"
