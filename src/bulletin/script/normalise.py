"""Rewrite clean text into what a newsreader says: the ``spoken`` form of a segment.

In: a line of clean text (and a ``Lexicon``). Out: the same words with every number, date, time,
amount, unit, symbol, abbreviation and acronym written the way it is said, and no digits left.
The lexicon is applied first and its results are final; then the rules run in a fixed order
(money before plain numbers, dates before years, and so on).

Every rule runs in time linear in its text, whatever the text: a pattern never rescans a run of
letters, digits or spaces from each position inside it (a lookbehind lets it start only where the
run starts, and runs are possessive, ``*+`` ``++``, where giving characters back could not help),
and a rule that looks around a match looks at a bounded window, never at the whole text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from . import rules
from .lexicon import Lexicon

Rule = Callable[[str], str]
_NUM = r"\d[\d,]*+(?:\.\d++)?"  # 1,250 / 61.5 / 7
_NUM_START = r"(?<![\w.])(?<!\d,)"  # where a number starts: not inside another one
_PROTECT_BASE = 0xF0000  # private-use code points stand in for lexicon results while rules run
_PROTECTED = r"[\U000F0000-\U000FFFFD]"
_PROTECT_SLOTS = 0xFFFFD - _PROTECT_BASE + 1


def _sub(pattern: str, flags: int = 0) -> Callable[[Callable[[re.Match[str]], str]], Rule]:
    """Decorator: turn a match → replacement function into a text → text rule."""
    compiled = re.compile(pattern, flags)

    def wrap(func: Callable[[re.Match[str]], str]) -> Rule:
        def rule(text: str) -> str:
            return compiled.sub(func, text)
        rule.__name__ = func.__name__
        rule.__doc__ = func.__doc__
        return rule
    return wrap


def prepare(text: str) -> str:
    """Unify the typography: minus signs, spaces, fractions, ellipses, dashes."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(_PROTECTED, "", text)  # unsayable, and reserved for the lexicon's results
    if not text.isascii():  # digits of other scripts (٣, ３) are read as the digits they are
        text = re.sub(r"(?![0-9])\d", lambda m: str(unicodedata.decimal(m.group(0))), text)
    text = text.replace("\u2212", "-").replace("\u2011", "-").replace("\u2010", "-")
    text = re.sub(r"[\u00a0\u2000-\u200b\u202f\u205f]", " ", text)
    text = text.replace("…", "...")
    for mark, words in (("½", " and a half"), ("¼", " and a quarter"),
                        ("¾", " and three quarters")):
        text = re.sub(rf"(?<=\d)\s?{mark}", words, text)
        text = text.replace(mark, words.replace(" and ", "", 1).strip())
    return text


# --- Abbreviations and titles ---------------------------------------------------------------

_ABBREVIATION = re.compile(
    r"(?<![\w.])(" + "|".join(re.escape(a) for a in sorted(rules.ABBREVIATIONS, key=len,
                                                            reverse=True)) + r")(?![\w])")


_AT_END = re.compile(r"\s*+\Z")
_NEXT_CAPITAL_WORD = re.compile(r"\s++[\"“‘]?([A-Z][a-z]*+)\b")


def _final_stop(dot: str, text: str, end: int) -> str:
    """The full stop of an abbreviation ending at ``end`` in ``text`` that also ends its sentence
    ("in the U.S. The..."), else nothing ("the U.S. President")."""
    if not dot:
        return ""
    if _AT_END.match(text, end):
        return "."
    ahead = _NEXT_CAPITAL_WORD.match(text, end)
    return "." if ahead and ahead.group(1) in rules.SENTENCE_STARTERS else ""


def abbreviations(text: str) -> str:
    """Titles and abbreviations said in full: Dr, Mr, St, No., vs, e.g., Ltd, months before days."""
    def expand(match: re.Match[str]) -> str:
        written = match.group(1)
        said = rules.ABBREVIATIONS[written]
        if written in rules.SENTENCE_FINAL and written.endswith("."):
            said += _final_stop(".", text, match.end())
        return said

    text = _ABBREVIATION.sub(expand, text)
    # Dr: Doctor before a name, Drive after a street name.
    text = re.sub(r"\bDr\.?(?=\s+[A-Z])", "Doctor", text)
    text = re.sub(r"(?<=[A-Z][a-z])(\s+)Dr\b\.?", r"\1Drive", text)
    text = re.sub(r"\bDr\b\.?", "Doctor", text)
    # St: Street after a name ("Quay St"), Saint before one ("St Andrews").
    text = re.sub(r"\b([A-Z][a-z]+\s+)(St|Rd)\b(?!\s+[A-Z])(\.?)",
                  lambda m: m.group(1) + ("Street" if m.group(2) == "St" else "Road")
                  + _final_stop(m.group(3), text, m.end()), text)
    text = re.sub(r"\bSt\b\.?", "Saint", text)
    # No. 10, no 3: "number".
    text = re.sub(r"\b(N)o\.?\s*(?=\d)", lambda m: "Number " if m.group(1) == "N" else "number ",
                  text, flags=re.IGNORECASE)
    # v between two names: versus.
    text = re.sub(r"(?<=[A-Za-z])\s+v\.?\s+(?=[A-Z])", " versus ", text)
    # Month abbreviations in dates: Feb. 9 → February 9.
    text = re.sub(r"\b(" + "|".join(rules.MONTH_ABBREVIATIONS) + r")\.?(?=\s+\d)",
                  lambda m: rules.MONTH_ABBREVIATIONS[m.group(1)], text)
    # Times written with dotted a.m./p.m. or bare am/pm are handled by the time rule.
    # Dotted acronyms: U.S. → US (spelled later); the last dot stays when it ends a sentence.
    text = re.sub(r"\b((?:[A-Z]\.){2,})",
                  lambda m: m.group(1).replace(".", "") + _final_stop(".", text, m.end()), text)
    return text


# --- Phone numbers --------------------------------------------------------------------------

@_sub(
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
    words = []
    for group in groups:
        number = group.lstrip("+")
        if group.startswith("+"):
            words.append("plus " + rules.digits(number))
        elif re.fullmatch(r"[1-9]00", number):
            words.append(rules.DIGIT_WORDS[int(number[0])] + " hundred")
        else:
            words.append(rules.digits(number))
    return ", ".join(words)


# --- Scientific notation, money, percentages, temperatures ----------------------------------

@_sub(r"(?<![\w.])(\d++(?:\.\d++)?)[eE]([-+]?\d++)(?!\w|\.\d)")
def scientific(match: re.Match[str]) -> str:
    """1e308 → one times ten to the power of three hundred and eight; 2.5e-3 → two point five
    times ten to the power of minus three."""
    return rules.scientific(*match.group(1, 2))


@_sub(r"(?<![\w$])(" + rules.CURRENCY_PATTERN + r")\s?(" + _NUM + r")"
      r"(?:\s?(" + rules.MAGNITUDE_PATTERN + r")\b)?(?:\s?[-–]\s?(?:" + rules.CURRENCY_PATTERN
      + r")?\s?(" + _NUM + r")(?:\s?(" + rules.MAGNITUDE_PATTERN + r")\b)?)?")
def money(match: re.Match[str]) -> str:
    """£5m → five million pounds; $1.2bn → one point two billion dollars; £1.20 → one pound
    twenty; £5m-£10m → five million to ten million pounds."""
    one, many, minor_one, minor_many = rules.CURRENCIES[match.group(1)]
    amount, magnitude, upper, upper_magnitude = match.group(2, 3, 4, 5)

    def value(written: str, mag: str | None) -> tuple[str, bool]:
        if mag:
            return f"{rules.number(written)} {rules.MAGNITUDES[mag]}", False
        return rules.number(written), written.replace(",", "") == "1"

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
            return f"{rules.cardinal(minor)} {minor_one if minor == 1 else minor_many}"
        said = f"{rules.cardinal(pounds)} {one if pounds == '1' else many}"
        return f"{said} {rules.cardinal(minor)}" if minor else said
    spoken, single = value(amount, None)
    return f"{spoken} {one if single else many}"


@_sub(r"\b(\d+)p\b")
def pence(match: re.Match[str]) -> str:
    """50p → fifty pence."""
    count = match.group(1)
    return f"{rules.cardinal(count)} {'penny' if count.lstrip('0') == '1' else 'pence'}"


@_sub(_NUM_START + r"(-?" + _NUM + r")\s?(?:%|per ?cent\b|percent\b)")
def percent(match: re.Match[str]) -> str:
    """56% → fifty six percent; 61.5% → sixty one point five percent."""
    return f"{rules.number(match.group(1))} percent "


@_sub(_NUM_START + r"(-?" + _NUM + r")\s?°\s?([CF])?(?![a-zA-Z])")
def temperature(match: re.Match[str]) -> str:
    """−3°C → minus three degrees Celsius; 1°F → one degree Fahrenheit; 45° → forty five degrees."""
    written, scale = match.group(1, 2)
    unit = "degree" if written.lstrip("-") == "1" else "degrees"
    name = {"C": " Celsius", "F": " Fahrenheit"}.get(scale or "", "")
    return f"{rules.number(written)} {unit}{name}"


# --- Times and dates ------------------------------------------------------------------------

_MERIDIEM = r"\s?([ap])\.?\s?m\b\.?"


@_sub(r"\b(\d{1,2})[:.](\d{2})" + _MERIDIEM, re.IGNORECASE)
def time_of_day(match: re.Match[str]) -> str:
    """9:30am → nine thirty a.m.; 1.30pm → one thirty p.m.; 25:61pm, not a time, → 25, 61pm (two
    numbers, read by later rules)."""
    hour, minute, half = match.group(1, 2, 3)
    if int(hour) > 23 or int(minute) > 59:
        return f"{hour}, {minute}{match.group(0)[len(hour) + 1 + len(minute):]}"
    spoken = rules.cardinal(hour) if int(minute) == 0 else rules.clock(hour, minute)
    return f"{spoken} {half.lower()}.m."


@_sub(r"\b(\d{1,2})" + _MERIDIEM, re.IGNORECASE)
def hour_of_day(match: re.Match[str]) -> str:
    """7pm → seven p.m."""
    return f"{rules.cardinal(match.group(1))} {match.group(2).lower()}.m."


@_sub(r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])")
def clock_time(match: re.Match[str]) -> str:
    """21:00 → twenty one hundred; 14:30 → fourteen thirty."""
    return rules.clock(*match.group(1, 2))


@_sub(r"(?<![\d:])(\d+):(\d)(?![\d:])")
def ratio(match: re.Match[str]) -> str:
    """3:1 → three to one."""
    return f"{rules.cardinal(match.group(1))} to {rules.cardinal(match.group(2))}"


@_sub(r"(?<=\d):(?=\d)")
def colons(match: re.Match[str]) -> str:
    """A colon between numbers that are not a time or a ratio (25:61, 12:30:45) is a pause:
    twenty five, sixty one."""
    return ", "


def _day_month(day: str, month: str, year: str | None) -> str:
    said = f"the {rules.ordinal(day)} of {month}"
    return f"{said} {rules.year(year)}" if year else said


@_sub(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(" + rules.MONTH_PATTERN + r")\b(?:,?\s+(\d{4})\b)?")
def day_month(match: re.Match[str]) -> str:
    """24 November 2026 → the twenty fourth of November twenty twenty six."""
    day, month, year = match.group(1, 2, 3)
    return _day_month(day, month, year) if 1 <= int(day) <= 31 else match.group(0)


@_sub(r"\b(" + rules.MONTH_PATTERN + r")\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4})\b)?")
def month_day(match: re.Match[str]) -> str:
    """November 24, 2026 → November twenty fourth twenty twenty six."""
    month, day, year = match.group(1, 2, 3)
    if not 1 <= int(day) <= 31:
        return match.group(0)
    said = f"{month} {rules.ordinal(day)}"
    return f"{said} {rules.year(year)}" if year else said


@_sub(r"\b(\d{4})-(\d{2})-(\d{2})\b|\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
def numeric_date(match: re.Match[str]) -> str:
    """2026-11-24 and 24/11/2026 → the twenty fourth of November twenty twenty six."""
    if match.group(1):
        year, month, day = match.group(1, 2, 3)
    else:
        day, month, year = match.group(4, 5, 6)
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        return match.group(0)
    return _day_month(day, rules.MONTHS[int(month) - 1], year)


@_sub(r"(?<![\w.,])['’]?((?:1[1-9]|20)?\d0)['’]?s\b")
def decades(match: re.Match[str]) -> str:
    """1990s → nineteen nineties; '80s → eighties."""
    return rules.decade(match.group(1))


# --- Ranges, scores, units, ordinals --------------------------------------------------------

_SCORE_CONTEXT = re.compile(
    r"\b(won|win|wins|winning|beat|beats|beaten|lost|lose|loses|losing|defeat|defeated|defeats|"
    r"drew|draw|drawn|victory|win|score|scored|scoreline|lead|led|leads|trail|trailing|"
    r"thrashed|thrashing|routed|edged|final)\b[^.;]{0,40}$", re.IGNORECASE)


def ranges(text: str) -> str:
    """7-2 after "won" → seven two (0 is "nil"); 10-20 → ten to twenty; 2019-20 → twenty nineteen
    to twenty."""
    pattern = re.compile(r"(?<![\w.,-])(\d{4}|" + _NUM + r")\s?[-–]\s?(\d{2,4}|" + _NUM +
                         r")(?![\d-])")

    def replace(match: re.Match[str]) -> str:
        low, high = match.group(1, 2)
        if re.fullmatch(r"\d{4}", low) and 1100 <= int(low) <= 2099 and re.fullmatch(r"\d{2,4}",
                                                                                      high):
            later = rules.year(high) if len(high) == 4 else rules.cardinal(high)
            if len(high) == 2 and high.startswith("0"):
                later = "oh " + rules.cardinal(high)
            return f"{rules.year(low)} to {later}"
        start = match.start()  # the score words end at most 60 characters before the score
        if (_SCORE_CONTEXT.search(text, max(0, start - 60), start) and low.isdigit()
                and high.isdigit()):
            say = [("nil" if n == "0" else rules.cardinal(n)) for n in (low, high)]
            return f"{say[0]} {say[1]}"
        return f"{low} to {high}"

    return pattern.sub(replace, text)


_NEXT_WORD = re.compile(r"\s*+([a-z]++)")
_ARTICLE_BEFORE = re.compile(r"\b(a|an)\s*$", re.IGNORECASE)


def _after_article(text: str, end: int) -> bool:
    """Whether "a" or "an" comes just before ``end`` ("a 5km run")."""
    return _ARTICLE_BEFORE.search(text, max(0, end - 40), end) is not None


def units(text: str) -> str:
    """10km → ten kilometres; 1 kg → one kilogram; 5m high → five metres; 5m people → five
    million people; 3bn → three billion."""
    pattern = re.compile(_NUM_START + r"(-?" + _NUM + r")(\s?)(" + rules.UNIT_PATTERN + r"|" +
                         rules.MAGNITUDE_PATTERN + r")(?![\w²/])")

    def replace(match: re.Match[str]) -> str:
        written, space, unit = match.group(1, 2, 3)
        if unit in ("B", "M", "K"):
            return match.group(0)  # "101B", "4K": a code or a name, read by later rules
        adjective = _after_article(text, match.start())
        if unit == "m" or (unit in rules.MAGNITUDES and unit not in rules.UNITS):
            next_word = _NEXT_WORD.match(text, match.end())
            metres = unit == "m" and (
                next_word is None or next_word.group(1) in rules.METRE_CONTEXT or adjective)
            if not metres:
                if space and unit in ("m", "b", "k", "K", "B", "M"):
                    return match.group(0)  # "5 m" / "3 b": not a magnitude
                return f"{rules.number(written)} {rules.MAGNITUDES[unit]}"
        if space and len(unit) == 1:
            return match.group(0)  # "5 g" or "the 3 l": too ambiguous to expand
        one, many = rules.UNITS[unit]
        return f"{rules.number(written)} {one if written == '1' or adjective else many}"

    return pattern.sub(replace, text)


@_sub(r"\b(\d+)(?:st|nd|rd|th)\b")
def ordinals(match: re.Match[str]) -> str:
    """21st → twenty first; 19th-century → nineteenth-century."""
    return rules.ordinal(match.group(1))


@_sub(r"\b([A-Z][a-z]+)(\s+)(" + "|".join(sorted(rules.ROMAN, key=len, reverse=True)) +
      r")\b(?![-'’]?[A-Za-z])")
def roman(match: re.Match[str]) -> str:
    """World War II → World War two; Elizabeth II → Elizabeth the second."""
    name, space, numeral = match.group(1, 2, 3)
    value = rules.ROMAN[numeral]
    said = rules.cardinal(value) if name == "War" else f"the {rules.ordinal(value)}"
    return f"{name}{space}{said}"


_FOLLOWING_WORD = re.compile(r"\s++([a-z]++)")


def years(text: str) -> str:
    """2014 → twenty fourteen (a four-digit number from 1100 to 2099 with no separator is a year,
    unless a count noun follows: "2014 people")."""
    def replace(match: re.Match[str]) -> str:
        value = match.group(1)
        following = _FOLLOWING_WORD.match(text, match.end())
        if following and following.group(1) in rules.COUNT_NOUNS:
            return rules.cardinal(value)
        return rules.year(value)

    return re.sub(r"(?<![\w.,])(1[1-9]\d\d|20\d\d)(?![\w.,]\d|\d)", replace, text)


@_sub(r"((?<![A-Za-z])[A-Za-z]++|" + _PROTECTED + r")-?(\d++)\b(?!\.\d)|\b(\d+)([A-Z]{1,3})\b")
def alphanumerics(match: re.Match[str]) -> str:
    """G7 → G seven; Covid-19 → Covid nineteen; MH17 → MH seventeen; 4G → four G."""
    if match.group(1):
        return f"{match.group(1)} {rules.cardinal(match.group(2))}"
    return f"{rules.cardinal(match.group(3))} {match.group(4)}"


_LETTER = r"(?:[^\W\d_]|" + _PROTECTED + r")"


def numbers(text: str) -> str:
    """What numbers remain: 2,418 → two thousand four hundred and eighteen; 1.6 → one point six;
    -3 → minus three; codes digit by digit; 3/4 → three quarters; 1.2.3 → one point two point
    three; .5 → point five; a number stuck to letters is a word of its own (5e3f → five e three
    f); a comma that does not group thousands is a pause (1,2345 → one, two thousand...)."""
    text = re.sub(r"\b24/7\b", "twenty four seven", text)
    text = re.sub(rf"(?<={_LETTER})(?=\d)|(?<=\d)(?={_LETTER})", " ", text)
    text = re.sub(r"(?<=\d),(?=\d)(?!\d{3}(?!\d))", ", ", text)
    text = re.sub(r"#\s?(?=\d)", "number ", text)
    # Codes with a leading 0 that ``phone_numbers`` left alone (too few digits for a phone
    # number, or not where one starts) are still read digit by digit, not as amounts.
    text = re.sub(r"(?<![\d+])(?:\+\d{1,3}\s?)?0\d{2,4}(?:[\s-]\d{3,4}){1,3}(?!\d)",
                  lambda m: rules.digits(m.group(0)), text)
    text = re.sub(r"\b(\d+)/(\d+)\b", lambda m: rules.fraction(*m.group(1, 2)), text)
    text = re.sub(r"(?<!\d)\d++(?:\.\d++){2,}",
                  lambda m: " point ".join(map(rules.cardinal, m.group(0).split("."))), text)
    text = re.sub(r"(?<![\w.])\.(?=\d)", "point ", text)

    def replace(match: re.Match[str]) -> str:
        written = match.group(0)
        bare = written.lstrip("-")
        if re.fullmatch(r"0\d+|\d{7,}", bare):
            return rules.digits(bare)
        return rules.number(written)

    text = re.sub(r"(?:(?<=\s)-|(?<=^)-|(?<=\()-)?\d+(?:,\d{3})+(?:\.\d+)?|"
                  r"(?:(?<=\s)-|(?<=^)-|(?<=\()-)?\d+(?:\.\d+)?", replace, text)
    return text


# --- Symbols, acronyms, tidying -------------------------------------------------------------

_SPACES = r"(?<!\s)\s++"  # a run of spaces, matched only from its start
_SYMBOLS = (
    (r"[£$€¥₹]", ""), (rf"(?:{_SPACES})?&\s*", " and "), (r"(?<=\w)\+(?=\W|$)", " plus"),
    (r"\s\+\s", " plus "),
    (r"(?<![\w+])\+(?=[^\W\d_])", "plus "), (rf"(?:{_SPACES})?@\s*", " at "),
    (r"#(?=\w)", "hashtag "), (rf"(?:{_SPACES})?=\s*", " equals "), (r"~\s*", "about "),
    (rf"(?:{_SPACES})?×\s*", " by "), (r"%", " percent"), (r"°", " degrees"),
    (r"§\s*", "section "), (r"(?<=[a-z])/(?=[a-z])", " or "),
    (rf"{_SPACES}[-–—]\s+|(?:{_SPACES})?—\s*|(?<=\w)–\s+|{_SPACES}–(?=\w)", ", "),
    (r"(?<=\w)–(?=\w)", " to "), (r"[*_|•·^<>{}\[\]\\]", " "),
)


def symbols(text: str) -> str:
    """& → and; + → plus; % → percent; ° → degrees; dashes → a pause; stray marks dropped."""
    for pattern, said in _SYMBOLS:
        text = re.sub(pattern, said, text)
    return text


_CAPS_WORD = r"[A-Z][A-Z'’]*[A-Z]"
_CAPS_RUN = re.compile(r"(?:\b" + _CAPS_WORD + r"\b(?:[^a-zA-Z]|\b[A-Z]\b)*){3,}")


def shouting(text: str) -> str:
    """In a run of three or more all-capital words (a headline in capitals), ordinary English words
    become lower case so they are read, not spelled."""
    def soften(match: re.Match[str]) -> str:
        def word(w: re.Match[str]) -> str:
            letters = w.group(0)
            core = re.sub(r"['’]S$", "", letters)
            return letters.lower() if rules.is_english_word(core) else letters
        return re.sub(r"\b" + _CAPS_WORD + r"\b", word, match.group(0))

    softened = _CAPS_RUN.sub(soften, text)
    return softened[:1].upper() + softened[1:] if softened != text else softened


def acronyms(text: str) -> str:
    """ITV → I T V, YPG → Y P G, US → U S; NATO → Nato (a word); MPs → M P's; II after a name →
    the number."""
    def replace(match: re.Match[str]) -> str:
        letters, suffix = match.group(1), match.group(2) or ""
        if rules.pronounceable(letters):
            return letters.capitalize() + suffix
        said = rules.spell(letters)
        if suffix == "s":
            suffix = "'s"
        return said + suffix

    text = re.sub(r"\b([A-Z]{2,})('s|’s|s)?\b", replace, text)
    # "U S-backed" → "U S backed": a hyphen after spelled letters is read as a pause otherwise.
    return re.sub(r"(?<=\b[A-Z]) ?-(?=[a-z])", " ", text)


def tidy(text: str) -> str:
    """Single spaces, no space before punctuation, a space after a colon between words ("Score:3"
    → "Score: three"), a full stop at the end."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,.;:!?)])", r"\1", text)
    text = re.sub(r"(?<=\w):(?=\w)", ": ", text)
    text = re.sub(r"([(])\s+", r"\1", text)
    text = re.sub(r",\s*,", ",", text)
    text = re.sub(r"^[,;:\s]+", "", text)
    if text and not re.search(r"[.!?…][\"”’')]*$", text):
        text += "."
    return text[:1].upper() + text[1:]


RULES: tuple[Rule, ...] = (
    abbreviations, phone_numbers, scientific, money, pence, temperature, time_of_day, hour_of_day,
    numeric_date, clock_time, ratio, colons, day_month, month_day, decades, ranges, percent, units,
    ordinals, roman, years, alphanumerics, numbers, symbols, shouting, acronyms,
)


class Normaliser:
    """Turns text into its spoken form: the lexicon first, then the rules, then tidying."""

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = Lexicon({}) if lexicon is None else lexicon

    def _protect(self, text: str) -> tuple[str, list[str]]:
        """Replace lexicon words by private-use characters so no rule rewrites what they say."""
        said: list[str] = []

        def keep(word: str) -> str:
            if len(said) == _PROTECT_SLOTS:
                return word  # (more lexicon words than there are stand-ins: the rest unguarded)
            said.append(word)
            return chr(_PROTECT_BASE + len(said) - 1)

        return self.lexicon.apply(text, keep), said

    def __call__(self, text: str) -> str:
        text = prepare(text)
        text, said = self._protect(text)
        for rule in RULES:
            text = rule(text)
        text = re.sub(_PROTECTED, lambda m: said[ord(m.group(0)) - _PROTECT_BASE], text)
        text = re.sub(r"\d+", lambda m: rules.cardinal(m.group(0)), text)  # none should be left
        return tidy(text)


def speak(text: str, lexicon: Lexicon | None = None) -> str:
    """The spoken form of ``text``."""
    return Normaliser(lexicon)(text)
