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
import gzip
import io
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from publisher import __version__
from publisher.config import Settings
from publisher.dataset import DISK, Dataset, Sources, declared_modified, newest_file_time
from publisher.errors import PublisherError
from publisher.sources import OWL_ONTOLOGY, RDF_TYPE, fingerprint, rdf_format, syntax_error

if TYPE_CHECKING:
    from publisher.validation import ValidationReport

METADATA = "publisher-store.json"
STORE = "oxigraph"
REPORT = "validation.json"
STAGING_PREFIX = ".loading-"
LAYOUT = 1  # bumped when the folder layout changes; an older folder must be loaded again
LINE_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
REPORT_INTERVAL = 0.2  # seconds between two progress reports (the last one always comes)


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
        kind=DISK,
        location=str(folder),
        quads=metadata.quads,
        report=read_report(folder) if metadata.validated else None,
    )


def read_only_path(dataset: Dataset) -> str | None:
    """The RocksDB folder of an on-disk dataset, for other processes (SPARQL workers) to open
    read-only; None for a dataset that does not live on disk."""
    if dataset.kind != DISK or dataset.location is None:
        return None
    return str(Path(dataset.location) / STORE)


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
    """The SHACL report as loaded stores keep it: the results, counts and the report graph."""
    value = {
        "conforms": report.conforms,
        "violations": [dataclasses.asdict(v) for v in report.violations],
        "prefixes": dict(report.prefixes),
        "triples": report.triples,
        "nodes": report.nodes,
        "shapes": report.shapes,
        "graph": report.graph.serialize(format="nt"),
    }
    path.write_text(json.dumps(value), encoding="utf-8")


def read_report(folder: Path) -> ValidationReport:
    import rdflib

    from publisher.validation import ValidationReport, Violation

    value: dict[str, Any] = json.loads((folder / REPORT).read_text(encoding="utf-8"))
    return ValidationReport(
        conforms=value["conforms"],
        violations=tuple(Violation(**v) for v in value["violations"]),
        graph=rdflib.Graph().parse(data=value["graph"], format="nt"),
        prefixes=value["prefixes"],
        triples=value["triples"],
        nodes=value["nodes"],
        shapes=value["shapes"],
    )


# --- loading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadProgress:
    """How far a load is, as the progress display shows it."""

    file: Path | None
    files_done: int
    files_total: int
    bytes_done: int  # of the files as stored (compressed size for .gz)
    bytes_total: int
    statements: int  # parsed so far: exact, or lines for N-Triples / N-Quads
    elapsed: float
    phase: str = "loading"  # loading | counting | validating | done


Reporter = Callable[[LoadProgress], None]


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
    validate: bool,
    report_to: Reporter = lambda progress: None,
) -> LoadResult:
    """Load the sources into a fresh store in `folder`, replacing the one there, if any, only
    when the new one is complete (and conforms, when `validate`)."""
    created = _prepare(folder)
    staging = folder / f"{STAGING_PREFIX}{os.getpid()}"
    committed = False
    try:
        result = _build(settings, sources, folder, staging, validate, report_to)
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
    validate: bool,
    report_to: Reporter,
) -> LoadResult:
    """Everything in `staging`: the store, its report, its metadata. The store is closed
    (dropped) on return, so that the folder can be moved."""
    tracker = _Tracker(sources.content, report_to)
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
        kind=DISK,
        location=str(folder),
        quads=quads,
    )
    report = None
    if validate:
        from publisher.validation import validate_dataset

        tracker.phase("validating")
        report = validate_dataset(dataset, fresh=True)
        write_report(staging / REPORT, report)
    metadata = StoreMetadata(
        base_iri=settings.base_iri,
        version=dataset.version,
        modified=dataset.modified,
        quads=quads,
        sources=sources,
        validated=validate,
        loaded=datetime.now(UTC).replace(microsecond=0),
    )
    (staging / METADATA).write_text(metadata.to_json(), encoding="utf-8")
    tracker.phase("done")
    return LoadResult(metadata, report, load_seconds, tracker.elapsed(), committed=False)


def _load_sources(store: ox.Store, sources: Sources, tracker: _Tracker) -> None:
    """Line-based files straight into the bulk loader, one call each; all the others through
    one streaming bulk load (each bulk call writes its own files: fewer calls, fewer files)."""
    native = [p for p in sources.data if rdf_format(p) in LINE_FORMATS]
    streamed = [p for p in sources.data if p not in native]
    store.bulk_extend(_chain(_ontology_quads(p, tracker) for p in sources.ontology))
    store.bulk_extend(_chain(_data_quads(p, tracker) for p in streamed))
    for path in native:
        with _Reader(path, tracker, count_lines=True) as reader:
            try:
                store.bulk_load(input=reader, format=rdf_format(path))
            except SyntaxError as error:
                raise syntax_error(path, error) from None
        tracker.file_done()


def _chain(iterables: Iterable[Iterable[ox.Quad]]) -> Iterator[ox.Quad]:
    for quads in iterables:
        yield from quads


def _data_quads(path: Path, tracker: _Tracker) -> Iterator[ox.Quad]:
    """A file's quads as they are (triples in the default graph), as `sources.load_data` does."""
    with _Reader(path, tracker, count_lines=False) as reader:
        yield from _parse(path, reader, tracker)
    tracker.file_done()


def _ontology_quads(path: Path, tracker: _Tracker) -> Iterator[ox.Quad]:
    """An ontology's triples in the named graph of its `owl:Ontology`, as `load_ontology` does
    (read twice, streaming: once for the name, once for the quads)."""
    with _Reader(path, None, count_lines=False) as reader:
        names = {
            q.subject
            for q in _parse(path, reader, None)
            if q.predicate == RDF_TYPE and q.object == OWL_ONTOLOGY
        }
    graph = names.pop() if len(names) == 1 else ox.DefaultGraph()
    for quad in _data_quads(path, tracker):
        if isinstance(quad.graph_name, ox.DefaultGraph):
            yield ox.Quad(quad.subject, quad.predicate, quad.object, graph)
        else:
            yield quad


def _parse(path: Path, reader: _Reader, tracker: _Tracker | None) -> Iterator[ox.Quad]:
    try:
        for quad in ox.parse(reader, format=rdf_format(path)):
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


class _Reader(io.RawIOBase):
    """A source file as the parsers read it: gunzipped if need be, with its position (in bytes
    of the file on disk) and, for line-based syntaxes, its newlines reported as it goes."""

    def __init__(self, path: Path, tracker: _Tracker | None, *, count_lines: bool) -> None:
        super().__init__()
        self.path = path
        self._tracker = tracker
        self._count_lines = count_lines
        self._raw = path.open("rb")
        gzipped = path.suffix.lower() == ".gz"
        self._stream: io.BufferedIOBase = gzip.GzipFile(fileobj=self._raw) if gzipped else self._raw  # type: ignore[assignment]
        if tracker is not None:
            tracker.file_started(path)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            count = self._stream.readinto(buffer)
        except (OSError, EOFError, ValueError) as error:  # a broken gzip stream
            raise syntax_error(self.path, error) from None
        if self._tracker is not None:
            lines = bytes(memoryview(buffer)[:count]).count(b"\n") if self._count_lines else 0
            self._tracker.read(self._raw.tell(), lines)
        return count

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
            self._raw.close()
        super().close()


class _Tracker:
    """Counts what the load has done and reports it at most every REPORT_INTERVAL seconds."""

    def __init__(self, paths: Iterable[Path], report_to: Reporter) -> None:
        self._paths = list(paths)
        self._report_to = report_to
        self._start = time.monotonic()
        self._last = 0.0
        self.files_done = 0
        self.bytes_before = 0  # of the files already done
        self.position = 0  # in the current file
        self.statements = 0
        self.file: Path | None = None
        self.bytes_total = sum(p.stat().st_size for p in self._paths)
        self._report(force=True)

    def elapsed(self) -> float:
        return time.monotonic() - self._start

    def file_started(self, path: Path) -> None:
        self.file = path
        self.position = 0
        self._report(force=True)

    def file_done(self) -> None:
        if self.file is not None:
            self.bytes_before += self.file.stat().st_size
        self.files_done += 1
        self.position = 0
        self.file = None
        self._report(force=True)

    def read(self, position: int, lines: int) -> None:
        self.position = position
        self.statements += lines
        self._report()

    def statement(self) -> None:
        self.statements += 1
        if not self.statements & 0x3FF:  # look at the clock every 1024 quads only
            self._report()

    def phase(self, name: str) -> None:
        self._report(force=True, phase=name)

    def _report(self, *, force: bool = False, phase: str = "loading") -> None:
        now = time.monotonic()
        if not force and now - self._last < REPORT_INTERVAL:
            return
        self._last = now
        self._report_to(
            LoadProgress(
                file=self.file if phase == "loading" else None,
                files_done=self.files_done,
                files_total=len(self._paths),
                bytes_done=min(self.bytes_before + self.position, self.bytes_total),
                bytes_total=self.bytes_total,
                statements=self.statements,
                elapsed=now - self._start,
                phase=phase,
            )
        )
