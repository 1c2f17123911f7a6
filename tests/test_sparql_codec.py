"""The pool's end of a worker's socket (publisher.sparql.wire) speaks the frames of the worker's
`multiprocessing.connection.Connection`, small and large, notices a worker that went away, and a
query given up half-way (cancelled, timed out) costs the worker but never the next query.

And the answer's own encoding: a SELECT bounded by its own LIMIT is written by Oxigraph, in the
very bytes of the Python writer (IRIs moved to the public origin, never inside a literal)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator
from multiprocessing.connection import Connection

import pyoxigraph as ox
import pytest
from sparql_support import SPARQL_DATA, settings_for

from publisher.dataset import Sources
from publisher.errors import QueryTimeout
from publisher.sparql import wire
from publisher.sparql.engine import QueryPool
from publisher.sparql.guard import inspect
from publisher.sparql.worker import Job, Outcome, WorkerConfig, execute
from publisher.stores import open_dataset

RUNAWAY = "SELECT (COUNT(*) AS ?n) { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(7)) + " }"
SIZES = (0, 1, wire.FIRST_READ - 100, wire.FIRST_READ, wire.FIRST_READ + 1, 3 * wire.FIRST_READ)


@contextlib.contextmanager
def echo_peer() -> Iterator[socket.socket]:
    """Our non-blocking end; on the other, a thread with a Connection, as a worker has, that
    sends back what it receives until it receives None."""
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    conn = Connection(theirs.detach())

    def echo() -> None:
        while (message := conn.recv()) is not None:
            conn.send(message)

    thread = threading.Thread(target=echo, daemon=True)
    thread.start()
    try:
        yield ours
    finally:
        with contextlib.suppress(OSError):
            ours.setblocking(True)
            ours.sendall(wire.frame(None))
        thread.join(10)
        conn.close()
        ours.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_message_of_any_size_crosses_both_ways(size: int) -> None:
    message = Outcome(
        "solutions", "srj", bytes(range(256)) * (size // 256) + b"x" * (size % 256), False, 1
    )

    async def exchange(sock: socket.socket) -> object:
        await wire.send(sock, message)
        return await wire.receive(sock)

    with echo_peer() as sock:
        assert asyncio.run(exchange(sock)) == message


def test_several_messages_in_turn_stay_apart() -> None:
    async def exchange(sock: socket.socket) -> list[object]:
        answers = []
        for n in range(20):
            await wire.send(sock, ("job", n, "x" * n * 1000))
            answers.append(await wire.receive(sock))
        return answers

    with echo_peer() as sock:
        assert asyncio.run(exchange(sock)) == [("job", n, "x" * n * 1000) for n in range(20)]


def test_a_worker_that_goes_away_is_an_eof() -> None:
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    theirs.sendall(wire.frame("half")[:3])  # a frame cut short, then the end closed
    theirs.close()
    try:
        with pytest.raises(EOFError):
            asyncio.run(wire.receive(ours))
    finally:
        ours.close()


# --- the pool over it --------------------------------------------------------------------------


def job(query: str) -> Job:
    return Job(query, query, None, None, True, "srj", "nt", 100, "http://127.0.0.1:8765/sparql#t")


async def start_pool(timeout: float) -> QueryPool:
    settings = settings_for(SPARQL_DATA, "http://127.0.0.1:8765/")
    store = open_dataset(settings, Sources((SPARQL_DATA,), (), ())).store
    assert isinstance(store, ox.Store)
    return await QueryPool.start(
        store,
        size=1,
        timeout=timeout,
        base_iri=settings.base_iri,
        origin=settings.origin,
        isolate_network=False,
        queue_limit=4,
        queue_wait=30,
    )


def test_a_query_given_up_mid_read_leaves_the_next_one_a_clean_worker() -> None:
    """Cancelled while its worker computes (the client went away): that worker is killed and
    its socket closed; the next query gets a fresh worker and its own answer, not the
    abandoned query's."""

    async def scenario() -> tuple[bool, int, Outcome]:
        pool = await start_pool(timeout=60)
        try:
            (first,) = pool._idle
            task = asyncio.create_task(pool.run(job(RUNAWAY)))
            while pool.available:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.2)  # the worker is reading the job or computing
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            answer = await pool.run(job("SELECT (42 AS ?n) {}"))
            assert isinstance(answer, Outcome)
            return first.process.poll() is not None, first.sock.fileno(), answer
        finally:
            await pool.close()

    killed, fileno, answer = asyncio.run(scenario())
    assert killed and fileno == -1
    assert b"42" in answer.body and answer.count == 1


def test_a_timed_out_query_costs_its_worker_only() -> None:
    async def scenario() -> Outcome:
        pool = await start_pool(timeout=1.0)
        try:
            with pytest.raises(QueryTimeout):
                await pool.run(job(RUNAWAY))
            answer = await pool.run(job("ASK {}"))
            assert isinstance(answer, Outcome)
            return answer
        finally:
            await pool.close()

    assert asyncio.run(scenario()).body == b'{"head": {}, "boolean": true}'


# --- SPARQL JSON written by Oxigraph when the query bounds itself -------------------------------

BASE = "https://data.example.org/"
ORIGIN = "http://127.0.0.1:8765/"


def rich_store() -> ox.Store:
    """Terms of every kind, and literals that spell the JSON of an IRI of the namespace."""
    store = ox.Store()
    p = ox.NamedNode(BASE + "def/p")
    objects: list[ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple] = [
        ox.NamedNode(BASE + "id/x"),
        ox.NamedNode("http://elsewhere.example/y"),
        ox.Literal("plain"),
        ox.Literal("عربي", language="ar"),
        ox.Literal("5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ox.Literal("odd", datatype=ox.NamedNode(BASE + "def/datatype")),
        ox.Literal('q"uo\\te\n\t\r\x01\x7f/ünï €😀 </x> & <uri>'),
        ox.Literal(BASE + "id/x"),
        ox.Literal(f'{{"type":"uri","value":"{BASE}id/x"}}'),
        ox.BlankNode("b1"),
        ox.Triple(ox.NamedNode(BASE + "id/a"), p, ox.Literal(BASE)),
    ]
    for i, o in enumerate(objects):
        store.add(ox.Quad(ox.NamedNode(f"{BASE}id/s{i}"), p, o))
    return store


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 100",
        "SELECT ?o ?nothing WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?nothing } } LIMIT 50",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } LIMIT 1",
        "SELECT * WHERE { ?s ?p ?o FILTER(false) } LIMIT 10",
    ],
)
def test_oxigraphs_json_is_the_python_writers_byte_for_byte(query: str) -> None:
    store, config = rich_store(), WorkerConfig("", BASE, ORIGIN, False, None)
    limit = inspect(query).limit
    assert limit is not None
    native = execute(
        store, Job(query, query, None, None, True, "srj", "nt", 1000, "t", row_bound=limit), config
    )
    python = execute(store, Job(query, query, None, None, True, "srj", "nt", 1000, "t"), config)
    assert isinstance(native, Outcome) and isinstance(python, Outcome)
    assert native.count == -1 and python.count >= 0  # the two paths were taken
    assert native.body == python.body
    assert (
        ORIGIN.encode() in native.body or b"COUNT" in query.encode() or b"false" in query.encode()
    )


def test_a_limit_above_max_results_is_still_cut_by_the_python_writer() -> None:
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 100"
    config = WorkerConfig("", BASE, ORIGIN, False, None)
    cut = execute(
        rich_store(),
        Job(query, query, None, None, True, "srj", "nt", 3, "t", row_bound=100),
        config,
    )
    assert isinstance(cut, Outcome) and cut.truncated and cut.count == 3


@pytest.mark.parametrize(
    ("query", "limit"),
    [
        ("SELECT * {?s ?p ?o} LIMIT 5", 5),
        ("select * where { { select * { ?s ?p ?o } limit 3 } } limit 7 offset 2", 7),
        ("SELECT ?limit {?s ?p ?limit} ORDER BY ?limit LIMIT 10 VALUES ?s { <x> }", 10),
        ("SELECT * {?s ?p ?o} LIMIT # a comment\n 4", 4),
        ("SELECT * { { SELECT * {?s ?p ?o} LIMIT 3 } }", None),  # a subquery's only
        ('SELECT * {?s ?p "} LIMIT 5"}', None),  # in a string
        ("SELECT * {?s ?p ?o} # LIMIT 5", None),  # in a comment
        ("SELECT * {?s ?p ?o} LIMIT 1\\u0030", None),  # an escape could be a digit
        ("PREFIX limit: <x> SELECT * {?s limit:5 ?o}", None),
        ("SELECT * {?s ?p ?o}", None),
    ],
)
def test_the_outer_limit_is_read_only_where_it_is_plain(query: str, limit: int | None) -> None:
    assert inspect(query).limit == limit
