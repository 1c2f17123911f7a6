"""Find RDF source files and parse them into an Oxigraph store, with errors a person can act on."""

from __future__ import annotations

import glob
import gzip
import hashlib
import re
from collections import Counter
from collections.abc import Generator, Iterable
from contextlib import closing
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, cast
from urllib.parse import quote, urlsplit

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


def document_name(path: Path) -> str:
    """A file's name without its RDF extension and `.gz` (`card.n3` → `card`, `x.ttl.gz` →
    `x`), percent-encoded where an IRI needs it: the last segment of its relative base."""
    name = path.name
    if name.lower().endswith(".gz"):
        name = name[:-3]
    stem, dot, extension = name.rpartition(".")
    if dot and stem and extension.lower() in EXTENSIONS:
        name = stem
    return quote(name, safe="!$&'()*+,;=:@-._~")


def relative_base(path: Path, namespace: str | None, source_base: str | None = None) -> str | None:
    """The IRI a source's relative IRIs (`<>`, `<#i>`) resolve against: `source_base` when the
    run names one, else the namespace plus the file's name, so that `card.n3` served under
    `https://example.org/` says `<https://example.org/card#i>`. A file's own `@base` wins."""
    if source_base:
        return source_base
    if namespace is None:
        return None
    return namespace + document_name(path)


def read_quads(path: Path, base_iri: str | None = None) -> Generator[ox.Quad]:
    """Stream a file's quads, relative IRIs resolved against `base_iri` (None: they are an
    error), blank nodes named by `BlankNodeNames`; a syntax error becomes an `RdfSyntaxError`
    naming file and line."""
    fmt = rdf_format(path)
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    names = BlankNodeNames(path)
    try:
        with opener(path, "rb") as stream:
            for quad in ox.parse(cast(IO[bytes], stream), format=fmt, base_iri=base_iri):
                yield names.quad(quad)
    except (SyntaxError, ValueError, OSError, EOFError) as error:  # bad gzip or encoding too
        raise syntax_error(path, error) from None


class BlankNodeNames:
    """Names the blank nodes of one file by their order of appearance under a prefix drawn from
    the file's path. The parser keeps a file's own labels (`_:a`), so two files that both say
    `_:a` would otherwise merge two nodes into one; and it draws fresh random names for `[]`
    on every parse, so each start (or each worker) would name the same node differently, and a
    name a client was given (a skolem IRI of /fragments) would not survive a restart. Parsing
    is deterministic, so the same file at the same path always gets the same names."""

    def __init__(self, path: Path) -> None:
        digest = hashlib.blake2b(str(path.resolve()).encode(), digest_size=8).hexdigest()
        self._prefix = f"f{digest}n"
        self._names: dict[str, ox.BlankNode] = {}

    def term(self, term: ox.BlankNode) -> ox.BlankNode:
        named = self._names.get(term.value)
        if named is None:
            named = self._names[term.value] = ox.BlankNode(f"{self._prefix}{len(self._names)}")
        return named

    def quad(self, quad: ox.Quad) -> ox.Quad:
        subject, obj, graph = quad.subject, quad.object, quad.graph_name
        if not (
            isinstance(subject, ox.BlankNode | ox.Triple)
            or isinstance(obj, ox.BlankNode | ox.Triple)
            or isinstance(graph, ox.BlankNode)
        ):
            return quad
        return ox.Quad(
            self._subject(subject),
            quad.predicate,
            self._subject(obj) if not isinstance(obj, ox.Literal) else obj,
            self.term(graph) if isinstance(graph, ox.BlankNode) else graph,
        )

    def _subject(
        self, term: ox.NamedNode | ox.BlankNode | ox.Triple
    ) -> ox.NamedNode | ox.BlankNode | ox.Triple:
        if isinstance(term, ox.BlankNode):
            return self.term(term)
        if isinstance(term, ox.Triple):  # RDF 1.2 quoted triple
            inner = term.object
            return ox.Triple(
                self._subject(term.subject),
                term.predicate,
                self._subject(inner) if not isinstance(inner, ox.Literal) else inner,
            )
        return term


def syntax_error(path: Path, error: Exception) -> RdfSyntaxError:
    """A parser's (or gzip's) exception as an error naming the file and, if known, the line."""
    if isinstance(error, SyntaxError):
        message = str(error.args[0]) if error.args else str(error)
        message = _POSITION_PREFIX.sub("", message)
        return RdfSyntaxError(path, error.lineno, error.offset, message)
    return RdfSyntaxError(path, None, None, str(error))


def load_ontology(path: Path, store: ox.Store, base_iri: str | None = None) -> None:
    """Load an ontology file into the named graph of its `owl:Ontology`, so it stays separable."""
    quads = list(read_quads(path, base_iri))
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


def load_data(path: Path, store: ox.Store, base_iri: str | None = None) -> None:
    """Load a data file as it is: triples into the default graph, quads into their graphs."""
    store.extend(read_quads(path, base_iri))


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


# --- the namespace of data that does not say it ------------------------------------------------

SAMPLE_QUADS = 20_000
"""Quads read from the start of each file to infer the namespace: enough for any file's
habits, and cheap on a file of a billion triples (the rest is not read)."""

_PLACEHOLDER = "http://relative.invalid/"  # RFC 2606: never a real namespace
_CONTAINERS = frozenset({"id", "def", ".well-known"})
"""Path segments that hold a namespace's things rather than start one (`{ns}id/{type}/{slug}`,
`{ns}def/{vocabulary}#Term`, `{ns}.well-known/void`): the namespace is what comes before."""


@dataclass(frozen=True)
class InferredNamespace:
    """The most common namespace of the sampled subject IRIs (None: no absolute http(s) one)."""

    namespace: str | None
    subjects: int  # distinct subject IRIs under it, in the sample
    sampled: int  # distinct absolute http(s) subject IRIs in the sample


def namespace_of(iri: str) -> str | None:
    """The namespace an IRI belongs to: its document's folder (up to the last `/` before any
    `#`: `…/card#i` and `…/card` share `…/`), cut before an `id/`, `def/` or `.well-known/`
    segment. None for anything that is not an http(s) IRI."""
    parts = urlsplit(iri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    segments = parts.path.split("/")[1:-1]  # the folders: not the document's own name
    for index, segment in enumerate(segments):
        if segment in _CONTAINERS:
            segments = segments[:index]
            break
    folder = "".join(f"{segment}/" for segment in segments)
    return f"{parts.scheme}://{parts.netloc}/{folder}"


def infer_namespace(
    paths: Iterable[Path], sample: int = SAMPLE_QUADS, source_base: str | None = None
) -> InferredNamespace:
    """The namespace most subject IRIs of the first `sample` quads of each file belong to; ties
    go to the shortest. Relative IRIs count under `source_base` when the run gives one; else
    they are resolved against a placeholder and not counted (they take the namespace, whatever
    it is)."""
    subjects: set[str] = set()
    for path in paths:
        base = source_base or _PLACEHOLDER + document_name(path)
        with closing(read_quads(path, base)) as quads:
            for quad in islice(quads, sample):
                subject = quad.subject
                if isinstance(subject, ox.NamedNode) and not subject.value.startswith(_PLACEHOLDER):
                    subjects.add(subject.value)
    counts = Counter(ns for ns in map(namespace_of, subjects) if ns is not None)
    if not counts:
        return InferredNamespace(None, 0, 0)
    namespace, count = min(counts.items(), key=lambda item: (-item[1], len(item[0]), item[0]))
    return InferredNamespace(namespace, count, sum(counts.values()))
