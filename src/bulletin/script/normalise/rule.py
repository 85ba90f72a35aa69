"""The one shape of a normaliser rule, and the pattern pieces the rules share.

A rule rewrites every match of its pattern in a line of text. It is written as a function from a
match to what is said instead, decorated with its pattern: ``@rule(pattern)`` turns it into a
``Rule``, text in, text out. A rule that looks beyond its match (the word after a number, the
words before a score) reads ``match.string`` from ``match.end()`` or up to ``match.start()``, in a
bounded window.

Every pattern runs in time linear in its text, whatever the text: it never rescans a run of
letters, digits or spaces from each position inside it (a lookbehind lets it start only where the
run starts, and runs are possessive, ``*+`` ``++``, where giving characters back could not help).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

Rule = Callable[[str], str]
"""A rule of the normaliser: a line of text in, the same line with the rule applied out."""
Say = Callable[[re.Match[str]], str]
"""What a rule says instead of one match of its pattern."""

NUM = r"\d[\d,]*+(?:\.\d++)?"  # 1,250 / 61.5 / 7
NUM_START = r"(?<![\w.])(?<!\d,)"  # where a number starts: not inside another one
SPACES = r"(?<!\s)\s++"  # a run of spaces, matched only from its start
# Private-use code points stand in for the lexicon's words while the rules run (see Normaliser).
PROTECT_BASE = 0xF0000
PROTECTED = r"[\U000F0000-\U000FFFFD]"
PROTECT_SLOTS = 0xFFFFD - PROTECT_BASE + 1
LETTER = r"(?:[^\W\d_]|" + PROTECTED + r")"  # a letter, or a lexicon word standing in for one


def rule(pattern: str, flags: int = 0) -> Callable[[Say], Rule]:
    """Decorator: a function saying what replaces one match of ``pattern`` (compiled with
    ``flags``) becomes the rule that replaces every match in a text."""
    compiled = re.compile(pattern, flags)

    def wrap(say: Say) -> Rule:
        @functools.wraps(say)
        def apply(text: str) -> str:
            return compiled.sub(say, text)
        return apply
    return wrap
