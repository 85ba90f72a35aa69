"""Respellings that fix themselves: each suspect word said again, respelled, by the same voice and
heard by the same recogniser.

In: the suspect words (each with whether a lexicon respelled it), the engine that read the
bulletin, an ``Ear``. Out: for each word, the first spelling heard as the written word sounds (its
Metaphone key), to be its lexicon entry, or None. ``suggest(words, engine, ear)`` is the entry
point; ``respellings(word)`` the few it tries.

The words are tried together, a round per spelling: every word's carrier sentence is spoken, the
sentences are laid end to end and heard in as few windows as they fill. The first round says each
word as written. A word the lexicon left alone and that is then heard right was misheard only in
its context, so no respelling is proposed; a respelled word heard right as written needs none (its
suggestion is itself, replacing the entry).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..models import Cue, Speech
from ..tts.base import Engine
from .compare import said_words, sound_key
from .hear import Ear, samples

TRIES = 4  # spellings tried at most per word, the written one included
CARRIER = "The next word is {}. That was it."  # a sentence around it: a lone word is misheard
GAP = 0.6  # seconds of silence between carrier sentences
# Spelling-to-sound rewrites that an English voice reads more predictably.
REWRITES = ((r"ph", "f"), (r"qu", "kw"), (r"x", "ks"), (r"c(?=[eiy])", "s"), (r"c", "k"),
            (r"gh", "g"), (r"([a-z])\1", r"\1"), (r"ou", "ow"), (r"y$", "ee"))


def carrier_words() -> set[str]:
    """The words of the carrier sentence: a suspect among them is always heard in it."""
    return set(said_words(CARRIER.format("")))


def respellings(word: str) -> list[str]:
    """The written word itself, its syllables apart, and a plainer spelling; no repeats."""
    plain = word.lower()
    syllables = "-".join(re.findall(r"[^aeiouy]*[aeiouy]+(?:[^aeiouy]*$)?", plain)) or plain
    simple = plain
    for pattern, replacement in REWRITES:
        simple = re.sub(pattern, replacement, simple)
    return list(dict.fromkeys([plain, syllables, simple, simple.replace("-", " ")]))[:TRIES]


def suggest(words: Mapping[str, bool], engine: Engine, ear: Ear) -> dict[str, str | None]:
    """The spelling of each word (mapped to whether a lexicon respelled it) heard as the word
    sounds, or None (see the module's description)."""
    found: dict[str, str | None] = dict.fromkeys(words)
    tries = {word: respellings(word) for word in words}
    left = list(words)
    for round_ in range(TRIES):
        trying = {word: tries[word][round_] for word in left if round_ < len(tries[word])}
        if not trying:
            break
        right = _heard_right(trying, engine, ear)
        for word in right:
            found[word] = trying[word] if round_ or words[word] else None
        left = [word for word in trying if word not in right]
    return found


def _heard_right(trying: Mapping[str, str], engine: Engine, ear: Ear) -> set[str]:
    """The words of ``trying`` (word → spelling) whose spelling, said in its carrier sentence,
    is heard as the word sounds."""
    cues: list[Cue] = []
    pcm = bytearray()
    rate = 0
    for word, spelling in trying.items():
        speech = engine.synthesize(CARRIER.format(spelling))
        rate = rate or speech.sample_rate
        start = len(pcm) / 2 / rate
        pcm += speech.pcm
        cues.append(Cue(CARRIER.format(word), start, len(pcm) / 2 / rate))
        pcm += bytes(2 * int(GAP * rate))
    heard = ear.listen(samples(Speech(bytes(pcm), rate)), cues)
    right = set()
    for word, words in zip(trying, heard, strict=True):
        keys = {sound_key(w) for w in words} | {sound_key(a + b) for a, b in
                                                zip(words, words[1:], strict=False)}
        if sound_key(word) in keys:
            right.add(word)
    return right
