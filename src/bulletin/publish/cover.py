"""Cover art for shows that configure none: ``make_cover(title)`` → PNG bytes, 3000×3000, which
``bulletin.feed.artwork.artwork_problems`` finds nothing wrong with."""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SIZE = 3000


@lru_cache(maxsize=4)  # a first build embeds it in the MP3 and writes it into the site
def make_cover(title: str) -> bytes:
    """A 3000×3000 PNG (well under 512 KB): the title in large type on a colour drawn from it."""
    digest = hashlib.sha256(title.encode()).digest()
    hue = digest[0] / 255
    background = tuple(int(c) for c in _hsv(hue, 0.55, 0.35))
    accent = tuple(int(c) for c in _hsv(hue, 0.45, 0.85))
    image = Image.new("RGB", (SIZE, SIZE), background)
    draw = ImageDraw.Draw(image)
    draw.rectangle([180, 180, SIZE - 180, SIZE - 180], outline=accent, width=36)
    font, lines = _fit(draw, title.split() or [" "])
    heights = [draw.textbbox((0, 0), line, font=font)[3] for line in lines]
    gap = heights[0] // 5
    y = (SIZE - sum(heights) - gap * (len(lines) - 1)) // 2 - 100
    for line, height in zip(lines, heights, strict=True):
        width = draw.textlength(line, font=font)
        draw.text(((SIZE - width) / 2, y), line, font=font, fill=(255, 255, 255))
        y += height + gap
    draw.rectangle([SIZE // 2 - 300, SIZE - 520, SIZE // 2 + 300, SIZE - 480], fill=accent)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
TEXT_WIDTH, TEXT_HEIGHT = 2300, 1700  # the box the title is set in, inside the frame
# A typeface with accented letters where the system has one (Debian: fonts-dejavu-core);
# otherwise Pillow's own, which draws ASCII only.
TYPEFACES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
             "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
             "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf")


def _font(size: int) -> Font:
    for path in TYPEFACES:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _wrap(draw: ImageDraw.ImageDraw, words: list[str], font: Font) -> list[str]:
    lines: list[str] = []
    for word in words:
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= TEXT_WIDTH:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def _fit(draw: ImageDraw.ImageDraw, words: list[str]) -> tuple[Font, list[str]]:
    """The largest type (up to a limit) in which the title fits the box on at most five lines."""
    for size in range(520, 59, -20):
        font = _font(size)
        lines = _wrap(draw, words, font)
        widest = max(draw.textlength(line, font=font) for line in lines)
        if len(lines) <= 5 and widest <= TEXT_WIDTH and len(lines) * size * 1.25 <= TEXT_HEIGHT:
            return font, lines
    font = _font(60)
    return font, [line[:60] for line in _wrap(draw, words, font)[:5]]


def _hsv(h: float, s: float, v: float) -> tuple[float, float, float]:
    import colorsys

    r, g, b = colorsys.hsv_to_rgb(h, s, v)
    return r * 255, g * 255, b * 255
