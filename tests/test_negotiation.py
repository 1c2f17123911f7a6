"""negotiate(): the Accept headers real clients send (the shared clients.md table), then edge
cases."""

from __future__ import annotations

import pytest

from publisher.formats import (
    DOCUMENT_FORMATS,
    GRAPH_RESULT_FORMATS,
    HTML,
    JSONLD,
    NQUADS,
    NTRIPLES,
    RDFXML,
    TURTLE,
    Format,
)
from publisher.negotiation import negotiate, parse_accept

COMUNICA = (
    "application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,"
    "application/n-triples;q=0.8,text/turtle;q=0.6,application/rdf+xml;q=0.5,text/n3;q=0.35,"
    "application/xml;q=0.3,image/svg+xml;q=0.3,text/xml;q=0.3,text/html;q=0.2,"
    "application/xhtml+xml;q=0.18,application/json;q=0.135,text/shaclc;q=0.1,"
    "text/shaclc-ext;q=0.05"
)

# (client, Accept header, the document format it must get)
CLIENTS: list[tuple[str, str | None, Format]] = [
    ("LDSpider", "application/rdf+xml, application/xml", RDFXML),
    (
        "rdflib Graph.parse(url), no format",
        "application/rdf+xml, text/n3, text/turtle, application/n-triples, "
        "application/ld+json, application/n-quads, application/trix, application/trig",
        TURTLE,  # all q=1: our preference breaks the tie, not the client's listing order
    ),
    ("rdflib format=turtle", "text/turtle, application/x-turtle, */*;q=0.1", TURTLE),
    ("rdflib format=json-ld", "application/ld+json, application/json;q=0.9, */*;q=0.1", JSONLD),
    ("Comunica", COMUNICA, NQUADS),
    (
        "Comunica without N-Quads",
        COMUNICA.replace("application/n-quads,", ""),
        JSONLD,  # trig is not offered; ld+json 0.9 beats n-triples 0.8 and html 0.2
    ),
    (
        "older Solid/Comunica",
        "application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,"
        "application/n-triples;q=0.8,text/turtle;q=0.5,*/*;q=0.1",
        NQUADS,
    ),
    (
        "SPARQLWrapper SELECT/JSON",
        "application/x-sparqlstar-results+json,application/sparql-results+json,"
        "application/json,text/javascript,application/javascript",
        JSONLD,  # application/json is an alias of JSON-LD
    ),
    ("SPARQLWrapper CONSTRUCT Turtle", "application/turtle,text/turtle", TURTLE),
    ("SPARQLWrapper CONSTRUCT RDF/XML", "application/rdf+xml", RDFXML),
    ("SPARQLWrapper CONSTRUCT JSON-LD", "application/ld+json,application/x-json+ld", JSONLD),
    ("rdflib SPARQLStore CONSTRUCT", "application/sparql-results+xml, application/rdf+xml", RDFXML),
    ("YASGUI SELECT", "application/sparql-results+json,*/*;q=0.9", TURTLE),
    ("YASGUI CONSTRUCT", "application/n-triples,*/*;q=0.9", NTRIPLES),
    ("Firefox", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", HTML),
    (
        "Chrome",
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
        "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
        HTML,
    ),
    (
        "Gatling browser",
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,*/*;q=0.8",
        HTML,
    ),
    ("Safari", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", HTML),
    ("curl", "*/*", TURTLE),
    ("no Accept header (python urllib, wget -q)", None, TURTLE),
    ("fetch() default", "*/*", TURTLE),
    ("Java URLConnection", "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2", HTML),
]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [pytest.param(accept, fmt, id=client) for client, accept, fmt in CLIENTS],
)
def test_real_clients_get_the_format_they_want(accept: str | None, expected: Format) -> None:
    assert negotiate(accept, DOCUMENT_FORMATS) is expected


def test_comunica_never_gets_html_whatever_else_is_missing() -> None:
    ranges = COMUNICA.split(",")
    for dropped in range(len(ranges)):
        header = ",".join(r for i, r in enumerate(ranges) if i != dropped)
        assert negotiate(header, DOCUMENT_FORMATS) is not HTML, header


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        # q-values are honoured over listing order
        ("text/html;q=0.3, application/rdf+xml", RDFXML),
        ("application/ld+json;q=0.5, text/turtle;q=0.4", JSONLD),
        ("text/turtle;q=0.2, application/n-triples;q=0.8", NTRIPLES),
        # equal q: our preference order (Turtle, JSON-LD, N-Triples, N-Quads, RDF/XML, HTML)
        ("application/rdf+xml, application/ld+json", JSONLD),
        ("text/html, application/n-quads", NQUADS),
        ("text/html, application/rdf+xml", RDFXML),
        # q=0 excludes, even when a wildcard would admit the type
        ("text/turtle;q=0, */*", JSONLD),
        ("*/*;q=1, text/turtle;q=0, text/html;q=0.5", JSONLD),
        ("text/*, text/turtle;q=0", HTML),
        ("application/rdf+xml;q=0, application/xml", None),  # the alias cannot sneak it back
        # wildcards
        ("text/*", TURTLE),
        ("application/*", JSONLD),
        ("application/*;q=0.5, text/html;q=0.4", JSONLD),
        ("*", TURTLE),  # Java's lone `*`
        # case-insensitive media types (RFC 9110 §8.3.1)
        ("Text/HTML", HTML),
        ("APPLICATION/LD+JSON", JSONLD),
        # aliases
        ("application/x-turtle", TURTLE),
        ("text/plain", NTRIPLES),
        ("application/xhtml+xml", HTML),
        ("text/xml", RDFXML),
        # parameters on a range do not stop it matching
        ('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"', JSONLD),
        ("text/turtle;charset=utf-8", TURTLE),
        # nothing acceptable: the caller answers 406
        ("image/png", None),
        ("application/sparql-results+json", None),
        ("*/*;q=0", None),
        ("text/turtle;q=0", None),
        # empty, blank, malformed
        ("", TURTLE),
        ("   ", TURTLE),
        (",,", TURTLE),
        ("garbage", TURTLE),  # nothing parses: treated as absent, like */*
        ("garbage, text/html", HTML),  # a malformed range is skipped, the rest still counts
        ("text/html;q=abc", HTML),  # mimeparse reads an unparseable q as 1
        ("text/html;q=7", HTML),  # ... and an out-of-range one too
        ("a/b/c, application/rdf+xml", RDFXML),
    ],
)
def test_edge_cases(accept: str, expected: Format | None) -> None:
    assert negotiate(accept, DOCUMENT_FORMATS) is expected


def test_offered_order_is_the_tie_break() -> None:
    assert negotiate("*/*", (JSONLD, TURTLE)) is JSONLD
    assert negotiate("*/*", GRAPH_RESULT_FORMATS) is TURTLE
    assert negotiate("text/html", GRAPH_RESULT_FORMATS) is None


def test_parse_accept_skips_malformed_ranges_and_lowercases() -> None:
    assert parse_accept("Text/Turtle;q=0.5, nonsense") == [("text", "turtle", {"q": "0.5"})]
    assert parse_accept("nonsense") == [("*", "*", {"q": "1"})]
