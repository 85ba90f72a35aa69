"""Clean an article of everything a newsreader would never say aloud.

In: ``Article`` as read (paragraphs may keep inner line breaks). Out: ``Article`` whose paragraphs
are single lines of story text. Dropped: photo captions and their credit lines (a caption is the
short text just before a credit, or a line that is only a credit), picture and chart labels,
bylines, "Read more" / "Sign up" / share / follow prompts, reader-feedback prompts ("Tell us your
story", "Have your say", "Show comments"), publisher boilerplate, bare URLs and e-mail addresses,
repeated paragraphs, subheadings (a few words with no full stop, standing alone between
sentences) and the figures of an infographic ("33%of those hospitalised"). Quotes, lists and
every sentence of the story itself are kept.
An article with nothing left raises ``InputError`` naming its source.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..errors import InputError
from ..models import Article

# A credit: "Credit: X", "(Credit: X)", "Photo: X", "Picture: X", "Image copyright X", ... to the
# end of its line, either starting the line or right after the end of a sentence (the caption).
_CREDIT_WORDS = (r"(?:photo(?:graph)?|picture|image|pic|video)?\s*+(?:credits?|copyright)\s*+:?"
                 r"|(?:photo(?:graph)?|picture|image|pic)\s*+:"
                 r"|image\s+(?:copyright|source)\b|©")
_CREDIT = re.compile(r"(?:^|(?<=[.!?\"”’')]\s))\s*+[(\[]?\s*+(?:" + _CREDIT_WORDS + r").*$",
                     re.IGNORECASE)
# Labels of pictures, video and charts that stand on their own line.
_LABEL = re.compile(r"^\s*+[(\[]?\s*+(?:image|media|video|photo|picture)\s+caption\b|"
                    r"^\s*+[(\[]?\s*+(?:source|graphic|chart|illustration)\s*:", re.IGNORECASE)
# Bylines: "By Jane Smith", "By Jane Smith, BBC News, New York", "Words by ...", "Author: ...".
_BYLINE = re.compile(r"^\s*(?i:(?:written |words |reported |story )?by|author:|posted by)\s+"
                     r"(?:[A-Z][\w.'’-]*|and|&|de|van|von|al|,)(?:\s+(?:[A-Z][\w.'’-]*|and|&|de|"
                     r"van|von|al|the)|,)*\s*(?:,.*)?$")
_PROMPT = re.compile(
    r"^\s*+(?:[-*•>]\s*+)?(?:"
    r"read (?:more|also|next|the full|our)\b|see also\b|more on (?:this|that)\b"
    r"|related(?: stories| coverage| articles| content| topics| links)?\s*(?::|$)"
    r"|most read\b|more stories\b|top stories\b|recommended\b|you may also like\b"
    r"|sign up\b|subscribe\b|register (?:now|here|for)\b|get (?:our|the) [\w ]*newsletter\b"
    r"|(?:click|tap) here\b|download (?:our|the) (?:free )?app\b"
    r"|share (?:this|on|via|the|your)\b|follow (?:us|me|[\w ]{0,30}) on\b|like us on\b"
    r"|advertisement\b|sponsored\b|our standards\s*:|all rights reserved"
    r"|copyright\b|listen to (?:this|the) (?:article|story)\b|\d+ min(?:ute)? read\b"
    r")", re.IGNORECASE)
_PROMPT_ANYWHERE = re.compile(r"\ball rights reserved\b", re.IGNORECASE)
# Reader-feedback prompts: the publisher asking for the reader's views, stories and ratings. A
# quote is story, so a prompt starts the paragraph; a bare word (Feedback, Contact us) is the whole.
_FEEDBACK = re.compile(
    r"^\s*+(?:[-*•>]\s*+)?(?:"
    r"we(?:'d|’d| would)? (?:want|like|love) to hear (?:from you|what you think|your)\b"
    r"|tell us (?:your (?:story|stories|views|thoughts|experiences?)\b|what you think\b|:)"
    r"|have your say\b|your questions answered\b|(?:can|could) we answer your question"
    r"|(?:are|were|have) you (?:been )?affected\b|do you have an opinion on\b"
    r"|do you have a (?:news )?(?:story|tip)\b|send us your\b"
    r"|did you (?:like|enjoy) this\b|(?:was|is) this (?:article|story|page) (?:helpful|useful)\b"
    r"|how would you rate this\b|thank you for your feedback\b"
    r"|let us know what you think\b|leave a comment\b|join the (?:conversation|discussion)\b"
    r"|(?:show|view|read|load|see) (?:all |the )?(?:\d+ )?comments\b"
    r"|(?:feedback|contact us|get in touch|comments?(?: speech bubble)?)\s*+[.!:]?\s*+$"
    r")", re.IGNORECASE)
# "- A SIMPLE GUIDE: How do I protect myself?": a promoted link under an all-capital label.
_PROMO_LABEL = re.compile(r"^(?:[-*•]\s+)?[A-Z][A-Z0-9 '’&-]{2,40}:\s+\S")
# Every pattern below runs in time linear in its text: whitespace is matched only from the start of
# its run ((?<!\s)), a run of word characters only from its first one, and runs are possessive
# (*+, ++) where giving characters back could never help, so no run is scanned more than once.
_LEAD = r"(?:(?<!\s)\s++(?:(?:{words})\s*+)?)?"  # " at " / " via " / spaces before a link
_URL_END = r"[^\s<>\"')\].,;:!?]"  # the last character of a link: not punctuation
_URL = re.compile(_LEAD.format(words="at|on|via|visit|see") + r"(?:\(\s*+)?(?:https?://|www\.)"
                  r"(?:" + _URL_END + r"|[.,;:!?]++(?=" + _URL_END + r"))++(?:\s*\))?",
                  re.IGNORECASE)
_EMAIL = re.compile(_LEAD.format(words="at|to|on|via") + r"(?<![\w.+-])[\w.+-]++@[\w-]++"
                    r"(?:\.[\w-]++)+", re.IGNORECASE)
# A wire-service dateline: "LOS ANGELES (Reuters) - ", "KYIV, Ukraine (AP) — ".
_DATELINE = re.compile(r"^[A-Z][A-Z .'’-]{1,40}(?:,\s*+[A-Z][\w .'’-]{1,30})?\s*+"
                       r"\([A-Z][\w .&/-]{0,30}\)\s*[-–—]+\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?\"”’])\s+(?=[\"“‘(]?[A-Z])")
_CAPTION_WORDS = 30  # a caption is short: longer text before a credit is story, not caption
_SUBHEADING_WORDS = 10  # a subheading is a few words; a longer line without a full stop is story
_FIGURE_WORDS = 15  # an infographic's figure and its label
_SENTENCE = re.compile(r"[.!?…][\"”’')\]]*+$")  # text that ends as a sentence does
_UNFINISHED = re.compile(r"[.!?…:;,][\"”’')\]]*+$")  # ... or that runs on into what follows
# An infographic's figure: a number (a share, an amount) starting a label with no full stop.
_FIGURE = re.compile(r"^[£$€¥]?\d[\d.,]*+\s*+(?:%|per ?cent\b|[kmb]n?\b)?")


def _words(text: str) -> int:
    return len(text.split())


def _drop_caption(before: str) -> str:
    """Remove the caption that ends ``before`` (the text preceding a credit) and return the rest."""
    before = before.rstrip()
    if _words(before) <= _CAPTION_WORDS:
        return ""
    sentences = _SENTENCE_END.split(before)
    if len(sentences) > 1 and _words(sentences[-1]) <= _CAPTION_WORDS:
        return " ".join(sentences[:-1])
    return before


def _strip_credits(paragraph: str) -> str:
    """A paragraph without its credits and the captions that go with them."""
    kept: list[str] = []
    for line in paragraph.split("\n"):
        match = _CREDIT.search(line)
        if match is None:
            kept.append(line)
            continue
        before = line[: match.start()].strip()
        if before:
            kept.append(_drop_caption(before))
        elif kept:
            # A credit on its own line: the line above it in the same block is the caption.
            kept[-1] = _drop_caption(kept[-1])
    return " ".join(part.strip() for part in kept if part.strip())


def _strip_links(text: str) -> str:
    text = _URL.sub("", text)
    text = _EMAIL.sub("", text)
    text = re.sub(r"(?<!\s)\s++(?=[.,;:!?])", "", text)
    text = re.sub(r"\(\s*\)|\[\s*\]", "", text)
    return re.sub(r"\s{2,}", " ", text).strip()


def _is_noise(line: str) -> bool:
    """A whole paragraph that is not story: a label, byline, prompt or promoted link."""
    if (_LABEL.match(line) or _PROMPT.match(line) or _FEEDBACK.match(line)
            or _PROMPT_ANYWHERE.search(line)):
        return True
    if _BYLINE.match(line) and _words(line) <= 12:
        return True
    if _PROMO_LABEL.match(line) and not line.rstrip().endswith((".", "\"", "”")):
        return True
    return not re.search(r"\w", line)  # nothing but punctuation left


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def _same_headline(paragraph: str, title: str) -> bool:
    """The page repeats its headline as the first paragraph (often in a longer form)."""
    words, head = set(_key(paragraph).split()), set(_key(title).split())
    if not words or not head or paragraph.rstrip().endswith((".", "!", "?")):
        return False
    return len(words & head) / len(head) >= 0.7 and len(words) <= len(head) * 1.5


def _is_label(before: str | None, line: str, after: str | None) -> bool:
    """A line that is not a sentence of the story: a subheading (a few words, no full stop, between
    sentences: never an item of a list, nor a quote) or an infographic's figure ("33%of those
    hospitalised", "13% of the population")."""
    if _UNFINISHED.search(line):
        return False
    if _FIGURE.match(line) and _words(line) <= _FIGURE_WORDS:
        return True
    return (_words(line) <= _SUBHEADING_WORDS and not line.startswith(("\"", "“", "‘", "'"))
            and (before is None or _SENTENCE.search(before) is not None)
            and after is not None and _SENTENCE.search(after) is not None)


def clean_paragraphs(paragraphs: list[str] | tuple[str, ...], title: str = "") -> list[str]:
    """The story's paragraphs, in order, with everything not meant to be read aloud removed."""
    kept: list[str] = []
    seen: set[str] = set()
    for raw in paragraphs:
        text = _strip_credits(raw.strip())
        if not text or _is_noise(text):
            continue
        # Again once links are gone: "Follow us on https://..." is a prompt only without the link.
        text = _DATELINE.sub("", _strip_links(text))
        if not text or _is_noise(text):
            continue
        key = _key(text)
        if key in seen:
            continue
        if not kept and title and _same_headline(text, title):
            continue
        seen.add(key)
        kept.append(text)
    ends = [None, *kept, None]
    return [line for n, line in enumerate(kept, 1)
            if not _is_label(ends[n - 1], line, ends[n + 1])]


def clean_article(article: Article) -> Article:
    """``article`` with only what a newsreader would say; InputError if nothing is left."""
    title = " ".join(_strip_links(article.title).split())
    if not title:
        raise InputError(f"{article.source}: article has no headline")
    kept = clean_paragraphs(article.paragraphs, title)
    if not kept:
        raise InputError(f"{article.source}: no article text left after cleaning "
                         "(only captions, credits, links or prompts)")
    return replace(article, title=title, paragraphs=tuple(kept))
