"""An on-disk Oxigraph store: `publisher load --into DIR` writes it once, `serve --store DIR`
opens it read-only in every process, so N workers share one copy of the graph (the page cache).

The folder holds three things:

- `oxigraph/`: the RocksDB store;
- `publisher-store.json`: the dataset version (the same hash of the source files as in memory,
  so ETags do not change with the mode), `dcterms:modified`, base IRI, quad count and the
  source list: serving needs none of the source files;
- `validation.json`: the SHACL report made at load time (absent after `--skip-validation`):
  serving trusts the load and does not validate again.

A load builds everything in a staging folder inside DIR and moves it into place only once it
is complete (the metadata file last: it marks a complete store). A syntax error, a failed
validation or an interrupt leaves DIR as it was: the previous store, or nothing.

Speed: N-Triples and N-Quads files (gzipped or not) go to Oxigraph's bulk loader as they are,
which parses them in Rust; other syntaxes are parsed quad by quad through Python (about three
times slower). Neither keeps the input in Python objects: the bulk loader holds at most one
batch of quads (about a million) in memory, whatever the input size.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from publisher import __version__
from publisher.config import Settings
from publisher.dataset import (
    Capabilities,
    Dataset,
    Sources,
    declared_modified,
    newest_file_time,
)
from publisher.errors import PublisherError
from publisher.report import ValidationReport
from publisher.sources import OWL_ONTOLOGY, RDF_TYPE, fingerprint, rdf_format, syntax_error
from publisher.stores.tracking import LoadTracker, Reporter, SourceReader

METADATA = "publisher-store.json"
STORE = "oxigraph"
REPORT = "validation.json"
STAGING_PREFIX = ".loading-"
LAYOUT = 1  # bumped when the folder layout changes; an older folder must be loaded again
LINE_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)


@dataclass
class StoreFolderError(PublisherError):
    """A store folder that cannot be loaded into or served from, and what to do about it."""

    folder: Path
    problem: str

    def __str__(self) -> str:
        return f"{self.folder}: {self.problem}"


@dataclass(frozen=True)
class StoreMetadata:
    """What `serve --store` needs besides the quads; written by the load, read at startup."""

    base_iri: str
    version: str
    modified: datetime
    quads: int
    sources: Sources
    validated: bool
    loaded: datetime
    writer: str = f"publisher {__version__}, pyoxigraph {ox.__version__}"

    def to_json(self) -> str:
        return json.dumps(
            {
                "layout": LAYOUT,
                "base_iri": self.base_iri,
                "version": self.version,
                "modified": self.modified.isoformat(),
                "quads": self.quads,
                "sources": {
                    name: [str(p) for p in getattr(self.sources, name)]
                    for name in ("data", "ontology", "shapes")
                },
                "validated": self.validated,
                "loaded": self.loaded.isoformat(),
                "writer": self.writer,
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> StoreMetadata:
        """Raises ValueError (or KeyError, TypeError) on anything but this layout."""
        value = json.loads(text)
        if value.get("layout") != LAYOUT:
            raise ValueError(f"layout {value.get('layout')!r}, expected {LAYOUT}")
        paths = {k: tuple(Path(p) for p in value["sources"][k]) for k in ("data", "ontology")}
        return cls(
            base_iri=value["base_iri"],
            version=value["version"],
            modified=datetime.fromisoformat(value["modified"]),
            quads=int(value["quads"]),
            sources=Sources(shapes=tuple(Path(p) for p in value["sources"]["shapes"]), **paths),
            validated=bool(value["validated"]),
            loaded=datetime.fromisoformat(value["loaded"]),
            writer=value["writer"],
        )


# --- serving ---------------------------------------------------------------------------------


def open_disk_dataset(settings: Settings) -> Dataset:
    """Open the store folder `settings.store` read-only (any number of processes may)."""
    assert settings.store is not None
    folder = Path(settings.store)
    metadata = read_metadata(folder)
    if metadata.base_iri != settings.base_iri:
        raise StoreFolderError(
            folder,
            f"was loaded for the base IRI {metadata.base_iri}, not {settings.base_iri}; serve it "
            f"with --base-iri {metadata.base_iri} (or PUBLISHER_BASE_IRI)",
        )
    try:
        store = ox.Store.read_only(str(folder / STORE))
    except OSError as error:
        raise StoreFolderError(folder, f"the store does not open: {error}") from None
    return Dataset(
        store=store,
        base_iri=metadata.base_iri,
        version=metadata.version,
        modified=metadata.modified,
        sources=metadata.sources,
        location=str(folder),
        quads=metadata.quads,
        report=read_report(folder) if metadata.validated else None,
        capabilities=Capabilities(shared_path=folder / STORE, keeps_report=True),
    )


def read_metadata(folder: Path) -> StoreMetadata:
    """The metadata of a loaded store, or an error that says how to get one."""
    if not folder.is_dir():
        raise StoreFolderError(folder, "no such folder (load one with `publisher load --into`)")
    path = folder / METADATA
    if not path.is_file():
        raise StoreFolderError(
            folder,
            "holds no loaded store (run `publisher load SOURCE... --into DIR`; an interrupted "
            "load leaves none)",
        )
    try:
        return StoreMetadata.from_json(path.read_text(encoding="utf-8"))
    except (ValueError, KeyError, TypeError) as error:
        raise StoreFolderError(
            folder, f"{METADATA} is not one this version reads ({error}); load the data again"
        ) from None


def write_report(path: Path, report: ValidationReport) -> None:
    path.write_text(report.to_json(), encoding="utf-8")


def read_report(folder: Path) -> ValidationReport:
    return ValidationReport.from_json((folder / REPORT).read_text(encoding="utf-8"))


# --- loading ---------------------------------------------------------------------------------


Validator = Callable[[Dataset], ValidationReport]


@dataclass(frozen=True)
class LoadResult:
    metadata: StoreMetadata
    report: ValidationReport | None
    load_seconds: float  # parsing, writing, counting: what the load rate is measured on
    seconds: float  # validation included
    committed: bool


def load_folder(
    settings: Settings,
    sources: Sources,
    folder: Path,
    *,
    validator: Validator | None,
    report_to: Reporter = lambda progress: None,
) -> LoadResult:
    """Load the sources into a fresh store in `folder`, replacing the one there, if any, only
    when the new one is complete (and conforms, when there is a `validator`)."""
    created = _prepare(folder)
    staging = folder / f"{STAGING_PREFIX}{os.getpid()}"
    committed = False
    try:
        result = _build(settings, sources, folder, staging, validator, report_to)
        if result.report is None or result.report.conforms:
            _commit(staging, folder)
            committed = True
        return dataclasses.replace(result, committed=committed)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not committed:
            shutil.rmtree(folder, ignore_errors=True)


def _prepare(folder: Path) -> bool:
    """Check `folder` may receive a store; True if it had to be created."""
    if folder.exists() and not folder.is_dir():
        raise StoreFolderError(folder, "is a file, not a folder")
    if not folder.exists():
        folder.mkdir(parents=True)
        return True
    ours = {METADATA, STORE, REPORT}
    foreign = sorted(p.name for p in folder.iterdir() if p.name not in ours and not _is_staging(p))
    if foreign:
        raise StoreFolderError(
            folder,
            f"holds files that are not a publisher store ({', '.join(foreign[:3])}"
            f"{', …' if len(foreign) > 3 else ''}); load into a new or empty folder",
        )
    for leftover in folder.iterdir():
        if _is_staging(leftover):  # an interrupted load (one load per folder at a time)
            shutil.rmtree(leftover, ignore_errors=True)
    return False


def _is_staging(path: Path) -> bool:
    return path.name.startswith(STAGING_PREFIX)


def _build(
    settings: Settings,
    sources: Sources,
    folder: Path,
    staging: Path,
    validator: Validator | None,
    report_to: Reporter,
) -> LoadResult:
    """Everything in `staging`: the store, its report, its metadata. The store is closed
    (dropped) on return, so that the folder can be moved."""
    tracker = LoadTracker(sources.content, report_to)
    staging.mkdir()
    store = ox.Store(str(staging / STORE))
    _load_sources(store, sources, tracker)
    tracker.phase("counting")
    store.optimize()
    quads = len(store)
    load_seconds = tracker.elapsed()
    dataset = Dataset(
        store=store,
        base_iri=settings.base_iri,
        version=fingerprint(sources.content),
        modified=declared_modified(store) or newest_file_time(sources.content),
        sources=sources,
        location=str(folder),
        quads=quads,
    )
    report = None
    if validator is not None:
        tracker.phase("validating")
        report = validator(dataset)
        write_report(staging / REPORT, report)
    metadata = StoreMetadata(
        base_iri=settings.base_iri,
        version=dataset.version,
        modified=dataset.modified,
        quads=quads,
        sources=sources,
        validated=validator is not None,
        loaded=datetime.now(UTC).replace(microsecond=0),
    )
    (staging / METADATA).write_text(metadata.to_json(), encoding="utf-8")
    tracker.phase("done")
    return LoadResult(metadata, report, load_seconds, tracker.elapsed(), committed=False)


def _load_sources(store: ox.Store, sources: Sources, tracker: LoadTracker) -> None:
    """Line-based files straight into the bulk loader, one call each; all the others through
    one streaming bulk load (each bulk call writes its own files: fewer calls, fewer files)."""
    native = [p for p in sources.data if rdf_format(p) in LINE_FORMATS]
    streamed = [p for p in sources.data if p not in native]
    store.bulk_extend(_chain(_ontology_quads(p, tracker) for p in sources.ontology))
    store.bulk_extend(_chain(_data_quads(p, tracker) for p in streamed))
    for path in native:
        with SourceReader(path, tracker, count_lines=True) as reader:
            try:
                store.bulk_load(input=cast(IO[bytes], reader), format=rdf_format(path))
            except SyntaxError as error:
                raise syntax_error(path, error) from None
        tracker.file_done()


def _chain(iterables: Iterable[Iterable[ox.Quad]]) -> Iterator[ox.Quad]:
    for quads in iterables:
        yield from quads


def _data_quads(path: Path, tracker: LoadTracker) -> Iterator[ox.Quad]:
    """A file's quads as they are (triples in the default graph), as `sources.load_data` does."""
    with SourceReader(path, tracker, count_lines=False) as reader:
        yield from _parse(path, reader, tracker)
    tracker.file_done()


def _ontology_quads(path: Path, tracker: LoadTracker) -> Iterator[ox.Quad]:
    """An ontology's triples in the named graph of its `owl:Ontology`, as `load_ontology` does
    (read twice, streaming: once for the name, once for the quads)."""
    with SourceReader(path, None, count_lines=False) as reader:
        names = {
            q.subject
            for q in _parse(path, reader, None)
            if q.predicate == RDF_TYPE and q.object == OWL_ONTOLOGY
        }
    name = names.pop() if len(names) == 1 else None
    graph = name if isinstance(name, ox.NamedNode | ox.BlankNode) else ox.DefaultGraph()
    for quad in _data_quads(path, tracker):
        if isinstance(quad.graph_name, ox.DefaultGraph):
            yield ox.Quad(quad.subject, quad.predicate, quad.object, graph)
        else:
            yield quad  # a graph name is never a quoted triple


def _parse(path: Path, reader: SourceReader, tracker: LoadTracker | None) -> Iterator[ox.Quad]:
    try:
        for quad in ox.parse(cast(IO[bytes], reader), format=rdf_format(path)):
            if tracker is not None:
                tracker.statement()
            yield quad
    except SyntaxError as error:
        raise syntax_error(path, error) from None


def _commit(staging: Path, folder: Path) -> None:
    """Move the new store into place; the metadata last, so an interrupted move leaves a
    folder that says it holds no store rather than half of two."""
    (folder / METADATA).unlink(missing_ok=True)
    for name in (STORE, REPORT):
        target = folder / name
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
        if (staging / name).exists():
            (staging / name).rename(target)
    (staging / METADATA).rename(folder / METADATA)
