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
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from publisher.dataset import Dataset
from publisher.discovery.jsonld_stream import write_jsonld
from publisher.formats import JSONLD, NQUADS, NTRIPLES, TRIG, TURTLE, Format
from publisher.prefixes import declared_prefixes
from publisher.urls import Urls

DUMPS_PATH = "dumps/"  # where the web layer serves them, relative to the origin
CHECKSUMS_NAME = "SHA256SUMS"
LOADED_DUMPS = "dumps"
"""The folder of a loaded store's version where `publisher load` writes its dumps (IRIs on the
base IRI: a server whose public origin is its base IRI serves them as they are)."""
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
    """The quads with RDFC-1.0 blank node labels, so a reload of the same files matches.

    Data without blank nodes is already canonical: it is returned as a list, without the copy
    into an `ox.Dataset` (at a million quads that copy is hundreds of megabytes)."""
    listed = list(quads)
    if not any(_has_blank_node(quad) for quad in listed):
        return listed
    dataset = ox.Dataset(listed)
    del listed
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return list(dataset)


def _has_blank_node(quad: ox.Quad) -> bool:
    return (
        isinstance(quad.subject, ox.BlankNode)
        or isinstance(quad.object, (ox.BlankNode, ox.Triple))
        or isinstance(quad.graph_name, ox.BlankNode)
    )


def _term_key(term: object) -> str:
    return "" if isinstance(term, ox.DefaultGraph) else str(term)


_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def _triple_order(triple: ox.Triple | ox.Quad) -> str:
    """Subjects together, `a` first (Turtle reads best that way), then by term.

    One string per statement (terms joined by NUL, which N-Triples escapes inside terms) sorts
    like the tuple of its terms at a fifth of the memory: sorting builds every key at once."""
    predicate = str(triple.predicate)
    typed = "1" if predicate != _RDF_TYPE else "0"
    return f"{triple.subject}\0{typed}{predicate}\0{triple.object}"


def _graph_order(quad: ox.Quad) -> str:
    """Default graph first, then each graph whole."""
    return f"{_term_key(quad.graph_name)}\0{_triple_order(quad)}"


def _ordered(quads: Sequence[ox.Quad], fmt: Format) -> list[ox.Quad] | list[ox.Triple]:
    """The statements a syntax writes, in its order: graphs dropped (duplicates merged) where
    the syntax has none."""
    rdf_format = fmt.rdf_format
    if rdf_format is None:
        raise ValueError(f"{fmt.name} is not an RDF syntax")
    if rdf_format.supports_datasets:
        return sorted(quads, key=_graph_order)
    return sorted({q.triple for q in quads}, key=_triple_order)


def render(quads: Sequence[ox.Quad], fmt: Format, prefixes: Mapping[str, str]) -> bytes:
    """Quads in a syntax, deterministically: graph names dropped (and duplicate triples merged)
    for syntaxes without graphs, statements sorted, JSON-LD keys sorted."""
    buffer = io.BytesIO()
    write_statements(buffer, _ordered(quads, fmt), fmt, prefixes)
    return buffer.getvalue()


def write_statements(
    out: IO[bytes],
    ordered: Sequence[ox.Quad] | Sequence[ox.Triple],
    fmt: Format,
    prefixes: Mapping[str, str],
) -> None:
    """Write statements already in `_ordered` order to `out` without holding the whole text:
    N-Quads/N-Triples line by line, JSON-LD one node at a time."""
    rdf_format = fmt.rdf_format
    assert rdf_format is not None
    if fmt in (NQUADS, NTRIPLES):
        # Code-point order of the lines (what `sort` gives), duplicates dropped.
        lines = sorted({str(statement).encode() + b" .\n" for statement in ordered})
        for line in lines:
            out.write(line)
    elif fmt is JSONLD:
        write_jsonld(out, ordered)
    else:
        ox.serialize(ordered, out, format=rdf_format, prefixes=dict(prefixes))


def gzip_bytes(data: bytes) -> bytes:
    """gzip with no name and mtime 0 (RFC 1952 §2.3.1): the same input gives the same file."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
        gz.write(data)
    return buffer.getvalue()


def _write_atomically(path: Path, data: bytes) -> None:
    """Readers (other workers, a download in progress) never see half a file."""
    with _atomic_file(path) as out:
        out.write(data)


@contextmanager
def _atomic_file(path: Path) -> Iterator[IO[bytes]]:
    """A temporary file beside `path`, renamed onto it when the block succeeds and removed
    when it fails (a full disk leaves no half-written dump behind)."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _write_kind(
    path: Path,
    kind: DumpKind,
    ordered: Sequence[ox.Quad] | Sequence[ox.Triple],
    prefixes: Mapping[str, str],
) -> DumpFile:
    """One dump file, streamed to disk (through gzip when compressed), then hashed."""
    plain = kind.format in (NQUADS, NTRIPLES, JSONLD)  # line-sorted or re-indented: no prefixes
    with _atomic_file(path) as raw:
        if kind.compressed:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
                write_statements(
                    cast(IO[bytes], gz), ordered, kind.format, {} if plain else prefixes
                )
        else:
            write_statements(raw, ordered, kind.format, {} if plain else prefixes)
    return DumpFile(path.name, kind, path.stat().st_size, sha256_of(path))


def checksums_text(files: Iterable[DumpFile]) -> str:
    """The `sha256sum` format (hash, two spaces, name), so `sha256sum -c SHA256SUMS` works."""
    return "".join(f"{f.sha256}  {f.name}\n" for f in sorted(files, key=lambda f: f.name))


def write_dumps(dataset: Dataset, urls: Urls, out_dir: Path) -> list[DumpFile]:
    """Write every dump of `dataset` (IRIs on `urls.origin`) and SHA256SUMS into `out_dir`.

    Whole-dataset work: run it off the request path (`DumpStore` runs it on a background
    thread; `publisher load` may run it beside an on-disk store). Each file goes to a temporary
    name first, so a reader never sees half a file, and an `OSError` (a full disk) leaves none.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    quads = canonical_quads(urls.rewrite_quad(q) for q in dataset.store)
    prefixes = prefixes_for(urls, declared_prefixes(dataset.store, dataset.base_iri))
    by_graph: list[ox.Quad] = sorted(quads, key=_graph_order)
    del quads
    union: list[ox.Triple] | None = None
    files: list[DumpFile] = []
    for kind in DUMP_KINDS:
        rdf_format = kind.format.rdf_format
        assert rdf_format is not None
        if rdf_format.supports_datasets:
            ordered: Sequence[ox.Quad] | Sequence[ox.Triple] = by_graph
        else:
            if union is None:
                union = sorted({q.triple for q in by_graph}, key=_triple_order)
            ordered = union
        name = dump_name(dataset.base_iri, dataset.version, kind)
        files.append(_write_kind(out_dir / name, kind, ordered, prefixes))
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
