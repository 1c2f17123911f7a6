"""Content negotiation: an Accept header and the formats on offer give one format or none."""

from __future__ import annotations

from collections.abc import Sequence

import mimeparse

from publisher.formats import Format


def negotiate(accept: str | None, offered: Sequence[Format]) -> Format | None:
    """The offered format with the highest q-value; ties go to the earlier (preferred) format.

    A missing or empty header counts as `*/*`. Aliases (`application/xml` for RDF/XML) compete
    with their format's main media type, and the most specific matching range decides each q
    (RFC 9110 §12.5.1). Returns None when nothing offered is acceptable: the caller answers 406.
    """
    header = (accept or "").strip() or "*/*"
    try:
        ranges = [mimeparse.parse_media_range(r) for r in header.split(",") if r.strip()]
    except (mimeparse.MimeTypeParseException, ValueError):
        ranges = [mimeparse.parse_media_range("*/*")]
    best: Format | None = None
    best_q = 0.0
    for fmt in offered:
        q = _quality(fmt, ranges)
        if q > best_q:
            best, best_q = fmt, q
    return best


def _quality(fmt: Format, ranges: list[tuple[str, str, dict[str, str]]]) -> float:
    """The q of the most specific range matching any of the format's names, so that
    `text/turtle;q=0, */*` excludes Turtle even though its alias matches `*/*`."""
    matches = [mimeparse.quality_and_fitness_parsed(m, ranges) for m in fmt.media_types]
    q, _fitness = max(matches, key=lambda match: match[1])
    return float(q)
