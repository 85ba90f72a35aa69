"""Comparing what was heard with what the listener should hear, word by word, by sound.

In: the episode's cues (each segment's written text and where the mix placed it) and the words
heard during each. Out: a ``Proof`` without suggestions. What the listener should hear is a
segment's written words with numbers, dates and acronyms in words (the normaliser with no lexicon:
a respelling is judged by the word it respells); what was heard goes through the same normaliser
(the recogniser writes "£1.2 million" back in digits). Words are compared by their Metaphone key
(jellyfish), so "Raqqa" heard as "Raka" is right; the alignment and the word error rate are
jiwer's, over those keys. ``compare(cues, heard, max_segment_wer)`` is the entry point;
``share`` shares the words heard over several cues among them, by the same alignment.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..models import Cue, Proof, SegmentProof, Suspect
from ..script.lexicon import Lexicon
from ..script.normalise import Normaliser


def said_words(text: str) -> list[str]:
    """The words a line of text is said as: normalised without a lexicon, lower case."""
    spoken = Normaliser(Lexicon({}))(text)
    return re.findall(r"[a-z]+(?:'[a-z]+)?", spoken.lower().replace("-", " "))


def sound_key(word: str) -> str:
    """How a word sounds, as a Metaphone key (the word itself when it has none)."""
    import jellyfish

    return jellyfish.metaphone(word) or word


def share(expected: Sequence[Sequence[str]], heard: Sequence[str]) -> list[list[str]]:
    """``heard``, the words heard over several cues, shared among them: each word goes to the
    cue whose ``expected`` word it was aligned with (by sound), and a word heard in between to
    the cue before it."""
    import jiwer

    shares: list[list[str]] = [[] for _ in expected]
    owners = [n for n, words in enumerate(expected) for _ in words]
    if len(expected) == 1 or not owners or not heard:
        if shares:
            shares[0] = list(heard)
        return shares
    flat = [word for words in expected for word in words]
    out = jiwer.process_words(" ".join(map(sound_key, flat)), " ".join(map(sound_key, heard)))
    for chunk in out.alignments[0]:
        for offset, word in enumerate(heard[chunk.hyp_start_idx:chunk.hyp_end_idx]):
            at = (chunk.ref_start_idx + offset if chunk.type == "substitute" or
                  chunk.type == "equal" else chunk.ref_start_idx - 1)
            shares[owners[min(max(at, 0), len(owners) - 1)]].append(word)
    return shares


def _unjoined(expected: list[str], heard: list[str]) -> list[str]:
    """``heard`` with a word that sounds like two expected words said together split into them:
    a recogniser writes "harbour town" as "harbortown" as readily as a listener hears it right."""
    pairs = {sound_key(a + b): (a, b) for a, b in zip(expected, expected[1:], strict=False)}
    singles = {sound_key(word) for word in expected}
    words: list[str] = []
    for word in heard:
        key = sound_key(word)
        words += pairs[key] if key in pairs and key not in singles else (word,)
    return words


def _align(expected: list[str], heard: list[str]) -> tuple[int, list[tuple[str, str]]]:
    """The word errors between the two, and each expected word not heard as it sounds with
    what was heard in its place."""
    import jiwer

    if not expected:
        return len(heard), []
    if not heard:
        return len(expected), [(word, "") for word in expected]
    heard = _unjoined(expected, heard)
    keys = [" ".join(sound_key(w) for w in words) for words in (expected, heard)]
    out = jiwer.process_words(keys[0], keys[1])
    missed: list[tuple[str, str]] = []
    for chunk in out.alignments[0]:
        if chunk.type in ("substitute", "delete"):
            instead = " ".join(heard[chunk.hyp_start_idx:chunk.hyp_end_idx])
            missed += [(w, instead) for w in expected[chunk.ref_start_idx:chunk.ref_end_idx]]
    return out.substitutions + out.deletions + out.insertions, missed


def compare(cues: Sequence[Cue], heard: Sequence[Sequence[str]],
            max_segment_wer: float) -> Proof:
    """Each segment's word error rate and the whole episode's, from the words ``heard`` during
    each cue (as ``said_words`` writes them); segments above
    ``max_segment_wer`` flagged; every written word not heard as it sounds is a suspect (once
    per segment)."""
    segments: list[SegmentProof] = []
    suspects: list[Suspect] = []
    errors = total = 0
    for number, (cue, said) in enumerate(zip(cues, heard, strict=True), 1):
        expected, said = said_words(cue.text), list(said)
        wrong, missed = _align(expected, said)
        rate = wrong / max(len(expected), 1)
        flagged = rate > max_segment_wer
        errors, total = errors + wrong, total + len(expected)
        segments.append(SegmentProof(number, " ".join(expected), " ".join(said),
                                     round(rate, 4), flagged))
        for word in dict(missed):
            suspects.append(Suspect(word, dict(missed)[word], number))
    return Proof(round(errors / max(total, 1), 4), tuple(segments), tuple(suspects))
