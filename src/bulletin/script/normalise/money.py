"""Money: amounts in pounds, dollars, euros, yen and rupees, with magnitudes and ranges, and
pence."""

from __future__ import annotations

import re

from . import words
from .rule import NUM, rule

_AMOUNT = r"\s?(" + NUM + r")(?:\s?(" + words.MAGNITUDE_PATTERN + r")\b)?"


@rule(r"(?<![\w$])(" + words.CURRENCY_PATTERN + r")" + _AMOUNT +
      r"(?:\s?[-–]\s?(?:" + words.CURRENCY_PATTERN + r")?" + _AMOUNT + r")?")
def money(match: re.Match[str]) -> str:
    """£5m → five million pounds; $1.2bn → one point two billion dollars; £1.20 → one pound
    twenty; £5m-£10m → five million to ten million pounds."""
    one, many, minor_one, minor_many = words.CURRENCIES[match.group(1)]
    amount, magnitude, upper, upper_magnitude = match.group(2, 3, 4, 5)

    def value(written: str, mag: str | None) -> tuple[str, bool]:
        if mag:
            return f"{words.number(written)} {words.MAGNITUDES[mag]}", False
        return words.number(written), written.replace(",", "") == "1"

    if upper:
        low, _ = value(amount, magnitude or upper_magnitude)
        high, _ = value(upper, upper_magnitude)
        return f"{low} to {high} {many}"
    if magnitude:
        return f"{value(amount, magnitude)[0]} {many}"
    whole, _, cents = amount.replace(",", "").partition(".")
    if cents and len(cents) == 2:
        pounds = whole.lstrip("0")  # as written: a huge amount is too big for int()
        minor = int(cents)
        if not pounds:
            return f"{words.cardinal(minor)} {minor_one if minor == 1 else minor_many}"
        said = f"{words.cardinal(pounds)} {one if pounds == '1' else many}"
        return f"{said} {words.cardinal(minor)}" if minor else said
    spoken, single = value(amount, None)
    return f"{spoken} {one if single else many}"


@rule(r"\b(\d+)p\b")
def pence(match: re.Match[str]) -> str:
    """50p → fifty pence; 1p → one penny."""
    count = match.group(1)
    return f"{words.cardinal(count)} {'penny' if count.lstrip('0') == '1' else 'pence'}"
