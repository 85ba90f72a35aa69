"""Hostile text: the cleaner and the normaliser take any input in time linear in its length, never
raise, and never leave a digit or a stray symbol in what the voice is asked to say."""

from __future__ import annotations

import gc
import re
import time
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bulletin.articles.clean import clean_article
from bulletin.errors import InputError
from bulletin.models import Article
from bulletin.script.lexicon import default_lexicon
from bulletin.script.normalise import Normaliser

SPEAK = Normaliser(default_lexicon())
QUICK = settings(max_examples=40, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow])
# The characters that hostile text is made of: the ones the rules look for, and a few others.
ADVERSARIAL = "aAzZ019 .,:;@-–—+#&%°£$€/()[]'’\"\n\t\u00a0eEmkpst×½é字\U000F0001"


def clean(text: str) -> Article | None:
    """The cleaned article with ``text`` as its only paragraph, or None when nothing is left."""
    try:
        return clean_article(Article(title="Hostile text", paragraphs=(text,), source="t.txt"))
    except InputError:
        return None  # nothing left to read: the one designed refusal


def _cpu(func: Callable[[str], object], text: str, runs: int) -> float:
    """The least process CPU time of ``runs`` calls of ``func(text)``."""
    best = float("inf")
    gc.disable()
    try:
        for _ in range(runs):
            start = time.process_time()
            func(text)
            best = min(best, time.process_time() - start)
    finally:
        gc.enable()
    return best


def _sentence(unit: str, length: int) -> str:
    """``unit`` repeated to ``length`` characters, inside a sentence."""
    return f"It said {(unit * length)[:length]} today."


def _growth(func: Callable[[str], object], unit: str) -> float:
    """How much longer ``func`` takes on ``unit`` repeated to 8n characters than to n characters:
    about 8 when its time is linear, about 64 when it is quadratic. n grows until the short text
    takes a measurable time (or reaches 16,000 characters)."""
    n = 250
    while True:
        small = _cpu(func, _sentence(unit, n), 3)
        if small >= 0.004 or n >= 16_000:
            break
        n *= 2
    large = _cpu(func, _sentence(unit, 8 * n), 1)
    return large / max(small, 0.001)


def assert_linear(func: Callable[[str], object], unit: str) -> None:
    """8× the text takes well under 64× the time (measured twice before failing, so a busy
    machine cannot fail it)."""
    ratio = _growth(func, unit)
    if ratio >= 30:
        ratio = min(ratio, _growth(func, unit))
    name = getattr(func, "__name__", type(func).__name__)
    assert ratio < 30, f"{name} on {unit!r}×n: 8× the text took {ratio:.0f}× the time"


# Runs of these made rules quadratic (the spaces made the credit rule cubic): a pattern scanned
# the rest of a run of letters, digits, spaces or separators from every position inside it, or a
# rule looked at the whole text around each of many matches.
UNITS = ["a", "A", "1", " ", "\t", "\n", ".", "-", "a.", "a1", "1.", "1,", "a-", "+1", "Aa",
         "1-2 ", "5km ", "1e", "x@y.", "www.", "http://x.", "etc. ", "Inc. ", "A.B. x ", "2014 ",
         "Ab St ", "1 & ", "AB AB x ", "A'", "1:2:", "1/2/", "£1,", "(", "é"]


@pytest.mark.parametrize("unit", UNITS)
def test_the_normaliser_takes_time_linear_in_the_text(unit: str) -> None:
    assert_linear(SPEAK, unit)


@pytest.mark.parametrize("unit", UNITS)
def test_the_cleaner_takes_time_linear_in_the_text(unit: str) -> None:
    assert_linear(clean, unit)


@settings(QUICK, max_examples=12)
@given(st.text(ADVERSARIAL, min_size=1, max_size=4))
def test_any_repeated_pattern_takes_linear_time(unit: str) -> None:
    assert_linear(SPEAK, unit)
    assert_linear(clean, unit)


def test_a_forty_thousand_letter_word_is_read_quickly() -> None:
    word = "x" * 40_000
    start = time.process_time()
    spoken = SPEAK(f"The word {word} and {word}7 again.")
    cleaned = clean(f"Write to {word}@{word}.org or see www.{word}.org")
    assert time.process_time() - start < 10  # it took 52 s and more, growing with the square
    assert spoken == f"The word {word} and {word} seven again."
    assert cleaned is not None and cleaned.paragraphs == ("Write or",)  # no address, no link


def _say_no_digits(text: str) -> str:
    """What the voice says for ``text``: a str, with no digit in it."""
    spoken = SPEAK(text)
    assert isinstance(spoken, str)
    assert not re.search(r"[0-9]", spoken), (text, spoken)
    return spoken


@QUICK
@given(st.text(max_size=200))
def test_any_text_is_spoken_without_digits(text: str) -> None:
    _say_no_digits(text)


@QUICK
@given(st.text(ADVERSARIAL, max_size=300))
@example("1e308 and 25:61")
@example("9" * 400 + "th")
def test_hostile_text_is_spoken_without_digits(text: str) -> None:
    _say_no_digits(text)


_DIGITS = st.one_of(st.text("0123456789", min_size=1, max_size=12),
                   st.text("0123456789", min_size=300, max_size=320))
_MARKS = [":", ".", ",", "-", "/", "@", "%", "°", "£", "$", "€", " ", " - ", "+", "#", "×", "(",
          ")"]
_SUFFIXES = ["e", "E", "e-", "°C", "m", "bn", "k", "km", "kg", "th", "st", "am", "pm", "p"]
# Numbers with the marks and suffixes that are written around them.
NUMBER_TEXT = st.lists(st.one_of(_DIGITS, st.sampled_from(_MARKS + _SUFFIXES)),
                       max_size=12).map("".join)
# Numbers and marks only: every word the voice says comes from a number or a mark, so a ':' or '/'
# joining two words was left between two numbers.
NUMBERS_AND_MARKS = st.lists(st.one_of(_DIGITS, st.sampled_from(_MARKS)), max_size=12).map(
    "".join)


@QUICK
@given(NUMBER_TEXT)
@example("1e308 and 1e-5 and 2.5E3")
@example(f"£{'9' * 320}bn and {'9' * 320}th and {'9' * 320}°C")
def test_numbers_of_any_size_are_read_as_words(text: str) -> None:
    _say_no_digits(text)


@QUICK
@given(NUMBERS_AND_MARKS)
@example("25:61")
@example("1:2:3")
@example("1@2")
def test_no_mark_is_left_between_numbers(text: str) -> None:
    spoken = _say_no_digits(text)
    assert not re.search(r"\w[:/]\w|@", spoken), (text, spoken)


@QUICK
@given(st.text(max_size=300))
def test_any_paragraph_is_cleaned_or_refused(text: str) -> None:
    article = clean(text)
    assert article is None or all(isinstance(p, str) and p for p in article.paragraphs)


@QUICK
@given(st.text(ADVERSARIAL, max_size=300))
def test_any_hostile_paragraph_is_cleaned_or_refused(text: str) -> None:
    article = clean(text)
    assert article is None or all(isinstance(p, str) and p for p in article.paragraphs)
