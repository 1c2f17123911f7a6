"""How the pages sort what they list: numbers inside texts as numbers."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"(\d+)")


def natural(text: str) -> tuple[str | int, ...]:
    """A sort key that puts "sentence 2" before "sentence 10" (every value of every table is
    sorted by it, so a text without digits takes the short way)."""
    folded = text.casefold()
    parts = _DIGITS.split(folded)
    if len(parts) == 1:
        return (folded,)
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts))  # odd: the digit runs
