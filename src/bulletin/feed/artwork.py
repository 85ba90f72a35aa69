"""What podcast apps accept as artwork.

``artwork_problems(data)`` → what is wrong with an image as podcast artwork (format, colour mode,
shape, pixel size, file size); empty when it is fine. Publishing refuses a configured cover with
problems, and ``feed check`` reports them.
"""

from __future__ import annotations

import io

from PIL import Image

MAX_BYTES = 512 * 1024
MIN_SIDE, MAX_SIDE = 1400, 3000  # what Apple Podcasts accepts
FORMATS = ("JPEG", "PNG")


def artwork_problems(data: bytes) -> list[str]:
    """Why ``data`` is not acceptable podcast artwork; an empty list when it is."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            kind, mode, (width, height) = image.format, image.mode, image.size
    except Exception as exc:  # Pillow raises many kinds for a file that is no image
        return [f"not an image Pillow can read ({type(exc).__name__})"]
    problems = []
    if kind not in FORMATS:
        problems.append(f"is {kind}, not JPEG or PNG")
    if mode != "RGB":
        problems.append(f"colour mode is {mode}, not RGB")
    if width != height:
        problems.append(f"is {width}×{height}, not square")
    elif not MIN_SIDE <= width <= MAX_SIDE:
        problems.append(f"is {width}×{height}; podcast apps want {MIN_SIDE} to {MAX_SIDE} pixels")
    if len(data) > MAX_BYTES:
        problems.append(f"is {len(data) // 1024} KB, over the {MAX_BYTES // 1024} KB limit")
    return problems
