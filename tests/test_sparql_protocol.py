"""Decoding protocol requests and choosing result formats, without a server."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from publisher.errors import (
    ProtocolError,
    QueryTooLong,
    UnsupportedMediaType,
    UpdateRefused,
)
from publisher.formats import CSV, JSONLD, NTRIPLES, RDFXML, SPARQL_JSON, SPARQL_XML, TSV, TURTLE
from publisher.sparql.endpoint import choose_formats
from publisher.sparql.protocol import parse_request

QUERY = 'SELECT * { ?s ?p "100% + 50%25 & more" }'
LIMIT = 1000


def test_get_and_form_post_decode_to_the_same_request() -> None:
    encoded = urlencode({"query": QUERY, "default-graph-uri": "http://g/1"})
    by_get = parse_request("GET", encoded.encode(), None, b"", LIMIT)
    by_form = parse_request(
        "POST", b"", "application/x-www-form-urlencoded", encoded.encode(), LIMIT
    )
    assert by_get == by_form
    assert by_get.query == QUERY  # `%` and `+` and `%25` survive as written
    assert by_get.default_graphs == ("http://g/1",)


def test_direct_post_takes_the_body_and_graphs_from_the_url() -> None:
    request = parse_request(
        "POST",
        b"named-graph-uri=http%3A%2F%2Fg%2F2",
        "application/sparql-query; charset=UTF-8",
        QUERY.encode(),
        LIMIT,
    )
    assert request.query == QUERY
    assert request.named_graphs == ("http://g/2",)
    assert request.names_dataset


def test_format_parameters_are_collected_not_refused() -> None:
    request = parse_request(
        "GET", b"query=ASK%7B%7D&format=json&output=json&results=json&foo=bar", None, b"", LIMIT
    )
    assert request.formats == ("json", "json", "json")


@pytest.mark.parametrize(
    ("method", "query_string", "content_type", "body", "error"),
    [
        ("GET", b"query=ASK%7B%7D&query=ASK%7B%7D", None, b"", ProtocolError),
        ("GET", b"update=CLEAR%20ALL", None, b"", UpdateRefused),
        ("POST", b"", "application/x-www-form-urlencoded", b"update=CLEAR%20ALL", UpdateRefused),
        ("POST", b"", "application/sparql-update", b"CLEAR ALL", UpdateRefused),
        ("POST", b"", "text/plain", b"ASK {}", UnsupportedMediaType),
        ("POST", b"", None, b"query=ASK%20%7B%7D", UnsupportedMediaType),
        ("POST", b"", "application/sparql-query; charset=UTF-16", "ASK {}".encode("utf-16"),
         ProtocolError),
        ("POST", b"", "application/sparql-query", b"ASK {\xff}", ProtocolError),
        ("POST", b"query=ASK%7B%7D", "application/sparql-query", b"ASK {}", ProtocolError),
        ("GET", b"query=%FF", None, b"", ProtocolError),
        ("GET", b"query=", None, b"", ProtocolError),
        ("GET", b"query=" + b"A" * (LIMIT + 1), None, b"", QueryTooLong),
    ],
)  # fmt: skip
def test_malformed_requests_are_refused(
    method: str, query_string: bytes, content_type: str | None, body: bytes, error: type
) -> None:
    with pytest.raises(error):
        parse_request(method, query_string, content_type, body, LIMIT)


def test_query_length_is_counted_in_utf8_bytes() -> None:
    arabic = "ASK { ?s ?p 'مؤتمر' }"  # 21 characters, 26 bytes
    parse_request("GET", urlencode({"query": arabic}).encode(), None, b"", 26)
    with pytest.raises(QueryTooLong, match="27 bytes|26 bytes"):
        parse_request("GET", urlencode({"query": arabic}).encode(), None, b"", 25)


@pytest.mark.parametrize(
    ("accept", "parameters", "table", "graph", "html"),
    [
        (None, (), SPARQL_JSON, TURTLE, False),
        ("*/*", (), SPARQL_JSON, TURTLE, False),
        ("text/csv", (), CSV, None, False),
        ("text/tab-separated-values", (), TSV, None, False),
        ("application/sparql-results+xml", (), SPARQL_XML, None, False),
        # rdflib's SPARQLStore for every query form: a CONSTRUCT must get RDF/XML.
        ("application/sparql-results+xml, application/rdf+xml", (), SPARQL_XML, RDFXML, False),
        ("application/n-triples,*/*;q=0.9", (), SPARQL_JSON, NTRIPLES, False),
        ("application/ld+json", (), None, JSONLD, False),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", (),
         SPARQL_XML, RDFXML, True),
        ("application/foo", (), None, None, False),
        # SPARQLWrapper repeats its choice in format/output/results; TSV twice, as it does.
        ("text/tab-separated-values", ("tsv", "text/tab-separated-values"), TSV, None, False),
        ("application/rdf+xml", ("xml",), SPARQL_XML, RDFXML, False),
        ("*/*", ("csv",), CSV, TURTLE, False),
        ("*/*", ("jsonld",), SPARQL_JSON, JSONLD, False),
        ("*/*", ("nonsense",), SPARQL_JSON, TURTLE, False),
        ("text/csv", ("html",), CSV, None, True),
    ],
)  # fmt: skip
def test_formats_are_chosen_per_kind_of_answer(
    accept: str | None, parameters: tuple[str, ...], table: object, graph: object, html: bool
) -> None:
    choice = choose_formats(accept, parameters)
    assert (choice.table, choice.graph, choice.html) == (table, graph, html)
