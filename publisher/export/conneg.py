"""Content negotiation written out as nginx `map` blocks (conneg.conf of a static export).

nginx has no Accept parsing, so the negotiation is written out as chained `map` blocks that
compute what `publisher.negotiation.negotiate` and `publisher.i18n.choose_language` compute:

1. per media range (`text/turtle`, `application/xml`, `text/*`, `*/*`, …) a regex finds the
   range in `Accept` and a second map turns its `q` into four digits (`1000`, `0900`, `0135`);
2. per format, the q of the most specific range that names it: the media type, then an alias
   named exactly, then `type/*`, then `*/*` (python-mimeparse's fitness order);
3. a knockout over the formats in our order of preference: each round compares two four-digit
   q strings with a regex (a back-reference finds the first digit where they differ), and a tie
   keeps the earlier format, as `negotiate` does; a winner with q 0 means 406.

Languages work the same way over `Accept-Language`, except that ties go to the range listed first,
as `choose_language` has it. What this cannot reproduce is listed in docs/static-export.md.
Variables are prefixed `pub_`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from publisher.formats import Format

ZERO = "0000"
ONE = "1000"
ABSENT = ""


@dataclass(frozen=True)
class Map:
    """One nginx `map`: entries are tried in order (regexes start with `~`)."""

    source: str
    variable: str
    default: str
    entries: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Negotiation:
    """A choice among formats by `Accept`; `$pub_{name}_variant` is the chosen extension
    (empty when nothing is acceptable)."""

    name: str
    formats: tuple[Format, ...]

    @property
    def variable(self) -> str:
        return f"pub_{self.name}_variant"


def _slug(media_range: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", media_range.lower().replace("*", "any")).strip("_")


# --- q-values ----------------------------------------------------------------------------------

# A parameter list (`;q=0.5;level=1`) → the q as four digits. python-mimeparse reads an invalid q
# as 1; choose_language reads it as 0 (see `_q_entries`).
_Q = r";\s*q\s*=\s*"


# q written the way clients write them, looked up by hash before any regex is tried (nginx
# tries a map's exact strings first): what the regexes below would give for them, computed here.
COMMON_Q = {
    "": ONE,
    ";q=0": ZERO,
    ";q=1": ONE,
    ";q=1.0": ONE,
    **{f";q=0.{d}": f"0{d}00" for d in range(10)},
}
"""Parameter lists (after the `;` every captured list starts with) → their four-digit q."""
COMMON_LEVELS = (ONE, ZERO, *(f"0{d}00" for d in range(1, 10)))
"""The q values COMMON_Q yields: their comparisons are exact entries too."""


def _q_entries(absent: str, invalid: str) -> tuple[tuple[str, str], ...]:
    return (
        (ABSENT, absent),
        *((f";{params}", q) for params, q in COMMON_Q.items()),
        (rf"~*{_Q}0\.(\d)(\d)(\d)", "0$1$2$3"),
        (rf"~*{_Q}0\.(\d)(\d)", "0$1$20"),  # `$20` is capture 2, then a literal 0
        (rf"~*{_Q}0\.(\d)", "0$100"),
        (rf"~*{_Q}0\.?\s*(?:;|$)", ZERO),
        (rf"~*{_Q}1(?:\.0*)?\s*(?:;|$)", ONE),
        (rf"~*{_Q}[1-9]", ONE),  # above 1: mimeparse says 1, choose_language clamps to 1
        (rf"~*{_Q}", invalid),
    )


def _range_maps(header: str, media_range: str, pattern: str, prefix: str) -> list[Map]:
    """Two maps: the parameters of the first range `pattern` in `header` (empty when absent),
    then their q as four digits. An absent media range has no q (`""`: the format's q then
    comes from a less specific range); an absent language has q 0."""
    slug = f"{prefix}_{_slug(media_range)}"
    found = (rf"~*(?:^|,)\s*{pattern}\s*(;[^,]*)?(?:,|$)", ";$1")
    entries = [found]
    if media_range == "*/*":
        # No Accept, or no well-formed range in it, counts as */* (see negotiation.py).
        entries = [(ABSENT, ";"), (r"~^[^/]*$", ";"), found]
    return [
        Map(f"$http_{header}", f"pub_r_{slug}", ABSENT, tuple(entries)),
        Map(
            f"$pub_r_{slug}",
            f"pub_q_{slug}",
            ONE,
            _q_entries(ABSENT, ONE) if header == "accept" else _q_entries(ZERO, ZERO),
        ),
    ]


def _compare(a: str, b: str, variable: str) -> Map:
    """`1` when the four-digit q `a` is above `b`, `=` when equal, `0` below. The
    back-reference makes `(\\d*)` the common prefix, so the next digits are the first to
    differ."""
    entries = [
        (f"{x}:{y}", "1" if x > y else "=" if x == y else "0")
        for x in COMMON_LEVELS
        for y in COMMON_LEVELS
    ]
    entries += [(r"~^(\d{4}):\1$", "=")]
    entries += [(rf"~^(\d*){d}\d*:\1[0-{d - 1}]", "1") for d in range(9, 0, -1)]
    return Map(f"{a}:{b}", variable, "0", tuple(entries))


# --- media types -------------------------------------------------------------------------------


def _media_ranges(formats: Iterable[Format]) -> list[str]:
    """Every range whose q matters for `formats`, most specific first."""
    ranges: list[str] = []
    for fmt in formats:
        ranges += [fmt.media_type, *fmt.aliases, fmt.media_type.split("/")[0] + "/*"]
    ranges.append("*/*")
    return list(dict.fromkeys(ranges))


def _format_q(fmt: Format, name: str) -> Map:
    """The q of `fmt`: from its media type, else an alias named exactly, else `type/*`, else
    `*/*` — the first non-empty of the range qs, in python-mimeparse's fitness order."""
    ranges = [fmt.media_type, *fmt.aliases, fmt.media_type.split("/")[0] + "/*", "*/*"]
    source = "|".join(f"$pub_q_a_{_slug(r)}" for r in ranges)
    return Map(source, f"pub_{name}_q_{fmt.extension}", ZERO, ((r"~^\|*(\d{4})", "$1"),))


def negotiation_maps(negotiation: Negotiation) -> list[Map]:
    """The knockout over `negotiation.formats` (in preference order; ties keep the earlier)."""
    name, formats = negotiation.name, negotiation.formats
    maps = [_format_q(fmt, name) for fmt in formats]
    winner, winner_q = formats[0].extension, f"$pub_{name}_q_{formats[0].extension}"
    for n, fmt in enumerate(formats[1:], start=1):
        compared = f"pub_{name}_cmp_{n}"
        maps.append(_compare(winner_q, f"$pub_{name}_q_{fmt.extension}", compared))
        keep = (("1", winner), ("=", winner))
        keep_q = (("1", winner_q), ("=", winner_q))
        maps.append(Map(f"${compared}", f"pub_{name}_win_{n}", fmt.extension, keep))
        maps.append(
            Map(f"${compared}", f"pub_{name}_winq_{n}", f"$pub_{name}_q_{fmt.extension}", keep_q)
        )
        winner, winner_q = f"$pub_{name}_win_{n}", f"$pub_{name}_winq_{n}"
    maps.append(Map(winner_q, negotiation.variable, winner, ((ZERO, ABSENT),)))
    return maps


# --- languages ---------------------------------------------------------------------------------


def language_maps(languages: Sequence[str]) -> list[Map]:
    """`$pub_lang_arg` (`?lang=`), `$pub_lang_pref` (Accept-Language; empty: no preference, or
    `*` won) and `$pub_page_lang`, which falls back to `$pub_default_lang` (set per server)."""
    maps: list[Map] = []
    for lang in languages:
        maps += _range_maps("accept_language", lang, rf"{lang}(?:-[a-z0-9]*)*", "l")
    maps += _range_maps("accept_language", "*", r"\*", "l")
    alternatives = "|".join([*languages, r"\*"])
    maps.append(
        Map(
            "$http_accept_language",
            "pub_lang_first_raw",
            ABSENT,
            ((rf"~*^(?:[^,]*,)*?\s*({alternatives})(?:-[a-z0-9]*)*\s*(?:;|,|$)", "$1"),),
        )
    )
    listed_first = tuple((f"~*^{lang}$", lang) for lang in languages) + (("*", "*"),)
    maps.append(Map("$pub_lang_first_raw", "pub_lang_first", ABSENT, listed_first))
    # Knockout: languages in order, then `*` (which stands for the default language, "").
    candidates = [(lang, f"$pub_q_l_{_slug(lang)}") for lang in languages]
    candidates.append(("", "$pub_q_l_any"))
    winner, winner_q = candidates[0][0], candidates[0][1]
    for n, (lang, q) in enumerate(candidates[1:], start=1):
        compared = f"pub_lang_cmp_{n}"
        maps.append(_compare(winner_q, q, compared))
        # A tie goes to the one listed first (when it is this challenger).
        first = lang or "*"
        wins = (("~^1", winner), (f"=|{first}", lang), ("~^=", winner))
        wins_q = (("~^1", winner_q), (f"=|{first}", q), ("~^=", winner_q))
        maps.append(Map(f"${compared}|$pub_lang_first", f"pub_lang_win_{n}", lang, wins))
        maps.append(Map(f"${compared}|$pub_lang_first", f"pub_lang_winq_{n}", q, wins_q))
        winner, winner_q = f"$pub_lang_win_{n}", f"$pub_lang_winq_{n}"
    maps.append(Map(winner_q, "pub_lang_pref", winner, ((ZERO, ABSENT),)))
    arg = tuple((f"~*^{lang}(?:[-_]|$)", lang) for lang in languages)
    maps.append(Map("$arg_lang", "pub_lang_arg", ABSENT, arg))
    maps.append(
        Map(
            "$pub_lang_arg|$pub_lang_pref",
            "pub_page_lang",
            "$pub_default_lang",
            ((r"~^([^|]+)\|", "$1"), (r"~^\|(.+)$", "$1")),
        )
    )
    return maps


# --- all of conneg.conf ------------------------------------------------------------------------


def conneg_maps(negotiations: Sequence[Negotiation], languages: Sequence[str]) -> list[Map]:
    """Every map of conneg.conf, in dependency order (nginx does not care; readers do)."""
    maps: list[Map] = []
    for media_range in _media_ranges(f for n in negotiations for f in n.formats):
        pattern = re.escape(media_range)
        maps += _range_maps("accept", media_range, pattern, "a")
    for negotiation in negotiations:
        maps += negotiation_maps(negotiation)
    maps += language_maps(languages)
    return maps
