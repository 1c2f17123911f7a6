"""Reading the catalog: which documents exist, what each holds, classes, labels, links.

SQLite (the standard library's) keeps it on disk beside the store: a B-tree the operating
system pages in on demand, so a server over a million triples starts by opening a file and
answers "what is in the document `card`" with one indexed lookup, without a Python object per
subject. One connection is shared by the threads that render pages, behind a lock: every
lookup is a few index probes, far shorter than the rendering around it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from publisher.vocab import DCTERMS, FOAF, RDFS_LABEL, SCHEMA, SKOS_PREF_LABEL

SCHEMA_VERSION = 4
CATALOG_FILE = "catalog.sqlite"

LABEL_PREDICATES = (
    RDFS_LABEL,
    SKOS_PREF_LABEL,
    ox.NamedNode(FOAF + "name"),
    ox.NamedNode(SCHEMA + "name"),
    ox.NamedNode(DCTERMS + "title"),
)
"""Where a resource's name is looked for, in this order of preference."""


class CatalogError(RuntimeError):
    """A catalog file that cannot be read (missing, damaged, or of another schema)."""


def document_of(iri: str) -> str:
    """The document that holds `iri`'s description: the IRI before its `#`, else itself."""
    return iri.split("#", 1)[0]


@dataclass(frozen=True)
class ClassCount:
    iri: str
    instances: int


@dataclass(frozen=True)
class Labelled:
    """A resource with the label shown for it in one language (None: it has none)."""

    iri: str
    label: str | None
    lang: str | None = None  # the label's language tag (None: none, or no label)


@dataclass(frozen=True)
class Linked:
    iri: str
    links: int
    label: str | None
    lang: str | None = None  # the label's language tag (None: none, or no label)


@dataclass(frozen=True)
class PredicateUse:
    """`uses` statements with the predicate `iri` have a value of `kind`: `@id`, `@language`
    or a datatype IRI."""

    iri: str
    kind: str
    uses: int


class Catalog:
    """The catalog of one dataset version (see `publisher.catalog.build`)."""

    def __init__(self, connection: sqlite3.Connection, base_iri: str) -> None:
        self._connection = connection
        self._lock = threading.Lock()
        self.base_iri = base_iri
        self.subjects = int(self._meta("subjects") or 0)

    @classmethod
    def open(cls, path: Path) -> Catalog:
        """Open a catalog file read-only (it never changes once written)."""
        if not path.is_file():
            raise CatalogError(f"{path}: no catalog (load the store again)")
        uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
        connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
        try:
            rows = dict(connection.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as error:
            connection.close()
            raise CatalogError(f"{path}: not a readable catalog ({error})") from None
        if rows.get("schema") != str(SCHEMA_VERSION):
            connection.close()
            raise CatalogError(f"{path}: catalog of another version (load the store again)")
        return cls(connection, rows["base_iri"])

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def _rows(self, sql: str, *parameters: object) -> list[tuple[object, ...]]:
        with self._lock:
            return self._connection.execute(sql, parameters).fetchall()

    def read(self, sql: str, *parameters: object) -> list[tuple[object, ...]]:
        """The rows of a read-only statement, for the modules that keep tables in the catalog
        (the search index: publisher.search)."""
        return self._rows(sql, *parameters)

    def _meta(self, key: str) -> str | None:
        rows = self._rows("SELECT value FROM meta WHERE key = ?", key)
        return str(rows[0][0]) if rows else None

    # --- documents -----------------------------------------------------------------------

    def members(self, doc_iri: str) -> tuple[str, ...]:
        """The described IRIs whose document is `doc_iri`: itself if described, and every
        `doc_iri#…` described, in IRI order; empty when the dataset describes none."""
        rows = self._rows("SELECT iri FROM subjects WHERE doc = ? ORDER BY iri", doc_iri)
        return tuple(str(row[0]) for row in rows)

    def holds_hash_iris(self, doc_iri: str) -> bool:
        """Whether some `doc_iri#…` is described: then `doc_iri` is a document served as it
        is (200), not a thing redirected (303) to one."""
        rows = self._rows("SELECT 1 FROM subjects WHERE doc = ? AND iri != doc LIMIT 1", doc_iri)
        return bool(rows)

    def describes(self, iri: str) -> bool:
        """Whether `iri` (under the namespace) is the subject of some statement."""
        return bool(self._rows("SELECT 1 FROM subjects WHERE iri = ?", iri))

    def documents(self) -> Iterator[str]:
        """Every document IRI, in order (for the sitemap, dumps and the static export)."""
        with self._lock:
            rows = self._connection.execute("SELECT DISTINCT doc FROM subjects ORDER BY doc")
            batch = rows.fetchmany(1000)
        while batch:
            yield from (str(row[0]) for row in batch)
            with self._lock:
                batch = rows.fetchmany(1000)

    def documents_at(self, prefixes: Iterable[str], exact: Iterable[str]) -> list[str]:
        """The document IRIs that start with one of `prefixes` or equal one of `exact`, in
        order: one range or key of the `subjects_by_doc` index each, so that a few paths are
        checked without reading every document (a million at a million triples)."""
        found: set[str] = set()
        for prefix in prefixes:
            end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
            sql = "SELECT DISTINCT doc FROM subjects WHERE doc >= ? AND doc < ?"
            found.update(str(row[0]) for row in self._rows(sql, prefix, end))
        for doc in exact:
            found.update(
                str(row[0])
                for row in self._rows("SELECT doc FROM subjects WHERE doc = ? LIMIT 1", doc)
            )
        return sorted(found)

    def document_shapes(self) -> Iterator[tuple[str, bool, bool]]:
        """Every document IRI in order, with whether the document's own IRI is described and
        whether it holds hash IRIs: what listing every document by its shape needs, in one
        pass over the index (no lookup per document)."""
        with self._lock:
            rows = self._connection.execute(
                "SELECT doc, MAX(iri = doc), MAX(iri != doc) FROM subjects "
                "GROUP BY doc ORDER BY doc"
            )
            batch = rows.fetchmany(1000)
        while batch:
            yield from ((str(doc), bool(own), bool(hashed)) for doc, own, hashed in batch)
            with self._lock:
                batch = rows.fetchmany(1000)

    # --- classes and instances -----------------------------------------------------------

    def classes(self) -> list[ClassCount]:
        """Every class with its number of instances, the largest first."""
        rows = self._rows("SELECT class, instances FROM classes ORDER BY instances DESC, class")
        return [ClassCount(str(iri), int(str(n))) for iri, n in rows]

    def classes_under(self, prefix: str) -> list[ClassCount]:
        """The classes of the instances whose IRI starts with `prefix`, with their number of
        such instances, the largest first (one pass over the type index)."""
        rows = self._rows(
            "SELECT class, COUNT(*) AS n FROM types WHERE substr(iri, 1, ?) = ? "
            "GROUP BY class ORDER BY n DESC, class",
            len(prefix),
            prefix,
        )
        return [ClassCount(str(iri), int(str(n))) for iri, n in rows]

    def instance_count(self, class_iri: str) -> int:
        rows = self._rows("SELECT instances FROM classes WHERE class = ?", class_iri)
        return int(str(rows[0][0])) if rows else 0

    def instances(self, class_iri: str, lang: str, offset: int, limit: int) -> list[Labelled]:
        """A page of the class's instances sorted by their label in `lang` (else English,
        else one without language, else any), those without a label last by IRI."""
        rows = self._rows(
            f"SELECT t.iri, {_LABEL_SQL} AS shown, {_LABEL_LANG_SQL} FROM types t WHERE "
            "t.class = ? ORDER BY shown IS NULL, shown COLLATE NOCASE, t.iri LIMIT ? OFFSET ?",
            lang,
            class_iri,
            limit,
            offset,
        )
        return [_labelled(iri, label, tag) for iri, label, tag in rows]

    def types_of(self, iri: str) -> list[str]:
        return [str(row[0]) for row in self._rows("SELECT class FROM types WHERE iri = ?", iri)]

    # --- labels and links ----------------------------------------------------------------

    def label(self, iri: str, lang: str) -> str | None:
        """The label of `iri` in `lang`, else English, else without language, else any."""
        rows = self._rows(f"SELECT {_LABEL_SQL} FROM (SELECT ? AS iri) t", lang, iri)
        return None if not rows or rows[0][0] is None else str(rows[0][0])

    def labelled(self, iri: str, lang: str) -> Labelled:
        """`label`, with the language the label is in (for the page's `lang` attributes)."""
        rows = self._rows(
            f"SELECT t.iri, {_LABEL_SQL}, {_LABEL_LANG_SQL} FROM (SELECT ? AS iri) t", lang, iri
        )
        return _labelled(*rows[0])

    def languages(self) -> list[str]:
        """The languages the data has labels in, the most used first."""
        rows = self._rows(
            "SELECT lang FROM labels WHERE lang != '' GROUP BY lang ORDER BY COUNT(*) DESC, lang"
        )
        return [str(row[0]) for row in rows]

    def most_linked(self, limit: int, lang: str) -> list[Linked]:
        """The resources of the namespace the most statements point to (rdf:type aside)."""
        rows = self._rows(
            f"SELECT t.iri, t.links, {_LABEL_SQL}, {_LABEL_LANG_SQL} FROM linked t "
            "ORDER BY t.links DESC, t.iri LIMIT ?",
            lang,
            limit,
        )
        return [
            Linked(str(iri), int(str(links)), *_label_and_lang(label, tag))
            for iri, links, label, tag in rows
        ]

    def statistics(self) -> str | None:
        """The VoID counts stored at build time (`discovery.statistics.to_json`), if any."""
        return self._meta("statistics")

    def described_under(self, prefix: str) -> Iterator[str]:
        """The described IRIs starting with `prefix`, in order (a range of the index)."""
        with self._lock:
            rows = self._connection.execute(
                "SELECT iri FROM subjects WHERE iri >= ? AND substr(iri, 1, ?) = ? ORDER BY iri",
                (prefix, len(prefix), prefix),
            )
            batch = rows.fetchmany(1000)
        while batch:
            yield from (str(row[0]) for row in batch)
            with self._lock:
                batch = rows.fetchmany(1000)

    def predicate_usage(self) -> list[PredicateUse]:
        """Every predicate but rdf:type with the kinds of its values and their uses."""
        rows = self._rows("SELECT iri, kind, uses FROM predicates ORDER BY iri, kind")
        return [PredicateUse(str(iri), str(kind), int(str(uses))) for iri, kind, uses in rows]


_LABEL_SQL = """COALESCE(
    (SELECT label FROM labels l WHERE l.iri = t.iri AND l.lang = ?1),
    (SELECT label FROM labels l WHERE l.iri = t.iri AND l.lang = 'en'),
    (SELECT label FROM labels l WHERE l.iri = t.iri AND l.lang = ''),
    (SELECT MIN(label) FROM labels l WHERE l.iri = t.iri))"""
"""The label shown for `t.iri` in the language bound to `?1`."""

_LABEL_LANG_SQL = """COALESCE(
    (SELECT lang FROM labels l WHERE l.iri = t.iri AND l.lang = ?1),
    (SELECT lang FROM labels l WHERE l.iri = t.iri AND l.lang = 'en'),
    (SELECT lang FROM labels l WHERE l.iri = t.iri AND l.lang = ''),
    (SELECT lang FROM labels l WHERE l.iri = t.iri ORDER BY label LIMIT 1))"""
"""The language tag of the label `_LABEL_SQL` shows ('' for a label without one)."""


def _label_and_lang(label: object, tag: object) -> tuple[str | None, str | None]:
    return (None if label is None else str(label), str(tag) if label is not None and tag else None)


def _labelled(iri: object, label: object, tag: object) -> Labelled:
    return Labelled(str(iri), *_label_and_lang(label, tag))
