"""The resource page's model and its dedicated views, which read as prose: posts held,
statements with the sentence that reports them, participation, the article text with its
sentences marked, and the facts of one named graph.

These views read one vocabulary by name (`queries.VIEWS_VOCABULARY`, bound under the served
namespace), so for other data their queries find nothing and the sections stay empty.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from publisher.i18n import Text
from publisher.pages.base import (
    Labeller,
    Link,
    Page,
    PropertyGroup,
    Source,
    Value,
    distinct_graphs,
    literal_text,
    passage_anchor,
)
from publisher.pages.queries import select

MEMBERSHIPS_QUERY = """
SELECT DISTINCT ?this ?membership ?member ?organization ?role ?graph WHERE {
  ?membership org:member ?member ; org:organization ?organization .
  FILTER(?this IN (?member, ?organization, ?membership))
  OPTIONAL { ?membership org:role ?role }
  OPTIONAL { GRAPH ?graph { ?membership org:member ?member } }
}
"""

STATEMENTS_QUERY = """
SELECT DISTINCT ?this ?statement ?speaker ?event ?role ?summary ?text ?textGraph WHERE {
  ?statement a gcmr:ReportedStatement ; gcmr:speaker ?speaker .
  OPTIONAL { ?statement gcmr:deliveredAt ?event }
  FILTER(?this IN (?statement, ?speaker, ?event))
  OPTIONAL { ?statement gcmr:inCapacityOf/org:role ?role }
  OPTIONAL { ?statement schema:abstract ?summary }
  OPTIONAL { GRAPH ?textGraph { ?statement gcmr:reportedText ?text } }
}
"""

PARTICIPATIONS_QUERY = """
SELECT DISTINCT ?this ?participation ?event ?participant ?role ?representative ?graph WHERE {
  ?participation a gcmr:Participation ; gcmr:participant ?participant .
  OPTIONAL { ?event gcmr:hasParticipation ?participation }
  OPTIONAL { ?participation gcmr:representedBy ?representative }
  FILTER(?this IN (?participation, ?participant, ?representative, ?event))
  OPTIONAL { ?participation gcmr:participationRole ?role }
  OPTIONAL { GRAPH ?graph { ?participation gcmr:participant ?participant } }
}
"""

ARTICLE_QUERY = """
SELECT ?this ?text ?passage ?start ?end ?graph WHERE {
  ?this schema:text ?text .
  OPTIONAL {
    ?passage oa:hasSource ?this ; oa:hasSelector ?selector .
    ?selector oa:start ?start ; oa:end ?end .
    OPTIONAL { ?graph a gcmr:FactSet ; prov:wasDerivedFrom ?passage }
  }
}
ORDER BY ?start
"""

PASSAGE_STATEMENTS_QUERY = """
SELECT DISTINCT ?this ?passage ?statement WHERE {
  ?passage oa:hasSource ?this .
  ?statement gcmr:reportedIn ?passage .
}
"""

PASSAGE_QUERY = """
SELECT ?this ?article ?exact ?graph WHERE {
  ?this oa:hasSource ?article ; oa:hasSelector ?selector .
  ?selector oa:exact ?exact .
  OPTIONAL { ?graph a gcmr:FactSet ; prov:wasDerivedFrom ?this }
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
class MembershipView:
    membership: Link
    member: Link
    organization: Link
    role: Link | None
    sources: tuple[Source, ...]


@dataclass
class StatementView:
    statement: Link
    speaker: Link
    event: Link | None = None
    roles: list[Link] = field(default_factory=list)
    summaries: list[Text] = field(default_factory=list)
    texts: list[tuple[Text, Source]] = field(default_factory=list)


@dataclass(frozen=True)
class ParticipationView:
    participation: Link
    participant: Link
    event: Link | None
    role: Link | None
    representative: Link | None
    sources: tuple[Source, ...]


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
    memberships: list[MembershipView] = field(default_factory=list)
    statements: list[StatementView] = field(default_factory=list)
    participations: list[ParticipationView] = field(default_factory=list)
    article: list[Segment] = field(default_factory=list)
    article_lang: str | None = None
    article_dir: str = "auto"
    passage: PassageView | None = None
    graph_facts: list[SubjectFacts] = field(default_factory=list)
    graph_source: Source | None = None


def add_memberships(
    store: ox.Store, names: Labeller, this: ox.NamedNode, page: ResourcePage
) -> None:
    rows, query = select(store, "q_memberships", MEMBERSHIPS_QUERY, this, names.ns)
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["membership"].value].append(row)
    for membership, found in grouped.items():
        first = found[0]
        page.memberships.append(
            MembershipView(
                membership=names.link(membership),
                member=names.link(first["member"].value),
                organization=names.link(first["organization"].value),
                role=names.link(first["role"].value) if first["role"] else None,
                sources=tuple(
                    names.source(g) for g in distinct_graphs([r["graph"] for r in found])
                ),
            )
        )
    page.memberships.sort(key=lambda m: (m.organization.label.value, m.member.label.value))
    if rows:
        page.queries.append(query)


def add_statements(
    store: ox.Store, names: Labeller, this: ox.NamedNode, page: ResourcePage
) -> None:
    rows, query = select(store, "q_statements", STATEMENTS_QUERY, this, names.ns)
    views: dict[str, StatementView] = {}
    for row in rows:
        key = row["statement"].value
        view = views.get(key)
        if view is None:
            view = views[key] = StatementView(
                statement=names.link(key), speaker=names.link(row["speaker"].value)
            )
            view.event = names.link(row["event"].value) if row["event"] else None
        _add(view.roles, names.link(row["role"].value) if row["role"] else None)
        _add(view.summaries, literal_text(row["summary"]) if row["summary"] else None)
        if row["text"] is not None:
            _add(view.texts, (literal_text(row["text"]), names.source(row["textGraph"])))
    for view in views.values():
        view.texts.sort(key=lambda pair: (pair[1].number or 0, pair[0].value))
        view.summaries.sort(key=lambda t: t.lang != names.lang)
    page.statements = sorted(views.values(), key=lambda v: v.statement.label.value)
    if rows:
        page.queries.append(query)


def _add(items: list[Any], item: Any) -> None:
    if item is not None and item not in items:
        items.append(item)


def add_participations(
    store: ox.Store, names: Labeller, this: ox.NamedNode, page: ResourcePage
) -> None:
    rows, query = select(store, "q_participations", PARTICIPATIONS_QUERY, this, names.ns)
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["participation"].value].append(row)

    def optional(row: dict[str, Any], name: str) -> Link | None:
        return names.link(row[name].value) if isinstance(row[name], ox.NamedNode) else None

    for participation, found in grouped.items():
        first = found[0]
        page.participations.append(
            ParticipationView(
                participation=names.link(participation),
                participant=names.link(first["participant"].value),
                event=optional(first, "event"),
                role=optional(first, "role"),
                representative=optional(first, "representative"),
                sources=tuple(
                    names.source(g) for g in distinct_graphs([r["graph"] for r in found])
                ),
            )
        )
    page.participations.sort(
        key=lambda p: (p.role.label.value if p.role else "", p.participant.label.value)
    )
    if rows:
        page.queries.append(query)


def add_article(store: ox.Store, names: Labeller, this: ox.NamedNode, page: ResourcePage) -> None:
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


def add_passage(store: ox.Store, names: Labeller, this: ox.NamedNode, page: ResourcePage) -> None:
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


def add_graph(store: ox.Store, names: Labeller, this: ox.NamedNode, page: ResourcePage) -> None:
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
            for g in names.groups(facts)
        )
        page.graph_facts.append(SubjectFacts(link, groups))
    page.graph_facts.sort(key=lambda s: s.subject.label.value if s.subject else "")


def _without_sources(value: Value) -> Value:
    """Inside a fact set's own page every fact has the same source: the page itself."""
    return Value(value.link, value.text, value.datatype, value.nested, value.members, ())


# ---------------------------------------------------------------------------------------------
# schema.org JSON-LD for search engines
# ---------------------------------------------------------------------------------------------
