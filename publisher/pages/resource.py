"""The page of one resource: its facts with their sources, and the sections its kind calls for.

Every resource gets the facts table (grouped by property, each value with the sentence or
reference it comes from) and its incoming links. Texts, passages and named graphs get the views
of `resource_views`; the data's own kinds get the sections the data declares (`Profile.sections`,
shown by `publisher.pages.sections`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pyoxigraph as ox

from publisher.dataset import ReadStore
from publisher.formats import HTML, RDF_DOCUMENT_FORMATS
from publisher.i18n import Text
from publisher.pages.base import (
    LABEL_PROPERTIES,
    RDF_TYPE,
    Alternate,
    Labeller,
    PropertyGroup,
    Value,
    distinct_graphs,
    literal_text,
)
from publisher.pages.citations import number_sources
from publisher.pages.layout import applicable, order_groups, property_order, types_once
from publisher.pages.queries import (
    NS,
    iri,
    select,
)
from publisher.pages.readable import readable_groups
from publisher.pages.resource_views import (
    ResourcePage,
    TypeBadge,
    add_article,
    add_graph,
    add_passage,
)
from publisher.pages.sections import classes_of, section_views
from publisher.pages.summary import summary_rows
from publisher.profile import Layout, Section
from publisher.profile_views import read_layouts
from publisher.urls import Urls

View = Callable[[ReadStore, Labeller, ox.NamedNode, ResourcePage], None]

FACTS_QUERY = """
SELECT DISTINCT ?this ?property ?value ?graph WHERE {
  ?this ?property ?value .
  OPTIONAL { GRAPH ?graph { ?this ?property ?value } }
}
"""

INCOMING_QUERY = """
SELECT DISTINCT ?this ?subject ?property ?graph WHERE {
  ?subject ?property ?this .
  FILTER(isIRI(?subject))
  OPTIONAL { GRAPH ?graph { ?subject ?property ?this } }
}
LIMIT 1000
"""


def resource_page(
    store: ReadStore,
    urls: Urls,
    iri_: str,
    lang: str,
    declared: Mapping[str, str] | None = None,
    sections: Iterable[Section] = (),
    document: str | None = None,
    layouts: Iterable[Layout] | None = None,
) -> ResourcePage:
    """Everything the page of `iri_` (a canonical IRI of ours) shows, in `lang`; `declared`:
    the prefixes the data declares (`Profile.prefixes`), `sections` the sections it declares
    (`Profile.sections`); `document`: the server path of the document showing it, for IRIs
    outside the `/id/` scheme (`/doc/bob`, `/card`); `layouts`: the property order and summary
    the data declares (`Profile.layouts`; read from the store when not given)."""
    this = ox.NamedNode(iri_)
    names = Labeller(store, urls, lang, declared)
    shown_at = f"{document}.{HTML.extension}" if document is not None else None
    path = shown_at or urls.document_of(iri_, HTML) or urls.public(iri_)
    page = ResourcePage(lang=lang, path=path, title=names.label(iri_), iri=urls.public(iri_))
    page.canonical = iri_
    facts, query = select(store, "q_facts", FACTS_QUERY, this, names.ns)
    page.queries.append(query)
    rows = [(r["property"], r["value"], r["graph"]) for r in facts]
    incoming, query = select(store, "q_incoming", INCOMING_QUERY, this, names.ns)
    names.prefetch(_linked(rows, incoming))  # every label the tables show, in one query
    types = [v.value for p, v, _ in rows if p.value == RDF_TYPE and isinstance(v, ox.NamedNode)]
    classes = classes_of(store, types)
    chosen = applicable(read_layouts(store) if layouts is None else layouts, classes)
    canonical = {urls.public(p.value): p.value for p, _, _ in rows}
    groups = types_once(readable_groups(names.groups(rows), lang), canonical)
    page.facts = order_groups(groups, property_order(chosen), canonical)
    page.summary = summary_rows(names, this, chosen)
    page.types = _types(names, [v for p, v, _ in rows if p.value == RDF_TYPE])
    page.labels = tuple(names.texts(this, LABEL_PROPERTIES[:1]))
    page.description = names.description(this)
    page.queries.append(query)
    page.incoming = _incoming(names, incoming)
    page.sections, queries = section_views(store, names, this, classes, sections)
    page.queries.extend(queries)
    for view in _views(names, {p.value for p, _, _ in rows}):
        view(store, names, this, page)
    page.queries.extend(q for q in names.queries if q not in page.queries)
    path_ = urls.local_path(iri_)
    if path_ is not None:
        page.alternates = [Alternate(f, urls.document(path_, f)) for f in RDF_DOCUMENT_FORMATS]
    elif document is not None:
        page.alternates = [Alternate(f, f"{document}.{f.extension}") for f in RDF_DOCUMENT_FORMATS]
    page.jsonld = schema_jsonld(names, iri_, facts)
    number_sources(page)
    return page


def _views(names: Labeller, properties: set[str]) -> list[View]:
    """The views whose query can find anything: an article view needs `schema:text`, a passage
    view `oa:hasSource` and `oa:hasSelector` among the resource's own properties (the facts
    query already listed them, from every graph), so other pages skip those queries."""
    views: list[View] = []
    if names.ns["schema"] + "text" in properties:
        views.append(add_article)
    if {names.ns["oa"] + "hasSource", names.ns["oa"] + "hasSelector"} <= properties:
        views.append(add_passage)
    views.append(add_graph)
    return views


def _linked(
    rows: Iterable[tuple[ox.NamedNode, Any, Any]], incoming: Iterable[dict[str, Any]]
) -> set[str]:
    """The IRIs the facts and incoming tables show by their label (properties, values,
    subjects linking here, and the graphs the facts come from)."""
    found: set[str] = set()
    for prop, value, graph in rows:
        found.add(prop.value)
        for term in (value, graph):
            if isinstance(term, ox.NamedNode):
                found.add(term.value)
    for row in incoming:
        found.update(row[k].value for k in ("subject", "property", "graph") if row[k] is not None)
    return found


def _types(names: Labeller, types: list[Any]) -> tuple[TypeBadge, ...]:
    """One badge per distinct label: schema:Person and foaf:Person both read "person"."""
    badges: dict[str, TypeBadge] = {}
    for term in types:
        if not isinstance(term, ox.NamedNode):
            continue
        link = names.link(term.value)
        key = link.label.value.casefold()
        found = badges.get(key)
        compacts = (*(found.compacts if found else ()), link.compact or link.iri)
        badges[key] = TypeBadge(found.link if found else link, tuple(sorted(set(compacts))))
    return tuple(sorted(badges.values(), key=lambda b: b.link.label.value.casefold()))


def _incoming(names: Labeller, rows: list[dict[str, Any]]) -> tuple[PropertyGroup, ...]:
    by_property: dict[str, dict[str, list[ox.NamedNode | None]]] = defaultdict(dict)
    for row in rows:
        by_property[row["property"].value].setdefault(row["subject"].value, []).append(row["graph"])
    groups = []
    for prop, subjects in by_property.items():
        values = [
            Value(link=names.link(s), sources=names.sources(distinct_graphs(graphs)))
            for s, graphs in subjects.items()
        ]
        values.sort(key=lambda v: v.sort_key)
        groups.append(PropertyGroup(names.link(prop), tuple(values)))
    groups.sort(key=lambda g: g.property.label.value.casefold())
    return tuple(groups)


def schema_jsonld(names: Labeller, iri_: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A schema.org description of the resource: its type, names, and its schema: facts."""
    urls = names.urls
    schema = NS["schema"]
    doc: dict[str, Any] = {"@context": "https://schema.org", "@id": urls.public(iri_)}
    typed = [r["value"] for r in rows if r["property"].value == RDF_TYPE]
    classes = {_schema_type(names.store, value) for value in typed}
    types = sorted(t for t in classes if t is not None)
    doc["@type"] = types[0] if len(types) == 1 else (types or ["Thing"])
    labels = names.texts(ox.NamedNode(iri_), LABEL_PROPERTIES[:1])
    if labels:
        doc["name"] = [_jsonld_literal(t) for t in labels]
    description = names.description(ox.NamedNode(iri_))
    if description is not None:
        doc["description"] = _jsonld_literal(description)
    html = urls.document_of(iri_, HTML)
    if html:
        doc["url"] = urls.absolute(html)
    same = [
        r["value"].value
        for r in rows
        if r["property"].value in (iri("owl:sameAs"), iri("skos:exactMatch"))
        and isinstance(r["value"], ox.NamedNode)
    ]
    if same:
        doc["sameAs"] = sorted(set(same))
    values: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        prop, value = row["property"].value, row["value"]
        if not prop.startswith(schema) or prop == schema + "name":
            continue
        if isinstance(value, ox.NamedNode):
            entry: Any = {"@id": urls.public(value.value)}
            if value.value.startswith(schema):
                entry = value.value
            else:
                entry["name"] = names.label(value.value).value
        elif isinstance(value, ox.Literal):
            entry = _jsonld_literal(literal_text(value))
        else:
            continue
        if entry not in values[prop[len(schema) :]]:
            values[prop[len(schema) :]].append(entry)
    for key, found in sorted(values.items()):
        doc[key] = found[0] if len(found) == 1 else found
    return doc


def _schema_type(store: ReadStore, term: Any) -> str | None:
    """`schema:Person` → `Person`; one of our classes → the schema.org class it refines."""
    schema = NS["schema"]
    if not isinstance(term, ox.NamedNode):
        return None
    if term.value.startswith(schema):
        return term.value[len(schema) :]
    for quad in store.quads_for_pattern(term, ox.NamedNode(iri("rdfs:subClassOf")), None):
        if isinstance(quad.object, ox.NamedNode) and quad.object.value.startswith(schema):
            return quad.object.value[len(schema) :]
    return None


def _jsonld_literal(text: Text) -> Any:
    return {"@value": text.value, "@language": text.lang} if text.lang else text.value
