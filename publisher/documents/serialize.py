"""A document's quads → the bytes of one format, the same bytes every time.

Determinism matters because a strong ETag promises byte-identical bodies: IRIs are rewritten to
the public origin, blank nodes get canonical labels (RDFC-1.0, not the store's random ones), and
statements are sorted (the topic first, rdf:type first within a subject). Turtle, N-Triples,
N-Quads and RDF/XML are written by Oxigraph; JSON-LD is compacted by pyld against our published
context, with a document loader that never touches the network.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox
from pyld import jsonld

from publisher.documents.describe import Document
from publisher.documents.jsonld_context import JsonLdContext
from publisher.formats import JSONLD, NQUADS, NTRIPLES, Format
from publisher.urls import Urls
from publisher.vocab import RDF_TYPE, XSD

XSD_STRING = XSD + "string"
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple  # a quoted triple (RDF 1.2)


def serialize(document: Document, fmt: Format, urls: Urls, context: JsonLdContext) -> bytes:
    """The document in `fmt` (an RDF format), every canonical IRI on the public origin."""
    public = [urls.rewrite_quad(quad) for quad in document.quads]
    topic, doc = urls.public(document.topic), urls.public(document.iri)
    if fmt is NQUADS:
        return _lines(ox.serialize(_canonical(public), format=ox.RdfFormat.N_QUADS))
    triples = _sorted_triples(_canonical(ox.Quad(*q.triple) for q in public), topic, doc)
    if fmt is NTRIPLES:
        return _lines(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
    if fmt is JSONLD:
        return to_jsonld(triples, context)
    if fmt.rdf_format is None:
        raise ValueError(f"{fmt.name} is not an RDF format")
    data = ox.serialize(triples, format=fmt.rdf_format, prefixes=_used(context.prefixes, triples))
    assert data is not None  # no output file given: the bytes are returned
    return data if data.endswith(b"\n") else data + b"\n"  # a text file ends with a newline


def to_jsonld(triples: list[ox.Triple], context: JsonLdContext) -> bytes:
    """Compacted JSON-LD whose `@context` is the URL of our published context."""
    compacted = jsonld.compact(
        _expanded(triples),
        context.document,
        {"documentLoader": refuse_remote_documents, "base": ""},
    )
    compacted["@context"] = context.url
    return (json.dumps(compacted, ensure_ascii=False, indent=2) + "\n").encode()


def refuse_remote_documents(url: str, options: Mapping[str, Any] | None = None) -> Any:
    """pyld's loader: the context is passed inline, so any fetch would be a bug or an attack."""
    raise jsonld.JsonLdError(
        f"refusing to load {url}: no remote documents", "jsonld.LoadDocumentError"
    )


def _canonical(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads, deduplicated, with blank nodes relabelled by RDFC-1.0 (c14n0, c14n1, …)."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return list(dataset)


def _lines(data: bytes | None) -> bytes:
    """Line-based formats sorted line by line: a diff of two versions is then meaningful."""
    assert data is not None  # no output file given: the bytes are returned
    return b"".join(sorted(data.splitlines(keepends=True)))


def _sorted_triples(quads: Iterable[ox.Quad], topic: str, doc: str) -> list[ox.Triple]:
    """Topic first, other IRIs, blank nodes, the document last; `rdf:type` first in each."""

    def subject_rank(term: ox.NamedNode | ox.BlankNode | ox.Triple) -> tuple[int, str]:
        if isinstance(term, ox.Triple):
            return (2, str(term))
        if isinstance(term, ox.BlankNode):
            return (2, term.value)
        rank = 0 if term.value == topic else 3 if term.value == doc else 1
        return (rank, term.value)

    def key(t: ox.Triple) -> tuple[Any, ...]:
        return (subject_rank(t.subject), t.predicate != RDF_TYPE, t.predicate.value, _key(t.object))

    return sorted((q.triple for q in quads), key=key)


def _key(term: Term) -> tuple[int, str, str, str]:
    if isinstance(term, ox.NamedNode):
        return (0, term.value, "", "")
    if isinstance(term, ox.BlankNode):
        return (1, term.value, "", "")
    if isinstance(term, ox.Triple):
        return (3, str(term), "", "")
    return (2, term.value, term.datatype.value, term.language or "")


def _used(prefixes: Mapping[str, str], triples: list[ox.Triple]) -> dict[str, str]:
    """Only the prefixes the triples need, so a document does not open with twenty lines."""
    iris = {term.value for t in triples for term in t if isinstance(term, ox.NamedNode)}
    iris |= {t.object.datatype.value for t in triples if isinstance(t.object, ox.Literal)}
    return {name: ns for name, ns in prefixes.items() if any(iri.startswith(ns) for iri in iris)}


def _expanded(triples: list[ox.Triple]) -> list[dict[str, Any]]:
    """Expanded JSON-LD in the triples' order; a blank node used once is embedded where used."""
    nodes: dict[str, dict[str, Any]] = {}
    refs: dict[str, int] = {}
    for t in triples:
        node = nodes.setdefault(_id(t.subject), {"@id": _id(t.subject)})
        if t.predicate == RDF_TYPE and not isinstance(t.object, ox.Literal):
            node.setdefault("@type", []).append(_id(t.object))
        else:
            node.setdefault(t.predicate.value, []).append(_value(t.object))
        if isinstance(t.object, ox.BlankNode):
            refs[_id(t.object)] = refs.get(_id(t.object), 0) + 1
    embeddable = {b for b, n in refs.items() if n == 1 and b in nodes}
    top = [node for key, node in nodes.items() if key not in embeddable]
    placed: set[str] = set()
    queue = list(top)
    while queue or embeddable - placed:
        if not queue:  # blank nodes only reachable from each other: list one at top level
            orphan = nodes[min(embeddable - placed)]
            placed.add(orphan["@id"])
            top.append(orphan)
            queue.append(orphan)
        queue.extend(_embed(queue.pop(), nodes, embeddable, placed))
    return top


def _embed(
    node: dict[str, Any], nodes: dict[str, dict[str, Any]], embeddable: set[str], placed: set[str]
) -> list[dict[str, Any]]:
    """Replace references to embeddable blank nodes by the nodes; return those to visit next."""
    visit = []
    for key, values in node.items():
        if key.startswith("@"):
            continue
        for i, value in enumerate(values):
            ref = value.get("@id") if len(value) == 1 else None
            if ref in embeddable and ref not in placed:
                placed.add(ref)
                embedded = {k: v for k, v in nodes[ref].items() if k != "@id"}
                values[i] = embedded
                visit.append(embedded)
    return visit


def _id(term: Term) -> str:
    if isinstance(term, ox.Triple):
        raise ValueError(f"JSON-LD 1.1 cannot write the quoted triple {term}")
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def _value(term: Term) -> dict[str, str]:
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == XSD_STRING:
            return {"@value": term.value}
        return {"@value": term.value, "@type": term.datatype.value}
    return {"@id": _id(term)}
