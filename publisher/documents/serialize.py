"""A document's quads → the bytes of one format, the same bytes every time.

Determinism matters because a strong ETag promises byte-identical bodies: IRIs are rewritten to
the public origin, blank nodes get canonical labels (RDFC-1.0, not the store's random ones), and
statements are sorted (the topic first, rdf:type first within a subject). Turtle, N-Triples,
N-Quads and RDF/XML are written by Oxigraph; JSON-LD is compacted by pyld against our published
context (processed once per dataset version), with a document loader that never touches the
network.

Every document is rendered on its first request, so this is the hot path of dereferencing. Most
documents have no blank node and no literal that mentions our namespace; for those the quads are
written with their canonical IRIs and the canonical namespace is replaced in the bytes (it can
then only occur inside `<…>`), and canonicalisation is skipped (there is nothing to relabel).
Anything else takes the general path, which rewrites every term first; both give equal bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox

from publisher.documents.describe import Document
from publisher.documents.jsonld_context import JsonLdContext, refuse_remote_documents
from publisher.formats import JSONLD, NQUADS, NTRIPLES, TURTLE, Format
from publisher.urls import Urls
from publisher.vocab import RDF_TYPE, XSD

__all__ = ["refuse_remote_documents", "serialize", "to_jsonld", "with_default_graph"]

XSD_STRING = XSD + "string"
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple  # a quoted triple (RDF 1.2)

BYTE_REWRITE_FORMATS = (NTRIPLES, NQUADS, TURTLE)
"""Formats where an IRI is only ever written whole, as `<…>`, and nothing else is (RDF/XML
splits predicates into XML names, so it always takes the general path)."""
_PLAIN_IRI = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
"""IRIs that N-Triples and Turtle write unescaped, so their bytes are their text."""


def serialize(document: Document, fmt: Format, urls: Urls, context: JsonLdContext) -> bytes:
    """The document in `fmt` (an RDF format), every canonical IRI on the public origin."""
    if fmt is JSONLD:
        return _jsonld(document, urls, context)
    if fmt in BYTE_REWRITE_FORMATS and _rewritable_as_bytes(document.quads, urls):
        return _serialize_then_rewrite(document, fmt, urls, context)
    public = [urls.rewrite_quad(quad) for quad in document.quads]
    topic, doc = urls.public(document.topic), urls.public(document.iri)
    if fmt is NQUADS:
        quads = _canonical(with_default_graph(public))
        return _lines(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    triples = _sorted_triples(_canonical(ox.Quad(*q.triple) for q in public), topic, doc)
    if fmt is NTRIPLES:
        return _lines(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
    if fmt.rdf_format is None:
        raise ValueError(f"{fmt.name} is not an RDF format")
    data = ox.serialize(triples, format=fmt.rdf_format, prefixes=context.used_prefixes(triples))
    return _text(data)


def with_default_graph(quads: Iterable[ox.Quad]) -> set[ox.Quad]:
    """The quads as they are, plus each of their triples in the default graph.

    A client that reads a quad document as a graph (Comunica, which prefers N-Quads, matches
    triple patterns against the default graph) then finds every triple, and one that reads the
    graph names still finds each fact's source graph (docs/decisions/0008)."""
    quads = set(quads)
    return quads | {ox.Quad(q.subject, q.predicate, q.object) for q in quads}


def to_jsonld(triples: list[ox.Triple], context: JsonLdContext) -> bytes:
    """Compacted JSON-LD whose `@context` is the URL of our published context."""
    return _compacted(_expanded(triples, lambda iri: iri), context)


def has_blank_nodes(quads: Iterable[ox.Quad]) -> bool:
    """Whether any quad has a blank node (or a quoted triple, which may hide one)."""
    blank = (ox.BlankNode, ox.Triple)
    return any(
        isinstance(q.subject, blank)
        or isinstance(q.object, blank)
        or isinstance(q.graph_name, blank)
        for q in quads
    )


# ---------------------------------------------------------------------------------------------
# The fast path: canonical IRIs written, the namespace replaced in the bytes
# ---------------------------------------------------------------------------------------------


def _rewritable_as_bytes(quads: Iterable[ox.Quad], urls: Urls) -> bool:
    """True when replacing `<{base}` by `<{origin}` in the output rewrites exactly the IRIs
    `rewrite_quad` would: no blank node (canonical labels are computed on public IRIs), no
    quoted triple (its IRIs are not rewritten), and no literal whose text or datatype holds the
    canonical namespace (literals keep it)."""
    if not urls.rewrites:
        return not has_blank_nodes(quads)
    base = urls.base_iri
    if not (_PLAIN_IRI.fullmatch(base) and _PLAIN_IRI.fullmatch(urls.origin)):
        return False
    named = ox.NamedNode
    for q in quads:
        obj = q.object
        if not isinstance(q.subject, named) or isinstance(q.graph_name, ox.BlankNode):
            return False
        if isinstance(obj, named):
            continue
        if not isinstance(obj, ox.Literal):
            return False
        if base in obj.value or obj.datatype.value.startswith(base):
            return False
    return True


def _serialize_then_rewrite(
    document: Document, fmt: Format, urls: Urls, context: JsonLdContext
) -> bytes:
    if fmt is NQUADS:
        data = ox.serialize(with_default_graph(document.quads), format=ox.RdfFormat.N_QUADS)
        return _lines(_rewrite_bytes(data, urls))
    triples = {q.triple for q in document.quads}
    if fmt is NTRIPLES:  # sorted line by line afterwards: the order of the triples is moot
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        return _lines(_rewrite_bytes(data, urls))
    public = _public(urls)
    ordered = _sorted_triples(triples, document.topic, document.iri, public)
    prefixes = context.used_prefixes(ordered, public)
    if urls.rewrites:  # declared on the canonical namespace, so the replace below reaches them
        prefixes = {name: urls.canonical(ns) for name, ns in prefixes.items()}
    data = ox.serialize(ordered, format=fmt.rdf_format, prefixes=prefixes)
    return _text(_rewrite_bytes(data, urls))


def _rewrite_bytes(data: bytes | None, urls: Urls) -> bytes:
    assert data is not None  # no output file given: the bytes are returned
    if not urls.rewrites:
        return data
    return data.replace(b"<" + urls.base_iri.encode(), b"<" + urls.origin.encode())


# ---------------------------------------------------------------------------------------------
# Shared steps
# ---------------------------------------------------------------------------------------------


def _text(data: bytes | None) -> bytes:
    assert data is not None  # no output file given: the bytes are returned
    return data if data.endswith(b"\n") else data + b"\n"  # a text file ends with a newline


def _canonical(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads, deduplicated, with blank nodes relabelled by RDFC-1.0 (c14n0, c14n1, …);
    without blank nodes there is nothing to relabel (callers sort what they write)."""
    quads = list(quads)
    if not has_blank_nodes(quads):
        return list(set(quads))
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return list(dataset)


def _lines(data: bytes | None) -> bytes:
    """Line-based formats sorted line by line: a diff of two versions is then meaningful."""
    assert data is not None  # no output file given: the bytes are returned
    return b"".join(sorted(data.splitlines(keepends=True)))


def _same(iri: str) -> str:
    return iri


def _public(urls: Urls) -> Callable[[str], str]:
    """`urls.public` as a plain function (it is called for every IRI of every statement)."""
    if not urls.rewrites:
        return _same
    base, origin, length = urls.base_iri, urls.origin, len(urls.base_iri)

    def public(iri: str) -> str:
        return origin + iri[length:] if iri.startswith(base) else iri

    return public


def _sorted_triples(
    triples: Iterable[ox.Triple] | Iterable[ox.Quad],
    topic: str,
    doc: str,
    public: Any = _same,
) -> list[ox.Triple]:
    """Topic first, other IRIs, blank nodes, the document last; `rdf:type` first in each.
    `public` maps an IRI to the text it is ordered by (its public form, as clients see it)."""

    def subject_rank(term: ox.NamedNode | ox.BlankNode | ox.Triple) -> tuple[int, str]:
        if isinstance(term, ox.Triple):
            return (2, str(term))
        if isinstance(term, ox.BlankNode):
            return (2, term.value)
        rank = 0 if term.value == topic else 3 if term.value == doc else 1
        return (rank, public(term.value))

    def key(t: ox.Triple) -> tuple[Any, ...]:
        predicate = t.predicate
        return (
            subject_rank(t.subject),
            predicate != RDF_TYPE,
            public(predicate.value),
            _key(t.object, public),
        )

    found = [t.triple if isinstance(t, ox.Quad) else t for t in triples]
    return sorted(found, key=key)


def _key(term: Term, public: Any = _same) -> tuple[int, str, str, str]:
    if isinstance(term, ox.NamedNode):
        return (0, public(term.value), "", "")
    if isinstance(term, ox.BlankNode):
        return (1, term.value, "", "")
    if isinstance(term, ox.Triple):
        return (3, str(term), "", "")
    return (2, term.value, term.datatype.value, term.language or "")


# ---------------------------------------------------------------------------------------------
# JSON-LD
# ---------------------------------------------------------------------------------------------


def _jsonld(document: Document, urls: Urls, context: JsonLdContext) -> bytes:
    if has_blank_nodes(document.quads):
        rewritten = [urls.rewrite_quad(quad) for quad in document.quads]
        topic, doc = urls.public(document.topic), urls.public(document.iri)
        triples = _sorted_triples(_canonical(ox.Quad(*q.triple) for q in rewritten), topic, doc)
        return to_jsonld(triples, context)
    # No blank node: no canonical labels to compute, and IRIs are rewritten as strings (an IRI
    # inside a literal stays as it is: literals are values, not links).
    public = _public(urls)
    ordered = _sorted_triples(
        {q.triple for q in document.quads}, document.topic, document.iri, public
    )
    return _compacted(_expanded(ordered, public), context)


def _compacted(expanded: list[dict[str, Any]], context: JsonLdContext) -> bytes:
    compacted = context.compact(expanded)
    compacted["@context"] = context.url
    return (json.dumps(compacted, ensure_ascii=False, indent=2) + "\n").encode()


def _expanded(triples: list[ox.Triple], public: Any) -> list[dict[str, Any]]:
    """Expanded JSON-LD in the triples' order; a blank node used once is embedded where used."""
    nodes: dict[str, dict[str, Any]] = {}
    refs: dict[str, int] = {}
    for t in triples:
        subject = _id(t.subject, public)
        node = nodes.get(subject)
        if node is None:
            node = nodes[subject] = {"@id": subject}
        obj = t.object
        if t.predicate == RDF_TYPE and not isinstance(obj, ox.Literal):
            node.setdefault("@type", []).append(_id(obj, public))
        else:
            node.setdefault(public(t.predicate.value), []).append(_value(obj, public))
        if isinstance(obj, ox.BlankNode):
            refs[_id(obj, public)] = refs.get(_id(obj, public), 0) + 1
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


def _id(term: Term, public: Any) -> str:
    if isinstance(term, ox.Triple):
        raise ValueError(f"JSON-LD 1.1 cannot write the quoted triple {term}")
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else public(term.value)


def _value(term: Term, public: Any) -> dict[str, str]:
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == XSD_STRING:
            return {"@value": term.value}
        return {"@value": term.value, "@type": term.datatype.value}
    return {"@id": _id(term, public)}
