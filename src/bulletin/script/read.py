"""Read an article from where it lives into an ``Article``.

In: a path to a ``.txt`` file in newsroom form (first non-empty line is the headline, paragraphs
separated by blank lines). Out: ``Article``. Anything unreadable raises ``InputError`` naming the file.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from ..models import Article

MAX_BYTES = 5 * 1024 * 1024  # an article is text; anything larger is not one


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or an InputError that names it and says why not."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not an article file")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"{path}: too large for an article ({size} bytes, limit {MAX_BYTES})")
        return path.read_bytes()
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 text with no binary content, or an InputError."""
    if b"\x00" in data:
        raise InputError(f"{name}: binary data, not a text article")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls:
        raise InputError(f"{name}: binary data, not a text article ({controls} control characters)")
    if not text.strip():
        raise InputError(f"{name}: empty article (no text)")
    return text


def parse_plain(text: str, source: str) -> Article:
    """A newsroom .txt: the first non-empty line is the headline, blank lines separate paragraphs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first, *rest = text.strip().split("\n", 1)
    title = first.strip()
    body_text = rest[0] if rest else ""
    paragraphs = [re.sub(r"\s*\n\s*", " ", b).strip() for b in re.split(r"\n\s*\n", body_text)]
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs:
        raise InputError(f"{source}: article has a headline but no paragraphs")
    return Article(title=title, paragraphs=tuple(paragraphs), source=source)


def read_article(source: str) -> Article:
    """Read one article from ``source`` (a file path)."""
    path = Path(source)
    text = decode_text(read_bytes(path), source)
    return parse_plain(text, source)
