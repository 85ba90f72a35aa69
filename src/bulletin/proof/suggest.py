"""Respellings that fix themselves: each suspect word said again, respelled, by the same voice and
heard by the same recogniser.

In: a ``Suspect``, the engine that read the bulletin, an ``Ear``. Out: the first respelling heard
as the written word sounds (its Metaphone key), to be the word's lexicon entry, or None.
``suggest(suspect, engine, ear)`` is the entry point; ``respellings(word)`` the few it tries.
"""

from __future__ import annotations

import re

from ..models import Suspect
from ..tts.base import Engine
from .compare import said_words, sound_key
from .hear import Ear

TRIES = 4  # respellings tried at most per word
CARRIER = "The next word is {}. That was it."  # a sentence around it: a lone word is misheard
# Spelling-to-sound rewrites that an English voice reads more predictably.
REWRITES = ((r"ph", "f"), (r"qu", "kw"), (r"x", "ks"), (r"c(?=[eiy])", "s"), (r"c", "k"),
            (r"gh", "g"), (r"([a-z])\1", r"\1"), (r"ou", "ow"), (r"y$", "ee"))


def respellings(word: str) -> list[str]:
    """The written word itself, its syllables apart, and a plainer spelling; no repeats."""
    plain = word.lower()
    syllables = "-".join(re.findall(r"[^aeiouy]*[aeiouy]+(?:[^aeiouy]*$)?", plain)) or plain
    simple = plain
    for pattern, replacement in REWRITES:
        simple = re.sub(pattern, replacement, simple)
    return list(dict.fromkeys([plain, syllables, simple, simple.replace("-", " ")]))[:TRIES]


def suggest(suspect: Suspect, engine: Engine, ear: Ear, respelled: bool = True) -> str | None:
    """The first respelling of ``suspect.word`` heard as the word sounds, or None; the word as
    written is tried only when a lexicon ``respelled`` it (else it is what was misheard)."""
    wanted = sound_key(suspect.word)
    for respelling in respellings(suspect.word)[0 if respelled else 1:]:
        heard = said_words(" ".join(w.word for w in ear.words(
            engine.synthesize(CARRIER.format(respelling)))))
        if wanted in {sound_key(w) for w in heard} or wanted in _joined_keys(heard):
            return respelling
    return None


def _joined_keys(heard: list[str]) -> set[str]:
    """The keys of each two words heard together ("Kes trel" for "Kestrel")."""
    return {sound_key(a + b) for a, b in zip(heard, heard[1:], strict=False)}
