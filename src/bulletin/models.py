"""The data that passes between pipeline stages: small frozen dataclasses.

FeedItems of a Feed (an edition's news) → Candidate (one story, from every feed carrying it) →
Article (read from a file or a page) → Script of Stories made of Segments → Clips (audio per
segment) → Mix (the stitched programme with its timings) → Episode (published MP3 with metadata);
PlayoutInfo says what the playout copy of a Mix says of itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class SegmentKind(StrEnum):
    """What part of the bulletin a segment is, in the order a bulletin has them."""

    INTRO = "intro"
    RUNDOWN = "rundown"
    HEADLINE = "headline"
    BODY = "body"
    TRANSITION = "transition"
    OUTRO = "outro"


SEGMENT_KINDS = tuple(kind.value for kind in SegmentKind)


@dataclass(frozen=True)
class FeedItem:
    """One entry of a news feed, as the feed gives it."""

    id: str  # the item's guid or id, else its link, else a hash of its title
    title: str  # plain text
    link: str | None  # the item's page: an absolute URL, or None when it has none
    feed: str  # the source of the feed it came from: a URL or a file path
    feed_title: str | None = None  # the feed's own title, the source's name
    published: dt.datetime | None = None  # aware, UTC: when published, else updated
    content: str = ""  # full text as HTML (content:encoded, Atom content, content_html)
    summary: str = ""  # the description or summary, HTML or plain text
    local: bool = False  # its feed was read from a file or a private address (see Feed.local)


@dataclass(frozen=True)
class Feed:
    """A news feed as read: its title, its items in the feed's order, and how to ask again."""

    source: str  # the URL or path it was read from
    title: str | None
    items: tuple[FeedItem, ...]
    local: bool = False  # read from a file or a private address: its links may be private too
    etag: str | None = None  # for a conditional GET next time
    last_modified: str | None = None


@dataclass(frozen=True)
class FeedState:
    """What is remembered of a feed between editions, to ask it again with a conditional GET."""

    etag: str | None
    last_modified: str | None
    body: bytes  # the last good answer, read again when the server says "not modified"


@dataclass(frozen=True)
class Candidate:
    """One story the feeds carry, counted once: its items from every feed carrying it, the one to
    read first. ``score`` is what ranked it (higher first)."""

    items: tuple[FeedItem, ...]
    published: dt.datetime  # aware, UTC: the item's date, or when the catalog first saw it
    score: float = 0.0

    @property
    def item(self) -> FeedItem:
        return self.items[0]

    @property
    def sources(self) -> tuple[str, ...]:
        """Every link to the story, one per feed carrying it, in order, without repeats."""
        links = (item.link or item.feed for item in self.items)
        return tuple(dict.fromkeys(links))


@dataclass(frozen=True)
class Dropped:
    """A story an edition left out, and why (for the summary)."""

    title: str
    url: str | None
    reason: str


@dataclass(frozen=True)
class Article:
    """One article as read from its source, before any spoken rewriting."""

    title: str
    paragraphs: tuple[str, ...]
    source: str  # where it came from: a path, a URL or "-"
    url: str | None = None
    author: str | None = None
    site: str | None = None
    date: dt.date | None = None
    also: tuple[str, ...] = ()  # other links to the same story (an edition's other sources)


@dataclass(frozen=True)
class Segment:
    """One unit of speech: synthesised on its own, followed by a pause."""

    id: str
    kind: SegmentKind  # a plain string naming one is taken too (and checked)
    text: str  # the clean original text
    spoken: str  # what the voice is asked to say
    pause_after: float = 0.5  # seconds of silence after this segment

    def __post_init__(self) -> None:
        # A str subclass: written and compared as its name, but only a valid name gets in.
        object.__setattr__(self, "kind", SegmentKind(self.kind))


@dataclass(frozen=True)
class Story:
    """One article's part of the bulletin."""

    title: str
    source: str | None
    segments: tuple[Segment, ...]
    url: str | None = None
    sources: tuple[str, ...] = ()  # a link to each source of the story, its own url first
    site: str | None = None  # the name its source goes by (og:site_name, front matter, feed title)


@dataclass(frozen=True)
class Script:
    """The whole bulletin as a producer reviews it: stories plus every segment in spoken order."""

    title: str
    date: dt.date
    stories: tuple[Story, ...]
    segments: tuple[Segment, ...]
    guid_key: str  # what identifies "the same bulletin" across rebuilds
    edited: bool = False  # read from a script file its producer changed (see script.review)


@dataclass(frozen=True)
class Speech:
    """Synthesised audio: 16-bit signed little-endian mono PCM at ``sample_rate``."""

    pcm: bytes
    sample_rate: int

    @property
    def duration(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate


@dataclass(frozen=True)
class Clip:
    """One segment's speech, and whether it came from the cache."""

    segment: Segment
    speech: Speech
    cached: bool = False


@dataclass(frozen=True)
class Chapter:
    """A titled span of the finished audio, in seconds."""

    title: str
    start: float
    end: float
    url: str | None = None  # a story's chapter: the story's own address


@dataclass(frozen=True)
class Cue:
    """A span of the finished audio where one segment is spoken (for transcripts)."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Mix:
    """The stitched, loudness-normalised programme ready to encode."""

    wav: Path
    duration: float
    chapters: tuple[Chapter, ...]
    cues: tuple[Cue, ...]


@dataclass(frozen=True)
class Episode:
    """A published episode, as the catalog and the feed know it."""

    guid: str
    title: str
    description: str
    pub_date: dt.datetime
    audio_file: str  # path relative to the site root, e.g. "episodes/2026-11-26-x-ab12cd34.mp3"
    length: int  # bytes
    duration: float  # seconds
    chapters: tuple[Chapter, ...] = field(default=())
    cues: tuple[Cue, ...] = field(default=())
    number: int = 0  # episode number in the show, given by the catalog


@dataclass(frozen=True)
class PlayoutInfo:
    """What a playout copy says of itself: the episode's title, the show, and when it was made
    (in the show's time zone)."""

    title: str
    show: str
    made: dt.datetime


@dataclass(frozen=True)
class Suspect:
    """A written word the listener does not hear as written, in which segment, and the lexicon
    respelling that was heard right (None when no respelling tried was)."""

    word: str
    heard: str  # what was heard in its place ("" when nothing was)
    segment: int
    suggestion: str | None = None


@dataclass(frozen=True)
class SegmentProof:
    """One segment as heard: the words expected and heard, and its word error rate."""

    id: int  # the segment's place in the episode, from 1
    expected: str
    heard: str
    wer: float
    flagged: bool


@dataclass(frozen=True)
class Proof:
    """What proofing an episode by ear found."""

    wer: float
    segments: tuple[SegmentProof, ...]
    suspects: tuple[Suspect, ...]


@dataclass(frozen=True)
class Programme:
    """A bulletin mixed and encoded, ready to publish: its MP3 and all the site is told of it.
    A job carries one from the machine that spoke it to the one that holds the site."""

    mp3: Path
    script: Script
    made_at: dt.datetime  # aware, UTC: when it was made, its publication date
    duration: float
    chapters: tuple[Chapter, ...]
    cues: tuple[Cue, ...]
    description: str
    loudness: float  # integrated, LUFS, as measured in the MP3
    true_peak: float  # dBTP
    segments: int
    synthesized: int  # segments spoken afresh (the rest came from the cache)
    playout: Path | None = None  # the playout copy written, if any
    proof: Proof | None = None  # what proofing it by ear heard ([proof] mode report or hold)
    draft: bool = False  # held back by the review gate


@dataclass(frozen=True)
class Planned:
    """An edition's stories chosen and read, to be spoken: what it tells (each story's key and
    digest), what it left out, and the feeds that could not be read."""

    made_at: dt.datetime
    read: tuple[tuple[Candidate, Article], ...]
    told: frozenset[tuple[str, str]]
    dropped: tuple[Dropped, ...]
    problems: tuple[str, ...]


@dataclass(frozen=True)
class Listed:
    """An episode of the catalog as ``episodes list`` shows it: published or a draft."""

    episode: Episode
    status: str  # "published" or "draft"
    wer: float | None = None  # a draft's: the word error rate it was held for
