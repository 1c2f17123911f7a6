"""Deterministic synthetic N-Triples for the load and worker benchmarks: `things` with a type,
an English label, an integer and a link to another thing (four triples each)."""

from __future__ import annotations

import gzip
from pathlib import Path

BASE = "https://bench.example.org/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
INTEGER = "<http://www.w3.org/2001/XMLSchema#integer>"
CLASSES = 17


def write_ntriples(path: Path, triples: int) -> Path:
    """`triples` (a multiple of four) triples about `triples // 4` things; gzipped for `.gz`."""
    things = triples // 4
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8") as out:
        for i in range(things):
            s = f"<{BASE}id/thing/{i}>"
            out.write(
                f"{s} {RDF_TYPE} <{BASE}def/Class{i % CLASSES}> .\n"
                f'{s} {LABEL} "Thing number {i}"@en .\n'
                f'{s} <{BASE}def/value> "{i * 7 % 1000}"^^{INTEGER} .\n'
                f"{s} <{BASE}def/next> <{BASE}id/thing/{(i * 31 + 7) % things}> .\n"
            )
    return path
