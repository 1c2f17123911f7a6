"""The JSON-LD dump written node by node: the bytes `json.dumps(sort_keys=True, indent=1)`
gives for Oxigraph's JSON-LD of the whole dataset, without holding that document (a million
triples would be gigabytes of Python objects). The statements come sorted (`dumps._ordered`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import IO, Any

import pyoxigraph as ox


def _subject_runs(
    ordered: Sequence[ox.Quad] | Sequence[ox.Triple],
) -> Iterator[tuple[str | None, list[ox.Quad] | list[ox.Triple]]]:
    """Consecutive statements of one (graph, subject): a JSON-LD node each; graph None for
    the default graph."""
    run: list[Any] = []
    key: tuple[str | None, object] | None = None
    for statement in ordered:
        graph = statement.graph_name if isinstance(statement, ox.Quad) else ox.DefaultGraph()
        name = None if isinstance(graph, ox.DefaultGraph) else graph.value
        if key is not None and key != (name, statement.subject):
            yield key[0], run
            run = []
        key = (name, statement.subject)
        run.append(statement)
    if key is not None:
        yield key[0], run


def _node_json(run: Sequence[ox.Quad] | Sequence[ox.Triple]) -> Any:
    """The JSON-LD node object oxigraph writes for one subject's statements (graph dropped)."""
    triples = [s.triple if isinstance(s, ox.Quad) else s for s in run]
    written = ox.serialize(triples, format=ox.RdfFormat.JSON_LD)
    assert written is not None
    nodes = json.loads(written)
    return nodes[0] if isinstance(nodes, list) and len(nodes) == 1 else nodes


def _indented(value: Any, depth: int) -> str:
    """`value` as `json.dumps(..., indent=1, sort_keys=True)` writes it `depth` levels down."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, indent=1)
    return "\n".join(" " * depth + line for line in text.split("\n"))


def write_jsonld(out: IO[bytes], ordered: Sequence[ox.Quad] | Sequence[ox.Triple]) -> None:
    """The bytes `json.dumps(sort_keys=True, indent=1)` gives for oxigraph's JSON-LD of the
    whole dataset (top-level nodes, then one `{"@graph": [...], "@id": g}` per named graph),
    written node by node instead of parsing and re-dumping the whole document."""
    first = True
    open_graph: str | None = None
    for graph, run in _subject_runs(ordered):
        node = _node_json(run)
        if graph != open_graph and open_graph is not None:
            out.write(('\n  ],\n  "@id": ' + json.dumps(open_graph, ensure_ascii=False)).encode())
            out.write(b"\n }")
            open_graph = None
        if graph is None:
            out.write(b"[\n" if first else b",\n")
            out.write(_indented(node, 1).encode())
        elif graph == open_graph:
            out.write(b",\n" + _indented(node, 3).encode())
        else:
            out.write(b"[\n" if first else b",\n")
            out.write(b' {\n  "@graph": [\n' + _indented(node, 3).encode())
            open_graph = graph
        first = False
    if open_graph is not None:
        out.write(('\n  ],\n  "@id": ' + json.dumps(open_graph, ensure_ascii=False)).encode())
        out.write(b"\n }")
    out.write(b"[]\n" if first else b"\n]\n")
