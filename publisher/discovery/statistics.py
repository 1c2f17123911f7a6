"""VoID counts of a dataset, from the data: SPARQL over the union of all graphs.

IRIs stay canonical here; the VoID description (`void.describe_dataset`) makes them public.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace

import pyoxigraph as ox

from publisher.dataset import Dataset, ReadStore
from publisher.urls import Urls
from publisher.vocab import RDF


@dataclass(frozen=True)
class Statistics:
    """VoID counts over the union of all graphs (a triple stated in two graphs counts once)."""

    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    classes: int
    properties: int
    class_entities: tuple[tuple[str, int], ...]
    property_triples: tuple[tuple[str, int], ...]
    graph_triples: tuple[tuple[str, int], ...]
    vocabularies: tuple[str, ...]
    documents: tuple[str, ...] = field(repr=False)


_DISTINCT = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"
_COUNTS = f"""
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
       (COUNT(DISTINCT ?o) AS ?objects) (COUNT(DISTINCT ?p) AS ?properties)
WHERE {{ {_DISTINCT} }}"""
_ENTITIES = """
SELECT ?space (COUNT(DISTINCT ?s) AS ?n)
WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?space)) } GROUP BY ?space"""
_DOCUMENTS = """
SELECT DISTINCT ?s ?space WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?space))
  FILTER NOT EXISTS { ?s <http://purl.org/dc/terms/isReplacedBy> ?new } }"""
_CLASSES = f"""
SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{RDF}type> ?c }} GROUP BY ?c"""
_PROPERTIES = f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {_DISTINCT} }} GROUP BY ?p"
_REPLACED_BY = ox.NamedNode("http://purl.org/dc/terms/isReplacedBy")
_GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def _select(store: ReadStore, query: str, **bindings: str) -> list[ox.QuerySolution]:
    substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(k): ox.Literal(v) for k, v in bindings.items()
    }
    result = store.query(query, use_default_graph_as_union=True, substitutions=substitutions)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def _int(term: object) -> int:
    assert isinstance(term, ox.Literal)
    return int(term.value)


def _grouped(solutions: Iterable[ox.QuerySolution], key: str) -> tuple[tuple[str, int], ...]:
    pairs = []
    for row in solutions:
        term = row[key]
        if isinstance(term, ox.NamedNode):
            pairs.append((term.value, _int(row["n"])))
    return tuple(sorted(pairs))


def namespace(iri: str) -> str:
    """The vocabulary an IRI belongs to: up to its last `#`, or else its last `/`."""
    cut = iri.rfind("#") if "#" in iri else iri.rfind("/")
    return iri[: cut + 1]


def compute_statistics(dataset: Dataset, urls: Urls) -> Statistics:
    """Every VoID count; IRIs stay canonical (describe() makes them public). The counts come
    from the catalog when `publisher load` (or the start) stored them there, else from the
    data now (whole-dataset queries: tens of seconds at a million triples)."""
    catalog = dataset.catalog
    stored = catalog.statistics() if catalog is not None else None
    counted = from_json(stored) if stored is not None else count_statistics(dataset.store, urls)
    return replace(counted, documents=_documents(dataset, urls))


def count_statistics(store: ReadStore, urls: Urls) -> Statistics:
    """The counts of the data (all but `documents`), by a few whole-dataset queries."""
    space = urls.thing("")
    (totals,) = _select(store, _COUNTS)
    entities = _select(store, _ENTITIES, space=space)
    classes = _grouped(_select(store, _CLASSES), "c")
    properties = _grouped(_select(store, _PROPERTIES), "p")
    used = {iri for iri, _ in classes} | {iri for iri, _ in properties}
    return Statistics(
        triples=_int(totals["triples"]),
        entities=_int(entities[0]["n"]) if entities else 0,
        distinct_subjects=_int(totals["subjects"]),
        distinct_objects=_int(totals["objects"]),
        classes=len(classes),
        properties=_int(totals["properties"]),
        class_entities=classes,
        property_triples=properties,
        graph_triples=_grouped(_select(store, _GRAPHS), "g"),
        vocabularies=tuple(sorted({namespace(iri) for iri in used})),
        documents=(),
    )


def to_json(statistics: Statistics) -> str:
    """The counts as JSON, for the catalog (`documents` is listed from the catalog itself)."""
    return json.dumps({k: v for k, v in asdict(statistics).items() if k != "documents"})


def from_json(text: str) -> Statistics:
    values = json.loads(text)
    for name in ("class_entities", "property_triples", "graph_triples"):
        values[name] = tuple((iri, int(n)) for iri, n in values[name])
    values["vocabularies"] = tuple(values["vocabularies"])
    return Statistics(**values, documents=())


def _documents(dataset: Dataset, urls: Urls) -> tuple[str, ...]:
    """The paths of the things under `{base}id/` that are not moved (their documents)."""
    space = urls.thing("")
    if dataset.catalog is not None:
        iris: Iterable[str] = dataset.catalog.described_under(space)
    else:
        iris = (
            row["s"].value
            for row in _select(dataset.store, _DOCUMENTS, space=space)
            if isinstance(row["s"], ox.NamedNode)
        )
    moved = {
        q.subject.value
        for q in dataset.store.quads_for_pattern(None, _REPLACED_BY, None)
        if isinstance(q.subject, ox.NamedNode)
    }
    paths = (urls.local_path(iri) for iri in iris if iri not in moved)
    return tuple(sorted(path for path in paths if path))
