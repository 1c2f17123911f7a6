"""View models of the HTML pages: labels, links, values and sources, looked up once per render.

Labels and blank-node descriptions are looked up with `quads_for_pattern`, not shown as queries;
the queries a page is built from live in `publisher.pages.queries`, and the shapes the templates
see (`Link`, `Value`, `Source`, …) in `publisher.pages.values`, re-exported here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox

from publisher.dataset import ReadStore
from publisher.formats import HTML, Format
from publisher.i18n import Text, interface_language, pick, ui
from publisher.messages import TERM_CONTEXT, words
from publisher.pages.queries import Query, iri, namespaces, select
from publisher.pages.values import (
    Link,
    PropertyGroup,
    Source,
    Term,
    Value,
    compact,
    distinct_graphs,
    literal_text,
    local_name,
    passage_anchor,
    property_rank,
)
from publisher.urls import ONTOLOGY_PREFIX, Urls

RDF_TYPE = iri("rdf:type")
LABEL_PROPERTIES = tuple(
    ox.NamedNode(iri(p))
    for p in ("rdfs:label", "skos:prefLabel", "schema:name", "foaf:name", "dcterms:title")
)
DESCRIPTION_PROPERTIES = tuple(
    ox.NamedNode(iri(p))
    for p in ("rdfs:comment", "schema:abstract", "skos:definition", "dcterms:description")
)
PLAIN_DATATYPES = frozenset({iri("xsd:string"), iri("rdf:langString")})
PREFETCH_BATCH = 500
"""IRIs per label query: a page linking more (a hub's incoming links) makes a few queries."""


class Labeller:
    """Labels, links and sources for one page render; caches what it has looked up."""

    def __init__(
        self, store: ReadStore, urls: Urls, lang: str, declared: Mapping[str, str] | None = None
    ) -> None:
        self.store = store
        self.urls = urls
        self.lang = lang
        self.ns = namespaces(urls, declared)
        self._labels: dict[str, Text] = {}
        self._label_texts: dict[str, list[Text]] = {}
        self._sources: dict[str, Source] | None = None
        self._graphs: bool | None = None
        self._listing: set[ox.BlankNode] = set()  # lists being shown (a list inside itself)
        self.queries: list[Query] = []

    # labels ------------------------------------------------------------------------------

    def texts(
        self, subject: ox.NamedNode | ox.BlankNode, properties: Iterable[ox.NamedNode]
    ) -> list[Text]:
        """The literals of the first property that has any, as `Text`s."""
        for prop in properties:
            found = [
                literal_text(q.object)
                for q in self.store.quads_for_pattern(subject, prop, None)
                if isinstance(q.object, ox.Literal)
            ]
            if found:
                return sorted(set(found), key=lambda t: (t.lang or "", t.value))
        return []

    def prefetch(self, iris: Iterable[str]) -> None:
        """Look up the labels of many IRIs at once: one query (one round trip to a remote store)
        instead of a lookup per IRI and label property. `label` then uses what was found."""
        wanted = sorted(i for i in iris if i not in self._labels and i not in self._label_texts)
        found: dict[str, dict[str, set[Text]]] = {}
        properties = ", ".join(str(p) for p in LABEL_PROPERTIES)
        for start in range(0, len(wanted), PREFETCH_BATCH):
            values = " ".join(str(ox.NamedNode(i)) for i in wanted[start : start + PREFETCH_BATCH])
            solutions = self.store.query(
                # One VALUES and a FILTER: Oxigraph plans two VALUES blocks as a scan of the store.
                f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o"
                f" FILTER(?p IN ({properties}) && isLiteral(?o)) }}",
                use_default_graph_as_union=True,
            )
            assert isinstance(solutions, ox.QuerySolutions)
            try:
                for row in solutions:
                    subject, prop, obj = row["s"], row["p"], row["o"]
                    if isinstance(subject, ox.NamedNode) and isinstance(obj, ox.Literal):
                        texts = found.setdefault(subject.value, {})
                        texts.setdefault(str(prop.value), set()).add(literal_text(obj))
            finally:
                del solutions  # on this thread: see `queries.select`
        for iri_ in wanted:
            by_property = found.get(iri_, {})
            first = next(
                (by_property[p.value] for p in LABEL_PROPERTIES if p.value in by_property), set()
            )
            self._label_texts[iri_] = sorted(first, key=lambda t: (t.lang or "", t.value))

    def label(self, iri_: str) -> Text:
        """The label in the page language, else another language, else a UI or local name."""
        if iri_ not in self._labels:
            texts = self._label_texts.get(iri_)
            if texts is None:
                texts = self.texts(ox.NamedNode(iri_), LABEL_PROPERTIES)
            found = pick(texts, self.lang)
            short = compact(iri_, self.ns)
            if found is None and short:
                shown = interface_language(self.lang)  # a term's label is the interface's
                label = words(shown, TERM_CONTEXT).get(short)
                found = Text(label, shown) if label is not None else None
            self._labels[iri_] = found or Text(short or self._fallback(iri_))
        return self._labels[iri_]

    def _fallback(self, iri_: str) -> str:
        """No label: a thing of ours by its slug, anything else by its whole (readable) IRI."""
        if self.urls.local_path(iri_) is not None:
            return local_name(iri_)
        return unquote(self.urls.public(iri_))

    def description(self, subject: ox.NamedNode) -> Text | None:
        return pick(self.texts(subject, DESCRIPTION_PROPERTIES), self.lang)

    # links -------------------------------------------------------------------------------

    def href(self, iri_: str) -> str:
        """Our things link to their HTML document, ontology terms to the ontology's page (both
        in the page language, so that following a link keeps it); other IRIs are left alone."""
        document = self.urls.document_of(iri_, HTML)
        if document is not None:
            return f"{document}?lang={self.lang}"
        if iri_.startswith(self.urls.base_iri + ONTOLOGY_PREFIX):
            page, hash_, term = iri_.partition("#")
            return f"{self.urls.public(page)}?lang={self.lang}{hash_}{term}"
        return self.urls.public(iri_)

    def link(self, iri_: str) -> Link:
        return Link(
            iri=self.urls.public(iri_),
            href=self.href(iri_),
            label=self.label(iri_),
            compact=compact(iri_, self.ns),
            local=self.urls.is_local(iri_),
        )

    def value(
        self, term: Term, graphs: Iterable[ox.NamedNode | None] = (), depth: int = 0
    ) -> Value:
        """A `Value` for any term; blank nodes are described inline, one level deep."""
        sources = self.sources(graphs)
        if isinstance(term, ox.NamedNode):
            return Value(link=self.link(term.value), sources=sources)
        if isinstance(term, ox.Literal):
            datatype = None if term.datatype.value in PLAIN_DATATYPES else term.datatype.value
            return Value(
                text=literal_text(term),
                datatype=compact(datatype, self.ns) or datatype if datatype else None,
                sources=sources,
            )
        if isinstance(term, ox.BlankNode) and depth <= 1 and term not in self._listing:
            items = self.list_items(term)
            if items is not None:  # members shown as their own values, not as first/rest
                self._listing.add(term)
                try:
                    shown = tuple(self.value(item, (), depth) for item in items)
                finally:
                    self._listing.discard(term)
                return Value(items=shown, sources=sources)
        if isinstance(term, ox.BlankNode) and depth == 0:
            members = self.union_members(term)
            if members:
                return Value(members=members, sources=sources)
            rows = [
                (q.predicate, q.object, None)
                for q in self.store.quads_for_pattern(term, None, None)
            ]
            return Value(nested=self.groups(rows, depth=1), sources=sources)
        return Value(text=Text("[]"), sources=sources)

    def sources(self, graphs: Iterable[ox.NamedNode | None]) -> tuple[Source, ...]:
        """The sources of a fact found in `graphs`; none when the data has no named graph (a
        vocabulary file): every fact would name the one source, the default graph."""
        return tuple(self.source(g) for g in graphs) if self._has_graphs() else ()

    def _has_graphs(self) -> bool:
        if self._graphs is None:
            self._graphs = next(iter(self.store.named_graphs()), None) is not None
        return self._graphs

    def list_items(self, node: ox.BlankNode) -> list[Term] | None:
        """The members of the RDF list `node` heads; None when it heads none."""
        if self._one(node, iri("rdf:first")) is None:
            return None
        items: list[Term] = []
        cell: Term | None = node
        seen: set[ox.BlankNode] = set()
        while isinstance(cell, ox.BlankNode) and cell not in seen:
            seen.add(cell)
            first = self._one(cell, iri("rdf:first"))
            if first is not None:
                items.append(first)
            cell = self._one(cell, iri("rdf:rest"))
        return items

    def union_members(self, node: ox.BlankNode) -> tuple[Link, ...]:
        """The classes of an `owl:unionOf` list (a property's domain, for example)."""
        heads = [
            q.object
            for q in self.store.quads_for_pattern(node, ox.NamedNode(iri("owl:unionOf")), None)
        ]
        members: list[Link] = []
        node_: Term | None = heads[0] if heads else None
        seen: set[str] = set()
        while isinstance(node_, ox.BlankNode) and str(node_) not in seen:
            seen.add(str(node_))
            first = self._one(node_, iri("rdf:first"))
            if isinstance(first, ox.NamedNode):
                members.append(self.link(first.value))
            node_ = self._one(node_, iri("rdf:rest"))
        return tuple(members)

    def _one(self, subject: ox.BlankNode, predicate: str) -> Term | None:
        for quad in self.store.quads_for_pattern(subject, ox.NamedNode(predicate), None):
            return quad.object
        return None

    def groups(
        self, rows: Iterable[tuple[ox.NamedNode, Term, ox.NamedNode | None]], depth: int = 0
    ) -> tuple[PropertyGroup, ...]:
        """(property, value, graph) rows → one group per property, each value with its sources."""
        by_property: dict[str, dict[Term, list[ox.NamedNode | None]]] = defaultdict(dict)
        for prop, obj, graph in rows:
            by_property[prop.value].setdefault(obj, []).append(graph)
        groups = []
        for prop_iri, values in by_property.items():
            shown = [
                self.value(obj, distinct_graphs(graphs), depth) for obj, graphs in values.items()
            ]
            shown.sort(key=self._value_order)
            groups.append(PropertyGroup(self.link(prop_iri), tuple(shown)))
        groups.sort(
            key=lambda g: (
                property_rank(g.property.iri, self.urls),
                g.property.label.value.casefold(),
            )
        )
        return tuple(groups)

    def _value_order(self, value: Value) -> tuple[int, int, tuple[str | int, ...]]:
        own = 0 if value.text is None or value.text.lang == self.lang else 1
        kind, key = value.sort_key
        return (kind, own, key)

    # sources -----------------------------------------------------------------------------

    def source(self, graph: ox.NamedNode | None) -> Source:
        """The source of the facts in `graph` (None: the default graph, our own description)."""
        if graph is None:
            return Source(
                "default", Text(ui("source_default", self.lang), interface_language(self.lang))
            )
        sources = self._all_sources()
        if graph.value in sources:
            return sources[graph.value]
        if graph.value.startswith(self.urls.base_iri + ONTOLOGY_PREFIX):
            label = Text(ui("source_ontology", self.lang), interface_language(self.lang))
            return Source("ontology", label, href=self.href(graph.value))
        return Source("graph", self.label(graph.value), href=self.href(graph.value))

    def _all_sources(self) -> dict[str, Source]:
        if self._sources is None:
            rows, query = select(self.store, "q_sources", SOURCES_QUERY, ns=self.ns)
            self.queries.append(query)
            self._sources = self._build_sources(rows)
        return self._sources

    def _build_sources(self, rows: list[dict[str, Any]]) -> dict[str, Source]:
        passages = sorted(
            {(int(r["start"].value), r["passage"].value) for r in rows if _is_int(r["start"])}
        )
        number = {passage: n for n, (_, passage) in enumerate(passages, 1)}
        titles: dict[str, list[Text]] = defaultdict(list)
        for row in rows:
            if isinstance(row["title"], ox.Literal):
                titles[row["graph"].value].append(literal_text(row["title"]))
        sources: dict[str, Source] = {}
        for row in rows:
            graph = row["graph"].value
            if graph in sources:
                continue
            graph_link = self.link(graph)
            evidence = self.label(row["evidence"].value) if row["evidence"] else None
            passage, article = row["passage"], row["article"]
            if passage is not None and passage.value in number:
                n = number[passage.value]
                href = self.passage_href(article.value, passage.value) if article else None
                label = Text(ui("source_sentence", self.lang, n=n), interface_language(self.lang))
                sources[graph] = Source("sentence", label, href, graph_link, evidence, n)
            elif row["url"] is not None:
                title = pick(titles[graph], self.lang) or Text(row["url"].value)
                sources[graph] = Source("reference", title, row["url"].value, graph_link, evidence)
            else:
                sources[graph] = Source(
                    "graph", graph_link.label, graph_link.href, graph_link, evidence
                )
        return sources

    def passage_href(self, article: str, passage: str) -> str:
        """The passage highlighted in the article's page: `/doc/article/x.html?lang=en#s04`."""
        return f"{self.href(article)}#{passage_anchor(passage)}"


def _is_int(term: Term | None) -> bool:
    return isinstance(term, ox.Literal) and term.value.isdigit()


SOURCES_QUERY = """
SELECT DISTINCT ?graph ?passage ?article ?start ?url ?title ?evidence WHERE {
  { ?graph prov:wasDerivedFrom|dcterms:source ?origin }
  FILTER EXISTS { GRAPH ?graph { ?s ?p ?o } }
  OPTIONAL {
    ?graph prov:wasDerivedFrom ?passage .
    ?passage oa:hasSource ?article ; oa:hasSelector/oa:start ?start .
  }
  OPTIONAL { ?graph dcterms:source ?url }
  OPTIONAL { ?graph dcterms:title ?title }
  OPTIONAL {
    ?graph ?evidenceProperty ?evidence .
    ?evidenceProperty rdfs:subPropertyOf|rdfs:seeAlso dcterms:provenance .
  }
}
ORDER BY ?start ?graph
"""


# ---------------------------------------------------------------------------------------------
# Pages share a frame: title, alternates, JSON-LD and the queries
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Alternate:
    format: Format
    href: str


@dataclass
class Page:
    """What every page has; `path` is the server-relative URL of its HTML document."""

    lang: str
    path: str
    title: Text
    queries: list[Query] = field(default_factory=list)
    alternates: list[Alternate] = field(default_factory=list)
    jsonld: dict[str, Any] | None = None


__all__ = [
    "DESCRIPTION_PROPERTIES",
    "LABEL_PROPERTIES",
    "PLAIN_DATATYPES",
    "PREFETCH_BATCH",
    "RDF_TYPE",
    "SOURCES_QUERY",
    "Alternate",
    "Labeller",
    "Link",
    "Page",
    "PropertyGroup",
    "Source",
    "Term",
    "Value",
    "distinct_graphs",
    "literal_text",
    "local_name",
    "passage_anchor",
]
