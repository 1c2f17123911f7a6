"""The ontology document (`/def/{name}`): every class, property and individual, pyLODE style.

Each term is shown with the prefix of its own vocabulary: the one the data declares for it
(`vann:preferredNamespacePrefix`), else the ontology's name."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from publisher.dataset import ReadStore
from publisher.formats import HTML, RDF_DOCUMENT_FORMATS
from publisher.i18n import Text, pick
from publisher.pages.base import (
    Alternate,
    Labeller,
    Link,
    Page,
    Value,
    literal_text,
    local_name,
)
from publisher.pages.queries import (
    NS,
    iri,
    select,
)
from publisher.urls import Urls

KINDS: tuple[tuple[str, str], ...] = (
    ("owl:Class", "ontology_classes"),
    ("owl:ObjectProperty", "ontology_object_properties"),
    ("owl:DatatypeProperty", "ontology_datatype_properties"),
    ("owl:NamedIndividual", "ontology_individuals"),
)

TERMS_QUERY = """
SELECT ?this ?term ?property ?value WHERE {
  GRAPH ?this { ?term ?property ?value }
  FILTER(isIRI(?term))
}
"""

INSTANCES_QUERY = """
SELECT ?class (COUNT(DISTINCT ?instance) AS ?instances) WHERE {
  ?instance a ?class .
  FILTER(STRSTARTS(STR(?class), %(namespace)s))
}
GROUP BY ?class
"""

# (UI key, property, inverse?) rows shown for each term, in order.
TERM_ROWS: tuple[tuple[str, str, bool], ...] = (
    ("subclass_of", "rdfs:subClassOf", False),
    ("superclass_of", "rdfs:subClassOf", True),
    ("subproperty_of", "rdfs:subPropertyOf", False),
    ("domain", "rdfs:domain", False),
    ("range", "rdfs:range", False),
    ("used_with", "rdfs:domain", True),
    ("in_range_of", "rdfs:range", True),
    ("types", "rdf:type", False),
    ("in_scheme", "skos:inScheme", False),
    ("alignments", "skos:closeMatch", False),
    ("alignments", "skos:exactMatch", False),
    ("alignments", "owl:equivalentClass", False),
    ("alignments", "owl:equivalentProperty", False),
    ("alignments", "rdfs:seeAlso", False),
)


@dataclass
class TermView:
    anchor: str
    curie: str
    iri: str
    label: Text
    labels: list[Text]
    comment: Text | None
    rows: list[tuple[str, list[Value]]] = field(default_factory=list)
    instances: int | None = None


@dataclass
class OntologyPage(Page):
    iri: str = ""
    namespace: str = ""
    metadata: list[tuple[Link, list[Value]]] = field(default_factory=list)
    description: Text | None = None
    kinds: list[tuple[str, list[TermView]]] = field(default_factory=list)


def ontology_page(
    dataset: Any,
    urls: Urls,
    lang: str,
    name: str,
    declared: Mapping[str, str] | None = None,
) -> OntologyPage:
    """The ontology's terms grouped by kind, each with labels, comment, hierarchy and alignments.

    `declared`: the prefixes the data declares (`Profile.prefixes`)."""
    store: ReadStore = dataset.store
    ontology = urls.ontology(name)
    namespace = ontology + "#"
    names = Labeller(store, urls, lang, declared)
    prefix = next((p for p, ns in names.ns.items() if ns == namespace), name.split("/")[0])
    path = urls.ontology_document(name, HTML)
    page = OntologyPage(lang=lang, path=path, title=names.label(ontology))
    page.alternates = [Alternate(f, urls.ontology_document(name, f)) for f in RDF_DOCUMENT_FORMATS]
    page.iri, page.namespace = urls.public(ontology), urls.public(namespace)
    rows, query = select(store, "q_ontology", TERMS_QUERY, ox.NamedNode(ontology), names.ns)
    page.queries.append(query)
    facts: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    inverse: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        term, prop, value = row["term"].value, row["property"].value, row["value"]
        facts[term][prop].append(value)
        if isinstance(value, ox.NamedNode):
            inverse[value.value][prop].append(term)
    counts, query = select(
        store, "q_instances", INSTANCES_QUERY % {"namespace": str(ox.Literal(namespace))}
    )
    page.queries.append(query)
    instances = {r["class"].value: int(r["instances"].value) for r in counts}
    page.description = pick(
        [literal_text(v) for v in facts[ontology][iri("dcterms:description")]], lang
    )
    page.metadata = _metadata(names, facts[ontology])
    for kind, key in KINDS:
        terms = [
            t
            for t, props in facts.items()
            if t.startswith(namespace)
            and ox.NamedNode(iri(kind)) in props[iri("rdf:type")]
            and not _claimed(t, props, kind)
        ]
        views = [_term(names, t, facts[t], inverse[t], namespace, prefix) for t in terms]
        for view in views:
            if kind == "owl:Class":
                view.instances = instances.get(namespace + view.anchor, 0)
        views.sort(key=lambda v: v.anchor.casefold())
        if views:
            page.kinds.append((key, views))
    page.jsonld = {
        "@context": "https://schema.org",
        "@type": "DefinedTermSet",
        "@id": page.iri,
        "name": [
            {"@value": t.value, "@language": t.lang}
            for t in names.texts(ox.NamedNode(ontology), [ox.NamedNode(iri("rdfs:label"))])
        ],
        "url": urls.absolute(page.path),
        "hasDefinedTerm": [
            {
                "@type": "DefinedTerm",
                "@id": urls.public(namespace + v.anchor),
                "name": v.label.value,
            }
            for _, views in page.kinds
            for v in views
        ],
    }
    return page


def _claimed(term: str, props: dict[str, list[Any]], kind: str) -> bool:
    """An individual that is also a class or property is listed once, under the stronger kind."""
    if kind != "owl:NamedIndividual":
        return False
    stronger = {ox.NamedNode(iri(k)) for k, _ in KINDS[:3]}
    return any(t in stronger for t in props[iri("rdf:type")])


def _term(
    names: Labeller,
    term: str,
    props: dict[str, list[Any]],
    inverse: dict[str, list[str]],
    namespace: str,
    prefix: str,
) -> TermView:
    labels = sorted(
        (literal_text(v) for v in props[iri("rdfs:label")] if isinstance(v, ox.Literal)),
        key=lambda t: t.lang or "",
    )
    comments = [literal_text(v) for v in props[iri("rdfs:comment")] if isinstance(v, ox.Literal)]
    view = TermView(
        anchor=term[len(namespace) :],
        curie=f"{prefix}:{term[len(namespace) :]}",
        iri=names.urls.public(term),
        label=pick(labels, names.lang) or Text(local_name(term)),
        labels=labels,
        comment=pick(comments, names.lang),
    )
    rows: dict[str, list[Value]] = {}
    for key, prop, is_inverse in TERM_ROWS:
        found: list[Any] = (
            [ox.NamedNode(t) for t in inverse.get(iri(prop), [])]
            if is_inverse
            else props.get(iri(prop), [])
        )
        if prop == "rdf:type":  # the section already says class, property or individual
            found = [t for t in found if not t.value.startswith(NS["owl"])]
        values = [_local_value(names, v, namespace) for v in found]
        values.sort(key=lambda v: v.sort_key)
        if values:
            rows.setdefault(key, []).extend(v for v in values if v not in rows.get(key, []))
    view.rows = list(rows.items())
    return view


def _local_value(names: Labeller, term: Any, namespace: str) -> Value:
    """Terms of this ontology link to their anchor on this page; the rest as anywhere else."""
    value = names.value(term)
    if isinstance(term, ox.NamedNode) and term.value.startswith(namespace):
        link = value.link
        assert link is not None
        return Value(
            link=Link(link.iri, "#" + term.value[len(namespace) :], link.label, link.compact, True)
        )
    if value.members:
        members = tuple(
            Link(m.iri, "#" + m.iri.rsplit("#", 1)[-1], m.label, m.compact, True)
            if names.urls.canonical(m.iri).startswith(namespace)
            else m
            for m in value.members
        )
        return Value(members=members)
    return value


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


def _metadata(names: Labeller, props: dict[str, list[Any]]) -> list[tuple[Link, list[Value]]]:
    rows = []
    for prop in METADATA:
        values = [names.value(v) for v in props.get(iri(prop), [])]
        if prop == "dcterms:title":
            chosen = pick([v.text for v in values if v.text], names.lang)
            values = [v for v in values if v.text == chosen]
        if values:
            rows.append((names.link(iri(prop)), values))
    return rows
