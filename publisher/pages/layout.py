"""The order of a resource page's properties, from the layouts its data declares.

A layout (`publisher.profile_views.Layout`, decision 0015) applies to the instances of its
classes and of their subclasses. Types, labels and descriptions always come first (the order
of `values.PROPERTY_ORDER`); then the properties the layouts name, in their `sh:order`; then the
rest as before: the dataset's own properties, then others, alphabetically by label.
"""

from __future__ import annotations

from collections.abc import Iterable

from publisher.pages.values import PROPERTY_ORDER, PropertyGroup, Value
from publisher.profile_views import Layout
from publisher.vocab import RDF

RDF_TYPE = RDF + "type"


def applicable(layouts: Iterable[Layout], classes: set[str]) -> tuple[Layout, ...]:
    """The layouts for a resource of `classes` (its types and all their superclasses)."""
    return tuple(layout for layout in layouts if classes.intersection(layout.classes))


def property_order(layouts: Iterable[Layout]) -> dict[str, int]:
    """Each property a layout names (forwards) → its place; the first layout naming it wins."""
    fields = sorted(
        (f for layout in layouts for f in layout.fields), key=lambda f: f.order
    )  # stable: layouts in their given order break ties
    order: dict[str, int] = {}
    for field in fields:
        for step in field.steps:
            if not step.inverse:
                order.setdefault(step.iri, len(order))
    return order


def order_groups(
    groups: Iterable[PropertyGroup], order: dict[str, int], canonical: dict[str, str]
) -> tuple[PropertyGroup, ...]:
    """`groups` (already in the fallback order) with the layouts' properties moved to their
    place; `canonical` maps the IRIs the page shows (public origin) back to the data's."""

    def key(pair: tuple[int, PropertyGroup]) -> tuple[int, int]:
        position, group = pair
        iri = canonical.get(group.property.iri, group.property.iri)
        if iri in PROPERTY_ORDER:
            return (0, PROPERTY_ORDER.index(iri))
        if iri in order:
            return (1, order[iri])
        return (2, position)

    return tuple(g for _, g in sorted(enumerate(groups), key=key))


def types_once(
    groups: Iterable[PropertyGroup], canonical: dict[str, str]
) -> tuple[PropertyGroup, ...]:
    """The `rdf:type` values that read the same ("person" for `foaf:Person` and
    `schema:Person`) shown once: the first keeps the others in `also`, with every source."""
    shown: list[PropertyGroup] = []
    for group in groups:
        if canonical.get(group.property.iri, group.property.iri) != RDF_TYPE:
            shown.append(group)
            continue
        merged: dict[str, Value] = {}
        for value in group.values:
            if value.link is None:
                merged[f"\0{len(merged)}"] = value
                continue
            label = value.link.label.value.casefold()
            first = merged.get(label)
            if first is None or first.link is None:
                merged[label] = value
                continue
            sources = tuple(dict.fromkeys((*first.sources, *value.sources)))
            merged[label] = Value(link=first.link, also=(*first.also, value.link), sources=sources)
        shown.append(PropertyGroup(group.property, tuple(merged.values())))
    return tuple(shown)
