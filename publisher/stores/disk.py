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
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyoxigraph as ox

from publisher import __version__
from publisher.config import Settings
from publisher.dataset import (
    Capabilities,
    Dataset,
    Sources,
)
from publisher.discovery.dumps import LOADED_DUMPS
from publisher.errors import PublisherError
from publisher.report import ValidationReport
from publisher.stores.checked import CheckedStore

METADATA = "publisher-store.json"
STORE = "oxigraph"
VERIFIED_WHEN_READ = f"{LOADED_DUMPS}/"
"""Files whose digest is not read at start: the dumps `publisher load` wrote (hundreds of
megabytes at a million triples) are checked against their own SHA256SUMS by the background
thread that serves them (`dump_store`); a damaged one is written again, never served."""
REPORT = "validation.json"
VERSIONS = "versions"
LOCK = ".lock"
STAGING_PREFIX = ".loading-"
LAYOUT = 2  # bumped when the folder layout changes; an older folder must be loaded again
UNCHECKED = ("LOCK", "LOG")  # RocksDB's lock and info log: not data, may change on open

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
            sources=Sources(
                paths["data"], paths["ontology"], tuple(Path(p) for p in value["sources"]["shapes"])
            ),
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
        raise StoreFolderError(folder, f"{METADATA} cannot be read ({reason(error)})") from None
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
            raise StoreFolderError(folder, f"{damaged} ({reason(error)})") from None
        if actual != size:
            raise StoreFolderError(
                folder, f"{damaged} has {actual} bytes, not {size}; load the data again"
            )
        if name.startswith(VERIFIED_WHEN_READ):
            continue  # the dumps: their SHA256SUMS is checked before they are served
        if _sha256(folder, path) != digest:
            raise StoreFolderError(folder, f"{damaged} was changed since the load; load again")


def _sha256(folder: Path, path: Path) -> str:
    try:
        with path.open("rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError as error:
        raise StoreFolderError(folder, f"{path} cannot be read ({reason(error)})") from None


def reason(error: BaseException) -> str:
    return error.strerror if isinstance(error, OSError) and error.strerror else str(error)


def file_sums(version: Path) -> FileSums:
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
            folder, f"{REPORT} cannot be read ({reason(error)}); load the data again"
        ) from None


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
