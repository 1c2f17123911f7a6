"""The SPARQL lexer and the query rewrites: what they touch, and that they stay linear-time.

A query is public input, so no pattern may backtrack over it: each hostile shape below is timed
against an ordinary query of the same size, as a ratio (a quadratic pattern makes it thousands of
times slower at 100 KB; a linear one keeps it within a small factor).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

import pyoxigraph as ox
import pytest

from publisher.errors import SparqlError
from publisher.sparql import guard
from publisher.sparqltext import (
    RewriteTooLarge,
    bind,
    rewrite_iris,
    split_prologue,
    tokens,
    unskolemise,
)

GENID = "https://x/.well-known/genid/"
SIZE = 100_000


def test_tokens_reassemble_the_query() -> None:
    query = "PREFIX a: <http://a/> SELECT * { ?s a:p 'x' , \"y\" . } # c\n"
    assert "".join(t.text for t in tokens(query)) == query
    assert [t.kind for t in tokens("<http://a> 'b' # c")] == [
        "iri", "code", "string", "code", "comment",
    ]  # fmt: skip


def test_an_unclosed_long_string_is_read_as_oxigraph_reads_it() -> None:
    """`'''` never closed: an empty string `''`, then a short string, as the grammar's
    alternatives go."""
    assert [t.text for t in tokens("'''a'")] == ["''", "'a'"]


def test_only_iri_tokens_are_rewritten() -> None:
    query = (
        "PREFIX id: <http://127.0.0.1:8000/id/>\n"
        "SELECT * { <http://127.0.0.1:8000/id/person/x> ?p "
        "'http://127.0.0.1:8000/id/person/x' # <http://127.0.0.1:8000/id/c>\n}"
    )
    rewritten = rewrite_iris(
        query, lambda iri: iri.replace("http://127.0.0.1:8000/", "https://w3id.org/x/")
    )
    assert rewritten == (
        "PREFIX id: <https://w3id.org/x/id/>\n"
        "SELECT * { <https://w3id.org/x/id/person/x> ?p "
        "'http://127.0.0.1:8000/id/person/x' # <http://127.0.0.1:8000/id/c>\n}"
    )


def test_bind_puts_values_at_the_start_of_the_where_clause() -> None:
    this = {ox.Variable("this"): str(ox.NamedNode("http://x/a"))}
    assert bind("SELECT ?p WHERE { ?this ?p ?o }", this) == (
        "SELECT ?p WHERE { VALUES ?this { <http://x/a> }  ?this ?p ?o }"
    )
    construct = bind("CONSTRUCT { ?this ?p ?o } WHERE { ?this ?p ?o }", this)
    assert construct.startswith("CONSTRUCT { ?this ?p ?o } WHERE { VALUES ?this")
    tricky = 'PREFIX w: <http://x/WHERE>\nSELECT ?where # WHERE {\n{ ?this w:p "WHERE {" }'
    assert bind(tricky, this).endswith('{ VALUES ?this { <http://x/a> }  ?this w:p "WHERE {" }')
    two = {ox.Variable("a"): '"1"', ox.Variable("b"): '"x"@en'}
    assert 'VALUES (?a ?b) { ("1" "x"@en) }' in bind("ASK { ?a ?b ?c }", two)
    with pytest.raises(ValueError, match="WHERE"):
        bind("DESCRIBE <http://x/a>", this)


def test_split_prologue() -> None:
    prologue, body = split_prologue("BASE <http://x/>\n# c\nPREFIX a: <http://a/> SELECT * {}")
    assert body == "SELECT * {}" and prologue.endswith("<http://a/> ")


def test_term_tests_see_skolem_iris_as_blank_nodes() -> None:
    prefix = f'"{GENID}"'
    assert unskolemise("ASK { FILTER(isIRI(?s)) }", GENID) == (
        f"ASK {{ FILTER((isIRI(?s) && !STRSTARTS(STR(?s), {prefix}))) }}"
    )
    assert unskolemise("ASK { FILTER(!ISBLANK(COALESCE(?o, ?s))) }", GENID) == (
        "ASK { FILTER(!(isBlank(COALESCE(?o, ?s)) || (isIRI(COALESCE(?o, ?s)) && "
        f"STRSTARTS(STR(COALESCE(?o, ?s)), {prefix})))) }}"
    )
    nested = unskolemise("ASK { FILTER(isURI(STR(isBlank(?x)))) }", GENID)
    assert nested.startswith("ASK { FILTER((isIRI(STR((isBlank(?x) || (isIRI(?x) && ")
    untouched = 'SELECT ?isIRI { ?s ex:isIRI "isBlank(?x)" } # isURI(?s)'
    assert unskolemise(untouched, GENID) == untouched
    assert unskolemise("ASK { FILTER(isIRI(?s)) }", None) == "ASK { FILTER(isIRI(?s)) }"
    unclosed = "ASK { FILTER(isIRI(?s }"
    assert unskolemise(unclosed, GENID) == unclosed


def test_deeply_nested_term_tests_are_refused_not_multiplied() -> None:
    """Each isBlank writes its argument three times: 30 levels would be 3^30 copies."""
    query = "ASK { FILTER(" + "isBlank(" * 30 + "?x" + ")" * 30 + ") }"
    with pytest.raises(RewriteTooLarge):
        unskolemise(query, GENID)


def _every_pass(query: str) -> None:
    """Everything the publisher does to a query's text before an engine sees it."""
    with contextlib.suppress(SparqlError):
        guard.inspect(query)
    rewrite_iris(query, str.upper)
    split_prologue(query)
    with contextlib.suppress(ValueError):
        bind(query, {ox.Variable("x"): "<http://x/a>"})
    unskolemise(query, GENID)


def _best_seconds(work: Callable[[str], None], *queries: str) -> list[float]:
    """The best of five runs of each query, taken in turns so that other work on the machine
    slows them alike."""
    best = [float("inf")] * len(queries)
    for _ in range(5):
        for index, query in enumerate(queries):
            started = time.perf_counter()
            work(query)
            best[index] = min(best[index], time.perf_counter() - started)
    return best


ORDINARY = (
    "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label . "
    "FILTER(isIRI(?s) && LANG(?label) = 'en') } # an ordinary line\n"
)
HOSTILE = {
    "SERVICE and spaces": "SERVICE" + " " * (SIZE - 7),
    "SERVICE, spaces, no IRI": "SERVICE" + " " * (SIZE - 18) + "x<http://a>",
    "FROM, spaces, no IRI": "SELECT * FROM" + " " * (SIZE - 14) + "x",
    "FROM NAMED, spaces": "SELECT * FROM" + " " * (SIZE // 2) + "NAMEDX" + " " * (SIZE // 2),
    "PREFIX, spaces": "PREFIX" + " " * (SIZE - 7) + "x",
    "unclosed IRIs": "<a" * (SIZE // 2),
    "unclosed long string": "'''" + "''\\'" * (SIZE // 4),
    "unclosed short strings": "'" + "\\'" * (SIZE // 2),
    "escaped quotes in a string": '"' + 'a\\"' * (SIZE // 3) + '"',
    "WHERE and braces": "WHERE {" * (SIZE // 7),
    "term tests never closed": "isBlank(" * (SIZE // 8),
    "term tests, spaces": "isIRI" + " " * (SIZE - 5),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_queries_take_no_longer_than_ordinary_ones(name: str) -> None:
    ordinary = (ORDINARY * (SIZE // len(ORDINARY) + 1))[:SIZE]
    hostile = HOSTILE[name]
    assert abs(len(hostile) - SIZE) < SIZE // 10
    baseline, took = _best_seconds(_every_pass, ordinary, hostile)
    # Linear: within about 10 times (a token-dense text has more tokens to make); a pattern
    # that backtracks over the text is past 1000 times at this size.
    assert took < 100 * baseline, f"{name}: {took:.3f} s against {baseline:.3f} s"
