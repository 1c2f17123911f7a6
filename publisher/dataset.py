"""The published dataset: an immutable Oxigraph store plus the metadata every response needs.

Where the store lives is `settings.store`: unset, the sources are parsed into memory; a folder,
an on-disk store written by `publisher load --into` is opened read-only
(`publisher.stores.disk`); an http(s) URL, a SPARQL 1.1 server answers
(`publisher.stores.remote`). `Dataset.kind` says which, for the code that must tell them apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from publisher.config import Settings
from publisher.sources import discover, fingerprint, load_data, load_ontology

if TYPE_CHECKING:
    from publisher.validation import ValidationReport

MEMORY, DISK, REMOTE = "memory", "disk", "remote"


@dataclass(frozen=True)
class Sources:
    """The files a dataset is built from, found once from the settings."""

    data: tuple[Path, ...]
    ontology: tuple[Path, ...]
    shapes: tuple[Path, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> Sources:
        return cls(
            data=tuple(discover(settings.data)),
            ontology=tuple(discover(settings.ontology)),
            shapes=tuple(discover(settings.shapes)),
        )

    @property
    def content(self) -> tuple[Path, ...]:
        """The files whose triples are published (shapes only check them)."""
        return self.ontology + self.data


@dataclass(frozen=True)
class Dataset:
    """Read-only while served, so representations can be cached per `version`."""

    store: ox.Store
    base_iri: str
    version: str
    modified: datetime
    sources: Sources
    kind: str = MEMORY  # MEMORY | DISK | REMOTE
    location: str | None = None  # the store folder or endpoint URL; None in memory
    quads: int | None = None  # known at load time (disk): counting a big store takes a while
    report: ValidationReport | None = None  # the SHACL report made when the store was loaded

    @property
    def triple_count(self) -> int:
        return self.quads if self.quads is not None else len(self.store)


MODIFIED_QUERY = """
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT (MAX(?modified) AS ?latest) WHERE { ?s dcterms:modified ?modified }
"""


def declared_modified(store: ox.Store) -> datetime | None:
    """The newest `dcterms:modified` the sources declare (the ontology's, for example).

    Taken from the data rather than from file times, so that two checkouts of the same version
    answer with the same `Last-Modified` and the same bytes.
    """
    for solution in store.query(MODIFIED_QUERY, use_default_graph_as_union=True):
        latest = solution["latest"]
        if isinstance(latest, ox.Literal):
            try:
                parsed = datetime.fromisoformat(latest.value)
            except ValueError:
                return None
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def newest_file_time(paths: tuple[Path, ...]) -> datetime:
    newest = max((p.stat().st_mtime for p in paths), default=0.0)
    return datetime.fromtimestamp(int(newest), tz=UTC)


def is_remote(location: str) -> bool:
    """An http(s) URL names a SPARQL server; anything else names a store folder."""
    return location.startswith(("http://", "https://"))


def load_dataset(settings: Settings, sources: Sources | None = None) -> Dataset:
    """The dataset `settings.store` names: parsed into memory, or opened where it was loaded."""
    if settings.store is None:
        return load_into_memory(settings, sources)
    if is_remote(settings.store):
        from publisher.stores.remote import open_remote_dataset

        return open_remote_dataset(settings)
    from publisher.stores.disk import open_disk_dataset

    return open_disk_dataset(settings)


def load_into_memory(settings: Settings, sources: Sources | None = None) -> Dataset:
    """Parse the ontology and data files into a fresh in-memory store."""
    sources = sources or Sources.from_settings(settings)
    store = ox.Store()
    for path in sources.ontology:
        load_ontology(path, store)
    for path in sources.data:
        load_data(path, store)
    return Dataset(
        store=store,
        base_iri=settings.base_iri,
        version=fingerprint(sources.content),
        modified=declared_modified(store) or newest_file_time(sources.content),
        sources=sources,
    )
