"""Fragment pages from a SPARQL server (the remote backend): one SELECT with LIMIT/OFFSET per
page and, where the catalog has no figure, one COUNT per pattern, kept in a small bounded cache.

The store's own `quads_for_pattern` would read every match of a bound predicate to cache it
(right for documents, wrong for a page of a quarter of the dataset), so pages are asked for
exactly. The pattern's terms go in through `substitutions` (a VALUES block: nothing is spliced
into the text). The queries use the store's dataset as `pyoxigraph.Store.query` describes it:
the union of the graphs, a named graph, or the default graph beside the named ones; the order
is the server's evaluation order, stable for one version of the data (no ORDER BY: sorting a
quarter of a million rows per page is what this interface exists to avoid).

Blank nodes: a SPARQL query cannot name a stored blank node (in a query `_:b` is a variable),
so a pattern with a skolem IRI reaches the server only as the store writes it: on a server the
publisher pushed to, blank nodes are stored as IRIs under the layout's genid and come back as
the same blank nodes, so a skolem IRI finds its node; on a server it did not fill, the store
sends an IRI nothing matches, and the page is empty (docs/fragments.md).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import pyoxigraph as ox

from publisher.dataset import Dataset, ReadStore, Term
from publisher.fragments.pattern import Pattern
from publisher.fragments.select import Count, Figures, Page

REMOTE_SCHEMES = ("http://", "https://")
COUNTS_KEPT = 1024

_UNION = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"  # the union graph is a set of triples
_IN_GRAPH = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
_ANY_GRAPH = "SELECT ?s ?p ?o ?g WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"


def is_remote(dataset: Dataset) -> bool:
    """Whether the store is a SPARQL server (its location is the endpoint's URL)."""
    return (dataset.location or "").startswith(REMOTE_SCHEMES)


def _query(pattern: Pattern) -> tuple[str, dict[ox.Variable, Term], bool]:
    """(SELECT text, substitutions, union default graph) of the pattern's matches."""
    terms = {"s": pattern.subject, "p": pattern.predicate, "o": pattern.object}
    bound: dict[ox.Variable, Term] = {
        ox.Variable(name): term for name, term in terms.items() if term is not None
    }
    if pattern.union:
        return _UNION, bound, True
    if isinstance(pattern.graph, ox.NamedNode | ox.BlankNode):
        return _IN_GRAPH, {**bound, ox.Variable("g"): pattern.graph}, False
    return _ANY_GRAPH, bound, False


def _counted(text: str, bound: dict[ox.Variable, Term]) -> str:
    """The COUNT of the SELECT's rows; the bound variables are projected (and grouped on:
    one group), as pyoxigraph's `substitutions` require."""
    names = " ".join(str(variable) for variable in bound)
    if not names:
        return f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ {text} }} }}"
    return f"SELECT {names} (COUNT(*) AS ?n) WHERE {{ {{ {text} }} }} GROUP BY {names}"


def _quad(row: ox.QuerySolution, pattern: Pattern) -> ox.Quad | None:
    s, p, o = row["s"], row["p"], row["o"]
    graph = pattern.graph if isinstance(pattern.graph, ox.NamedNode | ox.BlankNode) else row["g"]
    if (
        not isinstance(s, ox.NamedNode | ox.BlankNode)
        or not isinstance(p, ox.NamedNode)
        or o is None
        or isinstance(o, ox.Variable)
    ):
        return None
    if pattern.union or graph is None:
        return ox.Quad(s, p, o)
    if not isinstance(graph, ox.NamedNode | ox.BlankNode):
        return None
    return ox.Quad(s, p, o, graph)


@dataclass
class RemoteCounts:
    """COUNTs already asked of the server for this version (least recently used dropped)."""

    kept: int = COUNTS_KEPT
    _counts: OrderedDict[Pattern, int] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, store: ReadStore, pattern: Pattern) -> int:
        with self._lock:
            if pattern in self._counts:
                self._counts.move_to_end(pattern)
                return self._counts[pattern]
        text, bound, union = _query(pattern)
        answer = store.query(
            _counted(text, bound), use_default_graph_as_union=union, substitutions=bound
        )
        assert isinstance(answer, ox.QuerySolutions)
        value = next((row["n"] for row in answer), None)
        total = int(value.value) if isinstance(value, ox.Literal) else 0
        with self._lock:
            self._counts[pattern] = total
            while len(self._counts) > self.kept:
                self._counts.popitem(last=False)
        return total


def remote_page(
    dataset: Dataset,
    figures: Figures,
    counts: RemoteCounts,
    pattern: Pattern,
    number: int,
    size: int,
) -> Page:
    """Page `number` of the pattern's matches from the server, with an exact total."""
    if pattern.impossible:
        return Page((), number, size, Count(0, True), False)
    text, bound, union = _query(pattern)
    # one match past the page says whether a next page exists; integers only in the text
    paged = f"{text} LIMIT {size + 1} OFFSET {(number - 1) * size}"
    answer = dataset.store.query(paged, use_default_graph_as_union=union, substitutions=bound)
    assert isinstance(answer, ox.QuerySolutions)
    quads = [q for q in (_quad(row, pattern) for row in answer) if q is not None]
    known = figures.count(pattern)
    if known is None or not known.exact:
        known = Count(counts.count(dataset.store, pattern), True)
    return Page(tuple(quads[:size]), number, size, known, len(quads) > size)
