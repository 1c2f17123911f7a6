"""Dumps: the whole dataset in several syntaxes, written once per dataset version.

The same data gives the same bytes, so releases diff cleanly and checksums mean something:
blank nodes get their RDFC-1.0 canonical labels (https://www.w3.org/TR/rdf-canon/), statements
are sorted, gzip members carry no timestamp and no file name, JSON-LD keys are sorted. IRIs are
rewritten to the public origin first, so a server started on another origin writes (and
checksums) dumps that contain that origin.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import threading
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from publisher import __version__
from publisher.dataset import Dataset
from publisher.formats import JSONLD, NQUADS, NTRIPLES, TRIG, TURTLE, Format
from publisher.prefixes import declared_prefixes
from publisher.urls import Urls

DUMPS_PATH = "dumps/"  # where the web layer serves them, relative to the origin
CHECKSUMS_NAME = "SHA256SUMS"
GZIP_MEDIA_TYPE = "application/gzip"  # RFC 6713; see docs/http.md, "Downloading the whole dataset"
_CHUNK = 1 << 20

# Namespaces written as prefixes in Turtle and TriG; `{origin}` is the public origin.
PREFIXES: dict[str, str] = {
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "id": "{origin}id/",
    "oa": "http://www.w3.org/ns/oa#",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "time": "http://www.w3.org/2006/time#",
    "wd": "http://www.wikidata.org/entity/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


@dataclass(frozen=True)
class DumpKind:
    """One file written per version: a syntax, whether it is gzipped, whether graphs are kept."""

    suffix: str
    format: Format
    compressed: bool

    @property
    def keeps_graphs(self) -> bool:
        rdf_format = self.format.rdf_format
        return rdf_format is not None and rdf_format.supports_datasets

    @property
    def label(self) -> str:
        graphs = "named graphs kept" if self.keeps_graphs else "union of all graphs"
        gz = ", gzip" if self.compressed else ""
        return f"{self.format.name}{gz} ({graphs})"


# Listing order: the plainest first. Turtle and N-Triples cannot hold graph names, so they
# carry the union of every graph; TriG, N-Quads and JSON-LD keep each fact's source graph.
DUMP_KINDS: tuple[DumpKind, ...] = (
    DumpKind("ttl", TURTLE, compressed=False),
    DumpKind("nt.gz", NTRIPLES, compressed=True),
    DumpKind("trig", TRIG, compressed=False),
    DumpKind("nq.gz", NQUADS, compressed=True),
    DumpKind("jsonld", JSONLD, compressed=False),
)


@dataclass(frozen=True)
class DumpFile:
    """A written dump: what a listing, SHA256SUMS, VoID and DCAT say about it."""

    name: str
    kind: DumpKind
    byte_size: int
    sha256: str

    @property
    def media_type(self) -> str:
        """The RDF syntax inside (DCAT `mediaType`)."""
        return self.kind.format.media_type

    @property
    def content_type(self) -> str:
        """What the file is on the wire: a .gz stays a gzip file (no Content-Encoding)."""
        return GZIP_MEDIA_TYPE if self.kind.compressed else self.kind.format.media_type


@dataclass(frozen=True)
class Dumps:
    """The dumps of one dataset version for one origin, in the folder they were written to."""

    version: str
    folder: Path
    files: tuple[DumpFile, ...]

    def path(self, name: str) -> Path:
        return self.folder / name

    def find(self, name: str) -> DumpFile | None:
        """The dump called `name` in this version."""
        return next((f for f in self.files if f.name == name), None)

    @property
    def checksums(self) -> str:
        """The text of SHA256SUMS, as written next to the dumps."""
        return checksums_text(self.files)

    def of_suffix(self, suffix: str) -> DumpFile | None:
        """The current file for `ttl`, `nt.gz`, …: what the `latest.*` aliases point to."""
        return next((f for f in self.files if f.kind.suffix == suffix), None)


def dump_stem(base_iri: str) -> str:
    """`https://data.example.org/library/` → `library`: file names say whose data."""
    segment = base_iri.rstrip("/").rsplit("/", 1)[-1]
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", segment).strip("-.")
    return stem or "dataset"


def dump_name(base_iri: str, version: str, kind: DumpKind) -> str:
    return f"{dump_stem(base_iri)}-{version}.{kind.suffix}"


def prefixes_for(urls: Urls, declared: Mapping[str, str] | None = None) -> dict[str, str]:
    """The well-known prefixes and those the data declares (`Profile.prefixes`), on the public
    origin."""
    known = {name: iri.format(origin=urls.origin) for name, iri in PREFIXES.items()}
    return {**known, **{name: urls.public(iri) for name, iri in (declared or {}).items()}}


def canonical_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads with RDFC-1.0 blank node labels, so a reload of the same files matches."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return list(dataset)


def _term_key(term: object) -> str:
    return "" if isinstance(term, ox.DefaultGraph) else str(term)


_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def _triple_order(triple: ox.Triple | ox.Quad) -> tuple[str, bool, str, str]:
    """Subjects together, `a` first (Turtle reads best that way), then by term."""
    predicate = str(triple.predicate)
    return (str(triple.subject), predicate != _RDF_TYPE, predicate, str(triple.object))


def _graph_order(quad: ox.Quad) -> tuple[str, tuple[str, bool, str, str]]:
    """Default graph first, then each graph whole."""
    return (_term_key(quad.graph_name), _triple_order(quad))


def _sorted_lines(data: bytes) -> bytes:
    """Canonical N-Quads/N-Triples order: lines sorted by code point, duplicates dropped."""
    return b"".join(sorted({line + b"\n" for line in data.splitlines() if line}))


def render(quads: Sequence[ox.Quad], fmt: Format, prefixes: Mapping[str, str]) -> bytes:
    """Quads in a syntax, deterministically: graph names dropped (and duplicate triples merged)
    for syntaxes without graphs, statements sorted, JSON-LD keys sorted."""
    rdf_format = fmt.rdf_format
    if rdf_format is None:
        raise ValueError(f"{fmt.name} is not an RDF syntax")
    if rdf_format.supports_datasets:
        ordered: list[ox.Quad] | list[ox.Triple] = sorted(quads, key=_graph_order)
    else:
        ordered = sorted({q.triple for q in quads}, key=_triple_order)
    plain = fmt in (NQUADS, NTRIPLES, JSONLD)  # line-sorted or re-indented: no prefixes
    data = ox.serialize(ordered, format=rdf_format, prefixes=None if plain else dict(prefixes))
    assert data is not None  # no output file given: the bytes are returned
    if fmt in (NQUADS, NTRIPLES):
        return _sorted_lines(data)
    if fmt is JSONLD:
        text = json.dumps(json.loads(data), sort_keys=True, ensure_ascii=False, indent=1)
        return (text + "\n").encode()
    return data


def gzip_bytes(data: bytes) -> bytes:
    """gzip with no name and mtime 0 (RFC 1952 §2.3.1): the same input gives the same file."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
        gz.write(data)
    return buffer.getvalue()


def _write_atomically(path: Path, data: bytes) -> None:
    """Readers (other workers, a download in progress) never see half a file."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def checksums_text(files: Iterable[DumpFile]) -> str:
    """The `sha256sum` format (hash, two spaces, name), so `sha256sum -c SHA256SUMS` works."""
    return "".join(f"{f.sha256}  {f.name}\n" for f in sorted(files, key=lambda f: f.name))


def write_dumps(dataset: Dataset, urls: Urls, out_dir: Path) -> list[DumpFile]:
    """Write every dump of `dataset` (IRIs on `urls.origin`) and SHA256SUMS into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    quads = canonical_quads(urls.rewrite_quad(q) for q in dataset.store)
    prefixes = prefixes_for(urls, declared_prefixes(dataset.store, dataset.base_iri))
    files: list[DumpFile] = []
    for kind in DUMP_KINDS:
        data = render(quads, kind.format, prefixes)
        if kind.compressed:
            data = gzip_bytes(data)
        name = dump_name(dataset.base_iri, dataset.version, kind)
        _write_atomically(out_dir / name, data)
        files.append(DumpFile(name, kind, len(data), hashlib.sha256(data).hexdigest()))
    _write_atomically(out_dir / CHECKSUMS_NAME, checksums_text(files).encode())
    return files


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_dumps(dataset: Dataset, out_dir: Path) -> list[DumpFile] | None:
    """The dumps already in `out_dir` when SHA256SUMS lists them all and every hash matches."""
    try:
        listed: dict[str, str] = {}
        for line in (out_dir / CHECKSUMS_NAME).read_text().splitlines():
            digest, _, name = line.partition("  ")
            listed[name] = digest
        files = []
        for kind in DUMP_KINDS:
            name = dump_name(dataset.base_iri, dataset.version, kind)
            path = out_dir / name
            if listed.get(name) != sha256_of(path):
                return None
            files.append(DumpFile(name, kind, path.stat().st_size, listed[name]))
    except OSError:
        return None
    return files


class DumpStore:
    """Where the current version's dumps live: written on first use, then reused.

    With `root` set (settings.dump_dir), files survive restarts and are reused when their
    checksums still match; the folder name carries the version, the origin and the code that
    wrote them, so servers on different origins can share one `root`. Without it, a temporary
    folder per process is used and removed when the process ends.
    """

    def __init__(self, root: str | os.PathLike[str] | None) -> None:
        if root is None:
            root = tempfile.mkdtemp(prefix="publisher-dumps-")
            # Removed when the store is collected or the process exits, whichever comes first.
            weakref.finalize(self, shutil.rmtree, root, ignore_errors=True)
        self.root = Path(root)
        self._lock = threading.Lock()
        self._current: tuple[tuple[str, str], Dumps] | None = None

    def folder(self, dataset: Dataset, urls: Urls) -> Path:
        writer = f"{urls.origin}\0{__version__}\0{ox.__version__}"
        return self.root / f"{dataset.version}-{hashlib.sha256(writer.encode()).hexdigest()[:8]}"

    def get(self, dataset: Dataset, urls: Urls) -> Dumps:
        """The dumps of `dataset` on `urls.origin`, writing them if they are not there yet."""
        key = (dataset.version, urls.origin)
        with self._lock:
            if self._current is not None and self._current[0] == key:
                return self._current[1]
            folder = self.folder(dataset, urls)
            files = read_dumps(dataset, folder) or write_dumps(dataset, urls, folder)
            dumps = Dumps(dataset.version, folder, tuple(files))
            self._current = (key, dumps)
            return dumps
