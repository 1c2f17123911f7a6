"""`publisher load --into DIR`: a new version of the on-disk store, switched to in one rename.

The folder's layout, and how a server reads it, are in `publisher.stores.disk`. A load takes
the folder's lock, builds the new version in a staging folder, moves it under `versions/`, then
replaces `publisher-store.json` (the switch); whatever stops it before that rename (a syntax
error, a failed validation, a full disk, Ctrl-C, SIGTERM) leaves the folder as it was.

Speed: N-Triples and N-Quads files (gzipped or not) go to Oxigraph's bulk loader as they are,
which parses them in Rust; other syntaxes are parsed quad by quad through Python (about three
times slower). Neither keeps the input in Python objects: the bulk loader holds at most one
batch of quads (about a million) in memory, whatever the input size.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from publisher.catalog import CATALOG_FILE, build_catalog
from publisher.config import Settings
from publisher.dataset import Dataset, Sources, declared_modified, newest_file_time
from publisher.discovery.dumps import LOADED_DUMPS, write_dumps
from publisher.report import ValidationReport
from publisher.sources import (
    OWL_ONTOLOGY,
    RDF_TYPE,
    BlankNodeNames,
    fingerprint,
    rdf_format,
    syntax_error,
)
from publisher.stores.disk import (
    LOCK,
    METADATA,
    REPORT,
    STAGING_PREFIX,
    STORE,
    VERSIONS,
    StoreFolderError,
    StoreMetadata,
    file_sums,
    read_metadata,
    reason,
    write_report,
)
from publisher.stores.tracking import LoadTracker, Reporter, SourceReader
from publisher.urls import Urls

LINE_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)


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
        with _locked(folder):
            _clear_leftovers(folder)
            try:
                result = _build(settings, sources, folder, staging, validator, report_to)
                if result.report is None or result.report.conforms:
                    metadata = _commit(staging, folder, result.metadata)
                    result = dataclasses.replace(result, metadata=metadata)
                    committed = True
            except OSError as error:  # a full disk, a folder that vanished: nothing replaced
                raise StoreFolderError(
                    folder, f"the load failed, the folder is left as it was ({reason(error)})"
                ) from None
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
    ours = {METADATA, STORE, REPORT, VERSIONS, LOCK}
    foreign = sorted(p.name for p in folder.iterdir() if p.name not in ours and not _is_staging(p))
    if foreign:
        raise StoreFolderError(
            folder,
            f"holds files that are not a publisher store ({', '.join(foreign[:3])}"
            f"{', …' if len(foreign) > 3 else ''}); load into a new or empty folder",
        )
    return False


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One load per folder at a time: a second one stops with one line, rather than deleting
    the first one's staging folder or racing its commit."""
    with (folder / LOCK).open("a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "?"
            raise StoreFolderError(
                folder, f"another `publisher load` (pid {holder}) is writing it; wait for it"
            ) from None
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _clear_leftovers(folder: Path) -> None:
    """Staging folders of loads that were killed (we hold the lock: none is running)."""
    for leftover in folder.iterdir():
        if _is_staging(leftover):
            shutil.rmtree(leftover, ignore_errors=True)


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
    """Everything in `staging`: the store and its report; the metadata is returned. The
    store is closed (dropped) on return, so that the folder can be moved."""
    tracker = LoadTracker(sources.content, report_to)
    staging.mkdir()
    store = ox.Store(str(staging / STORE))
    _load_sources(store, sources, tracker)
    tracker.phase("counting")
    store.optimize()
    quads = len(store)
    tracker.phase("cataloguing")
    build_catalog(store, settings.base_iri, staging / CATALOG_FILE).close()
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
    if report is None or report.conforms:  # what a server would write at its first start
        tracker.phase("dumps")
        urls = Urls(settings.base_iri, settings.base_iri)
        write_dumps(dataset, urls, staging / LOADED_DUMPS)
    metadata = StoreMetadata(
        base_iri=settings.base_iri,
        version=dataset.version,
        modified=dataset.modified,
        quads=quads,
        sources=sources,
        validated=validator is not None,
        loaded=datetime.now(UTC).replace(microsecond=0),
    )
    del dataset, store  # closes the store (RocksDB flushes and lets go of its files)
    tracker.phase("done")
    return LoadResult(metadata, report, load_seconds, tracker.elapsed(), committed=False)


def _load_sources(store: ox.Store, sources: Sources, tracker: LoadTracker) -> None:
    """Line-based files straight into the bulk loader, one call each; all the others through
    one streaming bulk load (each bulk call writes its own files: fewer calls, fewer files)."""
    native = [p for p in sources.data if rdf_format(p) in LINE_FORMATS]
    streamed = [p for p in sources.data if p not in native]
    ontology = (_ontology_quads(p, sources.base_for(p), tracker) for p in sources.ontology)
    store.bulk_extend(_chain(ontology))
    store.bulk_extend(_chain(_data_quads(p, sources.base_for(p), tracker) for p in streamed))
    for path in native:
        with SourceReader(path, tracker, count_lines=True) as reader:
            try:
                store.bulk_load(
                    input=cast(IO[bytes], reader),
                    format=rdf_format(path),
                    base_iri=sources.base_for(path),
                )
            except SyntaxError as error:
                raise syntax_error(path, error) from None
        tracker.file_done()


def _chain(iterables: Iterable[Iterable[ox.Quad]]) -> Iterator[ox.Quad]:
    for quads in iterables:
        yield from quads


def _data_quads(path: Path, base: str | None, tracker: LoadTracker) -> Iterator[ox.Quad]:
    """A file's quads as they are (triples in the default graph), as `sources.load_data` does."""
    with SourceReader(path, tracker, count_lines=False) as reader:
        yield from _parse(path, base, reader, tracker)
    tracker.file_done()


def _ontology_quads(path: Path, base: str | None, tracker: LoadTracker) -> Iterator[ox.Quad]:
    """An ontology's triples in the named graph of its `owl:Ontology`, as `load_ontology` does
    (read twice, streaming: once for the name, once for the quads)."""
    with SourceReader(path, None, count_lines=False) as reader:
        names = {
            q.subject
            for q in _parse(path, base, reader, None)
            if q.predicate == RDF_TYPE and q.object == OWL_ONTOLOGY
        }
    name = names.pop() if len(names) == 1 else None
    graph = name if isinstance(name, ox.NamedNode | ox.BlankNode) else ox.DefaultGraph()
    for quad in _data_quads(path, base, tracker):
        if isinstance(quad.graph_name, ox.DefaultGraph):
            yield ox.Quad(quad.subject, quad.predicate, quad.object, graph)
        else:
            yield quad  # a graph name is never a quoted triple


def _parse(
    path: Path, base: str | None, reader: SourceReader, tracker: LoadTracker | None
) -> Iterator[ox.Quad]:
    """Relative IRIs resolve against `base` (`Sources.base_for`), as everywhere else."""
    names = BlankNodeNames(path)  # as `sources.read_quads` names them
    try:
        for quad in ox.parse(cast(IO[bytes], reader), format=rdf_format(path), base_iri=base):
            if tracker is not None:
                tracker.statement()
            yield names.quad(quad)
    except SyntaxError as error:
        raise syntax_error(path, error) from None


def _commit(staging: Path, folder: Path, metadata: StoreMetadata) -> StoreMetadata:
    """Make the staged version current: move it under versions/, then replace the metadata in
    one rename (the switch a server sees), then the convenience links; then drop versions
    older than the previous one (a server may still read that one for a few seconds)."""
    previous = _current(folder)
    stamp = f"{metadata.loaded:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    name = f"{VERSIONS}/{stamp}"
    metadata = dataclasses.replace(metadata, current=name, files=file_sums(staging))
    (folder / VERSIONS).mkdir(exist_ok=True)
    staging.rename(folder / name)
    _replace_file(folder / METADATA, metadata.to_json())
    for link in (STORE, REPORT):
        _relink(folder / link, Path(name) / link if (folder / name / link).exists() else None)
    for old in (folder / VERSIONS).iterdir():
        if f"{VERSIONS}/{old.name}" not in (name, previous):
            shutil.rmtree(old, ignore_errors=True)
    return metadata


def _current(folder: Path) -> str | None:
    try:
        return read_metadata(folder).current
    except StoreFolderError:
        return None


def _replace_file(path: Path, text: str) -> None:
    """Write a temporary file, flush it to disk, rename it over `path` (atomic)."""
    temporary = path.with_name(f"{STAGING_PREFIX}{os.getpid()}-{path.name}")
    try:
        with temporary.open("w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _relink(link: Path, target: Path | None) -> None:
    """Point `link` at `target` (None: remove it); an older layout's real folder goes too."""
    if link.is_dir() and not link.is_symlink():
        shutil.rmtree(link)
    elif target is None or link.is_symlink() or link.exists():
        link.unlink(missing_ok=True)
    if target is not None:
        temporary = link.with_name(f"{STAGING_PREFIX}{os.getpid()}-{link.name}")
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(target)
        os.replace(temporary, link)
