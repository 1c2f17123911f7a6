"""Our result serialisers, checked by parsing their output back with Oxigraph and rdflib."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
from rdflib.query import Result

from publisher.formats import (
    CSV,
    GRAPH_RESULT_FORMATS,
    JSONLD,
    SPARQL_JSON,
    SPARQL_XML,
    TSV,
    TURTLE,
)
from publisher.sparql import results

INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
TRICKY = "tab\there, newline\nthere, \"quotes\", 'single', <angle> & comma,"
VARIABLES = ["s", "label", "n"]
ROWS = [
    [
        ox.NamedNode("http://ex.org/a"),
        ox.Literal(TRICKY, language="en"),
        ox.Literal("1", datatype=INTEGER),
    ],
    [ox.BlankNode("b0"), ox.Literal("مؤتمر", language="ar"), None],
    [None, ox.Literal("plain"), ox.Literal("-7", datatype=INTEGER)],
]
LINK = "http://127.0.0.1:8000/sparql#truncated"
OX_FORMATS = {
    SPARQL_JSON: ox.QueryResultsFormat.JSON,
    SPARQL_XML: ox.QueryResultsFormat.XML,
    TSV: ox.QueryResultsFormat.TSV,
}


@pytest.mark.parametrize("fmt", [SPARQL_JSON, SPARQL_XML, TSV])
def test_solutions_round_trip_through_oxigraph(fmt: object) -> None:
    body = results.solutions(VARIABLES, ROWS, fmt, LINK)  # type: ignore[arg-type]
    parsed = ox.parse_query_results(body, format=OX_FORMATS[fmt])  # type: ignore[index]
    assert [v.value for v in parsed.variables] == VARIABLES
    rows = [[solution[name] for name in VARIABLES] for solution in parsed]
    assert rows[0] == ROWS[0]
    assert rows[1][1:] == ROWS[1][1:] and isinstance(rows[1][0], ox.BlankNode)
    assert rows[2] == ROWS[2]


@pytest.mark.parametrize(("fmt", "name"), [(SPARQL_JSON, "json"), (SPARQL_XML, "xml")])
def test_solutions_parse_with_rdflib(fmt: object, name: str) -> None:
    body = results.solutions(VARIABLES, ROWS, fmt, LINK)  # type: ignore[arg-type]
    parsed = Result.parse(io.BytesIO(body), format=name)
    assert [str(v) for v in parsed.vars] == VARIABLES
    assert str(list(parsed)[0][1]) == TRICKY


def test_truncation_link_sits_in_the_head_of_json_and_xml() -> None:
    document = json.loads(results.solutions(VARIABLES, ROWS, SPARQL_JSON, LINK))
    assert document["head"]["link"] == [LINK]
    assert f'<link href="{LINK}"/>' in results.solutions(VARIABLES, ROWS, SPARQL_XML, LINK).decode()
    assert "link" not in json.loads(results.solutions(VARIABLES, ROWS, SPARQL_JSON, None))["head"]


def test_csv_follows_the_sparql_csv_rules() -> None:
    body = results.solutions(VARIABLES, ROWS, CSV, LINK).decode()
    assert body.startswith("s,label,n\r\n")
    table = list(csv.reader(io.StringIO(body, newline="")))
    assert table[1] == ["http://ex.org/a", TRICKY, "1"]
    assert table[2] == ["_:b0", "مؤتمر", ""]


@pytest.mark.parametrize("fmt", [SPARQL_JSON, SPARQL_XML, CSV, TSV])
def test_booleans(fmt: object) -> None:
    body = results.boolean(True, fmt)  # type: ignore[arg-type]
    assert b"true" in body and b"false" not in body
    if fmt in OX_FORMATS and fmt is not TSV:
        assert bool(ox.parse_query_results(body, format=OX_FORMATS[fmt])) is True  # type: ignore[index]


TRIPLES = [
    ox.Triple(ox.NamedNode("http://ex.org/a"), ox.NamedNode("http://ex.org/p"), ROWS[0][1]),  # type: ignore[arg-type]
    ox.Triple(ox.NamedNode("http://ex.org/a"), ox.NamedNode("http://ex.org/n"), ROWS[0][2]),  # type: ignore[arg-type]
]


@pytest.mark.parametrize("fmt", GRAPH_RESULT_FORMATS, ids=lambda f: f.name)
def test_graphs_with_a_truncation_note_still_parse(fmt: object) -> None:
    body = results.graph(TRIPLES, fmt, {"ex": "http://ex.org/"}, "Truncated: see " + LINK)  # type: ignore[arg-type]
    parsed = {(q.subject, q.predicate, q.object) for q in ox.parse(body, format=fmt.rdf_format)}  # type: ignore[attr-defined]
    assert parsed == {(t.subject, t.predicate, t.object) for t in TRIPLES}
    assert (LINK.encode() in body) is (fmt is not JSONLD)
    if fmt is TURTLE:
        assert body.startswith(b"# Truncated")
