"""Rewrite clean text into what a newsreader says: the ``spoken`` form of a segment.

In: a line of clean text (and a ``Lexicon``). Out: the same words with every number, date, time,
amount, unit, symbol, abbreviation and acronym written the way it is said, and no digits left.
``Normaliser`` applies the lexicon first (its words are final), then ``RULES`` in order, then
tidies the typography.

The rules live in one module per family (``abbreviations``, ``phones``, ``money``, ``times``,
``quantities``, ``numbers``, ``symbols``, ``capitals``); the words they say in ``words``; their one
shape in ``rule``. ``RULES`` below is the order they run in, which matters: abbreviations before
numbers ("No. 10"), phone numbers and money before plain numbers, dates before years, the numbers
before the symbols left over, and capitals last.
"""

from __future__ import annotations

import re

from ..lexicon import Lexicon
from . import abbreviations, capitals, money, numbers, phones, quantities, symbols, times, words
from .rule import PROTECT_BASE, PROTECT_SLOTS, PROTECTED, Rule
from .typography import prepare, tidy

RULES: tuple[Rule, ...] = (
    abbreviations.abbreviations, abbreviations.doctor_before_name, abbreviations.drive,
    abbreviations.doctor, abbreviations.street_road, abbreviations.saint,
    abbreviations.number_abbreviation, abbreviations.versus, abbreviations.month_abbreviations,
    abbreviations.dotted_acronyms,
    phones.phone_numbers,
    numbers.scientific,
    money.money, money.pence,
    quantities.temperature,
    times.time_of_day, times.hour_of_day, times.numeric_date, times.clock_time,
    numbers.ratio, numbers.colons,
    times.day_month, times.month_day, times.decades,
    numbers.ranges,
    quantities.percent, quantities.units,
    numbers.ordinals, numbers.roman,
    times.years,
    numbers.alphanumerics,
    numbers.twenty_four_seven, numbers.apart_from_letters, numbers.pausing_commas,
    numbers.number_sign, numbers.codes, numbers.fractions, numbers.dotted_numbers,
    numbers.leading_point, numbers.plain_numbers,
    symbols.currency_signs, symbols.ampersand, symbols.plus_after, symbols.plus_between,
    symbols.plus_before, symbols.at_sign, symbols.hashtag, symbols.equals, symbols.about,
    symbols.by, symbols.percent_sign, symbols.degree_sign, symbols.section, symbols.slash,
    symbols.dashes, symbols.en_dash, symbols.stray_marks,
    capitals.shouting, capitals.acronyms, capitals.spelled_hyphen,
)


class Normaliser:
    """Turns text into its spoken form: the lexicon first, then the rules, then tidying."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = Lexicon({}) if lexicon is None else lexicon

    def _protect(self, text: str) -> tuple[str, list[str]]:
        """Replace lexicon words by private-use characters so no rule rewrites what they say."""
        said: list[str] = []

        def keep(word: str) -> str:
            if len(said) == PROTECT_SLOTS:
                return word  # (more lexicon words than there are stand-ins: the rest unguarded)
            said.append(word)
            return chr(PROTECT_BASE + len(said) - 1)

        return self.lexicon.apply(text, keep), said

    def __call__(self, text: str) -> str:
        """The spoken form of ``text``."""
        text = prepare(text)
        text, said = self._protect(text)
        for rule in RULES:
            text = rule(text)
        text = re.sub(PROTECTED, lambda m: said[ord(m.group(0)) - PROTECT_BASE], text)
        text = re.sub(r"\d+", lambda m: words.cardinal(m.group(0)), text)  # none should be left
        return tidy(text)


def speak(text: str, lexicon: Lexicon | None = None) -> str:
    """The spoken form of ``text``."""
    return Normaliser(lexicon)(text)


__all__ = ["RULES", "Normaliser", "speak"]
