"""Content negotiation: an Accept header and the formats on offer give one format or none.

The policy (docs/decisions/0002-content-negotiation.md): q-values decide; on equal q the format
listed first in `offered` wins (our preference, not the client's listing order); a missing, empty
or unparseable header counts as `*/*`, so curl gets the first offered format (Turtle for
documents). Parsing is python-mimeparse's; this module only adds case-folding, tolerance of
single malformed ranges, alias handling and the tie-break.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import mimeparse

from publisher.formats import Format

MediaRange = tuple[str, str, dict[str, str]]


def negotiate(accept: str | None, offered: Sequence[Format]) -> Format | None:
    """The offered format with the highest q-value; ties go to the earlier (preferred) format.

    A missing or empty header counts as `*/*`. The most specific matching range decides each
    q (RFC 9110 §12.5.1), so `text/turtle;q=0, */*` excludes Turtle; aliases
    (`application/xml` for RDF/XML) match only when named exactly. Malformed ranges are
    skipped; a header with no well-formed range at all counts as `*/*` (RFC 9110 lets a server
    disregard an Accept it cannot use). Returns None when nothing offered is acceptable: the
    caller answers 406.
    """
    return _negotiate(accept or "", tuple(offered))


@lru_cache(maxsize=1024)
def _negotiate(accept: str, offered: tuple[Format, ...]) -> Format | None:
    # Clients send a handful of distinct headers, so the parse is done once per header.
    ranges = parse_accept(accept)
    best: Format | None = None
    best_q = 0.0
    for fmt in offered:
        q = _quality(fmt, ranges)
        if q > best_q:
            best, best_q = fmt, q
    return best


def parse_accept(accept: str) -> list[MediaRange]:
    """The well-formed media ranges of an Accept header, lower-cased (media types are
    case-insensitive, RFC 9110 §8.3.1); `*/*` when there are none."""
    ranges = []
    for part in accept.lower().split(","):
        if not part.strip():
            continue
        try:
            parsed = mimeparse.parse_media_range(part)
        except ValueError:  # MimeTypeParseException is a ValueError
            continue
        if parsed[0] and parsed[1]:
            ranges.append(parsed)
    return ranges or [mimeparse.parse_media_range("*/*")]


def _quality(fmt: Format, ranges: list[MediaRange]) -> float:
    """The q of the most specific range naming the format; the first match wins a tie of
    specificity, so `text/turtle;q=0, */*` excludes Turtle.

    Aliases (`application/xml` for RDF/XML) count only when named exactly: we answer with the
    main media type, which `text/*` or `application/*` would not have admitted through an alias.
    """
    exact = [r for r in ranges if "*" not in (r[0], r[1])]
    matches = [mimeparse.quality_and_fitness_parsed(fmt.media_type, ranges)]
    matches += [mimeparse.quality_and_fitness_parsed(m, exact) for m in fmt.aliases]
    q, _fitness = max(matches, key=lambda match: match[1])
    return float(q)
