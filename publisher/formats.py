"""The one table of representations: media type, file extension, aliases, preference order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    """A representation we can produce. Tuples of formats are ordered by our preference."""

    name: str
    media_type: str
    extension: str
    aliases: tuple[str, ...] = ()
    rdf_format: ox.RdfFormat | None = field(default=None, compare=False)
    results_format: ox.QueryResultsFormat | None = field(default=None, compare=False)

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)

    @property
    def is_textual(self) -> bool:
        return True

    @property
    def content_type(self) -> str:
        """The `Content-Type` we send: every format we write is UTF-8, and we say so."""
        return f"{self.media_type}; charset=utf-8"


TURTLE = Format(
    "Turtle",
    "text/turtle",
    "ttl",
    ("application/x-turtle", "application/turtle"),
    rdf_format=ox.RdfFormat.TURTLE,
)
JSONLD = Format(
    "JSON-LD",
    "application/ld+json",
    "jsonld",
    ("application/json",),
    rdf_format=ox.RdfFormat.JSON_LD,
)
NTRIPLES = Format(
    "N-Triples", "application/n-triples", "nt", ("text/plain",), rdf_format=ox.RdfFormat.N_TRIPLES
)
NQUADS = Format("N-Quads", "application/n-quads", "nq", (), rdf_format=ox.RdfFormat.N_QUADS)
TRIG = Format("TriG", "application/trig", "trig", (), rdf_format=ox.RdfFormat.TRIG)
RDFXML = Format(
    "RDF/XML",
    "application/rdf+xml",
    "rdf",
    ("application/xml", "text/xml"),
    rdf_format=ox.RdfFormat.RDF_XML,
)
HTML = Format("HTML", "text/html", "html", ("application/xhtml+xml",))

SPARQL_JSON = Format(
    "SPARQL JSON",
    "application/sparql-results+json",
    "srj",
    ("application/json",),
    results_format=ox.QueryResultsFormat.JSON,
)
SPARQL_XML = Format(
    "SPARQL XML",
    "application/sparql-results+xml",
    "srx",
    ("application/xml", "text/xml"),
    results_format=ox.QueryResultsFormat.XML,
)
CSV = Format("CSV", "text/csv", "csv", (), results_format=ox.QueryResultsFormat.CSV)
TSV = Format(
    "TSV", "text/tab-separated-values", "tsv", (), results_format=ox.QueryResultsFormat.TSV
)

# Turtle first: it is what `*/*` (curl) and a missing Accept get; see docs/decisions.
DOCUMENT_FORMATS: tuple[Format, ...] = (TURTLE, JSONLD, NTRIPLES, NQUADS, RDFXML, HTML)
RDF_DOCUMENT_FORMATS: tuple[Format, ...] = tuple(f for f in DOCUMENT_FORMATS if f is not HTML)
TABLE_RESULT_FORMATS: tuple[Format, ...] = (SPARQL_JSON, SPARQL_XML, CSV, TSV)
GRAPH_RESULT_FORMATS: tuple[Format, ...] = (TURTLE, NTRIPLES, JSONLD, RDFXML)


def by_extension(extension: str, formats: Iterable[Format]) -> Format | None:
    """The format a URL suffix such as `ttl` names, if any."""
    return next((f for f in formats if f.extension == extension), None)


def by_name(name: str, formats: Iterable[Format]) -> Format | None:
    """A format from a `format=` parameter: its extension, its name or its media type."""
    wanted = name.strip().lower()
    for fmt in formats:
        if wanted in (fmt.extension, fmt.name.lower(), *fmt.media_types):
            return fmt
    return None


def split_extension(path: str, formats: Iterable[Format]) -> tuple[str, Format | None]:
    """`person/x.ttl` → (`person/x`, TURTLE); a path with no known suffix is returned whole."""
    stem, dot, suffix = path.rpartition(".")
    if dot and "/" not in suffix:
        fmt = by_extension(suffix, formats)
        if fmt is not None:
            return stem, fmt
    return path, None
