"""The search index, written into the catalog when it is built (decision 0013).

`names` holds every label and alternative label of the namespace's resources as it was
written; `names_fts`, an SQLite FTS5 table without content of its own, holds the same text
folded (`normalise.fold`), tokenised by `unicode61 remove_diacritics 2` (case and Latin
accents), with prefix indexes for search-as-you-type. `names_terms` lists the index's words
(FTS5's own vocabulary table): the near spellings of a word the index lacks are found there.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pyoxigraph as ox

from publisher.search.normalise import fold
from publisher.vocab import SCHEMA, SKOS

LABEL = 0
ALTERNATIVE = 1
HIDDEN = 2
"""The kinds of name: a label (shown), an alternative label (shown as the match), a hidden
label (matched, never shown: the resource's label is shown instead)."""

ALTERNATIVE_PREDICATES = (
    (ox.NamedNode(SKOS + "altLabel"), ALTERNATIVE),
    (ox.NamedNode(SCHEMA + "alternateName"), ALTERNATIVE),
    (ox.NamedNode(SKOS + "hiddenLabel"), HIDDEN),
)
"""Names a resource is also known by, beside the catalog's label predicates."""

TOKENIZER = "unicode61 remove_diacritics 2"

SCHEMA_SQL = f"""
CREATE TABLE names (
    id INTEGER PRIMARY KEY, iri TEXT NOT NULL, lang TEXT NOT NULL, label TEXT NOT NULL,
    kind INTEGER NOT NULL);
CREATE VIRTUAL TABLE names_fts USING fts5(folded, content='', prefix='2 3', tokenize='{TOKENIZER}');
CREATE VIRTUAL TABLE names_terms USING fts5vocab(names_fts, row);
"""

BATCH = 10_000


def create_tables(connection: sqlite3.Connection) -> None:
    connection.executescript(SCHEMA_SQL)


def add_names(connection: sqlite3.Connection, staged: str, kind: int, base_iri: str) -> None:
    """Copy the (iri, lang, label) rows of the table `staged` (the catalog's table of the labels
    one predicate gave) that name resources of the namespace."""
    connection.execute(
        f"INSERT INTO names (iri, lang, label, kind) SELECT DISTINCT iri, lang, label, ? "
        f"FROM {staged} WHERE substr(iri, 1, ?) = ?",
        (kind, len(base_iri), base_iri),
    )


def fill_index(connection: sqlite3.Connection) -> None:
    """Fold every name into the full-text index (in batches: no list of every label)."""
    last = 0
    while batch := connection.execute(
        "SELECT id, label FROM names WHERE id > ? ORDER BY id LIMIT ?", (last, BATCH)
    ).fetchall():
        connection.executemany(
            "INSERT INTO names_fts (rowid, folded) VALUES (?, ?)", _folded(batch)
        )
        last = batch[-1][0]
    connection.execute("CREATE INDEX names_by_iri ON names (iri)")
    connection.execute("INSERT INTO names_fts (names_fts) VALUES ('optimize')")


def _folded(rows: list[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    return ((row_id, fold(label)) for row_id, label in rows)
