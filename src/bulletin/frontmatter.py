"""Front matter: the block of ``key: value`` lines between ``---`` lines at the top of a Markdown
file. A Markdown article carries its title, source, author, date and URL there; a Markdown script
may carry a producer's notes there, which are never read aloud.
"""

from __future__ import annotations

import re

from .errors import InputError

_OPEN = re.compile(r"\A---[ \t]*(?:\n|\Z)")
_BLOCK = re.compile(r"\A---[ \t]*\n(?:(.*?)\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def split_front_matter(text: str, source: str) -> tuple[str | None, str]:
    """``(front matter, body)`` of Markdown ``text``: the lines between a ``---`` first line and
    the next ``---`` (or ``...``) line, else ``(None, text)``. An opened front matter that is never
    closed raises ``InputError`` (read aloud, it would be gibberish)."""
    match = _BLOCK.match(text)
    if match:
        return match.group(1) or "", text[match.end():]
    if _OPEN.match(text):
        raise InputError(f"{source}: front matter opened on line 1 is never closed "
                         "(end it with a '---' line)")
    return None, text


def front_matter(text: str, source: str) -> tuple[dict[str, str], str]:
    """``(fields, body)``: the front matter's ``key: value`` lines (keys in lower case, values
    unquoted; blank and ``#`` lines skipped) and the Markdown after it. A line that is not
    ``key: value`` raises ``InputError`` naming its line number."""
    block, body = split_front_matter(text, source)
    if block is None:
        return {}, text
    fields: dict[str, str] = {}
    for number, line in enumerate(block.split("\n"), start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            raise InputError(f"{source}: front matter line {number} is not 'key: value'")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        fields[key.strip().lower()] = value
    return fields, body
