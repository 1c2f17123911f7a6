"""A fragment page in one format: RDF bytes, or what the HTML page shows.

In quad formats (TriG, N-Quads, JSON-LD) the metadata and controls are a named graph of their
own whose `foaf:primaryTopic` is the fragment, as the TPF specification (§4.3) and Comunica
expect, and the matches keep their graphs (the union pattern's are triples of the default
graph); in triple formats (Turtle, N-Triples) everything is in the default graph. Every
canonical IRI is written on the public origin (`Urls`), as documents are, and every blank
node as its skolem IRI (`skolem`), so that it keeps its name from one page to the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox

from publisher.formats import HTML, JSONLD, NQUADS, NTRIPLES, TRIG, TURTLE, Format
from publisher.fragments.controls import PREFIXES, Addresses, metadata_triples
from publisher.fragments.pattern import UNION_GRAPH, explicit
from publisher.fragments.select import Page
from publisher.fragments.skolem import skolemise, skolemise_quad
from publisher.urls import FRAGMENTS_PATH
from publisher.vocab import XSD

FRAGMENT_FORMATS: tuple[Format, ...] = (TURTLE, TRIG, NQUADS, NTRIPLES, JSONLD, HTML)
"""What `/fragments` answers in, Turtle first (curl's `*/*`, as for documents)."""
QUAD_FORMATS = (TRIG, NQUADS, JSONLD)
PREFIXED = (TURTLE, TRIG)


def rdf_body(page: Page, at: Addresses, title: str, fmt: Format) -> bytes:
    """The page (matches, then metadata and controls) in an RDF format."""
    assert fmt.rdf_format is not None, fmt
    data = [skolemise_quad(q, at.urls) for q in page.quads]
    meta = metadata_triples(at, page, title)
    prefixes = PREFIXES if fmt in PREFIXED else None
    if fmt in QUAD_FORMATS:
        graph = ox.NamedNode(at.metadata_graph)
        quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in meta]
        written = ox.serialize([*quads, *data], format=fmt.rdf_format, prefixes=prefixes)
    else:
        triples = [*meta, *(q.triple for q in data)]
        written = ox.serialize(triples, format=fmt.rdf_format, prefixes=prefixes)
    assert written is not None  # no output file given: the bytes are returned
    return written


@dataclass(frozen=True)
class Cell:
    """One term of a match as the page shows it: its text and, for IRIs, blank nodes and
    literals, the fragment of that term in the same position."""

    text: str
    href: str | None
    lang: str | None = None


@dataclass(frozen=True)
class Row:
    subject: Cell
    predicate: Cell
    object: Cell
    graph: Cell | None


def _link(at: Addresses, name: str, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    base = at.urls.absolute(FRAGMENTS_PATH)
    return f"{base}?{name}={quote(explicit(term), safe='')}"


def _cell(at: Addresses, name: str, term: object) -> Cell:
    if isinstance(term, ox.Literal):
        plain = not term.language and term.datatype.value == XSD + "string"
        text = term.value if plain else explicit(term)
        return Cell(text, _link(at, name, term), term.language or None)
    if isinstance(term, ox.NamedNode | ox.BlankNode):
        return Cell(explicit(term), _link(at, name, term))
    return Cell(str(term), None)


def rows(page: Page, at: Addresses) -> list[Row]:
    """The page's matches as table rows (public IRIs, blank nodes as skolem IRIs, each term a
    link to its own fragment)."""
    out = []
    for quad in page.quads:
        q = skolemise_quad(quad, at.urls)
        graph = q.graph_name
        shown = None if isinstance(graph, ox.DefaultGraph) else _cell(at, "graph", graph)
        out.append(
            Row(
                _cell(at, "subject", q.subject),
                _cell(at, "predicate", q.predicate),
                _cell(at, "object", q.object),
                shown,
            )
        )
    return out


def form_values(at: Addresses) -> dict[str, str]:
    """The pattern as the form shows it (public IRIs, explicit representation; "" unbound)."""
    pattern, urls = at.pattern, at.urls
    values = {
        name: "" if term is None else explicit(skolemise(term, urls))
        for name, term in pattern.positions().items()
    }
    if pattern.union:
        values["graph"] = UNION_GRAPH
    else:
        values["graph"] = "" if pattern.graph is None else explicit(skolemise(pattern.graph, urls))
    return values
