"""What the publisher writes differently for a SPARQL server than for its own store.

- Terms: blank nodes travel as skolem IRIs under the layout's `genid` (a query cannot name a
  blank node, so a document could not follow one, nor could the batches of a load share one);
  on Virtuoso, literals it would not give back as written travel under a LEXICAL datatype.
- Datasets: every query names its graphs (`default-graph-uri` the union, as in memory,
  `named-graph-uri` the named graphs), so nothing else the server holds leaks in and no server
  setting is needed; the stand-in of the default graph is the default graph again.
- Paging: an answer the server cut (Virtuoso's ResultSetMaxRows) is asked for again page by
  page, in Virtuoso's subquery form of ORDER BY … OFFSET past its sort limit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar, cast

import pyoxigraph as ox

from publisher.stores.remote.reader import BNODE_LABEL, Term
from publisher.vocab import LEXICAL as VOCAB_LEXICAL

if TYPE_CHECKING:
    from publisher.stores.remote.layout import Layout

Graph = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
TermT = TypeVar("TermT", bound=Term)
GENID_PATH = ".well-known/genid/"
NO_GRAPH = "urn:publisher:no-graph"
"""Named as the only default graph when a query's default graph must be empty."""
XSD = "http://www.w3.org/2001/XMLSchema#"
LEXICAL = VOCAB_LEXICAL
"""On Virtuoso, a literal Virtuoso would not give back as written (it keeps durations as
numbers, `1.0E2` as `100.0`, `007` as `7`) is stored with this prefix before its datatype:
`"P2D"^^<urn:publisher:lexical:http://www.w3.org/2001/XMLSchema#duration>`."""

# Lexical forms Virtuoso gives back as they were written; any other is stored under LEXICAL.
_KEPT: dict[str, re.Pattern[str]] = {
    XSD + "integer": re.compile(r"-?(0|[1-9][0-9]{0,17})"),
    XSD + "decimal": re.compile(r"-?(0|[1-9][0-9]{0,17})(\.[0-9]{0,17}[1-9])?"),
    XSD + "double": re.compile(r"-?(0|[1-9][0-9]{0,14})\.(0|[0-9]{0,14}[1-9])"),
    XSD + "float": re.compile(r"-?(0|[1-9][0-9]{0,6})\.(0|[0-9]{0,6}[1-9])"),
    XSD + "boolean": re.compile(r"true|false"),
    XSD + "gYear": re.compile(r"[0-9]{4}(Z|[+-][0-9]{2}:[0-9]{2})?"),
}
_NEVER_KEPT = frozenset(XSD + t for t in ("duration", "dayTimeDuration", "yearMonthDuration"))


def protect(literal: ox.Literal) -> ox.Literal:
    """The literal as stored on Virtuoso: itself, or under a LEXICAL datatype when Virtuoso
    would change its lexical form (see test_remote_backend for the cases measured)."""
    datatype = literal.datatype.value
    kept = _KEPT.get(datatype)
    if datatype in _NEVER_KEPT or (kept is not None and not kept.fullmatch(literal.value)):
        return ox.Literal(literal.value, datatype=ox.NamedNode(LEXICAL + datatype))
    return literal


# Terms on the way in and out -----------------------------------------------------------------


def skolem(term: TermT, genid: str) -> TermT:
    """A blank node as the IRI it is pushed as; any other term as it is."""
    if isinstance(term, ox.BlankNode):
        return cast(TermT, ox.NamedNode(genid + term.value))
    return term


def write_term(term: Term | Graph, layout: Layout) -> str | None:
    """A term in SPARQL syntax; a blank node as its skolem IRI, or None when it has none."""
    if isinstance(term, ox.BlankNode):
        if layout.genid is None:
            return None
        return f"<{layout.genid}{term.value}>"
    if isinstance(term, ox.DefaultGraph):
        return None
    if isinstance(term, ox.Literal) and layout.lexical:
        term = protect(term)
    return str(term)


def read_term(term: Term | None, layout: Layout) -> Term | None:
    """A term from the server as the dataset has it: blank nodes, and literals stored under a
    LEXICAL datatype given theirs back."""
    genid = layout.genid
    if isinstance(term, ox.NamedNode):
        if genid and term.value.startswith(genid):
            label = term.value[len(genid) :]
            if BNODE_LABEL.match(label):
                return ox.BlankNode(label)
        return term
    if isinstance(term, ox.Literal) and term.datatype.value.startswith(LEXICAL):
        return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype.value[len(LEXICAL) :]))
    return term


# Datasets -------------------------------------------------------------------------------------


def store_dataset(
    layout: Layout,
    union: bool,
    default_graph: Graph | Sequence[Graph] | None,
    named_graphs: Sequence[ox.NamedNode | ox.BlankNode] | None,
) -> dict[str, list[str]]:
    """`default-graph-uri` and `named-graph-uri` for what `pyoxigraph.Store.query` was asked."""
    if default_graph is not None or named_graphs is not None:
        if default_graph is None or isinstance(default_graph, ox.NamedNode | ox.BlankNode):
            defaults: Sequence[Graph] = [] if default_graph is None else [default_graph]
        elif isinstance(default_graph, ox.DefaultGraph):
            defaults = [default_graph]
        else:
            defaults = default_graph
        return {
            "default-graph-uri": [_graph_iri(g, layout) for g in defaults] or [NO_GRAPH],
            "named-graph-uri": [g.value for g in named_graphs or () if isinstance(g, ox.NamedNode)],
        }
    if layout.graphs is None:
        return {}  # the server's own dataset
    if union:
        return {"default-graph-uri": list(layout.graphs) or [NO_GRAPH],
                "named-graph-uri": list(layout.named)}  # fmt: skip
    return {
        "default-graph-uri": [layout.default_graph or NO_GRAPH],
        "named-graph-uri": list(layout.named),
    }


def protocol_dataset(
    layout: Layout,
    default_graphs: Sequence[str] | None,
    named_graphs: Sequence[str] | None,
    *,
    union: bool,
) -> dict[str, list[str]]:
    """Protocol parameters for a query of the SPARQL endpoint: its own graph lists (only
    graphs of the dataset), else the union default graph, else (FROM in the query) none."""
    if default_graphs is None and named_graphs is None:
        return store_dataset(layout, union, None, None) if union else {}
    if layout.graphs is None:
        return {
            "default-graph-uri": list(default_graphs or ()) or [NO_GRAPH],
            "named-graph-uri": list(named_graphs or ()),
        }
    known = set(layout.named)
    return {
        "default-graph-uri": [g for g in default_graphs or () if g in known] or [NO_GRAPH],
        "named-graph-uri": [g for g in named_graphs or () if g in known],
    }


def quad_dataset(layout: Layout) -> dict[str, list[str]]:
    """For GRAPH patterns over every graph of the dataset, the stand-in default included."""
    if layout.graphs is None:
        return {}
    return {"default-graph-uri": [NO_GRAPH], "named-graph-uri": list(layout.graphs)}


def graph_pattern(
    triple: str, graph: Graph | None, layout: Layout
) -> tuple[str | None, Graph | None]:
    """The group pattern that finds `triple` in `graph` (None: any; pattern None: nowhere),
    and the graph the quads then come from (None: read from ?g)."""
    if graph is None:
        return f"GRAPH ?g {{ {triple} }}", None
    if isinstance(graph, ox.DefaultGraph):
        if layout.default_graph is not None:
            return f"GRAPH <{layout.default_graph}> {{ {triple} }}", graph
        if layout.graphs is None:  # the server's own default graph
            return f"{triple} FILTER NOT EXISTS {{ GRAPH ?g {{ {triple} }} }}", graph
        return None, graph
    if isinstance(graph, ox.BlankNode):
        return None, graph
    if layout.graphs is not None and graph.value not in layout.graphs:
        return None, graph
    return f"GRAPH {graph} {{ {triple} }}", graph


def _graph_iri(graph: Graph, layout: Layout) -> str:
    if isinstance(graph, ox.DefaultGraph):
        return layout.default_graph or NO_GRAPH
    if isinstance(graph, ox.BlankNode):
        return NO_GRAPH
    return graph.value


# Paging ---------------------------------------------------------------------------------------


def page_query(
    prologue: str, select: str, order: str, offset: int, limit: int, *, virtuoso: bool
) -> str:
    """One page of `select`, in an order that is the same from page to page."""
    if virtuoso:  # its sort limit counts OFFSET; a sorted subquery does not
        inner = f"SELECT * WHERE {{ {{ {select} }} }} ORDER BY {order}"
        return f"{prologue}SELECT * WHERE {{ {{ {inner} }} }} OFFSET {offset} LIMIT {limit}"
    return (
        f"{prologue}SELECT * WHERE {{ {{ {select} }} }} ORDER BY {order} "
        f"OFFSET {offset} LIMIT {limit}"
    )
