"""The dataset's home page and the list of the 23 objectives."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from publisher.discovery.void import GCM_ARAB_REVIEW, DatasetInfo, dataset_info
from publisher.formats import TURTLE
from publisher.i18n import LANGUAGES, Text, ui
from publisher.pages.base import Alternate, Labeller, Link, Page, iri, literal_text, select
from publisher.urls import Urls

LICENSE = "https://creativecommons.org/licenses/by/4.0/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OWL_ONTOLOGY = "http://www.w3.org/2002/07/owl#Ontology"

# The sections of the home page, in order, and the classes whose instances each lists.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("section_events", ("gcmr:RegionalReviewConference", "gcmr:RegionalReviewProcess")),
    ("section_article", ("schema:NewsArticle",)),
    ("section_people", ("schema:Person",)),
    ("section_statements", ("gcmr:ReportedStatement",)),
    ("section_documents", ("gcmr:GlobalCompact", "gcmr:OutcomeDocument", "gcmr:Commitment")),
    ("section_organisations", ("schema:Organization",)),
    (
        "section_sessions",
        ("gcmr:ConferenceSession", "gcmr:RoundTable", "gcmr:InteractiveDiscussion"),
    ),
    ("section_other_events", ("gcmr:ReviewForum", "schema:Event")),
    ("section_countries", ("schema:Country",)),
)

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
}
"""

OBJECTIVES_QUERY = """
SELECT ?objective ?notation ?title WHERE {
  ?objective a gcmr:Objective .
  OPTIONAL { ?objective skos:notation ?notation }
  OPTIONAL { ?objective skos:prefLabel ?title }
}
ORDER BY ?notation ?objective
"""


@dataclass
class HomePage(Page):
    version: str = ""
    modified: str = ""
    quads: int = 0
    graphs: int = 0
    resources: int = 0
    types: list[tuple[Link, int]] = field(default_factory=list)
    sections: list[tuple[str, list[Link]]] = field(default_factory=list)
    # A dataset other than the GCM one speaks for itself (dataset_info); None: GCM's texts.
    intro: Text | None = None
    license: str | None = None
    ontologies: list[Link] | None = None


@dataclass(frozen=True)
class ObjectiveRow:
    link: Link
    notation: str
    titles: tuple[Text, ...]


@dataclass
class ObjectivesPage(Page):
    objectives: list[ObjectiveRow] = field(default_factory=list)


def home_page(dataset: Any, urls: Urls, lang: str, dumps: list[dict[str, str]]) -> HomePage:
    """The home page: what the dataset is, its counts, its main resources and where to get it.

    `dumps` lists the dump files (`name`, `url`, `media_type`) for the JSON-LD `distribution`.
    """
    store: ox.Store = dataset.store
    names = Labeller(store, urls, lang)
    things = str(ox.Literal(urls.base_iri + "id/"))
    page = HomePage(lang=lang, path="/", title=Text(ui("home_title", lang), lang))
    page.version = dataset.version
    page.modified = dataset.modified.date().isoformat()
    page.quads = dataset.triple_count
    rows, query = select(store, "q_counts", COUNTS_QUERY % {"things": things}, ns=names.ns)
    page.queries.append(query)
    page.graphs = int(rows[0]["graphs"].value) if rows else 0
    page.resources = int(rows[0]["resources"].value) if rows else 0
    rows, query = select(store, "q_types", TYPES_QUERY % {"things": things}, ns=names.ns)
    page.queries.append(query)
    page.types = [(names.link(r["type"].value), int(r["count"].value)) for r in rows]
    info = dataset_info(dataset)
    if info is GCM_ARAB_REVIEW:
        page.sections = _sections(store, names, page)  # its sections name GCM classes
    else:
        _speak_for_itself(page, info, store, names, lang)
    page.alternates = [Alternate(TURTLE, "/.well-known/void")]
    page.jsonld = dataset_jsonld(dataset, urls, dumps)
    return page


def _speak_for_itself(
    page: HomePage, info: DatasetInfo, store: ox.Store, names: Labeller, lang: str
) -> None:
    """Title, description and licence from the data, and links to its own ontologies."""
    page.title = _text(info.title, lang) or page.title
    page.intro = _text(info.description, lang) or page.title
    page.license = info.license
    found = store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(OWL_ONTOLOGY))
    iris = sorted({q.subject.value for q in found if isinstance(q.subject, ox.NamedNode)})
    page.ontologies = [names.link(i) for i in iris if names.urls.is_local(i)]


def _text(texts: dict[str, str], lang: str) -> Text | None:
    """The text in the page language, else English, else any (with the language it is in)."""
    for key in (lang, "en", "", *sorted(texts)):
        if key in texts:
            return Text(texts[key], key or None)
    return None


def _sections(store: ox.Store, names: Labeller, page: HomePage) -> list[tuple[str, list[Link]]]:
    types = [t for _, section_types in SECTIONS for t in section_types]
    rows, query = select(store, "q_main", MAIN_QUERY % {"types": " ".join(types)}, ns=names.ns)
    page.queries.append(query)
    typed: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        typed[row["resource"].value].add(row["type"].value)
    placed: set[str] = set()
    sections = []
    for key, section_types in SECTIONS:
        wanted = {iri(t, names.ns) for t in section_types}
        members = sorted(r for r, found in typed.items() if found & wanted and r not in placed)
        placed.update(members)
        links = sorted((names.link(r) for r in members), key=lambda link: link.label.value)
        if links:
            sections.append((key, links))
    return sections


def dataset_jsonld(dataset: Any, urls: Urls, dumps: list[dict[str, str]]) -> dict[str, Any]:
    """A schema.org `Dataset` for dataset search engines (Google Dataset Search reads it)."""
    info = dataset_info(dataset)
    if info is not GCM_ARAB_REVIEW:
        return _own_jsonld(dataset, urls, dumps, info)
    doc: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": urls.public(urls.base_iri),
        "url": urls.absolute("/"),
        "name": [{"@value": ui("home_title", lang), "@language": lang} for lang in LANGUAGES],
        "description": [
            {"@value": ui("home_intro", lang), "@language": lang} for lang in LANGUAGES
        ],
        "license": LICENSE,
        "isAccessibleForFree": True,
        "inLanguage": list(LANGUAGES),
        "version": dataset.version,
        "dateModified": dataset.modified.date().isoformat(),
        "keywords": [
            "Global Compact for Migration",
            "GCM",
            "migration",
            "Arab region",
            "linked data",
            "provenance",
        ],
        "distribution": [
            {
                "@type": "DataDownload",
                "name": dump["name"],
                "contentUrl": urls.absolute(dump["url"]),
                "encodingFormat": dump["media_type"],
            }
            for dump in dumps
        ],
    }
    doc["distribution"].append(
        {
            "@type": "DataDownload",
            "name": "SPARQL endpoint",
            "contentUrl": urls.absolute("/sparql"),
            "encodingFormat": "application/sparql-query",
        }
    )
    return doc


def _own_jsonld(
    dataset: Any, urls: Urls, dumps: list[dict[str, str]], info: DatasetInfo
) -> dict[str, Any]:
    """schema.org `Dataset` of a dataset that describes itself."""

    def values(texts: dict[str, str]) -> list[dict[str, str]]:
        return [
            {"@value": text, "@language": lang} if lang else {"@value": text}
            for lang, text in sorted(texts.items())
        ]

    doc: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": urls.public(urls.base_iri),
        "url": urls.absolute("/"),
        "name": values(info.title),
        "description": values(info.description),
        "isAccessibleForFree": True,
        "inLanguage": list(info.languages),
        "version": dataset.version,
        "dateModified": dataset.modified.date().isoformat(),
        "keywords": [word for _, words in sorted(info.keywords.items()) for word in words],
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
    if info.license:
        doc["license"] = info.license
    return doc


def objectives_page(dataset: Any, urls: Urls, lang: str) -> ObjectivesPage:
    """The objectives in order: each label, then every sourced title the label does not already
    show, in its own language (no objective has an Arabic title: none is invented)."""
    store: ox.Store = dataset.store
    names = Labeller(store, urls, lang)
    title = Text(ui("objectives_title", lang), lang)
    page = ObjectivesPage(lang=lang, path="/objectives", title=title)
    rows, query = select(store, "q_objectives", OBJECTIVES_QUERY, ns=names.ns)
    page.queries.append(query)
    titles: dict[str, list[Text]] = defaultdict(list)
    notations: dict[str, str] = {}
    for row in rows:
        objective = row["objective"].value
        notations.setdefault(objective, row["notation"].value if row["notation"] else "")
        if isinstance(row["title"], ox.Literal):
            titles[objective].append(literal_text(row["title"]))
    order = {code: n for n, code in enumerate((lang, "en", "fr"))}
    for objective, notation in notations.items():
        link = names.link(objective)
        shown = sorted(
            {t for t in titles[objective] if t.value not in link.label.value},
            key=lambda t: (order.get(t.lang or "", len(order)), t.lang or "", t.value),
        )
        page.objectives.append(ObjectiveRow(link, notation, tuple(shown)))
    return page
