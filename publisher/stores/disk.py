"""An on-disk Oxigraph store: `publisher load --into DIR` writes it once, `serve --store DIR`
opens it read-only in every process, so N workers share one copy of the graph (the page cache).

The folder holds:

- `versions/STAMP/`: one loaded version: `oxigraph/` (the RocksDB store) and `validation.json`
  (the SHACL report made at load time; absent after `--skip-validation`);
- `publisher-store.json`: which version is current, its dataset version (the same hash of the
  source files as in memory, so ETags do not change with the mode), `dcterms:modified`, base
  IRI, quad count, the source list, and a manifest of the version's files (size and SHA-256);
- `oxigraph` and `validation.json`: links to the current version's, for people and tools;
- `.lock`: held by the one `publisher load` writing the folder.

A load builds a new version in a staging folder, moves it under `versions/`, then replaces
`publisher-store.json` in one rename: a server reading the folder sees the old version or the
new one, never half of each, and a syntax error, a failed validation, a full disk or an
interrupt leave the folder as it was. The previous version is kept (a running server may still
read it until it notices the new one); older ones are removed.

Serving checks the manifest before opening: sizes and SHA-256 of every file (about 0.1 s for a
1M-triple store in the page cache), so a damaged, truncated or partly overwritten store is
refused at start with one line. A read error while serving is a `StoreDamaged` (503).

Speed: N-Triples and N-Quads files (gzipped or not) go to Oxigraph's bulk loader as they are,
which parses them in Rust; other syntaxes are parsed quad by quad through Python (about three
times slower). Neither keeps the input in Python objects: the bulk loader holds at most one
batch of quads (about a million) in memory, whatever the input size.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
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
from publisher.stores.checked import CheckedStore
from publisher.stores.tracking import LoadTracker, Reporter, SourceReader

METADATA = "publisher-store.json"
STORE = "oxigraph"
REPORT = "validation.json"
VERSIONS = "versions"
LOCK = ".lock"
STAGING_PREFIX = ".loading-"
LAYOUT = 2  # bumped when the folder layout changes; an older folder must be loaded again
LINE_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
UNCHECKED = ("LOCK", "LOG")  # RocksDB's lock and info log: not data, may change on open
CHUNK = 1 << 20

log = logging.getLogger(__name__)

FileSums = dict[str, tuple[int, str]]  # path inside the version folder -> (size, SHA-256)


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
    current: str = ""  # the version folder, relative to the store folder
    files: FileSums = field(default_factory=dict)

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
                "current": self.current,
                "files": {name: list(sums) for name, sums in sorted(self.files.items())},
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> StoreMetadata:
        """Raises ValueError (or KeyError, TypeError) on anything but this layout."""
        value = json.loads(text)
        if not isinstance(value, dict) or value.get("layout") != LAYOUT:
            layout = value.get("layout") if isinstance(value, dict) else None
            raise ValueError(f"layout {layout!r}, expected {LAYOUT}")
        paths = {k: tuple(Path(p) for p in value["sources"][k]) for k in ("data", "ontology")}
        current = str(value["current"])
        if Path(current).is_absolute() or ".." in Path(current).parts:
            raise ValueError(f"current version {current!r} is outside the folder")
        return cls(
            base_iri=value["base_iri"],
            version=value["version"],
            modified=datetime.fromisoformat(value["modified"]),
            quads=int(value["quads"]),
            sources=Sources(shapes=tuple(Path(p) for p in value["sources"]["shapes"]), **paths),
            validated=bool(value["validated"]),
            loaded=datetime.fromisoformat(value["loaded"]),
            writer=value["writer"],
            current=current,
            files={str(k): (int(v[0]), str(v[1])) for k, v in value["files"].items()},
        )


# --- serving ---------------------------------------------------------------------------------


def open_disk_dataset(settings: Settings) -> Dataset:
    """Open the store folder `settings.store` read-only (any number of processes may), after
    checking its files against the manifest the load wrote."""
    assert settings.store is not None
    folder = Path(settings.store)
    metadata = read_metadata(folder)
    if metadata.base_iri != settings.base_iri:
        raise StoreFolderError(
            folder,
            f"was loaded for the base IRI {metadata.base_iri}, not {settings.base_iri}; serve it "
            f"with --base-iri {metadata.base_iri} (or PUBLISHER_BASE_IRI)",
        )
    version = folder / metadata.current
    check_files(folder, version, metadata.files)
    report = read_report(folder, version) if metadata.validated else None
    try:
        store = ox.Store.read_only(str(version / STORE))
    except (OSError, RuntimeError) as error:
        raise StoreFolderError(folder, f"the store does not open: {error}") from None
    return Dataset(
        store=CheckedStore(store, str(folder)),
        base_iri=metadata.base_iri,
        version=metadata.version,
        modified=metadata.modified,
        sources=metadata.sources,
        location=str(folder),
        quads=metadata.quads,
        report=report,
        capabilities=Capabilities(
            changes=True,  # `publisher load --into` the same folder: noticed while serving
            shared_path=(version / STORE).resolve(),
            keeps_report=True,
        ),
    )


def read_metadata(folder: Path) -> StoreMetadata:
    """The metadata of a loaded store, or an error that says how to get one."""
    if not folder.is_dir():
        raise StoreFolderError(folder, "no such folder (load one with `publisher load --into`)")
    path = folder / METADATA
    if not path.exists():
        raise StoreFolderError(
            folder,
            "holds no loaded store (run `publisher load SOURCE... --into DIR`; an interrupted "
            "load leaves none)",
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeError) as error:
        raise StoreFolderError(folder, f"{METADATA} cannot be read ({_why(error)})") from None
    try:
        return StoreMetadata.from_json(text)
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
        raise StoreFolderError(
            folder, f"{METADATA} is not one this version reads ({error}); load the data again"
        ) from None


def check_files(folder: Path, version: Path, files: FileSums) -> None:
    """Every file the load wrote is there with its size and checksum, or StoreFolderError
    naming the first one that is not (a damaged store must not start serving 500s)."""
    if not files:
        raise StoreFolderError(folder, f"{METADATA} lists no files; load the data again")
    for name, (size, digest) in sorted(files.items()):
        path = version / name
        damaged = f"is damaged: {path.relative_to(folder)}"
        try:
            actual = path.stat().st_size
        except FileNotFoundError:
            raise StoreFolderError(folder, f"{damaged} is missing; load the data again") from None
        except OSError as error:
            raise StoreFolderError(folder, f"{damaged} ({_why(error)})") from None
        if actual != size:
            raise StoreFolderError(
                folder, f"{damaged} has {actual} bytes, not {size}; load the data again"
            )
        if _sha256(folder, path) != digest:
            raise StoreFolderError(folder, f"{damaged} was changed since the load; load again")


def _sha256(folder: Path, path: Path) -> str:
    try:
        with path.open("rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError as error:
        raise StoreFolderError(folder, f"{path} cannot be read ({_why(error)})") from None


def _why(error: BaseException) -> str:
    return error.strerror if isinstance(error, OSError) and error.strerror else str(error)


def _sums(version: Path) -> FileSums:
    """The manifest of a version folder: every file of the store and the report."""
    files: FileSums = {}
    for path in sorted(version.rglob("*")):
        if path.is_file() and not path.name.startswith(UNCHECKED):
            with path.open("rb") as stream:
                digest = hashlib.file_digest(stream, "sha256").hexdigest()
            files[path.relative_to(version).as_posix()] = (path.stat().st_size, digest)
    return files


def write_report(path: Path, report: ValidationReport) -> None:
    path.write_text(report.to_json(), encoding="utf-8")


def read_report(folder: Path, version: Path | None = None) -> ValidationReport:
    path = (version or folder) / REPORT
    try:
        return ValidationReport.from_json(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, ValueError, KeyError, TypeError) as error:
        raise StoreFolderError(
            folder, f"{REPORT} cannot be read ({_why(error)}); load the data again"
        ) from None


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
                    folder, f"the load failed, the folder is left as it was ({_why(error)})"
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
    del dataset, store  # closes the store (RocksDB flushes and lets go of its files)
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


def _commit(staging: Path, folder: Path, metadata: StoreMetadata) -> StoreMetadata:
    """Make the staged version current: move it under versions/, then replace the metadata in
    one rename (the switch a server sees), then the convenience links; then drop versions
    older than the previous one (a server may still read that one for a few seconds)."""
    previous = _current(folder)
    stamp = f"{metadata.loaded:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    name = f"{VERSIONS}/{stamp}"
    metadata = dataclasses.replace(metadata, current=name, files=_sums(staging))
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


# --- a new load while serving ----------------------------------------------------------------


def refresh_disk_dataset(dataset: Dataset, settings: Settings) -> Dataset | None:
    """A new Dataset if a load replaced the folder's version since `dataset` was opened.

    Raises StoreFolderError when the new version is damaged (the caller keeps the old one)."""
    folder = Path(dataset.location or "")
    metadata = read_metadata(folder)
    if metadata.version == dataset.version and (folder / metadata.current / STORE).resolve() == (
        dataset.capabilities.shared_path
    ):
        return None
    fresh = open_disk_dataset(settings)
    log.info("%s: a new load, version %s (was %s)", folder, fresh.version, dataset.version)
    return fresh
