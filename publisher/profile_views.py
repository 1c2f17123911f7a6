"""What the data declares for its pages: example queries and resource-page sections.

Separate from `publisher.profile`, which reads what the dataset says about itself (title,
licence, languages): these are SHACL SPARQL executables the data gives to be run and shown.
Examples are the ones whose `schema:target` is the dataset; sections are SELECTs about `$this`
with `dash:applicableToClass` (docs/decisions/0005-page-sections-from-data.md). The profile
carries both, so they are read once per dataset version with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from publisher.dataset import ReadStore
from publisher.vocab import DCTERMS, RDFS, SCHEMA, SH

DASH = "http://datashapes.org/dash#"
"""TopBraid's DASH vocabulary: `dash:applicableToClass` ties a page section to its classes."""

Texts = Mapping[str, str]


def in_language(texts: Texts, lang: str) -> str:
    """The text in `lang`, else without a language, else English, else any; "" if none."""
    for key in (lang, "", "en"):
        if key in texts:
            return texts[key]
    return next(iter(texts.values()), "")


def select_rows(store: ReadStore, query: str) -> list[ox.QuerySolution]:
    """The solutions of a SELECT over the union of the graphs, as a list."""
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


@dataclass(frozen=True)
class Example:
    """An example query: its slug (an anchor on the query page), title, text, and its title in
    every language the data gives one."""

    slug: str
    title: str
    text: str
    titles: Texts = field(default_factory=dict)

    def title_in(self, lang: str) -> str:
        return in_language(self.titles, lang) or self.title


@dataclass(frozen=True)
class Column:
    """A column of a page section: a variable of its SELECT, with its heading per language."""

    variable: str
    titles: Texts = field(default_factory=dict)

    def title_in(self, lang: str) -> str:
        return in_language(self.titles, lang) or self.variable


@dataclass(frozen=True)
class Section:
    """A section of the resource page, declared by the data: shown on the pages of instances of
    `classes` (or of their subclasses), as a table of the columns of its SELECT about `$this`."""

    iri: str
    slug: str
    text: str
    classes: tuple[str, ...]
    columns: tuple[Column, ...] = ()
    titles: Texts = field(default_factory=dict)

    def title_in(self, lang: str) -> str:
        return in_language(self.titles, lang) or self.slug


EXAMPLES_QUERY = """
SELECT ?query ?text ?slug ?order ?title WHERE {
  VALUES ?form { <%(sh)sselect> <%(sh)sconstruct> <%(sh)sask> <%(sh)sdescribe> }
  ?query ?form ?text ; <%(schema)starget> %(dataset)s .
  OPTIONAL { ?query <%(dcterms)sidentifier> ?slug }
  OPTIONAL { ?query <%(sh)sorder> ?order }
  OPTIONAL { ?query <%(rdfs)slabel>|<%(dcterms)stitle>|<%(rdfs)scomment> ?title }
}
"""


def read_examples(store: ReadStore, dataset_iri: str) -> tuple[Example, ...]:
    """The SHACL SPARQL executables whose `schema:target` is the dataset, in `sh:order`, then
    slug order; the slug is `dcterms:identifier`, else the end of the query's IRI."""
    query = EXAMPLES_QUERY % {
        "sh": SH,
        "schema": SCHEMA,
        "dcterms": DCTERMS,
        "rdfs": RDFS,
        "dataset": ox.NamedNode(dataset_iri),
    }
    texts: dict[str, str] = {}
    slugs: dict[str, str] = {}
    orders: dict[str, float] = {}
    titles: dict[str, dict[str, str]] = {}
    for row in select_rows(store, query):
        key = str(row["query"])
        texts.setdefault(key, row["text"].value)
        slugs.setdefault(key, row["slug"].value if row["slug"] else _tail(row["query"]))
        if isinstance(row["order"], ox.Literal):
            orders.setdefault(key, _number(row["order"].value))
        title = row["title"]
        if isinstance(title, ox.Literal):
            titles.setdefault(key, {}).setdefault(title.language or "", title.value)
    ordered = sorted(texts, key=lambda k: (orders.get(k, float("inf")), slugs[k]))
    return tuple(
        Example(
            slugs[k],
            in_language(titles.get(k, {}), "en") or slugs[k],
            texts[k],
            titles.get(k, {}),
        )
        for k in ordered
    )


def _tail(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    if not isinstance(term, ox.NamedNode):
        return "query"
    return term.value.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1]


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("inf")


SECTIONS_QUERY = """
SELECT ?section ?text ?class ?order ?title WHERE {
  ?section <%(sh)sselect> ?text ; <%(dash)sapplicableToClass> ?class .
  OPTIONAL { ?section <%(sh)sorder> ?order }
  OPTIONAL { ?section <%(rdfs)slabel> ?title }
}
"""

COLUMNS_QUERY = """
SELECT ?section ?column ?variable ?order ?title WHERE {
  ?section <%(sh)sselect> ?text ; <%(dash)sapplicableToClass> ?class ; <%(sh)sproperty> ?column .
  ?column <%(dcterms)sidentifier> ?variable .
  OPTIONAL { ?column <%(sh)sorder> ?order }
  OPTIONAL { ?column <%(sh)sname> ?title }
}
"""


def read_sections(store: ReadStore) -> tuple[Section, ...]:
    """The page sections the data declares: SPARQL SELECT executables with
    `dash:applicableToClass`, headed by `rdfs:label`, in `sh:order`; their columns are the
    `sh:property` nodes naming a variable (`dcterms:identifier`), headed by `sh:name`."""
    terms = {"sh": SH, "dash": DASH, "rdfs": RDFS, "dcterms": DCTERMS}
    texts: dict[str, str] = {}
    classes: dict[str, set[str]] = {}
    orders: dict[str, float] = {}
    titles: dict[str, dict[str, str]] = {}
    for row in select_rows(store, SECTIONS_QUERY % terms):
        key = row["section"].value
        texts.setdefault(key, row["text"].value)
        classes.setdefault(key, set()).add(row["class"].value)
        if isinstance(row["order"], ox.Literal):
            orders.setdefault(key, _number(row["order"].value))
        _add_title(titles.setdefault(key, {}), row["title"])
    columns: dict[str, dict[str, tuple[float, str, dict[str, str]]]] = {}
    for row in select_rows(store, COLUMNS_QUERY % terms):
        variable = row["variable"].value
        found = columns.setdefault(row["section"].value, {})
        order = _number(row["order"].value) if isinstance(row["order"], ox.Literal) else 0.0
        entry = found.setdefault(str(row["column"]), (order, variable, {}))
        _add_title(entry[2], row["title"])
    sections = [
        Section(
            iri=key,
            slug=_tail(ox.NamedNode(key)) if key.startswith("http") else "section",
            text=texts[key],
            classes=tuple(sorted(classes[key])),
            columns=tuple(
                Column(variable, names)
                for _, variable, names in sorted(columns.get(key, {}).values(), key=lambda c: c[:2])
            ),
            titles=titles.get(key, {}),
        )
        for key in texts
    ]
    return tuple(sorted(sections, key=lambda s: (orders.get(s.iri, float("inf")), s.slug)))


def _add_title(
    titles: dict[str, str], term: ox.NamedNode | ox.BlankNode | ox.Literal | None
) -> None:
    if isinstance(term, ox.Literal):
        titles.setdefault(term.language or "", term.value)


__all__ = [
    "COLUMNS_QUERY",
    "DASH",
    "EXAMPLES_QUERY",
    "SECTIONS_QUERY",
    "Column",
    "Example",
    "Section",
    "Texts",
    "in_language",
    "read_examples",
    "read_sections",
    "select_rows",
]
