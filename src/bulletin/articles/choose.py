"""Choose an edition's stories from its feeds' items: pure (no network, no files, no clock).

In: ``choose_stories(items, now=, max_age=, count=, weights=, first_seen=)`` takes the ``FeedItem``s
of every feed of an edition (in the feeds' order), the time it is, how old a story may be, how
many to keep, the weight of each feed (by feed URL or host; 1.0 unless given) and when the catalog
first saw each item (by ``item_key``). Out: the chosen ``Candidate``s, best first, and the stories
left out as ``Dropped``: those beyond the count (best first), then those too old, each with why.
``item_key`` and ``canonical_link`` name an item and a link the same way every time, for storing
first-seen dates and comparing editions.

One story is one Candidate: items whose links are the same once normalised, and items of different
feeds whose opening text is near-identical: the Jaccard similarity of their word 4-gram shingles
(lower-cased, markup and punctuation gone) is above 0.5, over their titles and as many of the first
60 words of the content (else the summary) as the shorter has, when that is 15 words or more; a
4-gram in 3 items of one feed is that feed's boilerplate and is not compared.

A story's date is its earliest item's: when published, else when first seen, else ``now`` (a date
more than 10 minutes ahead of ``now`` counts as ``now``). A story older than ``max_age`` is left
out whole. The items of a Candidate go longest content first, then by weight, then in the order
given. Ranking: the number of feeds carrying the story, then the weight of its best feed (the max,
so another feed carrying a story never lowers it; a low weight only demotes stories that low-weight
feeds alone carry), then newer first, then the order given. ``score`` = feeds + w / (1 + w) for
that best weight w: its whole part is how many feeds carry the story, its fraction grows with the
weight; equal scores were ranked by date.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from urllib.parse import unquote_plus, urlsplit, urlunsplit

import lxml.etree
import lxml.html

from ..errors import InputError
from ..models import Candidate, Dropped, FeedItem

SKEW = dt.timedelta(minutes=10)  # a date this far ahead of now is the feed's clock, not an error
SHINGLE = 4  # words in a shingle (5 would miss a copy edited in four places of its opening)
OPENING = 60  # words of content (else summary) compared, besides the title
MIN_WORDS = 15  # fewer words of opening text than this: too little to tell one story by
SIMILAR = 0.5  # shingle Jaccard similarity above which two items are one story
BOILERPLATE = 3  # a shingle in this many items of one feed is the feed's wording, not a story's

_TRACKING = re.compile(
    r"(?:utm|at|ns|mc|pk|mtm|hsa)_\w*|fbclid|gclid|gclsrc|dclid|msclkid|yclid|twclid|igshid"
    r"|ocid|cmpid|cmp|icid|ref|ref_src|ref_url|smid|xtor|_ga|_gl|mkt_tok|wt\.mc_id|s_cid")
_DEFAULT_PORT = {"http": 80, "https": 443}
_NOT_TEXT = ("script", "style", "noscript", "figure", "figcaption")  # captions differ by copy
_WORD = re.compile(r"\w+")
_NONE: Mapping = MappingProxyType({})


def canonical_link(url: str) -> str:
    """``url`` as one story's link is compared: scheme and host lower-cased, ``www.``, default
    port, fragment, tracking parameters and a trailing slash gone, other parameters sorted.
    Anything but an http(s) URL with a host comes back as given, trimmed."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORT or not parts.hostname:
        return text
    host = parts.hostname.rstrip(".").removeprefix("www.")
    host = f"[{host}]" if ":" in host else host
    user = parts.netloc.rpartition("@")[0]
    netloc = (user + "@" if user else "") + host
    if port is not None and port != _DEFAULT_PORT[scheme]:
        netloc += f":{port}"
    query = sorted(pair for pair in parts.query.split("&") if pair and not
                   _TRACKING.fullmatch(unquote_plus(pair.partition("=")[0]).lower()))
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "&".join(query), ""))


def item_key(item: FeedItem) -> str:
    """What names ``item`` across feeds and editions: its canonical link, else its feed and id."""
    return canonical_link(item.link) if item.link else f"{item.feed}#{item.id}"


def choose_stories(items: Sequence[FeedItem], *, now: dt.datetime, max_age: dt.timedelta,
                   count: int, weights: Mapping[str, float] = _NONE,
                   first_seen: Mapping[str, dt.datetime] = _NONE,
                   ) -> tuple[list[Candidate], list[Dropped]]:
    """The ``count`` best stories of ``items``, and the others left out with the reason (see the
    module's docstring for the rules). Raises ``InputError`` for a count below one, an age that
    is not positive, or a weight that is not a number of 0 or more."""
    _check(count, max_age, weights)
    feeds = {feed: rank for rank, feed in enumerate(dict.fromkeys(i.feed for i in items))}
    order = [(feeds[item.feed], index) for index, item in enumerate(items)]
    weight = [_weight(item, weights) for item in items]
    texts = [_Text(item) for item in items]
    dates = []
    for item in items:
        date = item.published or first_seen.get(item_key(item)) or now
        dates.append(now if date > now + SKEW else date)

    stories = []
    for group in _group(items, texts):
        group.sort(key=lambda i: (-texts[i].length, -weight[i], order[i]))
        best = max(weight[i] for i in group)
        sources = len({items[i].feed for i in group})
        candidate = Candidate(items=tuple(items[i] for i in group),
                              published=min(dates[i] for i in group),
                              score=sources + best / (1 + best))
        rank = (-sources, -best, -candidate.published.timestamp(), min(order[i] for i in group))
        stories.append((rank, candidate))
    stories.sort(key=lambda story: story[0])

    fresh = [c for _, c in stories if now - c.published <= max_age]
    old = [c for _, c in stories if now - c.published > max_age]
    dropped = [_dropped(c, f"not among the top {count}") for c in fresh[count:]]
    dropped += [_dropped(c, f"older than {_span(max_age)}") for c in old]
    return fresh[:count], dropped


def _check(count: int, max_age: dt.timedelta, weights: Mapping[str, float]) -> None:
    if count < 1:
        raise InputError(f"story count {count}: an edition needs at least one story")
    if max_age <= dt.timedelta(0):
        raise InputError(f"maximum age {max_age}: a story's age limit must be more than zero")
    for key, value in weights.items():
        if (isinstance(value, bool) or not isinstance(value, int | float)
                or not math.isfinite(value) or value < 0):
            raise InputError(f"weight of {key}: {value!r} is not a number of 0 or more")


def _host(url: str | None) -> str:
    try:
        host = urlsplit(url or "").hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".").removeprefix("www.")


def _weight(item: FeedItem, weights: Mapping[str, float]) -> float:
    """The weight of the feed URL exactly, else of the closest host key to the feed's host, else
    of the closest to the item's link's host (a host key matches its subdomains too), else 1."""
    if item.feed in weights:
        return float(weights[item.feed])
    hosts = {key.lower().removeprefix("www."): value for key, value in weights.items()}
    for host in (_host(item.feed), _host(item.link)):
        while host:
            if host in hosts:
                return float(hosts[host])
            host = host.partition(".")[2]
    return 1.0


def _words(markup: str) -> list[str]:
    """The lower-cased words of HTML or plain text, punctuation and markup gone."""
    if "<" in markup or "&" in markup:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
        lxml.etree.strip_elements(root, *_NOT_TEXT, with_tail=False)
        markup = " ".join(root.itertext())
    return _WORD.findall(markup.lower())


def _shingles(words: list[str]) -> list[tuple[str, ...]]:
    return [tuple(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)]


class _Text:
    """An item's opening text as shingles: its title's, and its opening's in the order they come."""

    def __init__(self, item: FeedItem) -> None:
        content = _words(item.content)
        self.length = len(content)  # the content's length in words: the longest is read
        opening = (content or _words(item.summary))[:OPENING]
        self.words = len(opening)
        self.title = set(_shingles(_words(item.title)))
        self.opening = _shingles(opening)

    def shingles(self, words: int, boilerplate: set[tuple[str, ...]]) -> set[tuple[str, ...]]:
        """The title's shingles and those of the first ``words`` words, but the boilerplate."""
        return (self.title | set(self.opening[:words - SHINGLE + 1])) - boilerplate


def _similar(a: _Text, b: _Text, boilerplate: set[tuple[str, ...]]) -> bool:
    """Near-identical openings, compared over as many words as the shorter one has (a summary
    that is the content's first sentences is the same story)."""
    words = min(a.words, b.words)
    if words < MIN_WORDS:
        return False
    one, other = a.shingles(words, boilerplate), b.shingles(words, boilerplate)
    return len(one & other) > SIMILAR * len(one | other)


def _group(items: Sequence[FeedItem], texts: list[_Text]) -> list[list[int]]:
    """The indices of ``items``, grouped by story: the same key, or similar text across feeds."""
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        parent[max(root(i), root(j))] = min(root(i), root(j))

    first: dict[str, int] = {}
    for index, item in enumerate(items):
        join(index, first.setdefault(item_key(item), index))

    per_feed: dict[str, Counter] = {}
    for item, text in zip(items, texts, strict=True):
        per_feed.setdefault(item.feed, Counter()).update(set(text.opening))
    boilerplate = {s for counts in per_feed.values() for s, n in counts.items() if n >= BOILERPLATE}
    carrying: dict[tuple[str, ...], list[int]] = {}
    for index, text in enumerate(texts):
        near = {j for s in set(text.opening) - boilerplate for j in carrying.get(s, ())}
        for j in sorted(near):
            if items[j].feed != items[index].feed and _similar(texts[j], text, boilerplate):
                join(j, index)
        for s in set(text.opening):
            carrying.setdefault(s, []).append(index)

    groups: dict[int, list[int]] = {}
    for index in range(len(items)):
        groups.setdefault(root(index), []).append(index)
    return list(groups.values())


def _dropped(candidate: Candidate, reason: str) -> Dropped:
    return Dropped(title=candidate.item.title, url=candidate.item.link, reason=reason)


def _span(age: dt.timedelta) -> str:
    seconds = round(age.total_seconds())
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"
