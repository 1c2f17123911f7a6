"""Properties of the SPARQL guard on generated queries: its verdict (an update or not, SERVICE
present or not) is the one a real SPARQL parser reaches (rdflib's), and its running time grows
linearly with the query's length (the query is public input, checked before anything else)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pyparsing import ParseException
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

from publisher.errors import ServiceRefused, UpdateRefused
from publisher.sparql import guard
from publisher.sparqltext import tokens

ENDPOINT = "http://127.0.0.1:9/sparql"

# Pieces a query is made of, each valid wherever a group graph pattern element may stand.
# None names a variable or prefix containing "service": the guard refuses those on purpose
# (decision 0003), so they are not part of the comparison.
_IRI = st.sampled_from(["<http://e/a>", "<http://e/service>", "e:a", "e:b", "<urn:x:SERVICE>"])
_VAR = st.sampled_from(["?s", "?p", "?o", "?x", "$y"])
_TERM = st.one_of(_IRI, _VAR)
_STRING = st.sampled_from(
    ['"SERVICE <http://e/>"', "'service'", '"""a\nSERVICE\n"""', '"x\\"SERVICE"', '""']
)
_COMMENT = st.sampled_from(["# SERVICE <http://e/> {}\n", "#service\n", "# plain\n", " "])
_SPACE = st.sampled_from([" ", "\n", "\t", "  "])


def _triple(draw: Any) -> str:
    return f"{draw(_TERM)} {draw(_TERM)} {draw(st.one_of(_TERM, _STRING))} ."


@st.composite
def _elements(draw: Any, depth: int = 0) -> str:
    kinds = ["triple", "filter", "comment"] + (
        ["group", "optional", "service", "subquery", "union"] if depth < 2 else []
    )
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(kinds))
        if kind == "triple":
            parts.append(_triple(draw))
        elif kind == "filter":
            parts.append(f"FILTER({draw(_VAR)} != {draw(st.one_of(_STRING, _IRI))})")
        elif kind == "comment":
            parts.append(draw(_COMMENT))
        else:
            inner = draw(_elements(depth + 1))
            spelling = draw(st.sampled_from(["SERVICE", "service", "SeRvIcE"]))
            silent = draw(st.sampled_from(["", " SILENT", " silent"]))
            between = draw(st.sampled_from([" ", "# c\n", "\n"]))
            parts.append(
                {
                    "group": f"{{ {inner} }}",
                    "optional": f"OPTIONAL {{ {inner} }}",
                    "service": f"{spelling}{silent}{between}<{ENDPOINT}> {{ {inner} }}",
                    "subquery": f"{{ SELECT * WHERE {{ {inner} }} }}",
                    "union": f"{{ {inner} }} UNION {{ {_triple(draw)} }}",
                }[kind]
            )
    return str(draw(_SPACE)).join(parts)


@st.composite
def queries(draw: Any) -> str:
    prologue = draw(st.sampled_from(["", "PREFIX e: <http://e/> ", "BASE <http://b/> "]))
    prologue += "PREFIX e: <http://e/>\n" if "PREFIX" not in prologue else ""
    body = draw(_elements())
    form = draw(
        st.sampled_from(
            [
                "SELECT * WHERE { %s }",
                "select ?s { %s }",
                "ASK { %s }",
                "CONSTRUCT { ?s ?p ?o } WHERE { %s }",
                "DESCRIBE ?s WHERE { %s }",
                "INSERT { ?s ?p ?o } WHERE { %s }",
                "DELETE { ?s ?p ?o } WHERE { %s }",
                "WITH <http://g> DELETE { ?s ?p ?o } WHERE { %s }",
                "INSERT DATA { <http://a> <http://b> 'c' } ; CLEAR ALL # %s",
                "LOAD <http://e/x> # %s",
                "CLEAR SILENT DEFAULT # %s",
                "DROP ALL # %s",
            ]
        )
    )
    return str(prologue + draw(_COMMENT) + form.replace("%s", body))


def _reference(query: str) -> tuple[bool, bool] | None:
    """(is an update, has a SERVICE) by rdflib's parser; None if neither grammar accepts it
    (or if its recursive parser gives up on the nesting)."""
    try:
        return False, _has_service(parseQuery(query))
    except ParseException:
        pass
    except RecursionError:
        return None
    try:
        parseUpdate(query)
    except (ParseException, RecursionError):
        return None
    return True, False


def _has_service(node: object) -> bool:
    if getattr(node, "name", None) == "ServiceGraphPattern":
        return True
    if isinstance(node, dict):
        return any(_has_service(v) for v in node.values())
    if isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
        return any(_has_service(v) for v in node)  # type: ignore[attr-defined]
    return False


def _verdict(query: str) -> tuple[bool, bool]:
    try:
        guard.inspect(query)
    except UpdateRefused:
        return True, False
    except ServiceRefused:
        return False, True
    return False, False


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries())
def test_the_guard_agrees_with_a_real_parser(query: str) -> None:
    expected = _reference(query)
    assume(expected is not None)
    assert _verdict(query) == expected, query


def _best_of(runs: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries(), st.sampled_from(["(", "{", "(((", "OPTIONAL {", "?a || ", "'''x''' ", "<a"]))
def test_the_guard_is_linear_in_the_query(query: str, filler: str) -> None:
    """Time at n and at 4n of a repeated fragment (the query, then an unbalanced filler that
    would hurt a backtracking pattern): a linear guard takes about 4 times longer, a quadratic
    one 16 times; 10 is the generous bound between them."""
    n = max(20_000 // (len(query) + len(filler)), 1)

    def work(k: int) -> Callable[[], object]:
        text = (query + filler) * k

        def run() -> None:
            guard.check_shape(tokens(text), 10**9, 10**9)
            with contextlib.suppress(UpdateRefused, ServiceRefused):
                guard.inspect(text)

        return run

    small, large = _best_of(3, work(n)), _best_of(3, work(4 * n))
    assert large < 10 * max(small, 1e-4), (small, large)


@pytest.mark.parametrize("depth", [1, 50, 200])
def test_nesting_up_to_the_limit_is_accepted(depth: int) -> None:
    query = "SELECT * " + "{ " * depth + "}" * depth
    assert guard.inspect(query, max_depth=200).form == "SELECT"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * " + "{" * 201 + "}" * 201,
        "SELECT * { FILTER(" + "(" * 200 + "1" + ")" * 200 + ") }",
        "SELECT * { " + "OPTIONAL { " * 201 + "}" * 201 + " }",
        "SELECT * { ?s <p> [ <q> " * 201 + " ] } ",
    ],
)
def test_nesting_beyond_the_limit_is_refused(query: str) -> None:
    with pytest.raises(guard.QueryTooDeep, match="max_query_depth"):
        guard.inspect(query, max_depth=200)


def test_brackets_in_strings_iris_and_comments_do_not_count() -> None:
    query = 'SELECT * { BIND("' + "(" * 500 + '" AS ?x) } # ' + "{" * 500
    assert guard.inspect(query, max_depth=10).form == "SELECT"


def test_long_chains_are_refused() -> None:
    with pytest.raises(guard.QueryTooDeep, match="chains"):
        guard.inspect("ASK { FILTER(" + "||".join(["1"] * 2001) + ") }", max_depth=200)
