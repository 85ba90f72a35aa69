"""Speak every segment of a script, reusing cached speech.

In: ``Script``, an engine, a ``SegmentCache``. Out: one ``Clip`` per segment, in script order.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import ToolError
from ..models import Clip, Script
from .base import Engine
from .cache import SegmentCache

Progress = Callable[[int, int], None]  # (done, total)


def synthesize_script(script: Script, engine: Engine, cache: SegmentCache,
                      progress: Progress | None = None) -> tuple[Clip, ...]:
    """One Clip per segment; segments whose speech is cached are not synthesised again."""
    identity = engine.identity
    clips: list[Clip] = []
    total = len(script.segments)
    rate: int | None = None
    for done, segment in enumerate(script.segments, start=1):
        key = cache.key(identity, segment.spoken)
        speech = cache.get(key)
        cached = speech is not None
        if speech is None:
            speech = engine.synthesize(segment.spoken)
            if not speech.pcm:
                raise ToolError(f"{engine.name}: produced no audio for segment {segment.id}")
            cache.put(key, speech)
        if rate is not None and speech.sample_rate != rate:
            raise ToolError(f"{engine.name}: segments came back at different sample rates")
        rate = speech.sample_rate
        clips.append(Clip(segment=segment, pcm=speech.pcm, sample_rate=speech.sample_rate,
                          cached=cached))
        if progress:
            progress(done, total)
    return tuple(clips)
