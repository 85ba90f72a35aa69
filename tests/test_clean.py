"""Cleaning: what a newsreader would never read aloud goes; every sentence of the story stays."""

from __future__ import annotations

import pytest

from bulletin.articles.clean import clean_article, clean_paragraphs
from bulletin.errors import InputError
from bulletin.models import Article

STORY = [
    "The lighthouse on Gull Point will reopen in the spring, the trust that owns it said.",
    "\"We never thought we would see the lamp lit again,\" said keeper Ada Brennan.",
    "Repairs to the tower took three winters and most of the village's fundraising.",
]


def clean(*paragraphs: str) -> list[str]:
    return clean_paragraphs(list(paragraphs), title="Gull Point lighthouse to reopen")


def test_story_and_quotes_are_kept_whole() -> None:
    assert clean(*STORY) == STORY


@pytest.mark.parametrize("caption", [
    # a caption line and its credit in one block
    "Volunteers repaint the lamp room.\nCredit: Gull Point Trust/Ben Hale",
    # caption and credit on one line
    "Volunteers repaint the lamp room. Credit: Gull Point Trust/Ben Hale",
    # a line that is only a credit
    "(Credit: Ben Hale / Coast Weekly)",
    "Photograph: Ben Hale/Coast Weekly",
    "Image copyright Coast Weekly",
    "Image caption The lamp room after the storm",
])
def test_captions_and_credits_are_dropped(caption: str) -> None:
    assert clean(STORY[0], caption, STORY[1]) == [STORY[0], STORY[1]]


def test_a_credit_takes_only_the_caption_not_the_story_before_it() -> None:
    story_then_caption = STORY[0] + " " + STORY[2] + " The tower at dusk. Credit: Ben Hale"
    assert clean(story_then_caption) == [STORY[0] + " " + STORY[2]]
    # a story paragraph, then a credit on its own paragraph: the story stays whole
    assert clean(STORY[2], "(Credit: Ben Hale)") == [STORY[2]]


@pytest.mark.parametrize("noise", [
    "By Maria Olsen",
    "By Maria Olsen, Coast Weekly, Portree",
    "Read more: Storms batter the west coast",
    "READ MORE",
    "Sign up for our morning newsletter",
    "Share this article",
    "Share on Facebook",
    "Follow us on Twitter",
    "Follow us on https://social.example.org/coastweekly",
    "Click here to subscribe",
    "Advertisement",
    "© 2026 Coast Weekly. All rights reserved.",
    "Our Standards: The Trust Principles.",
    "- STORM GUIDE: How to prepare your home",
    "https://example.org/lighthouse",
    "news@example.org",
])
def test_bylines_prompts_and_links_are_dropped(noise: str) -> None:
    assert clean(STORY[0], noise, STORY[1]) == [STORY[0], STORY[1]]


# Reader-feedback prompts as real news pages print them: the first nine from the pages in
# ../shared/corpus/html (BBC, CBS News, Politico, Salon, the Telegraph), the rest as named.
@pytest.mark.parametrize("prompt", [
    "Have Your Say",  # BBC
    "Your Questions Answered",  # BBC
    "Can we answer your question on the coronavirus?",  # BBC
    "Did you like this Explainer?",  # BBC
    "Thank you for your feedback.",  # BBC
    "Contact Us",  # CBS News, the Telegraph
    "Feedback",  # Politico
    "Show Comments",  # Salon
    "Comment speech bubble",  # the Telegraph
    "We want to hear what you think about this article.",  # issue 17
    "Tell us your story",  # issue 17
    "We'd like to hear what you think about this or any of our articles.",  # The New York Times
    "Are you affected by the issues raised in this story? Share your experiences by emailing "
    "haveyoursay@bbc.co.uk.",  # BBC
    "Have you been affected? Tell us your story",  # BBC
    "Do you have an opinion on the issues raised in this article?",  # The Guardian
    "Was this article helpful?",
    "Join the conversation",
    "Send us your photos and videos",
    "Get in touch",
])
def test_reader_feedback_prompts_are_dropped(prompt: str) -> None:
    assert clean(STORY[0], prompt, STORY[1]) == [STORY[0], STORY[1]]


def test_story_sentences_about_feedback_and_comments_are_kept() -> None:
    kept = ["\"Tell us your story,\" the inspector urged anyone who saw the crash.",
            "Residents will have their say on the plans at a meeting on Monday.",
            "Feedback from the consultation showed most residents backed the plan.",
            "Comments from the minister angered the ferry crews.",
            "Contact with the trawler was lost at noon.",
            "Get in touch with the coastguard on 999 if you see a flare, the harbour master said."]
    assert clean(*kept) == kept


def test_urls_and_addresses_inside_a_sentence_are_removed() -> None:
    assert clean("Tickets are sold at https://tickets.example.org/gull today.",
                 "Write to keeper@example.org with questions.") == [
        "Tickets are sold today.", "Write with questions."]


def test_repeated_paragraphs_and_the_repeated_headline_are_dropped() -> None:
    assert clean("Gull Point lighthouse to reopen", STORY[0], STORY[1], STORY[0].upper(),
                 STORY[1]) == [STORY[0], STORY[1]]


def test_a_sentence_starting_with_a_prompt_word_is_still_story() -> None:
    kept = ["Shares in the ferry company rose after the vote.",
            "By the end of the night, the harbour was quiet.",
            "Related families gathered on the quay."]
    assert clean(*kept) == kept


def test_nothing_left_after_cleaning_is_an_input_error() -> None:
    article = Article(title="Gallery", paragraphs=("Storm clouds. Credit: Ben Hale",
                                                   "Read more: more pictures"),
                      source="gallery.txt")
    with pytest.raises(InputError, match=r"^gallery\.txt: no article text left after cleaning"):
        clean_article(article)


def test_clean_article_joins_wrapped_lines() -> None:
    article = Article(title="Lamp lit", paragraphs=("The lamp was lit\nat dusk on Friday.",),
                      source="a.txt")
    assert clean_article(article).paragraphs == ("The lamp was lit at dusk on Friday.",)


def test_wire_datelines_are_dropped_but_the_sentence_stays() -> None:
    assert clean("PORTREE (Reuters) - The lamp was lit on Friday.",
                 "KYIV, Ukraine (AP) — Ferries ran all night.") == [
        "The lamp was lit on Friday.", "Ferries ran all night."]


@pytest.mark.parametrize("subheading", ["A village waits", "THE LONG WINTER", "Repairs",
                                        "Why it matters"])
def test_a_subheading_between_sentences_is_not_read(subheading: str) -> None:
    assert clean(STORY[0], subheading, STORY[1]) == [STORY[0], STORY[1]]
    assert clean(subheading, STORY[0], STORY[1]) == [STORY[0], STORY[1]]


@pytest.mark.parametrize("figure", ["33%of those rescued were fishermen",
                                    "13% of the village's homes",
                                    "£2.4m raised in three winters", "1,200 visitors a year"])
def test_an_infographics_figures_are_not_read(figure: str) -> None:
    assert clean(STORY[0], STORY[1], figure, "64%of the cost came from donors") == STORY[:2]


def test_lists_quotes_and_closing_lines_without_a_full_stop_are_kept() -> None:
    listed = [STORY[0], "The trust will spend the money on:", "A new lamp", STORY[1],
              "Work starts with", "the gallery rail", "the lamp room", STORY[2]]
    assert clean(*listed) == listed
    quoted = [STORY[0], "“Never again”", STORY[1]]
    assert clean(*quoted) == quoted
    # A line at the end has nothing after it to head: a credit line of the newsroom is kept.
    closing = [STORY[0], "Additional reporting by Ben Hale; editing by Ada Brennan"]
    assert clean(*closing) == closing
    # A sentence is story however it ends, and so is a long line without a full stop.
    long_line = ("The keeper said backstage that nobody could predict what the winter storms "
                 "would do to the tower")
    assert clean(STORY[0], long_line, STORY[1]) == [STORY[0], long_line, STORY[1]]
