"""The summary card that opens a resource page: the properties its layout marks as key
information (`dash:propertyRole dash:KeyInfoRole`, decision 0015), in their order.

What a row shows follows from the data, not from the kind of thing: dates as the span they
cover ("24–25 Feb 2021"), other values formatted for the reader (`readable`), links by their
label; a backwards path (`sh:inversePath`) as the number of resources linking here by that
property, and so does a row of more than `MAX_LISTED` values (the tables below list them).
Every value keeps its sources, as in the facts table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pyoxigraph as ox

from publisher.i18n import Text
from publisher.pages.base import Labeller, Source, Term, Value, distinct_graphs
from publisher.pages.readable import count, full_datatype, readable_value, span
from publisher.pages.values import property_anchor
from publisher.profile_views import Field, Layout
from publisher.vocab import XSD

MAX_LISTED = 4
"""More values than this make a summary row a count: a summary stays short."""


@dataclass(frozen=True)
class SummaryRow:
    title: Text
    values: tuple[Value, ...] = ()
    count: Text | None = None
    """The number of values (a count row), formatted for the reader; `values` is then empty."""
    total: int = 0
    anchor: str | None = None
    """Where the counted values are listed: the id of their row in the facts table
    (`#p-…`) or in the incoming links (`#in-…`)."""


def summary_rows(
    names: Labeller, this: ox.NamedNode, layouts: Iterable[Layout]
) -> tuple[SummaryRow, ...]:
    """The summary of `this` by the layouts that apply to it; rows that find nothing are left
    out, and a field two layouts share is shown once."""
    rows: list[SummaryRow] = []
    seen: set[tuple[tuple[str, bool], ...]] = set()
    fields = sorted((f for layout in layouts for f in layout.fields if f.summary), key=_order)
    for field in fields:
        key = tuple((step.iri, step.inverse) for step in field.steps)
        if key in seen:
            continue
        seen.add(key)
        row = _row(names, this, field)
        if row is not None:
            rows.append(row)
    return tuple(rows)


def _order(field: Field) -> float:
    return field.order


def _row(names: Labeller, this: ox.NamedNode, field: Field) -> SummaryRow | None:
    found: dict[Term, list[ox.NamedNode | None]] = {}
    backwards = False
    pairs: list[tuple[Term, object]]
    for step in field.steps:
        predicate = ox.NamedNode(step.iri)
        if step.inverse:
            backwards = True
            pairs = [
                (q.subject, q.graph_name)
                for q in names.store.quads_for_pattern(None, predicate, this)
            ]
        else:
            pairs = [
                (q.object, q.graph_name)
                for q in names.store.quads_for_pattern(this, predicate, None)
            ]
        for term, graph in pairs:
            found.setdefault(term, []).append(graph if isinstance(graph, ox.NamedNode) else None)
    if not found:
        return None
    title = _title(names, field)
    if backwards or len(found) > MAX_LISTED:
        shown = Text(count(len(found), names.lang))
        step = field.steps[0]
        where = f"{'in' if step.inverse else 'p'}-{property_anchor(names.urls.public(step.iri))}"
        anchor = where if len(field.steps) == 1 else None
        return SummaryRow(title, count=shown, total=len(found), anchor=anchor)
    values = [
        readable_value(names.value(term, distinct_graphs(graphs)), names.lang)
        for term, graphs in found.items()
    ]
    values.sort(key=lambda v: v.sort_key)
    return SummaryRow(title, _as_span(values, names.lang), total=len(values))


def _title(names: Labeller, field: Field) -> Text:
    """The field's `sh:name` in the page language (else another), else its property's label."""
    title = field.title_in(names.lang)
    if title:
        return Text(title, names.lang if names.lang in field.titles else None)
    return names.label(field.steps[0].iri)


def _as_span(values: list[Value], lang: str) -> tuple[Value, ...]:
    """Two or more dates (`xsd:date`) as one value: the span from the first to the last, its
    lexical form the ISO 8601 interval `start/end`, with the sources of every date."""
    days: list[date] = []
    for value in values:
        if value.raw is None or full_datatype(value.datatype) != XSD + "date":
            return tuple(values)
        try:
            days.append(date.fromisoformat(value.raw[:10]))
        except ValueError:
            return tuple(values)
    if len(days) < 2:
        return tuple(values)
    sources: tuple[Source, ...] = tuple(dict.fromkeys(s for v in values for s in v.sources))
    raw = f"{min(days).isoformat()}/{max(days).isoformat()}"
    shown = Text(span(days, lang), values[0].text.lang if values[0].text else None)
    return (Value(text=shown, datatype=values[0].datatype, raw=raw, sources=sources),)
