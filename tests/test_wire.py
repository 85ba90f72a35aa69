"""What a queued job hands from one machine to the next survives the trip: every value of the
model made again, equal, from its JSON."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bulletin.errors import InputError
from bulletin.models import (
    Article,
    Candidate,
    Chapter,
    Cue,
    Dropped,
    FeedItem,
    Planned,
    Programme,
    Proof,
    Script,
    Segment,
    SegmentProof,
    Story,
    Suspect,
)
from bulletin.queue.wire import from_wire, to_wire
from bulletin.results import EditionResult, StoryRead

WHEN = dt.datetime(2026, 12, 2, 14, 30, tzinfo=dt.UTC)


def trip(value: object) -> object:
    return from_wire(type(value), json.loads(json.dumps(to_wire(value))))


def test_an_edition_planned_on_one_machine_is_the_same_on_the_next() -> None:
    item = FeedItem(id="a1", title="Ferry", link="https://news.example/ferry", feed="wire.rss",
                    feed_title="Wire", published=WHEN, summary="<p>Back</p>")
    candidate = Candidate(items=(item, FeedItem(id="b", title="Ferry", link=None, feed="x.xml")),
                          published=WHEN, score=2.5)
    article = Article(title="Ferry", paragraphs=("It is back.", "At nine."), source="wire",
                      date=WHEN.date(), also=("https://other.example/f",))
    planned = Planned(made_at=WHEN, read=((candidate, article),),
                      told=frozenset({("a1", "d1"), ("b", "d2")}),
                      dropped=(Dropped("Old", None, "too old"),), problems=("x.xml: 404",))
    assert trip(planned) == planned


def test_a_programme_and_its_edition_report_survive_the_trip() -> None:
    segment = Segment(id="s1", kind="body", text="It is back.", spoken="It is back.")
    script = Script(title="Ferry", date=WHEN.date(), guid_key="k",
                    stories=(Story(title="Ferry", source=None, segments=(segment,)),),
                    segments=(segment,))
    proof = Proof(0.1, (SegmentProof(1, "it is back", "it is black", 0.33, False),),
                  (Suspect("back", "black", 1, "bak"),))
    programme = Programme(mp3=Path("/tmp/x.mp3"), script=script, made_at=WHEN, duration=3.5,
                          chapters=(Chapter("Ferry", 0.0, 3.5, "https://n.example/f"),),
                          cues=(Cue("It is back.", 0.2, 1.4),), description="Ferry.",
                          loudness=-16.0, true_peak=-1.2, segments=1, synthesized=1,
                          proof=proof, draft=True)
    again = trip(programme)
    assert again == programme and again.script.segments[0].kind == "body"
    report = EditionResult(published=True, target=60.0, short_by=1.5,
                           stories=(StoryRead("Ferry", None, ("https://n.example/f",), 3.5, 1, 2),))
    assert trip(report) == report


def test_a_value_that_does_not_fit_is_one_line() -> None:
    with pytest.raises(InputError, match="^job: a Programme that does not fit"):
        from_wire(Programme, {"mp3": "/tmp/x.mp3"})
