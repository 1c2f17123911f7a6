"""The page of a vocabulary (an ontology): its classes, properties and individuals, pyLODE style.

It works for any vocabulary, wherever its IRI is (`vocabulary_page` takes the ontology IRI):
terms are shown with the data's own prefixes, else well-known ones, else their full IRI; labels
in the page language (then English, then any, then the local name); OWL class expressions
written as Protégé does (`class_expressions`). Why not pyLODE itself: decision 0009.

The page reads the vocabulary's statements in one query, the labels of the terms it links to in
one more and the instance counts in a third; everything else is walked in memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from publisher.dataset import ReadStore, Sources
from publisher.formats import HTML, RDF_DOCUMENT_FORMATS
from publisher.i18n import Text, pick
from publisher.pages.base import (
    DESCRIPTION_PROPERTIES,
    Alternate,
    Labeller,
    Link,
    Page,
    Value,
    literal_text,
    local_name,
)
from publisher.pages.class_expressions import Statements, text_of
from publisher.pages.queries import Query, iri, select
from publisher.pages.vocabulary_terms import (
    KINDS,
    PAGE_WORDS,
    TermBuilder,
    TermView,
    label_texts,
    word,
)
from publisher.prefixes import PrefixTable, source_prefixes, well_known_prefixes
from publisher.urls import Urls
from publisher.vocab import OWL, VANN

TERMS_QUERY = """
SELECT ?this ?s ?p ?o WHERE {
  GRAPH ?this { ?s ?p ?o }
}
"""

DEFAULT_GRAPH_TERMS_QUERY = """
SELECT ?this ?s ?p ?o WHERE {
  { BIND(?this AS ?s) }
  UNION { ?s rdfs:isDefinedBy ?this }
  UNION {
    VALUES ?kind { owl:Class rdfs:Class rdf:Property owl:ObjectProperty owl:DatatypeProperty
                   owl:AnnotationProperty owl:NamedIndividual }
    ?s a ?kind .
    FILTER(isIRI(?s) && STRSTARTS(STR(?s), %(namespace)s))
  }
  ?s ?p ?o .
}
"""

INSTANCES_QUERY = """
SELECT ?class (COUNT(DISTINCT ?instance) AS ?instances) WHERE {
  VALUES ?kind { owl:Class rdfs:Class }
  %(classes)s
  ?instance a ?class .
}
GROUP BY ?class
"""
CLASSES_IN_GRAPH = "GRAPH %(ontology)s { ?class a ?kind }"
CLASSES_BY_NAMESPACE = "?class a ?kind . FILTER(STRSTARTS(STR(?class), %(namespace)s))"

_PREFIX_NAME = re.compile(r"[A-Za-z][\w-]*")


@dataclass(frozen=True)
class Kind:
    key: str
    heading: str
    terms: tuple[TermView, ...]


@dataclass
class OntologyPage(Page):
    iri: str = ""
    namespace: str = ""
    metadata: list[tuple[Link, list[Value]]] = field(default_factory=list)
    description: Text | None = None
    kinds: list[Kind] = field(default_factory=list)
    prefixes: list[tuple[str, str]] = field(default_factory=list)
    words: dict[str, str] = field(default_factory=dict)


def ontology_page(
    dataset: Any,
    urls: Urls,
    lang: str,
    name: str,
    declared: Mapping[str, str] | None = None,
) -> OntologyPage:
    """The page of the ontology served at `/def/{name}` (or of the ontology whose version IRI
    that is). `declared`: the prefixes the data declares (`Profile.prefixes`)."""
    store: ReadStore = dataset.store
    target = ox.NamedNode(urls.ontology(name))
    versioned = [
        q.subject for q in store.quads_for_pattern(None, ox.NamedNode(OWL + "versionIRI"), target)
    ]
    ontology = text_of(versioned[0]) if versioned else target.value
    return dataset_vocabulary_page(
        dataset,
        urls,
        ontology,
        lang,
        path=urls.ontology_document(name, HTML),
        alternates=[Alternate(f, urls.ontology_document(name, f)) for f in RDF_DOCUMENT_FORMATS],
        declared=declared,
    )


def dataset_vocabulary_page(
    dataset: Any,
    urls: Urls,
    ontology: str,
    lang: str,
    *,
    path: str,
    alternates: Sequence[Alternate] = (),
    declared: Mapping[str, str] | None = None,
) -> OntologyPage:
    """`vocabulary_page` for a `Dataset`: its store, and its source files' prefixes."""
    sources: Sources = dataset.sources
    return vocabulary_page(
        dataset.store,
        urls,
        ontology,
        lang,
        path=path,
        alternates=alternates,
        declared=declared,
        sources=(*sources.ontology, *sources.data),
    )


def vocabulary_page(
    store: ReadStore,
    urls: Urls,
    ontology: str,
    lang: str,
    *,
    path: str,
    alternates: Sequence[Alternate] = (),
    declared: Mapping[str, str] | None = None,
    sources: Iterable[Path] = (),
) -> OntologyPage:
    """The page of the vocabulary `ontology` (its canonical IRI), served at `path`.

    `declared`: prefixes the data declares about itself (vann); `sources`: the files whose
    prefix declarations name the terms. Its statements are the ontology's named graph, or else
    (a vocabulary loaded as data) the typed terms of its namespace and those it defines."""
    node = ox.NamedNode(ontology)
    statements = Statements(store)
    rows, query = select(store, "q_ontology", TERMS_QUERY, node)
    in_graph = bool(rows)
    if not in_graph:  # its declared namespace, else anything its IRI starts (`#` or `/` next)
        start = _declared_namespace(store, ontology) or ontology
        template = DEFAULT_GRAPH_TERMS_QUERY % {"namespace": ox.Literal(start)}
        rows, query = select(store, "q_ontology", template, node)
    for row in rows:
        statements.add(row["s"], row["p"].value, row["o"])
    namespace = _namespace(store, ontology, list(statements.by_subject))
    own = dict(declared or {})
    for prefix, ns in source_prefixes(sources).items():
        own.setdefault(prefix, ns)
    known = well_known_prefixes()
    if namespace not in own.values() and namespace not in known.values():
        guessed = _guess_prefix(ontology)
        if guessed and guessed not in own:
            own[guessed] = namespace
    terms = TermBuilder(store, urls, lang, node, namespace, statements, PrefixTable(own, known))
    page = _page(terms, path, list(alternates))
    page.queries.append(query)
    page.queries.append(_count_instances(terms, page, in_graph=in_graph))
    return page


def _namespace(store: ReadStore, ontology: str, subjects: list[Any]) -> str:
    """The vocabulary's namespace: the one it declares (vann), the ontology IRI itself when it
    ends in `#` or `/`, else the ontology IRI followed by whichever of them its terms use."""
    declared = _declared_namespace(store, ontology)
    if declared:
        return declared
    if ontology.endswith(("#", "/")):
        return ontology
    names = [s.value for s in subjects if isinstance(s, ox.NamedNode)]
    if any(n.startswith(ontology + "/") for n in names) and not any(
        n.startswith(ontology + "#") for n in names
    ):
        return ontology + "/"
    return ontology + "#"


def _declared_namespace(store: ReadStore, ontology: str) -> str | None:
    """`vann:preferredNamespaceUri`, as a literal or an IRI."""
    predicate = ox.NamedNode(VANN + "preferredNamespaceUri")
    for quad in store.quads_for_pattern(ox.NamedNode(ontology), predicate, None):
        if isinstance(quad.object, ox.Literal | ox.NamedNode) and quad.object.value:
            return quad.object.value
    return None


def _guess_prefix(ontology: str) -> str | None:
    """`…/pizza.owl` → `pizza`: a name for a namespace no one gave a prefix."""
    last = ontology.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1].split(".")[0]
    return last.lower() if _PREFIX_NAME.fullmatch(last) else None


METADATA = (
    "dcterms:title",
    "owl:versionIRI",
    "owl:versionInfo",
    "dcterms:creator",
    "dcterms:created",
    "dcterms:modified",
    "dcterms:license",
    "vann:preferredNamespacePrefix",
    "vann:preferredNamespaceUri",
)


def _metadata(names: Labeller, props: Mapping[str, list[Any]]) -> list[tuple[Link, list[Value]]]:
    rows = []
    for prop in METADATA:
        values = [names.value(v) for v in props.get(iri(prop), [])]
        if prop == "dcterms:title":
            chosen = pick([v.text for v in values if v.text], names.lang)
            values = [v for v in values if v.text == chosen]
        if values:
            rows.append((names.link(iri(prop)), values))
    return rows


def _page(terms: TermBuilder, path: str, alternates: list[Alternate]) -> OntologyPage:
    """The page: the ontology's own description, then its terms section by section."""
    lang, urls = terms.lang, terms.urls
    props = terms.statements.properties(terms.ontology)

    def texts(properties: Iterable[ox.NamedNode]) -> list[Text]:
        return [
            literal_text(v)
            for p in properties
            for v in props.get(p.value, [])
            if isinstance(v, ox.Literal)
        ]

    title = pick(label_texts(props), lang) or Text(local_name(terms.ontology.value))
    page = OntologyPage(lang=lang, path=path, title=title, alternates=alternates)
    page.iri, page.namespace = urls.public(terms.ontology.value), urls.public(terms.namespace)
    page.description = pick(texts(DESCRIPTION_PROPERTIES), lang)
    page.metadata = _metadata(terms.names, props)
    for key, _ in KINDS:
        views = [terms.term(t, key) for t, k in terms.kind_of.items() if k == key]
        views.sort(key=lambda v: v.anchor.casefold())
        if views:
            page.kinds.append(Kind(key, word(key, lang), tuple(views)))
    page.words = {k: word(k, lang) for k in PAGE_WORDS}
    page.prefixes = sorted(terms.prefixes.used.items())
    page.jsonld = {
        "@context": "https://schema.org",
        "@type": "DefinedTermSet",
        "@id": page.iri,
        "name": [{"@value": t.value, "@language": t.lang} for t in label_texts(props)],
        "url": urls.absolute(page.path),
        "hasDefinedTerm": [
            {"@type": "DefinedTerm", "@id": v.iri, "name": v.label.value}
            for kind in page.kinds
            for v in kind.terms
        ],
    }
    return page


def _count_instances(terms: TermBuilder, page: OntologyPage, *, in_graph: bool) -> Query:
    """Instances of each class in the whole store (one query), shown on each class when the
    data has instances of any (a vocabulary published alone would show a column of zeros)."""
    classes = (
        CLASSES_IN_GRAPH % {"ontology": terms.ontology}
        if in_graph
        else CLASSES_BY_NAMESPACE % {"namespace": ox.Literal(terms.namespace)}
    )
    rows, query = select(terms.store, "q_instances", INSTANCES_QUERY % {"classes": classes})
    counts = {
        r["class"].value: int(r["instances"].value)
        for r in rows
        if isinstance(r["class"], ox.NamedNode)
    }
    if any(counts.values()):
        for kind in page.kinds:
            if kind.key == "ontology_classes":
                for view in kind.terms:
                    view.instances = counts.get(terms.urls.canonical(view.iri), 0)
    return query
