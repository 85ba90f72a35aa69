"""Where an episode's files live in the site: its MP3 and the transcripts and chapters beside it.

The companions are named after the MP3, whose name carries a hash of its bytes, so an episode whose
audio changes gets a fresh set of names and a podcast app never mixes old and new files.
"""

from __future__ import annotations

from dataclasses import dataclass

EPISODES_DIR = "episodes"
CHAPTERS_SUFFIX = ".chapters.json"


@dataclass(frozen=True)
class EpisodeFiles:
    """Site-relative paths of one episode's files."""

    audio: str
    vtt: str
    srt: str
    chapters: str

    @classmethod
    def of(cls, audio_file: str) -> EpisodeFiles:
        stem = audio_file.rsplit(".", 1)[0]
        return cls(audio=audio_file, vtt=f"{stem}.vtt", srt=f"{stem}.srt",
                   chapters=stem + CHAPTERS_SUFFIX)

    @property
    def all(self) -> tuple[str, ...]:
        return (self.audio, self.vtt, self.srt, self.chapters)
