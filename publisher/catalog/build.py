"""Building the catalog: a handful of whole-dataset queries, run once per dataset version.

`publisher load` runs them into the store's version folder (so a server opens the result
instead of reading a million triples at start); a store parsed at start (in memory, rdflib) or
a remote one runs them before the server listens. Each query is answered natively by the store
(aggregation in Oxigraph, or the remote server) and streamed into SQLite in batches, so the
publisher never holds the dataset's subjects as Python objects.
"""

from __future__ import annotations

import csv
import heapq
import io
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from publisher.catalog.catalog import LABEL_PREDICATES, SCHEMA_VERSION, Catalog, document_of
from publisher.dataset import ReadStore
from publisher.discovery.statistics import count_statistics, to_json
from publisher.search.index import (
    ALTERNATIVE_PREDICATES,
    LABEL,
    add_names,
    create_tables,
    fill_index,
)
from publisher.urls import Urls
from publisher.vocab import LEXICAL, RDF_TYPE

MOST_LINKED = 200
"""How many of the most linked resources the catalog keeps (the home page shows the first)."""

BATCH = 10_000

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE subjects (iri TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE types (class TEXT NOT NULL, iri TEXT NOT NULL, PRIMARY KEY (class, iri)) WITHOUT ROWID;
CREATE TABLE labels (
    iri TEXT NOT NULL, lang TEXT NOT NULL, label TEXT NOT NULL, PRIMARY KEY (iri, lang)
) WITHOUT ROWID;
CREATE TABLE linked (iri TEXT PRIMARY KEY, links INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE classes (class TEXT PRIMARY KEY, instances INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE predicates (iri TEXT NOT NULL, kind TEXT NOT NULL, uses INTEGER NOT NULL,
    PRIMARY KEY (iri, kind)) WITHOUT ROWID;
CREATE TEMPORARY TABLE found_labels (iri TEXT NOT NULL, lang TEXT NOT NULL, label TEXT NOT NULL);
"""

INDEXES = """
CREATE INDEX subjects_by_doc ON subjects (doc, iri);
CREATE INDEX types_by_iri ON types (iri);
"""


def build_catalog(store: ReadStore, base_iri: str, path: Path | None = None) -> Catalog:
    """The catalog of `store`, written to `path` (a new file) or kept in memory."""
    if path is not None and path.exists():
        path.unlink()
    # Shared by the threads that render pages (behind the Catalog's lock), like an opened file.
    connection = sqlite3.connect(
        str(path) if path is not None else ":memory:", check_same_thread=False
    )
    try:
        connection.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        connection.executescript(SCHEMA)
        create_tables(connection)
        _fill(connection, store, base_iri)
        connection.commit()
    except BaseException:
        connection.close()
        raise
    if path is None:
        return Catalog(connection, base_iri)
    connection.close()
    return Catalog.open(path)


def _fill(connection: sqlite3.Connection, store: ReadStore, base_iri: str) -> None:
    # The namespace is tested here rather than with STRSTARTS in the queries: an on-disk store
    # would build a string per row for it (a tenth of the time without it, at a million).
    subjects = _select(store, "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")
    _insert(
        connection,
        "INSERT OR IGNORE INTO subjects VALUES (?, ?)",
        ((s, document_of(s)) for (s,) in subjects if s.startswith(base_iri)),
    )
    types = _select(
        store, f"SELECT DISTINCT ?c ?s WHERE {{ ?s {RDF_TYPE} ?c FILTER(isIRI(?s) && isIRI(?c)) }}"
    )
    _insert(connection, "INSERT OR IGNORE INTO types VALUES (?, ?)", types)
    connection.execute("INSERT INTO classes SELECT class, COUNT(*) FROM types GROUP BY class")
    for predicate in LABEL_PREDICATES:  # the first predicate with a label wins, then the least
        _insert(connection, "INSERT INTO found_labels VALUES (?, ?, ?)", _labels(store, predicate))
        connection.execute(
            "INSERT OR IGNORE INTO labels "
            "SELECT iri, lang, MIN(label) FROM found_labels GROUP BY iri, lang"
        )
        add_names(connection, "found_labels", LABEL, base_iri)  # every label is searched
        connection.execute("DELETE FROM found_labels")
    for predicate, kind in ALTERNATIVE_PREDICATES:  # searched, never shown as the label
        _insert(connection, "INSERT INTO found_labels VALUES (?, ?, ?)", _labels(store, predicate))
        add_names(connection, "found_labels", kind, base_iri)
        connection.execute("DELETE FROM found_labels")
    fill_index(connection)
    # Every linked IRI with its count, the namespace's top ones kept here: no ORDER BY/LIMIT in
    # the query (a remote server may refuse to sort that many rows: Virtuoso's TOP limit).
    counted = _select(
        store,
        f"SELECT ?o (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o FILTER(?p != {RDF_TYPE} && isIRI(?o)) }} "
        "GROUP BY ?o",
    )
    ours = ((int(n), o) for o, n in counted if o.startswith(base_iri))
    top = heapq.nsmallest(MOST_LINKED, ours, key=lambda pair: (-pair[0], pair[1]))
    linked = [(o, str(n)) for n, o in top]
    _insert(connection, "INSERT INTO linked VALUES (?, ?)", linked)
    used = ((p, kind.removeprefix(LEXICAL), n) for p, kind, n in _select(store, PREDICATES))
    _insert(
        connection,
        "INSERT INTO predicates VALUES (?, ?, ?) "
        "ON CONFLICT (iri, kind) DO UPDATE SET uses = uses + excluded.uses",
        used,
    )
    connection.executescript(INDEXES)
    counts = count_statistics(store, Urls(base_iri, base_iri))
    connection.execute("INSERT INTO meta VALUES ('statistics', ?)", (to_json(counts),))
    counted = connection.execute("SELECT COUNT(*) FROM subjects").fetchone()[0]
    _insert(
        connection,
        "INSERT INTO meta VALUES (?, ?)",
        [("schema", str(SCHEMA_VERSION)), ("base_iri", base_iri), ("subjects", str(counted))],
    )


PREDICATES = f"""
SELECT ?p ?kind (COUNT(*) AS ?uses) WHERE {{
  ?s ?p ?o FILTER(?p != {RDF_TYPE})
  BIND(IF(isLiteral(?o), IF(LANG(?o) != "", "@language", STR(DATATYPE(?o))), "@id") AS ?kind)
}} GROUP BY ?p ?kind
"""
"""Each predicate with the kinds of its values (`@id`, `@language`, a datatype) and how often:
what the JSON-LD context is made from."""


def _labels(store: ReadStore, predicate: ox.NamedNode) -> Iterator[tuple[str, ...]]:
    """(iri, language, label) for every literal value of `predicate`."""
    return _select(
        store,
        "SELECT ?s (LANG(?l) AS ?lang) (STR(?l) AS ?label) "
        f"WHERE {{ ?s {predicate} ?l FILTER(isIRI(?s) && isLiteral(?l)) }}",
    )


def _select(store: ReadStore, query: str) -> Iterator[tuple[str, ...]]:
    """The rows of a SELECT as tuples of strings (IRIs and literal values). The store writes
    them as CSV to a temporary file that is read back row by row: no term object per value,
    and memory does not grow with the answer. (The QuerySolutions is consumed on this thread:
    it may not cross threads.)"""
    answer = store.query(query, use_default_graph_as_union=True)
    assert isinstance(answer, ox.QuerySolutions)
    with tempfile.TemporaryFile() as spool:
        answer.serialize(spool, ox.QueryResultsFormat.CSV)
        del answer
        spool.seek(0)
        with io.TextIOWrapper(spool, encoding="utf-8", newline="") as text:
            rows = csv.reader(text)
            next(rows, None)  # the header
            yield from (tuple(row) for row in rows)


def _insert(
    connection: sqlite3.Connection, statement: str, rows: Iterable[tuple[str, ...]]
) -> None:
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        connection.executemany(statement, batch)
