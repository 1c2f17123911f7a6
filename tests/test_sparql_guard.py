"""The guard in front of Oxigraph: query form, update refusal, SERVICE refusal, dataset clauses.

The lexer it reads and the IRI rewriting are tested in test_sparqltext.

Besides unit cases, a differential check: every query the guard lets through is run by
Oxigraph in this process (no network isolation here) next to a listener that must see no
connection; and a control shows that the SERVICE queries it refuses would have connected.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from sparql_support import listener

from publisher.errors import ServiceRefused, UpdateRefused
from publisher.sparql import guard


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * { ?s ?p ?o }", "SELECT"),
        ("select*{?s ?p ?o}", "SELECT"),
        ("PREFIX ex: <http://ex/> BASE <http://b/> ASK { ex:a ?p ?o }", "ASK"),
        ("PREFIX : <http://ex/>\nCONSTRUCT WHERE { :a ?p ?o }", "CONSTRUCT"),
        ("# a comment with SELECT\nDESCRIBE <http://ex/a>", "DESCRIBE"),
        ("PREFIX ex:<http://ex/>SELECT*{}", "SELECT"),
        ("{ not a query }", None),
    ],
)
def test_form_is_the_first_keyword_after_the_prologue(query: str, form: str | None) -> None:
    assert guard.inspect(query).form == form


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://a> <http://b> <http://c> }",
        "insert { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "DELETE WHERE { ?s ?p ?o }",
        "PREFIX ex: <http://ex/> DELETE DATA { ex:a ex:b ex:c }",
        "LOAD <http://example.org/data.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <http://example.org/g>",
        "CREATE GRAPH <http://example.org/g>",
        "ADD DEFAULT TO <http://example.org/g>",
        "MOVE DEFAULT TO <http://example.org/g>",
        "COPY DEFAULT TO <http://example.org/g>",
        "WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "# comment\nBASE <http://b/> PREFIX a: <http://a/> CLEAR DEFAULT",
    ],
)
def test_every_update_form_is_refused(update: str) -> None:
    with pytest.raises(UpdateRefused, match="read-only"):
        guard.inspect(update)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * { service <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT*{SERVICE<http://example.org/sparql>{?s ?p ?o}}",
        "SELECT * { SERVICE SILENT <http://example.org/sparql> { } }",
        "SELECT * { SERVICESILENT<http://example.org/sparql> { } }",
        "SELECT * { ?s ?p 1SERVICE<http://example.org/sparql> { } }",  # valid for Oxigraph
        "SELECT * { ?s ?p trueSERVICE<http://example.org/sparql> { } }",
        "SELECT * { SERVICE ?endpoint { } VALUES ?endpoint { <http://example.org/sparql> } }",
        "PREFIX : <http://example.org/> SELECT * { SERVICE:sparql { } }",
        "SELECT * { SERVICE # comment\n <http://example.org/sparql> { } }",
        "SELECT * { OPTIONAL { SERVICE <http://example.org/sparql> { } } }",
        "ASK { FILTER EXISTS { SERVICE <http://example.org/sparql> { } } }",
        # A `'` in an IRI-looking token: Oxigraph may read `<` as less-than, so the guard
        # searches the whole text (here the SERVICE hides behind a string for a naive lexer).
        "SELECT * { ?s ?p ?a FILTER(?a<'x>') SERVICE <http://example.org/sparql> {} #'\n }",
        # An escaped quote in a prefixed name is not the start of a string.
        "PREFIX ex: <http://ex/> SELECT * { ?s ex:p\\' ?o . SERVICE <http://e.org/> {} #'\n }",
        # \\u escapes in IRIs are decoded by Oxigraph after the IRI token ends.
        "SELECT * { <http://x/\\u0041'> ?p ?o . SERVICE <http://e.org/> {} #'\n }",
        "SELECT * { ?s ?p ?o } # ok\n; SELECT * { SERVICE <http://e.org/> {} }",
        "SELECT ?service { ?service ?p ?o }",  # conservative: refused, message says why
        "PREFIX schema: <https://schema.org/> SELECT * { ?s a schema:Service }",
    ],
)
def test_service_is_refused(query: str) -> None:
    with pytest.raises(ServiceRefused, match="outbound|allowlist"):
        guard.inspect(query)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { ?s <https://schema.org/serviceType> 'SERVICE <http://x> {}' }",
        "SELECT * { ?s ?p ?o } # SERVICE <http://example.org/sparql> { }",
        'SELECT * { ?s ?p """a long\nSERVICE string""" }',
        "SELECT * { <http://example.org/service> ?p ?o }",
    ],
)
def test_service_inside_iris_strings_and_comments_is_fine(query: str) -> None:
    assert guard.inspect(query).services == ()


def test_allowlisted_endpoints_pass_as_full_iris_only() -> None:
    allowed = ["http://example.org/sparql"]
    query = "SELECT * { SERVICE SILENT <http://example.org/sparql> { ?s ?p ?o } }"
    assert guard.inspect(query, allowed).services == ("http://example.org/sparql",)
    with pytest.raises(ServiceRefused, match="allowlist"):
        guard.inspect("SELECT * { SERVICE <http://other.org/sparql> {} }", allowed)
    with pytest.raises(ServiceRefused):
        guard.inspect("PREFIX e: <http://example.org/> SELECT * { SERVICE e:sparql {} }", allowed)
    with pytest.raises(ServiceRefused):
        guard.inspect("SELECT * { SERVICE ?x {} }", allowed)


@pytest.mark.parametrize(
    ("query", "has_from"),
    [
        ("SELECT * FROM <http://g> { ?s ?p ?o }", True),
        ("SELECT ?s FROM NAMED <http://g> WHERE { GRAPH ?g { ?s ?p ?o } }", True),
        ("PREFIX g: <http://g/> ASK FROM g:one { ?s ?p ?o }", True),
        ("CONSTRUCT { ?s ?p ?o }from<http://g>WHERE { ?s ?p ?o }", True),
        ("SELECT ?from { ?from ?p ?o }", False),
        ("PREFIX NAMEDx: <http://g/> SELECT * FROM NAMEDx:g { ?s ?p ?o }", True),
        ("PREFIX ex: <http://ex/> SELECT * { ?s ex:from ?o }", False),
        ("SELECT * { ?s ?p 'FROM <http://g>' } # FROM <http://g>", False),
    ],
)
def test_dataset_clauses_are_recognised(query: str, has_from: bool) -> None:
    assert guard.inspect(query).has_dataset_clause is has_from


PASSING = [
    "SELECT * FROM <{listener}g> {{ ?s ?p ?o }}",
    "SELECT * FROM NAMED <{listener}g> {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "ASK {{ GRAPH <{listener}g> {{ ?s ?p ?o }} }}",
    "DESCRIBE <{listener}thing>",
    "SELECT * {{ BIND(IRI('{listener}x') AS ?x) }}",
    "SELECT * {{ ?s <{listener}service> 'SERVICE <{listener}> {{}}' }}",
]
REFUSED = [
    "SELECT * {{ SERVICE <{listener}sparql> {{ BIND(1 AS ?x) }} }}",
    "SELECT * {{ BIND(1 AS ?x) ?s ?p 1SERVICE<{listener}sparql> {{ }} }}",
    "SELECT * {{ BIND(1 AS ?a) FILTER(?a<'x>'||true) SERVICE <{listener}sparql> {{}} #'\n }}",
]


def _run(query: str) -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://s"), ox.NamedNode("http://p"), ox.Literal("o")))
    try:
        answer = store.query(query, use_default_graph_as_union=True)
        if not isinstance(answer, ox.QueryBoolean):
            list(answer)
    except (OSError, RuntimeError, SyntaxError):
        pass


@pytest.mark.parametrize("template", PASSING)
def test_queries_the_guard_passes_fetch_nothing(template: str) -> None:
    with listener() as watcher:
        query = template.format(listener=watcher.url)
        guard.inspect(query)
        _run(query)
        assert watcher.connections == 0


@pytest.mark.parametrize("template", REFUSED)
def test_queries_the_guard_refuses_would_have_connected(template: str) -> None:
    """The control: proves the listener works and that Oxigraph itself would call out."""
    with listener() as watcher:
        query = template.format(listener=watcher.url)
        with pytest.raises(ServiceRefused):
            guard.inspect(query)
        _run(query)
        assert watcher.connections >= 1
