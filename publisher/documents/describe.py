"""The document graph of a resource: everything one GET of its document tells a client.

A document holds the resource's concise bounded description (its triples from every graph,
blank nodes closed), the links into it, the labels of every resource it mentions (so a client
needs no second request to show them), and a few triples about the document itself. Quads keep
the graph they come from, so N-Quads carries each fact's provenance; the triples minted here
about the document go in the default graph. IRIs stay canonical: serialisation rewrites them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

import pyoxigraph as ox

from publisher.dataset import Dataset, ReadStore
from publisher.errors import PublisherError
from publisher.urls import THING_PREFIX, Urls
from publisher.vocab import (
    DCTERMS_IS_REPLACED_BY,
    DCTERMS_LICENSE,
    DCTERMS_MODIFIED,
    FOAF_DOCUMENT,
    FOAF_PRIMARY_TOPIC,
    OWL,
    OWL_ONTOLOGY,
    OWL_VERSION_IRI,
    RDF,
    RDF_TYPE,
    RDFS,
    RDFS_LABEL,
    RDFS_SEE_ALSO,
    SKOS_PREF_LABEL,
    VOID_IN_DATASET,
    XSD,
)

XSD_DATETIME = ox.NamedNode(XSD + "dateTime")
RDFS_IS_DEFINED_BY = ox.NamedNode(RDFS + "isDefinedBy")

LABEL_PREDICATES = (RDFS_LABEL, SKOS_PREF_LABEL)
INCOMING_LIMIT = 500
"""Links into a resource listed in its document; past this a SPARQL query URL lists them all."""

Subject = ox.NamedNode | ox.BlankNode


@dataclass(frozen=True)
class Document:
    """The quads of one document (canonical IRIs, graph names kept) and what it is about."""

    topic: str
    iri: str
    quads: tuple[ox.Quad, ...]
    incoming_truncated: bool = False


@dataclass
class ResourceNotFound(PublisherError):
    """An IRI of our namespace that names nothing in the dataset."""

    iri: str

    def __str__(self) -> str:
        return f"{self.iri}: no such resource in this dataset"


def thing_paths(dataset: Dataset, urls: Urls) -> frozenset[str]:
    """The `/doc/` paths of every thing described in the dataset: the `/id/` scheme's `type/slug`
    (`{base}id/type/slug`) and the slash IRIs of other data (`{base}P`), from the catalog;
    moved IRIs (`dcterms:isReplacedBy`) left out: they redirect (`moved_iris`)."""
    if dataset.catalog is not None:
        from publisher.documents.locate import list_documents  # locate imports this module

        return frozenset(list_documents(dataset, urls).things)
    # No catalog yet (a remote store that has not answered): the `/id/` scheme's things, in one
    # query instead of a scan of every quad (a remote store answers it in one round trip).
    prefix = ox.Literal(urls.base_iri + THING_PREFIX)
    query = (
        f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), {prefix})) "
        f"FILTER NOT EXISTS {{ ?s <{DCTERMS_IS_REPLACED_BY.value}> ?new }} }}"
    )
    solutions = dataset.store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    subjects = (solution["s"].value for solution in solutions)
    paths = (urls.local_path(iri) for iri in subjects)
    return frozenset(path for path in paths if path)


def ontology_paths(dataset: Dataset, urls: Urls) -> dict[str, str]:
    """`name` and `name/1.0.0` → the ontology IRI, for every ontology under /def/."""
    found: dict[str, str] = {}
    for quad in dataset.store.quads_for_pattern(None, RDF_TYPE, OWL_ONTOLOGY, None):
        if not isinstance(quad.subject, ox.NamedNode):
            continue
        iri = quad.subject.value
        names = [iri] + [
            v.object.value
            for v in dataset.store.quads_for_pattern(quad.subject, OWL_VERSION_IRI, None, None)
            if isinstance(v.object, ox.NamedNode)
        ]
        for name in names:
            path = urls.ontology_path(name)
            if path:
                found[path] = iri
    return found


def describe(
    dataset: Dataset,
    urls: Urls,
    iri: str,
    *,
    incoming_limit: int = INCOMING_LIMIT,
    license: str | None = None,
) -> Document:
    """The document about the thing `iri` (`/doc/…`); `ResourceNotFound` when nothing
    describes it.

    `license` is the dataset's (its profile's): the document says it is under that licence, and
    says nothing of the kind when the dataset states none."""
    path = urls.local_path(iri)
    if path is None and "#" not in iri and urls.is_local(iri):
        path = iri[len(urls.base_iri) :]  # a slash IRI `{base}P`: its document is /doc/P
    doc_iri = urls.document_iri(path) if path is not None else iri
    return describe_document(
        dataset, urls, doc_iri, (iri,), iri, incoming_limit=incoming_limit, license=license
    )


def describe_document(
    dataset: Dataset,
    urls: Urls,
    doc_iri: str,
    members: Sequence[str],
    topic: str,
    *,
    incoming_limit: int = INCOMING_LIMIT,
    license: str | None = None,
) -> Document:
    """The document `doc_iri` holding the description of each of `members` (the IRIs sharing
    a hash document: `card` and `card#i`, `card#key`), `topic` its primary topic."""
    store = dataset.store
    nodes = [ox.NamedNode(member) for member in members]
    seen: set[Subject] = set(nodes)
    own = list(dict.fromkeys(q for node in nodes for q in _bounded_description(store, node, seen)))
    if not own:
        raise ResourceNotFound(topic)
    present = {quad.triple for quad in own}
    incoming: list[ox.Quad] = []
    truncated = False
    for node in nodes:
        found, cut = _incoming(store, node, present, incoming_limit)
        present |= {q.triple for q in found}
        incoming += found
        truncated = truncated or cut
    quads = own + incoming
    quads += _labels(store, quads, set(nodes), present)
    more = _incoming_query(urls, topic) if truncated else None
    stated = {q.triple for q in own}
    quads += [
        q
        for q in metadata(urls, doc_iri, topic, dataset.modified, more, license)
        if q.triple not in stated
    ]
    return Document(topic, doc_iri, tuple(quads), truncated)


def primary_topic(store: ReadStore, doc_iri: str, members: Sequence[str]) -> str:
    """What a hash document is about: what the data says it is (a FOAF card's
    `foaf:primaryTopic <#i>`), else the IRI named like the document if described, else its
    first hash IRI."""
    for quad in store.quads_for_pattern(ox.NamedNode(doc_iri), FOAF_PRIMARY_TOPIC, None, None):
        if isinstance(quad.object, ox.NamedNode) and quad.object.value in members:
            return quad.object.value
    return doc_iri if doc_iri in members else members[0]


def describe_ontology(
    dataset: Dataset, urls: Urls, ontology_iri: str, members: Sequence[str] = ()
) -> Document:
    """The ontology document: its whole graph, labels of the terms it reuses, `void:inDataset`.
    Loaded into the default graph (a vocabulary given as data), it is the description of the
    ontology, of `members` (its hash terms, `{ns}#Term`) and of what it `rdfs:isDefinedBy`."""
    store = dataset.store
    node = ox.NamedNode(ontology_iri)
    quads = list(store.quads_for_pattern(None, None, None, node))
    if not quads:  # loaded into the default graph: fall back to a description
        defined = [
            q.subject
            for q in store.quads_for_pattern(None, RDFS_IS_DEFINED_BY, node)
            if isinstance(q.subject, ox.NamedNode | ox.BlankNode)
        ]
        terms = [ox.NamedNode(iri) for iri in _slash_terms(store, ontology_iri)]
        nodes: dict[Subject, None] = dict.fromkeys(
            [node, *map(ox.NamedNode, members), *defined, *terms]
        )
        seen: set[Subject] = set(nodes)
        quads = list(dict.fromkeys(q for n in nodes for q in _bounded_description(store, n, seen)))
    if not quads:
        raise ResourceNotFound(ontology_iri)
    present = {quad.triple for quad in quads}
    quads += _labels(store, quads, set(), present)
    quads.append(ox.Quad(node, VOID_IN_DATASET, ox.NamedNode(urls.void_dataset)))
    return Document(ontology_iri, ontology_iri, tuple(quads))


SLASH_TERMS_QUERY = """
SELECT DISTINCT ?term WHERE {
  VALUES ?kind { %s }
  ?term a ?kind FILTER(isIRI(?term) && STRSTARTS(STR(?term), %s))
}"""
VOCABULARY_KINDS = (
    OWL + "Class",
    RDFS + "Class",
    RDF + "Property",
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
    OWL + "AnnotationProperty",
)
"""The kinds of term a vocabulary loaded as data declares (its slash terms are found by them)."""


def _slash_terms(store: ReadStore, ontology_iri: str) -> list[str]:
    """The terms `{ontology}/Term` the vocabulary types (by the type index, not a scan)."""
    kinds = " ".join(f"<{kind}>" for kind in VOCABULARY_KINDS)
    query = SLASH_TERMS_QUERY % (kinds, ox.Literal(ontology_iri + "/"))
    solutions = store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    return sorted(str(row["term"].value) for row in solutions)


def metadata(
    urls: Urls,
    doc_iri: str,
    topic: str,
    modified: datetime,
    more_links: str | None = None,
    license: str | None = None,
) -> list[ox.Quad]:
    """What the document says about itself (default graph)."""
    doc = ox.NamedNode(doc_iri)
    stamp = modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    quads = [
        ox.Quad(doc, RDF_TYPE, FOAF_DOCUMENT),
        ox.Quad(doc, FOAF_PRIMARY_TOPIC, ox.NamedNode(topic)),
        ox.Quad(doc, VOID_IN_DATASET, ox.NamedNode(urls.void_dataset)),
        ox.Quad(doc, DCTERMS_MODIFIED, ox.Literal(stamp, datatype=XSD_DATETIME)),
    ]
    if license is not None:
        quads.append(ox.Quad(doc, DCTERMS_LICENSE, ox.NamedNode(license)))
    if more_links is not None:
        quads.append(ox.Quad(doc, RDFS_SEE_ALSO, ox.NamedNode(more_links)))
    return quads


def _bounded_description(
    store: ReadStore, node: Subject, seen: set[Subject] | None = None
) -> Iterator[ox.Quad]:
    """The quads (any graph) with `node` as subject, following blank-node objects recursively
    (`seen`: the nodes already described, shared by the members of one document)."""
    seen = seen if seen is not None else {node}
    seen.add(node)
    todo: deque[Subject] = deque([node])
    while todo:
        for quad in store.quads_for_pattern(todo.popleft(), None, None, None):
            yield quad
            obj = quad.object
            if isinstance(obj, ox.BlankNode) and obj not in seen:
                seen.add(obj)
                todo.append(obj)


def _incoming(
    store: ReadStore, node: ox.NamedNode, present: set[ox.Triple], limit: int
) -> tuple[list[ox.Quad], bool]:
    """Quads linking a named resource to `node`, the first `limit` distinct triples in a stable
    order (a blank subject alone would say nothing a client could follow, so it is left out)."""
    quads = sorted(
        (
            q
            for q in store.quads_for_pattern(None, None, node, None)
            if isinstance(q.subject, ox.NamedNode) and q.triple not in present
        ),
        key=_quad_key,
    )
    kept: list[ox.Quad] = []
    triples: set[ox.Triple] = set()
    for quad in quads:
        if quad.triple not in triples:
            if len(triples) == limit:
                return kept, True
            triples.add(quad.triple)
        kept.append(quad)
    return kept, False


def _labels(
    store: ReadStore, quads: Iterable[ox.Quad], skip: set[ox.NamedNode], present: set[ox.Triple]
) -> list[ox.Quad]:
    """The label quads of every IRI the quads mention (in any position), not already there."""
    mentioned = sorted(
        {term for quad in quads for term in quad.triple if isinstance(term, ox.NamedNode)} - skip,
        key=lambda term: term.value,
    )
    found: list[ox.Quad] = []
    for term in mentioned:
        for predicate in LABEL_PREDICATES:
            found.extend(
                q
                for q in store.quads_for_pattern(term, predicate, None, None)
                if q.triple not in present
            )
    return found


def _incoming_query(urls: Urls, iri: str) -> str:
    """A SPARQL query URL listing every link into `iri`, for documents that list only some."""
    query = f"SELECT ?subject ?predicate WHERE {{ ?subject ?predicate <{iri}> }}"
    return f"{urls.sparql_endpoint}?{urlencode({'query': query})}"


def _quad_key(quad: ox.Quad) -> tuple[str, str, str]:
    return (str(quad.subject), str(quad.predicate), str(quad.graph_name))
