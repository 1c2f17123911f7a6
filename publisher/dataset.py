"""The published dataset: a read-only store plus the metadata every response needs.

A store is anything that answers `ReadStore` (the read API of `pyoxigraph.Store`): Oxigraph in
memory or on disk, a SPARQL server, rdflib. Which one serves is chosen in `publisher.stores`
(`open_dataset`), the one module that knows the backends; this module imports none of them.
What the rest of the code must know about a backend is in `Dataset.capabilities`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

from publisher.config import Settings
from publisher.sources import discover, relative_base

if TYPE_CHECKING:
    from publisher.catalog import Catalog
    from publisher.report import ValidationReport
    from publisher.sparql.worker import Failure, Job, Outcome

Subject = ox.NamedNode | ox.BlankNode | ox.Triple
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
QueryAnswer = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


class ReadStore(Protocol):
    """What the publisher reads of a store: the part of `pyoxigraph.Store` it calls."""

    def quads_for_pattern(
        self,
        subject: Subject | None,
        predicate: ox.NamedNode | None,
        object: Term | None,  # noqa: A002 - pyoxigraph's name
        graph_name: GraphName | None = None,
    ) -> Iterator[ox.Quad]:
        """The matching quads; from every graph when `graph_name` is None."""
        ...

    def query(
        self,
        query: str,
        *,
        use_default_graph_as_union: bool = False,
        substitutions: dict[ox.Variable, Term] | None = None,
    ) -> QueryAnswer:
        """A SELECT or ASK query (pages, VoID, descriptions); CONSTRUCT and the SPARQL
        endpoint's queries go through a `QueryRunner`."""
        ...

    def named_graphs(self) -> Iterator[ox.NamedNode | ox.BlankNode]: ...

    def __len__(self) -> int:
        """Quads in all graphs (the same triple in two graphs counts twice)."""
        ...

    def __iter__(self) -> Iterator[ox.Quad]: ...


class QueryRunner(Protocol):
    """Runs the SPARQL endpoint's queries where they can be stopped (worker processes, a
    server, threads), within a deadline; `publisher.stores.start_query_runner` makes one."""

    async def run(self, job: Job) -> Outcome | Failure:
        """Answer one job, or raise EndpointBusy / QueryTimeout / WorkerCrashed (SparqlError)."""
        ...

    async def close(self) -> None: ...

    def health(self) -> dict[str, object]:
        """For /health: ok, workers (alive), wanted, busy, queued, restarting, last_error."""
        ...


@dataclass(frozen=True)
class Capabilities:
    """What the code must know about a store besides `ReadStore`."""

    changes: bool = False  # the data can change under us: versions are polled (remote, disk)
    shared_path: Path | None = None  # an on-disk store other processes may open read-only
    keeps_report: bool = False  # loaded ahead with its SHACL report (`Dataset.report`; None
    # there means the load skipped validation, and validating now reads the whole store)


IN_MEMORY = Capabilities()


@dataclass(frozen=True)
class Sources:
    """The files a dataset is built from, found once from the settings."""

    data: tuple[Path, ...]
    ontology: tuple[Path, ...]
    shapes: tuple[Path, ...]
    namespace: str | None = None  # relative IRIs resolve against namespace + file name …
    source_base: str | None = None  # … or this one base (--source-base)

    @classmethod
    def from_settings(cls, settings: Settings) -> Sources:
        return cls(
            data=tuple(discover(settings.data)),
            ontology=tuple(discover(settings.ontology)),
            shapes=tuple(discover(settings.shapes)),
            namespace=settings.base_iri,
            source_base=settings.source_base,
        )

    def base_for(self, path: Path) -> str | None:
        """The base of the file's relative IRIs (`sources.relative_base`)."""
        return relative_base(path, self.namespace, self.source_base)

    @property
    def content(self) -> tuple[Path, ...]:
        """The files whose triples are published (shapes only check them)."""
        return self.ontology + self.data


@dataclass(frozen=True)
class Dataset:
    """Read-only while served, so representations can be cached per `version`."""

    store: ReadStore
    base_iri: str
    version: str
    modified: datetime
    sources: Sources
    location: str | None = None  # the store folder or endpoint URL; None in memory
    quads: int | None = None  # known at load time (disk): counting a big store takes a while
    report: ValidationReport | None = None  # the SHACL report made when the store was loaded
    capabilities: Capabilities = field(default=IN_MEMORY)
    catalog: Catalog | None = field(default=None, compare=False)
    """What serving looks up (documents, classes, labels), built once per version: set by
    `publisher.stores.open_dataset` for every backend, None only while a load builds it."""

    @property
    def triple_count(self) -> int:
        return self.quads if self.quads is not None else len(self.store)


MODIFIED_QUERY = """
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT (MAX(?modified) AS ?latest) WHERE { ?s dcterms:modified ?modified }
"""


def declared_modified(store: ReadStore) -> datetime | None:
    """The newest `dcterms:modified` the sources declare (the ontology's, for example).

    Taken from the data rather than from file times, so that two checkouts of the same version
    answer with the same `Last-Modified` and the same bytes.
    """
    answer = store.query(MODIFIED_QUERY, use_default_graph_as_union=True)
    if not isinstance(answer, ox.QuerySolutions):
        return None
    for solution in answer:
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
