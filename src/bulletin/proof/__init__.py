"""The proof stage: bulletin hears an episode before its listeners do.

In: an episode's MP3 and cues (from the catalog, or a build's own), the config. Out: a ``Proof``
(``models``): the word error rate of each segment and of the whole, flagged segments, suspect
words with what was heard and, when asked, a respelling heard right. ``proof_audio(mp3, cues,
config, engine)`` proofs audio (suggestions when an ``engine`` is given); ``find_episode(config,
episode)`` the catalog's episode a guid or MP3 path names (default: the latest);
``summary(proof)`` its JSON form; ``write_fixes`` (``fix``) writes suggestions into the lexicon.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from ..config import Config
from ..errors import InputError
from ..feed import Catalog
from ..models import Cue, Episode, Proof
from ..script.lexicon import load_lexicon
from ..tts.base import Engine
from .compare import compare
from .fix import write_fixes
from .hear import Ear
from .suggest import suggest

__all__ = ["find_episode", "proof_audio", "summary", "write_fixes"]


def proof_audio(mp3: Path, cues: Sequence[Cue], config: Config,
                engine: Engine | None = None) -> Proof:
    """Hear ``mp3`` and compare it with its ``cues``; with ``engine``, each suspect word gets the
    first respelling heard right (if any)."""
    ear = Ear(config.proof.model)
    proof = compare(cues, ear.words(mp3), config.proof.max_segment_wer)
    if engine is None:
        return proof
    lexicon = load_lexicon(config.script.lexicon or None)
    tried: dict[str, str | None] = {}
    suspects = []
    for suspect in proof.suspects:
        if suspect.word not in tried:
            respelled = lexicon.apply(suspect.word).lower() != suspect.word
            tried[suspect.word] = suggest(suspect, engine, ear, respelled)
        suspects.append(dataclasses.replace(suspect, suggestion=tried[suspect.word]))
    return dataclasses.replace(proof, suspects=tuple(suspects))


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
