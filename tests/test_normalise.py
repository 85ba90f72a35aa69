"""The spoken form of text: every rule of the normaliser, the lexicon, and "no digits left"."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bulletin.config import Config
from bulletin.errors import InputError
from bulletin.models import Article
from bulletin.script import edition_planner, split_sentences
from bulletin.script.lexicon import Lexicon, default_lexicon, load_lexicon
from bulletin.script.normalise import speak


def say(text: str) -> str:
    return speak(text, default_lexicon())


CASES = {
    "cardinals with separators": [
        ("The vote passed by 1,250 to 980.",
         "The vote passed by one thousand two hundred and fifty to nine hundred and eighty."),
        ("A crowd of 12,000,000 gathered.", "A crowd of twelve million gathered."),
    ],
    "decimals": [
        ("Turnout rose to 3.14 times.", "Turnout rose to three point one four times."),
        ("It weighs 0.5 of that.", "It weighs zero point five of that."),
    ],
    "negatives": [
        ("It was −3°C overnight.", "It was minus three degrees Celsius overnight."),
        ("The index fell to -12 today.", "The index fell to minus twelve today."),
        ("Lows of -1°F.", "Lows of minus one degree Fahrenheit."),
    ],
    "years": [
        ("The town was founded in 2014.", "The town was founded in twenty fourteen."),
        ("Elections are due in 2026.", "Elections are due in twenty twenty six."),
        ("It closed in 1905 and again in 2005.",
         "It closed in nineteen oh five and again in two thousand and five."),
        ("Music of the 1990s and the '80s.", "Music of the nineteen nineties and the eighties."),
        ("The 2019-20 season.", "The twenty nineteen to twenty season."),
        ("Some 2014 people signed.", "Some two thousand and fourteen people signed."),
    ],
    "ordinals": [
        ("Her 21st birthday.", "Her twenty first birthday."),
        ("The 3rd and the 102nd.", "The third and the one hundred and second."),
    ],
    "currency with magnitudes": [
        ("It will cost £5m.", "It will cost five million pounds."),
        ("Sales hit $1.2bn.", "Sales hit one point two billion dollars."),
        ("A €3.5 billion plan.", "A three-point-five-billion-euro plan."),
        ("Tickets cost £1.20 or $0.99.", "Tickets cost one pound twenty or ninety nine cents."),
        ("A £1 coin, a £2,000 job and 50p.",
         "A one-pound coin, a two-thousand-pound job and fifty pence."),
        ("Bids of £5m-£10m.", "Bids of five million to ten million pounds."),
    ],
    "an amount that describes a thing": [
        ("During the £2,000 job.", "During the two-thousand-pound job."),
        ("A $1.2bn plan and an €8 ticket.",
         "A one-point-two-billion-dollar plan and an eight-euro ticket."),
        ("Their £5m-£10m deal.", "Their five million to ten million pound deal."),
        ("A £2.50 fare.", "A two pound fifty fare."),
        ("A US$5m grant.", "A five-million U S dollar grant."),
        # Not a noun after it: the amount is one of its own.
        ("The £2,000 he paid and the £5m raised.",
         "The two thousand pounds he paid and the five million pounds raised."),
        ("Paid £2,000 in fees; the £2,000 was repaid.",
         "Paid two thousand pounds in fees; the two thousand pounds was repaid."),
    ],
    "percentages": [
        ("A margin of 56% and 61.5 per cent.",
         "A margin of fifty six percent and sixty one point five percent."),
        ("33%of voters.", "Thirty three percent of voters."),
    ],
    "dates": [
        ("It opens on 24 November 2026.", "It opens on the twenty fourth of November twenty "
                                          "twenty six."),
        ("It opened on November 24, 2026.", "It opened on November twenty fourth twenty "
                                            "twenty six."),
        ("Due on Feb. 9 and 2026-03-01.",
         "Due on February ninth and the first of March twenty twenty six."),
    ],
    "times": [
        ("Doors open at 9:30am.", "Doors open at nine thirty a.m."),
        ("From 7pm until 1:30am.", "From seven p.m. until one thirty a.m."),
        ("A curfew from 21:00 local time.", "A curfew from nine p.m. local time."),
        ("At 10.05 p.m. sharp.", "At ten oh five p.m. sharp."),
        ("Kick-off at 18:45.", "Kick-off at six forty five p.m."),
    ],
    "the 24-hour clock as a newsreader says it": [
        ("This is the news at 14:00.", "This is the news at two p.m."),
        ("Open from 09:05 until 23:30.", "Open from nine oh five a.m. until eleven thirty p.m."),
        ("Shops shut at 12:00 and bars at 00:00.", "Shops shut at noon and bars at midnight."),
        ("At 12:00 noon or 00:00 midnight.", "At twelve noon or twelve midnight."),
        ("From 00:30 to 12:45.", "From twelve thirty a.m. to twelve forty five p.m."),
        # An hour without a leading zero may be either clock: no a.m. or p.m. is made up.
        ("Doors at 9:30 and 7:00.", "Doors at nine thirty and seven."),
    ],
    "numbers that are not times: a pause, not a colon": [
        ("The clock read 25:61.", "The clock read twenty five, sixty one."),
        ("A 25:61pm start.", "A twenty five, sixty one p.m. start."),
        ("Logged at 12:30:45.", "Logged at twelve, thirty, forty five."),
    ],
    "scientific notation": [
        ("The limit is 1e308.",
         "The limit is one times ten to the power of three hundred and eight."),
        ("A dose of 2.5e-3 grams.",
         "A dose of two point five times ten to the power of minus three grams."),
    ],
    "numbers stuck to letters or dots": [
        ("Version 2.0.1 and 192.168.0.1.",
         "Version two point zero point one and one hundred and ninety two point one hundred and "
         "sixty eight point zero point one."),
        ("A 4x4 and code 5e3f.", "A four x four and code five e three f."),
        ("It rose .5 points.", "It rose point five points."),
        ("Rates +5% and +44 lines.", "Rates plus five percent and plus forty four lines."),
        ("Tallies 1,1,1 and 1,2345.",
         "Tallies one, one, one and one, two thousand three hundred and forty five."),
    ],
    "phone numbers, in groups as written": [
        ("Call +44 20 7946 0958 today.",
         "Call plus four four, two oh, seven nine four six, oh nine five eight today."),
        ("Ring 020 7946 0958 or 07700 900123.",
         "Ring oh two oh, seven nine four six, oh nine five eight or "
         "oh seven seven oh oh, nine oh oh one two three."),
        ("Dial (555) 867-5309 or 1-800-555-0199.",
         "Dial five five five, eight six seven, five three oh nine or "
         "one, eight hundred, five five five, oh one nine nine."),
        ("Paris: +33 1 23 45 67 89.",
         "Paris: plus three three, one, two three, four five, six seven, eight nine."),
        ("London +44 (0)20 7946 0958.",
         "London plus four four, two oh, seven nine four six, oh nine five eight."),
        ("Extension 020 794.", "Extension oh two oh seven nine four."),  # too short: a code
    ],
    "ranges and scores": [
        ("The home side won 7-2.", "The home side won seven two."),
        ("They drew 2-0 at home.", "They drew two nil at home."),
        ("Aged 10-15 years.", "Aged ten to fifteen years."),
        ("A majority verdict of 10-2.", "A majority verdict of ten to two."),
        ("Odds of 3:1.", "Odds of three to one."),
    ],
    "units": [
        ("She ran 10km.", "She ran ten kilometres."),
        ("Just 1 km away.", "Just one kilometre away."),
        ("A 5m wall, 5m high.", "A five metre wall, five metres high."),
        ("Home to 5m people.", "Home to five million people."),
        ("A gap of 22mm and 3kg at 100mph.",
         "A gap of twenty two millimetres and three kilograms at one hundred miles per hour."),
        ("A 45° slope.", "A forty five degrees slope."),
    ],
    "titles and abbreviations": [
        ("Dr Helen Marsh met Mr Lee and Mrs Khan.",
         "Doctor Helen Marsh met Mister Lee and Missus Khan."),
        ("St Ives is off Quay St.", "Saint Ives is off Quay Street."),
        ("He lives at No. 10.", "He lives at Number ten."),
        ("Leeds vs Hull, e.g. tonight, i.e. late, etc.",
         "Leeds versus Hull, for example tonight, that is late, et cetera."),
        ("Jihadi John, aka the killer.", "Jihadi John, also known as the killer."),
        ("Both U.S. officials and the U.K. agreed.", "Both U S officials and the U K agreed."),
        ("World War II began.", "World War two began."),
    ],
    "symbols": [
        ("Marks & Spencer.", "Marks and Spencer."),
        ("Apple TV+ launched.", "Apple T V plus launched."),
        ("Raqqa - the capital - fell.", "Raqqa, the capital, fell."),
    ],
    "acronyms spelled": [
        ("ITV News reported.", "I T V News reported."),
        ("The YPG and the US.", "The Y P G and the U S."),
        ("The NHS and the BBC.", "The N H S and the B B C."),
        ("Two MPs and the WHO.", "Two M P's and the W H O."),
        ("An ATM.", "An A-T-M."),
        ("A US-backed force.", "A U S backed force."),
    ],
    "acronyms said as words": [
        ("NATO met.", "Nato met."),
        ("NASA and OPEC and UNICEF.", "Nasa and Opec and Unicef."),
        ("COVID-19 and Covid-19.", "Covid nineteen and Covid nineteen."),
        ("The G7 met on 4G.", "The G seven met on four G."),
    ],
    "capital headlines": [
        ("DISAPPOINTING NIGHT FOR ‘IRISHMAN’", "Disappointing night for ‘irishman’."),
        ("BREAKING: NHS STRIKE CALLED OFF", "Breaking: N H S strike called off."),
        # A word before the headline is said as it would be without one.
        ("x-ray FERRY VOTE PASSES TODAY", "X-ray ferry vote passes today."),
    ],
    "IS the group, not the verb": [
        ("IS controlled the city; it is over.", "I S controlled the city; it is over."),
        ("The IS fanatics fled from IS.", "The I S fanatics fled from I S."),
    ],
}


@pytest.mark.parametrize(
    ("written", "spoken"),
    [pytest.param(w, s, id=f"{rule}: {w}") for rule, pairs in CASES.items() for w, s in pairs])
def test_rules(written: str, spoken: str) -> None:
    assert say(written) == spoken


def test_no_digit_survives_any_rule() -> None:
    awkward = ("Call 0207 946 0000 or 07700900123, flight MH17 at 14:05, score 3-1-1, 1/2 of "
               "the 24/7 staff, 3/40 seats, room 101B, A380, 2,5 and 1.2.3, #1 hit, 7 ½ days")
    for text in [awkward, *(w for pairs in CASES.values() for w, _ in pairs)]:
        assert not re.search(r"\d", say(text)), text


HUGE = "9" * 300 + "1"  # 301 digits: num2words gives up at 307, int() at 4,301
HUGE_DIGITS = " ".join(["nine"] * 300 + ["one"])


@pytest.mark.parametrize(("written", "spoken"), [
    (f"It cost £{HUGE}.", f"It cost {HUGE_DIGITS} pounds."),
    (f"It cost ${HUGE}bn.", f"It cost {HUGE_DIGITS} billion dollars."),
    (f"It cost €{HUGE}k.", f"It cost {HUGE_DIGITS} thousand euros."),
    (f"It cost £{HUGE}.50.", f"It cost {HUGE_DIGITS} pounds fifty."),
    (f"Bids of £{HUGE}m-£{HUGE}m.",
     f"Bids of {HUGE_DIGITS} million to {HUGE_DIGITS} million pounds."),
    (f"Just {HUGE}p.", f"Just {HUGE_DIGITS} pence."),
    (f"It ran {HUGE}km.", f"It ran {HUGE_DIGITS} kilometres."),
    (f"It rose {HUGE}%.", f"It rose {HUGE_DIGITS} percent."),
    (f"It hit -{HUGE}°C.", f"It hit minus {HUGE_DIGITS} degrees Celsius."),
    (f"The {HUGE}st time.", f"The {HUGE_DIGITS[:-4]} first time."),
    (f"The {'9' * 300}th time.", f"The {HUGE_DIGITS[:-9]} ninth time."),
    (f"A {HUGE}.25 rise.", f"A {HUGE_DIGITS} point two five rise."),
    (f"A {','.join(['999'] * 101)} crowd.", f"A {' '.join(['nine'] * 303)} crowd."),
    (f"Aged {HUGE}-{HUGE}.", f"Aged {HUGE_DIGITS} to {HUGE_DIGITS}."),
    (f"They won {HUGE}-{HUGE}.", f"They won {HUGE_DIGITS} {HUGE_DIGITS}."),
    (f"Odds of {HUGE}:1.", f"Odds of {HUGE_DIGITS} to one."),
    (f"A share of 1/{HUGE}.", f"A share of one out of {HUGE_DIGITS}."),
    (f"Flight G{HUGE}.", f"Flight G {HUGE_DIGITS}."),
    (f"Up to 1e{HUGE}.", f"Up to one times ten to the power of {HUGE_DIGITS}."),
    (f"In {HUGE}.", f"In {HUGE_DIGITS}."),
    (f"In {'0' * 5000}5.", f"In {' '.join(['oh'] * 5000)} five."),  # past int()'s 4,300 digits
], ids=["pounds", "billions of dollars", "thousands of euros", "pounds and pence", "money range",
        "pence", "unit", "percent", "temperature", "ordinal st", "ordinal th", "decimal",
        "comma-grouped", "range", "score", "ratio", "fraction", "alphanumeric", "scientific",
        "bare number", "leading zeros"])
def test_huge_numbers_are_read_digit_by_digit(written: str, spoken: str) -> None:
    assert say(written) == spoken


def test_numbers_up_to_fifteen_digits_are_read_in_words() -> None:
    assert say("Debts of $999,999,999,999,999.") == (
        "Debts of nine hundred and ninety nine trillion nine hundred and ninety nine billion nine "
        "hundred and ninety nine million nine hundred and ninety nine thousand nine hundred and "
        "ninety nine dollars.")
    assert say("Debts of $1,000,000,000,000,000.") == (
        "Debts of one oh oh oh oh oh oh oh oh oh oh oh oh oh oh oh dollars.")


def test_digits_of_other_scripts_are_read() -> None:
    assert say("Flat ٣ and ３ rooms.") == "Flat three and three rooms."


def test_lexicon_comes_before_the_rules_and_is_final() -> None:
    lexicon = Lexicon({"BBC": "the Beeb", "Raqqa": "Rakka", "NHS": "N H S"})
    assert speak("The BBC in RAQQA and raqqa.", lexicon) == "The the Beeb in Rakka and Rakka."
    # An entry in capitals matches only in capitals.
    assert speak("IS and is.", Lexicon({"IS": "Islamic State"})) == "Islamic State and is."


def test_user_lexicon_overrides_the_shipped_one(tmp_path: Path) -> None:
    user = tmp_path / "words.toml"
    user.write_text('IS = "Islamic State"\n"St Ives" = "Saint Eyes"\n', encoding="utf-8")
    lexicon = load_lexicon(user)
    assert speak("IS fled St Ives.", lexicon) == "Islamic State fled Saint Eyes."
    assert speak("NATO met.", lexicon) == "Nato met."  # the shipped entries still apply


@pytest.mark.parametrize(("content", "reason"), [
    ('IS = 3\n', "must be a string"),
    ('IS = "I S\n', "invalid TOML"),
    ('G7 = "G 7"\n', "numbers in words"),
    ('IS = "  "\n', "empty"),
])
def test_bad_lexicon_is_an_input_error(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "lexicon.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=reason) as caught:
        load_lexicon(path)
    assert str(path) in str(caught.value)


def test_missing_lexicon_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="lexicon file not found"):
        load_lexicon(tmp_path / "nowhere.toml")


@pytest.mark.parametrize(("hour", "minute", "said"), [
    (14, 0, "at two p.m."), (7, 30, "at seven thirty a.m."), (12, 0, "at noon."),
    (0, 0, "at midnight."),
])
def test_an_editions_intro_says_its_hour_as_a_newsreader_would(hour: int, minute: int,
                                                               said: str) -> None:
    when = dt.datetime(2026, 11, 24, hour, minute)
    plan = edition_planner(Config(), when, "Edition", "edition|test")
    article = Article(title="Ferry vote passes in the harbour town",
                      paragraphs=("The vote passed.",), source="ferry.txt")
    intro = plan([article], split_sentences).segments[0]
    assert intro.kind == "intro"
    assert f"at {hour:02d}:{minute:02d}" in intro.text  # written as the clock shows it
    assert intro.spoken.endswith(f", {said}")
