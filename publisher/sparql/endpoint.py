"""The SPARQL endpoint's domain: pick formats, guard, canonicalise, run in the pool, explain.

Everything between an already decoded QueryRequest and the bytes of an answer, with no HTTP in
it; the route maps the SparqlErrors raised here to status codes.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from publisher.config import Settings
from publisher.dataset import Dataset, QueryRunner
from publisher.errors import (
    MalformedQuery,
    NotAcceptable,
    ProtocolError,
    QueryFailed,
)
from publisher.formats import (
    CSV,
    GRAPH_RESULT_FORMATS,
    HTML,
    JSONLD,
    NTRIPLES,
    RDFXML,
    SPARQL_JSON,
    SPARQL_XML,
    TABLE_RESULT_FORMATS,
    TSV,
    TURTLE,
    Format,
    by_extension,
    by_name,
)
from publisher.negotiation import negotiate
from publisher.sparql import guard
from publisher.sparql.protocol import QueryRequest
from publisher.sparql.worker import Failure, Job
from publisher.sparqltext import rewrite_iris
from publisher.urls import Urls

INLINE_PREPARE = 512
"""Queries up to this many characters are guarded and rewritten on the event loop (at most
about 0.1 ms); longer ones on a thread (tens of milliseconds at 100 KB). For a short query the
hand-off to a thread and back costs more than the work."""
PREPARED_QUERIES = 1024
"""Short queries whose preparation is remembered: a client repeating a query (a dashboard, a
page's example) skips the guard and the IRI rewriting; at most about 1 MB of text."""
TRUNCATION_HEADER = "SPARQL-Results-Truncated"
TRUNCATION_FRAGMENT = "sparql#truncated"
# Short names for the format parameter, per query kind: (results format, graph format).
_SHORT_NAMES: dict[str, tuple[Format | None, Format | None]] = {
    "json": (SPARQL_JSON, JSONLD),
    "xml": (SPARQL_XML, RDFXML),
    "srj": (SPARQL_JSON, None),
    "srx": (SPARQL_XML, None),
    "csv": (CSV, None),
    "tsv": (TSV, None),
    "turtle": (None, TURTLE),
    "ttl": (None, TURTLE),
    "n3": (None, TURTLE),
    "nt": (None, NTRIPLES),
    "ntriples": (None, NTRIPLES),
    "n-triples": (None, NTRIPLES),
    "json-ld": (None, JSONLD),
    "jsonld": (None, JSONLD),
    "rdf": (None, RDFXML),
    "rdf+xml": (None, RDFXML),
    "rdfxml": (None, RDFXML),
    "rdf/xml": (None, RDFXML),
}


@dataclass(frozen=True)
class FormatChoice:
    """The format for each kind of answer, fixed before the query runs (its kind is not)."""

    table: Format | None
    graph: Format | None
    html: bool = False

    def key(self) -> str:
        return "|".join(f.extension if f else "-" for f in (self.table, self.graph)) + (
            "|html" if self.html else ""
        )


def choose_formats(accept: str | None, parameters: Sequence[str]) -> FormatChoice:
    """`format`/`output`/`results` parameters first (the first that names a format for that
    kind of answer), then the Accept header; HTML when a browser prefers it over the rest."""
    table = _from_parameters(parameters, 0, TABLE_RESULT_FORMATS)
    graph = _from_parameters(parameters, 1, GRAPH_RESULT_FORMATS)
    html = any(v.strip().lower() in ("html", "text/html") for v in parameters)
    if not parameters or (table is None and graph is None and not html):
        html = negotiate(accept, (*TABLE_RESULT_FORMATS, *GRAPH_RESULT_FORMATS, HTML)) is HTML
    return FormatChoice(
        table or negotiate(accept, TABLE_RESULT_FORMATS),
        graph or negotiate(accept, GRAPH_RESULT_FORMATS),
        html,
    )


def _from_parameters(
    parameters: Sequence[str], position: int, offered: tuple[Format, ...]
) -> Format | None:
    for value in parameters:
        name = value.strip().lower()
        short = _SHORT_NAMES.get(name)
        found = short[position] if short else by_name(name, offered)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class Answer:
    kind: str  # solutions | boolean | graph
    format: Format
    body: bytes
    truncated: bool
    count: int


class SparqlEndpoint:
    """One per app: the settings, the dataset (for labels and the ETag) and the worker pool."""

    def __init__(self, settings: Settings, dataset: Dataset, urls: Urls, pool: QueryRunner) -> None:
        self.settings, self.dataset, self.urls, self.pool = settings, dataset, urls, pool
        # A refused query raises, and is not remembered.
        self._prepared = lru_cache(maxsize=PREPARED_QUERIES)(self._prepare)

    @property
    def truncation_link(self) -> str:
        return self.urls.absolute(TRUNCATION_FRAGMENT)

    def etag(self, request: QueryRequest, choice: FormatChoice) -> str:
        """Dataset version + everything in the request that changes the bytes of the answer."""
        key = json.dumps(
            [
                request.query,
                request.default_graphs,
                request.named_graphs,
                choice.key(),
                self.settings.max_results,
                self.urls.origin,
            ]
        )
        digest = hashlib.sha256(key.encode()).hexdigest()[:24]
        return f'"{self.dataset.version}-{digest}"'

    async def run(self, request: QueryRequest, choice: FormatChoice) -> Answer:
        """Guard, then run in a worker. Raises a SparqlError for every refusal or failure.

        The format is settled in the worker, once Oxigraph has parsed the query: a syntax
        error is a 400 whatever the Accept header, and the kind of answer comes from the
        engine, never from a second parser."""
        query = request.query or ""
        if len(query) <= INLINE_PREPARE:
            inspection, canonical = self._prepared(query)
        else:
            inspection, canonical = await asyncio.to_thread(self._prepare, query)
        job = Job(
            query=canonical,
            original=query,
            default_graphs=self._graphs(request.default_graphs, request),
            named_graphs=self._graphs(request.named_graphs, request),
            union=not inspection.has_dataset_clause,
            table_format=_extension(SPARQL_JSON if choice.html else choice.table),
            graph_format=_extension(NTRIPLES if choice.html else choice.graph),
            max_results=self.settings.max_results,
            truncation_link=self.truncation_link,
            row_bound=inspection.limit,
        )
        outcome = await self.pool.run(job)
        if isinstance(outcome, Failure):
            raise self._failure(outcome, query)
        offered = TABLE_RESULT_FORMATS if outcome.kind != "graph" else GRAPH_RESULT_FORMATS
        fmt = by_extension(outcome.format, offered)
        assert fmt is not None  # the worker only answers in a format we sent it
        return Answer(outcome.kind, fmt, outcome.body, outcome.truncated, outcome.count)

    def _prepare(self, query: str) -> tuple[guard.Inspection, str]:
        """The guard's verdict (depth first: nothing parses a query deeper than the limit) and
        the query on canonical IRIs. Linear in the query (at most max_query_length bytes): run
        off the event loop unless short (INLINE_PREPARE)."""
        settings = self.settings
        inspection = guard.inspect(query, settings.service_allowlist, settings.max_query_depth)
        return inspection, rewrite_iris(query, self.urls.canonical)

    def _graphs(self, iris: tuple[str, ...], request: QueryRequest) -> tuple[str, ...] | None:
        """Protocol graph IRIs, public origin → canonical. Graphs not in the store are simply
        empty: the engine never fetches anything."""
        if not request.names_dataset:
            return None
        canonical = []
        for iri in iris:
            try:
                canonical.append(ox.NamedNode(self.urls.canonical(iri)).value)
            except ValueError:
                raise ProtocolError(f"'{iri}' is not a valid graph IRI.") from None
        return tuple(canonical)

    def _failure(self, failure: Failure, query: str) -> Exception:
        if failure.error == "syntax":
            return MalformedQuery(
                failure.message, failure.line, failure.column, _excerpt(query, failure.line)
            )
        if failure.error == "not-acceptable":
            return self.not_acceptable(failure.kind or "solutions")
        return QueryFailed(f"The query could not be evaluated: {failure.message}")

    @staticmethod
    def not_acceptable(kind: str) -> NotAcceptable:
        if kind == "graph":
            return NotAcceptable(
                "a CONSTRUCT or DESCRIBE result (an RDF graph)",
                [f.media_type for f in GRAPH_RESULT_FORMATS],
            )
        return NotAcceptable("a SELECT or ASK result", [f.media_type for f in TABLE_RESULT_FORMATS])


def _extension(fmt: Format | None) -> str | None:
    return fmt.extension if fmt is not None else None


def _excerpt(query: str, line: int | None) -> str:
    lines = query.splitlines()
    if line is None or not 1 <= line <= len(lines):
        return ""
    return lines[line - 1]
