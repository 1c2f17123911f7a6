"""What the data declares for its pages: example queries and resource-page sections.

Separate from `publisher.profile`, which reads what the dataset says about itself (title,
licence, languages): these are SHACL SPARQL executables the data gives to be run and shown.
Examples are the ones whose `schema:target` is the dataset; sections are SELECTs about `$this`
with `dash:applicableToClass` (docs/decisions/0005-page-sections-from-data.md); layouts are
deactivated SHACL node shapes giving the order of a class's properties and its summary
(docs/decisions/0015-page-order.md). The profile
carries both, so they are read once per dataset version with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from publisher.dataset import ReadStore
from publisher.vocab import DCTERMS, RDF, RDFS, SCHEMA, SH

DASH = "http://datashapes.org/dash#"
"""TopBraid's DASH vocabulary: `dash:applicableToClass` ties a page section to its classes."""

Texts = Mapping[str, str]
Node = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


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


# ---------------------------------------------------------------------------------------------
# Page layouts: the order of a class's properties, and which of them sum a resource up
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One property of a SHACL path, followed forwards or (`sh:inversePath`) backwards."""

    iri: str
    inverse: bool = False


@dataclass(frozen=True)
class Field:
    """A property shape of a page layout: its path (`sh:alternativePath` members are read as
    alternatives), its place (`sh:order`), its heading (`sh:name`), and whether it belongs to
    the summary (`dash:propertyRole dash:KeyInfoRole`)."""

    steps: tuple[Step, ...]
    order: float = float("inf")
    summary: bool = False
    titles: Texts = field(default_factory=dict)

    def title_in(self, lang: str) -> str:
        return in_language(self.titles, lang)


@dataclass(frozen=True)
class Layout:
    """How the pages of instances of `classes` are laid out: a deactivated SHACL node shape
    (`sh:targetClass`, `sh:deactivated true`) whose property shapes give the order."""

    iri: str
    classes: tuple[str, ...]
    fields: tuple[Field, ...]


def read_layouts(store: ReadStore) -> tuple[Layout, ...]:
    """The page layouts the data declares (decision 0015): deactivated node shapes, so that no
    validator takes them for constraints, read only for SHACL's display terms. Read with
    pattern lookups, not a query: a page of data without a profile (read when the caller has
    none) costs one lookup that finds nothing."""
    layouts = []
    nodes = {
        q.subject
        for q in store.quads_for_pattern(None, ox.NamedNode(SH + "deactivated"), None)
        if isinstance(q.object, ox.Literal) and q.object.value in ("true", "1")
    }
    for node in sorted(nodes, key=str):
        if isinstance(node, ox.Triple):
            continue
        classes = sorted(
            {
                t.value
                for t in _objects(store, node, SH + "targetClass")
                if isinstance(t, ox.NamedNode)
            }
        )
        if not classes:
            continue
        fields = [
            found
            for shape in sorted(_objects(store, node, SH + "property"), key=str)
            if isinstance(shape, ox.NamedNode | ox.BlankNode)
            and (found := _field(store, shape)) is not None
        ]
        fields.sort(key=lambda f: (f.order, [(s.iri, s.inverse) for s in f.steps]))
        key = node.value if isinstance(node, ox.NamedNode) else str(node)
        layouts.append(Layout(key, tuple(classes), tuple(fields)))
    return tuple(layouts)


def _field(store: ReadStore, shape: ox.NamedNode | ox.BlankNode) -> Field | None:
    paths = _objects(store, shape, SH + "path")
    steps = _steps(store, paths[0]) if len(paths) == 1 else ()
    if not steps:
        return None
    orders = [
        _number(o.value) for o in _objects(store, shape, SH + "order") if isinstance(o, ox.Literal)
    ]
    roles = {
        o.value
        for o in _objects(store, shape, DASH + "propertyRole")
        if isinstance(o, ox.NamedNode)
    }
    titles: dict[str, str] = {}
    for title in sorted(_objects(store, shape, SH + "name"), key=str):
        if isinstance(title, ox.Literal):
            _add_title(titles, title)
    order = min(orders) if orders else float("inf")
    return Field(steps, order, KEY_INFO_ROLE in roles, titles)


def _objects(store: ReadStore, subject: ox.NamedNode | ox.BlankNode, predicate: str) -> list[Node]:
    """The distinct objects of `subject`'s `predicate` in every graph."""
    found = {q.object for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None)}
    return list(found)


KEY_INFO_ROLE = DASH + "KeyInfoRole"
"""DASH's role for "properties of special interest, shown whenever a summary is shown"."""


def _steps(store: ReadStore, path: Node) -> tuple[Step, ...]:
    """A predicate path, an inverse path, or an alternative path of either; () for others."""
    if isinstance(path, ox.NamedNode):
        return (Step(path.value),)
    if not isinstance(path, ox.BlankNode):
        return ()
    inverse = _object(store, path, SH + "inversePath")
    if isinstance(inverse, ox.NamedNode):
        return (Step(inverse.value, inverse=True),)
    head = _object(store, path, SH + "alternativePath")
    steps: list[Step] = []
    seen: set[str] = set()
    while isinstance(head, ox.BlankNode) and str(head) not in seen:
        seen.add(str(head))
        first = _object(store, head, RDF + "first")
        if isinstance(first, ox.NamedNode | ox.BlankNode):
            steps.extend(_steps(store, first))
        head = _object(store, head, RDF + "rest")
    return tuple(steps)


def _object(store: ReadStore, subject: ox.BlankNode, predicate: str) -> Node | None:
    for quad in store.quads_for_pattern(subject, ox.NamedNode(predicate), None):
        return quad.object
    return None


__all__ = [
    "COLUMNS_QUERY",
    "DASH",
    "EXAMPLES_QUERY",
    "SECTIONS_QUERY",
    "Column",
    "Example",
    "Field",
    "Layout",
    "Section",
    "Step",
    "Texts",
    "in_language",
    "read_examples",
    "read_layouts",
    "read_sections",
    "select_rows",
]
