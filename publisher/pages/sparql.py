"""What the HTML query page shows: the dataset's example queries (from its profile), results as
a table of labelled links (a page of rows at a time: a long result never becomes a page of
megabytes), and the vocabulary the editor completes (the profile's prefixes, the catalog's and the
ontology's classes and properties)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlencode

import pyoxigraph as ox

from publisher.dataset import Dataset, ReadStore
from publisher.formats import GRAPH_RESULT_FORMATS, HTML, TABLE_RESULT_FORMATS
from publisher.prefixes import well_known_prefixes
from publisher.profile import Example, Profile
from publisher.sparql.endpoint import Answer
from publisher.urls import Urls
from publisher.vocab import OWL, RDF, RDFS, XSD

LABELS = (
    ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
    ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
)
SHORT_DATATYPES = {
    "http://www.w3.org/2001/XMLSchema#": "xsd:",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
}
PAGE_SIZE = 50
"""Rows of a result the HTML page shows at once (the script pages the JSON results alike)."""
MOST_TERMS = 5000
"""Terms the editor's vocabulary holds at most: completion stays quick on a large ontology."""
CLASS_TYPES = (ox.NamedNode(OWL + "Class"), ox.NamedNode(RDFS + "Class"))
PROPERTY_TYPES = tuple(
    ox.NamedNode(iri)
    for iri in (
        RDF + "Property",
        OWL + "ObjectProperty",
        OWL + "DatatypeProperty",
        OWL + "AnnotationProperty",
    )
)
ALWAYS_PREFIXED = (RDF, RDFS, XSD, OWL)
"""Namespaces every query may use (types, labels, datatypes), offered even when unused."""


def example_links(profile: Profile) -> list[tuple[Example, str]]:
    """The dataset's example queries (its profile's), each with the URL that runs it here."""
    return [
        (example, "/sparql?" + urlencode({"query": example.text})) for example in profile.examples
    ]


@dataclass(frozen=True)
class Cell:
    kind: str  # uri | bnode | literal | triple
    text: str
    href: str | None = None
    title: str | None = None
    language: str | None = None
    datatype: str | None = None


@dataclass(frozen=True)
class Table:
    """One page of a result: `rows` are rows `first`…`first + len(rows) - 1` (1-based) of
    `total`; `page` of `pages`."""

    columns: list[str]
    rows: list[list[Cell | None]]
    boolean: bool | None = None
    total: int = 0
    page: int = 1
    pages: int = 1

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def result_formats() -> dict[str, list[dict[str, str]]]:
    """The download formats of each kind of answer, for the page's script (the endpoint's own
    table, so the script offers exactly what the endpoint answers in)."""
    return {
        kind: [{"name": f.name, "extension": f.extension, "type": f.media_type} for f in formats]
        for kind, formats in (("table", TABLE_RESULT_FORMATS), ("graph", GRAPH_RESULT_FORMATS))
    }


def page_number(text: str | None) -> int:
    """`?page=` as a page number; anything that is not a positive number is the first page."""
    if text is None or not text.strip().isdigit():
        return 1
    return max(1, min(int(text.strip()), 10**9))


def page_url(query: str, dataset_params: list[tuple[str, str]], number: int) -> str:
    """The GET URL of one page of a query's results on the HTML page."""
    return "/sparql?" + urlencode([("query", query), *dataset_params, ("page", str(number))])


class Labeller:
    """Labels of the IRIs a result mentions, read from the served dataset in one language order."""

    def __init__(self, store: ReadStore, urls: Urls, languages: tuple[str, ...]) -> None:
        self.store, self.urls, self.languages = store, urls, languages
        self._seen: dict[str, str | None] = {}

    def label(self, public_iri: str) -> str | None:
        if public_iri not in self._seen:
            self._seen[public_iri] = self._lookup(self.urls.canonical(public_iri))
        return self._seen[public_iri]

    def _lookup(self, iri: str) -> str | None:
        try:
            subject = ox.NamedNode(iri)
        except ValueError:
            return None
        for predicate in LABELS:
            found = {
                q.object.language or "": q.object.value
                for q in self.store.quads_for_pattern(subject, predicate, None, None)
                if isinstance(q.object, ox.Literal)
            }
            for language in (*self.languages, ""):
                if language in found:
                    return found[language]
            if found:
                return next(iter(sorted(found.items())))[1]
        return None

    def href(self, public_iri: str) -> str:
        """Things of ours link to their HTML page; other IRIs to themselves."""
        canonical = self.urls.canonical(public_iri)
        document = self.urls.document_of(canonical, HTML)
        return document if document is not None else public_iri


def table(answer: Answer, labeller: Labeller, page: int = 1) -> Table:
    """Page `page` (the last one if past it) of the answer (JSON results or N-Triples, as the
    page asks the worker for) as a table; only the rows shown are labelled."""
    if answer.kind == "graph":
        columns = ["subject", "predicate", "object"]
        terms: list[list[dict[str, object] | None]] = [
            [_json(t.subject), _json(t.predicate), _json(t.object)]
            for t in ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)
        ]
        return _paged(columns, terms, labeller, page)
    document = json.loads(answer.body)
    if "boolean" in document:
        return Table([], [], bool(document["boolean"]))
    columns = list(document["head"]["vars"])
    bindings = [[binding.get(c) for c in columns] for binding in document["results"]["bindings"]]
    return _paged(columns, bindings, labeller, page)


def _paged(
    columns: list[str], rows: list[list[dict[str, object] | None]], labeller: Labeller, page: int
) -> Table:
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(page, pages)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    cells = [[_cell(term, labeller) if term else None for term in row] for row in shown]
    return Table(columns, cells, total=len(rows), page=page, pages=pages)


def vocabulary(dataset: Dataset, urls: Urls, profile: Profile, lang: str) -> dict[str, object]:
    """What the editor completes: the profile's prefixes (and the common ones the terms use),
    and the classes and properties the data uses or its ontologies declare, with labels in
    `lang`. Read from the catalog and the store's type index, never from a query of the data.
    IRIs are canonical, as the profile's examples write them; `base` and `origin` let the
    page shorten the public IRIs results come in."""
    kinds: dict[str, str] = {}
    for kind, types in (("class", CLASS_TYPES), ("property", PROPERTY_TYPES)):
        for rdf_type in types:
            for quad in dataset.store.quads_for_pattern(
                None, ox.NamedNode(RDF + "type"), rdf_type, None
            ):
                if isinstance(quad.subject, ox.NamedNode):
                    kinds.setdefault(quad.subject.value, kind)
    catalog = dataset.catalog
    if catalog is not None:
        for used in catalog.classes():
            kinds.setdefault(used.iri, "class")
        for predicate in catalog.predicate_usage():
            kinds.setdefault(predicate.iri, "property")
    prefixes = dict(profile.prefixes)
    common = {p: ns for p, ns in well_known_prefixes().items() if ns not in prefixes.values()}
    terms = []
    for iri, kind in sorted(kinds.items())[:MOST_TERMS]:
        curie = _curie(iri, prefixes) or _curie(iri, common)
        if curie and curie.split(":", 1)[0] not in prefixes:
            prefixes[curie.split(":", 1)[0]] = common[curie.split(":", 1)[0]]
        label = catalog.label(iri, lang) if catalog is not None else None
        terms.append({"iri": iri, "curie": curie, "label": label, "kind": kind})
    for namespace in ALWAYS_PREFIXED:
        name = next((p for p, ns in common.items() if ns == namespace), None)
        if name is not None and namespace not in prefixes.values():
            prefixes.setdefault(name, namespace)
    return {"prefixes": prefixes, "terms": terms, "base": urls.base_iri, "origin": urls.origin}


def _curie(iri: str, prefixes: dict[str, str]) -> str | None:
    """`iri` as prefix:local with the longest namespace that leaves a plain local name."""
    best = None
    for prefix, namespace in prefixes.items():
        local = iri[len(namespace) :]
        if (
            iri.startswith(namespace)
            and local
            and all(c.isalnum() or c in "_-" for c in local)
            and (best is None or len(namespace) > len(prefixes[best[0]]))
        ):
            best = (prefix, local)
    return f"{best[0]}:{best[1]}" if best else None


def _json(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": str(term)}
    return {
        "type": "literal",
        "value": term.value,
        "xml:lang": term.language,
        "datatype": term.datatype.value,
    }


def _cell(term: dict[str, object], labeller: Labeller) -> Cell:
    kind = str(term["type"])
    value = term["value"]
    if kind == "uri":
        iri = str(value)
        return Cell("uri", labeller.label(iri) or iri, labeller.href(iri), iri)
    if kind == "bnode":
        return Cell("bnode", f"_:{value}")
    if kind == "triple":
        return Cell("triple", value if isinstance(value, str) else json.dumps(value))
    datatype = term.get("datatype")
    short = None
    if isinstance(datatype, str) and not datatype.endswith(("#string", "#langString")):
        short = next(
            (
                datatype.replace(ns, p)
                for ns, p in SHORT_DATATYPES.items()
                if datatype.startswith(ns)
            ),
            datatype,
        )
    language = term.get("xml:lang")
    return Cell("literal", str(value), language=str(language) if language else None, datatype=short)
