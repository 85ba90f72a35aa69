"""The proof stage: bulletin hears an episode before its listeners do.

In: an episode's MP3 and cues (from the catalog, or a build's own), the config. Out: a ``Proof``
(``models``): the word error rate of each segment and of the whole, flagged segments, suspect
words with what was heard and, when asked, a respelling heard right. ``proof_audio(mp3, cues,
config, engine)`` proofs audio (suggestions when a way to make the ``engine`` is given);
``find_episode(config, episode)`` the catalog's episode a guid or MP3 path names (default: the
latest); ``summary(proof)`` its JSON form; ``write_fixes`` (``fix``) writes suggestions into
the lexicon.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..config import Config
from ..errors import InputError
from ..feed import Catalog
from ..models import Cue, Episode, Proof
from ..script.lexicon import load_lexicon
from ..tts.base import Engine
from .compare import compare
from .fix import write_fixes
from .hear import Ear, samples
from .suggest import carrier_words, suggest

__all__ = ["find_episode", "proof_audio", "summary", "write_fixes"]


def proof_audio(mp3: Path, cues: Sequence[Cue], config: Config,
                engine: Callable[[], Engine] | None = None) -> Proof:
    """Hear ``mp3`` and compare it with its ``cues``; with ``engine`` (which makes the voice that
    read it, only when needed), each suspect word that no segment heard right gets the first
    respelling heard right (if any)."""
    with ThreadPoolExecutor(1) as pool:
        audio = pool.submit(samples, mp3)  # ffmpeg decodes while the model loads
        ear = Ear(config.proof.model)
        heard = ear.listen(audio.result(), cues, str(mp3))
    proof = compare(cues, heard, config.proof.max_segment_wer)
    if engine is None:
        return proof
    misheard = {s.word for s in proof.suspects} - carrier_words()  # "the", "is": never respelled
    for segment in proof.segments:  # a word heard right somewhere, the voice can say
        wrong = {s.word for s in proof.suspects if s.segment == segment.id}
        misheard -= set(segment.expected.split()) - wrong
    if not misheard:
        return proof
    lexicon = load_lexicon(config.script.lexicon or None)
    found = suggest({word: lexicon.apply(word).lower() != word for word in sorted(misheard)},
                    engine(), ear)
    return dataclasses.replace(proof, suspects=tuple(
        dataclasses.replace(s, suggestion=found.get(s.word)) for s in proof.suspects))


def find_episode(config: Config, episode: str | None = None) -> Episode:
    """The episode ``episode`` names (a guid or its start, or the path of its MP3); the latest
    when None."""
    catalog = Catalog(config.site, create=False)
    with catalog.reading() as db:
        if episode is None:
            found = catalog.episodes(db)
            if not found:
                raise InputError(f"{config.site}: no episode to proof yet")
            return found[0]
        if episode.lower().endswith(".mp3"):
            path = Path(episode).resolve()
            for candidate in catalog.episodes(db):
                if (config.site / candidate.audio_file).resolve() == path:
                    return candidate
            raise InputError(f"{episode}: not an episode of {config.site} (proof needs its "
                             "timings from the catalog)")
        return catalog.find(db, episode)


def summary(proof: Proof) -> dict[str, object]:
    """The proof as ``--json`` prints it."""
    return {"wer": proof.wer,
            "segments": [dataclasses.asdict(s) for s in proof.segments],
            "suspects": [dataclasses.asdict(s) for s in proof.suspects]}
