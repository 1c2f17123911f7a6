"""Terms as the templates see them: links, literals, values with their sources, in order.

Separate from `publisher.pages.base`, whose `Labeller` looks labels and sources up in the store:
these are the immutable shapes it fills and the pure functions that name, compact and order
them, shared by every page's view model.
"""

from __future__ import annotations

import builtins
import hashlib
import re
from dataclasses import dataclass

import pyoxigraph as ox

from publisher.i18n import Text
from publisher.pages.queries import NS, iri
from publisher.pages.sorting import natural
from publisher.profile import plain_text
from publisher.urls import Urls

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class Link:
    """An IRI shown by its label; `href` is its HTML page here, or the IRI itself elsewhere."""

    iri: str
    href: str
    label: Text
    compact: str | None = None
    local: bool = False


@dataclass(frozen=True)
class Source:
    """Where a fact comes from: a sentence of the article, a reference page, or the dataset."""

    kind: str  # sentence | reference | default | ontology | graph
    label: Text
    href: str | None = None
    graph: Link | None = None
    evidence: Text | None = None
    number: int | None = None


@dataclass(frozen=True)
class Value:
    """One object of a statement: a link, a literal, or a blank node shown inline."""

    link: Link | None = None
    text: Text | None = None
    datatype: str | None = None
    nested: tuple[PropertyGroup, ...] = ()
    members: tuple[Link, ...] = ()
    sources: tuple[Source, ...] = ()
    items: tuple[Value, ...] = ()
    """An RDF list (`sh:or ( … )`, `sh:in ( … )`): its members in order."""
    raw: str | None = None
    """The lexical form of a literal whose `text` is formatted for the reader (a date, a
    number): what the data says, kept beside what the page shows."""
    also: tuple[Link, ...] = ()
    """Other IRIs with the same label as `link` (`foaf:Person` beside `schema:Person`), shown
    once under that label, each still linked."""

    @property
    def sort_key(self) -> tuple[int, tuple[str | int, ...]]:
        if self.link is not None:
            return (0, natural(self.link.label.value))
        if self.text is not None:
            return (1, (self.text.lang or "", *natural(self.text.value)))
        return (2, ())


@dataclass(frozen=True)
class PropertyGroup:
    property: Link
    values: tuple[Value, ...]

    @builtins.property  # the field `property` hides the builtin here
    def anchor(self) -> str:
        """The id of the property's row in a table (the summary's counts link to it)."""
        return property_anchor(self.property.iri)


def property_anchor(iri_: str) -> str:
    """`https://schema.org/startDate` → `startDate-1b2c3d`: readable, and one per IRI."""
    name = _NOT_ID.sub("", local_name(iri_)) or "p"
    return f"{name}-{hashlib.sha1(iri_.encode()).hexdigest()[:6]}"


_NOT_ID = re.compile(r"[^A-Za-z0-9_-]")


def compact(iri_: str, ns: dict[str, str] = NS) -> str | None:
    """`https://schema.org/name` → `schema:name`, for the vocabularies we know."""
    for prefix, namespace in ns.items():
        if iri_.startswith(namespace) and len(iri_) > len(namespace):
            return f"{prefix}:{iri_[len(namespace) :]}"
    return None


def local_name(iri_: str) -> str:
    return iri_.rstrip("/").rsplit("#", 1)[-1].rsplit("/", 1)[-1] or iri_


def literal_text(literal: ox.Literal) -> Text:
    """The literal as the page shows it: an `rdf:HTML` one (schema.org's comments) as its text,
    never as markup from the data, nor as escaped tags."""
    return Text(plain_text(literal), literal.language or None)


def passage_anchor(passage_iri: str) -> str:
    """`…/id/passage/s04` → `s04`, the id of its span on the article's page."""
    return local_name(passage_iri)


def distinct_graphs(graphs: list[ox.NamedNode | None]) -> list[ox.NamedNode | None]:
    """The named graphs in order; None (the default graph) only when there is no other."""
    named = sorted({g for g in graphs if g is not None}, key=lambda g: g.value)
    return list(named) or [None]


PROPERTY_ORDER = tuple(
    iri(p)
    for p in (
        "rdf:type",
        "rdfs:label",
        "skos:prefLabel",
        "skos:notation",
        "rdfs:comment",
        "schema:abstract",
        "skos:definition",
    )
)


def property_rank(iri_: str, urls: Urls) -> int:
    """Types, labels and descriptions first, in that order; then our own properties, then others."""
    if iri_ in PROPERTY_ORDER:
        return PROPERTY_ORDER.index(iri_)
    return len(PROPERTY_ORDER) + (0 if iri_.startswith(urls.base_iri) else 1)
