"""Find RDF source files and parse them into an Oxigraph store, with errors a person can act on."""

from __future__ import annotations

import glob
import gzip
import hashlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from publisher.errors import RdfSyntaxError, SourceNotFound, UnsupportedSource

OWL_ONTOLOGY = ox.NamedNode("http://www.w3.org/2002/07/owl#Ontology")
_POSITION_PREFIX = re.compile(
    r"^Parser error at line \d+ (?:column \d+|between columns \d+ and \d+): "
)
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


EXTENSIONS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
    "n3": ox.RdfFormat.N3,
}


def rdf_format(path: Path) -> ox.RdfFormat:
    """The syntax of a file, from its extension (a trailing `.gz` is looked through)."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    extension = suffixes[-1].lstrip(".") if suffixes else ""
    if extension not in EXTENSIONS:
        raise UnsupportedSource(path)
    return EXTENSIONS[extension]


def discover(locations: Iterable[str]) -> list[Path]:
    """Expand files, folders (recursively) and glob patterns into a sorted list of RDF files."""
    found: set[Path] = set()
    for location in locations:
        matches = [Path(m) for m in glob.glob(location, recursive=True)] or [Path(location)]
        if not any(m.exists() for m in matches):
            raise SourceNotFound(location)
        for match in matches:
            if match.is_dir():
                found.update(p for p in match.rglob("*") if p.is_file() and _is_rdf(p))
            else:
                rdf_format(match)  # an explicitly named file must be RDF
                found.add(match)
    return sorted(found)


def _is_rdf(path: Path) -> bool:
    if path.name.startswith("."):
        return False
    try:
        rdf_format(path)
    except UnsupportedSource:
        return False
    return True


def read_quads(path: Path) -> Iterator[ox.Quad]:
    """Stream a file's quads; a syntax error becomes an `RdfSyntaxError` naming file and line."""
    fmt = rdf_format(path)
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rb") as stream:
            yield from ox.parse(cast(IO[bytes], stream), format=fmt, path=None)
    except (SyntaxError, ValueError, OSError, EOFError) as error:  # bad gzip or encoding too
        raise syntax_error(path, error) from None


def syntax_error(path: Path, error: Exception) -> RdfSyntaxError:
    """A parser's (or gzip's) exception as an error naming the file and, if known, the line."""
    if isinstance(error, SyntaxError):
        message = str(error.args[0]) if error.args else str(error)
        message = _POSITION_PREFIX.sub("", message)
        return RdfSyntaxError(path, error.lineno, error.offset, message)
    return RdfSyntaxError(path, None, None, str(error))


def load_ontology(path: Path, store: ox.Store) -> None:
    """Load an ontology file into the named graph of its `owl:Ontology`, so it stays separable."""
    quads = list(read_quads(path))
    names = {
        q.subject
        for q in quads
        if q.predicate == RDF_TYPE
        and q.object == OWL_ONTOLOGY
        and isinstance(q.subject, ox.NamedNode | ox.BlankNode)
    }
    graph = names.pop() if len(names) == 1 else ox.DefaultGraph()
    store.extend(
        ox.Quad(q.subject, q.predicate, q.object, graph)
        if isinstance(q.graph_name, ox.DefaultGraph)
        else q
        for q in quads
    )


def load_data(path: Path, store: ox.Store) -> None:
    """Load a data file as it is: triples into the default graph, quads into their graphs."""
    store.extend(read_quads(path))


def fingerprint(paths: Iterable[Path]) -> str:
    """A short hash of the files' names and bytes: the dataset version used in ETags and dumps."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(b"\0")
        with path.open("rb") as stream:  # in chunks: a source may be larger than memory
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()[:16]
