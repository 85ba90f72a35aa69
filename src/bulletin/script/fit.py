"""Write a bulletin to time: choose how much of each story to read so the programme ends on target.

In: ranked, cleaned ``Article``s (the lead story first), the target length in seconds, and two
collaborators: ``measure(script)``, the seconds of speech of each of the script's segments (the
pipeline speaks them; the segment cache makes a second ask cheap), and ``overhead(stories)``, the
seconds the mix adds around the speech (stings, crossfades, lead-ins) for that many stories.
Out: a ``Fit``: the ``Script`` (one segment per sentence, so re-planning re-speaks only the
sentences it adds) with its pauses stretched or tightened to land on the target, the programme's
length as measured, and how much of each story is read.

How: every story is read at least to its headline and first sentence; stories go from the bottom
of the rank when even that does not fit. The time left is shared by rank (the lead story gets the
most) and filled a whole sentence at a time from the top of each story (news is written
inverted-pyramid). Estimates of unspoken sentences use the speaking rate measured on what has been
spoken; after each round of speech the measured lengths re-plan the fit, until it holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache

from ..models import Article, Script, Story
from .limits import sentences
from .normalise import words

Measure = Callable[[Script], Sequence[float]]
Overhead = Callable[[int], float]
Planner = Callable[[list[Article], Callable[[str], list[str]]], Script]

TOLERANCE = 2.0  # seconds either side of the target the programme may end
STRETCH = (0.7, 1.6)  # how far every pause may be tightened or stretched to land on the target
PAUSE_WITHIN = 0.3  # a sentence's pause inside a paragraph (the estimate of an added one)
ROUNDS = 5  # rounds of speech at most: the first measures the rate, the last confirms the fit

# Titles before a name: never a sentence's end.
_TITLES = {"Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Mt.", "Ft.", "Prof.", "No.", "Nos."}
_ENDS_ABBREVIATION = re.compile(r"(?:^|\s)[\"“‘(]?(\S+)$")
_INITIAL = re.compile(r"^(?:[A-Z]\.)+$")


def split_sentences(paragraph: str) -> list[str]:
    """``paragraph``'s sentences, not split after a title or an initial ("Dr. Ray", "J. Doe",
    "the U.S. army") unless a word that starts sentences follows."""
    merged: list[str] = []
    for part in sentences(paragraph):
        if merged and _runs_on(merged[-1], part):
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return merged


def _runs_on(before: str, after: str) -> bool:
    """Whether the split between ``before`` and ``after`` falls inside one sentence."""
    if after[:1].islower() or after[:1].isdigit():
        return True
    last = _ENDS_ABBREVIATION.search(before)
    token = last.group(1) if last else ""
    if not token.endswith(".") or (after.split(" ", 1)[0] in words.SENTENCE_STARTERS
                                   and token not in _TITLES):
        return False
    return (token in _TITLES or token in words.ABBREVIATIONS or token[:-1] in words.ABBREVIATIONS
            or token[:-1] in words.MONTH_ABBREVIATIONS or _INITIAL.match(token) is not None)


@dataclass(frozen=True)
class Fit:
    script: Script
    seconds: float  # the programme's length as measured (speech, pauses, stings)
    target: float
    read: tuple[tuple[int, int], ...]  # for each story read: (sentences read, sentences in all)
    cut: tuple[Article, ...]  # stories left out because they did not fit

    @property
    def short_by(self) -> float:
        """Seconds short of the target beyond the tolerance (0 when on time)."""
        return max(0.0, self.target - TOLERANCE - self.seconds)


class _Fitter:
    def __init__(self, articles: Sequence[Article], target: float, plan: Planner,
                 measure: Measure, overhead: Overhead) -> None:
        self.articles = list(articles)
        self.target = target
        self.plan, self.measure, self.overhead = plan, measure, overhead
        self.units = [[(number, sentence) for number, paragraph in enumerate(a.paragraphs)
                       for sentence in split_sentences(paragraph)] for a in self.articles]
        self.known: dict[str, float] = {}  # spoken text -> seconds, as measured
        self.rate = 15.0  # characters a second, until measured
        self.script_of = cache(self._script)

    def _script(self, selection: tuple[int, ...]) -> Script:
        chosen = []
        for article, units, count in zip(self.articles, self.units, selection, strict=True):
            if not count:
                break
            paragraphs: dict[int, list[str]] = {}
            for number, sentence in units[:count]:
                paragraphs.setdefault(number, []).append(sentence)
            chosen.append(replace(article, paragraphs=tuple(" ".join(p)
                                                            for p in paragraphs.values())))
        return self.plan(chosen, split_sentences)

    def speech(self, spoken: str) -> float:
        return self.known.get(spoken, len(spoken) / self.rate)

    def seconds(self, script: Script, stretch: float = 1.0) -> float:
        return self.overhead(len(script.stories)) + sum(
            self.speech(seg.spoken) + seg.pause_after * stretch for seg in script.segments)

    def error(self, script: Script) -> float:
        """How far the target lies outside what stretching the pauses can reach."""
        pauses = sum(seg.pause_after for seg in script.segments)
        total = self.seconds(script)
        low, high = total - pauses * (1 - STRETCH[0]), total + pauses * (STRETCH[1] - 1)
        return max(0.0, low - self.target, self.target - high)

    def learn(self, script: Script) -> None:
        for segment, seconds in zip(script.segments, self.measure(script), strict=True):
            self.known[segment.spoken] = seconds
        chars = sum(len(text) for text in self.known)
        if chars:
            self.rate = chars / max(sum(self.known.values()), 1e-6)

    def choose(self) -> tuple[int, ...]:
        """How many sentences of each story to read, by the estimates so far."""
        count = len(self.articles)
        while count > 1 and self.seconds(self.script_of(self._least(count))) > self.target:
            count -= 1
        selection = list(self._least(count))
        least = self.script_of(tuple(selection))
        used = [self._told(story) for story in least.stories]  # each story's own seconds
        left = self.target - self.seconds(least)
        weights = [count - rank for rank in range(count)]  # the lead story's share is largest
        share = [used[s] + max(left, 0.0) * w / sum(weights) for s, w in enumerate(weights)]

        def cost(story: int) -> float:
            return self.speech(self._spoken(story, selection[story])) + PAUSE_WITHIN

        def more(story: int) -> bool:
            return selection[story] < len(self.units[story])

        def allowed(story: int) -> bool:
            """Within the time left, and no longer than a story ranked above it that has more
            to say: the higher a story ranks, the longer it is read."""
            after = used[story] + cost(story)
            return after <= left + used[story] and all(
                after <= used[above] for above in range(story) if more(above))

        while True:
            fitting = [s for s in range(count) if more(s) and allowed(s)]
            if not fitting:
                break
            story = max(fitting, key=lambda s: (share[s] - used[s] - cost(s), -s))
            spent = cost(story)
            selection[story] += 1
            used[story] += spent
            left -= spent
        # A sentence more when the pauses alone cannot reach the target and it brings it nearer.
        best = tuple(selection)
        for story in range(count):
            if more(story):
                trial = tuple(n + (s == story) for s, n in enumerate(selection))
                if self.error(self.script_of(trial)) < self.error(self.script_of(best)):
                    best = trial
        return best

    def _told(self, story: Story) -> float:
        """The seconds of a story's headline and sentences (its transition aside)."""
        return sum(self.speech(seg.spoken) + seg.pause_after for seg in story.segments
                   if seg.kind != "transition")

    def _least(self, count: int) -> tuple[int, ...]:
        return tuple(1 if s < count else 0 for s in range(len(self.articles)))

    @cache  # noqa: B019 - one fitter lives for one fit
    def _spoken(self, story: int, index: int) -> str:
        """The spoken form of a story's sentence (as the planner's segment says it)."""
        selection = tuple(index + 1 if s == story else int(s < story) for s in
                          range(len(self.articles)))
        return self.script_of(selection).stories[-1].segments[-1].spoken

    def fit(self) -> Fit:
        self.learn(self.script_of(self._least(len(self.articles))))  # the voice's rate, measured
        selection = self.choose()
        for _ in range(ROUNDS - 1):
            script = self.script_of(selection)
            if any(seg.spoken not in self.known for seg in script.segments):
                self.learn(script)
            again = self.choose()
            if again == selection:
                break
            selection = again
        script = self._landed(self.script_of(selection))
        count = sum(1 for n in selection if n)
        return Fit(script=script, seconds=self.seconds(script), target=self.target,
                   read=tuple((n, len(u)) for n, u in zip(selection, self.units, strict=True)
                              if n),
                   cut=tuple(self.articles[count:]))

    def _landed(self, script: Script) -> Script:
        """``script`` with every pause scaled (within ``STRETCH``) to end on the target."""
        pauses = sum(seg.pause_after for seg in script.segments)
        speech = self.seconds(script, stretch=0.0)
        if pauses <= 0:
            return script
        factor = min(max((self.target - speech) / pauses, STRETCH[0]), STRETCH[1])
        segments = tuple(replace(seg, pause_after=round(seg.pause_after * factor, 3))
                         for seg in script.segments)
        by_id = {seg.id: seg for seg in segments}
        stories = tuple(replace(story, segments=tuple(by_id[s.id] for s in story.segments))
                        for story in script.stories)
        return replace(script, segments=segments, stories=stories)


def fit_to_time(articles: Sequence[Article], target: float, plan: Planner, measure: Measure,
                overhead: Overhead) -> Fit:
    """The ``Fit`` of ``articles`` to ``target`` seconds (see the module's description).

    ``plan(articles, splitter)`` makes the script of the articles chosen (trimmed to whole
    sentences), one segment per sentence as ``splitter`` cuts them.
    """
    return _Fitter(articles, target, plan, measure, overhead).fit()
