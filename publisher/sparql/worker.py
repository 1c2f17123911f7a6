"""The query worker: a process with its own view of the store that runs one query at a time:
its own copy loaded from a dump, or a read-only handle on the on-disk store (no copy).

Neither Oxigraph nor rdflib can cancel a running query, so each query runs here and the parent
kills the whole process when the time limit passes. Keep imports light: every replacement
worker pays for them.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import re
import resource
from dataclasses import dataclass
from multiprocessing.connection import Connection

import pyoxigraph as ox

from publisher.formats import (
    GRAPH_RESULT_FORMATS,
    SPARQL_JSON,
    TABLE_RESULT_FORMATS,
    Format,
    by_extension,
)
from publisher.sparql import results

_POSITION = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


@dataclass(frozen=True)
class WorkerConfig:
    """Everything a worker needs, picklable: where the store dump is and how to rewrite IRIs."""

    nquads: str
    base_iri: str
    origin: str
    isolate_network: bool
    memory_limit: int | None
    read_only: str | None = None  # an on-disk store to open read-only instead of `nquads`


@dataclass(frozen=True)
class Job:
    """One query. `None` graphs: the union default graph and every named graph, unless the
    query has its own FROM / FROM NAMED (`union` False)."""

    query: str
    original: str
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    union: bool
    table_format: str | None  # extension of the negotiated results format, None if none fits
    graph_format: str | None
    max_results: int
    truncation_link: str
    check_only: bool = False  # parse and settle the format, no evaluation (see `check`)
    row_bound: int | None = None  # the query's own outermost LIMIT (guard.Inspection.limit)


@dataclass(frozen=True)
class Outcome:
    kind: str  # solutions | boolean | graph
    format: str
    body: bytes
    truncated: bool
    count: int  # rows or triples; -1 when Oxigraph wrote the answer (not counted)


@dataclass(frozen=True)
class Failure:
    error: str  # syntax | evaluation | not-acceptable | startup
    message: str
    line: int | None = None
    column: int | None = None
    kind: str | None = None


@dataclass(frozen=True)
class Ready:
    triples: int
    isolation: str


def main(conn: Connection) -> None:
    """Process entry point: take the config, isolate, load, say ready, then answer jobs until
    told to stop (or until the parent goes away)."""
    config: WorkerConfig = conn.recv()
    isolation = isolate_network() if config.isolate_network else "not requested"
    if config.memory_limit:
        resource.setrlimit(resource.RLIMIT_DATA, (config.memory_limit, config.memory_limit))
    try:
        if config.read_only:
            store = ox.Store.read_only(config.read_only)
            ready = Ready(-1, isolation)  # counting a big store takes a while: not asked
        else:
            store = ox.Store()
            store.load(path=config.nquads, format=ox.RdfFormat.N_QUADS)
            ready = Ready(len(store), isolation)
    except (OSError, RuntimeError, ValueError, SyntaxError) as error:
        conn.send(Failure("startup", f"cannot open the store: {error}"))  # the pool retries
        return
    conn.send(ready)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        conn.send(execute(store, job, config))


def isolate_network() -> str:
    """Move this process into an empty network namespace, so that even a SERVICE the guard
    missed cannot open a connection. Linux only, and it needs either CAP_SYS_ADMIN or
    unprivileged user namespaces; elsewhere the guard alone protects (reported, not fatal)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(_CLONE_NEWNET) == 0:
            return "network namespace"
        uid, gid = os.getuid(), os.getgid()
        if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
            return f"unavailable ({os.strerror(ctypes.get_errno())})"
        for path, text in (
            ("/proc/self/setgroups", "deny"),
            ("/proc/self/uid_map", f"{uid} {uid} 1"),
            ("/proc/self/gid_map", f"{gid} {gid} 1"),
        ):
            with open(path, "w") as handle:
                handle.write(text)
        return "user and network namespace"
    except (OSError, AttributeError) as error:
        return f"unavailable ({error})"


def execute(store: ox.Store, job: Job, config: WorkerConfig) -> Outcome | Failure:
    """Run the job and serialise its answer; every error becomes a Failure, never an exception."""
    if job.check_only:
        return check(job, config)
    try:
        answer = _query(store, job, config.base_iri)
    except SyntaxError as error:
        return _syntax_failure(error, job, config)
    except (OSError, RuntimeError, ValueError) as error:
        return Failure("evaluation", str(error))
    try:
        if isinstance(answer, ox.QueryBoolean):
            return _boolean(bool(answer), job)
        if isinstance(answer, ox.QuerySolutions):
            return _solutions(answer, job, config)
        return _graph(answer, job, config)
    except (OSError, RuntimeError, ValueError) as error:
        return Failure("evaluation", str(error))


def check(job: Job, config: WorkerConfig) -> Outcome | Failure:
    """Parse the query against an empty store and settle the kind and format of its answer:
    a syntax error, an unacceptable format, or an empty Outcome of the right kind. Its first
    solution is computed too, so that what costs time without any data (a VALUES cross
    product under COUNT, ORDER BY, a doubling CONCAT) is found here, under the pool's deadline
    and memory limit, and never reaches a server; with no data, that is instant otherwise."""
    try:
        answer = _query(ox.Store(), job, config.base_iri)
        if not isinstance(answer, ox.QueryBoolean):
            next(iter(answer), None)
    except SyntaxError as error:
        return _syntax_failure(error, job, config)
    except (OSError, RuntimeError, ValueError) as error:
        return Failure("evaluation", str(error))
    if isinstance(answer, ox.QueryBoolean):
        kind, fmt = "boolean", _format(job.table_format, TABLE_RESULT_FORMATS)
    elif isinstance(answer, ox.QuerySolutions):
        kind, fmt = "solutions", _format(job.table_format, TABLE_RESULT_FORMATS)
    else:
        kind, fmt = "graph", _format(job.graph_format, GRAPH_RESULT_FORMATS)
    del answer  # dropped here, in the thread that made it
    if fmt is None:
        return Failure("not-acceptable", "", kind=kind)
    return Outcome(kind, fmt.extension, b"", False, 0)


def _query(
    store: ox.Store, job: Job, base_iri: str
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """The job's query over its dataset: the protocol's graph lists, else the union default
    graph, else (FROM in the query) the query's own."""
    if job.default_graphs is None and job.named_graphs is None:
        return store.query(job.query, base_iri=base_iri, use_default_graph_as_union=job.union)
    default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]
    default = [ox.NamedNode(g) for g in job.default_graphs or ()]
    named: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(g) for g in job.named_graphs or ()]
    return store.query(job.query, base_iri=base_iri, default_graph=default, named_graphs=named)


def _syntax_failure(error: SyntaxError, job: Job, config: WorkerConfig) -> Failure:
    """The parser's message and position, measured on the query as the user wrote it (IRI
    rewriting changes lengths), by parsing the original against an empty store."""
    if job.original != job.query:
        try:
            ox.Store().query(job.original, base_iri=config.base_iri)
        except SyntaxError as original_error:
            error = original_error
        except (OSError, RuntimeError, ValueError):
            pass
    text = str(error.args[0]) if error.args else str(error)
    match = _POSITION.match(text)
    if match:
        return Failure("syntax", match.group(3), int(match.group(1)), int(match.group(2)))
    return Failure("syntax", text)


def _format(extension: str | None, offered: tuple[Format, ...]) -> Format | None:
    return by_extension(extension, offered) if extension else None


def _boolean(value: bool, job: Job) -> Outcome | Failure:
    fmt = _format(job.table_format, TABLE_RESULT_FORMATS)
    if fmt is None:
        return Failure("not-acceptable", "", kind="boolean")
    return Outcome("boolean", fmt.extension, results.boolean(value, fmt), False, 1)


def _solutions(answer: ox.QuerySolutions, job: Job, config: WorkerConfig) -> Outcome | Failure:
    fmt = _format(job.table_format, TABLE_RESULT_FORMATS)
    if fmt is None:
        return Failure("not-acceptable", "", kind="solutions")
    if fmt is SPARQL_JSON and job.row_bound is not None and job.row_bound <= job.max_results:
        # Bounded by its own LIMIT, so never cut: Oxigraph writes the very bytes the Python
        # writer below would (tests/test_sparql_codec.py), three to four times faster.
        body = answer.serialize(format=ox.QueryResultsFormat.JSON) or b""
        return Outcome("solutions", fmt.extension, public_json(body, config), False, -1)
    variables = [v.value for v in answer.variables]
    # One more than the limit says whether the answer was cut, without reading further.
    rows: list[tuple[results.Term | None, ...]]
    rows = list(map(tuple, itertools.islice(answer, job.max_results + 1)))
    truncated = len(rows) > job.max_results
    del rows[job.max_results :]
    link = job.truncation_link if truncated else None
    body = results.solutions(
        variables, rows, fmt, link, lambda t: results.public_term(t, config.base_iri, config.origin)
    )
    return Outcome("solutions", fmt.extension, body, truncated, len(rows))


def public_json(body: bytes, config: WorkerConfig) -> bytes:
    """SPARQL JSON with the IRIs of the canonical namespace on the public origin, as
    `results.public_term` has them: only `uri` values (in triple terms too), never a literal
    (whose quotes are escaped, so the pattern cannot occur in one) nor a datatype."""
    if config.base_iri == config.origin:
        return body
    uri = b'"type":"uri","value":"'
    return body.replace(uri + _json_text(config.base_iri), uri + _json_text(config.origin))


def _json_text(text: str) -> bytes:
    return results.json_string(text)[1:-1].encode()


def _graph(answer: ox.QueryTriples, job: Job, config: WorkerConfig) -> Outcome | Failure:
    fmt = _format(job.graph_format, GRAPH_RESULT_FORMATS)
    if fmt is None:
        return Failure("not-acceptable", "", kind="graph")
    triples: dict[ox.Triple, None] = {}
    truncated = False
    for triple in answer:
        public = results.public_term(triple, config.base_iri, config.origin)
        if public in triples:
            continue
        if len(triples) == job.max_results:
            truncated = True
            break
        triples[public] = None
    note = (
        f"Truncated: only the first {job.max_results} triples are shown "
        f"(setting max_results). See {job.truncation_link}"
        if truncated
        else None
    )
    body = results.graph(list(triples), fmt, results.used_prefixes(triples), note)
    return Outcome("graph", fmt.extension, body, truncated, len(triples))


def serve_fd(fd: int) -> None:
    """Entry point of `python -c`: the parent passes one end of a socket pair as `fd`. (Not
    `-m`: that would run this module as `__main__` and its messages would not unpickle.)"""
    main(Connection(fd))
