"""One page of a fragment from the store, and how many quads match in all, without a scan.

Every backend answers `ReadStore.quads_for_pattern` from an index (Oxigraph's spog/posg/ospg
orders, a SPARQL server's own), in an order that is stable for one dataset version: a page is
the `offset`…`offset + size` slice of it, and iteration stops one quad after the page (that
quad says whether a next page exists). The total comes from the catalog's figures when one
fits the pattern, from the matches themselves when they end on this page, and otherwise is
counted up to `COUNT_CAP` and then given as an estimate (a lower bound, said to be one).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

import pyoxigraph as ox

from publisher.dataset import Dataset
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

    @property
    def has_next(self) -> bool:
        return self.count.value > self.number * self.size

    @property
    def has_previous(self) -> bool:
        return self.number > 1


@dataclass(frozen=True)
class Figures:
    """What the catalog of one dataset version says about counts (None: it says nothing).

    Its figures count distinct triples; a pattern over all graphs matches quads, so they are
    exact only when no triple is stated in two graphs (`distinct`: the quads number the
    triples)."""

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
        if s is None and p is None and o is None:
            if g is None and self.quads is not None:
                return Count(self.quads, True)
            if stats is not None and isinstance(g, ox.NamedNode):
                return Count(dict(stats.graph_triples).get(g.value, 0), True)
            return None if stats is None else Count(stats.triples, self.distinct)
        if stats is None or g is not None or s is not None:
            return None
        if isinstance(p, ox.NamedNode) and o is None:
            return Count(dict(stats.property_triples).get(p.value, 0), self.distinct)
        if p == RDF_TYPE and isinstance(o, ox.NamedNode):
            return Count(dict(stats.class_entities).get(o.value, 0), self.distinct)
        return None


def select_page(
    dataset: Dataset, figures: Figures, pattern: Pattern, number: int, size: int
) -> Page:
    """Page `number` (from 1) of `size` matches of the pattern, with the total."""
    if pattern.impossible:
        return Page((), number, size, Count(0, True))
    offset = (number - 1) * size
    known = figures.count(pattern)
    # Past the page: one quad (is there a next page?) or, with no figure, up to the cap.
    beyond = 1 if known is not None else COUNT_CAP
    found = _matches(dataset, pattern, offset, offset + size + beyond)
    quads = tuple(found[:size])
    ended = len(found) < size + beyond
    if ended and (found or offset == 0):
        known = Count(offset + len(found), True)  # the matches ended here: all are counted
    elif found and (known is None or known.value < offset + len(found)):
        known = Count(offset + len(found), False)  # at least that many
    elif not found and (known is None or known.value > offset):
        known = Count(offset, False)  # past the end: at most `offset`, not counted
    assert known is not None  # every branch above leaves a count
    if pattern.union:
        quads = tuple(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    return Page(quads, number, size, known)


def _matches(dataset: Dataset, pattern: Pattern, start: int, stop: int) -> list[ox.Quad]:
    """Matches `start`…`stop` in the store's order (consumed here: see test_store_iterators)."""
    s, p, o = pattern.subject, pattern.predicate, pattern.object
    graph = pattern.graph if isinstance(pattern.graph, ox.NamedNode) else None
    return list(
        islice(
            dataset.store.quads_for_pattern(
                s if not isinstance(s, ox.Literal) else None,
                p if isinstance(p, ox.NamedNode) else None,
                o,
                graph,
            ),
            start,
            stop,
        )
    )
