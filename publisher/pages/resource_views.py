"""The resource page's model and the views every dataset gets: a text with its annotated
passages marked (W3C Web Annotation: `oa:hasSource`, text position and quote selectors), one
passage, and the facts of one named graph. The sections particular to a dataset are declared in
its data (`publisher.pages.sections`).

A named graph `prov:wasDerivedFrom` a passage holds the facts taken from it; a resource linked
to a passage by a subproperty of `prov:wasDerivedFrom` is listed as reported there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from publisher.dataset import ReadStore
from publisher.i18n import Text
from publisher.pages.base import (
    Labeller,
    Link,
    Page,
    PropertyGroup,
    Source,
    Value,
    literal_text,
    passage_anchor,
)
from publisher.pages.queries import select
from publisher.pages.readable import readable_groups
from publisher.pages.sections import SectionView
from publisher.pages.summary import SummaryRow

ARTICLE_QUERY = """
SELECT ?this ?text ?passage ?start ?end ?graph WHERE {
  ?this schema:text ?text .
  OPTIONAL {
    ?passage oa:hasSource ?this ; oa:hasSelector ?selector .
    ?selector oa:start ?start ; oa:end ?end .
    OPTIONAL {
      ?graph prov:wasDerivedFrom ?passage .
      FILTER EXISTS { GRAPH ?graph { ?s ?p ?o } }
    }
  }
}
ORDER BY ?start
"""

PASSAGE_STATEMENTS_QUERY = """
SELECT DISTINCT ?this ?passage ?statement WHERE {
  ?passage oa:hasSource ?this .
  ?statement ?reportedIn ?passage .
  # The direct step spelt out: Virtuoso's `+` alone, after a variable predicate, drops rows.
  { ?reportedIn rdfs:subPropertyOf prov:wasDerivedFrom }
  UNION { ?reportedIn rdfs:subPropertyOf/rdfs:subPropertyOf+ prov:wasDerivedFrom }
  FILTER(isIRI(?statement))
}
"""

PASSAGE_QUERY = """
SELECT ?this ?article ?exact ?graph WHERE {
  ?this oa:hasSource ?article ; oa:hasSelector ?selector .
  ?selector oa:exact ?exact .
  OPTIONAL {
    ?graph prov:wasDerivedFrom ?this .
    FILTER EXISTS { GRAPH ?graph { ?s ?p ?o } }
  }
}
"""

GRAPH_QUERY = """
SELECT ?this ?subject ?property ?value WHERE {
  GRAPH ?this { ?subject ?property ?value }
}
ORDER BY ?subject ?property
"""


@dataclass(frozen=True)
class TypeBadge:
    link: Link
    compacts: tuple[str, ...]


@dataclass(frozen=True)
class Segment:
    """A run of the article's text; passages carry their anchor, number and statements."""

    text: str
    anchor: str | None = None
    number: int | None = None
    graph: Link | None = None
    passage: Link | None = None
    statements: tuple[Link, ...] = ()


@dataclass(frozen=True)
class PassageView:
    exact: Text
    article_href: str
    source: Source | None


@dataclass(frozen=True)
class SubjectFacts:
    subject: Link | None
    groups: tuple[PropertyGroup, ...]


@dataclass
class ResourcePage(Page):
    iri: str = ""
    canonical: str = ""
    types: tuple[TypeBadge, ...] = ()
    labels: tuple[Text, ...] = ()
    description: Text | None = None
    facts: tuple[PropertyGroup, ...] = ()
    incoming: tuple[PropertyGroup, ...] = ()
    sections: list[SectionView] = field(default_factory=list)
    article: list[Segment] = field(default_factory=list)
    article_lang: str | None = None
    article_dir: str = "auto"
    passage: PassageView | None = None
    graph_facts: list[SubjectFacts] = field(default_factory=list)
    graph_source: Source | None = None
    summary: tuple[SummaryRow, ...] = ()
    citations: tuple[Source, ...] = ()
    """Every source the page cites, in order: the numbered list under the tables."""
    cite: dict[Source, int] = field(default_factory=dict)
    """Source → its number in `citations`: a fact cites "[n]" instead of naming it again."""


def add_article(store: ReadStore, names: Labeller, this: ox.NamedNode, page: ResourcePage) -> None:
    rows, query = select(store, "q_article", ARTICLE_QUERY, this, names.ns)
    texts = [r["text"] for r in rows if isinstance(r["text"], ox.Literal)]
    if not texts:
        return
    page.queries.append(query)
    said, query = select(store, "q_passage_statements", PASSAGE_STATEMENTS_QUERY, this, names.ns)
    if said:
        page.queries.append(query)
    statements: dict[str, list[Link]] = defaultdict(list)
    for row in said:
        statements[row["passage"].value].append(names.link(row["statement"].value))
    text = texts[0].value
    page.article_lang = texts[0].language or None
    page.article_dir = literal_text(texts[0]).dir
    spans = sorted(
        {
            (int(r["start"].value), int(r["end"].value), r["passage"].value, r["graph"])
            for r in rows
            if r["passage"] is not None and r["start"].value.isdigit() and r["end"].value.isdigit()
        },
        key=lambda span: (span[0], span[1], span[2]),
    )
    segments: list[Segment] = []
    cursor = 0
    for number, (start, end, passage, graph) in enumerate(spans, 1):
        if start < cursor or end > len(text) or start >= end:
            continue  # overlapping or out-of-range selectors are shown as plain text
        if start > cursor:
            segments.append(Segment(text[cursor:start]))
        segments.append(
            Segment(
                text[start:end],
                anchor=passage_anchor(passage),
                number=number,
                graph=names.link(graph.value) if graph is not None else None,
                passage=names.link(passage),
                statements=tuple(statements.get(passage, ())),
            )
        )
        cursor = end
    if cursor < len(text):
        segments.append(Segment(text[cursor:]))
    page.article = segments


def add_passage(store: ReadStore, names: Labeller, this: ox.NamedNode, page: ResourcePage) -> None:
    rows, query = select(store, "q_passage", PASSAGE_QUERY, this, names.ns)
    if not rows:
        return
    page.queries.append(query)
    row = rows[0]
    graph = next((r["graph"] for r in rows if r["graph"] is not None), None)
    page.passage = PassageView(
        exact=literal_text(row["exact"]),
        article_href=names.passage_href(row["article"].value, this.value),
        source=names.source(graph) if graph is not None else None,
    )


def add_graph(store: ReadStore, names: Labeller, this: ox.NamedNode, page: ResourcePage) -> None:
    if not any(True for _ in store.quads_for_pattern(None, None, None, this)):
        return
    rows, query = select(store, "q_graph", GRAPH_QUERY, this, names.ns)
    page.queries.append(query)
    page.graph_source = names.source(this)
    by_subject: dict[Any, list[tuple[Any, Any, None]]] = defaultdict(list)
    for row in rows:
        by_subject[row["subject"]].append((row["property"], row["value"], None))
    for subject, facts in by_subject.items():
        link = names.link(subject.value) if isinstance(subject, ox.NamedNode) else None
        groups = tuple(
            PropertyGroup(g.property, tuple(_without_sources(v) for v in g.values))
            for g in readable_groups(names.groups(facts), names.lang)
        )
        page.graph_facts.append(SubjectFacts(link, groups))
    # Blank subjects have no label and fresh ids on every load: their facts order them, so
    # the page (and its ETag) is the same from one load to the next.
    page.graph_facts.sort(
        key=lambda s: (s.subject.label.value if s.subject else "", repr(s.groups))
    )


def _without_sources(value: Value) -> Value:
    """Inside a fact set's own page every fact has the same source: the page itself."""
    return Value(value.link, value.text, value.datatype, value.nested, value.members, ())


# ---------------------------------------------------------------------------------------------
# schema.org JSON-LD for search engines
# ---------------------------------------------------------------------------------------------
