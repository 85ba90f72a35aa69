"""Undo one gzip or deflate layer of a response body, a bounded number of bytes at a time.

In: the content encoding ("gzip", "x-gzip" or "deflate", which servers send both zlib-wrapped and
raw) and the compressed bytes as they stream. Out: at most as many inflated bytes per call as
asked for, with what was not yet inflated kept (``pending``) for the next call; ``done`` once
the compressed data ends. Damaged data raises ``zlib.error``.
"""

from __future__ import annotations

import zlib


class Inflater:
    """Undoes one gzip or deflate layer, making at most as many bytes as asked for at a time."""

    def __init__(self, encoding: str) -> None:
        self._raw_deflate_ok = encoding == "deflate"  # servers send raw deflate as "deflate" too
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 32)  # a gzip or zlib header
        self._started = False

    def inflate(self, data: bytes, most: int) -> bytes:
        try:
            part = self._zlib.decompress(data, most)
        except zlib.error:
            if self._started or not self._raw_deflate_ok:
                raise
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            part = self._zlib.decompress(data, most)
        self._started = True
        return part

    @property
    def pending(self) -> bytes:
        """Input not yet inflated because the last call made as many bytes as it was allowed."""
        return self._zlib.unconsumed_tail

    @property
    def done(self) -> bool:
        return self._zlib.eof
