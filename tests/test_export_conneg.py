"""The exact entries of conneg.conf's maps (the hash fast path nginx tries before any regex)
give what the map's regexes give for the same input, so the fast path changes no answer.

nginx looks a map's exact strings up first and tries its regexes only when none matches; the
regexes are the reference (their negotiation is compared with the live server's in
tests/test_export_nginx.py), so each exact entry is checked against them here, with Python's
`re` standing in for PCRE (the patterns use nothing the two read differently).
"""

from __future__ import annotations

import re

import pytest

from publisher.export.conneg import COMMON_Q, Map, Negotiation, conneg_maps
from publisher.formats import DOCUMENT_FORMATS
from publisher.i18n import LANGUAGES


def regex_value(m: Map, source: str) -> str:
    """What `m` gives for `source` from its regexes alone (in order), else its default."""
    for key, value in m.entries:
        if not key.startswith("~"):
            continue
        flags = re.IGNORECASE if key.startswith("~*") else 0
        found = re.search(key.removeprefix("~*").removeprefix("~"), source, flags)
        if found:
            # nginx reads `$20` as capture 2 then `0`: captures are one digit.
            groups: tuple[str, ...] = ("", *found.groups(default=""))
            return "".join(
                groups[int(part[1])] if part.startswith("$") else part
                for part in re.split(r"(\$\d)", value)
            )
    return m.default


MAPS = conneg_maps([Negotiation("doc", DOCUMENT_FORMATS)], LANGUAGES)
# The maps with a fast path: q values (of media ranges and languages) and the comparisons of
# the knockouts. (Other maps have exact entries that are meant to win over their regexes.)
FAST = [m for m in MAPS if m.variable.startswith("pub_q_") or "_cmp_" in m.variable]


def test_there_is_a_fast_path_for_q_values_and_comparisons() -> None:
    variables = {m.variable for m in FAST if any(not k.startswith("~") for k, _ in m.entries)}
    assert any(v.startswith("pub_q_a_") for v in variables)  # media ranges
    assert any(v.startswith("pub_q_l_") for v in variables)  # languages
    assert any("_cmp_" in v for v in variables)  # the knockout's comparisons


@pytest.mark.parametrize("m", FAST, ids=lambda m: m.variable)
def test_every_exact_entry_agrees_with_the_regexes(m: Map) -> None:
    exact = [(k, v) for k, v in m.entries if k and not k.startswith("~")]
    assert exact
    wrong = [(k, v, regex_value(m, k)) for k, v in exact if v != regex_value(m, k)]
    assert not wrong, f"${m.variable}: (input, exact, regexes) {wrong[:5]}"


@pytest.mark.parametrize(
    ("params", "q"),
    [("", "1000"), (";q=0.5", "0500"), (";q=0", "0000"), (";q=1.0", "1000"), (";q=0.9", "0900")],
)
def test_common_q_values_read_as_clients_mean_them(params: str, q: str) -> None:
    assert COMMON_Q[params] == q
