"""The dataset's home page and the concept-scheme page, for any dataset.

What the dataset is (title, description, licence) comes from its profile; what it holds (counts,
main resources by class, concept schemes) from SPARQL over the data, with each query kept.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from publisher.dataset import ReadStore
from publisher.formats import TURTLE
from publisher.i18n import Text, ui
from publisher.pages.base import (
    Alternate,
    Labeller,
    Link,
    Page,
    literal_text,
)
from publisher.pages.classes import HOME_CLASSES, ClassRow, class_rows, most_linked
from publisher.pages.queries import Query, runnable, select
from publisher.pages.sorting import natural
from publisher.profile import Profile
from publisher.urls import Urls
from publisher.validation import has_validation_report
from publisher.vocab import OWL_ONTOLOGY, RDF_TYPE

SECTION_LIMIT = 40
"""A class with more instances than this is counted in the types table, not listed."""

COUNTS_QUERY = """
SELECT ?graphs ?resources WHERE {
  { SELECT (COUNT(DISTINCT ?graph) AS ?graphs) WHERE { GRAPH ?graph { ?s ?p ?o } } }
  { SELECT (COUNT(DISTINCT ?resource) AS ?resources) WHERE {
      ?resource ?property ?value .
      FILTER(STRSTARTS(STR(?resource), %(things)s))
  } }
}
"""

TYPES_QUERY = """
SELECT ?type (COUNT(DISTINCT ?resource) AS ?count) WHERE {
  ?resource a ?type .
  FILTER(STRSTARTS(STR(?resource), %(things)s))
}
GROUP BY ?type
ORDER BY DESC(?count) ?type
"""

MAIN_QUERY = """
SELECT ?resource ?type WHERE {
  VALUES ?type { %(types)s }
  ?resource a ?type .
  FILTER(STRSTARTS(STR(?resource), %(things)s))
}
"""
"""Only the classes small enough to list: at a million triples, every typed resource would be
hundreds of thousands of rows read into Python to keep a few hundred."""

SCHEMES_QUERY = """
SELECT DISTINCT ?scheme ?concept ?notation ?label WHERE {
  ?scheme a skos:ConceptScheme .
  { ?concept skos:inScheme ?scheme } UNION { ?concept skos:topConceptOf ?scheme }
  UNION { ?scheme skos:hasTopConcept ?concept }
  OPTIONAL { ?concept skos:notation ?notation }
  OPTIONAL { ?concept skos:prefLabel ?label }
}
"""

HAS_SCHEME_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
ASK {
  ?scheme a skos:ConceptScheme .
  { ?concept skos:inScheme ?scheme } UNION { ?concept skos:topConceptOf ?scheme }
  UNION { ?scheme skos:hasTopConcept ?concept }
}
"""


@dataclass
class HomePage(Page):
    version: str = ""
    modified: str = ""
    quads: int = 0
    graphs: int = 0
    resources: int = 0
    types: list[tuple[Link, int]] = field(default_factory=list)
    sections: list[tuple[Link, list[Link]]] = field(default_factory=list)
    intro: Text | None = None
    license: str | None = None
    ontologies: list[Link] = field(default_factory=list)
    classes: list[ClassRow] = field(default_factory=list)  # the largest (catalog)
    class_count: int = 0  # every class: more than listed links to /classes
    linked: list[tuple[Link, int]] = field(default_factory=list)
    report: bool = False  # whether /validation answers (else it is not linked)


@dataclass(frozen=True)
class ConceptRow:
    link: Link
    notation: str
    titles: tuple[Text, ...]


@dataclass
class ConceptsPage(Page):
    schemes: list[tuple[Link, list[ConceptRow]]] = field(default_factory=list)


def profile_text(texts: dict[str, str] | Any, lang: str) -> Text | None:
    """The profile's text in the page language, else none, else English, else any, with the
    language it is in."""
    for key in (lang, "", "en", *sorted(texts)):
        if key in texts:
            return Text(texts[key], key or None)
    return None


def home_page(
    dataset: Any, urls: Urls, lang: str, dumps: list[dict[str, str]], profile: Profile
) -> HomePage:
    """The home page: what the dataset is, its counts, its main resources and where to get it.

    `dumps` lists the dump files (`name`, `url`, `media_type`) for the JSON-LD `distribution`.
    """
    store: ReadStore = dataset.store
    names = Labeller(store, urls, lang, profile.prefixes)
    things = str(ox.Literal(urls.base_iri + "id/"))
    title = profile_text(profile.title, lang) or Text(profile.title_in(lang), None)
    page = HomePage(lang=lang, path="/", title=title)
    page.intro = profile_text(profile.description, lang)
    page.license = profile.license
    page.version = dataset.version
    page.modified = dataset.modified.date().isoformat()
    page.quads = dataset.triple_count
    namespace = str(ox.Literal(urls.base_iri))  # every resource the data describes
    counts = COUNTS_QUERY % {"things": namespace}
    types = TYPES_QUERY % {"things": things}
    catalog = dataset.catalog
    if catalog is not None:  # counted at load time: the queries are shown, not run
        page.queries += [Query("q_counts", runnable(counts, None, names.ns))]
        page.queries += [Query("q_types", runnable(types, None, names.ns))]
        page.graphs = sum(1 for _ in store.named_graphs())
        page.resources = catalog.subjects
        under = catalog.classes_under(urls.base_iri + "id/")
        counted = [(c.iri, c.instances) for c in under]
    else:  # a remote store not catalogued yet
        rows, query = select(store, "q_counts", counts, ns=names.ns)
        page.queries.append(query)
        page.graphs = int(rows[0]["graphs"].value) if rows else 0
        page.resources = int(rows[0]["resources"].value) if rows else 0
        rows, query = select(store, "q_types", types, ns=names.ns)
        page.queries.append(query)
        counted = [(r["type"].value, int(r["count"].value)) for r in rows]
    page.types = [(names.link(cls), count) for cls, count in counted]
    page.sections = _sections(store, names, page, things, counted)
    iris = sorted(
        {
            q.subject.value
            for q in store.quads_for_pattern(None, RDF_TYPE, OWL_ONTOLOGY)
            if isinstance(q.subject, ox.NamedNode)
        }
    )
    page.ontologies = [names.link(i) for i in iris if urls.is_local(i)]
    page.alternates = [Alternate(TURTLE, "/.well-known/void")]
    page.jsonld = dataset_jsonld(dataset, urls, dumps, profile)
    page.report = has_validation_report(dataset)
    if dataset.catalog is not None:  # a remote store not catalogued yet: the rest still shows
        counted_classes = dataset.catalog.classes()
        page.class_count = len(counted_classes)
        shown = counted_classes[:HOME_CLASSES]
        page.classes = class_rows(dataset, names, profile.prefixes, shown)
        page.linked = most_linked(dataset, names)
    return page


def _sections(
    store: ReadStore,
    names: Labeller,
    page: HomePage,
    things: str,
    counted: list[tuple[str, int]],
) -> list[tuple[Link, list[Link]]]:
    """The resources of every class small enough to list, each listed once: under its rarest
    class (the most specific, as a rule), sections in the order of their class labels."""
    listed = {cls: count for cls, count in counted if count <= SECTION_LIMIT}
    if not listed:
        return []
    types = " ".join(_iri(cls) for cls in sorted(listed) if _iri(cls))
    main = MAIN_QUERY % {"things": things, "types": types}
    rows, query = select(store, "q_main", main, ns=names.ns)
    page.queries.append(query)
    typed: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row["type"].value in listed:
            typed[row["resource"].value].add(row["type"].value)
    members: dict[str, list[str]] = defaultdict(list)
    for resource, classes in typed.items():
        members[min(classes, key=lambda cls: (listed[cls], cls))].append(resource)
    headings: dict[str, Link] = {}
    merged: dict[str, list[Link]] = defaultdict(list)  # schema:Person and foaf:Person: one
    for cls, resources in members.items():
        heading = headings.setdefault(names.label(cls).value, names.link(cls))
        merged[heading.label.value] += (names.link(r) for r in resources)
    return [
        (headings[key], sorted(links, key=lambda x: natural(x.label.value)))
        for key, links in sorted(merged.items(), key=lambda item: natural(item[0]))
    ]


def _iri(value: str) -> str:
    """`<value>` when it is an IRI (a class may be a blank node), else ""."""
    try:
        return str(ox.NamedNode(value))
    except ValueError:
        return ""


def dataset_jsonld(
    dataset: Any, urls: Urls, dumps: list[dict[str, str]], profile: Profile
) -> dict[str, Any]:
    """A schema.org `Dataset` for dataset search engines (Google Dataset Search reads it)."""

    def values(texts: Any) -> list[dict[str, str]]:
        return [
            {"@value": text, "@language": lang} if lang else {"@value": text}
            for lang, text in sorted(texts.items())
        ]

    doc: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": urls.public(urls.base_iri),
        "url": urls.absolute("/"),
        "name": values(profile.title),
        "description": values(profile.description),
        "isAccessibleForFree": True,
        "inLanguage": list(profile.languages),
        "version": dataset.version,
        "dateModified": dataset.modified.date().isoformat(),
        "keywords": [word for _, words in sorted(profile.keywords.items()) for word in words],
        "distribution": [
            {
                "@type": "DataDownload",
                "name": dump["name"],
                "contentUrl": urls.absolute(dump["url"]),
                "encodingFormat": dump["media_type"],
            }
            for dump in [*dumps, {"name": "SPARQL endpoint", "url": "/sparql",
                                  "media_type": "application/sparql-query"}]
        ],
    }  # fmt: skip
    if profile.license:
        doc["license"] = profile.license
    return doc


def has_concept_scheme(dataset: Any) -> bool:
    """Whether the data holds a SKOS concept scheme with at least one concept."""
    return bool(dataset.store.query(HAS_SCHEME_QUERY, use_default_graph_as_union=True))


def concepts_page(dataset: Any, urls: Urls, lang: str, profile: Profile) -> ConceptsPage:
    """Every SKOS concept scheme of the data with its concepts, in notation order: each label,
    then every other preferred label the link does not already show, in its own language (none
    is invented where the data has none)."""
    store: ReadStore = dataset.store
    names = Labeller(store, urls, lang, profile.prefixes)
    page = ConceptsPage(lang=lang, path="/concepts", title=Text(ui("concepts_title", lang), lang))
    rows, query = select(store, "q_concepts", SCHEMES_QUERY, ns=names.ns)
    page.queries.append(query)
    titles: dict[tuple[str, str], list[Text]] = defaultdict(list)
    notations: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rows:
        scheme, concept = row["scheme"].value, row["concept"].value
        notation = row["notation"].value if row["notation"] else ""
        notations[scheme].setdefault(concept, notation)
        if isinstance(row["label"], ox.Literal):
            titles[(scheme, concept)].append(literal_text(row["label"]))
    order = {code: n for n, code in enumerate((lang, "en"))}
    for scheme in sorted(notations, key=lambda s: natural(names.label(s).value)):
        concepts = []
        for concept, notation in notations[scheme].items():
            link = names.link(concept)
            shown = sorted(
                {t for t in titles[(scheme, concept)] if t.value not in link.label.value},
                key=lambda t: (order.get(t.lang or "", len(order)), t.lang or "", t.value),
            )
            concepts.append(ConceptRow(link, notation, tuple(shown)))
        concepts.sort(key=lambda row: (natural(row.notation), natural(row.link.label.value)))
        page.schemes.append((names.link(scheme), concepts))
    return page
