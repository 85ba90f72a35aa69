"""The words the normaliser says: how a number is said (through num2words), and the word tables
of months, currencies, magnitudes, units, abbreviations, Roman numerals and the letters English
syllables begin and end with.

Everything here is data or a small pure function; the rule modules beside it apply them.
"""

from __future__ import annotations

import re

from num2words import num2words

# --- Numbers --------------------------------------------------------------------------------

DIGIT_WORDS = ("oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
# Whole numbers with more digits than this are read digit by digit: "nine hundred and ninety nine
# trillion ..." is as far as a newsreader goes, and num2words (and int()) give up on huge numbers.
MAX_WORDS_DIGITS = 15


def _tidy(words: str) -> str:
    """num2words writes "one thousand, two hundred and fifty-one"; a script wants no punctuation."""
    return " ".join(words.replace(",", " ").replace("-", " ").split())


def _value(written: str) -> int | None:
    """The value of the digits ``written``, or None when there are too many to say it in words
    (int() itself refuses more than 4,300 digits, num2words more than 306)."""
    significant = written.lstrip("0")
    return None if len(significant) > MAX_WORDS_DIGITS else int(significant or "0")


def cardinal(value: int | str) -> str:
    """12 → "twelve"; "2,418" → "two thousand four hundred and eighteen"; a number of more than
    fifteen digits → its digits one by one."""
    written = str(value).replace(",", "")
    if written.startswith("-"):
        return "minus " + cardinal(written[1:])
    number = _value(written)
    return digits(written) if number is None else _tidy(num2words(number))


def decimal(text: str) -> str:
    """"61.5" → "sixty one point five"; digits after the point are read one by one."""
    text = text.replace(",", "")
    whole, _, fraction = text.partition(".")
    spoken = cardinal(whole or "0")
    if fraction:
        digits = " ".join("zero" if d == "0" else DIGIT_WORDS[int(d)] for d in fraction)
        spoken += " point " + digits
    return spoken


def number(text: str) -> str:
    """A written number, signed or not, with separators or decimals, in words."""
    text = text.strip()
    negative = text[:1] in "-−"
    spoken = decimal(text.lstrip("-−+"))
    return f"minus {spoken}" if negative else spoken


def ordinal(value: int | str) -> str:
    """21 → "twenty first"; a number of more than fifteen digits → its digits one by one, the
    last as an ordinal ("... four fifth")."""
    written = str(value).replace(",", "")
    number = _value(written)
    if number is None:
        return f"{digits(written[:-1])} {_tidy(num2words(int(written[-1]), to='ordinal'))}"
    return _tidy(num2words(number, to="ordinal"))


def year(value: int | str) -> str:
    """2014 → "twenty fourteen"; 2005 → "two thousand and five"; 1905 → "nineteen oh five"."""
    number = _value(str(value))
    return digits(str(value)) if number is None else _tidy(num2words(number, to="year"))


def plural(word: str) -> str:
    """The plural of a number word, for decades: "ninety" → "nineties", "six" → "sixes"."""
    if word.endswith("y"):
        return word[:-1] + "ies"
    if word.endswith(("x", "s")):
        return word + "es"
    return word + "s"


def decade(text: str) -> str:
    """"1990s" → "nineteen nineties"; "80s" → "eighties"; "2000s" → "two thousands"."""
    digits = text.strip("'’s")
    spoken = year(digits) if len(digits) == 4 else cardinal(digits)
    *rest, last = spoken.split()
    return " ".join([*rest, plural(last)])


def digits(text: str) -> str:
    """"0207" → "oh two oh seven": codes and phone numbers are read digit by digit (any other
    character is left out)."""
    return " ".join(DIGIT_WORDS[int(d)] for d in re.findall(r"\d", text))


def fraction(top: str, bottom: str) -> str:
    """"1/2" → "one half"; "3/4" → "three quarters"; "3/40" → "three out of forty"."""
    d = _value(bottom) or 0
    if not 2 <= d <= 10:
        return f"{cardinal(top)} out of {cardinal(bottom)}"
    name = {2: "half", 4: "quarter"}.get(d) or ordinal(d)
    if top.lstrip("0") != "1":
        name = "halves" if d == 2 else name + "s"
    return f"{cardinal(top)} {name}"


def scientific(mantissa: str, exponent: str) -> str:
    """"1", "308" → "one times ten to the power of three hundred and eight"; "2.5", "-3" → "two
    point five times ten to the power of minus three"."""
    return f"{number(mantissa)} times ten to the power of {number(exponent)}"


def clock(hour: str, minute: str) -> str:
    """"9", "30" → "nine thirty"; "10", "05" → "ten oh five"; "21", "00" → "twenty one hundred"."""
    h, m = int(hour), int(minute)
    if m == 0:
        return cardinal(h) + (" hundred" if h > 12 or hour.startswith("0") else "")
    if m < 10:
        return f"{cardinal(h)} oh {cardinal(m)}"
    return f"{cardinal(h)} {cardinal(m)}"


def twenty_four_hour(hour: str, minute: str, named: bool = False) -> str:
    """A time of the 24-hour clock as a newsreader says it: "21", "00" → "nine p.m."; "09",
    "05" → "nine oh five a.m."; "12", "00" → "noon"; "00", "00" → "midnight" ("twelve" when
    ``named``: the text says "noon" or "midnight" itself). An hour from 1 to 11 written without
    a leading zero may be either clock ("9:30"), so it is said without a.m. or p.m."""
    h, m = int(hour), int(minute)
    if 1 <= h <= 11 and not hour.startswith("0"):
        return clock(hour, minute)
    if m == 0 and h in (0, 12):
        return "twelve" if named else ("midnight" if h == 0 else "noon")
    said = clock(str(h % 12 or 12), minute)
    return f"{said} {'a.m.' if h < 12 else 'p.m.'}"


# --- Dates ----------------------------------------------------------------------------------

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
MONTH_ABBREVIATIONS = {"Jan": "January", "Feb": "February", "Mar": "March", "Apr": "April",
                       "Jun": "June", "Jul": "July", "Aug": "August", "Sep": "September",
                       "Sept": "September", "Oct": "October", "Nov": "November",
                       "Dec": "December"}
MONTH_PATTERN = "|".join(MONTHS)

# --- Money, units, magnitudes ---------------------------------------------------------------

# symbol → (one, many, minor one, minor many)
CURRENCIES = {
    "£": ("pound", "pounds", "penny", "pence"),
    "$": ("dollar", "dollars", "cent", "cents"),
    "US$": ("US dollar", "US dollars", "cent", "cents"),
    "A$": ("Australian dollar", "Australian dollars", "cent", "cents"),
    "C$": ("Canadian dollar", "Canadian dollars", "cent", "cents"),
    "NZ$": ("New Zealand dollar", "New Zealand dollars", "cent", "cents"),
    "HK$": ("Hong Kong dollar", "Hong Kong dollars", "cent", "cents"),
    "€": ("euro", "euros", "cent", "cents"),
    "¥": ("yen", "yen", "sen", "sen"),
    "₹": ("rupee", "rupees", "paisa", "paise"),
}
CURRENCY_PATTERN = "|".join(re.escape(s) for s in sorted(CURRENCIES, key=len, reverse=True))

MAGNITUDES = {"k": "thousand", "K": "thousand", "m": "million", "M": "million", "mn": "million",
              "bn": "billion", "b": "billion", "B": "billion", "tn": "trillion",
              "trn": "trillion", "thousand": "thousand", "million": "million",
              "billion": "billion", "trillion": "trillion"}
MAGNITUDE_PATTERN = "|".join(sorted(MAGNITUDES, key=len, reverse=True))

# symbol → (one, many); matched case-sensitively, right after a number.
UNITS = {
    "km": ("kilometre", "kilometres"), "cm": ("centimetre", "centimetres"),
    "mm": ("millimetre", "millimetres"), "m": ("metre", "metres"),
    "km2": ("square kilometre", "square kilometres"), "km²": ("square kilometre",
                                                              "square kilometres"),
    "m2": ("square metre", "square metres"), "m²": ("square metre", "square metres"),
    "sq km": ("square kilometre", "square kilometres"), "sq mi": ("square mile", "square miles"),
    "km/h": ("kilometre per hour", "kilometres per hour"),
    "kph": ("kilometre per hour", "kilometres per hour"), "mph": ("mile per hour",
                                                                 "miles per hour"),
    "mpg": ("mile per gallon", "miles per gallon"),
    "kg": ("kilogram", "kilograms"), "g": ("gram", "grams"), "mg": ("milligram", "milligrams"),
    "lb": ("pound", "pounds"), "lbs": ("pound", "pounds"), "oz": ("ounce", "ounces"),
    "ft": ("foot", "feet"), "mi": ("mile", "miles"), "yd": ("yard", "yards"),
    "l": ("litre", "litres"), "ml": ("millilitre", "millilitres"), "ha": ("hectare", "hectares"),
    "kW": ("kilowatt", "kilowatts"), "MW": ("megawatt", "megawatts"),
    "GW": ("gigawatt", "gigawatts"), "kWh": ("kilowatt hour", "kilowatt hours"),
    "MWh": ("megawatt hour", "megawatt hours"), "GWh": ("gigawatt hour", "gigawatt hours"),
    "TWh": ("terawatt hour", "terawatt hours"),
    "KB": ("kilobyte", "kilobytes"), "MB": ("megabyte", "megabytes"),
    "GB": ("gigabyte", "gigabytes"), "TB": ("terabyte", "terabytes"),
    "Hz": ("hertz", "hertz"), "kHz": ("kilohertz", "kilohertz"), "MHz": ("megahertz", "megahertz"),
    "GHz": ("gigahertz", "gigahertz"),
    "min": ("minute", "minutes"), "mins": ("minute", "minutes"), "hr": ("hour", "hours"),
    "hrs": ("hour", "hours"),
}
UNIT_PATTERN = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
# After "5m": these words mean metres ("5m high"); other words mean million ("5m people").
METRE_CONTEXT = {"high", "tall", "long", "wide", "deep", "away", "above", "below", "under",
                 "across", "from", "off", "underground", "underwater", "up", "down", "of"}
# Before an amount, words that make it name what follows ("a £2,000 job": a two-thousand-pound
# job); after it, words that show it does not ("the £2,000 he paid", "the £5m a year").
DETERMINERS = {"a", "an", "the", "this", "that", "these", "those", "his", "her", "its", "their",
               "our", "your", "my", "each", "every", "another"}
NOT_NOUNS = {"a", "an", "the", "of", "to", "in", "on", "at", "for", "from", "by", "with", "into",
             "over", "under", "after", "before", "since", "until", "than", "per", "as", "and",
             "or", "but", "nor", "so", "if", "when", "while", "because", "though", "although",
             "that", "which", "who", "whom", "whose", "what", "this", "these", "those", "i", "you",
             "he", "she", "it", "we", "they", "him", "them", "us", "is", "was", "were", "are",
             "be", "been", "being", "has", "have", "had", "do", "does", "did", "will", "would",
             "shall", "should", "can", "could", "may", "might", "must", "not", "now", "then",
             "only", "also", "just", "still", "already", "even", "too", "up", "down", "out",
             "off", "back", "more", "less", "each", "every", "plus", "last", "next", "today",
             "there", "here", "where", "all", "both", "either", "neither", "instead", "again"}
# After a four-digit number: these nouns mean it is a count, not a year.
COUNT_NOUNS = {"people", "persons", "cases", "deaths", "votes", "homes", "houses", "jobs",
               "members", "patients", "students", "pupils", "children", "workers", "troops",
               "soldiers", "residents", "users", "staff", "employees", "voters", "fans",
               "passengers", "miles", "metres", "feet", "tonnes", "words", "pages", "times",
               "units", "beds", "signatures", "refugees", "migrants", "officers", "years"}

# --- Words and abbreviations ----------------------------------------------------------------

# Abbreviations read the same wherever they stand (matched case-sensitively, as whole words).
ABBREVIATIONS = {
    "e.g.": "for example", "eg.": "for example", "i.e.": "that is", "etc.": "et cetera",
    "a.k.a.": "also known as", "aka": "also known as", "approx.": "approximately",
    "vs.": "versus", "vs": "versus", "Mr": "Mister", "Mr.": "Mister", "Mrs": "Missus",
    "Mrs.": "Missus", "Ms": "Miz", "Ms.": "Miz", "Prof": "Professor", "Prof.": "Professor",
    "Sgt": "Sergeant", "Sgt.": "Sergeant", "Capt": "Captain", "Capt.": "Captain",
    "Lt": "Lieutenant", "Lt.": "Lieutenant", "Col": "Colonel", "Col.": "Colonel",
    "Gen": "General", "Gen.": "General", "Maj": "Major", "Cpl": "Corporal", "Pte": "Private",
    "Insp": "Inspector", "Supt": "Superintendent", "Det": "Detective", "Cllr": "Councillor",
    "Gov.": "Governor", "Sen.": "Senator", "Rep.": "Representative", "Rev": "Reverend",
    "Rev.": "Reverend", "Revd": "Reverend", "Fr": "Father", "Rt Hon": "Right Honourable",
    "Hon.": "Honourable", "Jr": "Junior", "Jr.": "Junior", "Sr.": "Senior", "Snr": "Senior",
    "Jnr": "Junior", "Ltd": "Limited", "Ltd.": "Limited", "Inc": "Incorporated",
    "Inc.": "Incorporated", "Corp": "Corporation", "Corp.": "Corporation", "plc": "P L C",
    "Plc": "P L C", "PLC": "P L C", "Bros": "Brothers", "Dept": "Department",
    "Govt": "government", "Intl": "International", "Mt": "Mount", "Ave": "Avenue",
    "Nos.": "numbers",
}
# These may end a sentence; when they do, their full stop stays.
SENTENCE_FINAL = {"etc.", "Inc.", "Ltd.", "Corp.", "Jr.", "Sr.", "Bros", "approx."}
# Words that start sentences: an abbreviation's full stop before one of them ends a sentence.
SENTENCE_STARTERS = {"The", "A", "An", "But", "And", "He", "She", "It", "They", "We", "I", "In",
                     "On", "At", "This", "That", "There", "These", "Those", "His", "Her", "Its",
                     "Their", "Our", "Some", "Many", "Most", "Officials", "Police", "Meanwhile",
                     "However", "Now", "Then", "So", "Yet", "After", "Before", "When", "While",
                     "If", "As", "For", "Last", "Earlier", "Later", "Today", "Yesterday", "Mr",
                     "Mrs", "Ms", "Dr"}
# Two-letter words that stay words in an all-capital headline; any other two letters are spelled.
SHORT_WORDS = {"a", "an", "am", "as", "at", "be", "by", "do", "go", "he", "hi", "if", "in", "is",
               "it", "me", "my", "no", "of", "oh", "ok", "on", "or", "so", "to", "up", "we"}
ROMAN = {"II": 2, "III": 3, "IV": 4, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "XI": 11, "XII": 12,
         "XIII": 13, "XIV": 14, "XV": 15, "XVI": 16, "XVII": 17, "XVIII": 18, "XIX": 19, "XX": 20}

VOWELS = set("AEIOU")
# Consonant clusters that may start or end an English syllable: an acronym made only of such
# syllables can be said as a word (NATO, OPEC, UNESCO); any other is spelled (NHS, YPG, KBBA).
ONSETS = {"BL", "BR", "CH", "CL", "CR", "DR", "FL", "FR", "GL", "GR", "PH", "PL", "PR", "SC",
          "SH", "SK", "SL", "SM", "SN", "SP", "ST", "SW", "TH", "TR", "TW", "WH", "WR", "SCR",
          "SPR", "STR", "SPL", "SQU", "THR", "SHR"}
CODAS = {"CK", "CT", "FT", "LD", "LF", "LK", "LL", "LM", "LP", "LT", "MP", "ND", "NG", "NK", "NS",
         "NT", "PS", "PT", "RB", "RC", "RD", "RF", "RG", "RK", "RL", "RM", "RN", "RP", "RS", "RT",
         "SH", "SK", "SP", "SS", "ST", "TH", "TS", "CH", "DS", "GS", "KS", "LS", "MS", "NCH",
         "NTH", "RST", "RTH", "RCH"}
