"""The graph SHACL validates: the union of all graphs, plus which named graph holds what.

SHACL sees one graph, so the union of the dataset's graphs is validated and graph names are lost.
Some sourcing rules are about graphs, though ("a state takes part only where a source says so",
"a literal is not shared by two sentence graphs unless both sentences say it"). So the working
copy also gets, for every quad in a named graph, two kinds of triples that only validation ever
sees (never the store, the dumps or a document):

    <graph> val:holdsSubject <subject> .      the graph states something about the subject
    <graph> val:holdsLiteral "literal" .      the graph states a fact with that literal value

Shapes use them in SPARQL constraints (`PREFIX val: <urn:x-publisher:validation#>`).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
import rdflib

from publisher.rdfterms import to_rdflib

NAMESPACE = "urn:x-publisher:validation#"
HOLDS_SUBJECT = rdflib.URIRef(NAMESPACE + "holdsSubject")
HOLDS_LITERAL = rdflib.URIRef(NAMESPACE + "holdsLiteral")


def validation_graph(quads: Iterable[ox.Quad]) -> rdflib.Graph:
    """The union graph of `quads`, with each named graph's subjects and literals marked."""
    graph = rdflib.Graph()
    for quad in quads:
        subject, obj = to_rdflib(quad.subject), to_rdflib(quad.object)
        graph.add((subject, to_rdflib(quad.predicate), obj))
        if isinstance(quad.graph_name, ox.DefaultGraph):
            continue
        name = to_rdflib(quad.graph_name)
        graph.add((name, HOLDS_SUBJECT, subject))
        if isinstance(obj, rdflib.Literal):
            graph.add((name, HOLDS_LITERAL, obj))
    return graph
