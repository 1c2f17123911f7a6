"""`--store rdflib:`: the sources parsed with rdflib into an `rdflib.Dataset`.

A fourth backend, small on purpose: it shows what a backend has to provide (a `ReadStore`, a
`QueryRunner`, an opener registered in `publisher.stores`) and nothing else. It is slower than
Oxigraph and holds everything as Python objects, so it suits small data and tests.

The location is `rdflib:` (anything after the colon is ignored); the sources come from the
settings, as in memory. Files are read as Oxigraph's loader reads them: triples of a data file
into the default graph, quads into their graphs, an ontology's triples into the graph named by
its `owl:Ontology`.

Limits: the default graph of every query is the union of all graphs (the dataset is built with
`default_union`), so `use_default_graph_as_union=False` and the protocol's graph lists are not
honoured; a query past the time limit is answered 503 but its thread runs to the end (Python
threads cannot be stopped); CONSTRUCT and DESCRIBE through `ReadStore.query` are refused (the
SPARQL endpoint runs them through the runner).
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox
import rdflib
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.query import Result
from rdflib.term import IdentifiedNode, Node

from publisher.config import Settings
from publisher.dataset import (
    Dataset,
    GraphName,
    QueryAnswer,
    Sources,
    Subject,
    Term,
    declared_modified,
    newest_file_time,
)
from publisher.errors import EndpointBusy, QueryTimeout
from publisher.formats import GRAPH_RESULT_FORMATS, SPARQL_JSON, TABLE_RESULT_FORMATS, by_extension
from publisher.rdfterms import from_rdflib, to_rdflib
from publisher.sources import OWL_ONTOLOGY, fingerprint, rdf_format
from publisher.sparql import results
from publisher.sparql.worker import Failure, Job, Outcome, WorkerConfig, execute

SCHEME = "rdflib:"
RDFLIB_FORMATS = {
    ox.RdfFormat.TURTLE: "turtle",
    ox.RdfFormat.TRIG: "trig",
    ox.RdfFormat.N_TRIPLES: "nt",
    ox.RdfFormat.N_QUADS: "nquads",
    ox.RdfFormat.JSON_LD: "json-ld",
    ox.RdfFormat.RDF_XML: "xml",
    ox.RdfFormat.N3: "n3",
}
OWL_ONTOLOGY_REF = rdflib.URIRef(OWL_ONTOLOGY.value)


class RdflibStore:
    """`ReadStore` over an `rdflib.Dataset`, translating terms at the boundary."""

    def __init__(self, graphs: rdflib.Dataset) -> None:
        self.graphs = graphs
        self.thread = ThreadPoolExecutor(1, thread_name_prefix="rdflib-store")

    def quads_for_pattern(
        self,
        subject: Subject | None,
        predicate: ox.NamedNode | None,
        object: Term | None,  # noqa: A002 - pyoxigraph's name
        graph_name: GraphName | None = None,
    ) -> Iterator[ox.Quad]:
        s, p, o = (None if t is None else to_rdflib(t) for t in (subject, predicate, object))
        pattern = (s, p, o)
        if graph_name is None:
            for s, p, o, g in self.graphs.quads((*pattern, None)):
                quad = (from_rdflib(s), from_rdflib(p), from_rdflib(o), _graph_name(g))
                yield ox.Quad(*quad)  # type: ignore[arg-type]  # rdflib keeps the kinds
            return
        name = (
            DATASET_DEFAULT_GRAPH_ID
            if isinstance(graph_name, ox.DefaultGraph)
            else cast(IdentifiedNode, to_rdflib(graph_name))  # an IRI or a blank node
        )
        for s, p, o in self.graphs.graph(name).triples(pattern):
            triple = (from_rdflib(s), from_rdflib(p), from_rdflib(o))
            yield ox.Quad(*triple, graph_name)  # type: ignore[arg-type]  # rdflib keeps the kinds

    def query(
        self,
        query: str,
        *,
        use_default_graph_as_union: bool = False,
        substitutions: dict[ox.Variable, Term] | None = None,
    ) -> QueryAnswer:
        # rdflib answers on the store's own thread: its parser caches exceptions, whose frames
        # would otherwise keep the caller's frames (and their pyoxigraph results) alive and let
        # another thread drop them, which pyoxigraph refuses ("unsendable").
        given = substitutions or {}
        bindings = {rdflib.Variable(v.value): to_rdflib(t) for v, t in given.items()}
        body = self.thread.submit(self._answer, query, bindings).result()
        return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)

    def _answer(self, query: str, bindings: dict[rdflib.Variable, Node]) -> bytes:
        """The answer as SPARQL JSON: plain bytes cross threads, pyoxigraph results do not."""
        answer = self.graphs.query(
            query,
            initBindings=bindings,  # type: ignore[arg-type]  # rdflib takes Variable keys
        )
        if answer.type == "ASK":
            return results.boolean(bool(answer.askAnswer), SPARQL_JSON)
        if answer.type == "SELECT":
            names, rows = _table(answer)
            return results.solutions(names, rows, SPARQL_JSON, None)
        raise ValueError("CONSTRUCT and DESCRIBE go through the SPARQL endpoint")

    def named_graphs(self) -> Iterator[ox.NamedNode | ox.BlankNode]:
        for graph in self.graphs.graphs():
            if graph.identifier != DATASET_DEFAULT_GRAPH_ID and len(graph):
                yield from_rdflib(graph.identifier)  # type: ignore[misc]  # never a Literal

    def __len__(self) -> int:
        return sum(len(graph) for graph in self.graphs.graphs())

    def __iter__(self) -> Iterator[ox.Quad]:
        return self.quads_for_pattern(None, None, None)


def _graph_name(identifier: Node | None) -> GraphName:
    if identifier is None or identifier == DATASET_DEFAULT_GRAPH_ID:
        return ox.DefaultGraph()
    return from_rdflib(identifier)  # type: ignore[return-value]  # never a Literal


def _table(answer: Result) -> tuple[list[str], list[list[Term | None]]]:
    names = [str(v) for v in answer.vars or ()]
    rows: list[list[Term | None]] = [
        [None if t is None else from_rdflib(t) for t in row]  # type: ignore[union-attr]  # rows
        for row in answer
    ]
    return names, rows


# --- opening ---------------------------------------------------------------------------------


def open_rdflib_dataset(settings: Settings, sources: Sources | None = None) -> Dataset:
    """Parse the sources with rdflib, as `stores.memory` does with Oxigraph."""
    sources = sources or Sources.from_settings(settings)
    graphs = rdflib.Dataset(default_union=True)
    for path in sources.ontology:
        _add(graphs, _parsed(path, sources.base_for(path)), ontology=True)
    for path in sources.data:
        _add(graphs, _parsed(path, sources.base_for(path)), ontology=False)
    store = RdflibStore(graphs)
    return Dataset(
        store=store,
        base_iri=settings.base_iri,
        version=fingerprint(sources.content),
        modified=declared_modified(store) or newest_file_time(sources.content),
        sources=sources,
        location=SCHEME,
    )


def _parsed(path: Path, base: str | None) -> rdflib.Dataset:
    """One file in a dataset of its own: its triples in the default graph, its quads in theirs;
    relative IRIs resolved against `base`, as Oxigraph does (`Sources.base_for`)."""
    parsed = rdflib.Dataset()
    with _open(path) as stream:
        parsed.parse(source=stream, format=RDFLIB_FORMATS[rdf_format(path)], publicID=base)
    return parsed


def _open(path: Path) -> IO[bytes]:
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]  # a GzipFile reads bytes
    return path.open("rb")


def _add(graphs: rdflib.Dataset, parsed: rdflib.Dataset, *, ontology: bool) -> None:
    """An ontology's default-graph triples go to the graph of its one `owl:Ontology`."""
    target = DATASET_DEFAULT_GRAPH_ID
    if ontology:
        names = set(parsed.subjects(rdflib.RDF.type, OWL_ONTOLOGY_REF))
        if len(names) == 1:
            target = names.pop()  # type: ignore[assignment]  # a subject: an IRI or blank node
    for s, p, o, g in parsed.quads((None, None, None, None)):
        name = target if g is None or g == DATASET_DEFAULT_GRAPH_ID else g
        graphs.graph(name).add((s, p, o))


# --- the SPARQL endpoint ---------------------------------------------------------------------


class RdflibQueryRunner:
    """`QueryRunner`: each query runs with rdflib on a thread; its answer is written by the
    same `publisher.sparql.results` functions as the workers' answers."""

    def __init__(self, current: Callable[[], Dataset], settings: Settings, origin: str) -> None:
        self.current = current
        self.size = settings.max_concurrent_queries
        self.timeout = settings.query_timeout
        self.config = WorkerConfig("", settings.base_iri, origin, False, None)
        self.executor = ThreadPoolExecutor(self.size, thread_name_prefix="sparql-rdflib")
        self.active = 0

    async def run(self, job: Job) -> Outcome | Failure:
        if self.active >= self.size:
            raise EndpointBusy(self.size, retry_after=1)
        self.active += 1
        loop = asyncio.get_running_loop()
        try:
            return await asyncio.wait_for(
                loop.run_in_executor(self.executor, self.answer, job), self.timeout
            )
        except TimeoutError:
            raise QueryTimeout(self.timeout) from None
        finally:
            self.active -= 1

    async def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)

    def health(self) -> dict[str, object]:
        """Threads, not processes: nothing to restart."""
        slots = {"workers": self.size, "wanted": self.size, "busy": self.active, "queued": 0}
        return {"ok": True, **slots, "restarting": 0, "last_error": None}

    def answer(self, job: Job) -> Outcome | Failure:
        """Oxigraph checks the query on an empty store first (syntax errors and the kind of
        answer as the workers give them), then rdflib answers it."""
        checked = execute(ox.Store(), job, self.config)
        if isinstance(checked, Failure):
            return checked
        store = self.current().store
        assert isinstance(store, RdflibStore)
        try:
            answer = store.graphs.query(job.query, base=self.config.base_iri)
            if checked.kind == "boolean":
                fmt = by_extension(checked.format, TABLE_RESULT_FORMATS)
                assert fmt is not None
                return Outcome(
                    "boolean", fmt.extension, results.boolean(bool(answer.askAnswer), fmt), False, 1
                )
            if checked.kind == "solutions":
                return self._solutions(answer, job, checked.format)
            return self._graph(answer, job, checked.format)
        except Exception as error:  # noqa: BLE001 - rdflib raises many kinds; the client gets it
            return Failure("evaluation", str(error))

    def _public(self, term: results.TermT) -> results.TermT:
        return results.public_term(term, self.config.base_iri, self.config.origin)

    def _solutions(self, answer: Result, job: Job, extension: str) -> Outcome:
        fmt = by_extension(extension, TABLE_RESULT_FORMATS)
        assert fmt is not None
        names, rows = _table(answer)
        truncated = len(rows) > job.max_results
        rows = rows[: job.max_results]
        link = job.truncation_link if truncated else None
        body = results.solutions(names, rows, fmt, link, self._public)
        return Outcome("solutions", fmt.extension, body, truncated, len(rows))

    def _graph(self, answer: Result, job: Job, extension: str) -> Outcome:
        fmt = by_extension(extension, GRAPH_RESULT_FORMATS)
        assert fmt is not None
        triples: dict[ox.Triple, None] = {}
        for s, p, o in answer:  # type: ignore[misc]  # a graph answer: triples
            triple = (from_rdflib(s), from_rdflib(p), from_rdflib(o))
            triples[self._public(ox.Triple(*triple))] = None  # type: ignore[arg-type]  # kinds kept
        found = list(triples)
        truncated = len(found) > job.max_results
        found = found[: job.max_results]
        note = (
            f"Truncated: only the first {job.max_results} triples are shown "
            f"(setting max_results). See {job.truncation_link}"
            if truncated
            else None
        )
        body = results.graph(found, fmt, results.used_prefixes(found), note)
        return Outcome("graph", fmt.extension, body, truncated, len(found))
