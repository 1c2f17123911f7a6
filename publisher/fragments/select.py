"""One page of a fragment from the store, and how many quads match in all, without a scan.

Every backend answers `ReadStore.quads_for_pattern` from an index (Oxigraph's spog/posg/ospg
orders, a SPARQL server's own), in an order that is stable for one dataset version: a page is
the `offset`…`offset + size` slice of it, and iteration stops one quad after the page (that
quad says whether a next page exists). The total comes from the catalog's figures when one
fits the pattern, from the matches themselves when they end on this page, and otherwise is
counted up to `COUNT_CAP` and then given as an estimate (a lower bound, said to be one).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from publisher.dataset import Dataset, ReadStore
from publisher.discovery.statistics import Statistics, from_json
from publisher.fragments.pattern import Pattern
from publisher.vocab import RDF

COUNT_CAP = 1000
"""Quads counted past a page before the total is given as an estimate: a constant, so a page
costs O(page size) however many quads match."""
RDF_TYPE = ox.NamedNode(RDF + "type")


@dataclass(frozen=True)
class Count:
    """How many quads match the pattern: exact, or an estimate (`exact` False)."""

    value: int
    exact: bool


@dataclass(frozen=True)
class Page:
    """The matches of one page (graph names kept unless the pattern is the union graph)."""

    quads: tuple[ox.Quad, ...]
    number: int
    size: int
    count: Count
    more: bool  # a match follows this page (seen, not inferred from an estimated count)

    @property
    def has_next(self) -> bool:
        return self.more

    @property
    def has_previous(self) -> bool:
        return self.number > 1


@dataclass(frozen=True)
class Figures:
    """What the catalog of one dataset version says about counts (None: it says nothing).

    Its figures count distinct triples of the union of the graphs: exact for the union
    pattern; a pattern over all graphs matches quads, so for it they are exact only when no
    triple is stated in two graphs (`distinct`: the quads number the triples)."""

    statistics: Statistics | None
    quads: int | None

    @classmethod
    def of(cls, dataset: Dataset) -> Figures:
        stored = dataset.catalog.statistics() if dataset.catalog is not None else None
        return cls(from_json(stored) if stored is not None else None, dataset.triple_count)

    @property
    def distinct(self) -> bool:
        return self.statistics is not None and self.statistics.triples == self.quads

    def count(self, pattern: Pattern) -> Count | None:
        """The count the catalog gives for the pattern, if any."""
        stats = self.statistics
        if pattern.impossible:
            return Count(0, True)
        s, p, o, g = pattern.subject, pattern.predicate, pattern.object, pattern.graph
        exact = pattern.union or self.distinct
        if isinstance(g, ox.BlankNode):
            return None  # a graph the catalog names by IRI only: counted by reading
        if s is None and p is None and o is None:
            if g is None and not pattern.union and self.quads is not None:
                return Count(self.quads, True)
            if stats is not None and isinstance(g, ox.NamedNode):
                return Count(dict(stats.graph_triples).get(g.value, 0), True)
            return None if stats is None else Count(stats.triples, exact)
        if stats is None or g is not None or s is not None:
            return None
        if isinstance(p, ox.NamedNode) and o is None:
            return Count(dict(stats.property_triples).get(p.value, 0), exact)
        if p == RDF_TYPE and isinstance(o, ox.NamedNode):
            return Count(dict(stats.class_entities).get(o.value, 0), exact)
        return None


def settle(known: Count | None, offset: int, read: Window, size: int, beyond: int) -> Count:
    """The total, from what the catalog said (`known`) and what was read: the matches from
    `offset` (`size + beyond` were asked for), and how many came before them."""
    found = len(read.matches)
    if found < size + beyond and (found or read.before == offset):
        return Count(offset + found, True)  # the matches ended here: all were read
    if not found:
        return Count(read.before, True)  # they ended before this page: all were read
    if known is None or known.value < offset + found:
        return Count(offset + found, False)  # at least that many
    return known


def select_page(
    dataset: Dataset, figures: Figures, pattern: Pattern, number: int, size: int
) -> Page:
    """Page `number` (from 1) of `size` matches of the pattern, with the total."""
    if pattern.impossible:
        return Page((), number, size, Count(0, True), False)
    offset = (number - 1) * size
    known = figures.count(pattern)
    if known is not None and known.exact and offset >= known.value:
        return Page((), number, size, known, False)  # past the end: nothing to read
    # Past the page: one match (is there a next page?) or, with no exact figure, up to the cap.
    beyond = 1 if known is not None and known.exact else COUNT_CAP
    read = _matches(dataset, pattern, offset, offset + size + beyond)
    count = settle(known, offset, read, size, beyond)
    return Page(tuple(read.matches[:size]), number, size, count, len(read.matches) > size)


@dataclass(frozen=True)
class Window:
    """Matches `start`…`stop` of an iteration, and how many matches came before them."""

    matches: list[ox.Quad]
    before: int


def window(quads: Iterable[ox.Quad], start: int, stop: int) -> Window:
    """Read `quads` up to `stop` (never further), keeping those from `start`."""
    matches: list[ox.Quad] = []
    read = 0
    for quad in quads:
        if read >= start:
            matches.append(quad)
        read += 1
        if read >= stop:
            break
    return Window(matches, min(read, start))


def distinct_triples(store: ReadStore, quads: Iterator[ox.Quad]) -> Iterator[ox.Quad]:
    """The quads' triples in the default graph, each once (the union of the graphs is a set
    of triples): a triple is given where it occurs in the first graph the index lists for it,
    found by a lookup of the whole triple, so nothing is remembered however deep the page."""
    for quad in quads:
        first = next(store.quads_for_pattern(quad.subject, quad.predicate, quad.object), None)
        if first is None or first.graph_name == quad.graph_name:
            yield ox.Quad(quad.subject, quad.predicate, quad.object)


def _matches(dataset: Dataset, pattern: Pattern, start: int, stop: int) -> Window:
    """Matches `start`…`stop` in the store's order (consumed here: see test_store_iterators)."""
    s, p, o = pattern.subject, pattern.predicate, pattern.object
    graph = pattern.graph if isinstance(pattern.graph, ox.NamedNode | ox.BlankNode) else None
    subject = s if not isinstance(s, ox.Literal) else None
    predicate = p if isinstance(p, ox.NamedNode) else None
    if pattern.union:
        return window(
            distinct_triples(dataset.store, dataset.store.quads_for_pattern(subject, predicate, o)),
            start,
            stop,
        )
    return window(dataset.store.quads_for_pattern(subject, predicate, o, graph), start, stop)
