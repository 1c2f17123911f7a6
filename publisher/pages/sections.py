"""The resource page's sections that the data declares (`Profile.sections`), shown generically.

Each section is a SELECT about `$this`; its rows are grouped by the first variable selected
after `this` (the row's key), and every declared column lists the distinct values of its group:
links for IRIs, literals with their own language and direction. A `graph` variable names the
named graph a row comes from, shown as its sources, as the facts table shows them. The code
knows no vocabulary: what is asked, and how it is headed, is the data's word.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import pyoxigraph as ox

from publisher.dataset import ReadStore
from publisher.i18n import Text, interface_language, ui
from publisher.pages.base import Labeller, Link, Source, Term, Value, distinct_graphs
from publisher.pages.queries import Query, select
from publisher.pages.readable import readable_value
from publisher.profile import Section
from publisher.vocab import RDFS

GRAPH_VARIABLE = "graph"
SUBCLASS_OF = ox.NamedNode(RDFS + "subClassOf")


@dataclass(frozen=True)
class SectionRow:
    """One group of rows; `key` links to the row's resource when no column shows it."""

    key: Link | None
    cells: tuple[tuple[Value, ...], ...]
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class SectionView:
    anchor: str
    title: Text
    headers: tuple[Text, ...]
    rows: tuple[SectionRow, ...]
    has_sources: bool


def classes_of(store: ReadStore, types: Iterable[str]) -> set[str]:
    """The types of a resource and all their superclasses (`rdfs:subClassOf`, any depth)."""
    found: set[str] = set()
    todo = list(types)
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.add(current)
        for quad in store.quads_for_pattern(ox.NamedNode(current), SUBCLASS_OF, None):
            if isinstance(quad.object, ox.NamedNode):
                todo.append(quad.object.value)
    return found


def section_views(
    store: ReadStore,
    names: Labeller,
    this: ox.NamedNode,
    classes: set[str],
    sections: Iterable[Section],
) -> tuple[list[SectionView], list[Query]]:
    """The sections that apply to a resource of `classes` and find something, with the queries
    they ran (each titled with its section's heading)."""
    views: list[SectionView] = []
    queries: list[Query] = []
    for section in sections:
        if not classes.intersection(section.classes):
            continue
        rows, query = select(store, "q_section", section.text, this, names.ns)
        if not rows:
            continue
        title = _in_language(section.title_in(names.lang), section.titles, names.lang)
        queries.append(replace(query, title=title.value))
        views.append(section_view(names, section, title, rows, this))
    return views, queries


def section_view(
    names: Labeller,
    section: Section,
    title: Text,
    rows: list[dict[str, Term | None]],
    this: ox.NamedNode | None = None,
) -> SectionView:
    """The table of one section: one row per key, each cell its distinct values, sorted. A
    column whose every cell is the page's own resource (`this`) is left out: the page's
    title is not repeated on every row; a cell of it among others says "this page"."""
    key_variable = next((name for name in rows[0] if name != "this"), "this")
    shown = tuple(
        c.variable
        for c in section.columns
        if c.variable in rows[0] and not _only_this(rows, c.variable, this)
    )
    groups: dict[str, list[dict[str, Term | None]]] = {}
    for row in rows:
        groups.setdefault(str(row[key_variable]), []).append(row)
    has_sources = GRAPH_VARIABLE in rows[0]
    table = []
    for found in groups.values():
        key = found[0][key_variable]
        cells = tuple(_cell(names, [row[name] for row in found], this) for name in shown)
        sources: tuple[Source, ...] = ()
        if has_sources:
            graphs = [g if isinstance(g, ox.NamedNode) else None for g in _column(found)]
            sources = tuple(names.source(g) for g in distinct_graphs(graphs))
        # no "details" link when a column shows the key, or the key is this very page
        own_key = key_variable in shown or key == this
        link = None if own_key or not isinstance(key, ox.NamedNode) else names.link(key.value)
        table.append(SectionRow(link, cells, sources))
    headers = tuple(
        _in_language(c.title_in(names.lang), c.titles, names.lang)
        for c in section.columns
        if c.variable in shown
    )
    return SectionView(section.slug, title, headers, tuple(table), has_sources)


def _column(rows: list[dict[str, Term | None]]) -> list[Term | None]:
    return [row[GRAPH_VARIABLE] for row in rows]


def _only_this(
    rows: list[dict[str, Term | None]], variable: str, this: ox.NamedNode | None
) -> bool:
    """True when every row's `variable` is the page's own resource."""
    return this is not None and all(row[variable] == this for row in rows)


def _cell(
    names: Labeller, terms: list[Term | None], this: ox.NamedNode | None = None
) -> tuple[Value, ...]:
    """The distinct values of one column of a group: in the page language first, then others;
    dates and numbers formatted for the reader; the page's own resource as "this page"."""
    unique = list(dict.fromkeys(t for t in terms if t is not None))
    values = [
        _here(names) if term == this else readable_value(names.value(term), names.lang)
        for term in unique
    ]
    return tuple(sorted(values, key=lambda v: (_foreign(v, names.lang), v.sort_key)))


def _here(names: Labeller) -> Value:
    return Value(text=Text(ui("resource_this_page", names.lang), interface_language(names.lang)))


def _foreign(value: Value, lang: str) -> bool:
    return value.text is not None and value.text.lang not in (None, lang)


def _in_language(value: str, titles: Mapping[str, str], lang: str) -> Text:
    """A heading marked with the page language only when the data gives it in that language."""
    return Text(value, lang if lang in titles else None)
